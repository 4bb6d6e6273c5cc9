import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var PNPM_LOG_LINES=/^(?:[ \t]*(?:WARN|INFO)[ \t][^\n]*\n)+(?=\s*[{[])/;function withoutPnpmLogLines(text){return text.replace(PNPM_LOG_LINES,"")}export{withoutPnpmLogLines};
