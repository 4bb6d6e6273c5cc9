// The analysis warnings of a run (warning checks, `on_breach: warn`) as records for events and the result:
// the same record live (the executor, as an interval fires one) and after (from the steps' evidence). Pure.
import type { AnalysisWarning } from '../analysis/types.ts';
import type { AnalysisPhase } from '../strategies/types.ts';
import type { AnalysisWarningRecord, StepRecord } from './events.ts';

export function warningRecord(
  warning: Pick<AnalysisWarning, 'rule' | 'code' | 'reason'>,
  where: { at: number; environment: string; phase: AnalysisPhase; weight?: number },
): AnalysisWarningRecord {
  return {
    at: new Date(where.at).toISOString(),
    environment: where.environment,
    phase: where.phase,
    ...(where.weight !== undefined ? { weight: where.weight } : {}),
    check: warning.rule,
    code: warning.code,
    reason: warning.reason,
  };
}

/** Every warning the steps' analysis windows recorded, in the order they ran (rollback steps analyse nothing). */
export function analysisWarnings(steps: readonly StepRecord[]): AnalysisWarningRecord[] {
  return steps.flatMap((record) => {
    const { step, result } = record;
    if (step.kind !== 'analysis' || !result.evidence?.warnings) return [];
    return result.evidence.warnings.map((w) =>
      warningRecord(w, {
        at: w.at,
        environment: record.environment,
        phase: step.phase,
        ...(step.weight !== undefined ? { weight: step.weight } : {}),
      }),
    );
  });
}

/** The warning in one line for people (the job log, the terminal, a thread): raw text, made inert by each. */
export function warningText(record: AnalysisWarningRecord): string {
  const where = `${record.phase}${record.weight !== undefined ? ` at ${record.weight} %` : ''}`;
  return `analysis warning (not a rollback) in ${record.environment} ${where}: ${record.check}: ${record.reason}`;
}
