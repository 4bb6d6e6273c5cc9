import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{app_default,deployApp}from"../chunks/chunk-LNXH7QSY.js";import"../chunks/chunk-SPM5RCKO.js";import"../chunks/chunk-UURY2IZW.js";import"../chunks/chunk-YZASLWB7.js";export{app_default as default,deployApp};
