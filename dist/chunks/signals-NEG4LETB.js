import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{CANCEL_SIGNALS,cancelOnSignals,cancelledExitCode,endKeptListeners,runExitCode,signalNotice}from"./chunk-L2A4CTXM.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{CANCEL_SIGNALS,cancelOnSignals,cancelledExitCode,endKeptListeners,runExitCode,signalNotice};
