import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var STRATEGY_NAMES=["direct","rolling","blue-green","canary"];export{STRATEGY_NAMES};
