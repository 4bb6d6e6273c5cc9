// Control requests on GitHub (issue 14).
//
// Each request is its own check run named `rollout / <environment>` on the rollout's commit, created by the
// App (create-only: two replicas or two people never overwrite each other), its output.text carrying the
// request as a hidden marker MAC'd under the environment's state key and bound to the repository, the
// environment and the deployment. The Action lists those check runs for its commit with conditional requests
// (If-None-Match: a 304 costs nothing against the rate limit), verifies each and feeds the requests for its
// deployment to decideControl. A check run with the same name from anyone else does not verify and is ignored.
//
// Listed through the check suites that hold a check run of the name, then each suite's check runs: the commit's
// own check-run list covers only its 1000 newest check suites, and anyone who can run workflows on the commit
// could push the App's suite off it, and with it an /abort.
//
// Whose check runs are read: the App's only. A deploy job holds the environment's state key (to read the
// record), so it could sign a request in an approver's name, and write it with any token it can get: its
// workflow's (GitHub Actions) or another App's installation token. The signature says a request is for this
// deployment; the app that made the check run (its suite's app, which GitHub sets) says the App wrote it.
// The App passes its own id; the Action and reconcile pass the `control-app-id` input, or learn the id from the
// deployment polled: the app GitHub says made it (performed_via_github_app), when that is not GitHub Actions.
// Where no id is known (a deployment the Action made itself, no input) every app's suites but GitHub Actions'
// are read, an app with more than MAX_SUITES_PER_APP of them passed over (reported once), and only an /abort or
// /pause is acted on (either only makes the rollout safer); a /promote or /resume is refused
// (`control_app_unknown`), naming the input to set. GitHub Actions' suites are never read: a workflow's token
// never writes a request, and a flood of its check runs costs the poll nothing.
//
// Past the bounds (more than 1000 check runs of the name of the apps read, more suites than read) the poll
// reads part of the list: every suite's first and last pages, where the newest check runs are. An /abort or /pause found there
// is acted on (either only makes the rollout safer); a /promote or /resume is not (a /pause or /abort in the
// part not read may have come after it), and the poll says so at every read until the deployment changes.
import { createHash } from 'node:crypto';
import { checkRunsThroughSuites } from '../github/app-check-runs.ts';
import { isServiceFailure } from '../github/client.ts';
import type { CheckSuitesApi, ConditionalCache, TooManyCheckRuns } from '../github/app-check-runs.ts';
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

/** Pages of 100 check runs read per poll at most: past them the poll reads part of the list (see above). */
export const MAX_PAGES = 10;
/** Suites holding a control check run read at most; and, the App's id unknown, per app (see above). */
export const MAX_SUITES = 20;
export const MAX_SUITES_PER_APP = 3;
/** external_id is ours to shape; long request ids are cut, with a hash of the whole so two stay apart. */
export const MAX_EXTERNAL_ID = 200;

/** What a read of part of the requests acts on: what only makes the rollout safer. */
const SAFE_FROM_PART: ReadonlySet<ControlRequest['verb']> = new Set(['abort', 'pause', 'revoke']);

/**
 * Whose check runs carry requests: the App's id (only its suites are read), or `deployment`: the app GitHub
 * says made the deployment polled, when that is not GitHub Actions; else none is known (see the top).
 */
export type ControlApp = number | 'deployment';

/** A check run as the list (or the single GET) returns it: only what the poll reads. */
interface ListedRun {
  id: number;
  name?: string;
  app?: { id: number; slug?: string } | null;
  output?: { text?: string | null };
}

/** What one check run holds for the deployment polled: read once per id (a request never changes). */
type Outcome =
  | { kind: 'request'; request: ControlRequest }
  | { kind: 'none' }
  | { kind: 'refused'; code: string; message: string };

/**
 * The Action's (and reconcile's, and the App's) source: polls the commit's check suites holding a
 * `rollout / <environment>` check run (of `appId` when given), then each suite's check runs of that name
 * (filter=all), each with the last ETag; verifies each check run's text under `keys` for `place`.
 */
export class GitHubControlSource implements ControlSource {
  readonly request: RequestFn;
  readonly where: Where;
  readonly place: ControlPlace;
  readonly sha: string;
  readonly keys: readonly Buffer[];
  /** The App's id when the caller knows it: only its check suites are read. */
  readonly appId: number | undefined;
  /** Learn the App's id from the deployment polled (its maker) when `appId` is not given. */
  private readonly appFromDeployment: boolean;
  /** For `polled`: the App's id its deployment names, null when none can be trusted; undefined: not asked. */
  private deploymentApp: number | null | undefined;
  private readonly stopAdvice: string;
  /** The deployment the state below is for: polling another one starts over. */
  private polled: string | undefined;
  /** ETags and what they answered: the suites, and each suite's check runs. */
  private readonly cache: ConditionalCache = new Map();
  /** Apps already reported as passed over. */
  private readonly passedOver = new Set<number>();
  /** Whether a poll for `polled` has read the list yet: the first read is a change. */
  private read = false;
  private last: ControlRequest[] = [];
  /** Where each of `last` was read from: a failed poll answers with both (a superseded press stays left out). */
  private lastRecordedIn: ReadonlyMap<string, number> = new Map();
  /** Check run id → what it holds for `polled`; a check run of ours is completed once and never edited. */
  private readonly outcomes = new Map<number, Outcome>();
  /** Check run ids already reported as refused: each is reported once. */
  private readonly reported = new Set<number>();

  constructor(
    request: RequestFn,
    where: Where,
    place: ControlPlace,
    sha: string,
    keys: readonly Buffer[],
    /** The App's id, or where to learn it; undefined (the App's tests): every app's but GitHub Actions'. */
    app?: ControlApp,
    /** How to stop the rollout when no newer request can be read; it depends on what runs the rollout. */
    stopAdvice = 'to stop the rollout, cancel its workflow run (it rolls back)',
  ) {
    this.stopAdvice = stopAdvice;
    this.request = request;
    this.where = where;
    this.place = place;
    this.sha = sha;
    this.keys = keys;
    this.appId = typeof app === 'number' ? app : undefined;
    this.appFromDeployment = app === 'deployment';
  }

  async poll(deploymentId: string): Promise<ControlPoll> {
    if (this.polled !== deploymentId) {
      this.polled = deploymentId;
      this.cache.clear();
      this.passedOver.clear();
      this.read = false;
      this.last = [];
      this.lastRecordedIn = new Map();
      this.outcomes.clear();
      this.reported.clear();
      this.deploymentApp = undefined;
    }
    try {
      const appId = await this.actionableApp(deploymentId);
      const unknown = appId === undefined && this.appFromDeployment;
      const { runs, passedOver, partial } = await this.list(appId);
      const refused: NonNullable<ControlPoll['refused']> = [];
      for (const { app, suites } of passedOver) {
        if (this.passedOver.has(app.id)) continue;
        this.passedOver.add(app.id);
        refused.push({
          where: `the check suites of app ${app.slug ?? app.id}`,
          code: 'control_suites_flooded',
          message:
            `${suites} check suites of app ${app.slug ?? app.id} on commit ${this.sha.slice(0, 12)} hold ` +
            `"${controlCheckName(this.place.environment)}" check runs; the App writes its own in one suite, so ` +
            "that app's are not read",
        });
      }
      for (const run of runs) {
        const outcome = await this.outcomeOf(run, deploymentId, appId, unknown);
        if (outcome.kind === 'refused' && !this.reported.has(run.id)) {
          this.reported.add(run.id);
          refused.push({ where: `check run ${run.id}`, code: outcome.code, message: outcome.message });
        }
      }
      // Every request read for this deployment so far, not only this list's: GitHub deletes no check run, so a
      // list that lacks one (a short or stale answer) never takes back a /pause or an /abort once seen.
      // Oldest first: check run ids grow with creation, whatever order the list comes in.
      const requests: ControlRequest[] = [];
      const recordedIn = new Map<string, number>();
      for (const [runId, outcome] of [...this.outcomes].sort(([a], [b]) => a - b)) {
        // A redelivered request (two replicas, one webhook twice) counts once.
        if (outcome.kind !== 'request' || recordedIn.has(outcome.request.id)) continue;
        recordedIn.set(outcome.request.id, runId);
        requests.push(outcome.request);
      }
      // Part of the list: only what makes the rollout safer is acted on (see the top of this file).
      const acted = partial ? requests.filter((r) => SAFE_FROM_PART.has(r.verb)) : requests;
      const changed = !this.read || !sameRequests(acted, this.last) || refused.length > 0;
      this.read = true;
      this.last = acted;
      this.lastRecordedIn = recordedIn;
      return {
        changed,
        requests: acted,
        recordedIn,
        ...(refused.length ? { refused } : {}),
        ...(partial ? { partial: true, error: this.partReadAdvice(partial) } : {}),
      };
    } catch (error) {
      // An etag may belong to a list this poll could not finish reading: ask for it all again next time.
      this.cache.clear();
      return {
        changed: false,
        requests: this.last,
        recordedIn: this.lastRecordedIn,
        error: describe(error, this.place.environment),
      };
    }
  }

  /** What a partial read means, and what to do: the same text at every poll (the caller says it once). */
  private partReadAdvice(bound: TooManyCheckRuns): string {
    return (
      `only part of the control requests of ${this.place.environment} can be read from GitHub (${bound.message}; ` +
      'the newest are read). An /abort or /pause read is acted on; a /promote or /resume is not, as a newer ' +
      '/pause or /abort may be among those not read, so the rollout waits at its next manual or approval step ' +
      `(check runs are never deleted, so this lasts for this deployment): ${this.stopAdvice}, or /abort it`
    );
  }

  /**
   * The App's id: given, or (once per deployment) the app GitHub says made the deployment polled. Not one of
   * GitHub Actions (every workflow's token), and only a deployment of this environment and commit: otherwise
   * none is trusted. A 403 or 404 names none; another failure throws (the poll reports it, asks again next time).
   */
  private async actionableApp(deploymentId: string): Promise<number | undefined> {
    if (this.appId !== undefined || !this.appFromDeployment) return this.appId;
    if (this.deploymentApp !== undefined) return this.deploymentApp ?? undefined;
    // A run id standing in for a deployment (no GitHub deployment) names no app.
    let app: number | null = null;
    if (/^[1-9][0-9]{0,15}$/.test(deploymentId)) {
      const found = await this.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', {
        owner: this.where.owner,
        repo: this.where.repo,
        deployment_id: Number(deploymentId),
      }).catch((error: { status?: number }) => {
        // Gone, or a token without `deployments: read`: no app is known (an /abort is still acted on). A
        // rate limit's 403 is neither: the poll fails and the next one reads the deployment again.
        if (error.status === 404 || (error.status === 403 && !isServiceFailure(error))) return undefined;
        throw error;
      });
      const d = found?.data as
        | {
            environment?: unknown;
            sha?: unknown;
            performed_via_github_app?: { id?: unknown; slug?: unknown } | null;
          }
        | undefined;
      const via = d?.performed_via_github_app;
      if (
        d?.environment === this.place.environment &&
        typeof d.sha === 'string' &&
        d.sha.toLowerCase() === this.sha.toLowerCase() &&
        via &&
        typeof via.id === 'number' &&
        !isGitHubActions({ id: via.id, ...(typeof via.slug === 'string' ? { slug: via.slug } : {}) })
      )
        app = via.id;
    }
    this.deploymentApp = app;
    return app ?? undefined;
  }

  /** The control check runs on the commit, through their check suites (unchanged pages are 304s: no cost). */
  private async list(appId: number | undefined): Promise<{
    runs: ListedRun[];
    passedOver: Array<{ app: { id: number; slug?: string }; suites: number }>;
    partial?: TooManyCheckRuns;
  }> {
    const { owner, repo } = this.where;
    const api: CheckSuitesApi<ListedRun> = {
      checks: {
        listSuitesForRef: async (params) =>
          this.answer(await this.request('GET /repos/{owner}/{repo}/commits/{ref}/check-suites', params)),
        listForSuite: async (params) =>
          this.answer(
            await this.request('GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs', params),
          ),
      },
    };
    return checkRunsThroughSuites(
      api,
      { owner, repo },
      {
        sha: this.sha,
        name: controlCheckName(this.place.environment),
        // GitHub Actions' suites neither read nor counted: a flood of them makes no read partial.
        ...(appId !== undefined ? { appId } : { perAppSuites: MAX_SUITES_PER_APP, skipApp: isGitHubActions }),
        maxSuites: MAX_SUITES,
        maxRuns: MAX_PAGES * 100,
        cache: this.cache,
        partial: true,
      },
    );
  }

  /** An answer as the reader takes it: a 304 passed on as one, a 200 without its list refused. */
  private answer<T>(answer: Awaited<ReturnType<RequestFn>>): {
    status: number;
    data: T;
    headers: Record<string, unknown>;
  } {
    if (answer.status !== 304 && (typeof answer.data !== 'object' || answer.data === null))
      throw new Error('GitHub answered without a list');
    return { status: answer.status, data: answer.data as T, headers: answer.headers };
  }

  private async outcomeOf(
    run: ListedRun,
    deploymentId: string,
    appId: number | undefined,
    unknown: boolean,
  ): Promise<Outcome> {
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
    let outcome: Outcome = madeByWorkflow(run, appId, text)
      ? {
          kind: 'refused',
          code: 'control_not_app',
          message:
            `a ${controlCheckName(this.place.environment)} check run made by a workflow's token (GitHub ` +
            'Actions) carries a control request: only the App writes them, so it is not acted on, signed or not',
        }
      : judge(text, this.keys, { ...this.place, deploymentId });
    if (unknown && outcome.kind === 'request' && !SAFE_FROM_PART.has(outcome.request.verb))
      outcome = {
        kind: 'refused',
        code: 'control_app_unknown',
        message:
          `a /${outcome.request.verb} is not acted on: no GitHub App is known to write the control requests of ` +
          `deployment ${deploymentId} (GitHub names none besides GitHub Actions as its maker), and a deploy job ` +
          'could sign one with any token. Set the input "control-app-id" to the deploy App\'s id to act on ' +
          'its /promote and /resume; an /abort or /pause is acted on meanwhile',
      };
    this.outcomes.set(run.id, outcome);
    return outcome;
  }
}

/** GitHub Actions' app: every workflow's token writes check runs as it, on github.com and GHES alike. */
const GITHUB_ACTIONS = { id: 15368, slug: 'github-actions' };

/** GitHub Actions, by slug (GHES gives it another id), or by the github.com id where no slug is given. */
export function isGitHubActions(app: { id: number; slug?: string }): boolean {
  return app.slug === GITHUB_ACTIONS.slug || (app.slug === undefined && app.id === GITHUB_ACTIONS.id);
}

/**
 * A check run claiming a request that a workflow's token made (its suite's app, as the reader names it: GitHub
 * Actions' suites are not read, so this is a second line). The App writes every request through its own
 * installation; a deploy job holds the environment's state key (to read the record), so its signature alone
 * would let any workflow that may deploy sign a /promote, or an approver's, in someone's name. Where the App's
 * id is known only its check runs are read at all.
 */
function madeByWorkflow(run: ListedRun, appId: number | undefined, text: string | null | undefined): boolean {
  if (appId !== undefined || !carriesControlRequest(text)) return false;
  return run.app != null && isGitHubActions(run.app);
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

/**
 * The segment naming the rollout a notice or request check run was written for: its start, in ms since the
 * epoch (`rollout-<ms>`). A re-run of a job keeps its deployment and its steps but is a new rollout (a new
 * start): a press on a check run written for an earlier one does not act on it (app/deploy/control.ts).
 */
function rolloutSegment(rolloutStart: number | undefined): string {
  return rolloutStart !== undefined && Number.isFinite(rolloutStart)
    ? `:rollout-${Math.trunc(rolloutStart)}`
    : '';
}

/**
 * The rollout start a `wait:` or `control:` external id names (rolloutSegment), undefined for the form before
 * it was kept (`wait:<deployment>:<step>`, `control:<deployment>:<step>:<request id>`). Never throws.
 */
export function rolloutOfExternalId(externalId: string | null | undefined): number | undefined {
  const m = /^(?:wait|control):[0-9]{1,20}:-?[0-9]{1,5}:rollout-([0-9]{1,16})(?::|$)/.exec(externalId ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * `control:<deploymentId>:<step>:rollout-<ms>:<request id>`, cut to MAX_EXTERNAL_ID with a hash of the whole id
 * kept. The step is the one the rollout was at when the request was made: a click on the check run's Promote
 * button is for the wait at that step, never a later one; the rollout (its start) is the one it was made of:
 * never a later attempt's. Without `rolloutStart`, the form before it was kept.
 */
export function controlExternalId(
  deploymentId: string,
  requestId: string,
  step: number,
  rolloutStart?: number,
): string {
  const full = `control:${deploymentId}:${step}${rolloutSegment(rolloutStart)}:${requestId}`;
  if (full.length <= MAX_EXTERNAL_ID) return full;
  const hash = createHash('sha256').update(requestId).digest('hex').slice(0, 16);
  return `${full.slice(0, MAX_EXTERNAL_ID - hash.length - 1)}~${hash}`;
}

/**
 * `wait:<deploymentId>:<step>:rollout-<ms>`: the App creates one notice per wait of a rollout (a re-run of the
 * job, a new rollout of the same deployment, gets its own: a press on an earlier attempt's is refused). A hold
 * on a failed batch (`on_failure: pause`) adds when it began (`…:failed:<ms>`): its Resume counts only on a
 * check run written since it began (docs/control.md), so a notice an earlier wait at that step left (a /pause
 * before the batch, the same batch failing again) does not stand in for its own. Without `rolloutStart`, the
 * form before it was kept (`wait:<deploymentId>:<step>`), which the App still reads (wait-notice.ts).
 */
export function waitExternalId(
  deploymentId: string,
  step: number,
  at: { failedAt?: number; rolloutStart?: number } = {},
): string {
  const { failedAt } = at;
  const base = `wait:${deploymentId}:${step}${rolloutSegment(at.rolloutStart)}`;
  return failedAt !== undefined && Number.isFinite(failedAt)
    ? `${base}:failed:${Math.trunc(failedAt)}`
    : base;
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
  args: {
    sha: string;
    place: ControlPlace;
    request: ControlRequest;
    key: Buffer;
    display: ControlDisplay;
    /** The rollout's start (ms), named in the external id: its buttons act on that rollout only. */
    rolloutStart?: number;
  },
): Promise<{ checkRunId: number }> {
  const { sha, place, request, key, display, rolloutStart } = args;
  const text = signControlRequest(request, key, place);
  const { data } = await api.checks.create(
    checkRun(
      where,
      sha,
      place,
      controlExternalId(place.deploymentId, request.id, request.step, rolloutStart),
      display,
      text,
    ),
  );
  return { checkRunId: data.id };
}

const NOTICE_TEXT =
  'This rollout is waiting. Use the buttons above, or comment /promote, /pause, /resume or /abort on the pull request.';

/**
 * The App's notice when a rollout starts waiting: a `rollout / <environment>` check run with the buttons and
 * no request in it (external_id waitExternalId's, so the App creates it once per wait of a rollout).
 */
export async function writeWaitNotice(
  api: ControlWriteApi,
  where: Where,
  args: {
    sha: string;
    place: ControlPlace;
    step: number;
    display: ControlDisplay;
    failedAt?: number;
    /** The rollout's start (ms), named in the external id: its buttons act on that rollout only. */
    rolloutStart?: number;
  },
): Promise<{ checkRunId: number }> {
  const { sha, place, step, display, failedAt, rolloutStart } = args;
  const externalId = waitExternalId(place.deploymentId, step, {
    ...(failedAt !== undefined ? { failedAt } : {}),
    ...(rolloutStart !== undefined ? { rolloutStart } : {}),
  });
  const { data } = await api.checks.create(checkRun(where, sha, place, externalId, display, NOTICE_TEXT));
  return { checkRunId: data.id };
}
