import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{InternalErrorStop,stopClause,stoppedByOf,stoppedPhrase}from"./chunk-WE4JB54V.js";import"./chunk-YZASLWB7.js";export{InternalErrorStop,stopClause,stoppedByOf,stoppedPhrase};
