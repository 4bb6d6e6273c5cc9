import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{app_default,deployApp}from"../chunks/chunk-ZM6G2JEY.js";import"../chunks/chunk-RBY5JT3X.js";import"../chunks/chunk-K6SZMSYG.js";import"../chunks/chunk-YIBGUQFW.js";import"../chunks/chunk-YZASLWB7.js";export{app_default as default,deployApp};
