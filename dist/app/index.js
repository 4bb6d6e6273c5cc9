import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{app_default,deployApp}from"../chunks/chunk-ZNYPSY7I.js";import"../chunks/chunk-DR5F2LEX.js";import"../chunks/chunk-K6SZMSYG.js";import"../chunks/chunk-MQ2QGOZH.js";import"../chunks/chunk-YZASLWB7.js";export{app_default as default,deployApp};
