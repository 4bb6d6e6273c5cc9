import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-62STMMHR.js";import"./chunk-B23W2MXI.js";import"./chunk-L2A4CTXM.js";import"./chunk-HKYPJISU.js";import"./chunk-K5GDB52T.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
