import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{stripVTControlCharacters}from"node:util";function plain(text){return stripVTControlCharacters(text).replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu," ").replace(new RegExp("\\p{Cf}","gu"),"").replace(/##\[/g,"##\u200B[")}export{plain};
