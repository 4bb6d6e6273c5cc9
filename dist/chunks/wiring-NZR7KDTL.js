import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{contextFromEnv,hasNotifications,reconcileNotifiers,runNotifier}from"./chunk-G2Z35B4M.js";import"./chunk-YZASLWB7.js";export{contextFromEnv,hasNotifications,reconcileNotifiers,runNotifier};
