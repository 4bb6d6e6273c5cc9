import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
function isFirstDeployment(live){return!live.slot&&!live.version&&!live.unknown}export{isFirstDeployment};
