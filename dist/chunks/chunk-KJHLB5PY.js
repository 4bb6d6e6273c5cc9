import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{resolveEnvironment}from"./chunk-UNOYCPPP.js";function resolveStaging(config,env,stateDir){return env.staging?resolveEnvironment(config,env.staging,{stateDir}):void 0}export{resolveStaging};
