// The App's Octokit class: Probot's (throttling, retry, pagination, Probot's logging), its answers parsed
// natively (json-answers.ts). The server and the Lambda hand it to Probot, so that every Octokit Probot makes
// (the app's, each installation's, each delivery's) is one.
import { ProbotOctokit } from 'probot';
import { nativeJsonAnswers } from './json-answers.ts';

export const AppOctokit = ProbotOctokit.plugin(nativeJsonAnswers);
