// What every reader of facts shares: the app's Octokit, its REST API, and the repository an event is about.
import type { ProbotOctokit } from 'probot';

export type Octokit = InstanceType<typeof ProbotOctokit>;
export type Api = Octokit['rest'];

export interface Where {
  owner: string;
  repo: string;
}

/** Pure: whether a GraphQL request may write (a mutation anywhere in its document, or no text to read). */
export { isGraphqlMutation } from '../../src/github/graphql-kind.ts';

/** The HTTP status of a failed request (404 is an answer for several readers, not a failure). */
export const httpStatus = (error: unknown): number | undefined => (error as { status?: number }).status;

/**
 * What GitHub answered to a failed request, by its HTTP status alone, for a reply or a status comment: an
 * error's text may quote what was sent (a URL, a body with a person's words) or a credential.
 */
export function githubAnswered(error: unknown): string {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && Number.isInteger(status)
    ? `GitHub answered HTTP ${status}`
    : 'no answer from GitHub';
}
