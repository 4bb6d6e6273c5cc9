// Strategies are explicit state machines (DESIGN.md §2): given their state and the result of the last step,
// they decide the next step. They never touch a process or the network; the executor
// (pipeline/execute-strategy.ts) runs each step on the target and feeds the result back. That makes every
// decision testable with plain values, and gives a typed log of what was decided and why.

import type { WindowEvidence } from '../analysis/evidence.ts';

/** Every analysis phase: a canary's step, or a watch of the new version without a canary beside it. */
export const ANALYSIS_PHASES = [
  'canary-step',
  'pre-switch',
  'post-switch',
  'batch',
  'verify',
  'monitor',
  'staging',
] as const;
export type AnalysisPhase = (typeof ANALYSIS_PHASES)[number];

export type Step =
  | { kind: 'deploy'; slot?: string; instances?: string[]; batch?: number; version?: 'new' | 'previous' }
  /** `version: 'previous'`: a rollback's check of what it put back, rendered with that version's {{version}}. */
  | { kind: 'health'; slot?: string; instances?: string[]; version?: 'previous' }
  | { kind: 'smoke'; slot?: string }
  | { kind: 'warmup'; slot: string }
  | { kind: 'switch'; slot: string; from: string }
  /**
   * `slot` gets `weight` %, `stableSlot` the rest. With a fresh baseline (canary `baseline: fresh`),
   * `baselineSlot` gets `baselineWeight` % too and `stableSlot` gets 100 - weight - baselineWeight.
   */
  | {
      kind: 'set_weight';
      slot: string;
      stableSlot: string;
      weight: number;
      baselineSlot?: string;
      baselineWeight?: number;
    }
  | { kind: 'pause'; ms: number }
  | {
      kind: 'analysis';
      phase: AnalysisPhase;
      slot?: string;
      stableSlot?: string;
      /** A fresh baseline serving beside the canary: the analysis compares the canary with it. */
      baselineSlot?: string;
      weight?: number;
      /** A rolling batch's number (from 1): batches have no traffic share, reports tell them apart by it. */
      batch?: number;
      windowMs: number;
      /** The window began in the past (a bake that outlived its job): see LookBack. */
      lookBack?: LookBack;
    }
  | { kind: 'rollback'; instances?: string[]; batch?: number }
  /**
   * A point where the rollout waits for people (issue 14): `manual` for one /promote by a deployer, `approval`
   * for `approvals` distinct approvers' /promote. Never run by the step runner: the pipeline machine asks the
   * control channel (src/control) and waits in the job, or hands the rollout off when the wait is long.
   * `weight`: the traffic share of the new version while it waits (canary), for reports.
   */
  | { kind: 'wait'; gate: 'manual' | 'approval'; approvals?: number; at: string; weight?: number }
  | { kind: 'teardown'; slot?: string; instances?: string[] };

export type StepKind = Step['kind'];

/**
 * An analysis window that began before this run (issue 14: a bake handed off by the job that started it).
 * An analyzer that can read the metrics' past judges the window from `since` on, so the decision covers the
 * whole bake; one that cannot (health checks, the prober, commands) watches a live window of `liveMs`.
 * `midway`: only the part already over is judged, with no end-of-window decision (a look at a bake that goes
 * on, or one a person ended early): a rollback if a trigger fired, else hold.
 */
export interface LookBack {
  since: number;
  liveMs: number;
  midway?: boolean;
}

/** What running a step produced. Analysis steps may also answer `hold` (not enough evidence yet). */
export type StepResult =
  | {
      ok: true;
      analysis?: 'promote' | 'hold';
      detail?: string;
      metrics?: MetricReadings;
      evidence?: WindowEvidence;
    }
  | {
      ok: false;
      reason: string;
      analysis?: 'rollback';
      metrics?: MetricReadings;
      evidence?: WindowEvidence;
      /**
       * `not-started`: the command never ran (its values were refused, or its program could not start), so
       * the step changed nothing. `nothing-to-restore`: a rollback step with no earlier version to return to
       * and no rollback command; a later reconcile run could do no more, so it is not kept for one.
       */
      untouched?: 'not-started' | 'nothing-to-restore';
      /**
       * Stopped before it finished, by the job's cancellation, a person's /abort, or an internal error (the
       * process crashed and its crash handler stopped the run): an analysis cut short this way was never judged
       * (reports say so, not `rollback`).
       */
      stopped?: 'cancelled' | 'aborted' | 'internal_error';
    };

/** The metric values an analysis step ended on (canary side, `stable.<name>` for the stable side). */
export type MetricReadings = Record<string, number | null>;

/** Stable codes for why a strategy stopped: used in reports, outputs and tests. */
export type FailureCode =
  | 'deploy_failed'
  | 'health_failed'
  | 'smoke_failed'
  | 'warmup_failed'
  | 'switch_failed'
  | 'weight_failed'
  | 'analysis_rollback'
  | 'analysis_inconclusive'
  | 'step_failed';

export type Decision =
  | { type: 'run'; step: Step; reason: string }
  | { type: 'done'; reason: string }
  | { type: 'fail'; code: FailureCode; reason: string; pause?: boolean };

export interface Transition<S> {
  state: S;
  decision: Decision;
}

/** What the strategy left live when it succeeded, so finalize and later runs know. */
export interface StrategyOutcome {
  liveSlot?: string;
  /** The slot that served before, kept as the instant rollback target until it is decommissioned. */
  retiredSlot?: string;
  scaleDownDelayMs?: number;
}

export interface StrategyMachine<S> {
  readonly name: string;
  start(): Transition<S>;
  next(state: S, result: StepResult): Transition<S>;
  /** Steps that put all traffic back on the stable version from `state`, fastest first. */
  rollback(state: S): Step[];
  /** After success: what is live and what is kept. */
  outcome(state: S): StrategyOutcome;
  /** Short description of the state for progress lines ("canary 25 %", "batch 2/4"). */
  describe(state: S): string;
}

export function failureCodeFor(step: Step): FailureCode {
  switch (step.kind) {
    case 'deploy':
      return 'deploy_failed';
    case 'health':
      return 'health_failed';
    case 'smoke':
      return 'smoke_failed';
    case 'warmup':
      return 'warmup_failed';
    case 'switch':
      return 'switch_failed';
    case 'set_weight':
      return 'weight_failed';
    case 'analysis':
      return 'analysis_rollback';
    default:
      return 'step_failed';
  }
}
