import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{redactSecrets}from"./chunk-5YLJGF56.js";import{maskSecrets}from"./chunk-75MGUUKV.js";function redactCredentials(text){return maskSecrets(redactSecrets(text))}export{redactCredentials};
