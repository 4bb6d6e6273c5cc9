import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{LAST_WORDS_MS,createCrashGuard,guardRun,installCrashGuard}from"./chunk-YXA3A6M5.js";import"./chunk-HKYPJISU.js";import"./chunk-WE4JB54V.js";import"./chunk-YZASLWB7.js";export{LAST_WORDS_MS,createCrashGuard,guardRun,installCrashGuard};
