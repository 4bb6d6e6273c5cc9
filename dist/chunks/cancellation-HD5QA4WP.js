import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob,notifyCloseBy}from"./chunk-J3LTW75O.js";import"./chunk-ISIBAC4C.js";import"./chunk-SB4VXLNA.js";import"./chunk-A5AZVTEB.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob,notifyCloseBy};
