// `plan`: exactly what a run would do, with every command as it would be executed, and nothing run.
import type { RawConfig } from '../config/schema.ts';
import {
  resolveEnvironment,
  type ResolvedEnvironment,
  type ResolvedHealthCheck,
  type ResolveOverrides,
} from '../config/resolve.ts';
import { isFirstDeployment, type LiveState } from '../strategies/capabilities.ts';
import { describeStep } from '../strategies/sequence.ts';
import type { Step } from '../strategies/types.ts';
import { describeCommand } from '../targets/run-command.ts';
import { renderUrl } from '../targets/http-check.ts';
import type { TemplateValues } from '../targets/template.ts';
import { FileStateStore } from '../state/file-store.ts';
import { gateEntries } from '../gates/registry.ts';
import { capabilitiesOf, commandFor, deploymentValues, stepValues } from './step-runner.ts';
import type { PhaseId } from './events.ts';
import { redactCredentials } from '../report/redact.ts';
import { formatDuration } from '../config/duration.ts';
import { recordRefusal, teardownRefusal } from './machine/records.ts';
import { liveSlotProblem, unslottedCanaryProblem } from './live-state.ts';
import { MAX_IN_JOB_SCALE_DOWN_WAIT_MS } from './machine/finalize.ts';
import { createStrategy, usesSlots } from '../strategies/index.ts';
import { returnable } from './step-runner.ts';
import { liveHealthChecks, liveHealthPolicy } from './live-health.ts';

export interface PlannedAction {
  description: string;
  reason?: string;
  /** The command as it would run (argv shown one argument each), or the URLs checked. */
  run?: string;
}

export interface DeploymentPlan {
  environment: string;
  version: string;
  previousVersion?: string;
  strategy: string;
  /**
   * `unread`: the record was refused (or could not be read), so what is live is unknown, not none.
   * `currentNotAsked`: nothing live is recorded, and the run asks the target's current command, which plan does
   * not run: what is live is unknown here too (a router may serve a release with no record), not a first
   * deployment; `liveNote` says what the run does with the answer.
   */
  live: LiveState & { source: string; unread?: true; currentNotAsked?: true };
  liveNote?: string;
  /**
   * Why the run would deploy nothing, as it reads today (the state record, an unfinished rollout in it, a
   * live slot that is not one of the environment's slots), with the run's own code and words. The current
   * command is not run by plan: what it would say can still refuse the run.
   */
  refused?: { environment: string; code: 'state_refused' | 'rollout_unfinished'; message: string };
  phases: Array<{ phase: PhaseId; environment: string; actions: PlannedAction[] }>;
  /** What a failure in production (or its verify / monitor) runs. */
  rollback: PlannedAction[];
  /** What a failure in the staging phase runs: staging's own rollback and levels (production is untouched). */
  stagingRollback?: { environment: string; actions: PlannedAction[] };
}

export function planDeployment(
  config: RawConfig,
  environment: string,
  version: string,
  sha?: string,
  overrides: ResolveOverrides & {
    /** A hotfix (`run --skip-staging`, the Action's `type: hotfix`): the run skips staging. */
    skipStaging?: boolean;
  } = {},
): DeploymentPlan {
  const { skipStaging, ...resolveOverrides } = overrides;
  const env = resolveEnvironment(config, environment, resolveOverrides);
  const phases: DeploymentPlan['phases'] = [];
  const live = liveFromState(env);
  let refused = live.refused;
  const gates = gateEntries(env.gates ?? {}).map((entry) => entry.name);
  phases.push({
    phase: 'validate',
    environment: env.name,
    actions: [
      {
        // As the run does: a rollback goes back to a version that passed them (action-run.ts skipGates).
        description: env.rollback
          ? 'skipped: a rollback runs no quality gates'
          : gates.length
            ? `run the quality gates in parallel (${gates.join(', ')}); BLOCK stops here`
            : 'no gates configured',
      },
      ...liveHealthActions(env, live, version, sha, !!skipStaging),
    ],
  });
  if (env.staging && env.rollback)
    phases.push({
      phase: 'staging',
      environment: env.staging,
      actions: [{ description: 'skipped: a rollback goes straight back' }],
    });
  else if (env.staging && skipStaging)
    phases.push({
      phase: 'staging',
      environment: env.staging,
      actions: [{ description: 'skipped (hotfix)' }],
    });
  let stagingRollback: DeploymentPlan['stagingRollback'];
  if (env.staging && !env.rollback && !skipStaging) {
    // As the run does (machine/loop.ts program): staging's own hooks, its strategy, its smoke and health
    // checks, its validation window, then its finalize (no on_success there), before production starts.
    const staging = resolveEnvironment(config, env.staging, { stateDir: overrides.stateDir });
    const stagingLive = liveFromState(staging);
    refused ??= stagingLive.refused;
    const stagingValues = deploymentValues(staging, { version, sha }, stagingLive);
    const stagingMain = strategyActions(staging, version, sha, stagingLive);
    phases.push({
      phase: 'staging',
      environment: staging.name,
      actions: [
        ...hookActions(staging, stagingValues),
        ...stagingMain.actions,
        ...verifyActions(staging, stagingValues, stagingMain.liveSlot),
        staging.validationWindowMs > 0
          ? {
              description: `validation window: watch ${staging.name} before production starts`,
              run: analysisText(staging, staging.validationWindowMs),
            }
          : { description: 'validation window is 0: skipped' },
        {
          description: `finalize ${staging.name}: ${finalizeText(staging, stagingLive, stagingMain.retiredSlot)}`,
        },
      ],
    });
    stagingRollback = {
      environment: staging.name,
      actions: [...stagingMain.rollback, ...levelActions(staging, stagingValues, stagingLive.slot)],
    };
  }
  const values = deploymentValues(env, { version, sha }, live);
  const main = strategyActions(env, version, sha, live);
  phases.push({
    phase: 'production',
    environment: env.name,
    actions: [...hookActions(env, values), ...main.actions],
  });
  phases.push({
    phase: 'verify',
    environment: env.name,
    actions: verifyActions(env, values, main.liveSlot),
  });
  phases.push({
    phase: 'monitor',
    environment: env.name,
    actions: [
      {
        description:
          env.monitorMs > 0
            ? `watch for ${formatDuration(env.monitorMs)}, rollback triggers armed`
            : 'monitor window is 0: skipped',
      },
    ],
  });
  phases.push({
    phase: 'finalize',
    environment: env.name,
    actions: [
      { description: finalizeText(env, live, main.retiredSlot) },
      ...(env.hooks.onSuccess
        ? [
            {
              description: 'on_success hook',
              run: safeCommand(() => describeCommand(env.hooks.onSuccess!, values)),
            },
          ]
        : []),
      ...afterSuccessActions(env, values),
    ],
  });
  // Commands as they would run, but never a credential written into one: the plan is printed, put in the
  // job summary and given as JSON.
  const shown = (a: PlannedAction): PlannedAction => (a.run ? { ...a, run: redactCredentials(a.run) } : a);
  return {
    environment: env.name,
    version,
    previousVersion: live.version,
    strategy: env.strategy.type,
    live: {
      ...(live.slot !== undefined ? { slot: live.slot } : {}),
      ...(live.version !== undefined ? { version: live.version } : {}),
      source: live.source,
      ...(live.unread ? { unread: true as const } : {}),
      ...(live.currentNotAsked ? { currentNotAsked: true as const } : {}),
    },
    ...(live.currentNotAsked ? { liveNote: currentAnswerNote(env) } : {}),
    ...(refused ? { refused } : {}),
    phases: phases.map((p) => ({ ...p, actions: p.actions.map(shown) })),
    rollback: [...main.rollback, ...levelActions(env, values, live.slot)].map(shown),
    ...(stagingRollback
      ? { stagingRollback: { ...stagingRollback, actions: stagingRollback.actions.map(shown) } }
      : {}),
  };
}

/** The backup and migrate hooks, run before the strategy. */
function hookActions(env: ResolvedEnvironment, values: TemplateValues): PlannedAction[] {
  return (['backup', 'migrate'] as const).flatMap((name) => {
    const hook = env.hooks[name];
    return hook
      ? [{ description: `${name} hook`, run: safeCommand(() => describeCommand(hook, values)) }]
      : [];
  });
}

/**
 * The on_rollback levels, run in order once traffic is back on the stable version (machine/rollback.ts), each
 * followed by its verify when it has one; a verify that passes skips the later levels. `health` checks the slot
 * traffic went back to, the live one.
 */
function levelActions(
  env: ResolvedEnvironment,
  values: TemplateValues,
  liveSlot: string | undefined,
): PlannedAction[] {
  return env.hooks.onRollback.flatMap((level) => {
    const verify = level.verify;
    return [
      {
        description: `rollback level ${level.name}`,
        run: safeCommand(() => describeCommand(level.command, values)),
      },
      ...(verify
        ? [
            {
              description: `verify ${level.name}: if it passes, the later levels are skipped`,
              run:
                verify.kind === 'health'
                  ? describeChecks(env, liveSlot ? { ...values, slot: liveSlot } : values)
                  : safeCommand(() => describeCommand(verify.command, values)),
            },
          ]
        : []),
    ];
  });
}

/** The smoke command, then the health checks of what is live once the strategy is done. */
function verifyActions(
  env: ResolvedEnvironment,
  values: TemplateValues,
  liveSlot: string | undefined,
): PlannedAction[] {
  return [
    ...(env.smoke
      ? [{ description: 'smoke tests', run: safeCommand(() => describeCommand(env.smoke!, values)) }]
      : []),
    // The run checks what is live once the strategy is done (pipeline/machine/watch.ts, watchStep): the new
    // slot.
    {
      description: 'health checks',
      run: describeChecks(env, liveSlot ? { ...values, slot: liveSlot } : values),
    },
  ];
}

/**
 * What finalize does after recording the new release, as the run decides it (machine/finalize.ts): only a
 * slot strategy leaves an old slot, a first deployment none, and without a teardown command it stays up.
 */
function finalizeText(env: ResolvedEnvironment, live: PlanLive, retiredSlot: string | undefined): string {
  const record = 'record the live version';
  if (!usesSlots(env.strategy))
    return `${record} (${env.strategy.type} replaces the release in place: there is no old slot to decommission)`;
  // A record plan did not believe is no first deployment: what serves is unknown here.
  if (!retiredSlot && live.unknown)
    return `${record}; decommission the old slot, if any: plan does not know one (${notKnownWhy(live)})`;
  if (!retiredSlot && isFirstDeployment(live))
    return `${record}; nothing to decommission: a first deployment has no old slot`;
  // A version served from no recorded slot (switched from direct): finalize knows no slot to tear down.
  if (!retiredSlot)
    return `${record}; nothing to decommission: no slot is recorded for ${live.version ?? 'what served'}`;
  const old = `the old slot ${retiredSlot}${live.version ? ` (${live.version})` : ''}`;
  if (!env.target.teardown) return `${record}; ${old} stays up: the target has no teardown command`;
  const delay = env.strategy.scaleDownDelayMs;
  if (delay <= 0) return `${record}; decommission ${old} at once`;
  if (delay <= MAX_IN_JOB_SCALE_DOWN_WAIT_MS)
    return `${record}; decommission ${old} after ${formatDuration(delay)}`;
  return `${record}; ${old} stays up as the instant rollback target for ${formatDuration(delay)}, then a reconcile run decommissions it`;
}

/** hooks.after_success: not run by the deployment, but by reconcile once the release has served its delay. */
function afterSuccessActions(env: ResolvedEnvironment, values: TemplateValues): PlannedAction[] {
  const hook = env.hooks.afterSuccess;
  if (!hook) return [];
  const after = formatDuration(hook.afterMs);
  return [
    {
      description: env.rollback
        ? `hooks.after_success: not run for a rollback deployment's release`
        : `hooks.after_success: run by reconcile once this release has been live for ${after} (the first reconcile after that), unless it was rolled back or replaced by then; once, not retried if it fails`,
      ...(env.rollback ? {} : { run: safeCommand(() => describeCommand(hook.command, values)) }),
    },
  ];
}

/** What is live as plan reads it, and why it does not know when it does not. */
type PlanLive = LiveState & { source: string; unread?: true; currentNotAsked?: true };

/** Why plan does not know what is live (PlanLive.unknown): the record was refused, or the run asks `current`. */
function notKnownWhy(live: PlanLive): string {
  return live.currentNotAsked
    ? 'the run asks the current command, which plan does not run'
    : 'the record was not read';
}

/**
 * What the run does where nothing live is recorded and it asks the current command (readLiveForRun): goes by
 * its answer, a release it names being what the rollout replaces and goes back to. Pure.
 */
function currentAnswerNote(env: ResolvedEnvironment): string {
  const slots = 'slots' in env.strategy ? env.strategy.slots : undefined;
  const beside = slots
    ? `on the other slot of ${slots.join(' / ')} (the steps below show ${slots[0]}, as for a live ${slots[1]})`
    : 'replacing it';
  return (
    'it asks the current command what serves first, which plan does not run. If it names a live slot and ' +
    `version (a release with no state record), the run deploys beside it, ${beside}, and goes back to that ` +
    "release on a rollback (an answer it cannot go by, such as a slot that is not one of the environment's, " +
    'refuses the run); if it prints nothing, the run deploys as a first deployment'
  );
}

function liveFromState(env: ResolvedEnvironment): PlanLive & { refused?: DeploymentPlan['refused'] } {
  const read = new FileStateStore(env.stateDir).readSync(env.name);
  const saved = read.ok ? read.record?.live : undefined;
  const source = env.target.current
    ? "the target's current command (not run by plan; state record shown)"
    : 'state record';
  // As the run decides at its start (machine/records.ts believe, live-state.ts readLiveForRun).
  const failure = recordRefusal(env, read);
  // A teardown claimed on the slot it would deploy into: the plan reads the live slot from the record (the
  // current command is not run), as the rest of the plan does.
  const slotProblem =
    (env.target.current ? undefined : liveSlotProblem(env, saved?.slot, 'record')) ??
    (env.target.current || !saved ? undefined : unslottedCanaryProblem(env, saved, 'record')) ??
    (read.ok && read.record ? teardownRefusal(env, saved?.slot, read.record) : undefined);
  const refused: DeploymentPlan['refused'] = failure
    ? {
        environment: env.name,
        code: failure.kind === 'unfinished' ? 'rollout_unfinished' : 'state_refused',
        message: failure.message,
      }
    : slotProblem
      ? { environment: env.name, code: 'state_refused', message: slotProblem }
      : undefined;
  const why = refused ? { refused } : {};
  // Unknown to the strategies too: they plan and word no first deployment over it.
  if (!read.ok)
    return {
      source: `${source}: refused [${read.code}]: ${read.message}`,
      unread: true,
      unknown: true,
      ...why,
    };
  if (saved) return { slot: saved.slot, version: saved.version, source, ...why };
  // A record may hold no live release yet (a first deployment's unfinished rollout): not "nothing".
  const none = read.record ? 'no live release recorded' : 'nothing recorded yet';
  // The run goes by the current command's answer (readLiveForRun), which may name a release never recorded:
  // not known here, so no first deployment is planned or worded over it.
  if (env.target.current)
    return { source: `${source}: ${none}`, unknown: true, currentNotAsked: true, ...why };
  return { source: `${source}: ${none}`, ...why };
}

/** As the run does before anything is touched (live-health.ts, seed 02): the live version's health checks. */
function liveHealthActions(
  env: ResolvedEnvironment,
  live: PlanLive,
  version: string,
  sha: string | undefined,
  hotfix: boolean,
): PlannedAction[] {
  // Nothing recorded, and the run asks the current command, which may name a live release to look at.
  if (
    live.unknown &&
    live.currentNotAsked &&
    env.preDeployHealth !== 'off' &&
    liveHealthChecks(env).length > 0
  )
    return [
      {
        description:
          `health check of what the current command names live, if anything (pre_deploy_health; ${notKnownWhy(live)}): ` +
          (env.preDeployHealth === 'block' && !hotfix && !env.rollback
            ? 'an unhealthy live version refuses the run, nothing touched'
            : 'unhealthy is warned of, the run goes on'),
        // Not rendered: its {{slot}} and {{version}} are what the current command will name.
        run: `${liveHealthChecks(env).length} health check(s), with the {{slot}} and {{version}} the current command names`,
      },
    ];
  if (live.unknown) return [];
  const policy = liveHealthPolicy(env, live, { hotfix });
  if (!policy.look) return [];
  const values = { ...deploymentValues(env, { version, sha }, live), version: live.version, slot: live.slot };
  return [
    {
      description:
        `health check of the live version${live.version ? ` ${live.version}` : ''}${live.slot ? ` on ${live.slot}` : ''} ` +
        (policy.refuses
          ? '(pre_deploy_health): unhealthy refuses the run, nothing touched'
          : '(pre_deploy_health): unhealthy is warned of, the run goes on'),
      run: describeChecks(env, values, liveHealthChecks(env)),
    },
  ];
}

function describeChecks(
  env: ResolvedEnvironment,
  values: TemplateValues,
  checks: readonly ResolvedHealthCheck[] = env.health,
): string {
  if (checks.length === 0) return 'none configured';
  return checks
    .map((c) =>
      c.kind === 'http'
        ? `${c.method} ${safeUrl(c.url, values)}`
        : safeCommand(() => describeCommand(c.command, values)),
    )
    .join('; ');
}

function safeUrl(url: string, values: TemplateValues): string {
  try {
    return renderUrl(url, values);
  } catch {
    return url;
  }
}
/**
 * The command as it would run, or why it would fail to render (a value it has none of here, such as
 * {{previous_version}} before a first deployment): said in the plan, where the run fails that step.
 */
function safeCommand(describe: () => string): string {
  try {
    return describe();
  } catch (error) {
    return `(${(error as Error).message})`;
  }
}

function strategyActions(env: ResolvedEnvironment, version: string, sha: string | undefined, live: PlanLive) {
  const values = deploymentValues(env, { version, sha }, live);
  const machine = createStrategy(env.strategy, capabilitiesOf(env), live);
  const describe = (step: Step, reason?: string): PlannedAction => {
    const stepVals = stepValues(step, values);
    const command = commandFor(step, env, values);
    let run: string | undefined;
    // As the step runner decides (nothing-to-restore): no version to redeploy, and no command that needs none.
    // Over a record plan did not read, what there is to go back to is not known: no first deployment is said.
    if (step.kind === 'rollback' && !returnable(env, values))
      run = live.unknown
        ? `(what to go back to is not known here: ${notKnownWhy(live)})`
        : '(nothing to go back to: no earlier version is recorded live, as on a first deployment' +
          (env.target.current
            ? "; the run goes by the current command's answer, which plan does not ask"
            : '') +
          ')';
    else if (command)
      run = safeCommand(() =>
        describeCommand(
          command,
          step.kind === 'rollback' ? { ...stepVals, version: values.previous_version } : stepVals,
        ),
      );
    else if (step.kind === 'health')
      run = env.target.health.length
        ? describeChecks({ ...env, health: env.target.health }, stepVals)
        : undefined;
    else if (step.kind === 'analysis') run = analysisText(env, step.windowMs);
    return { description: describeStep(step), reason, run };
  };
  const outcome = machine.outcome({ plan: machine.plan, index: machine.plan.length - 1, holds: 0 });
  return {
    liveSlot: outcome.liveSlot,
    // As finalize decides (machine/finalize.ts): the slot the new one replaces; none on a first deployment.
    retiredSlot:
      outcome.retiredSlot && outcome.retiredSlot !== outcome.liveSlot ? outcome.retiredSlot : undefined,
    actions: machine.plan.map((p) => describe(p.step, p.reason)),
    rollback: machine
      .rollback({ plan: machine.plan, index: machine.plan.length - 1, holds: 0 })
      .map((s) => describe(s)),
  };
}

/**
 * What an analysis step judges, as the run does (executor.ts, metrics-analyzer.ts): the metrics and the health
 * checks over its window where analysis is configured, the health checks alone otherwise or on a window of 0
 * (a step at 100 %). It said "health checks over 240s" with metric analysis configured.
 */
function analysisText(env: ResolvedEnvironment, windowMs: number): string {
  if (windowMs <= 0) return 'health checks, once';
  return `${env.analysis ? 'metric analysis and health checks' : 'health checks'} over ${formatDuration(windowMs)}`;
}
