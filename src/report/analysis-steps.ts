// The analysis steps of a deployment as rows (step, weight, verdict, metric values) for the job summary,
// the chart and the deployment record. Pure.
import type { WindowEvidence } from '../analysis/evidence.ts';
import type { PipelineResult, StepRecord } from '../pipeline/events.ts';

export interface AnalysisRow {
  label: string;
  environment: string;
  phase: string;
  weight?: number;
  /** A rolling batch's number: the step's name where it has no traffic share ("batch 2"). */
  batch?: number;
  /**
   * `cancelled` / `aborted` / `stopped`: the window was cut short by the job's cancellation, an /abort or an
   * internal error that stopped the run, never judged.
   */
  verdict: 'promote' | 'hold' | 'ok' | 'rollback' | 'cancelled' | 'aborted' | 'stopped';
  detail: string;
  durationMs: number;
  metrics: Record<string, number | null>;
  /** What the judge saw in the step's window, interval by interval (absent for health-only analysis). */
  evidence?: WindowEvidence;
}

export function analysisRows(result: Pick<PipelineResult, 'steps'>): AnalysisRow[] {
  return result.steps.filter((s) => s.step.kind === 'analysis').map(toRow);
}

type Stopped = NonNullable<Extract<StepRecord['result'], { ok: false }>['stopped']>;

const CUT_SHORT_BY: Record<Stopped, string> = {
  aborted: 'by an /abort',
  cancelled: 'when the job was cancelled',
  internal_error: 'when an internal error stopped the run',
};

function verdictOf(stopped: Stopped | undefined): AnalysisRow['verdict'] {
  return stopped === undefined ? 'rollback' : stopped === 'internal_error' ? 'stopped' : stopped;
}

function toRow(record: StepRecord): AnalysisRow {
  const step = record.step as Extract<StepRecord['step'], { kind: 'analysis' }>;
  const where =
    step.weight !== undefined
      ? `${step.phase} @ ${step.weight}%`
      : step.batch !== undefined
        ? `${step.phase} ${step.batch}`
        : step.phase;
  return {
    label: record.phase === 'rollback' ? `rollback ${where}` : where,
    environment: record.environment,
    phase: step.phase,
    weight: step.weight,
    ...(step.batch !== undefined ? { batch: step.batch } : {}),
    verdict: record.result.ok ? (record.result.analysis ?? 'ok') : verdictOf(record.result.stopped),
    detail: record.result.ok
      ? (record.result.detail ?? '')
      : record.result.stopped
        ? `not judged: the window was cut short ${CUT_SHORT_BY[record.result.stopped]}`
        : record.result.reason,
    durationMs: record.durationMs,
    metrics: record.result.metrics ?? {},
    ...(record.result.evidence ? { evidence: record.result.evidence } : {}),
  };
}

/** A provider's note (WindowEvidence.notes) with the step it was given in. */
export interface StepNote {
  row: AnalysisRow;
  note: NonNullable<WindowEvidence['notes']>[number];
  /** Later notes of the same provider and code in the step, not listed (more held patterns): counted. */
  again: number;
}

/**
 * Every step's notes (what a provider could not judge: new error patterns not judged for part of a window),
 * in the order the steps ran; the same code of the same provider once a step, with how many more times it
 * was given (a held pattern is noted each time more are held: the first names only its own).
 */
export function stepNotes(rows: readonly AnalysisRow[]): StepNote[] {
  return rows.flatMap((row) => {
    const first = new Map<string, StepNote>();
    for (const note of row.evidence?.notes ?? []) {
      const key = JSON.stringify([note.provider, note.code]);
      const seen = first.get(key);
      if (seen) seen.again++;
      else first.set(key, { row, note, again: 0 });
    }
    return [...first.values()];
  });
}

/** Metric names seen across the rows, in first-seen order, stable-side values last. */
export function metricNames(rows: AnalysisRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.metrics)) names.add(name);
  const all = [...names];
  return [...all.filter((n) => !n.startsWith('stable.')), ...all.filter((n) => n.startsWith('stable.'))];
}
