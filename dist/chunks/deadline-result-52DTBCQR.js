import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{deadlineResult,progressSoFar,runSoFar}from"./chunk-SFE2PKJJ.js";import"./chunk-JURJKBBB.js";import"./chunk-QCYT6GUU.js";import"./chunk-UM7HLMDU.js";import"./chunk-YZASLWB7.js";export{deadlineResult,progressSoFar,runSoFar};
