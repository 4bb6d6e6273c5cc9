// Seed 05's monitoring checkpoints ("5 minutes: initial health check, 15: error rate, 30: performance, 60: all
// systems normal") read from the monitor window's evidence: at each checkpoint the window reached, whether
// any check had fired by then and what the new version's metrics were at that interval. Pure; the deployment
// record renders it. The analysis judges every interval anyway; the checkpoints say it the way the seed's
// checklist asks a person to confirm it.
import { formatDuration } from '../config/duration.ts';
import type { WindowEvidence } from '../analysis/evidence.ts';
import type { PipelineResult } from '../pipeline/events.ts';

export const CHECKPOINTS: ReadonlyArray<{ minutes: number; what: string }> = [
  { minutes: 5, what: 'Initial health check' },
  { minutes: 15, what: 'Error rate check' },
  { minutes: 30, what: 'Performance check' },
  { minutes: 60, what: 'All systems normal' },
];

export type Checkpoint =
  | {
      minutes: number;
      what: string;
      status: 'passed';
      /** Each check's value for the new version at that interval: "error_rate" → 0.004. */
      values: Array<{ quantity: string; value: number }>;
    }
  | { minutes: number; what: string; status: 'failed'; at: number; rule?: string }
  /** Nothing fired, but no check had a value for the new version at that interval: nothing to confirm. */
  | { minutes: number; what: string; status: 'no_data'; at: number }
  /** The window ended before it (rolled back earlier, or handed off). */
  | { minutes: number; what: string; status: 'not_reached'; endedAt: number };

/**
 * The checkpoints of the monitor window of `environment` that fall within `monitorMs`, its planned length (a
 * 10-minute window has two; without it, those the window ran through). Empty when no monitor window ran in this
 * job. After a checkpoint that failed, or one not reached, the later ones are not reached.
 */
export function monitoringCheckpoints(
  result: Pick<PipelineResult, 'steps'>,
  environment: string,
  monitorMs?: number,
): Checkpoint[] {
  const step = result.steps.find(
    (s) =>
      s.environment === environment &&
      s.phase === 'monitor' &&
      s.step.kind === 'analysis' &&
      s.result.evidence !== undefined,
  );
  const evidence = step?.result.evidence;
  if (!evidence || evidence.at.length === 0) return [];
  const start = evidence.at[0]! - evidence.intervalMs;
  const elapsed = evidence.at.map((at) => at - start);
  const last = elapsed.at(-1)!;
  const span = monitorMs ?? last + evidence.intervalMs / 2;
  const out: Checkpoint[] = [];
  let from = 0;
  let ended = false;
  for (const c of CHECKPOINTS.filter((c) => c.minutes * 60_000 <= span)) {
    if (ended) {
      out.push({ ...c, status: 'not_reached', endedAt: last });
      continue;
    }
    const due = c.minutes * 60_000;
    // The interval that covers the checkpoint: the first to end at or after it (half an interval early counts).
    const i = elapsed.findIndex((e) => e >= due - evidence.intervalMs / 2);
    const through = i < 0 ? elapsed.length - 1 : i;
    const fired = firstRollback(evidence, from, through);
    if (fired !== undefined) {
      const rule = decisionAt(evidence, fired)?.rule;
      out.push({ ...c, status: 'failed', at: elapsed[fired]!, ...(rule ? { rule } : {}) });
      ended = true;
    } else if (i < 0) {
      out.push({ ...c, status: 'not_reached', endedAt: last });
      ended = true;
    } else {
      const values = valuesAt(evidence, i);
      out.push(
        values.length > 0 ? { ...c, status: 'passed', values } : { ...c, status: 'no_data', at: elapsed[i]! },
      );
      from = i + 1;
    }
  }
  return out;
}

/**
 * What was decided at interval `i`. The window's own decision is its last interval's: a window still undecided
 * at its deadline is concluded there from its evidence (analysis/deadline.ts), a rollback no interval fired.
 */
function decisionAt(evidence: WindowEvidence, i: number): WindowEvidence['decisions'][number] | undefined {
  const own = evidence.decisions[i];
  if (own?.kind === 'rollback' || i !== evidence.at.length - 1) return own;
  return evidence.decision.kind === 'rollback' ? evidence.decision : own;
}

function firstRollback(evidence: WindowEvidence, from: number, through: number): number | undefined {
  for (let i = from; i <= through; i++) if (decisionAt(evidence, i)?.kind === 'rollback') return i;
  return undefined;
}

/** The new version's value of each check's quantity at interval `i` (the first series is the canary's). */
function valuesAt(evidence: WindowEvidence, i: number): Array<{ quantity: string; value: number }> {
  const seen = new Map<string, number>();
  for (const check of evidence.checks) {
    const value = check.observed[0]?.values[i];
    if (typeof value === 'number' && Number.isFinite(value) && !seen.has(check.quantity))
      seen.set(check.quantity, value);
  }
  return [...seen].map(([quantity, value]) => ({ quantity, value }));
}

/** "5 min", "1 h 30 min" for the record. */
export const checkpointTime = (ms: number): string => formatDuration(Math.round(ms / 1000) * 1000);
