// The Action's entry wiring: read the inputs and the event, then load what this run needs when it needs it
// (reconcile, the GitHub client, the gates or the pipeline: import() keeps each out of the start, see
// scripts/build.ts) and hand over to ActionRun (action-run.ts). GitHub is never on the rollback path.
import * as core from '@actions/core';
import { logInfo } from './job-log.ts';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigLoadError } from '../config/errors.ts';
import type { GitHubClient, RequestCounter } from '../github/client.ts';
import {
  commentPull,
  commentPullNumber,
  readRunContext,
  withCommentPull,
  type RunContext,
} from './context.ts';
import {
  ignoredInputWarnings,
  InputError,
  planRun,
  rollbackModeNotice,
  readInputs,
  unknownInputs,
  reconcileDryRunProblem,
  reconcileRequested,
  secretInputForms,
  type Mode,
} from './inputs.ts';
import { cancelOnSignals } from '../util/signals.ts';
import { guardRun, type RunGuard } from '../util/crash-guard.ts';
import { stoppedByOf } from '../util/internal-error-stop.ts';
import { oneOutcome } from './one-outcome.ts';
import { commandsStopBeforeKill, exitsAtOnce } from './cancel-deadline.ts';
import type { ActionRun } from './action-run.ts';
import type { ReconcileSoFar } from './reconcile-deadline.ts';
import { annotateConfigWarnings } from './config-warnings.ts';
import { recordDirProblem } from './record-dir.ts';
import { configSecretValues } from '../config/env-secrets.ts';
import { secretFormsOf } from '../util/secret-values.ts';
import { routeThroughEnvProxy } from '../util/env-proxy.ts';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // A self-hosted runner behind a proxy names it in the job's environment; GitHub is reached through it.
  const proxy = routeThroughEnvProxy(env);
  if (proxy.kind === 'routed') logInfo(proxy.said);
  else if (proxy.kind === 'started') logInfo(proxy.message);
  else if (proxy.kind === 'unsupported') core.warning(proxy.message);
  // Cancelling the job sends SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that: the first
  // signal starts the rollback, the second must not stop it (util/signals.ts).
  // Whatever still runs before the runner's SIGKILL is stopped, so that nothing outlives the job; the stop
  // ends with this run (below), not with the process.
  const beforeKill = commandsStopBeforeKill();
  const cancellation = cancelOnSignals((notice) => {
    if (notice.kind === 'cancel') core.warning(notice.message);
    else logInfo(notice.message);
    beforeKill.onNotice(notice);
  });
  let counter: RequestCounter | undefined;
  let runner: ActionRun | undefined;
  let crashGuard: RunGuard | undefined;
  let reconcileGuard: RunGuard | undefined;
  try {
    // Masked before anything is checked: a problem with the inputs, or a crash, must not show a secret.
    for (const secret of secretInputForms((name) => core.getInput(name))) core.setSecret(secret);
    const inputs = readInputs((name) => core.getInput(name), Object.keys(process.env));
    for (const warning of unknownInputs(Object.keys(process.env)).warnings) core.warning(warning);
    const event = await readEvent(env);
    let context = readRunContext(env, event);
    if (reconcileRequested(inputs, context)) {
      const dryRun = reconcileDryRunProblem(inputs, context);
      if (dryRun) throw new InputError([dryRun]);
      for (const warning of ignoredInputWarnings(inputs, 'reconcile')) core.warning(warning);
      context = await withCommentFork(context, event, inputs.token, env);
      await checkWorkspace(context, { mode: 'reconcile', dryRun: false }, env, inputs.config);
      // A rollout taken up or rolled back here moves traffic: an uncaught error stops it through this
      // cancellation (a rollback goes on to the stable version), and the action exits once reconcile has
      // reported, or at the crash deadline (crash-guard.ts).
      // At the crash deadline, reconcile still going: the outputs and the summary say so (its own report,
      // or the deadline's, whichever begins first).
      const outcome = oneOutcome();
      // Whether a rollback began, for the deadline's code and words (as a deployment's).
      const soFar: ReconcileSoFar = {};
      reconcileGuard = guardRun({
        abort: (reason) => cancellation.abort(reason),
        // None before reconcile has started.
        rolloutInHand: () => soFar.rolloutInHand?.() ?? false,
        rollbackProgress: () => soFar.rollback?.progress() ?? 'none_begun',
        atDeadline: async (late) => {
          const { writeReconcileAtCrashDeadline } = await import('./reconcile-deadline.ts');
          const stoppedBy = stoppedByOf(cancellation.signal) ?? 'an internal error';
          const writer = await outcome.claim('crash_deadline', () =>
            writeReconcileAtCrashDeadline(late, env, soFar, stoppedBy),
          );
          return writer === 'run' ? Number(process.exitCode ?? 0) : undefined;
        },
      });
      return void (counter = await (
        await import('./reconcile.ts')
      ).runReconcile(inputs, context, env, cancellation, outcome, soFar));
    }
    // Delivery metrics (docs/metrics.md): read GitHub's deployments, write the job summary; no deployment.
    // Asked by the input, or by the workflow_dispatch input `mode` when the input is empty (as reconcile).
    if ((inputs.mode ?? context.dispatch?.mode) === 'metrics') {
      for (const warning of ignoredInputWarnings(inputs, 'metrics')) core.warning(warning);
      return void (counter = await (await import('./metrics.ts')).runMetrics(inputs, context, env));
    }
    const plan = planRun(inputs, context);
    for (const warning of ignoredInputWarnings(inputs, plan.mode)) core.warning(warning);
    const taken = rollbackModeNotice(inputs, context);
    if (taken) core.notice(taken);
    // A deployment writes its record at the end: a file where the directory should be is refused now.
    if (plan.mode !== 'gates' && !plan.dryRun) {
      const problem = recordDirProblem(
        inputs.recordDir,
        resolve(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.recordDir),
      );
      if (problem) throw new InputError([problem]);
    }
    // A rollback runs the checkout's commands whatever commit it holds: on a fork's comment, the base's only.
    if (plan.mode === 'rollback' && !plan.dryRun)
      context = await withCommentFork(context, event, inputs.token, env);
    // The commit the workspace holds is the one the run is about (checkout.ts), before any of it runs.
    await checkWorkspace(context, plan, env, inputs.config);
    // yaml and the zod config schemas load here, once a run has a plan: a start that stops earlier
    // (a bad input, an event with nothing to do) compiles and builds none of them (issue 16).
    const { loadConfigWithWarnings } = await import('../config/load.ts');
    const { config, warnings } = await loadConfigWithWarnings(inputs.config);
    // The values of the variables the config's `*_env` keys name (a channel's webhook URL, its secret):
    // masked before anything of the run is logged, as the secret inputs are.
    for (const secret of secretFormsOf(configSecretValues(config, env))) core.setSecret(secret);
    // Accepted, but a run will not do exactly what is written: an annotation on the config's line, once.
    annotateConfigWarnings(warnings);
    let octokit: GitHubClient | undefined;
    if (inputs.token) {
      const { createGitHubClient } = await import('../github/client.ts');
      ({ octokit, counter } = createGitHubClient({
        token: inputs.token,
        baseUrl: context.apiUrl,
        // Retries and giving up are log lines; what was not reported is the reporter's one warning.
        log: (message) => logInfo(message),
        ...clientTuning(env),
      }));
    } else {
      core.warning(
        'no github-token: reporting to the job log only (no Deployments, check runs or PR comment)',
      );
    }
    const { ActionRun } = await import('./action-run.ts');
    runner = new ActionRun(inputs, context, plan, config, octokit, env, cancellation);
    // A deployment's traffic is what a crash must not leave half-moved: until the run's outcome is written, an
    // uncaught error stops it through this cancellation, and the action exits once it ends (crash-guard.ts).
    if (plan.mode !== 'gates' && !plan.dryRun) {
      const started = runner;
      crashGuard = guardRun({
        abort: (reason) => cancellation.abort(reason),
        // Its rollback still going at the crash deadline: the outputs and the summary say so before the exit.
        atDeadline: (late) => started.writeAtCrashDeadline(late),
        rollbackProgress: () => started.rollbackProgress(),
      });
    }
    await runner.execute();
  } catch (error) {
    failWith(error);
  } finally {
    if (counter) {
      // Loaded already: only a run that made the client has a counter.
      const { describeRequests } = await import('../github/client.ts');
      logInfo(describeRequests(counter));
      core.setOutput('github-requests', String(counter.attempts));
    }
    // The outcome is written: a cancellation's stop of every command (made, or its timer still to fire) ends
    // here. A process that goes on (an embedder calling run() again) had every later command stopped at once.
    beforeKill.end();
    // Only now: a signal before this point must find our listener, or signal-exit re-raises it. A cancelled
    // run keeps listening to its exit: the runner's SIGTERM (7.5 s after SIGINT) may come while it exits,
    // and with no listener left it would kill the process and lose the exit code.
    cancellation.release();
    // After a crash stopped reconcile: exits now, failed (3 if a rollback did not complete).
    reconcileGuard?.end(Number(process.exitCode ?? 0));
  }
  // After a crash stopped the run: exits now, failed (3 if its rollback did not complete).
  crashGuard?.end(Number(process.exitCode ?? 0));
  if (exitsAtOnce(runner, cancellation)) process.exit();
}

/**
 * The events whose run deploys what the runner's variables say (GITHUB_SHA the commit, GITHUB_REF a pushed tag)
 * and takes nothing else from the event file but whether a push deleted its branch. Every other event says what
 * is deployed: run without it, a pull request's run
 * deployed GITHUB_SHA (its merge commit, not the head that was reviewed) with no status comment and a fork's
 * pull request not known as a fork's, a workflow_run's deployed the default branch's commit, a deployment
 * event's was refused for having no deployment, a workflow_dispatch's inputs were not seen (its `dry-run: true`
 * deployed for real, its `version` not the one asked), a release's tag was not the version and a deleted or
 * draft release was deployed, a tag's create deployed the commit's version rather than the tag.
 */
const RUNS_WITHOUT_ITS_EVENT = new Set(['push', 'schedule', 'repository_dispatch', 'merge_group']);

/**
 * The event the runner wrote (GITHUB_EVENT_PATH). A file that holds no JSON object is refused (the runner
 * never writes one). An event named without its file (a runner always writes one; a harness may not) is refused
 * where the event says what is deployed, and otherwise warned of and run as if it said nothing, as the
 * toolkit's context reads it.
 */
async function readEvent(env: NodeJS.ProcessEnv): Promise<Record<string, unknown> | undefined> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) {
    const name = env.GITHUB_EVENT_NAME;
    if (!name) return undefined;
    const missing = `GITHUB_EVENT_NAME is ${JSON.stringify(name)} but GITHUB_EVENT_PATH is not set`;
    if (!RUNS_WITHOUT_ITS_EVENT.has(name))
      throw new InputError([
        `${missing}: the action reads the event the runner writes there (what a ${JSON.stringify(name)} run deploys comes from it)`,
      ]);
    core.warning(`${missing}: run as if the event said nothing`);
    return undefined;
  }
  let event: unknown;
  try {
    event = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError([
      `cannot read the event at GITHUB_EVENT_PATH (${path}): ${(error as Error).message}`,
    ]);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new InputError([
      `the event at GITHUB_EVENT_PATH (${path}) is ${event === null ? 'null' : Array.isArray(event) ? 'a list' : `a ${typeof event}`}, not a JSON object`,
    ]);
  return event as Record<string, unknown>;
}

/**
 * issue_comment names no head repository: the comment's pull request is read from GitHub (context.ts
 * commentPull), so a fork's is held to the fork rules of pull_request_target (checkout.ts). One request, on
 * an issue_comment run about a pull request only.
 */
async function withCommentFork(
  context: RunContext,
  event: Record<string, unknown> | undefined,
  token: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<RunContext> {
  if (commentPullNumber(context.eventName, event) === undefined) return context;
  let api;
  if (token) {
    const { createGitHubClient } = await import('../github/client.ts');
    api = createGitHubClient({
      token,
      baseUrl: context.apiUrl,
      log: (message) => logInfo(message),
      ...clientTuning(env),
    }).octokit.rest;
  }
  const found = await commentPull(context, event, api);
  if (found.status === 'fork')
    logInfo(`the comment's pull request #${found.pullNumber} comes from the fork "${found.repository}"`);
  if (found.status === 'unknown')
    core.warning(
      `the comment's pull request #${found.pullNumber} could not be read (${found.detail}): taken as a fork's`,
    );
  return withCommentPull(context, found);
}

async function checkWorkspace(
  context: RunContext,
  run: { mode: Mode; dryRun: boolean },
  env: NodeJS.ProcessEnv,
  config: string,
): Promise<void> {
  const { checkoutDir, verifyCheckout } = await import('./checkout.ts');
  const where = { cwd: process.cwd(), workspace: env.GITHUB_WORKSPACE ?? process.cwd() };
  const dir = checkoutDir(
    config,
    where,
    (d) => statSync(d, { throwIfNoEntry: false })?.isDirectory() === true,
  );
  await verifyCheckout(context, run, dir, (level, message) =>
    (level === 'warn' ? core.warning : logInfo)(message),
  );
}

/** Back-off and spacing, tunable for tests that simulate GitHub outages on loopback. */
function clientTuning(env: NodeJS.ProcessEnv) {
  const n = (name: string) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : undefined);
  const budgetMs = n('DEPLOY_ACTION_GITHUB_BUDGET_MS');
  return {
    retryBaseMs: n('DEPLOY_ACTION_RETRY_BASE_MS'),
    writeIntervalMs: n('DEPLOY_ACTION_WRITE_INTERVAL_MS'),
    // The run's wall time for GitHub failures: a test of what the lookups find, not of the budget, widens it
    // so a busy machine's slow answers do not spend it.
    ...(budgetMs !== undefined && { budget: { budgetMs } }),
  };
}

function failWith(error: unknown): void {
  if (error instanceof ConfigLoadError) {
    for (const e of error.errors)
      core.error(e.message, {
        file: e.file,
        startLine: e.line,
        startColumn: e.column,
        title: e.path || 'config',
      });
    core.setFailed(`${error.errors.length} error(s) in the deploy config`);
  } else if (error instanceof InputError) {
    for (const problem of error.problems) core.error(problem);
    core.setFailed(`${error.problems.length} problem(s) with the action's inputs and the event it runs on`);
  } else {
    core.setFailed((error as Error).message);
  }
}
