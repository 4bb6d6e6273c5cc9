// The Action's `mode: reconcile` (docs/reconcile.md): every environment named by the `environment` input
// (one, or a comma list; none: all in the config) is reconciled against its record on GitHub; a rollout whose
// workflow run ended is rolled back (or resumed, with `on_orphan: resume`) and its deployment marked; due
// retired slots are torn down. Outputs: status, code, reconcile (JSON); the job summary lists what was done.
import * as core from '@actions/core';
import { logInfo } from './job-log.ts';
import { plainLinesRedacted } from '../util/plain-text.ts';
import { credentialRedactor, redactDeep, redactingReporter } from '../report/redact.ts';
import { loadConfigFile } from '../config/load.ts';
import { createDeploymentStatusOnce } from '../github/deployments.ts';
import { createGitHubClient, type GitHubClient, type RequestCounter } from '../github/client.ts';
import { terminalReporter } from '../report/terminal.ts';
import { renderReconcileSummary } from '../report/reconcile.ts';
import { InPlaceGitHubStore } from '../reconcile/github-store.ts';
import { fileStrayRecords } from '../reconcile/stray.ts';
import type { RawConfig } from '../config/schema.ts';
import { lockRunStatusFor, ownerStatusFor, thisProcessOwner } from '../reconcile/owner.ts';
import {
  needsAttention,
  reconcile,
  ReconcileUsageError,
  type ReconcileEntry,
  type ReconcileOptions,
  type ReconcileSummary,
} from '../reconcile/run.ts';
import { FileStateStore } from '../state/file-store.ts';
import type { StateRead, StateStore } from '../state/store.ts';
import type { RunContext } from './context.ts';
import { GitHubControlSource, type RequestFn } from '../control/github-channel.ts';
import { FileControlChannel } from '../control/file-channel.ts';
import { fileReconcileLock } from '../cli/reconcile-lock.ts';
import { environmentList, InputError, stateKeysOf, type ActionInputs } from './inputs.ts';
import { reconcileNotifiers } from '../notify/wiring.ts';
import { configSecretValues } from '../config/env-secrets.ts';
import { secretFormsOf } from '../util/secret-values.ts';
import type { Cancellation } from '../util/signals.ts';
import { closeByDeadline, flushTimeoutOf } from './cancel-deadline.ts';
import type { OneOutcome } from './one-outcome.ts';
import type { ReconcileSoFar } from './reconcile-deadline.ts';
import { inputProblem, internalErrorMessage, writeReconcileFailure } from './reconcile-failure.ts';
import { rollbackWatch } from '../pipeline/rollback-seen.ts';
import { rolloutsInHand } from '../reconcile/in-hand.ts';
import { fanOut } from '../pipeline/events.ts';

export async function runReconcile(
  inputs: ActionInputs,
  context: RunContext,
  env: NodeJS.ProcessEnv,
  /**
   * The job's cancellation: a rollout resumed here is rolled back when the job is cancelled, and its record's
   * last writes get what is left of the reporting time (cancel-deadline.ts), as in a deployment.
   */
  cancellation?: Pick<Cancellation, 'signal' | 'received'>,
  /** Who writes the outcome: this report or the crash deadline's (one-outcome.ts), whichever begins first. */
  outcome?: OneOutcome,
  /** Filled in here for the crash deadline's outcome: the rollbacks reported, the redaction (reconcile-deadline.ts). */
  soFar?: ReconcileSoFar,
): Promise<RequestCounter | undefined> {
  // The entries done, and the redaction (the inputs' secrets until the config's are known), for the crash
  // deadline's outputs and an internal error's.
  const known: Required<Pick<ReconcileSoFar, 'entries' | 'redact'>> & { reporting: boolean } = {
    entries: [],
    redact: credentialRedactor([inputs.token, inputs.stateKey, inputs.stateKeyPrevious]),
    reporting: false,
  };
  try {
    return await reconcileAndReport(inputs, context, env, known, cancellation, outcome, soFar);
  } catch (error) {
    // An internal error (not the inputs, not the config) before reconcile's own report began: failed /
    // internal_error and the message, as a deployment's. It wrote no status or code output.
    if (inputProblem(error) || known.reporting) throw error;
    const message = known.redact(internalErrorMessage(error));
    const write = () => writeReconcileFailure(message, redactDeep(known.entries, known.redact), env);
    try {
      if (!outcome) await write();
      else if ((await outcome.claim('run', write)) === 'crash_deadline')
        logInfo('reconcile failed after the crash deadline wrote its outcome: that outcome stands');
    } catch (writeError) {
      core.warning(`could not write the outputs of the failed reconcile: ${(writeError as Error).message}`);
    }
    throw error;
  }
}

async function reconcileAndReport(
  inputs: ActionInputs,
  context: RunContext,
  env: NodeJS.ProcessEnv,
  known: { entries: ReconcileEntry[]; redact: (text: string) => string; reporting: boolean },
  cancellation?: Pick<Cancellation, 'signal' | 'received'>,
  outcome?: OneOutcome,
  soFar?: ReconcileSoFar,
): Promise<RequestCounter | undefined> {
  const rollback = rollbackWatch();
  const inHand = rolloutsInHand();
  const done = known.entries;
  if (soFar) Object.assign(soFar, { rollback, rolloutInHand: inHand.now, entries: done });
  const config = await loadConfigFile(inputs.config);
  const environments = environmentList(inputs.environment ?? context.dispatch?.environment);
  // What a command printed (a push's URL with its token) leaves the runner unmasked in the outputs, the job
  // summary and the deployment status: credentials redacted there, as in a deployment (action-run.ts).
  // With the values of the variables the config's `*_env` keys name (a channel's webhook URL), masked in the
  // log from here on: a notifier is made only when a rollout needs one, after a command may have printed them.
  const configSecrets = configSecretValues(config, env);
  for (const secret of secretFormsOf(configSecrets)) core.setSecret(secret);
  const redact = credentialRedactor([
    inputs.token,
    inputs.stateKey,
    inputs.stateKeyPrevious,
    ...configSecrets,
  ]);
  known.redact = redact;
  if (soFar) soFar.redact = redact;
  let octokit: GitHubClient | undefined;
  let counter: RequestCounter | undefined;
  if (inputs.token)
    ({ octokit, counter } = createGitHubClient({
      token: inputs.token,
      baseUrl: context.apiUrl,
      log: (message) => logInfo(message),
    }));

  // Slack, Teams and webhooks for the rollouts it goes on with or rolls back (docs/notifications.md).
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  // The values this run masks in its log stay out of the records it writes too (the list grows as notifiers
  // are made).
  const secrets = [inputs.token, inputs.stateKey, inputs.stateKeyPrevious, ...configSecrets].filter(
    (s): s is string => !!s,
  );
  const notifiers = reconcileNotifiers(
    config,
    {
      repository: `${context.owner}/${context.repo}`,
      ref: context.ref,
      runUrl: context.runUrl,
      deploymentUrl: `${serverUrl}/${context.owner}/${context.repo}/deployments`,
      by: context.runId ? `reconcile run ${context.runId}` : 'reconcile',
    },
    {
      env,
      // An annotation quotes what others chose (a file name, a command's output): inert, as the log's lines.
      log: (level, message) =>
        level === 'warn' ? core.warning(plainLinesRedacted(message, redact)) : logInfo(message, redact),
      onSecret: (secret) => {
        core.setSecret(secret);
        secrets.push(secret);
      },
      known: [inputs.token, inputs.stateKey, inputs.stateKeyPrevious, ...configSecrets],
      // Once the job is cancelled, the last messages wait no longer than the reporting deadline: the summary
      // and outputs come after them, and the runner kills the job 10 s after its first signal.
      ...(cancellation ? { closeBy: closeByDeadline(cancellation) } : {}),
    },
  );
  const actor = `reconcile${context.runId ? `:${context.runId}` : ''}`;
  const summary = await reconcile({
    config,
    environments,
    ...(inputs.adoptCurrent
      ? {
          adoptCurrent: true,
          requestedBy: context.actor ? `${context.actor} via ${actor}` : actor,
        }
      : {}),
    storeFor: storeFactory(inputs, context, octokit),
    ...exclusiveFactory(inputs, context, octokit),
    secrets,
    ownerStatus: ownerStatusFor({
      github: octokit ? { api: octokit.rest, owner: context.owner, repo: context.repo } : undefined,
    }),
    actor,
    // A rollout resumed here is owned by this run: if it dies too, the next reconcile finds the orphan.
    owner: context.runId
      ? {
          kind: 'workflow',
          runId: context.runId,
          runAttempt: env.GITHUB_RUN_ATTEMPT,
          runUrl: context.runUrl,
        }
      : thisProcessOwner(),
    signal: cancellation?.signal,
    ...(cancellation ? { flushTimeoutMs: flushTimeoutOf(cancellation) } : {}),
    // Each event redacted before the terminal makes it plain (a secret holding `##[` is another text after),
    // and each line after (a secret split by an invisible character the terminal dropped).
    reporter: fanOut([
      redactingReporter(
        terminalReporter({ color: false, write: (text) => process.stdout.write(redact(text)) }),
        redact,
      ),
      rollback.reporter,
    ]),
    stateDir: inputs.stateDir,
    rolloutInHand: inHand.told,
    entryDone: (entry) => void done.push(entry),
    markDeployment: octokit ? markDeployment(octokit, context, redact) : undefined,
    controlFor: controlFactory(inputs, context, octokit),
    ...(notifiers
      ? {
          notifierFor: (e, rollout) => notifiers.forRollout(e.name, rollout),
          notifierForRelease: (e, release) => notifiers.forRelease(e.name, release),
        }
      : {}),
    ...strayFactory(inputs, config, environments),
  })
    .catch((error: unknown) => {
      // Asked wrongly (adopt-current for no or several environments): a problem with the inputs.
      if (error instanceof ReconcileUsageError) throw new InputError([error.message]);
      throw error;
    })
    .finally(() => notifiers?.close());
  const write = () => {
    known.reporting = true;
    return report(redactDeep(summary, redact), env, redact);
  };
  if (!outcome) await write();
  else if ((await outcome.claim('run', write)) === 'crash_deadline')
    logInfo('reconcile ended after the crash deadline wrote its outcome: that outcome stands');
  return counter;
}

/**
 * `state-dir` given: the records are files there (self-hosted runners), and a record lock left by a run
 * attempt of this repository that GitHub says has finished is taken over at once; otherwise they are on GitHub.
 */
export function storeFactory(
  inputs: Pick<ActionInputs, 'stateDir' | 'stateKey' | 'stateKeyPrevious'>,
  context: Pick<RunContext, 'owner' | 'repo'>,
  octokit: Pick<GitHubClient, 'rest'> | undefined,
): ReconcileOptions['storeFor'] {
  if (inputs.stateDir) {
    const store = new FileStateStore(
      inputs.stateDir,
      octokit
        ? { runStatus: lockRunStatusFor({ api: octokit.rest, owner: context.owner, repo: context.repo }) }
        : {},
    );
    return () => store;
  }
  const keyInput = inputs.stateKey;
  if (!octokit || !keyInput) {
    const missing = !octokit ? 'github-token' : 'state-key';
    const refused: StateStore = {
      read: async (): Promise<StateRead> => ({
        ok: false,
        code: 'state_unverifiable',
        message: `the records are on GitHub and input "${missing}" is empty, so they cannot be read and checked`,
        source: 'inputs',
      }),
      write: async () => {},
    };
    return () => refused;
  }
  let keys: Buffer[];
  try {
    keys = stateKeysOf(inputs);
  } catch (error) {
    throw new InputError([(error as Error).message]);
  }
  // Signed under the first (state-key); read under either, during a rotation.
  const store = new InPlaceGitHubStore({
    api: octokit.rest,
    owner: context.owner,
    repo: context.repo,
    keys,
  });
  return () => store;
}

/**
 * `state-dir` given: the records there of environments the config no longer defines are reported, as by the
 * CLI's reconcile (stray.ts). On GitHub they cannot be listed by environment without reading the repository's
 * whole deployment history (docs/reconcile.md): not looked for, and the log says so once.
 */
export function strayFactory(
  inputs: Pick<ActionInputs, 'stateDir'>,
  config: RawConfig,
  environments: string[] | undefined,
): Pick<ReconcileOptions, 'strayRecords'> {
  if (inputs.stateDir) return { strayRecords: () => fileStrayRecords(config, inputs.stateDir) };
  if (!environments?.length)
    logInfo(
      'records of environments removed from the config are not looked for on GitHub (docs/reconcile.md, "Environments removed from the config")',
    );
  return {};
}

/**
 * `state-dir` given: each environment is reconciled under `<state-dir>/locks/reconcile-<env>.lock`, the lock
 * the CLI's reconcile and promote take in that directory (cron on the same machine, or another runner's job
 * sharing it), so two never act on one rollout. One left by a run attempt of this repository that GitHub
 * says has finished is taken over (with a token); one of another host is otherwise left to it.
 */
export function exclusiveFactory(
  inputs: Pick<ActionInputs, 'stateDir'>,
  context: Pick<RunContext, 'owner' | 'repo'>,
  octokit: Pick<GitHubClient, 'rest'> | undefined,
): Pick<ReconcileOptions, 'exclusive'> {
  if (!inputs.stateDir) return {};
  const runStatus = octokit
    ? lockRunStatusFor({ api: octokit.rest, owner: context.owner, repo: context.repo })
    : undefined;
  return { exclusive: fileReconcileLock(undefined, runStatus ? { runStatus } : {}) };
}

/**
 * Where a handed-off rollout's /promote, /pause, /resume and /abort are read (docs/control.md): the App's
 * `rollout / <env>` check runs on the rollout's commit, verified under the state key; or the state
 * directory's control file where the records are files.
 */
export function controlFactory(
  inputs: ActionInputs,
  context: RunContext,
  octokit: GitHubClient | undefined,
): ReconcileOptions['controlFor'] {
  if (inputs.stateDir) return (env) => new FileControlChannel(inputs.stateDir!, env.name);
  const keyInput = inputs.stateKey;
  if (!octokit || !keyInput) return undefined;
  const keys = stateKeysOf(inputs);
  return (env, rollout) =>
    rollout.sha
      ? new GitHubControlSource(
          octokit.request as unknown as RequestFn,
          { owner: context.owner, repo: context.repo },
          {
            repository: `${context.owner}/${context.repo}`,
            environment: env.name,
            deploymentId: rollout.deploymentId,
          },
          rollout.sha,
          keys,
          // Only the deploy App's check runs: the input's id, else the app that made the deployment.
          inputs.controlAppId ?? 'deployment',
          // A handed-off rollout: each reconcile run takes it up again, so cancelling one stops nothing.
          'cancelling a reconcile run does not stop this rollout (the next one takes it up again): a person must move its traffic back to the stable version by hand',
        )
      : undefined;
}

export function markDeployment(
  octokit: GitHubClient,
  context: Pick<RunContext, 'owner' | 'repo' | 'runUrl'>,
  redact: (text: string) => string = (text) => text,
): ReconcileOptions['markDeployment'] {
  return async (deployment, state, description) => {
    const id = Number(deployment.id);
    // The CLI's run ids are not GitHub deployments.
    if (!Number.isSafeInteger(id) || id <= 0) return;
    // A record kept in a state-dir may name a workflow run where a deployment belongs: the status goes only
    // to a deployment of this environment (and commit), never to whatever else has that number.
    const found = await octokit.rest.repos
      .getDeployment({ owner: context.owner, repo: context.repo, deployment_id: id })
      .then(({ data }) => data as { environment: string; sha: string })
      .catch((error: { status?: number }) => {
        if (error.status === 404) return undefined;
        throw error;
      });
    const sameSha = !deployment.sha || found?.sha.toLowerCase() === deployment.sha.toLowerCase();
    if (!found || found.environment !== deployment.environment || !sameSha) {
      logInfo(
        `no status for deployment ${id}: it is not a deployment of ${deployment.environment}` +
          `${deployment.sha ? ` at ${deployment.sha.slice(0, 12)}` : ''}`,
      );
      return;
    }
    await createDeploymentStatusOnce(octokit.rest, {
      owner: context.owner,
      repo: context.repo,
      deploymentId: id,
      state,
      description: redact(description),
      logUrl: context.runUrl,
    });
  };
}

async function report(
  summary: ReconcileSummary,
  env: NodeJS.ProcessEnv,
  redact: (text: string) => string,
): Promise<void> {
  // Entries quote names from the state dir, commands' output and GitHub's answers: annotations show them as
  // inert text (a right-to-left override in a record file's name reordered the run's page), redacted before
  // (a secret holding `##[`) and again once the invisible characters that could split a credential are gone.
  const annotation = (text: string) => plainLinesRedacted(text, redact);
  const failed = summary.entries.filter((e) => e.failed);
  core.setOutput(
    'reconcile',
    JSON.stringify({
      entries: summary.entries,
      failed: summary.failed,
      ...(summary.stoppedBy !== undefined ? { stoppedBy: summary.stoppedBy } : {}),
    }),
  );
  core.setOutput('status', summary.failed ? 'failed' : 'succeeded');
  // An adoption says which way it went (current_adopted, current_agrees).
  const adopted = summary.entries.find((e) => e.code === 'current_adopted' || e.code === 'current_agrees');
  // Stopped by a crash: that first (the entries may all have gone well, a rollback among them).
  core.setOutput(
    'code',
    summary.stoppedBy !== undefined ? 'internal_error' : (failed[0]?.code ?? adopted?.code ?? 'reconciled'),
  );
  // Annotations, so a refused record or an unknown owner shows on the run's page, not only in its log.
  for (const e of summary.entries.filter(needsAttention))
    core.warning(annotation(`${e.environment}: ${e.code}: ${e.message}`));
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(renderReconcileSummary(summary), true).write();
    } catch (error) {
      core.warning(`could not write the job summary: ${(error as Error).message}`);
    }
  }
  if (summary.failed)
    core.setFailed(
      annotation(
        [
          ...(summary.stoppedBy !== undefined
            ? [`reconcile was stopped by an internal error: ${summary.stoppedBy}`]
            : []),
          ...failed.map((e) => `${e.environment}: ${e.code}: ${e.message}`),
        ].join('\n'),
      ),
    );
}
