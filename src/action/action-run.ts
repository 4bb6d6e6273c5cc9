// One run of the action once its inputs, event and config are read: the gates or the pipeline, reported to
// the job log and to GitHub, then the job summary, the deployment record, the optional tag and the outputs.
// Loaded by run.ts with import() once a run gets this far, so a start compiles none of it.
import { deadlineOutputs, writeDeadlineOutcome, type DeadlineSeen } from './deadline-outcome.ts';
import { rollbackWatch } from '../pipeline/rollback-seen.ts';
import { oneOutcome } from './one-outcome.ts';
import type { CrashDeadline, RollbackProgress } from '../util/crash-decision.ts';
import { rollbackOutput } from '../pipeline/rollback-shortfall.ts';
import * as core from '@actions/core';
import { logInfo } from './job-log.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveEnvironment } from '../config/resolve.ts';
import { unsetVariablesRefusal, unsetVariablesRollbackWarning } from '../config/needed-variables.ts';
import type { RawConfig } from '../config/schema.ts';
import type { GitHubClient } from '../github/client.ts';
import { runDedupeKey } from '../github/deployments.ts';
import { pullRequestContext } from '../github/pull-request.ts';
import type { GatesReport } from '../gates/runner.ts';
import { deliveredAll, fanOut, type PipelineResult, type Reporter } from '../pipeline/events.ts';
import { resolveStaging, runPipeline } from '../pipeline/pipeline.ts';
import { planDeployment } from '../pipeline/plan.ts';
import { runValidate } from '../pipeline/validate.ts';
import {
  githubReporter,
  type GitHubReporter,
  type GitHubReporterOptions,
} from '../report/github/reporter.ts';
import { renderGatesSection, renderJobSummary, renderPlanSummary } from '../report/job-summary.ts';
import { gatesOutput } from '../report/gates-output.ts';
import { renderDeploymentRecord } from '../report/record.ts';
import { credentialRedactor, redactDeep } from '../report/redact.ts';
import { configSecretValues } from '../config/env-secrets.ts';
import { failureToldNotRecorded, recordRunFailureTold } from '../reconcile/failure-told.ts';
import { lockRunStatusFor } from '../reconcile/owner.ts';
import { FileStateStore } from '../state/file-store.ts';
import { GitHubStateStore } from '../state/github-store.ts';
import { GitHubControlSource, type RequestFn } from '../control/github-channel.ts';
import { parseStateKey } from '../state/state-key.ts';
import type { StateStore } from '../state/store.ts';
import { render } from '../targets/template.ts';
import { forkSubject, type RunContext } from './context.ts';
import { stateKeysOf, type ActionInputs, type RunPlan } from './inputs.ts';
import { createTag, tagName } from './tag.ts';
import { actionLogReporter } from './log-reporter.ts';
import { hasNotifications, runNotifier } from '../notify/wiring.ts';
import { runExitCode, type Cancellation } from '../util/signals.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { plainLinesRedacted } from '../util/plain-text.ts';
import {
  finishRun,
  flushTimeoutOf,
  RECORD_FLUSH_GRACE_MS,
  REPORTING_GRACE_MS,
  untilCancelDeadline,
} from './cancel-deadline.ts';

/** How long the notifications wait for a pull request's title before going on without it. */
const PULL_TITLE_TIMEOUT_MS = 5_000;

/** A rollback deployment (`/rollback`, payload `type: rollback`) or `mode: rollback`: fast-tracked. */
const isRollback = (plan: RunPlan): boolean => plan.mode === 'rollback' || plan.type === 'rollback';

export class ActionRun {
  private readonly inputs: ActionInputs;
  private readonly context: RunContext;
  private readonly plan: RunPlan;
  private readonly config: RawConfig;
  private readonly octokit: GitHubClient | undefined;
  /** The lookup of lockRunStatus, made once. */
  private runStatus: ReturnType<typeof lockRunStatusFor> | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly cancellation: Cancellation;
  private readonly signal: AbortSignal;
  /** GitHub reporting was abandoned at the cancellation deadline (cancel-deadline.ts). */
  githubCutShort = false;
  /**
   * Why nothing is written to GitHub although there is a token (a fork's pull request: the token is
   * read-only), or undefined. Reads (the PR's reviews, its title) still go.
   */
  private readonly readOnly: string | undefined;
  /**
   * Credentials out of what leaves the runner unmasked: a command's error is quoted in the result, and the
   * job summary, the record and the outputs are shown as written (the log is masked by the runner).
   */
  private readonly redact: (text: string) => string;
  /** A warning annotation, redacted: the runner masks only a secret's exact registered forms. */
  private readonly warn = (message: string): void => core.warning(this.redact(message));
  /**
   * The values the run knows are secret: the secret inputs and the variables the config's `*_env` keys name
   * (read now, before the GitHub reporter that shows a failing command's output exists).
   */
  private readonly secrets: string[];
  /** The run's own outcome or the crash deadline's, whichever begins first: never both (one-outcome.ts). */
  private readonly outcome = oneOutcome();
  /** The crash deadline that wrote the outcome, once it began to. */
  private crashDeadline: CrashDeadline | undefined;
  /** Whether the run's rollback began and ended, for the crash deadline's summary (rollback-seen.ts). */
  private readonly rollbackSeen = rollbackWatch();

  constructor(
    inputs: ActionInputs,
    context: RunContext,
    plan: RunPlan,
    config: RawConfig,
    octokit: GitHubClient | undefined,
    env: NodeJS.ProcessEnv,
    cancellation: Cancellation,
  ) {
    this.inputs = inputs;
    this.context = context;
    this.plan = plan;
    this.config = config;
    this.octokit = octokit;
    this.env = env;
    this.cancellation = cancellation;
    this.signal = cancellation.signal;
    // Once a signal came, GitHub's last updates go without a second between them (GitHubClient.unspaceWrites):
    // the runner's kill deadline runs from it. An internal error's stop (crash-guard.ts, Cancellation.abort)
    // has no such deadline: its writes keep the interval GitHub asks for, or they meet its secondary limit.
    const unspace = () => void octokit?.unspaceWrites();
    const received = cancellation.signalReceived;
    if (received.aborted) unspace();
    else received.addEventListener('abort', unspace, { once: true });
    this.secrets = [
      inputs.token,
      inputs.stateKey,
      inputs.stateKeyPrevious,
      ...configSecretValues(config, env),
    ].filter((secret): secret is string => !!secret);
    this.redact = credentialRedactor(this.secrets);
    this.readOnly = context.fork?.readOnlyToken
      ? `${forkSubject(context)} comes from ${context.fork.repository === 'a deleted fork' ? 'a deleted fork' : `the fork ${context.fork.repository}`}: ` +
        `GitHub gives this ${context.eventName} run a read-only token, so nothing is written to GitHub ` +
        '(no deployment, check runs, PR comment or tag); the results are in this log and the job summary'
      : undefined;
  }

  async execute(): Promise<void> {
    const { plan, context } = this;
    const resolved = resolveEnvironment(this.config, plan.environment, {
      strategy: plan.strategy,
      stateDir: this.inputs.stateDir,
      variables: plan.params,
      // A rollback goes straight back (fastTracked): no canary steps, no analysis before a switch.
      ...(isRollback(plan) ? { rollback: true } : {}),
    });
    const environmentUrl = this.inputs.environmentUrl ?? withoutCredentials(resolved.url, plan.environment);
    core.setOutput('environment', plan.environment);
    core.setOutput('version', plan.version);
    logInfo(
      `deploy-action: ${plan.mode}${plan.dryRun ? ' (dry run)' : ''} of ${plan.version} to ${plan.environment}` +
        ` from ${context.eventName} at ${context.sha.slice(0, 12)}`,
    );

    if (plan.dryRun) return this.dryRun();
    if (plan.mode === 'gates') return this.gatesOnly(resolved);
    // Before the GitHub deployment is made and anything deploys: a variable the analysis needs, found missing
    // at its first read, failed the rollout half done.
    // A rollback goes on (warned): it is the way back.
    const needing = [
      resolved,
      plan.skipStaging || isRollback(plan)
        ? undefined
        : resolveStaging(this.config, resolved, this.inputs.stateDir),
    ];
    if (isRollback(plan)) {
      const warning = unsetVariablesRollbackWarning(needing, this.env);
      if (warning) core.warning(warning);
    } else {
      const unset = unsetVariablesRefusal(needing, this.env);
      if (unset) throw new Error(unset);
    }

    const github = this.githubReporter(resolved.strategy.type, {
      deployment: context.deployment
        ? { id: context.deployment.id }
        : {
            create: {
              production: resolved.production,
              transient: this.inputs.preview,
              payload: {
                version: plan.version,
                strategy: resolved.strategy.type,
                type: plan.type,
                pr: context.pullNumber,
                requested_by: context.actor,
                dedupe_key: runDedupeKey(
                  context.runId ?? 'local',
                  this.env.GITHUB_RUN_ATTEMPT ?? '1',
                  plan.environment,
                ),
              },
            },
          },
      pullNumber: this.inputs.prComment ? context.pullNumber : undefined,
      // Only with its creator known: the comment must be the creator's own status comment to be written over.
      commentId: context.deployment?.creator ? context.deployment.payload.comment_id : undefined,
      commentOwner: context.deployment?.creator,
      runUrl: context.runUrl,
      environmentUrl,
      closeTimeoutMs: Number(this.env.DEPLOY_ACTION_GITHUB_CLOSE_TIMEOUT_MS) || undefined,
    });
    // Slack, Teams and webhooks (docs/notifications.md): in the background, never on the rollback path.
    const notify = await runNotifier(
      this.config,
      plan.environment,
      {
        repository: `${context.owner}/${context.repo}`,
        sha: context.sha,
        ref: context.ref,
        runUrl: context.runUrl,
        environmentUrl,
        deploymentUrl: `${this.serverUrl()}/${context.owner}/${context.repo}/deployments`,
        pr: context.pullNumber
          ? {
              number: context.pullNumber,
              url: `${this.serverUrl()}/${context.owner}/${context.repo}/pull/${context.pullNumber}`,
              title: hasNotifications(this.config, plan.environment)
                ? (context.pullTitle ?? (await this.pullTitle(context.pullNumber)))
                : undefined,
            }
          : undefined,
        who: plan.deployer,
        approvers: plan.approvers,
      },
      {
        env: this.env,
        log: (level, message) => (level === 'warn' ? this.warn(message) : logInfo(message, this.redact)),
        known: this.secrets,
      },
    );
    for (const secret of notify?.secrets ?? []) core.setSecret(secret);
    const reporter = fanOut([this.logReporter(), github, notify?.reporter, this.rollbackSeen.reporter]);
    const store = this.stateStore(github, resolved);
    // The record names the GitHub deployment behind each release and rollout (/status shows it, reconcile
    // marks it when the run dies), not the workflow run. A run that creates its own deployment knows its id
    // once it exists; with the record on GitHub the run already waits on GitHub to read it, so it waits for
    // the id too (undefined when it could not be created: the run id stands in, as without GitHub).
    const recordedDeployment = context.deployment
      ? String(context.deployment.id)
      : store
        ? await github?.deploymentId().then((id) => (id === undefined ? undefined : String(id)))
        : undefined;

    const lockRunStatus = this.lockRunStatus();
    let result: PipelineResult;
    try {
      result = await runPipeline(
        {
          env: resolved,
          staging: resolveStaging(this.config, resolved, this.inputs.stateDir),
          version: plan.version,
          sha: context.sha,
          ref: context.ref,
          runId: context.runId,
          runAttempt: this.env.GITHUB_RUN_ATTEMPT,
          runUrl: context.runUrl,
          repository: `${context.owner}/${context.repo}`,
          deploymentId: recordedDeployment,
          skipStaging: plan.skipStaging,
          skipGates: plan.mode === 'deploy' || plan.mode === 'rollback',
          // Only with the record on GitHub can a long wait end the job: reconcile or a /promote goes on.
          handOff: store !== undefined,
        },
        {
          reporter,
          signal: this.signal,
          gates: this.gateOptions(),
          // Once cancelled, the record's last writes are waited for until RECORD_FLUSH_GRACE_MS: the outputs,
          // summary and record file come next, then GitHub (which carries the writes) until its deadline.
          flushTimeoutMs: flushTimeoutOf(this.cancellation, undefined, RECORD_FLUSH_GRACE_MS),
          // What the log masks stays out of the record too, on GitHub or in state-dir.
          secrets: [...this.secrets, ...(notify?.secrets ?? [])],
          ...(store ? { store } : {}),
          ...(lockRunStatus ? { lockRunStatus } : {}),
          ...(store && recordedDeployment ? { control: this.controlSource(recordedDeployment) } : {}),
        },
      );
    } catch (error) {
      // Flush GitHub even when the pipeline threw: the final status must not be lost.
      await this.closeReporting(reporter);
      throw error;
    }

    // The run's own rollback_failed, recorded as told once told (docs/notifications.md), before GitHub is
    // closed: the record rides the deploy check run. Cancelled by a signal (the runner's kill is near), it is
    // left to the first reconcile; stopped by a crash (util/crash-guard.ts), nothing kills the job: recorded.
    if (result.code === 'rollback_failed' && !this.cancellation.received())
      await this.recordFailureTold(result, {
        notifier: notify?.reporter,
        github,
        store:
          store ?? new FileStateStore(resolved.stateDir, lockRunStatus ? { runStatus: lockRunStatus } : {}),
        // The values the pipeline kept out of every record it wrote.
        secrets: [...this.secrets, ...(notify?.secrets ?? [])],
      });

    // Cancelled: the outputs, summary and record first, then GitHub until its deadline (finishRun).
    const cancelled = this.signal.aborted;
    // Before GitHub is flushed, only the deployment the event named is known.
    let deploymentId = github ? context.deployment?.id : undefined;
    await finishRun(cancelled, {
      github: async () => {
        await this.closeReporting(reporter);
        if (this.githubCutShort) return;
        const known = deploymentId;
        deploymentId = await github?.deploymentId();
        // A deployment this cancelled run created: its id is known only now.
        if (cancelled && known === undefined && deploymentId !== undefined)
          core.setOutput('deployment-id', String(deploymentId));
      },
      local: () =>
        this.recordOutcome(result, deploymentId, cancelled ? undefined : github, {
          environmentUrl,
          monitorMs: resolved.monitorMs,
        }),
    });
    if (result.status === 'succeeded' && resolved.production && this.inputs.tag) await this.tag(result);
  }

  /**
   * Records the run's failed rollback as told in its record's rollout (failureNotified, as reconcile records
   * it): by the notifications once every channel delivered, and by the deployment's status once GitHub took
   * it. Otherwise the first reconcile that fails the same way tells it once more. Whatever happens here, the
   * run's outcome stays: a failure is a warning.
   */
  private async recordFailureTold(
    result: PipelineResult,
    {
      notifier,
      github,
      store,
      secrets,
    }: {
      notifier: Reporter | undefined;
      github: GitHubReporter | undefined;
      store: StateStore;
      secrets: readonly string[];
    },
  ): Promise<void> {
    const settled = async () => {
      const [notifications, status] = await Promise.all([
        deliveredAll(notifier),
        github?.finalStatusPosted().catch(() => false) ?? false,
      ]);
      return recordRunFailureTold(store, result, { notifications, status }, new Date(), secrets);
    };
    let why: string;
    try {
      // Cancelled meanwhile: no longer waited for, the job's outcome goes first (finishRun).
      const outcome = await untilCancelDeadline(settled(), this.cancellation, { graceMs: 0 });
      if (!outcome.done) why = 'the job was cancelled first';
      else if (outcome.value.kind === 'not_stored') why = outcome.value.message;
      else return;
    } catch (error) {
      why = (error as Error).message;
    }
    this.warn(failureToldNotRecorded(why));
  }

  /**
   * The run's outcome where the job keeps it: the outputs, the job summary, the deployment record and the
   * failure annotation and exit code. `github` (when not cancelled) adds the commits since the previous
   * deployment to the record; once cancelled nothing here waits for GitHub.
   */
  private async recordOutcome(
    result: PipelineResult,
    deploymentId: number | undefined,
    github: GitHubReporter | undefined,
    where: { environmentUrl: string | undefined; monitorMs: number },
  ): Promise<void> {
    // Ended while the crash deadline writes what was known: not said twice.
    if (this.outcome.writer() === 'crash_deadline')
      logInfo(
        `the crash deadline is writing this run's outcome (${deadlineOutputs(this.deadlineSeen()).code}): the outputs and the job ` +
          `summary keep it, the run's own (${result.status} [${result.code}]) is in the log above`,
        this.redact,
      );
    await this.outcome.claim('run', () => this.writeOutcome(result, deploymentId, github, where));
    // Its exit code too, should the run's end exit before the deadline does (crash-guard.ts keeps it).
    if (this.crashDeadline) process.exitCode = this.crashDeadline.code;
  }

  private async writeOutcome(
    result: PipelineResult,
    deploymentId: number | undefined,
    github: GitHubReporter | undefined,
    { environmentUrl, monitorMs }: { environmentUrl: string | undefined; monitorMs: number },
  ): Promise<void> {
    const { context } = this;
    if (deploymentId !== undefined) core.setOutput('deployment-id', String(deploymentId));
    core.setOutput('status', result.status);
    core.setOutput('code', result.code);
    core.setOutput('rolled-back', String(result.rollbacks.length > 0));
    const rollback = rollbackOutput(result.rollbacks);
    if (rollback) core.setOutput('rollback', rollback);
    if (result.previousVersion) core.setOutput('previous-version', result.previousVersion);
    if (result.gates) core.setOutput('gates', gatesOutput(redactDeep(result.gates, this.redact)));
    if (result.status === 'succeeded' && environmentUrl) core.setOutput('environment-url', environmentUrl);

    const changes = this.githubCutShort ? undefined : await github?.changes();
    await this.writeSummary(
      renderJobSummary(redactDeep(result, this.redact), {
        sha: context.sha,
        runUrl: context.runUrl,
        environmentUrl,
        deploymentUrl:
          deploymentId !== undefined
            ? `${this.serverUrl()}/${context.owner}/${context.repo}/deployments`
            : undefined,
      }),
    );
    await this.writeRecord(result, changes, monitorMs);

    // A rollout handed off to wait for people or a bake is not a failed job: it says so and ends green.
    // Its text quotes what others chose (a gate's reason from a report): inert, as the log's lines are.
    if (result.status === 'waiting')
      core.notice(plainLinesRedacted(`${result.code}: ${result.message}`, this.redact));
    else if (result.status !== 'succeeded')
      core.setFailed(plainLinesRedacted(`${result.status} [${result.code}]: ${result.message}`, this.redact));
    // Non-zero like the CLI: 130 / 143 say which signal cancelled the run, 3 that a rollback did not complete
    // (traffic may not be back on stable), cancelled or not.
    if (result.status === 'cancelled' || result.exitCode === EXIT_CODES.rollbackFailed)
      process.exitCode = runExitCode(result, this.cancellation.received()?.signal);
  }

  private async dryRun(): Promise<void> {
    const { plan, context } = this;
    const deploymentPlan = planDeployment(this.config, plan.environment, plan.version, context.sha, {
      strategy: plan.strategy,
      stateDir: this.inputs.stateDir,
      variables: plan.params,
      ...(isRollback(plan) ? { rollback: true } : {}),
      // A hotfix skips staging (inputs.ts planRun): its dry run shows no staging deployment.
      ...(plan.skipStaging ? { skipStaging: true } : {}),
    });
    logInfo(JSON.stringify(deploymentPlan, null, 2), this.redact);
    await this.writeSummary(renderPlanSummary(deploymentPlan));
    core.setOutput('status', 'planned');
    core.setOutput('code', 'dry_run');
    core.setOutput('rolled-back', 'false');
  }

  private async gatesOnly(resolved: ReturnType<typeof resolveEnvironment>): Promise<void> {
    // Gates only: their check runs, no deployment.
    const github = this.githubReporter(resolved.strategy.type, {});
    const reporter = fanOut([this.logReporter(), github]);
    let report: GatesReport;
    try {
      report = await runValidate(resolved, {
        ...this.gateOptions(),
        headSha: this.context.sha,
        reporter,
        signal: this.signal,
      });
    } finally {
      await this.closeReporting(reporter);
    }
    const shown = redactDeep(report, this.redact);
    core.setOutput('gates', gatesOutput(shown));
    core.setOutput('status', report.status === 'BLOCK' ? 'blocked' : 'succeeded');
    core.setOutput('code', report.status === 'BLOCK' ? 'gates_blocked' : 'gates_passed');
    core.setOutput('rolled-back', 'false');
    await this.writeSummary(renderGatesSection(shown));
    if (report.status === 'BLOCK')
      core.setFailed(
        plainLinesRedacted(`blocked [gates_blocked]: ${report.reasons.join('; ')}`, this.redact),
      );
  }

  /** The job log, redacted; the run's warnings as annotations (log-reporter.ts). */
  private logReporter(): Reporter {
    return actionLogReporter({
      redact: this.redact,
      write: (text) => process.stdout.write(text),
      annotate: (message) => this.warn(message),
    });
  }

  /** Flushes GitHub; once the job is cancelled, only until the reporting deadline (cancel-deadline.ts). */
  private async closeReporting(reporter: Reporter): Promise<void> {
    const outcome = await untilCancelDeadline(reporter.close?.() ?? Promise.resolve(), this.cancellation);
    if (outcome.done) return;
    // Abort the requests in flight and refuse new ones; exiting at the end stays the backstop.
    this.octokit?.budget.stop('the job was cancelled and its reporting deadline passed');
    this.githubCutShort = true;
    core.warning(
      `cancelled: GitHub reporting stopped ${REPORTING_GRACE_MS / 1000} s after the first signal, so the ` +
        'outputs are written before the runner kills the job; the final updates may be missing on GitHub',
    );
  }

  /** The GitHub reporter for this run (none without a token); `extra` says what it reports to. */
  private githubReporter(
    strategy: string,
    extra: Partial<GitHubReporterOptions>,
  ): GitHubReporter | undefined {
    if (!this.octokit) return undefined;
    // Not attempted only to be refused one request after another: said once, here.
    if (this.readOnly) return void core.notice(this.readOnly);
    return githubReporter({
      octokit: this.octokit,
      owner: this.context.owner,
      repo: this.context.repo,
      sha: this.context.sha,
      environment: this.plan.environment,
      version: this.plan.version,
      strategy,
      checks: this.inputs.checkRuns,
      secrets: this.secrets,
      log: (level, message) => (level === 'warn' ? this.warn(message) : logInfo(message, this.redact)),
      ...extra,
    });
  }

  /**
   * The environment's record on GitHub (signed, in the deploy check run) when there is a state key, a token
   * and check runs; else undefined: the pipeline's file store in state-dir, which a hosted runner loses.
   */
  /** /promote, /pause, /resume and /abort for this deployment: the App's signed check runs on this commit. */
  private controlSource(deploymentId: string): GitHubControlSource {
    const { context } = this;
    return new GitHubControlSource(
      this.octokit!.request as unknown as RequestFn,
      { owner: context.owner, repo: context.repo },
      { repository: `${context.owner}/${context.repo}`, environment: this.plan.environment, deploymentId },
      context.sha,
      stateKeysOf(this.inputs),
      // Only the deploy App's check runs: the input's id, else the app that made the deployment.
      this.inputs.controlAppId ?? 'deployment',
    );
  }

  private stateStore(
    github: GitHubReporter | undefined,
    resolved: ReturnType<typeof resolveEnvironment>,
  ): StateStore | undefined {
    const missing = !this.inputs.stateKey
      ? 'there is no state-key'
      : !github || !this.octokit
        ? this.readOnly
          ? "the token is read-only (a fork's pull request)"
          : 'there is no github-token'
        : this.inputs.checkRuns
          ? undefined
          : 'check-runs is false (the record rides the deploy check run)';
    if (missing) {
      // A warning where the file is lost with the runner; a self-hosted runner keeps it between jobs.
      const hosted = this.env.RUNNER_ENVIRONMENT === 'github-hosted';
      (hosted ? core.warning : logInfo)(
        `state: kept only in state-dir (${resolved.stateDir}) because ${missing}` +
          (hosted ? '; this hosted runner loses it, so the next run will not know what is live' : ''),
      );
      core.setOutput('state-source', 'file');
      return undefined;
    }
    core.setOutput('state-source', 'github');
    const staging = resolveStaging(this.config, resolved, this.inputs.stateDir);
    return new GitHubStateStore({
      api: this.octokit!.rest,
      owner: this.context.owner,
      repo: this.context.repo,
      environment: this.plan.environment,
      key: parseStateKey(this.inputs.stateKey!, 'input "state-key"'),
      previousKeys: stateKeysOf(this.inputs).slice(1),
      carrier: github!,
      log: (level, message) => (level === 'warn' ? this.warn(message) : logInfo(message, this.redact)),
      // A re-run keeps the App's deployment, which an earlier attempt may have written the record to.
      firstAttempt: this.env.GITHUB_RUN_ATTEMPT === '1',
      ...(staging ? { others: new FileStateStore(staging.stateDir, this.fileStoreOptions()) } : {}),
    });
  }

  /**
   * With a token: a record lock in state-dir left by another runner's job is taken over as soon as GitHub
   * says that run attempt of this repository completed (file-store.ts), not only once a minute old.
   */
  private lockRunStatus() {
    if (!this.octokit) return undefined;
    this.runStatus ??= lockRunStatusFor({
      api: this.octokit.rest,
      owner: this.context.owner,
      repo: this.context.repo,
    });
    return this.runStatus;
  }

  private fileStoreOptions() {
    const runStatus = this.lockRunStatus();
    return runStatus ? { runStatus } : {};
  }

  private gateOptions() {
    const { context, octokit } = this;
    return {
      cwd: this.env.GITHUB_WORKSPACE ?? process.cwd(),
      // On a pull request, changed-line checks compare against its base branch.
      baseRef: this.env.GITHUB_BASE_REF ? `origin/${this.env.GITHUB_BASE_REF}` : undefined,
      pullRequest:
        octokit && context.pullNumber !== undefined
          ? pullRequestContext(octokit.rest, (query, variables) => octokit.graphql(query, variables), {
              owner: context.owner,
              repo: context.repo,
              number: context.pullNumber,
              headSha: context.pullHeadSha,
            })
          : undefined,
    };
  }

  /**
   * The crash deadline came with this run still going (crash-guard.ts): its outputs and job summary say what is
   * known (failed; rollback_failed with a rollback still going, internal_error when none had begun; what to
   * check), as recordOutcome would have.
   * Unless the run began writing its own outcome first (it ended while its commands were stopped): then this
   * writes nothing and resolves once the run's is written, so the exit does not cut it short, with the exit code
   * the run's outcome set (crash-guard.ts exits with it).
   */
  async writeAtCrashDeadline(late: CrashDeadline): Promise<number | undefined> {
    const { environment, version } = this.plan;
    const writer = await this.outcome.claim('crash_deadline', async () => {
      this.crashDeadline = late;
      await writeDeadlineOutcome(environment, version, late, this.deadlineSeen(), {
        setOutput: (name, value) => core.setOutput(name, value),
        writeSummary: (markdown) => this.writeSummary(this.redact(markdown)),
      });
    });
    return writer === 'run' ? Number(process.exitCode ?? 0) : undefined;
  }

  /** How far this run's rollback had come, for the crash deadline's exit words (crash-guard.ts). */
  rollbackProgress(): RollbackProgress {
    return this.rollbackSeen.progress();
  }

  /** How far this run's rollback had come, for the crash deadline's outcome. */
  private deadlineSeen(): DeadlineSeen {
    return { seen: this.rollbackSeen.seen(), ended: this.rollbackSeen.ended() };
  }

  private async writeSummary(markdown: string): Promise<void> {
    if (!this.env.GITHUB_STEP_SUMMARY) return;
    try {
      await core.summary.addRaw(markdown, true).write();
    } catch (error) {
      this.warn(`could not write the job summary: ${(error as Error).message}`);
    }
  }

  private async writeRecord(
    result: PipelineResult,
    changes: Awaited<ReturnType<GitHubReporter['changes']>>,
    monitorMs: number,
  ): Promise<void> {
    const dir = resolve(this.env.GITHUB_WORKSPACE ?? process.cwd(), this.inputs.recordDir);
    const stamp = result.startedAt.replace(/[:.]/g, '-');
    const path = join(dir, `${result.environment}-${result.version}-${stamp}.md`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(
        path,
        renderDeploymentRecord(redactDeep(result, this.redact), {
          type: this.plan.type,
          sha: this.context.sha,
          deployer: this.plan.deployer,
          approvers: this.plan.approvers,
          hotfixReason: this.plan.hotfixReason,
          runUrl: this.context.runUrl,
          changes: changes?.commits,
          monitorMs,
        }),
      );
      core.setOutput('record-path', path);
      logInfo(`deployment record: ${path}`);
    } catch (error) {
      this.warn(`could not write the deployment record to ${path}: ${(error as Error).message}`);
    }
  }

  private async tag(result: PipelineResult): Promise<void> {
    const { context } = this;
    let name: string;
    try {
      name = tagName(
        render(
          this.inputs.tag!,
          { environment: result.environment, version: result.version, sha: context.sha },
          (v) => v,
        ),
      );
    } catch (error) {
      this.warn(`no tag: ${(error as Error).message}`);
      return;
    }
    if (!this.octokit) return core.warning(`no tag ${name}: there is no github-token`);
    if (this.readOnly) return core.warning(`no tag ${name}: the token is read-only (a fork's pull request)`);
    const outcome = await createTag(this.octokit.rest, {
      owner: context.owner,
      repo: context.repo,
      name,
      sha: context.sha,
    });
    if (outcome.ok) {
      core.setOutput('tag', name);
      logInfo(
        outcome.existed
          ? `${name} already tags ${context.sha.slice(0, 12)} (an earlier attempt made it)`
          : `tagged ${context.sha.slice(0, 12)} as ${name}`,
      );
    } else this.warn(`no tag ${name}: ${outcome.reason}`);
  }

  /**
   * The pull request's title for notifications, when the event did not carry it (a deployment made by the
   * App): one request, bounded; without it the messages just leave the title out.
   */
  private async pullTitle(pullNumber: number): Promise<string | undefined> {
    if (!this.octokit) return undefined;
    try {
      const { data } = await this.octokit.rest.pulls.get({
        owner: this.context.owner,
        repo: this.context.repo,
        pull_number: pullNumber,
        request: { signal: AbortSignal.any([this.signal, AbortSignal.timeout(PULL_TITLE_TIMEOUT_MS)]) },
      });
      return data.title;
    } catch (error) {
      this.warn(
        `notifications: the title of pull request #${pullNumber} could not be read (${error instanceof Error ? error.message : String(error)}); messages leave it out`,
      );
      return undefined;
    }
  }

  private serverUrl(): string {
    return this.env.GITHUB_SERVER_URL ?? 'https://github.com';
  }
}

/**
 * The config's URL of the environment as GitHub may show it: a user name or password in it (basic auth on a
 * staging site) would be on the Deployments tab, in the PR comment, the job summary and the outputs, for
 * everyone who can read the repository. They are left out, with a warning.
 */
function withoutCredentials(url: string | undefined, environment: string): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  core.warning(
    `the url of environment "${environment}" in the config has a user name or password: GitHub is shown ${parsed.href} without them`,
  );
  return parsed.href;
}
