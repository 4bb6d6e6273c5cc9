import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
function jsonLinesReporter(write=t=>process.stdout.write(t)){return{event(e){write(`${JSON.stringify({...e,at:new Date().toISOString()}).replaceAll("##[","##\\u005b")}
`)}}}export{jsonLinesReporter};
