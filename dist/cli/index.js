#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import"../chunks/chunk-YZASLWB7.js";var MINIMUM_NODE={major:22,minor:17};function nodeReleaseProblem(version){let[major=0,minor=0]=version.split(".").map(part=>Number.parseInt(part,10)),{major:needMajor,minor:needMinor}=MINIMUM_NODE;if(!(major>needMajor||major===needMajor&&minor>=needMinor))return`needs Node.js 24 (or ${needMajor}.${needMinor} and newer), and this is Node.js ${version}: install Node.js 24 LTS (for example \`nvm install 24\`) and run it again`}var problem=nodeReleaseProblem(process.versions.node);problem&&(process.stderr.write(`deploy-action: ${problem}
`),process.exit(1));await import(new URL("./main.js",import.meta.url).href);
