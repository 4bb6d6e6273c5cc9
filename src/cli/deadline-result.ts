// What `run` prints last when the crash deadline comes with the run it stopped still going (util/crash-guard.ts):
// the process exits 3 with the rollback unfinished, and a script reading `--json` found no final `result` line.
// It gets the same line as any run's end, built from what the run reported so far: `failed`, `rollback_failed`
// when a rollback had begun (`internal_error` when none had), the rollback in progress as not ok, and in the
// message what is not known (where traffic goes now) and who finishes it. What the run could not tell (its record as left, what is live) is left out.
import type {
  AnalysisWarningRecord,
  DecisionRecord,
  PhaseRecord,
  PipelineEvent,
  PipelineResult,
  Reporter,
  RollbackRecord,
  StepRecord,
  WaitRecord,
} from '../pipeline/events.ts';
import type { GatesReport } from '../gates/runner.ts';
import {
  deadlineRollback,
  stoppedRunWords,
  rollbackProgress,
  trafficBackAtDeadline,
  type RollbackSeen,
} from '../pipeline/rollback-seen.ts';
import type { CrashDeadline, RollbackProgress } from '../util/crash-decision.ts';

/** What a run reported so far: its records, and the rollback it began that has not ended. */
export interface RunSoFar {
  previousVersion?: string;
  phases: PhaseRecord[];
  steps: StepRecord[];
  decisions: DecisionRecord[];
  rollbacks: RollbackRecord[];
  waits: WaitRecord[];
  warnings: AnalysisWarningRecord[];
  gates?: GatesReport;
  /** A rollback begun (`rollback-start`) and not ended: its reason, when it began, its steps so far. */
  rollback?: { reason: string; environment: string; atMs: number; steps: StepRecord[] };
}

/** A reporter that keeps what the run reports (records only, not output lines), for deadlineResult. */
export function runSoFar(now: () => number = Date.now): { reporter: Reporter; seen(): RunSoFar } {
  const so: RunSoFar = { phases: [], steps: [], decisions: [], rollbacks: [], waits: [], warnings: [] };
  const reporter: Reporter = {
    event(e: PipelineEvent) {
      switch (e.type) {
        case 'start':
          if (e.previousVersion !== undefined) so.previousVersion = e.previousVersion;
          break;
        case 'phase-end':
          so.phases.push(e.record);
          break;
        case 'step-end':
          so.steps.push(e.record);
          if (so.rollback && e.record.phase === 'rollback') so.rollback.steps.push(e.record);
          break;
        case 'decision':
          so.decisions.push(e.record);
          break;
        case 'wait-end':
          so.waits.push(e.record);
          break;
        case 'analysis-warning':
          so.warnings.push(e.record);
          break;
        case 'gates':
          so.gates = e.report;
          break;
        case 'rollback-start':
          so.rollback = { reason: e.reason, environment: e.environment, atMs: now(), steps: [] };
          break;
        case 'rollback-end':
          so.rollbacks.push(e.record);
          so.rollback = undefined;
          break;
      }
    },
  };
  return { reporter, seen: () => so };
}

export interface DeadlineRun {
  environment: string;
  version: string;
  strategy: string;
  /** When the run began (ms since the epoch). */
  startedAtMs: number;
}

/** How far the run's rollback had come, by what it reported (crash-guard.ts: the deadline's exit words). Pure. */
export function progressSoFar(so: RunSoFar): RollbackProgress {
  return rollbackProgress(seenSoFar(so), so.rollbacks);
}

/** A rollback begun and not ended, every one begun ended, or none begun (stuck before). Pure. */
function seenSoFar(so: RunSoFar): RollbackSeen {
  return so.rollback ? 'running' : so.rollbacks.length > 0 ? 'ended' : 'not_begun';
}

/**
 * What the state record keeps, as far as it is known (deadlineResult's message). A rollback begun means the
 * rollout was written before (the deployment waits for that write before traffic moves); with none begun, the
 * run may have been stopped before its write landed (it said "the state record keeps the rollout" then too).
 * Pure.
 */
export function recordWords(seen: RollbackSeen, environment: string): string {
  const reconcile = `deploy-action reconcile -e ${environment}`;
  return seen === 'not_begun'
    ? `Whether the state record keeps the rollout is not known (the run may have been stopped before writing ` +
        `it): a reconcile run (${reconcile}) takes up what it keeps; while it keeps one, deployments to ` +
        `${environment} are refused`
    : `The state record keeps the rollout: a reconcile run rolls it back (${reconcile}); until then ` +
        `deployments to ${environment} are refused`;
}

/**
 * The `scheduled_runs` entry's message of a due run still going at the crash deadline (as deadlineResult,
 * whose code it follows): whether its rollback had begun, and what is known of its record. It said "its rollback
 * had not ended" also of a run stuck before one began. Pure.
 */
export function scheduledDeadlineMessage(so: RunSoFar, late: Pick<CrashDeadline, 'after'>): string {
  const seen = seenSoFar(so);
  const record =
    seen === 'not_begun'
      ? 'what its record keeps is for reconcile'
      : 'the record keeps the rollout for reconcile';
  return `stopped by an internal error, ${stoppedRunWords(seen, late.after)}: left unfinished; ${record}`;
}

/**
 * The run's result at the crash deadline: failed, exit `late.code`, with what it reported so far; a rollback
 * still going is in `rollbacks`, not ok. Its code says what the rollback did (pipeline/rollback-seen.ts
 * deadlineRollback): rollback_failed when one began and is not known to have put traffic back, internal_error
 * when none began (or every one begun completed). The message says whether a rollback had begun. `stoppedBy`:
 * the internal error's message, when the run's signal says it (util/internal-error-stop.ts stoppedByOf). Pure.
 */
export function deadlineResult(
  so: RunSoFar,
  run: DeadlineRun,
  late: CrashDeadline,
  stoppedBy: string | undefined,
  nowMs: number,
): PipelineResult {
  const env = run.environment;
  const unfinished: RollbackRecord[] = so.rollback
    ? [
        {
          reason: so.rollback.reason,
          environment: so.rollback.environment,
          steps: so.rollback.steps,
          levels: [],
          ok: false,
          durationMs: Math.max(0, nowMs - so.rollback.atMs),
        },
      ]
    : [];
  // What the events tell: a rollback begun and not ended, every one begun ended, or none begun (stuck before).
  const seen = seenSoFar(so);
  const verdict = deadlineRollback(seen, so.rollbacks);
  const traffic = trafficBackAtDeadline(verdict)
    ? `Its rollback ${verdict.rollback === 'complete' ? 'completed' : 'put traffic back (a teardown was left undone)'} (traffic back on the stable version); check ${env} now`
    : `Whether traffic is back on the stable version is not known: check ${env} now`;
  const message =
    `internal error${stoppedBy === undefined ? '' : `: ${stoppedBy}`}; the run was stopped and ` +
    `${stoppedRunWords(seen, late.after)}: the CLI exited with it unfinished. ${traffic}. ${recordWords(seen, env)}`;
  return {
    status: 'failed',
    code: verdict.code,
    message,
    environment: env,
    version: run.version,
    ...(so.previousVersion !== undefined ? { previousVersion: so.previousVersion } : {}),
    strategy: run.strategy,
    dryRun: false,
    phases: so.phases,
    steps: so.steps,
    decisions: so.decisions,
    rollbacks: [...so.rollbacks, ...unfinished],
    ...(so.waits.length ? { waits: so.waits } : {}),
    ...(so.warnings.length ? { warnings: so.warnings } : {}),
    ...(so.gates ? { gates: so.gates } : {}),
    startedAt: new Date(run.startedAtMs).toISOString(),
    durationMs: Math.max(0, nowMs - run.startedAtMs),
    exitCode: late.code,
  };
}
