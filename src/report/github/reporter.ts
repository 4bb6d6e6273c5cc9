// The GitHub reporter (DESIGN.md §5): the Deployments tab, a check run per gate with annotations, the
// `deploy / <environment>` check run, and the PR's status comment. It renders pipeline events; it never
// decides anything and never stops the pipeline: every GitHub call runs in a background queue, within the
// run's one time budget for GitHub failures (github/budget.ts). Once the run gives up on GitHub, what is
// left is not sent; close() then says in ONE warning what was not reported. A GitHub outage therefore cannot
// keep traffic on a bad version (the rollback path never waits on GitHub) nor hold the job for long after.
import { randomUUID } from 'node:crypto';
import { GitHubUnavailableError } from '../../github/budget.ts';
import { addAnnotationsOnce, createCheckRunOnce, findCheckRun } from '../../github/check-runs.ts';
import type { GitHubClient } from '../../github/client.ts';
import {
  commitsSince,
  createDeploymentOnce,
  createDeploymentStatusOnce,
  lastSuccessfulDeployment,
} from '../../github/deployments.ts';
import { writeOnce } from '../../github/write-once.ts';
import { fitCheckText } from '../../github/write-limits.ts';
import type { DeploymentPayload } from '../../github/deployment-payload.ts';
import {
  findStatusComment,
  isStatusCommentOf,
  keepWarning,
  MAX_FINISHED_WAITS,
  upsertStatusComment,
  WARNING_CHECK_MAX,
  WARNING_REASON_MAX,
  warningWhere,
  type StatusCommentFinishedWait,
  type StatusCommentState,
  type StatusCommentWait,
  type StatusCommentWarning,
  type StatusCommentWarnings,
} from '../../github/status-comment.ts';
import type { GateResult } from '../../gates/types.ts';
import type {
  AnalysisWarningRecord,
  PhaseId,
  PipelineEvent,
  PipelineResult,
  Reporter,
  StepRecord,
  WaitRecord,
} from '../../pipeline/events.ts';
import { annotationBatches, gateCheckName, gateCheckOutput, gateConclusion } from './gate-checks.ts';
import { repeatSearch, SEARCH_FRESH_MS, SEARCH_SKEW_MS } from './comment-search.ts';
import {
  deployConclusion,
  finalStatus,
  phaseStatus,
  startStatus,
  waitEndStatus,
  waitStatus,
  type StatusUpdate,
} from './deployment-status.ts';
import { cell, code, say, truncate } from '../markdown.ts';
import { analysisRows } from '../analysis-steps.ts';
import { renderNotes } from '../job-summary.ts';
import {
  continueCommands,
  currentWait,
  endedBy,
  finishedWaits,
  formatUtc,
  holdBy,
  trafficSplit,
  WAIT_END_TEXT,
  waitedText,
  waitingFor,
  waitWhere,
} from '../waits.ts';
import { bindExternalId, type StateCarrier } from '../../state/github-store.ts';
import { credentialRedactor, redactDeep } from '../redact.ts';

export interface GitHubReporterOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  sha: string;
  environment: string;
  version: string;
  strategy: string;
  /** The deployment the run was started for, or what to create; absent when only gates run. */
  deployment?:
    | { id: number }
    | {
        create: {
          production: boolean;
          transient: boolean;
          payload: DeploymentPayload & { dedupe_key: string };
        };
      };
  pullNumber?: number;
  /** The status comment's id when the App wrote it already (the deployment's payload names it). */
  commentId?: number;
  /**
   * Who must have written `commentId` for it to be taken: the deployment's creator. The payload is written by
   * whoever creates the deployment, so the id is checked before the comment is written over.
   */
  commentOwner?: string;
  runUrl?: string;
  environmentUrl?: string;
  /**
   * Values known to be secret (the token, the state key): never sent to GitHub. Credentials by their shape
   * (tokens, keys, URL passwords) are not sent either, secrets or not: a command's error quotes what it
   * printed last, and GitHub shows what it is sent to everyone who can read the repository.
   */
  secrets?: ReadonlyArray<string | undefined>;
  /** Check runs need `checks: write`; set false where the token lacks it. */
  checks?: boolean;
  log(level: 'info' | 'warn', message: string): void;
  /**
   * The longest close() waits for a GitHub that answers but slowly (default 90 s). A failing GitHub ends
   * sooner: the client's budget gives up on it.
   */
  closeTimeoutMs?: number;
  /** The clock (ms) that dates the status comment's search; tests set it. */
  now?: () => number;
}

export interface GitHubReporter extends Reporter, StateCarrier {
  /** Resolved when the deployment exists (or could not be created). */
  deploymentId(): Promise<number | undefined>;
  /** The previously deployed SHA and the commits since, once looked up (undefined when unknown). */
  changes(): Promise<
    { previousSha: string; total: number; commits: StatusCommentState['commits'] } | undefined
  >;
  /** What was not reported, with why ("the deployment status \"success\": HTTP 422: ..."). */
  failures(): string[];
  /**
   * Reports the run's result now, as close() would (the deployment's final status first), and resolves once
   * that status's request ended: whether GitHub took it. False without a result or a deployment. The reporter
   * stays open: a record written after it still rides the deploy check run.
   */
  finalStatusPosted(): Promise<boolean>;
}

interface Operation {
  /** What it reports, as a noun phrase: 'the deployment status "success"'. */
  label: string;
  run(): Promise<void>;
  /** Called instead of run() when the run has given up on GitHub. */
  skipped?(): void;
}

export function githubReporter(options: GitHubReporterOptions): GitHubReporter {
  const { octokit, owner, repo, sha, environment, log } = options;
  const rest = octokit.rest;
  const checksEnabled = options.checks !== false;
  const budget = octokit.budget;
  // Identifies this run's check runs (external_id), so one whose answer was lost can be found again.
  const runToken = randomUUID();
  const externalId = (name: string) => `deploy-action:${runToken}:${name}`;
  /** What was not reported → why (the first reason). */
  const notReported = new Map<string, string>();
  let chain: Promise<void> = Promise.resolve();
  let strategy = options.strategy;
  let version = options.version;
  let previousVersion: string | undefined;

  const enqueue = (op: Operation) => {
    chain = chain.then(async () => {
      // After giving up on GitHub nothing more is tried; it is listed in close()'s one warning.
      const verdict = budget.verdict();
      if (!verdict.ok) {
        if (!notReported.has(op.label)) notReported.set(op.label, '');
        op.skipped?.();
        return;
      }
      try {
        await op.run();
      } catch (error) {
        const given = error instanceof GitHubUnavailableError;
        const why = describeError(error, op.label);
        if (!notReported.has(op.label)) notReported.set(op.label, given ? '' : why);
        // Each failure is in the log; only close() warns, once.
        if (!given) log('info', `GitHub: could not write ${op.label}: ${why}`);
      }
    });
  };

  // ---- who the token is ----------------------------------------------------------------------------
  /**
   * Whose comment this run may take as the status comment: the login of the token it writes with (GraphQL's
   * viewer answers for a person's token and an app's installation token alike, github-actions[bot] for a
   * workflow's GITHUB_TOKEN), asked once: when the run starts (lookUpComment). Unknown (the question failed):
   * no comment is taken, this run writes its own; a deployment found by its key after a lost create answer is
   * taken whoever made it, as before the check.
   */
  let identity: Promise<string | undefined> | undefined;
  const tokenLogin = (): Promise<string | undefined> =>
    (identity ??= octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }').then(
      (r) => r.viewer.login || undefined,
      (error: unknown) => {
        // Not a warning: the comment is still written once (a lost create is found again by its body);
        // only an older run's comment is not taken over.
        log(
          'info',
          `Could not tell which account the token is (${String(error)}): this run writes its own status comment`,
        );
        return undefined;
      },
    ));
  // ---- the deployment -------------------------------------------------------------------------------
  let resolveDeployment!: (id: number | undefined) => void;
  const deploymentReady = new Promise<number | undefined>((r) => (resolveDeployment = r));
  let deploymentId: number | undefined;
  if (options.deployment && 'id' in options.deployment) {
    deploymentId = options.deployment.id;
    resolveDeployment(deploymentId);
  } else if (options.deployment) {
    const create = options.deployment.create;
    enqueue({
      label: 'the deployment',
      async run() {
        try {
          const created = await createDeploymentOnce(rest, {
            owner,
            repo,
            sha,
            environment,
            description: truncate(`deploy ${version} with ${strategy}`, 140),
            payload: create.payload,
            production: create.production,
            transient: create.transient,
            // A deployment found by its key after a lost answer is taken only if this token made it: the key
            // is known once the run starts, to anyone who could make one.
            callerLogin: tokenLogin,
          });
          deploymentId = created.id;
        } finally {
          resolveDeployment(deploymentId);
        }
      },
    });
  } else {
    resolveDeployment(undefined);
  }

  /** GitHub answered 404 for the deployment: it was deleted; its later statuses are not sent. */
  let deploymentGone = false;
  const postStatus = (update: StatusUpdate, environmentUrl?: string, onPosted?: () => void) => {
    if (!options.deployment) return;
    enqueue({
      label: `the deployment status "${update.state}"`,
      async run() {
        if (deploymentId === undefined) throw new Error('there is no deployment to report to');
        if (deploymentGone) return;
        try {
          await createDeploymentStatusOnce(rest, {
            owner,
            repo,
            deploymentId,
            state: update.state,
            description: update.description,
            logUrl: options.runUrl,
            environmentUrl,
          });
          onPosted?.();
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
          deploymentGone = true;
          throw new Error(
            `deployment ${deploymentId} no longer exists on GitHub (deleted during the run?); its later statuses are not sent`,
          );
        }
      },
    });
  };

  // ---- what changed since the last deployment -------------------------------------------------------
  let changesFound: Awaited<ReturnType<GitHubReporter['changes']>>;
  let resolveChanges!: () => void;
  const changesReady = new Promise<void>((r) => (resolveChanges = r));
  /** The commit live before this run, from the environment record the state store read (when it says). */
  let recordedLiveSha: string | undefined;
  const lookUpChanges = () =>
    enqueue({
      label: 'the commits since the previous deployment',
      async run() {
        try {
          // The record, verified under the state key, already says what was live: two requests saved.
          const previous = recordedLiveSha
            ? { sha: recordedLiveSha }
            : await lastSuccessfulDeployment(rest, {
                owner,
                repo,
                environment,
                excludeId: deploymentId,
              });
          if (!previous) return;
          if (previous.sha === sha) {
            changesFound = { previousSha: previous.sha, total: 0, commits: [] };
            return;
          }
          const since = await commitsSince(rest, { owner, repo, base: previous.sha, head: sha });
          changesFound = { previousSha: previous.sha, total: since.total, commits: since.commits };
        } finally {
          resolveChanges();
        }
      },
    });

  // ---- the deploy check run ---------------------------------------------------------------------------
  const deployCheck = checksEnabled && options.deployment !== undefined;
  const deployCheckName = `deploy / ${environment}`;
  /** Who the deploy check run is, to create it or find it again: its external_id is this run's. */
  const deployCheckKey = {
    owner,
    repo,
    name: deployCheckName,
    head_sha: sha,
    external_id: externalId(deployCheckName),
  };
  let deployCheckId: number | undefined;
  /** A create was sent but its answer lost: the check run may exist, so look before creating another. */
  let deployCheckUncertain = false;
  let deployCheckPending = false;
  let deployCheckState: { phase: string; detail: string } = { phase: 'starting', detail: '' };
  const phases: string[] = [];
  /** The waits that ended in this run, one line each for the check run's summary. */
  const waitLog: string[] = [];
  /**
   * The run's analysis warnings (never rollbacks), for the check run and the status comment: the newest
   * MAX_WARNINGS and a count of the rest. From the events as they come, then from the result's list.
   */
  let warnings: StatusCommentWarnings | undefined;
  /**
   * What the analysis could not judge (providers' notes, e.g. new error patterns for part of a window), from the
   * result's steps: the check run of a promoted deploy says so, as its job summary does.
   */
  let notes: string[] = [];
  /** The environment's signed state record (state/github-store.ts): the check run's text, once given. */
  let stateText: string | undefined;
  /** writeState calls waiting for the update that carries their text: told why it was not sent, if it was not. */
  let stateWaiters: Array<(notSent?: string) => void> = [];
  const takeStateWaiters = () => {
    const taken = stateWaiters;
    stateWaiters = [];
    return (notSent?: string) => taken.forEach((resolve) => resolve(notSent));
  };
  const GIVEN_UP = 'the run gave up on GitHub (its budget for GitHub failures is spent)';
  /**
   * The check run's external_id: bound to the deployment (`:deployment-<id>`) once it carries a record, so a
   * reader knows which deployment's record it must hold; check runs without a record stay unbound.
   */
  const deployCheckExternalId = () =>
    stateText !== undefined && deploymentId !== undefined
      ? bindExternalId(deployCheckKey.external_id, deploymentId)
      : deployCheckKey.external_id;
  /** The external_id the deploy check run was created with: how it is found again after a lost answer. */
  let createdExternalId = deployCheckKey.external_id;
  const deployCheckOutput = () => ({
    title: truncate(`${environment}: ${deployCheckState.phase}`, 255),
    // GitHub counts bytes (65,535): fitted whole, never cut inside a character or an escape.
    summary: fitCheckText(
      [
        `Deploying **${say(version, 200)}** with **${say(strategy, 100)}**${previousVersion ? ` (serving: ${say(previousVersion, 200)})` : ''}.`,
        '',
        ...phases.map((p) => `- ${p}`),
        // The latest waits: the detail after them (where the rollout waits now) must stay within the limit.
        ...(waitLog.length > 20 ? [`- … ${waitLog.length - 20} earlier waits`] : []),
        ...waitLog.slice(-20).map((w) => `- ${w}`),
        ...warningLines(warnings),
        ...(notes.length ? ['', ...notes] : []),
        ...(deployCheckState.detail ? ['', deployCheckState.detail] : []),
      ].join('\n'),
    ),
    ...(stateText !== undefined ? { text: stateText } : {}),
  });
  // Phase updates coalesce: if one is still waiting in the queue, it sends the newest state when it runs.
  const updateDeployCheck = () => {
    if (!deployCheck || deployCheckPending) return;
    deployCheckPending = true;
    enqueue({
      label: `the progress of the "${deployCheckName}" check run`,
      skipped: () => takeStateWaiters()(GIVEN_UP),
      async run() {
        // One turn of the event loop first: a record written in the same step of the pipeline as this
        // phase's start (finalize's durable record, a write-ahead right after a phase starts) rides this
        // update instead of sending one of its own.
        await new Promise<void>((resolve) => setImmediate(resolve));
        deployCheckPending = false;
        const carried = takeStateWaiters();
        let notSent: string | undefined;
        try {
          await writeDeployCheck(
            () => ({
              status: 'in_progress',
              started_at: new Date().toISOString(),
              ...(options.runUrl ? { details_url: options.runUrl } : {}),
              output: deployCheckOutput(),
            }),
            () => ({ output: deployCheckOutput() }),
          );
        } catch (error) {
          notSent = describeError(error, `the progress of the "${deployCheckName}" check run`);
          throw error;
        } finally {
          carried(notSent);
        }
      },
    });
  };
  const lookUpDeployCheck = async () => {
    if (deployCheckId !== undefined || !deployCheckUncertain) return;
    const found = await findCheckRun(rest, { ...deployCheckKey, external_id: createdExternalId });
    deployCheckId = found?.id;
    deployCheckUncertain = false;
  };
  /**
   * Updates the deploy check run with `update()` if it exists, else creates it once with `create()`. Looks it
   * up first when a create's answer was lost; the fields are built after that, so they hold the newest state.
   */
  const writeDeployCheck = async (
    create: () => Record<string, unknown>,
    update: () => Omit<Parameters<typeof rest.checks.update>[0] & object, 'owner' | 'repo' | 'check_run_id'>,
  ) => {
    await lookUpDeployCheck();
    const externalId = deployCheckExternalId();
    if (deployCheckId === undefined) {
      deployCheckUncertain = true;
      createdExternalId = externalId;
      const { id } = await createCheckRunOnce(rest, {
        ...deployCheckKey,
        external_id: externalId,
        ...create(),
      });
      deployCheckId = id;
      deployCheckUncertain = false;
    } else {
      const bind = externalId !== createdExternalId ? { external_id: externalId } : {};
      await rest.checks.update({ owner, repo, check_run_id: deployCheckId, ...bind, ...update() });
      createdExternalId = externalId;
    }
  };

  // ---- gate check runs ----------------------------------------------------------------------------------
  const reportGate = (result: GateResult) => {
    if (!checksEnabled) return;
    const batches = annotationBatches(result.findings);
    const name = gateCheckName(result.name);
    enqueue({
      label: `the "${name}" check run`,
      async run() {
        const output = gateCheckOutput(result);
        const { id } = await createCheckRunOnce(rest, {
          owner,
          repo,
          name,
          head_sha: sha,
          external_id: externalId(name),
          status: 'completed',
          conclusion: gateConclusion(result),
          completed_at: new Date().toISOString(),
          ...(options.runUrl ? { details_url: options.runUrl } : {}),
          output: { ...output, ...(batches[0] ? { annotations: batches[0] } : {}) },
        });
        let sent = batches[0]?.length ?? 0;
        for (const batch of batches.slice(1)) {
          await addAnnotationsOnce(
            rest,
            {
              owner,
              repo,
              check_run_id: id,
              output: { title: output.title, summary: output.summary, annotations: batch },
            },
            sent,
          );
          sent += batch.length;
        }
      },
    });
  };

  // ---- waits (issue 14) -------------------------------------------------------------------------------------
  /** The last analysis of this environment: the metrics so far, for the comment of a wait. */
  let lastAnalysis: StepRecord | undefined;
  const noteAnalysis = (record: StepRecord) => {
    if (record.step.kind === 'analysis' && record.phase !== 'rollback' && record.result.metrics)
      lastAnalysis = record;
  };
  /** The wait the rollout is in now, as the comment shows it; finished: this run's ended waits. */
  let openWait: StatusCommentWait | undefined;
  const finished: StatusCommentFinishedWait[] = [];

  // ---- the status comment -------------------------------------------------------------------------------------
  /** The deployment state and description the comment shows, and the waits; built when the write runs. */
  let commentPending = false;
  let commentStatus: () => StatusUpdate;
  let commentWaits: () => Pick<StatusCommentState, 'wait' | 'waits'> = () => ({
    ...(openWait ? { wait: openWait } : {}),
    ...(finished.length ? { waits: finished.slice(-MAX_FINISHED_WAITS) } : {}),
  });
  /** The comment written last: the App's (its id in the deployment's payload), or the one this run found or made. */
  let commentId = options.commentId;
  /** Set while commentId is the payload's, not yet checked: the start's lookup (or the first write) checks who wrote it. */
  let commentOwner = options.commentId === undefined ? undefined : options.commentOwner;
  /** The body this run last sent to create the comment: found again by it when the answer was lost. */
  const commentCreate: {
    body?: string;
    searched?: boolean;
    since?: string;
    converge?: { since: string; go: () => boolean };
  } = {};
  /** When the start's lookup searched and found no comment: a later create trusts it only while fresh. */
  let commentSearchedAt: number | undefined;
  /** The result is a cancellation: its last write skips the search, to fit before the runner's SIGKILL. */
  let runCancelled = false;
  const now = options.now ?? Date.now;
  /**
   * Who the token is and which comment is the status comment, asked when the run starts rather than at the
   * first write: that write may be the cancelled run's last one, due before the runner's SIGKILL, and the
   * GraphQL question (a slow query on GitHub) and the search through the comments would then be spent on its
   * few seconds. Queued like any write; a failure here only leaves the search to the first write, as before.
   */
  let commentLookedUp = false;
  const lookUpComment = () => {
    if (options.pullNumber === undefined || !options.deployment || commentLookedUp) return;
    commentLookedUp = true;
    const where = { owner, repo, pullNumber: options.pullNumber, environment };
    const label = `the status comment on #${options.pullNumber}`;
    enqueue({
      label,
      async run() {
        try {
          if (commentId !== undefined && commentOwner !== undefined) {
            const theirs = await isStatusCommentOf(rest, where, commentId, commentOwner);
            commentOwner = undefined;
            if (theirs) return;
            commentId = undefined;
          }
          if (commentId !== undefined) return;
          const login = await tokenLogin();
          if (login === undefined) return;
          commentId = (await findStatusComment(rest, where, [login]))?.id;
          if (commentId === undefined) commentSearchedAt = now();
        } catch (error) {
          if (error instanceof GitHubUnavailableError) throw error;
          log('info', `GitHub: could not look up the status comment yet: ${describeError(error, label)}`);
        }
      },
    });
  };
  // Updates coalesce like the check run's: one still queued sends the newest state when it runs.
  const writeComment = (status: () => StatusUpdate) => {
    commentStatus = status;
    if (options.pullNumber === undefined || !options.deployment || commentPending) return;
    const pullNumber = options.pullNumber;
    commentPending = true;
    enqueue({
      label: `the status comment on #${pullNumber}`,
      async run() {
        commentPending = false;
        const update = commentStatus();
        const state: StatusCommentState = {
          environment,
          state: update.state,
          description: update.description,
          version,
          sha,
          strategy,
          deploymentId,
          runUrl: options.runUrl,
          environmentUrl: options.environmentUrl,
          previousSha: changesFound?.previousSha,
          commits: changesFound?.commits,
          commitsTotal: changesFound?.total,
          ...commentWaits(),
          ...(warnings ? { warnings } : {}),
          updatedAt: new Date().toISOString(),
        };
        // Another run may have created the comment since the start's search found none: search again
        // unless that search is fresh; a cancelled run's last write searches only what changed since it.
        const again = repeatSearch(commentSearchedAt, now(), runCancelled);
        commentCreate.searched = again.search === 'none';
        if (again.search === 'recent')
          commentCreate.since = new Date(commentSearchedAt! - SEARCH_SKEW_MS).toISOString();
        else delete commentCreate.since;
        // Right after a create, a run that is not cancelled gives way to an older status comment another run
        // created meanwhile (the window a fresh search trusts, and GitHub's clock); a cancelled run has no time.
        if (runCancelled) delete commentCreate.converge;
        else
          commentCreate.converge = {
            since: new Date(now() - SEARCH_FRESH_MS - SEARCH_SKEW_MS).toISOString(),
            go: () => !runCancelled,
          };
        // The upsert looks for the comment before creating it, so repeating it after a lost answer
        // updates the comment that landed instead of adding a second.
        await writeOnce({
          write: async () => {
            const written = await upsertStatusComment(
              rest,
              { owner, repo, pullNumber, environment },
              () => state,
              commentId,
              tokenLogin,
              commentOwner,
              commentCreate,
            );
            commentId = written.id;
            commentOwner = undefined;
          },
        });
      },
    });
  };

  // ---- events -----------------------------------------------------------------------------------------------
  let result: PipelineResult | undefined;
  let closed = false;
  const sawPhase = new Set<PhaseId>();
  const redact = credentialRedactor(options.secrets);
  const event = (raw: PipelineEvent) => {
    const e = redactDeep(raw, redact);
    switch (e.type) {
      case 'start':
        // The staging environment's own start arrives too; the run's environment is the one reported.
        if (e.environment !== environment) return;
        strategy = e.strategy;
        version = e.version;
        previousVersion = e.previousVersion;
        postStatus(startStatus(version, strategy));
        updateDeployCheck();
        lookUpChanges();
        lookUpComment();
        return;
      case 'phase-start': {
        if (sawPhase.has(e.phase)) return;
        sawPhase.add(e.phase);
        deployCheckState = { phase: e.phase, detail: '' };
        // Statuses mark where traffic starts to move; the check run follows every phase.
        if (e.phase === 'production') postStatus(phaseStatus(e.phase, environment, version, strategy));
        updateDeployCheck();
        return;
      }
      case 'phase-end':
        phases.push(
          `${e.record.phase}: ${e.record.status}${e.record.detail ? `: ${say(e.record.detail, 300)}` : ''}`,
        );
        return;
      case 'gate-end':
        reportGate(e.result);
        return;
      case 'step-end':
        if (e.record.environment === environment) noteAnalysis(e.record);
        return;
      case 'wait-start': {
        if (e.record.environment !== environment) return;
        const w = e.record;
        openWait = commentWait(w, lastAnalysis, undefined);
        postStatus(waitStatus(w, environment));
        deployCheckState = { phase: 'waiting', detail: waitCheckDetail(w, environment, undefined) };
        updateDeployCheck();
        writeComment(() => ({ ...waitStatus(w, environment) }));
        return;
      }
      case 'wait-end': {
        if (e.record.environment !== environment || !e.record.ended) return;
        const w = e.record;
        openWait = undefined;
        if (w.ended!.how === 'handed_off') return;
        finished.push(finishedWait(w)!);
        waitLog.push(waitLogLine(w));
        const update = waitEndStatus(w);
        postStatus(update);
        deployCheckState = { phase: w.ended!.how === 'aborted' ? 'aborted' : 'production', detail: '' };
        updateDeployCheck();
        writeComment(() => update);
        return;
      }
      case 'analysis-warning':
        // Shown in the check run now; the comment shows it at its next write (a wait, the end).
        warnings = keepWarning(warnings, commentWarning(e.record));
        updateDeployCheck();
        return;
      case 'result':
        result = e.result;
        return;
      default:
        return;
    }
  };

  /** Whether GitHub took the final status, once its request ended (set by finish). */
  let finalStatusSettled: Promise<boolean> | undefined;
  const finish = (final: PipelineResult) => {
    // Once: finalStatusPosted may have reported the result before close().
    if (finalStatusSettled) return;
    const status = finalStatus(final);
    notes = renderNotes(analysisRows(final));
    // A handed-off rollout's open wait: still in progress, shown with how to continue it.
    const open = final.status === 'waiting' ? currentWait(final) : undefined;
    let posted = false;
    postStatus(status, final.status === 'succeeded' ? options.environmentUrl : undefined, () => {
      posted = true;
    });
    finalStatusSettled = chain.then(() => posted);
    if (deployCheck) {
      deployCheckState = {
        phase: `${final.status.replace('_', ' ')}`,
        detail:
          // The message quotes what others chose (a command's error, an abort's reason): inert, and cut.
          `**${cell(final.code)}**: ${say(final.message, 2000)}` +
          (open ? `\n\n${waitCheckDetail(open, environment, holdBy(final))}` : ''),
      };
      enqueue({
        label: `the conclusion of the "${deployCheckName}" check run`,
        skipped: () => takeStateWaiters()(GIVEN_UP),
        async run() {
          const carried = takeStateWaiters();
          let notSent: string | undefined;
          try {
            const body = {
              status: 'completed' as const,
              conclusion: deployConclusion(final),
              completed_at: new Date().toISOString(),
              output: deployCheckOutput(),
            };
            await writeDeployCheck(
              () => body,
              () => body,
            );
          } catch (error) {
            notSent = describeError(error, `the conclusion of the "${deployCheckName}" check run`);
            throw error;
          } finally {
            carried(notSent);
          }
        },
      });
    }
    // The comment of the whole rollout: every wait the result knows (earlier runs' too), the open one with
    // the metrics so far.
    const lastMetrics = [...final.steps]
      .reverse()
      .find(
        (r) =>
          r.environment === environment &&
          r.step.kind === 'analysis' &&
          r.phase !== 'rollback' &&
          r.result.metrics,
      );
    const all = final.waits ? finishedWaits(final.waits).filter((w) => w.environment === environment) : [];
    commentWaits = () => ({
      ...(open ? { wait: commentWait(open, lastMetrics ?? lastAnalysis, holdBy(final)) } : {}),
      ...(final.waits
        ? all.length
          ? { waits: all.map((w) => finishedWait(w)!).slice(-MAX_FINISHED_WAITS) }
          : {}
        : finished.length
          ? { waits: finished.slice(-MAX_FINISHED_WAITS) }
          : {}),
    });
    // The result lists every warning of the run (the events may have missed none, but it is the whole list).
    if (final.warnings?.length)
      warnings = final.warnings.reduce<StatusCommentWarnings | undefined>(
        (kept, w) => keepWarning(kept, commentWarning(w)),
        undefined,
      );
    version = final.version;
    strategy = final.strategy;
    runCancelled = final.status === 'cancelled';
    writeComment(() => status);
  };

  return {
    event,
    deploymentId: () => deploymentReady,
    recordedLive(release) {
      recordedLiveSha = release?.sha;
    },
    writeState(text, { now }) {
      if (!deployCheck) return Promise.resolve('there is no deploy check run to carry it');
      stateText = text;
      // Nothing more will be sent: the record is in close()'s warning with the check run's updates.
      if (closed) return Promise.resolve('the run has ended its reports to GitHub');
      if (!budget.verdict().ok) return Promise.resolve(GIVEN_UP);
      const sent = new Promise<string | undefined>((resolve) => stateWaiters.push(resolve));
      if (now) updateDeployCheck();
      return sent;
    },
    async changes() {
      // Resolves once looked up; undefined if the lookup never ran or failed.
      await Promise.race([changesReady, chain]);
      return changesFound;
    },
    failures: () => [...notReported].map(([label, why]) => (why ? `${label}: ${why}` : label)),
    async finalStatusPosted() {
      if (result && !closed) finish(result);
      return (await finalStatusSettled) ?? false;
    },
    async close() {
      // Gates only (no result): the gate check runs already queued are all there is.
      if (result) finish(result);
      const timeoutMs = options.closeTimeoutMs ?? 90_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        chain.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        // Stops the requests in flight and refuses new ones, so the queue ends now and sends nothing more.
        budget.stop(`the run waited ${Math.round(timeoutMs / 1000)} s for GitHub to take the last updates`);
        await chain;
      }
      closed = true;
      resolveChanges();
      resolveDeployment(deploymentId);
      takeStateWaiters()(timedOut ? GIVEN_UP : undefined);
      const warning = notReportedWarning(notReported, budget.verdict());
      if (warning) log('warn', warning);
    },
  };
}

/** A wait as the status comment keeps it, with the readings of the last analysis before it. */
function commentWait(
  w: WaitRecord,
  analysis: StepRecord | undefined,
  by: string | undefined,
): StatusCommentWait {
  const row = analysis ? analysisRows({ steps: [analysis] })[0] : undefined;
  const names = row ? Object.keys(row.metrics).filter((n) => !n.startsWith('stable.')) : [];
  return {
    kind: w.kind,
    step: w.step,
    at: truncate(w.at, 200),
    ...(w.weight !== undefined && w.weight >= 0 && w.weight <= 100 ? { weight: w.weight } : {}),
    since: w.since,
    ...(w.until ? { until: w.until } : {}),
    ...(w.kind === 'approval' ? { approvals: w.approvals ?? 1, approvedBy: [] } : {}),
    ...(by ? { by: truncate(by, 200) } : {}),
    ...(w.ended?.how === 'handed_off' ? { handedOff: true } : {}),
    ...(w.approvalsAhead?.length
      ? { approvalsAhead: w.approvalsAhead.slice(0, 100).map((a) => truncate(a, 200)) }
      : {}),
    ...(row && names.length
      ? {
          metrics: {
            at: truncate(row.label, 200),
            values: names.slice(0, 12).map((name) => {
              const stable = row.metrics[`stable.${name}`];
              return {
                name: truncate(name, 200),
                value: finite(row.metrics[name]),
                ...(stable !== undefined ? { stable: finite(stable) } : {}),
              };
            }),
          },
        }
      : {}),
  };
}

/** A warning as the status comment keeps it: the check's name and reason cut to what the comment holds. */
function commentWarning(w: AnalysisWarningRecord): StatusCommentWarning {
  return {
    check: truncate(w.check, WARNING_CHECK_MAX) || '(unnamed)',
    reason: truncate(w.reason, WARNING_REASON_MAX),
    phase: w.phase,
    ...(w.weight !== undefined && w.weight >= 0 && w.weight <= 100 ? { weight: w.weight } : {}),
    at: w.at,
  };
}

/** The deploy check run's list of the run's warnings: inert text, the newest listed, the rest counted. */
function warningLines(w: StatusCommentWarnings | undefined): string[] {
  if (!w || (!w.latest.length && !w.earlier)) return [];
  return [
    '',
    '**⚠️ Analysis warnings (not rollbacks)**',
    '',
    ...(w.earlier ? [`- … ${w.earlier} earlier`] : []),
    ...w.latest.map((x) => `- ${say(x.check, 200)} in ${say(warningWhere(x), 100)}: ${say(x.reason, 500)}`),
  ];
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A wait that ended, for the comment's list; undefined while it waits (or was handed off). */
function finishedWait(w: WaitRecord): StatusCommentFinishedWait | undefined {
  if (!w.ended || w.ended.how === 'handed_off') return undefined;
  return {
    kind: w.kind,
    step: w.step,
    at: truncate(w.at, 200),
    ...(w.weight !== undefined && w.weight >= 0 && w.weight <= 100 ? { weight: w.weight } : {}),
    since: w.since,
    endedAt: w.ended.at,
    how: w.ended.how,
    by: w.ended.by.map((b) => truncate(b, 200)),
    waitedMs: Math.max(0, Math.round(w.waitedMs)),
  };
}

/** The deploy check run's words for a wait: where, what for, the traffic split and the commands. */
function waitCheckDetail(w: WaitRecord, environment: string, by: string | undefined): string {
  const split = trafficSplit(w.weight, w.baselineWeight);
  return [
    `⏳ **Waiting at ${cell(waitWhere(w))} ${cell(waitingFor(w, environment, by))}** since ${cell(formatUtc(w.since))}` +
      (split ? ` · traffic ${cell(split)}` : ''),
    '',
    `To continue, comment on the pull request: ${continueCommands(w, environment)
      .map((c) => code(c.command))
      .join(' · ')}`,
  ].join('\n');
}

function waitLogLine(w: WaitRecord): string {
  const by = endedBy(w);
  return `wait at ${cell(waitWhere(w))}: ${cell(WAIT_END_TEXT[w.ended!.how])}${by ? ` by ${cell(by)}` : ''} after ${cell(waitedText(w))}`;
}

/** The one warning of a run that could not report everything: what is missing, and why. */
function notReportedWarning(
  notReported: ReadonlyMap<string, string>,
  verdict: ReturnType<GitHubClient['budget']['verdict']>,
): string | undefined {
  if (notReported.size === 0) return undefined;
  const items = [...notReported].map(([label, why]) => (why ? `${label} (${why})` : label));
  return (
    `GitHub: not reported: ${items.join('; ')}.` +
    (verdict.ok ? '' : ` The run gave up on GitHub: ${verdict.message}.`)
  );
}

function describeError(error: unknown, label: string): string {
  const e = error as { status?: number; message?: string };
  const message = (e.message ?? String(error)).split('\n')[0]!;
  if (!e.status) return truncate(message, 200);
  // GitHub's answer to a token without the permission names none: say which one the write needs.
  const permission = e.status === 403 && /not accessible/i.test(message) ? permissionFor(label) : undefined;
  return `HTTP ${e.status}: ${truncate(message, 200)}${permission ? `; the token needs ${permission}` : ''}`;
}

/** The token permission a write of the reporter needs, by what it reports (action.yml, github-token). */
function permissionFor(label: string): string | undefined {
  if (/check run/.test(label)) return 'checks: write';
  if (/status comment/.test(label)) return 'pull-requests: write';
  if (/^the deployment/.test(label)) return 'deployments: write';
  if (/commits since/.test(label)) return 'contents: read';
  return undefined;
}
