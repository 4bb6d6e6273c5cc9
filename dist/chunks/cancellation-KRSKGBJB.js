import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-E377YQRD.js";import"./chunk-BB6UKF3F.js";import"./chunk-L2A4CTXM.js";import"./chunk-HKYPJISU.js";import"./chunk-D3SSU4RM.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
