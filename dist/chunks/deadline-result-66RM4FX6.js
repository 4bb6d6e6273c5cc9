import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{deadlineResult,runSoFar}from"./chunk-EC4236S4.js";import"./chunk-ANQAISQ2.js";import"./chunk-YZASLWB7.js";export{deadlineResult,runSoFar};
