import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{SarifReportError,parseSarif,sarifGate}from"./chunk-BLXFZWNG.js";import"./chunk-LJWQ5GEA.js";import"./chunk-6EQE4MWI.js";import"./chunk-FOIEWKLS.js";import"./chunk-7L6SENUB.js";import"./chunk-YZASLWB7.js";export{SarifReportError,parseSarif,sarifGate};
