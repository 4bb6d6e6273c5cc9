import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{GitHubTimeoutError,createGitHubClient,describeRequests,isServiceFailure}from"./chunk-66SEUPPA.js";import"./chunk-UGRJBDK3.js";import"./chunk-YZASLWB7.js";export{GitHubTimeoutError,createGitHubClient,describeRequests,isServiceFailure};
