import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{OUTCOME_CODES,PHASES,deliveredAll,fanOut,resultLast}from"./chunk-V2OEWI32.js";import"./chunk-YZASLWB7.js";export{OUTCOME_CODES,PHASES,deliveredAll,fanOut,resultLast};
