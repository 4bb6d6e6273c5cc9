import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{terminalReporter}from"./chunk-4V36NLP5.js";import{redactingReporter}from"./chunk-L3FEGPJW.js";function jsonLinesReporter(write=t=>process.stdout.write(t)){return{event(e){write(`${JSON.stringify({...e,at:new Date().toISOString()}).replaceAll("##[","##\\u005b")}
`)}}}function cliRunReporter(json,out){return redactingReporter(json?jsonLinesReporter(out):terminalReporter({write:out,controls:"cli"}))}export{cliRunReporter};
