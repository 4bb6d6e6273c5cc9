// Strategies are explicit state machines (DESIGN.md §2): given their state and the result of the last step,
// they decide the next step. They never touch a process or the network; the executor
// (pipeline/execute-strategy.ts) runs each step on the target and feeds the result back. That makes every
// decision testable with plain values, and gives a typed log of what was decided and why.

export type AnalysisPhase =
  'canary-step' | 'pre-switch' | 'post-switch' | 'batch' | 'verify' | 'monitor' | 'staging';

export type Step =
  | { kind: 'deploy'; slot?: string; instances?: string[]; batch?: number; version?: 'new' | 'previous' }
  | { kind: 'health'; slot?: string; instances?: string[] }
  | { kind: 'smoke'; slot?: string }
  | { kind: 'warmup'; slot: string }
  | { kind: 'switch'; slot: string; from: string }
  | { kind: 'set_weight'; slot: string; stableSlot: string; weight: number }
  | { kind: 'pause'; ms: number }
  | {
      kind: 'analysis';
      phase: AnalysisPhase;
      slot?: string;
      stableSlot?: string;
      weight?: number;
      windowMs: number;
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

/** What running a step produced. Analysis steps may also answer `hold` (not enough evidence yet). */
export type StepResult =
  | { ok: true; analysis?: 'promote' | 'hold'; detail?: string; metrics?: MetricReadings }
  | { ok: false; reason: string; analysis?: 'rollback'; metrics?: MetricReadings };

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
