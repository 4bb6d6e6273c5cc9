import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-PMNFYALQ.js";import"./chunk-SVK7MPWI.js";import"./chunk-IGKHL6HK.js";import"./chunk-5VN4HYMG.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
