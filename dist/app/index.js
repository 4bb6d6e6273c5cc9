import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{app_default,deployApp}from"../chunks/chunk-LUATOQOW.js";import"../chunks/chunk-MP4TU6OO.js";import"../chunks/chunk-GXYVHS6N.js";import"../chunks/chunk-YZASLWB7.js";export{app_default as default,deployApp};
