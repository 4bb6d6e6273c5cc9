import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var UNDECIDED_DEFAULTS={extendUndecided:.5,onUndecided:"decide"};function windowIntervals(config,windowMs,intervalMs){let base=Math.max(1,Math.ceil(windowMs/intervalMs));return{base,extension:Math.ceil(base*config.extendUndecided)}}export{UNDECIDED_DEFAULTS,windowIntervals};
