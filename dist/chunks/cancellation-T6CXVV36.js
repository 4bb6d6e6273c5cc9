import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-T2VKQYW5.js";import"./chunk-V4Q32W2A.js";import"./chunk-5A4F7USH.js";import"./chunk-5VN4HYMG.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
