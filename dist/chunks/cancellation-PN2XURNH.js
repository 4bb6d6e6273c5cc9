import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob}from"./chunk-2PCMTPLC.js";import"./chunk-ADJLWCN5.js";import"./chunk-OUHJXKHN.js";import"./chunk-5VN4HYMG.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob};
