import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{PHASES,fanOut}from"./chunk-WI25HL6Q.js";import"./chunk-YZASLWB7.js";export{PHASES,fanOut};
