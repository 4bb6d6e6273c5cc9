// Runs one strategy step on the command target. This is the only place where a Step meets the outside world.
import type { ResolvedCommand, ResolvedEnvironment } from '../config/resolve.ts';
import { stableShare } from '../strategies/sequence.ts';
import type { Step, StepResult } from '../strategies/types.ts';
import type { LiveState, TargetCapabilities } from '../strategies/capabilities.ts';
import { CommandFailed, describeCommand, runCommand, type OutputLine } from '../targets/run-command.ts';
import {
  bodyStart,
  MAX_BODY_BYTES,
  renderUrl,
  requestFailure,
  withoutCredentials,
} from '../targets/http-check.ts';
import type { TemplateValues } from '../targets/template.ts';
import { abortableSleep } from '../util/sleep.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';
import type { Analyzer } from './analyzer.ts';
import { waitUntilReady } from './health.ts';

export interface StepRunnerOptions {
  env: ResolvedEnvironment;
  /** Values every command sees: version, previous_version, sha, environment, strategy, ... */
  values: TemplateValues;
  analyzer: Analyzer;
  onOutput?: (line: OutputLine) => void;
}

/**
 * `waitForReady`: a health step gives the version `ready_timeout` to become ready (a forward step after its
 * deploy). Not on the rollback path: its steps cannot be cancelled and must end within the cancelled job's
 * last seconds, and the version going back served until now.
 */
export type StepRunner = (
  step: Step,
  signal?: AbortSignal,
  options?: { waitForReady?: boolean },
) => Promise<StepResult>;

export function capabilitiesOf(env: ResolvedEnvironment): TargetCapabilities {
  const t = env.target;
  const warmup =
    env.strategy.type === 'blue-green' && !!env.strategy.warmup.url && env.strategy.warmup.requests > 0;
  return {
    health: t.health.length > 0,
    smoke: !!t.smoke,
    warmup,
    switch: !!t.switch || !!t.setWeight,
    setWeight: !!t.setWeight,
    teardown: !!t.teardown,
  };
}

/** The slots the environment's config lists: its two, and a canary's fresh baseline slot. */
export function configuredSlots(env: ResolvedEnvironment): string[] {
  const s = env.strategy;
  if (!('slots' in s)) return [];
  return s.type === 'canary' && s.baseline ? [...s.slots, s.baseline.slot] : [...s.slots];
}

/**
 * Why no command may run for this step's slots. {{slot}} and {{baseline_slot}} may choose a file or script
 * (kubectl delete -f k8s/{{slot}}/: placeholder.ts CONFIG_CHOSEN_VARIABLES) because their value is a slot the
 * config lists; a step's slot can also come from the state record (a retired slot, a rollout's stable slot),
 * which an older version or someone else may have written. Such a slot is refused here, before anything runs.
 */
function unlistedSlot(env: ResolvedEnvironment, step: Step, values: TemplateValues): string | undefined {
  const listed = configuredSlots(env);
  const unlisted = [values.slot, values.baseline_slot].find((v) => v !== undefined && !listed.includes(v));
  if (unlisted === undefined) return undefined;
  const slots = listed.length ? `(${listed.join(', ')})` : '(it has none)';
  return `slot ${JSON.stringify(unlisted)} is not one of ${env.name}'s slots ${slots}: no ${step.kind} command runs for it`;
}

/** What identifies one run, for its templates. */
export interface RunIdentity {
  version: string;
  sha?: string;
  ref?: string;
  runId?: string;
  deploymentId?: string;
}

/** The values every command of a deployment sees, before a step adds its own (slot, weight, batch, ...). */
export function deploymentValues(
  env: ResolvedEnvironment,
  run: RunIdentity,
  live: LiveState,
): TemplateValues {
  const rolling = env.strategy.type === 'rolling' ? env.strategy : undefined;
  return {
    ...env.variables,
    version: run.version,
    previous_version: live.version,
    sha: run.sha,
    ref: run.ref,
    environment: env.name,
    environment_url: env.url,
    strategy: env.strategy.type,
    stable_slot: live.slot,
    baseline_slot: env.strategy.type === 'canary' ? env.strategy.baseline?.slot : undefined,
    run_id: run.runId,
    deployment_id: run.deploymentId,
    instances: rolling?.instances.join(','),
    batches: rolling ? String(Math.ceil(rolling.instances.length / rolling.batchSize)) : undefined,
    surge: rolling ? String(rolling.maxSurge) : undefined,
  };
}

/** The values a step adds to the base values (slot, instances, weight, ...). */
export function stepValues(step: Step, base: TemplateValues): TemplateValues {
  const values: TemplateValues = { ...base };
  if ('slot' in step && step.slot) values.slot = step.slot;
  if ('instances' in step && step.instances) {
    values.instances = step.instances.join(',');
    values.instance_count = String(step.instances.length);
  }
  if ('batch' in step && step.batch !== undefined) values.batch = String(step.batch);
  if (step.kind === 'set_weight') {
    values.weight = String(step.weight);
    values.stable_weight = String(stableShare(step));
    values.stable_slot = step.stableSlot;
    if (step.baselineSlot !== undefined) {
      values.baseline_slot = step.baselineSlot;
      values.baseline_weight = String(step.baselineWeight ?? 0);
    }
  }
  if (step.kind === 'switch') {
    values.weight = '100';
    values.stable_weight = '0';
    values.stable_slot = step.from;
  }
  if (step.kind === 'analysis') {
    if (step.stableSlot) values.stable_slot = step.stableSlot;
    if (step.baselineSlot) values.baseline_slot = step.baselineSlot;
    if (step.weight !== undefined) values.weight = String(step.weight);
  }
  if (step.kind === 'deploy' && step.version === 'previous') values.version = base.previous_version;
  // What a rollback put back is checked as itself: a check asking the slot for {{version}} would otherwise ask
  // for the version rolled back from, and fail the rollback. Unknown (no previous version): as before.
  if (step.kind === 'health' && step.version === 'previous' && base.previous_version !== undefined)
    values.version = base.previous_version;
  return values;
}

/** The command a step runs, if it is a single command (for plans). */
export function commandFor(
  step: Step,
  env: ResolvedEnvironment,
  base: TemplateValues,
): ResolvedCommand | undefined {
  const t = env.target;
  switch (step.kind) {
    case 'deploy':
      return t.deploy;
    case 'smoke':
      return t.smoke ?? env.smoke;
    case 'switch':
      return t.switch ?? t.setWeight;
    case 'set_weight':
      return t.setWeight;
    case 'teardown':
      return t.teardown;
    case 'rollback':
      return t.rollback ?? (base.previous_version ? t.deploy : undefined);
    default:
      return undefined;
  }
}

export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const { env, analyzer, onOutput } = options;
  const t = env.target;

  async function command(
    cmd: ResolvedCommand,
    values: TemplateValues,
    label: string,
    signal?: AbortSignal,
  ): Promise<StepResult> {
    try {
      await runCommand(cmd, values, { signal, onOutput, label });
      return { ok: true };
    } catch (error) {
      if (error instanceof CommandFailed)
        return {
          ok: false,
          reason: error.message,
          // Refused before it started (a value the checks refused, a program that is not there): nothing ran.
          ...(error.reasonCode === 'template' || error.reasonCode === 'spawn'
            ? { untouched: 'not-started' as const }
            : {}),
        };
      throw error;
    }
  }

  return async (step, signal, stepOptions = {}) => {
    const values = stepValues(step, options.values);
    const unlisted =
      step.kind === 'wait' || step.kind === 'pause' ? undefined : unlistedSlot(env, step, values);
    if (unlisted) return { ok: false, reason: unlisted, untouched: 'not-started' };
    switch (step.kind) {
      case 'wait':
        // The pipeline machine handles waits itself (src/control); reaching here is a bug.
        return { ok: false, reason: `internal error: a wait (${step.at}) reached the step runner` };
      case 'deploy':
        if (step.version === 'previous' && !values.version)
          return {
            ok: false,
            reason: noPreviousVersion(env, step.slot, values.stable_slot),
            untouched: 'nothing-to-restore',
          };
        return command(t.deploy, values, 'deploy', signal);
      case 'health': {
        // A strategy's health step follows a deploy (or a rollback's redeploy): the version may still be starting.
        const result = await waitUntilReady(t.health, values, {
          signal,
          onOutput,
          readyTimeoutMs: stepOptions.waitForReady ? env.readyTimeoutMs : 0,
        });
        return result.ok ? { ok: true, detail: result.detail } : { ok: false, reason: result.detail };
      }
      case 'smoke': {
        const smoke = t.smoke ?? env.smoke;
        return smoke
          ? command(smoke, values, 'smoke', signal)
          : { ok: true, detail: 'no smoke tests configured' };
      }
      case 'warmup':
        return warmup(env, values, signal);
      case 'switch':
        if (t.switch) return command(t.switch, values, 'switch', signal);
        if (t.setWeight) return command(t.setWeight, values, 'set_weight', signal);
        return { ok: false, reason: 'the target has neither a switch nor a set_weight command' };
      case 'set_weight':
        if (!t.setWeight) return { ok: false, reason: 'the target has no set_weight command' };
        return command(t.setWeight, values, 'set_weight', signal);
      case 'pause':
        await abortableSleep(step.ms, signal);
        return signal?.aborted ? { ok: false, reason: stoppedPhrase(signal) } : { ok: true };
      case 'analysis':
        return analyzer.evaluate({
          phase: step.phase,
          slot: step.slot,
          stableSlot: step.stableSlot,
          baselineSlot: step.baselineSlot,
          weight: step.weight,
          windowMs: step.windowMs,
          intervalMs: env.monitorIntervalMs,
          ...(step.lookBack ? { lookBack: step.lookBack } : {}),
          values,
          signal,
          onOutput,
        });
      case 'rollback':
        if (t.rollback) {
          // No previous version: {{version}} has no value (an error if the command uses it), never ''.
          const previous = options.values.previous_version;
          const rollbackValues = { ...values, version: previous };
          const result = await command(t.rollback, rollbackValues, 'rollback', signal);
          if (result.ok || previous) return result;
          return {
            ...result,
            reason: `${result.reason} (no previous version is known)`,
            // Refused only for want of {{version}}: no later run would know one either.
            ...(result.untouched && wantsOnlyVersion(t.rollback, rollbackValues)
              ? { untouched: 'nothing-to-restore' as const }
              : {}),
          };
        }
        if (!options.values.previous_version)
          return {
            ok: false,
            reason: 'no previous version is known and the target has no rollback command',
            untouched: 'nothing-to-restore',
          };
        return command(t.deploy, { ...values, version: options.values.previous_version }, 'rollback', signal);
      case 'teardown':
        return t.teardown
          ? command(t.teardown, values, 'teardown', signal)
          : { ok: true, detail: 'no teardown command' };
    }
  };
}

/**
 * Whether a rollback step of a strategy without slots (direct, rolling) could return to an earlier version with
 * these values, as the runner above decides: a previous version, or a rollback command that needs none. For a
 * recovery that begins with a health check, whose rollback step an earlier run dropped as having none.
 */
export function returnable(env: ResolvedEnvironment, values: TemplateValues): boolean {
  if ('slots' in env.strategy || values.previous_version) return true;
  const rollback = env.target.rollback;
  return rollback !== undefined && !wantsOnlyVersion(rollback, { ...values, version: undefined });
}

/**
 * Whether the command cannot be rendered with these values, and could be once {{version}} had one (for a
 * rollback, the previous version: {{previous_version}} names the same one).
 */
function wantsOnlyVersion(cmd: ResolvedCommand, values: TemplateValues): boolean {
  const renders = (v: TemplateValues) => {
    try {
      describeCommand(cmd, v);
      return true;
    } catch {
      return false;
    }
  };
  return !renders(values) && renders({ ...values, version: 'v', previous_version: 'v' });
}

/** How long one warm-up request may take, its body included. */
export const WARMUP_TIMEOUT_MS = 5000;

async function warmup(
  env: ResolvedEnvironment,
  values: TemplateValues,
  signal?: AbortSignal,
): Promise<StepResult> {
  if (env.strategy.type !== 'blue-green' || !env.strategy.warmup.url)
    return { ok: true, detail: 'no warm-up configured' };
  const { requests, intervalMs } = env.strategy.warmup;
  // A user:password in the URL goes as basic auth, never into a message (as for health checks).
  const { url, headers } = withoutCredentials(renderUrl(env.strategy.warmup.url, values));
  let failed = 0;
  let last = '';
  for (let i = 0; i < requests && !signal?.aborted; i++) {
    // A cancellation abandons the request in flight: the rollback does not wait for its answer.
    const timeout = AbortSignal.timeout(WARMUP_TIMEOUT_MS);
    try {
      // As a health check: a redirect is an answer (never followed to another host), and only the body's
      // first MAX_BODY_BYTES are read (a page that never ends cannot fill the memory).
      const response = await fetch(url, {
        headers,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'manual',
      });
      await bodyStart(response, MAX_BODY_BYTES);
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 500) {
        failed++;
        last = `answered ${response.status}`;
      }
    } catch (error) {
      failed++;
      last = timeout.aborted ? `did not answer within ${WARMUP_TIMEOUT_MS}ms` : requestFailure(error, url);
    }
    if (i < requests - 1) await abortableSleep(intervalMs, signal);
  }
  // A few errors while caches fill are expected; most requests failing means the slot is not ready.
  if (failed > requests * 0.1)
    return {
      ok: false,
      reason: `warm-up: ${failed} of ${requests} requests to ${url} failed (last: ${last})`,
    };
  return { ok: true, detail: `warm-up: ${requests - failed}/${requests} requests to ${url} succeeded` };
}

/**
 * Why a deploy of the previous version cannot run. A fresh baseline's deploy (issue 15) is the one that meets
 * this with a stable slot serving: say what it copies and what did not name it.
 */
function noPreviousVersion(
  env: ResolvedEnvironment,
  slot: string | undefined,
  stableSlot: string | undefined,
) {
  const baseline = env.strategy.type === 'canary' ? env.strategy.baseline?.slot : undefined;
  if (slot === undefined || slot !== baseline) return 'no previous version is known';
  return `no previous version is known: the fresh baseline on ${slot} is a copy of the stable version, and ${env.target.current ? 'neither the current command nor the state record names' : 'the state record does not name'} the version serving${stableSlot ? ` on ${stableSlot}` : ''}`;
}
