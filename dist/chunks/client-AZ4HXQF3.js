import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{GitHubTimeoutError,createGitHubClient,describeRequests,isServiceFailure}from"./chunk-HCQANAHX.js";import"./chunk-ZLKC3J4S.js";import"./chunk-YZASLWB7.js";export{GitHubTimeoutError,createGitHubClient,describeRequests,isServiceFailure};
