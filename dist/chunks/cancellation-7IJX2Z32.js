import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-SKKN6HS4.js";import"./chunk-25O6SZ7L.js";import"./chunk-FY3DVV5H.js";import"./chunk-L2A4CTXM.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
