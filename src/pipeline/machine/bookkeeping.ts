// The run's own bookkeeping, shared by every part of the machine: a track, its environment and strategy machine,
// the steps and phases recorded and reported, and the small report/log/time helpers. It imports only the
// machine's types, so every part can use it without a cycle.
import type { ResolvedEnvironment } from '../../config/resolve.ts';
import { createStrategy, type AnyMachine } from '../../strategies/index.ts';
import { describeStep } from '../../strategies/sequence.ts';
import type { Step, StepResult } from '../../strategies/types.ts';
import type { PhaseId, PhaseRecord, PipelineEvent, StepRecord } from '../events.ts';
import { capabilitiesOf } from '../step-runner.ts';
import type { TrackId, Action, Track, PipelineState } from './state.ts';

export function track(s: PipelineState, id: TrackId): Track {
  const t = s.tracks[id];
  if (!t) throw new Error(`no ${id} track`);
  return t;
}

export function envOf(s: PipelineState, id: TrackId): ResolvedEnvironment {
  return id === 'production' ? s.input.env : s.input.staging!;
}

/** The strategy machine of a track: rebuilt from plain data, so the state stays plain data. */
export function machineOf(s: PipelineState, id: TrackId): AnyMachine {
  const env = envOf(s, id);
  return createStrategy(env.strategy, capabilitiesOf(env), track(s, id).live);
}

export function recordStep(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  phase: PhaseId | 'rollback',
  step: Step,
  result: StepResult,
  durationMs: number,
): StepRecord {
  const record: StepRecord = {
    environment: envOf(s, id).name,
    phase,
    step,
    description: describeStep(step),
    result,
    durationMs,
  };
  s.steps.push(record);
  report(out, { type: 'step-end', record });
  return record;
}

/**
 * A step's result as recorded: one that failed because the job was cancelled, an /abort or an internal error
 * (`stoppedBy`, the run's) stopped it says so (`stopped`), so reports do not show a window cut short as judged.
 * A window the analysis judged a rollback (`analysis: 'rollback'`) before the signal came keeps its verdict and
 * reason: it was judged. The reason stays as written: where it was written, the signal's reason said which stop
 * it was (util/internal-error-stop.ts stoppedPhrase), so nothing here rewords it.
 */
export function stoppedResult(
  result: StepResult,
  cancelled: boolean,
  aborted: boolean,
  stoppedBy?: string,
): StepResult {
  if (result.ok || result.analysis === 'rollback' || !(cancelled || aborted)) return result;
  if (aborted) return { ...result, stopped: 'aborted' };
  return { ...result, stopped: stoppedBy === undefined ? 'cancelled' : 'internal_error' };
}

export function stepStart(out: Action[], environment: string, phase: PhaseId | 'rollback', step: Step): void {
  report(out, { type: 'step-start', environment, phase, step, description: describeStep(step) });
}

export function endPhase(
  s: PipelineState,
  out: Action[],
  status: PhaseRecord['status'],
  detail: string | undefined,
  now: number,
): void {
  const open = s.openPhase!;
  s.openPhase = undefined;
  recordPhase(s, out, {
    phase: open.phase,
    status,
    startedAt: iso(open.at),
    durationMs: now - open.at,
    detail,
  });
}

export function recordPhase(s: PipelineState, out: Action[], record: PhaseRecord): void {
  s.phases.push(record);
  report(out, { type: 'phase-end', record });
}

export function report(out: Action[], event: PipelineEvent): void {
  out.push({ kind: 'report', event });
}

export function log(out: Action[], level: 'info' | 'warn' | 'error', message: string): void {
  report(out, { type: 'log', level, message });
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Drops undefined fields (the record's schema has optional fields, not undefined ones). */
export function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
