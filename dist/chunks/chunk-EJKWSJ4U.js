import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var PLACEHOLDER=/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;export{PLACEHOLDER};
