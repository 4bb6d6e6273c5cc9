import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{cancelCliOnSignals,inActionsJob}from"./chunk-3HKBCNO5.js";import"./chunk-YBYX3WK5.js";import"./chunk-I2OKL7Q3.js";import"./chunk-GEADDUGD.js";import"./chunk-HKYPJISU.js";import"./chunk-YZASLWB7.js";export{cancelCliOnSignals,inActionsJob};
