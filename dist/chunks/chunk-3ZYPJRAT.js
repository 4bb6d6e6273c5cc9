import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
function retryAfterMs(value,now=Date.now()){let text=value?.trim()??"";if(/^\d{1,9}$/.test(text))return Number(text)*1e3;let at=/[A-Za-z]/.test(text)?Date.parse(text):Number.NaN;return Number.isFinite(at)?Math.max(0,at-now):void 0}export{retryAfterMs};
