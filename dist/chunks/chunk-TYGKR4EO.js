import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
function oneOutcome(){let first;return{async claim(who,write){if(first)return await first.written.catch(()=>{}),first.who;let written=Promise.resolve().then(write);return first={who,written},await written,who},writer:()=>first?.who}}export{oneOutcome};
