// Runs steps outside the pipeline machine (reconcile's recovery): one step recorded and reported, or a list
// of rollback steps in order. Rollback steps run with their own (never-cancelled) signal: once traffic has
// to go back, a second cancellation must not stop it halfway. Each command is still bounded by its timeout.
import { describeStep, heldBackInRollback } from '../strategies/sequence.ts';
import type { Step } from '../strategies/types.ts';
import type { DecisionRecord, PhaseId, Reporter, RollbackRecord, StepRecord } from './events.ts';
import type { StepRunner } from './step-runner.ts';

export interface ExecutionLog {
  decisions: DecisionRecord[];
  steps: StepRecord[];
}

interface ExecuteOptions {
  environment: string;
  phase: PhaseId;
  runStep: StepRunner;
  reporter: Reporter;
  log: ExecutionLog;
  signal?: AbortSignal;
}

export async function runStepRecorded(
  step: Step,
  options: Omit<ExecuteOptions, 'phase'> & { phase: PhaseId | 'rollback' },
): Promise<StepRecord> {
  const description = describeStep(step);
  options.reporter.event({
    type: 'step-start',
    environment: options.environment,
    phase: options.phase,
    step,
    description,
  });
  const started = performance.now();
  let result;
  try {
    result = await options.runStep(step, options.signal);
  } catch (error) {
    result = { ok: false as const, reason: `internal error: ${(error as Error).message}` };
  }
  const record: StepRecord = {
    environment: options.environment,
    phase: options.phase,
    step,
    description,
    result,
    durationMs: performance.now() - started,
  };
  options.log.steps.push(record);
  options.reporter.event({ type: 'step-end', record });
  return record;
}

const TRAFFIC_STEPS = new Set<Step['kind']>(['switch', 'set_weight', 'rollback', 'deploy']);

/** Runs rollback steps in order; keeps going after a failed step so as much as possible is restored. */
export async function executeRollback(
  steps: Step[],
  options: Omit<ExecuteOptions, 'phase' | 'signal'> & { reason: string },
): Promise<Omit<RollbackRecord, 'levels'>> {
  const started = performance.now();
  options.reporter.event({
    type: 'rollback-start',
    environment: options.environment,
    reason: options.reason,
    steps: steps.map(describeStep),
  });
  const records: StepRecord[] = [];
  let trafficRestoredMs: number | undefined;
  for (const step of steps) {
    // A teardown of a slot that may still serve (its switch back failed) is recorded failed, not run.
    const held = heldBackInRollback(step, records);
    const record = held
      ? heldBack(step, held, options)
      : await runStepRecorded(step, { ...options, phase: 'rollback', signal: undefined });
    records.push(record);
    if (trafficRestoredMs === undefined && TRAFFIC_STEPS.has(step.kind) && record.result.ok) {
      trafficRestoredMs = performance.now() - started;
    }
  }
  return {
    reason: options.reason,
    environment: options.environment,
    steps: records,
    ok: records.every((r) => r.result.ok),
    trafficRestoredMs,
    durationMs: performance.now() - started,
  };
}

/** A rollback step not run (see heldBackInRollback), reported and recorded as failed with why. */
function heldBack(step: Step, reason: string, options: Omit<ExecuteOptions, 'phase' | 'signal'>): StepRecord {
  const description = describeStep(step);
  options.reporter.event({
    type: 'step-start',
    environment: options.environment,
    phase: 'rollback',
    step,
    description,
  });
  const record: StepRecord = {
    environment: options.environment,
    phase: 'rollback',
    step,
    description,
    result: { ok: false, reason },
    durationMs: 0,
  };
  options.log.steps.push(record);
  options.reporter.event({ type: 'step-end', record });
  return record;
}
