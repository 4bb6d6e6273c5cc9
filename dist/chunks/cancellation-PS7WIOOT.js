import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob}from"./chunk-AUTMKQ4Z.js";import"./chunk-ADJLWCN5.js";import"./chunk-OUHJXKHN.js";import"./chunk-GEADDUGD.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob};
