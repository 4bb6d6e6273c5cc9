import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{FileControlChannel}from"./chunk-DTWIJDJK.js";import"./chunk-WOZP7TJX.js";import"./chunk-NFVBICPA.js";import"./chunk-YZASLWB7.js";export{FileControlChannel};
