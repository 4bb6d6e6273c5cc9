// Whether a recording can be judged with a config: what readRecording cannot know, because it depends on the
// checks. A check on a metric the recording never holds would end every window in a no-data rollback: it is
// refused. Values its metric cannot have (domain.ts) are not: the replay makes them out-of-range errors of
// their interval as the live analyzer does (replay.ts, screenSide), since analyzers before 45b23476 recorded
// them as read, and refusing them refused those runs' own recordings. Nor are counts an errors check cannot
// use (more errors than requests, negative, past 2^53): the judge fails closed on them as the live run did
// (judge.ts impossibleCounts, a provider failure of the interval).
import { listOf } from '../config/suggest.ts';
import { checkMetrics, type AnalysisConfig } from './config.ts';
import { isBucketKey } from './histogram.ts';
import { problemLine, type Recording } from './recording.ts';

const MAX_PROBLEMS = 20;

/** The problems, one line each (empty when the recording fits), at most MAX_PROBLEMS and a last "stopped". */
export function recordingFitProblems(file: string, recording: Recording, config: AnalysisConfig): string[] {
  const problems: string[] = [];
  const recorded = new Set<string>();
  let anySide = false;
  for (const window of recording.windows)
    for (const { sample } of window.samples)
      for (const side of [sample.canary, sample.stable])
        if (side) {
          anySide ||= Object.keys(side).length > 0;
          for (const key of Object.keys(side)) recorded.add(key);
        }
  // A recording without any data at all (a whole-run Prometheus gap) is judged: it ends in the no-data policy.
  const names = [...recorded].filter((m) => !isBucketKey(m)).sort();
  const quoted = names.map((m) => JSON.stringify(m));
  const shown = quoted.length > 12 ? [...quoted.slice(0, 12), `${quoted.length - 12} more`] : quoted;
  if (anySide)
    for (const check of config.checks)
      for (const metric of checkMetrics(check))
        if (!recorded.has(metric))
          problems.push(
            `${file}: check "${check.name}" uses the metric "${metric}", which no sample of the recording has (it has ${listOf(shown, 'and')}): judged, every window would end in a no-data rollback`,
          );

  // A histogram comparison on a metric recorded as one number and never as buckets (another config's p95
  // under the name, or a config given that reads it as a histogram): it would compare no interval, and the
  // window promote on the other checks, saying only that it was not compared. A metric never read at all
  // (null in every sample, as a live run whose reads all failed records it) is judged: it had no buckets live.
  if (anySide)
    for (const check of config.checks) {
      if (check.kind !== 'histogram') continue;
      const prefix = `${check.metric}{le="`;
      if ([...recorded].some((key) => key.startsWith(prefix))) continue;
      const asNumber = recording.windows.some((window) =>
        window.samples.some(({ sample }) =>
          [sample.canary, sample.stable].some((side) => typeof side?.[check.metric] === 'number'),
        ),
      );
      if (asNumber)
        problems.push(
          `${file}: check "${check.name}" compares the histogram buckets of "${check.metric}" (${check.metric}{le="..."}), which no sample of the recording has: it holds "${check.metric}" as one number, and judged, the check would compare no interval and the window promote on the other checks`,
        );
    }
  const lines = problems.slice(0, MAX_PROBLEMS).map(problemLine);
  return problems.length > MAX_PROBLEMS ? [...lines, `(stopped after ${MAX_PROBLEMS} problems)`] : lines;
}
