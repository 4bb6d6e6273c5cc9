// Everything the pipeline reports goes through these events; reporters (terminal, JSON lines, GitHub) only
// render them. Keeping them plain data makes `--json` output and the tests straightforward.
import type { AnalysisPhase, Decision, Step, StepResult } from '../strategies/types.ts';
import type { AnalysisWarning } from '../analysis/types.ts';
import type { GatesReport } from '../gates/runner.ts';
import type { GateResult } from '../gates/types.ts';
import type { EnvironmentRecord, RolloutNotify } from '../state/record.ts';

export const PHASES = ['validate', 'staging', 'production', 'verify', 'monitor', 'finalize'] as const;
export type PhaseId = (typeof PHASES)[number];

/** `waiting`: the job ended in this phase with the rollout handed off (issue 14). */
export type PhaseStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'waiting';

export interface PhaseRecord {
  phase: PhaseId;
  status: PhaseStatus;
  startedAt: string;
  durationMs: number;
  detail?: string;
}

export interface DecisionRecord {
  at: string;
  environment: string;
  phase: PhaseId;
  strategy: string;
  state: string;
  decision: Decision;
}

export interface StepRecord {
  environment: string;
  phase: PhaseId | 'rollback';
  step: Step;
  description: string;
  result: StepResult;
  durationMs: number;
}

/**
 * A warning check's breach in an analysis window (`on_breach: warn`, docs/analysis.md): reported to people,
 * never a rollback, a hold or a failure.
 */
export interface AnalysisWarningRecord {
  /** The end of the interval it fired in. */
  at: string;
  environment: string;
  phase: AnalysisPhase;
  /** The canary's traffic share in a canary step. */
  weight?: number;
  /** The check's configured name. */
  check: string;
  code: AnalysisWarning['code'];
  reason: string;
}

/** `waiting`: the job ended with the rollout handed off, waiting for a person or a bake (issue 14). */
export type PipelineStatus =
  'succeeded' | 'failed' | 'rolled_back' | 'cancelled' | 'blocked' | 'paused' | 'waiting';

/** Stable reason codes for how a deployment ended (README.md "Outcome codes" lists each). */
export const OUTCOME_CODES = [
  'deployed',
  'gates_blocked',
  'staging_failed',
  'hook_failed',
  'strategy_failed',
  'verify_failed',
  'monitor_failed',
  'cancelled',
  'rollout_paused',
  /** The job handed the rollout off: it waits for /promote (manual, approval), a bake, or /resume. */
  'rollout_waiting',
  /** A person aborted the rollout (/abort, the Abort button): traffic went back to the stable version. */
  'rollout_aborted',
  'rollback_failed',
  /** The environment's state record was refused (forged, stale, corrupt...) and no `current` command says what is live. */
  'state_refused',
  /** The record shows another run's rollout that never finished: reconcile first. */
  'rollout_unfinished',
  /** The live version was unhealthy before anything was touched (seed 02, `pre_deploy_health: block`). */
  'live_unhealthy',
  'internal_error',
] as const;
export type OutcomeCode = (typeof OUTCOME_CODES)[number];

/**
 * One on_rollback level of a rollback (seed 04). `ok`: its run succeeded (a skipped level: true, nothing
 * failed). The optional fields are newer than the record: a level without them ran, with no verify.
 */
export interface RollbackLevelRecord {
  name: string;
  ok: boolean;
  detail: string;
  durationMs: number;
  /** Its verify, run after its run succeeded: passed means this level was enough. */
  verify?: { ok: boolean; detail: string; durationMs: number };
  /** Not run: an earlier level (`level`) ran and its verify passed. */
  skipped?: { code: 'level_sufficed'; level: string };
}

export interface RollbackRecord {
  reason: string;
  environment: string;
  steps: StepRecord[];
  levels: RollbackLevelRecord[];
  ok: boolean;
  /** From the rollback decision to the end of the first traffic-moving step. */
  trafficRestoredMs?: number;
  durationMs: number;
}

/** One wait of a rollout for people or time (issue 14), for the job summary, the PR comment and records. */
export interface WaitRecord {
  environment: string;
  kind: 'manual' | 'approval' | 'bake' | 'hold';
  /** The strategy step index, and what it is ("canary 25 %", "before the switch to green", "batch 2/4"). */
  step: number;
  at: string;
  weight?: number;
  /** A fresh baseline's share beside the canary (the same as `weight`); absent without one. */
  baselineWeight?: number;
  since: string;
  /** bake: when it goes on by itself. approval: how many approvers are needed. */
  until?: string;
  approvals?: number;
  /**
   * Where the `approval: N` steps after this wait are: a `promote --full` would pass them, so the App and
   * the CLI refuse it (full_passes_approval) and the reports do not offer it. Absent when there are none.
   */
  approvalsAhead?: string[];
  /** How it ended; absent while it still waits (in a report written during the wait). */
  ended?: {
    at: string;
    how: 'promoted' | 'approved' | 'due' | 'resumed' | 'aborted' | 'handed_off' | 'cancelled' | 'stopped';
    /** Who ended it (logins; empty when time did). */
    by: string[];
  };
  /** Time spent waiting so far (to `ended.at`, or to the report). */
  waitedMs: number;
}

export interface PipelineResult {
  status: PipelineStatus;
  code: OutcomeCode;
  message: string;
  environment: string;
  version: string;
  previousVersion?: string;
  strategy: string;
  dryRun: boolean;
  phases: PhaseRecord[];
  steps: StepRecord[];
  decisions: DecisionRecord[];
  rollbacks: RollbackRecord[];
  /** Every wait for people or time, this run's and (for a resumed rollout) the ones before it. */
  waits?: WaitRecord[];
  /** The analysis warnings of the run's steps (warning checks that breached), in order; absent when none. */
  warnings?: AnalysisWarningRecord[];
  /** The quality gates' report, when the validate phase ran. */
  gates?: GatesReport;
  live?: { slot?: string; version?: string };
  /**
   * The backup and migrate hooks that began (`<environment>'s <hook>`): what they changed no rollback undoes.
   * Absent when none did.
   */
  hooksBegun?: string[];
  /** The environment's state record as this run left it (absent when it was refused and left alone). */
  record?: EnvironmentRecord;
  startedAt: string;
  durationMs: number;
  exitCode: number;
}

/**
 * What a run of an environment's delayed hook (`hooks.after_success`, run by reconcile) came to: told to its
 * notifier only (reconcile/run.ts), since the summary, the log and the record say it already.
 */
export interface AfterSuccessRecord {
  environment: string;
  version: string;
  sha?: string;
  previousVersion?: string;
  /** The command's label, as the summary and the history name it (`hooks.after_success`). */
  label: string;
  ok: boolean;
  /** Why it failed, a stable code (`exit`, `timeout`, `cancelled`, `spawn`, `template`, `internal`). */
  code?: string;
  exitCode?: number;
  /** What failed, in words: may quote the command's last output line (redacted before it is told). */
  detail?: string;
  durationMs: number;
}

export type PipelineEvent =
  | {
      type: 'start';
      environment: string;
      version: string;
      previousVersion?: string;
      strategy: string;
      liveSlot?: string;
      staging?: string;
    }
  | { type: 'phase-start'; phase: PhaseId; environment: string; detail?: string }
  | { type: 'phase-end'; record: PhaseRecord }
  | { type: 'decision'; record: DecisionRecord }
  | { type: 'step-start'; environment: string; phase: PhaseId | 'rollback'; step: Step; description: string }
  | { type: 'step-end'; record: StepRecord }
  | { type: 'output'; source: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'rollback-start'; environment: string; reason: string; steps: string[] }
  /** The rollout starts waiting (in the job, or handed off when `record.ended.how` is `handed_off`). */
  | { type: 'wait-start'; record: WaitRecord }
  | { type: 'wait-end'; record: WaitRecord }
  /** A warning check breached (as it happens; the result's `warnings` has them all). Never a rollback. */
  | { type: 'analysis-warning'; record: AnalysisWarningRecord }
  | { type: 'rollback-end'; record: RollbackRecord }
  | { type: 'gate-start'; name: string }
  | { type: 'gate-end'; result: GateResult }
  | { type: 'gates'; report: GatesReport }
  | { type: 'result'; result: PipelineResult }
  /** Reconcile ran the delayed hook (to its notifier only). */
  | { type: 'after-success'; record: AfterSuccessRecord };

export interface Reporter {
  event(event: PipelineEvent): void;
  /** Flush anything pending (network reporters); called once at the end. */
  close?(): Promise<void>;
  /**
   * The messages posted so far that a later run may continue in place (the Slack bot's ts), waiting at most
   * `waitMs` for posts still in flight. Asked only when the job hands its rollout off.
   */
  messages?(waitMs: number): Promise<RolloutNotify | undefined>;
  /**
   * Whether everything given to it so far was delivered, waiting for what is still in flight at most as long
   * as close() would: false when a delivery failed, was cut, or was still going then. Asked by reconcile
   * before it records a failure as told, and by the deploying run for its own (reconcile/failure-told.ts).
   */
  delivered?(): Promise<boolean>;
}

/** Several reporters as one. A reporter must never break a deployment, least of all its rollback. */
export function fanOut(reporters: Array<Reporter | undefined>): Reporter {
  const list = reporters.filter((r): r is Reporter => r !== undefined);
  return {
    event(e) {
      for (const r of list) {
        try {
          r.event(e);
        } catch {
          // Rendering failed; the deployment goes on.
        }
      }
    },
    async close() {
      await Promise.allSettled(list.map((r) => r.close?.()));
    },
    async delivered() {
      // A reporter that delivers nothing (no `delivered`) has nothing undelivered.
      const all = await Promise.allSettled(list.map((r) => r.delivered?.() ?? Promise.resolve(true)));
      return all.every((a) => a.status === 'fulfilled' && a.value);
    },
    async messages(waitMs) {
      const all = await Promise.allSettled(list.map((r) => r.messages?.(waitMs)));
      const slack = all.flatMap((a) => (a.status === 'fulfilled' ? (a.value?.slack ?? []) : []));
      return slack.length ? { slack } : undefined;
    },
  };
}

/**
 * Whether `reporter` delivered all it was given (Reporter.delivered), as the runs that record a failure as told
 * ask it: no reporter, one that cannot say, or one that throws: no (told again rather than never).
 */
export async function deliveredAll(reporter: Reporter | undefined): Promise<boolean> {
  try {
    return (await reporter?.delivered?.()) ?? false;
  } catch {
    return false;
  }
}

/**
 * `reporter` with its `result` event held back until `flush`: what is said after the run (a notification that
 * failed while the messages went out) comes before it, so the result stays the last thing printed (--json: the
 * last line, as the README promises).
 */
export function resultLast(reporter: Reporter): { reporter: Reporter; flush(): void } {
  let held: PipelineEvent | undefined;
  return {
    reporter: {
      event(e) {
        if (e.type === 'result') held = e;
        else reporter.event(e);
      },
    },
    flush() {
      const e = held;
      held = undefined;
      if (e) reporter.event(e);
    },
  };
}
