// The pull request a workflow run is about, from the event the runner hands over (GITHUB_EVENT_PATH).
import { Octokit } from '@octokit/rest';
import { readFileSync } from 'node:fs';
import { pullRequestContext } from '../github/pull-request.ts';
import type { GateContext } from '../gates/types.ts';

export function pullRequestFromEvent(
  env: NodeJS.ProcessEnv,
  token: string | undefined,
): GateContext['pullRequest'] {
  if (!token || !env.GITHUB_EVENT_PATH || !env.GITHUB_REPOSITORY) return undefined;
  let event: { pull_request?: { number?: number } };
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch {
    return undefined;
  }
  const number = event.pull_request?.number;
  if (typeof number !== 'number') return undefined;
  const [owner, repo] = env.GITHUB_REPOSITORY.split('/') as [string, string];
  const octokit = new Octokit({ auth: token, baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com' });
  return pullRequestContext(octokit.rest, { owner, repo, number });
}
