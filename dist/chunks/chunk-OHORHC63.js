import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
function readsAsOption(word){return/^(?:--?[A-Za-z]|--?$)/.test(word)}export{readsAsOption};
