import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{app_default,deployApp}from"../chunks/chunk-VXIXRPPQ.js";import"../chunks/chunk-PBIESKBR.js";import"../chunks/chunk-K6SZMSYG.js";import"../chunks/chunk-BKLFKD3A.js";import"../chunks/chunk-YZASLWB7.js";export{app_default as default,deployApp};
