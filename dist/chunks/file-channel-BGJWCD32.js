import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{FileControlChannel,MAX_CONTROL_FILE_BYTES}from"./chunk-NCEHAYY4.js";import"./chunk-F23YCAT5.js";import"./chunk-A3UROMYI.js";import"./chunk-ZPZR67VI.js";import"./chunk-YZASLWB7.js";export{FileControlChannel,MAX_CONTROL_FILE_BYTES};
