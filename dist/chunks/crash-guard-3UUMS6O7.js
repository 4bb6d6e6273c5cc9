import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{createCrashGuard,guardRun,installCrashGuard}from"./chunk-SPEMR7HV.js";import"./chunk-QWGQFGH5.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{createCrashGuard,guardRun,installCrashGuard};
