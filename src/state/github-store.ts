// The environment record on GitHub (issue 13): it rides in the text of the `deploy / <environment>` check run
// of the deployment that wrote it, signed under the environment's state key (signed-record.ts). The reporter
// already creates and updates that check run at every phase, so most writes cost no request of their own.
//
// Read: the environment's newest deployments (one request, newest first), then each one's deploy check runs
// (one request per commit) until a deployment has a check run of ours bound to it (external_id ending in
// `:deployment-<id>`, set only on check runs that carry a record). Deployments without one were never run
// and are skipped. The newest such deployment holds the current record. A person's deployments are passed over
// without counting (pages of 30, three at most): more of them than that is a refusal, never "no record". A record there that is refused is
// the answer: reading on to an older one would let anyone who can update a check run roll the state back.
// The one deployment a read may pass over unread is the run's own on its first attempt (`newDeployment`):
// no run of ours acted on it before, so nothing bound to it can be a record (a forgery bound there is still
// found by every later read, which reads it with this run's own check run).
import { checkRunsThroughSuites, TooManyCheckRuns } from '../github/app-check-runs.ts';
import type { CheckSuitesApi } from '../github/app-check-runs.ts';
import type { EnvironmentRecord, Release } from './record.ts';
import { signRecord, verifyRecord, type RecordPlace } from './signed-record.ts';
import type { StateRead, StateStore, WriteOptions } from './store.ts';

/** The deployments looked at, newest first, before concluding the environment has no record yet. */
export const MAX_DEPLOYMENTS = 10;
/**
 * Deployments listed per request, and the requests at most. Only deployments a record may come from count
 * against MAX_DEPLOYMENTS: a user's are passed over but listed, so anyone with `deployments: write` who makes
 * ten of them cannot push the record out of the window and have the next run start over as a first
 * deployment. Listing more than this is refused as unavailable, never read as "no record".
 */
export const DEPLOYMENTS_PER_PAGE = 30;
export const MAX_DEPLOYMENT_PAGES = 3;

/** The deploy check run's external_id (`deploy-action:<run>:deploy / <env>`) once it carries a record. */
export function bindExternalId(externalId: string, deploymentId: number | string): string {
  return `${externalId}:deployment-${deploymentId}`;
}

/** The end of the external_id of a deploy check run that carries the record of `deploymentId`. */
function boundSuffix(environment: string, deploymentId: number): string {
  return bindExternalId(`:deploy / ${environment}`, deploymentId);
}

/** A deploy check run as a read sees it. */
export interface StateCheckRun {
  id: number;
  name?: string;
  external_id: string | null;
  app?: { id: number; slug?: string } | null;
  output: { text?: string | null };
}

/** The GitHub calls a read makes (a narrow view of Octokit's rest API, so the App can pass its own). */
export interface StateReadApi {
  repos: {
    listDeployments(p: {
      owner: string;
      repo: string;
      environment: string;
      per_page: number;
      page?: number;
    }): Promise<{ data: Array<{ id: number; sha: string; creator?: { login: string } | null }> }>;
    /**
     * The repository a name stands for (GitHub answers a former name with the renamed repository): asked only
     * of a genuine record signed for another name of the repository (formerName). Without it, none is believed.
     */
    get?(p: { owner: string; repo: string }): Promise<{ data: { full_name: string } }>;
  };
  checks: CheckSuitesApi<StateCheckRun>['checks'];
}

/**
 * Check suites of one commit holding a `deploy / <environment>` check run, and such runs, read at most: more
 * is refused as unavailable, never read as "no record". A workflow run is one suite, and every attempt of a
 * deploy job writes one check run.
 */
export const MAX_RECORD_SUITES = 20;
export const MAX_RECORD_RUNS = 300;
/**
 * Requests one read spends on check suites and check runs, all deployments together. Without it, a write
 * user's workflow makes nine deployments (below MAX_DEPLOYMENTS), each of a commit with MAX_RECORD_SUITES suites
 * of deploy check runs, and every read costs some 200 requests (a workflow token has 1000 an hour). Past it
 * the read is buried, as a flood on one commit already is; a genuine history costs a few per deployment.
 */
export const MAX_READ_REQUESTS = 60;

export interface ReadOptions {
  /** A record with a lower seq is refused as stale (the highest this reader has already seen or written). */
  seenSeq?: number;
  /**
   * Which deployments may hold a record, by creator login. Default: made by a GitHub App (a `[bot]` login:
   * the App or a workflow token), as everywhere the App reads deployments; a user's token is never trusted.
   */
  trustedCreator?: (login: string) => boolean;
  maxDeployments?: number;
  /** Deployments per listing request (DEPLOYMENTS_PER_PAGE; smaller in tests). */
  pageSize?: number;
  /**
   * A deployment whose check runs are not read: the reading run's own, on the run's first attempt, which no
   * run of ours can have written a record to yet (one request saved). Never set it for a re-run: an earlier
   * attempt of the same deployment may hold the newest record.
   */
  newDeployment?: number;
  /**
   * The deployment the reading run's own records go under. Listed (anywhere on a page the read lists, newer or
   * older than the record) with a creator the read does not trust (a person's token made it: the deployment
   * event of one, or a personal token given to the Action), the read is refused (`state_untrusted`): every
   * read passes that deployment over, so what the run wrote there would be lost, and the next run, the App and
   * reconcile would go on from the record before it.
   */
  writesTo?: number;
}

const byBot = (login: string) => login.endsWith('[bot]');

/**
 * The record of `environment` as kept on GitHub, verified under one of `keys` (the environment's accepted
 * state keys: the current one first). Never throws: a GitHub failure is `state_unavailable`.
 */
export async function readEnvironmentRecord(
  api: StateReadApi,
  where: { owner: string; repo: string },
  environment: string,
  keys: Buffer[],
  options: ReadOptions = {},
): Promise<StateRead> {
  const repository = `${where.owner}/${where.repo}`;
  const trusted = options.trustedCreator ?? byBot;
  const checkName = `deploy / ${environment}`;
  let source = `the deployments of ${environment}`;
  const pageSize = options.pageSize ?? DEPLOYMENTS_PER_PAGE;
  const maxDeployments = options.maxDeployments ?? MAX_DEPLOYMENTS;
  let examined = 0;
  // Requests spent on check suites and runs (MAX_READ_REQUESTS), and whether that budget bound the last read.
  let spent = 0;
  let budgetBound = false;
  try {
    // Deployments of one commit share its check runs: one request per commit.
    const runsOf = new Map<string, Promise<StateCheckRun[]>>();
    for (let page = 1; page <= MAX_DEPLOYMENT_PAGES; page++) {
      const { data: deployments } = await api.repos.listDeployments({
        owner: where.owner,
        repo: where.repo,
        environment,
        per_page: pageSize,
        ...(page > 1 ? { page } : {}),
      });
      // The whole page, not only the deployments before the record: a run's own deployment may be older than
      // the record read (its workflow queued behind a later deployment's run).
      const own = deployments.find((d) => d.id === options.writesTo);
      if (own && !(own.creator && trusted(own.creator.login)))
        return {
          ok: false,
          code: 'state_untrusted',
          message: unreadPlace(environment, own.id, own.creator?.login),
          source: `deployment ${own.id}`,
        };
      for (const d of deployments) {
        if (!d.creator || !trusted(d.creator.login) || d.id === options.newDeployment) continue;
        if (examined++ >= maxDeployments)
          return { ok: true, record: undefined, source: `no record in ${source}` };
        source = `the "${checkName}" check runs of deployment ${d.id}`;
        const suffix = boundSuffix(environment, d.id);
        const boundHere = (r: StateCheckRun): boolean =>
          r.external_id?.startsWith('deploy-action:') === true && r.external_id.endsWith(suffix);
        // Through the commit's check suites: its check-run list covers only its 1000 newest suites, and
        // anyone who can run workflows on it could push the record's suite off that list. Newest suite
        // first, down to the first that holds this deployment's record: so every newer one (a deleted
        // deployment's record, below) is read, and a commit deployed many times costs no more than once.
        // When it holds none, every suite was read, which the next deployment of the commit reuses.
        if (!runsOf.has(d.sha)) {
          // The suite listing costs one request, each suite read at least one more.
          const maxSuites = Math.min(MAX_RECORD_SUITES, MAX_READ_REQUESTS - spent - 1);
          budgetBound = maxSuites < MAX_RECORD_SUITES;
          if (maxSuites < 1) throw new TooManyCheckRuns('suites', 0, { sha: d.sha, name: checkName });
          runsOf.set(
            d.sha,
            checkRunsThroughSuites(api, where, {
              sha: d.sha,
              name: checkName,
              maxSuites,
              maxRuns: MAX_RECORD_RUNS,
              until: (runs) => runs.some(boundHere),
            }).then((read) => {
              spent += read.requests;
              return read.runs;
            }),
          );
        }
        const runs = await runsOf.get(d.sha)!;
        const bound = runs.filter(boundHere);
        if (bound.length === 0) continue;
        const place = { repository, environment, deploymentId: String(d.id) };
        let chosen = choose(bound, keys, place, options, source);
        // Signed for this deployment under another name of this repository (renamed or transferred since):
        // read as this repository's. A copy from another repository is still misplaced.
        const former = await formerName(api, place, chosen);
        if (former) chosen = choose(bound, keys, place, options, source, former);
        return chosen.ok && chosen.record
          ? newerOnCommit(runs, keys, place, chosen.record.seq, chosen)
          : chosen;
      }
      // The environment's deployments all listed: it has no record yet.
      if (deployments.length < pageSize)
        return { ok: true, record: undefined, source: `no record in ${source}` };
    }
    const listed = pageSize * MAX_DEPLOYMENT_PAGES;
    return {
      ok: false,
      code: 'state_buried',
      message:
        `none of the ${listed} newest deployments of ${environment} holds a record (${examined} made by the App ` +
        'or a workflow, the others by people), and older ones were not read: what is live is unknown. Mark the ' +
        "deployments others made inactive and delete them, or configure the target's `current` command",
      source,
    };
  } catch (error) {
    if (error instanceof TooManyCheckRuns && error.what === 'suites' && budgetBound)
      return {
        ok: false,
        code: 'state_buried',
        message:
          `the check suites read for the state of ${environment} took the ${MAX_READ_REQUESTS} requests one read ` +
          `spends on them, through ${examined} deployments made by the App or a workflow, without finding the ` +
          'record (a flood of deploy check runs?): what is live is unknown. Mark those deployments inactive and ' +
          "delete them (a workflow's, newer than the last deployment of yours), or configure the target's " +
          '`current` command (docs/state.md)',
        source,
      };
    if (error instanceof TooManyCheckRuns)
      return {
        ok: false,
        code: 'state_buried',
        message:
          `${error.message}: the record of ${environment} is not found among them, and what is live is unknown. ` +
          "Configure the target's `current` command (docs/state.md)",
        source,
      };
    const e = error as { status?: number; message?: string };
    return {
      ok: false,
      code: 'state_unavailable',
      message: `could not read the state of ${environment} from GitHub: ${e.status ? `HTTP ${e.status}: ` : ''}${(e.message ?? String(error)).split('\n')[0]}`,
      source,
    };
  }
}

/** Why a run's records cannot be kept under its deployment (ReadOptions.writesTo). */
function unreadPlace(environment: string, deploymentId: number, creator: string | undefined): string {
  return (
    `deployment ${deploymentId}, which this run's record would be kept under, was made by ` +
    `${creator ?? 'an unknown account'}, not by the App or a workflow's token: no read of the state of ` +
    `${environment} believes a record there, so none is read or written there. Create ` +
    "the deployment with the App (/deploy) or the workflow's GITHUB_TOKEN, not a person's token (docs/state.md)"
  );
}

/**
 * One deployment's check runs of ours (a re-run adds one per attempt): every one must verify, and the
 * highest seq wins. One refused is the answer, so a blanked or replayed newer attempt cannot hand the read
 * an older genuine one.
 */
function choose(
  runs: Array<{ id: number; output: { text?: string | null } }>,
  keys: Buffer[],
  place: RecordPlace,
  options: ReadOptions,
  source: string,
  /** A former name of this repository (formerName): a record signed for it is read as this repository's. */
  former?: string,
): StateRead {
  let best: { record: EnvironmentRecord; id: number; keyIndex: number } | undefined;
  for (const run of runs) {
    const verified = verifyRecord(run.output.text, keys, place, former);
    if (!verified.ok)
      return {
        ok: false,
        code: verified.code,
        message: verified.message,
        source: `check run ${run.id}`,
        ...(verified.newer ? { newer: true as const } : {}),
        ...(verified.signedFor ? { signedFor: verified.signedFor } : {}),
      };
    if (!best || verified.record.seq > best.record.seq)
      best = { record: verified.record, id: run.id, keyIndex: verified.keyIndex };
  }
  const { record, id, keyIndex } = best!;
  if (options.seenSeq !== undefined && record.seq < options.seenSeq)
    return {
      ok: false,
      code: 'state_stale',
      message: `the state of ${place.environment} on check run ${id} is number ${record.seq}; number ${options.seenSeq} was already seen`,
      source: `check run ${id}`,
    };
  return {
    ok: true,
    record,
    source: `check run ${id} of deployment ${place.deploymentId} (${source})`,
    keyIndex,
  };
}

/**
 * The read, unless the same commit's check runs (already listed) hold a genuine record of a NEWER deployment
 * of the environment with a higher number: that deployment is no longer listed (deleted: a write user can
 * mark a deployment inactive and delete it, and its check runs stay), so the record read is stale. Only a
 * record that verifies for its own deployment counts, so nobody without the key can cause this refusal. A
 * newer deployment of another commit cannot be seen this way (docs/state.md says so).
 */
function newerOnCommit(
  runs: ReadonlyArray<{ id: number; external_id: string | null; output: { text?: string | null } }>,
  keys: Buffer[],
  place: RecordPlace,
  seq: number,
  read: StateRead,
): StateRead {
  const own = Number(place.deploymentId);
  for (const run of runs) {
    const other = boundDeployment(run.external_id, place.environment);
    if (other === undefined || other <= own) continue;
    const verified = verifyRecord(run.output.text, keys, { ...place, deploymentId: String(other) });
    if (verified.ok && verified.record.seq > seq)
      return {
        ok: false,
        code: 'state_stale',
        message:
          `the state of ${place.environment} on deployment ${place.deploymentId} is number ${seq}; ` +
          `check run ${run.id} holds number ${verified.record.seq} of deployment ${other}, which is no longer listed (deleted?)`,
        source: `check run ${run.id}`,
      };
  }
  return read;
}

/**
 * The repository name a `state_misplaced` read was genuinely signed for, when it is a former name of this
 * repository (renamed or transferred since): the same environment and deployment, and GitHub answers that
 * name with this repository. Every record was signed for the name it had then, and would be refused for good
 * after a rename; a genuine record of another repository (a copy) is not this repository's, whatever its key.
 */
async function formerName(
  api: StateReadApi,
  place: RecordPlace,
  read: StateRead,
): Promise<string | undefined> {
  const signedFor = !read.ok && read.code === 'state_misplaced' ? read.signedFor : undefined;
  if (
    !signedFor ||
    !api.repos.get ||
    signedFor.environment !== place.environment ||
    signedFor.deploymentId !== place.deploymentId ||
    signedFor.repository.toLowerCase() === place.repository.toLowerCase()
  )
    return undefined;
  const [owner, repo, ...rest] = signedFor.repository.split('/');
  if (!owner || !repo || rest.length > 0) return undefined;
  // A name GitHub does not know (404), or any failure: not believed, the refusal stands.
  const answer = await api.repos.get({ owner, repo }).catch(() => undefined);
  return answer?.data.full_name.toLowerCase() === place.repository.toLowerCase()
    ? signedFor.repository
    : undefined;
}

/** The deployment a deploy check run of ours carries the record of (its external_id), if it is one. */
function boundDeployment(externalId: string | null, environment: string): number | undefined {
  if (!externalId?.startsWith('deploy-action:')) return undefined;
  const at = externalId.lastIndexOf(':deployment-');
  if (at < 0 || !externalId.slice(0, at).endsWith(`:deploy / ${environment}`)) return undefined;
  const id = externalId.slice(at + ':deployment-'.length);
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : undefined;
}

/** What the store needs of the GitHub reporter, which owns the deploy check run. */
export interface StateCarrier {
  /** The deployment the run reports to, once it exists (undefined when it could not be created). */
  deploymentId(): Promise<number | undefined>;
  /**
   * Puts `text` into the deploy check run with its next update; `now` sends that update at once. Resolves
   * when GitHub took the update carrying it (undefined), or with why it was not sent (GitHub failed, the run
   * gave up on GitHub, there is no deploy check run); never rejects.
   */
  writeState(text: string, options: { now: boolean }): Promise<string | undefined | void>;
  /**
   * The release the record read says is live before this run (verified under the key): the reporter takes
   * the previously deployed commit from it instead of looking up the last successful deployment.
   */
  recordedLive?(release: Release | undefined): void;
}

export interface GitHubStateStoreOptions {
  api: StateReadApi;
  owner: string;
  repo: string;
  /** The environment whose deploy check run the carrier updates: the only one kept on GitHub here. */
  environment: string;
  /**
   * Where other environments' records go (a staging phase's): the key is this environment's, so they can be
   * neither checked nor signed here. Without it they are not kept.
   */
  others?: StateStore;
  key: Buffer;
  /**
   * Keys a record read may also verify under (`state-key-previous`): during a rotation of the App's marker key,
   * the key the last run signed with. Every write is signed under `key`.
   */
  previousKeys?: readonly Buffer[];
  carrier: StateCarrier;
  log(level: 'info' | 'warn', message: string): void;
  /** The longest a durable write waits for GitHub (default 10 s, the run's budget for GitHub failures). */
  durableWaitMs?: number;
  /**
   * The run's first attempt (GITHUB_RUN_ATTEMPT 1): its deployment, created for this run (or by the App for
   * it), cannot hold a record yet, so the read does not list its check runs. False for a re-run.
   */
  firstAttempt?: boolean;
}

/** The Action's store: reads as the App does, writes through the reporter's deploy check run. */
export class GitHubStateStore implements StateStore {
  private readonly options: GitHubStateStoreOptions;
  /** The highest seq read or written by this run: anything lower read later is stale. */
  private seenSeq: number | undefined;
  private warnedOther = false;
  /** Why this run's deployment cannot hold a record (a person made it), once a read found so. */
  private unreadPlace: string | undefined;

  constructor(options: GitHubStateStoreOptions) {
    this.options = options;
  }

  async read(environment: string): Promise<StateRead> {
    const { api, owner, repo, key, others } = this.options;
    if (environment !== this.options.environment)
      return others
        ? others.read(environment)
        : { ok: true, record: undefined, source: `the state of ${environment} is not kept by this run` };
    const own = await this.options.carrier.deploymentId();
    const keys = [key, ...(this.options.previousKeys ?? [])];
    const read = await readEnvironmentRecord(api, { owner, repo }, environment, keys, {
      ...(this.seenSeq !== undefined ? { seenSeq: this.seenSeq } : {}),
      ...(own !== undefined && this.options.firstAttempt ? { newDeployment: own } : {}),
      ...(own !== undefined ? { writesTo: own } : {}),
    });
    // Nothing written there either: a read would never find it (a durable write fails saying so).
    if (!read.ok && read.code === 'state_untrusted') this.unreadPlace = read.message;
    if (read.ok) this.options.carrier.recordedLive?.(read.record?.live);
    if (read.ok && read.record) {
      this.seen(read.record.seq);
      // Carried into this run's check run at once: a check run of ours never goes without a record, so
      // one without is known to be tampered with (signed-record.ts), and a run that dies still left it.
      void this.write(read.record);
    }
    return read;
  }

  async write(record: EnvironmentRecord, options: WriteOptions = {}): Promise<void> {
    const { environment, carrier, key, log, others } = this.options;
    if (record.environment !== environment) {
      if (others) return others.write(record, options);
      // The reporter keeps one deploy check run, this run's environment's.
      if (!this.warnedOther)
        log('info', `state: the record of ${record.environment} is not kept on GitHub by this run`);
      this.warnedOther = true;
      return;
    }
    // A durable write (the write-ahead record before traffic moves or a hook runs) that is not stored throws:
    // the run never steps over it (executor.ts). Any other write is only logged: nothing waits for it.
    const notStored = (why: string) => {
      if (options.durable) throw new Error(`not stored on GitHub: ${why}`);
      log('warn', `state: not stored on GitHub: ${why}`);
    };
    if (this.unreadPlace) return notStored(this.unreadPlace);
    let deploymentId: number | undefined;
    let text: string;
    try {
      deploymentId = await carrier.deploymentId();
      if (deploymentId === undefined) return notStored('there is no deployment to store it under');
      text = signRecord(record, key, {
        repository: `${this.options.owner}/${this.options.repo}`,
        environment,
        deploymentId: String(deploymentId),
      });
    } catch (error) {
      return notStored((error as Error).message);
    }
    this.seen(record.seq);
    const sent = carrier.writeState(text, { now: options.durable === true });
    // A coalesced write rides the next update; waiting for it would wait on the caller's own next event.
    // (Its failure is the check run update's: in the reporter's warning at the end.)
    if (!options.durable) return;
    // An earlier durable write that was still queued when its wait ended: the run went on, so its outcome is
    // known before this one counts. If GitHub never took it, the step after it ran without a stored record:
    // this write fails, and the run stops (and rolls back) before the next step.
    const earlier = this.late;
    this.late = undefined;
    const earlierWhy = earlier ? await earlier : undefined;
    const why = options.settle
      ? await sent.then(
          (answer) => answer || undefined,
          (error: unknown) => (error as Error)?.message ?? String(error),
        )
      : await this.within(sent, this.options.durableWaitMs ?? 10_000);
    if (earlierWhy) notStored(`an earlier record (the write-ahead of a step that has run): ${earlierWhy}`);
    if (why) notStored(why);
  }

  /** A durable write still on its way when its wait ended (within): its outcome, undefined once stored. */
  private late: Promise<string | undefined> | undefined;

  private seen(seq: number): void {
    this.seenSeq = Math.max(this.seenSeq ?? seq, seq);
  }

  /**
   * Why the record was not stored (undefined: GitHub took it, or has not answered within `ms`). An update
   * still queued behind the run's other writes (a second apart) is not a failure: it is logged, and the run
   * goes on while it is sent.
   */
  private async within(sent: Promise<string | undefined | void>, ms: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = Symbol('late');
    const outcome = await Promise.race([
      sent.then((why) => why || undefined),
      new Promise<typeof late>((r) => (timer = setTimeout(() => r(late), ms))),
    ]);
    clearTimeout(timer);
    if (outcome !== late) return outcome;
    this.late = sent.then(
      (why) => why || undefined,
      (error: unknown) => (error as Error)?.message ?? String(error),
    );
    this.options.log(
      'warn',
      `state: GitHub has not taken the record after ${ms / 1000} s; the run goes on, it is sent when GitHub answers, and the next durable write fails if it never lands`,
    );
    return undefined;
  }
}
