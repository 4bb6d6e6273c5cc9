import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{CANCEL_SIGNALS,cancelOnSignals,cancelledExitCode,runExitCode,signalNotice}from"./chunk-XMH6JWAY.js";import"./chunk-G4TT6W5M.js";import"./chunk-YZASLWB7.js";export{CANCEL_SIGNALS,cancelOnSignals,cancelledExitCode,runExitCode,signalNotice};
