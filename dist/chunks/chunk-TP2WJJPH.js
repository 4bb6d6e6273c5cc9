import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var ANALYZE_EXIT_CODES={promote:0,rollback:1,hold:2,"bad-input":3,"internal-error":4};export{ANALYZE_EXIT_CODES};
