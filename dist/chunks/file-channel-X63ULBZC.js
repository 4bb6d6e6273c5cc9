import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{FileControlChannel}from"./chunk-T3NXEETJ.js";import"./chunk-F23YCAT5.js";import"./chunk-Z2SJSDRW.js";import"./chunk-QGQGHIOC.js";import"./chunk-YZASLWB7.js";export{FileControlChannel};
