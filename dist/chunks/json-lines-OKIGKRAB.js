import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{jsonLinesReporter}from"./chunk-O3TZVZ2D.js";import"./chunk-YZASLWB7.js";export{jsonLinesReporter};
