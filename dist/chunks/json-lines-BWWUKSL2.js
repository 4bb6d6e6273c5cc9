import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{jsonLinesReporter}from"./chunk-OUDGR5NZ.js";import"./chunk-YZASLWB7.js";export{jsonLinesReporter};
