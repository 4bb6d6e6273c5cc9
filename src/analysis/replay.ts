// Judges a recording offline: the same pure judge over the recorded samples, with the recorded config or
// another one (to tune thresholds). Backs `deploy-action analyze --recording FILE [--json]`.
import { concludeWindow } from './analyzer.ts';
import { resolveAnalysisConfig } from './config.ts';
import { createJudgeState, judge } from './judge.ts';
import { readRecording, type RecordedContext } from './recording.ts';
import type { AnalysisConfigInput } from './schema.ts';
import type { Decision } from './types.ts';

export interface ReplayedWindow {
  context: RecordedContext;
  intervals: Array<{ index: number; at: number; decision: Decision }>;
  decision: Decision;
  /** Intervals where the replayed decision kind differs from the one recorded live. */
  changed: number[];
}

export interface ReplayResult {
  windows: ReplayedWindow[];
}

export function analyzeRecording(file: string, config?: AnalysisConfigInput): ReplayResult {
  const recording = readRecording(file);
  const resolved = resolveAnalysisConfig(config ?? recording.config);
  const windows = recording.windows.map((window): ReplayedWindow => {
    const startedAt = Number.isFinite(window.startedAt) ? window.startedAt : undefined;
    let state = createJudgeState(resolved, {
      intervalMs: window.context.intervalMs,
      baseline: window.baseline,
      startedAt,
    });
    const intervals: ReplayedWindow['intervals'] = [];
    const changed: number[] = [];
    for (const { index, sample, decision: recorded } of window.samples) {
      const judged = judge(state, sample);
      state = judged.state;
      intervals.push({ index, at: sample.at, decision: judged.decision });
      if (recorded && recorded.kind !== judged.decision.kind) changed.push(index);
      if (judged.decision.kind === 'rollback') break;
    }
    const last = intervals.at(-1)?.decision;
    const expected = Math.max(1, Math.ceil(window.context.windowMs / window.context.intervalMs));
    let decision: Decision;
    if (!last)
      decision = { kind: 'hold', code: 'not-enough-data', reason: 'the window has no samples', values: {} };
    else if (last.kind !== 'rollback' && intervals.length < expected)
      // The live run stopped early (it rolled back, or was cancelled): the window was never fully observed.
      decision = {
        kind: 'hold',
        code: 'window-inconclusive',
        reason: `the recording ends after ${intervals.length} of ${expected} intervals, so the window cannot promote`,
        values: last.values,
      };
    else decision = concludeWindow(last);
    return { context: window.context, intervals, decision, changed };
  });
  return { windows };
}

export interface AnalyzeCommandOptions {
  recording: string;
  json?: boolean;
  /** A different analysis config to judge the recording with. */
  config?: AnalysisConfigInput;
}

/** Exit codes: 0 every window promotes, 1 a window rolls back, 2 a window is inconclusive (hold), 3 bad input. */
export function runAnalyzeCommand(options: AnalyzeCommandOptions): { exitCode: number; output: string } {
  let result: ReplayResult;
  try {
    result = analyzeRecording(options.recording, options.config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: 3, output: options.json ? JSON.stringify({ error: message }) : `error: ${message}` };
  }
  const kinds = result.windows.map((w) => w.decision.kind);
  const exitCode = kinds.includes('rollback') ? 1 : kinds.includes('hold') || kinds.length === 0 ? 2 : 0;
  if (options.json) return { exitCode, output: JSON.stringify(result, null, 2) };
  const lines: string[] = [];
  result.windows.forEach((w, i) => {
    const c = w.context;
    lines.push(
      `window ${i + 1}: ${c.phase} ${c.environment} ${c.version}${c.stableVersion ? ` vs ${c.stableVersion}` : ''}${c.weight !== undefined ? ` at ${c.weight}%` : ''}`,
    );
    for (const interval of w.intervals) {
      const d = interval.decision;
      lines.push(
        `  #${interval.index} ${d.kind.padEnd(8)} ${d.code}${d.rule ? ` [${d.rule}]` : ''}: ${d.reason}`,
      );
    }
    lines.push(`  => ${w.decision.kind.toUpperCase()} (${w.decision.code}): ${w.decision.reason}`);
    if (w.changed.length)
      lines.push(`  differs from the live decisions at intervals ${w.changed.join(', ')}`);
  });
  if (result.windows.length === 0) lines.push('the recording has no windows');
  return { exitCode, output: lines.join('\n') };
}
