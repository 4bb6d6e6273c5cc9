// Control requests on GitHub (issue 14).
//
// Each request is its own check run named `rollout / <environment>` on the rollout's commit, created by the
// App (create-only: two replicas or two people never overwrite each other), its output.text carrying the
// request as a hidden marker MAC'd under the environment's state key and bound to the repository, the
// environment and the deployment. The Action lists those check runs for its commit with a conditional request
// (If-None-Match: a 304 costs nothing against the rate limit), verifies each and feeds the requests for its
// deployment to decideControl. A check run with the same name from anyone else does not verify and is ignored.
import { createHash } from 'node:crypto';
import type { ControlPoll, ControlRequest, ControlSource } from './request.ts';
import { carriesControlRequest, signControlRequest, verifyControlText } from './signed.ts';

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

/** Pages of 100 check runs read at most per poll (GitHub itself lists at most 1000 check suites' runs). */
export const MAX_PAGES = 10;
/** external_id is ours to shape; long request ids are cut, with a hash of the whole so two stay apart. */
export const MAX_EXTERNAL_ID = 200;

/** A check run as the list (or the single GET) returns it: only what the poll reads. */
interface ListedRun {
  id: number;
  name?: string;
  output?: { text?: string | null };
}

/** What one check run holds for the deployment polled: read once per id (a request never changes). */
type Outcome =
  | { kind: 'request'; request: ControlRequest }
  | { kind: 'none' }
  | { kind: 'refused'; code: string; message: string };

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
  /** The deployment the state below is for: polling another one starts over. */
  private polled: string | undefined;
  private etag: string | undefined;
  /** Whether a poll for `polled` has read the list yet: the first read is a change. */
  private read = false;
  private last: ControlRequest[] = [];
  /** Check run id → what it holds for `polled`; a check run of ours is completed once and never edited. */
  private readonly outcomes = new Map<number, Outcome>();
  /** Check run ids already reported as refused: each is reported once. */
  private readonly reported = new Set<number>();

  constructor(request: RequestFn, where: Where, place: ControlPlace, sha: string, keys: readonly Buffer[]) {
    this.request = request;
    this.where = where;
    this.place = place;
    this.sha = sha;
    this.keys = keys;
  }

  async poll(deploymentId: string): Promise<ControlPoll> {
    if (this.polled !== deploymentId) {
      this.polled = deploymentId;
      this.etag = undefined;
      this.read = false;
      this.last = [];
      this.outcomes.clear();
      this.reported.clear();
    }
    try {
      const runs = await this.list();
      if (runs === 'not_modified') return { changed: false, requests: this.last };
      const refused: NonNullable<ControlPoll['refused']> = [];
      const requests: ControlRequest[] = [];
      const seen = new Set<string>();
      // Oldest first: check run ids grow with creation, whatever order the list comes in.
      for (const run of [...runs].sort((a, b) => a.id - b.id)) {
        const outcome = await this.outcomeOf(run, deploymentId);
        if (outcome.kind === 'refused' && !this.reported.has(run.id)) {
          this.reported.add(run.id);
          refused.push({ where: `check run ${run.id}`, code: outcome.code, message: outcome.message });
        }
        // A redelivered request (two replicas, one webhook twice) counts once.
        if (outcome.kind !== 'request' || seen.has(outcome.request.id)) continue;
        seen.add(outcome.request.id);
        requests.push(outcome.request);
      }
      const changed = !this.read || !sameRequests(requests, this.last) || refused.length > 0;
      this.read = true;
      this.last = requests;
      return { changed, requests, ...(refused.length ? { refused } : {}) };
    } catch (error) {
      // The etag may belong to a list this poll could not finish reading: ask for it all again next time.
      this.etag = undefined;
      return { changed: false, requests: this.last, error: describe(error, this.place.environment) };
    }
  }

  /** The control check runs on the commit, or 'not_modified' when page 1 is unchanged (a 304: no cost). */
  private async list(): Promise<ListedRun[] | 'not_modified'> {
    const name = controlCheckName(this.place.environment);
    const runs: ListedRun[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const params: Record<string, unknown> = {
        owner: this.where.owner,
        repo: this.where.repo,
        ref: this.sha,
        check_name: name,
        filter: 'all',
        per_page: 100,
        ...(page > 1 ? { page } : {}),
      };
      // Only page 1 is conditional: every new check run changes its total_count, so its ETag moves too.
      if (page === 1 && this.etag) params.headers = { 'if-none-match': this.etag };
      let answer: Awaited<ReturnType<RequestFn>>;
      try {
        answer = await this.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', params);
      } catch (error) {
        if (page === 1 && (error as { status?: number }).status === 304) return 'not_modified';
        throw error;
      }
      if (answer.status === 304) return 'not_modified';
      const data = answer.data as { total_count?: number; check_runs?: ListedRun[] };
      if (!Array.isArray(data.check_runs)) throw new Error('GitHub answered without check_runs');
      if (page === 1) {
        const etag = answer.headers.etag;
        this.etag = typeof etag === 'string' ? etag : undefined;
      }
      runs.push(...data.check_runs.filter((r) => r.name === undefined || r.name === name));
      if (data.check_runs.length < 100 || runs.length >= (data.total_count ?? 0)) break;
    }
    return runs;
  }

  private async outcomeOf(run: ListedRun, deploymentId: string): Promise<Outcome> {
    const known = this.outcomes.get(run.id);
    if (known) return known;
    // The list documents output.text; should a response leave it out, the check run itself is read once.
    let text = run.output?.text;
    if (text === undefined) {
      const { data } = await this.request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: this.where.owner,
        repo: this.where.repo,
        check_run_id: run.id,
      });
      text = (data as ListedRun).output?.text;
    }
    const outcome = judge(text, this.keys, { ...this.place, deploymentId });
    this.outcomes.set(run.id, outcome);
    return outcome;
  }
}

/** What a check run's text holds for `place`: its request, nothing to read, or a refusal. */
function judge(text: string | null | undefined, keys: readonly Buffer[], place: ControlPlace): Outcome {
  // The App's wait notice, or anyone's check run of that name with plain text: no request, nothing to refuse.
  if (!carriesControlRequest(text)) return { kind: 'none' };
  const verified = verifyControlText(text, keys, place);
  if (verified.ok) return { kind: 'request', request: verified.request };
  const other = verified.signedFor;
  // A genuine request for another deployment of this environment (an earlier rollout of the same commit).
  if (
    other &&
    other.repository.toLowerCase() === place.repository.toLowerCase() &&
    other.environment === place.environment &&
    other.deploymentId !== place.deploymentId
  )
    return { kind: 'none' };
  return { kind: 'refused', code: verified.code, message: verified.message };
}

function sameRequests(a: readonly ControlRequest[], b: readonly ControlRequest[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i]!.id);
}

function describe(error: unknown, environment: string): string {
  const e = error as { status?: number; message?: string };
  const status = e.status ? `HTTP ${e.status}: ` : '';
  return `could not read the control requests of ${environment} from GitHub: ${status}${(e.message ?? String(error)).split('\n')[0]}`;
}

/** `control:<deploymentId>:<request id>`, cut to MAX_EXTERNAL_ID with a hash of the whole id kept. */
export function controlExternalId(deploymentId: string, requestId: string): string {
  const full = `control:${deploymentId}:${requestId}`;
  if (full.length <= MAX_EXTERNAL_ID) return full;
  const hash = createHash('sha256').update(requestId).digest('hex').slice(0, 16);
  return `${full.slice(0, MAX_EXTERNAL_ID - hash.length - 1)}~${hash}`;
}

/** `wait:<deploymentId>:<step>`: the App creates one notice per wait. */
export function waitExternalId(deploymentId: string, step: number): string {
  return `wait:${deploymentId}:${step}`;
}

const BUTTONS: Record<ControlButton, { label: string; description: string }> = {
  promote: { label: 'Promote', description: 'End the wait and go on to the next step' },
  resume: { label: 'Resume', description: 'Let a paused rollout go on' },
  abort: { label: 'Abort', description: 'Stop the rollout and roll back' },
};

/** The requested_action buttons (GitHub: at most three; label and identifier ≤ 20, description ≤ 40). */
export function controlActions(
  buttons: readonly ControlButton[],
): Array<{ label: string; description: string; identifier: string }> {
  return [...new Set(buttons)].slice(0, 3).map((b) => ({ ...BUTTONS[b], identifier: b }));
}

function checkRun(
  where: Where,
  sha: string,
  place: ControlPlace,
  externalId: string,
  display: ControlDisplay,
  text: string,
): Parameters<ControlWriteApi['checks']['create']>[0] {
  const actions = controlActions(display.buttons);
  return {
    owner: where.owner,
    repo: where.repo,
    name: controlCheckName(place.environment),
    head_sha: sha,
    external_id: externalId,
    status: 'completed',
    // action_required is what makes GitHub show the buttons prominently; neutral once there is nothing to do.
    conclusion: actions.length ? 'action_required' : 'neutral',
    ...(display.detailsUrl ? { details_url: display.detailsUrl } : {}),
    output: { title: display.title, summary: display.summary, text },
    ...(actions.length ? { actions } : {}),
  };
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
  const { sha, place, request, key, display } = args;
  const text = signControlRequest(request, key, place);
  const { data } = await api.checks.create(
    checkRun(where, sha, place, controlExternalId(place.deploymentId, request.id), display, text),
  );
  return { checkRunId: data.id };
}

const NOTICE_TEXT =
  'This rollout is waiting. Use the buttons above, or comment /promote, /pause, /resume or /abort on the pull request.';

/**
 * The App's notice when a rollout starts waiting: a `rollout / <environment>` check run with the buttons and
 * no request in it (external_id `wait:<deploymentId>:<step>`, so the App creates it once per wait).
 */
export async function writeWaitNotice(
  api: ControlWriteApi,
  where: Where,
  args: { sha: string; place: ControlPlace; step: number; display: ControlDisplay },
): Promise<{ checkRunId: number }> {
  const { sha, place, step, display } = args;
  const { data } = await api.checks.create(
    checkRun(where, sha, place, waitExternalId(place.deploymentId, step), display, NOTICE_TEXT),
  );
  return { checkRunId: data.id };
}
