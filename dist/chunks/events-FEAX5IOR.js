import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{OUTCOME_CODES,PHASES,fanOut,resultLast}from"./chunk-YMOB3VTU.js";import"./chunk-YZASLWB7.js";export{OUTCOME_CODES,PHASES,fanOut,resultLast};
