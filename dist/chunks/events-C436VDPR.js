import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{OUTCOME_CODES,PHASES,fanOut}from"./chunk-B2D3BI7D.js";import"./chunk-YZASLWB7.js";export{OUTCOME_CODES,PHASES,fanOut};
