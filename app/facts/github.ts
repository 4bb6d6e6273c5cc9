// What every reader of facts shares: the app's Octokit, its REST API, and the repository an event is about.
import type { ProbotOctokit } from 'probot';

export type Octokit = InstanceType<typeof ProbotOctokit>;
export type Api = Octokit['rest'];

export interface Where {
  owner: string;
  repo: string;
}

/** The HTTP status of a failed request (404 is an answer for several readers, not a failure). */
export const httpStatus = (error: unknown): number | undefined => (error as { status?: number }).status;
