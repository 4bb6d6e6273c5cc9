// Control requests on GitHub (issue 14). CONTRACT STUB: the signatures below are what the App and the Action
// code against; the bodies are being written (src/control/signed.ts, fake GitHub ETag support).
//
// Each request is its own check run named `rollout / <environment>` on the rollout's commit, created by the
// App (create-only: two replicas or two people never overwrite each other), its output.text carrying the
// request as a hidden marker MAC'd under the environment's state key and bound to the repository, the
// environment and the deployment. The Action lists those check runs for its commit with a conditional request
// (If-None-Match: a 304 costs nothing against the rate limit), verifies each and feeds the requests for its
// deployment to decideControl. A check run with the same name from anyone else does not verify and is ignored.
import type { ControlPoll, ControlRequest, ControlSource } from './request.ts';

export const CONTROL_CHECK_PREFIX = 'rollout / ';

export function controlCheckName(environment: string): string {
  return `${CONTROL_CHECK_PREFIX}${environment}`;
}

/** Buttons a control check run offers (requested_action identifiers; GitHub allows three). */
export type ControlButton = 'promote' | 'resume' | 'abort';

export interface Where {
  owner: string;
  repo: string;
}

/** The Octokit call the poll needs: `octokit.request` (it throws a RequestError with status 304 on a match). */
export type RequestFn = (
  route: string,
  params: Record<string, unknown>,
) => Promise<{ status: number; data: unknown; headers: Record<string, string | number | undefined> }>;

/** The Octokit calls the App's writes need (`octokit.rest.checks`). */
export interface ControlWriteApi {
  checks: {
    create(params: {
      owner: string;
      repo: string;
      name: string;
      head_sha: string;
      external_id?: string;
      status?: 'completed';
      conclusion?: 'neutral' | 'action_required' | 'success' | 'cancelled';
      completed_at?: string;
      details_url?: string;
      output?: { title: string; summary: string; text?: string };
      actions?: Array<{ label: string; description: string; identifier: string }>;
    }): Promise<{ data: { id: number } }>;
  };
}

export interface ControlDisplay {
  /** Check run title and summary (Markdown; every user-chosen value already escaped by the caller). */
  title: string;
  summary: string;
  /** The buttons to offer while the rollout still waits after this request (none once it goes on). */
  buttons: ControlButton[];
  detailsUrl?: string;
}

export interface ControlPlace {
  /** owner/name */
  repository: string;
  environment: string;
  deploymentId: string;
}

/**
 * The Action's (and reconcile's) source: polls `GET /repos/{owner}/{repo}/commits/{sha}/check-runs` with
 * check_name `rollout / <environment>` and filter=all, sending the last ETag; verifies each check run's
 * text under `keys` for `place`.
 */
export class GitHubControlSource implements ControlSource {
  readonly request: RequestFn;
  readonly where: Where;
  readonly place: ControlPlace;
  readonly sha: string;
  readonly keys: readonly Buffer[];

  constructor(request: RequestFn, where: Where, place: ControlPlace, sha: string, keys: readonly Buffer[]) {
    this.request = request;
    this.where = where;
    this.place = place;
    this.sha = sha;
    this.keys = keys;
  }

  poll(deploymentId: string): Promise<ControlPoll> {
    void deploymentId;
    return Promise.reject(new Error('GitHubControlSource.poll is not implemented yet'));
  }
}

/**
 * The App's write of one request: a new `rollout / <environment>` check run on `sha`, completed, its text
 * the signed request, with `display`'s title, summary and buttons.
 */
export async function writeControlRequest(
  api: ControlWriteApi,
  where: Where,
  args: { sha: string; place: ControlPlace; request: ControlRequest; key: Buffer; display: ControlDisplay },
): Promise<{ checkRunId: number }> {
  void api;
  void where;
  void args;
  throw new Error('writeControlRequest is not implemented yet');
}

/**
 * The App's notice when a rollout starts waiting: a `rollout / <environment>` check run with the buttons and
 * no request in it (external_id `wait:<deploymentId>:<step>`, so the App creates it once per wait).
 */
export async function writeWaitNotice(
  api: ControlWriteApi,
  where: Where,
  args: { sha: string; place: ControlPlace; step: number; display: ControlDisplay },
): Promise<{ checkRunId: number }> {
  void api;
  void where;
  void args;
  throw new Error('writeWaitNotice is not implemented yet');
}
