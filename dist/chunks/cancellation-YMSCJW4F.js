import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-SHWH6F2P.js";import"./chunk-72JBQYIN.js";import"./chunk-L2A4CTXM.js";import"./chunk-HKYPJISU.js";import"./chunk-7FGPEIW6.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
