import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var VERSION_RULE=/^(?!-)[\w.+-]{1,128}$/,VERSION_RULE_TEXT='a version is 1-128 letters, digits, ".", "_", "+" or "-", and does not start with "-"';export{VERSION_RULE,VERSION_RULE_TEXT};
