// Judges a recording offline: the same pure judge over the recorded samples, with the recorded config or
// another one (to tune thresholds). Backs `deploy-action analyze --recording FILE [--json]`.
import { explainIssues, formatPath, issueMessage, oneLine } from '../config/errors.ts';
import { MAX_TIMER_MS, parseDuration } from '../config/duration.ts';
import { showInvisible } from '../config/invisible.ts';
import { resolveAnalysisConfig, type AnalysisConfig } from './config.ts';
import { concludeWindow, windowIntervals } from './deadline.ts';
import { ANALYZE_EXIT_CODES } from './exit-codes.ts';
import { createJudgeState, idleComparisons, judge } from './judge.ts';
import { screenSide } from './domain.ts';
import { readRecording, RecordingError, type RecordedContext } from './recording.ts';
import { recordingFitProblems } from './recording-fit.ts';
import { analysisConfigSchema, recordedAnalysisConfigSchema, type AnalysisConfigInput } from './schema.ts';
import type { AnalysisWarning, Decision, RecordedNote, Sample } from './types.ts';

export interface ReplayedWindow {
  context: RecordedContext;
  /**
   * Each judged interval; `warnings` when a warning check (`on_breach: warn`) warned there, as live; `notes`
   * what a provider could not judge there, as recorded (no provider runs in a replay).
   */
  intervals: Array<{
    index: number;
    at: number;
    decision: Decision;
    warnings?: AnalysisWarning[];
    notes?: RecordedNote[];
    /** Notes of the interval past the first MAX_NOTES_SHOWN (recording.ts), counted. */
    notesLeftOut?: number;
  }>;
  decision: Decision;
  /** Intervals where the replayed decision kind differs from the one recorded live. */
  changed: number[];
  /** Samples after the window's decision (a rollback, or its end): not judged, as live. */
  unjudged?: number;
  /**
   * Comparisons with stable that had no interval they could use (no stable side, no requests): the decision
   * rests on the other checks. Said, so it is not read as "they held".
   */
  idle?: string[];
}

export interface ReplayResult {
  windows: ReplayedWindow[];
}

/** The analysis config to judge with, or a RecordingError naming where it came from and what is wrong. */
function judgeConfig(input: AnalysisConfigInput, source: string, recorded: boolean): AnalysisConfig {
  // A recording's own config is read as the analyzer that made it accepted it: a check refused since (one
  // that can never hold or never fire) was judged live and is judged again. A config given is checked as
  // written.
  const schema = recorded ? recordedAnalysisConfigSchema : analysisConfigSchema;
  const checked = schema.safeParse(input, { error: issueMessage });
  if (!checked.success)
    throw new RecordingError(
      explainIssues(checked.error.issues, input, schema)
        .map(({ path, message }) => `${source}${path.length ? `.${formatPath(path)}` : ''}: ${message}`)
        .join('\n'),
    );
  let config: AnalysisConfig;
  try {
    config = resolveAnalysisConfig(input, { recorded });
  } catch (error) {
    // What the schema cannot see, such as two checks with one name.
    throw new RecordingError(`${source}: ${(error as Error).message}`);
  }
  // Without a check the judge sees no data in any interval and every window ends in a no-data rollback.
  if (config.checks.length === 0)
    throw new RecordingError(
      `${source}: no checks to judge the recording with: define metrics the seed preset has checks for (error_rate, p95, errors and requests, ...) or add analysis.checks`,
    );
  return config;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The longest duration accepted today (Node's timers), written as a duration. */
const CEILING = `${MAX_TIMER_MS}ms`;
const pastCeiling = (value: unknown): boolean =>
  typeof value === 'string' && (parseDuration(value) ?? 0) > MAX_TIMER_MS;

/** What each provider type needs to be valid, in place of the recorded settings. */
const PROVIDER_STAND_INS: Record<string, Record<string, unknown>> = {
  prometheus: { url: 'http://recorded.invalid' },
  http: { url: 'http://recorded.invalid' },
  command: { run: ['recorded'] },
  logs: { run: ['recorded'] },
};

/**
 * The recorded config as far as the judge reads it. A replay calls no provider, so how one was reached (its
 * URL, timeout, headers, retries) and how Prometheus was asked (a metric's range) do not matter, and must not
 * stop a recording from being judged: checks on them were added later (a timeout of 0 is refused since
 * 4d1134f), and a later version may add settings this one does not know. Provider types, metric names,
 * fields and histogram flags, checks and the judge's own settings are read and checked as written (but a
 * duration past today's ceiling, accepted before there was one, is judged as the ceiling).
 */
function judgedPart(config: AnalysisConfigInput): AnalysisConfigInput {
  const raw = config as Record<string, unknown>;
  const out: Record<string, unknown> = { ...raw };
  if (isMapping(raw.providers))
    out.providers = Object.fromEntries(
      Object.entries(raw.providers).map(([name, provider]) => {
        const type = isMapping(provider) ? provider.type : undefined;
        return [
          name,
          typeof type === 'string' && Object.hasOwn(PROVIDER_STAND_INS, type)
            ? { type, ...PROVIDER_STAND_INS[type] }
            : provider,
        ];
      }),
    );
  // Durations had no ceiling before 2026-11-30 (b3b42444): `max_no_data: 30d` or a rule's `for: 30d` was
  // accepted. A replay waits on no timer and no window is that long, so such a duration is judged as the
  // ceiling, with the same decisions; one that is not a duration is still refused.
  if (pastCeiling(raw.max_no_data)) out.max_no_data = CEILING;
  // A check's name with an invisible character (refused since 2026-12-05: one copied from a job summary) is
  // judged under its name with that character written as its escape: as distinct from the preset's as live.
  if (Array.isArray(raw.checks))
    out.checks = raw.checks.map((check: unknown) => {
      if (!isMapping(check)) return check;
      const named = typeof check.name === 'string' ? { ...check, name: showInvisible(check.name) } : check;
      return pastCeiling(named.for) ? { ...named, for: CEILING } : named;
    });
  if (isMapping(raw.metrics))
    out.metrics = Object.fromEntries(
      Object.entries(raw.metrics).map(([name, metric]) => {
        if (!isMapping(metric) || !('range' in metric)) return [name, metric];
        const { range: _range, ...rest } = metric;
        return [name, rest];
      }),
    );
  return out as AnalysisConfigInput;
}

/**
 * The most intervals a window's gaps are judged one by one (a file's own intervals are bounded by its size,
 * these are not: `intervalMs: 1` and two samples a year apart skip 3e10). Past it, each gap is judged as its
 * last interval alone, whose time without data is the gap's.
 */
export const MAX_MISSING_JUDGED = 100_000;

export function analyzeRecording(file: string, config?: AnalysisConfigInput): ReplayResult {
  const recording = readRecording(file);
  const resolved = config
    ? judgeConfig(config, 'the analysis config given', false)
    : judgeConfig(judgedPart(recording.config), `${file}:1: config`, true);
  const misfit = recordingFitProblems(file, recording, resolved);
  if (misfit.length) throw new RecordingError(misfit.join('\n'));
  const windows = recording.windows.map((window): ReplayedWindow => {
    const startedAt = Number.isFinite(window.startedAt) ? window.startedAt : undefined;
    // Samples past the window are its extension (a live run that ended undecided). A recording made before
    // extensions existed has none: its undecided windows are decided on the evidence they have.
    const { base: expected, extension } = windowIntervals(
      resolved,
      window.context.windowMs,
      window.context.intervalMs,
    );
    let state = createJudgeState(resolved, {
      intervalMs: window.context.intervalMs,
      // As the live run's baseline read takes it: a value out of its metric's range is no baseline.
      baseline: window.baseline && screenSide(resolved, 'canary', window.baseline).values,
      startedAt,
      reference: window.context.baselineSlot === undefined ? 'stable' : 'baseline',
      plannedIntervals: expected + extension,
      ...(window.context.comparedBefore ? { comparedBefore: window.context.comparedBefore } : {}),
    });
    const intervals: ReplayedWindow['intervals'] = [];
    const changed: number[] = [];
    // As the live loop (analyzer.ts): the window ends after `expected` intervals, extended once only when the
    // last of them holds. Samples after that (another config's extension, or a file that goes on) could not
    // have been judged live: they must not turn a promotion at the window's end into a rollback. A sample's
    // interval is its index (the live loop's), not its position: with a gap in the recording (missed
    // intervals) the samples after the window's end came after it, however few came before.
    let count = expected;
    let extended = false;
    /** One interval judged, as the live loop judges it; false once the window is decided or over. */
    const judgeInterval = (
      index: number,
      sample: Sample,
      recorded?: Decision,
      notes?: RecordedNote[],
      notesLeftOut?: number,
    ): boolean => {
      if (!extended && index >= expected) {
        extended = true;
        if (intervals.at(-1)?.decision.kind === 'hold') count = expected + extension;
      }
      if (index >= count) return false;
      // As the live run reads them (analyzer.ts screened): a fraction a rounding error outside 0..1 is its
      // bound, and a value its metric cannot have is no data with an out-of-range error of the interval.
      // Analyzers before 45b23476 recorded such values as read (and judged them as given).
      const canary = screenSide(resolved, 'canary', sample.canary);
      const stable = sample.stable && screenSide(resolved, 'stable', sample.stable);
      const judged = judge(state, {
        ...sample,
        canary: canary.values,
        ...(stable ? { stable: stable.values } : {}),
        errors: [...sample.errors, ...canary.errors, ...(stable?.errors ?? [])],
      });
      state = judged.state;
      intervals.push({
        index,
        at: sample.at,
        decision: judged.decision,
        ...(judged.warnings.length ? { warnings: judged.warnings } : {}),
        ...(notes?.length ? { notes } : {}),
        ...(notesLeftOut ? { notesLeftOut } : {}),
      });
      if (recorded && recorded.kind !== judged.decision.kind) changed.push(index);
      return judged.decision.kind !== 'rollback';
    };
    /** The last interval the recording holds before the next one, and its time (the window's start first). */
    let before: { index: number; at: number | undefined } = { index: -1, at: startedAt };
    let judgedSamples = 0;
    let filled = 0;
    samples: for (const { index, sample, decision: recorded, notes, notesLeftOut } of window.samples) {
      // Intervals the recording skips (lines edited out, a file filtered or written by other means: a live
      // run writes every interval it reads, a late one from history) had nothing read for them: judged as
      // intervals without data, as a side recorded as null is, at times spread evenly between their
      // neighbours'. Skipped, a window missing most of its intervals promoted on the few it had.
      for (let missing = before.index + 1; missing < index; missing++) {
        // Past the bound, the rest of the gap is its last interval alone: the time without data is the same.
        if (filled >= MAX_MISSING_JUDGED) missing = Math.max(missing, index - 1);
        filled++;
        const from = before.at ?? sample.at - (index - before.index) * window.context.intervalMs;
        const at = from + ((missing - before.index) * (sample.at - from)) / (index - before.index);
        const note: RecordedNote = {
          provider: 'recording',
          code: 'interval-not-recorded',
          message: `interval ${missing} is not in the recording: judged as an interval without data`,
        };
        const empty = { at, canary: {}, ...(sample.stable ? { stable: {} } : {}), errors: [] };
        if (!judgeInterval(missing, empty, undefined, [note])) break samples;
      }
      before = { index, at: sample.at };
      if (!judgeInterval(index, sample, recorded, notes, notesLeftOut)) {
        if (index < count) judgedSamples++;
        break;
      }
      judgedSamples++;
    }
    const last = intervals.at(-1);
    /** Intervals the recording reaches (its last sample's index, gaps included): past the window, all of it. */
    const reached = (window.samples.at(-1)?.index ?? -1) + 1;
    let decision: Decision;
    if (!last)
      decision = { kind: 'hold', code: 'not-enough-data', reason: 'the window has no samples', values: {} };
    else if (last.decision.kind !== 'rollback' && reached < expected)
      // The live run stopped early (it rolled back, or was cancelled): the window was never fully observed.
      decision = {
        kind: 'hold',
        code: 'window-inconclusive',
        reason: `the recording ends after ${reached} of ${expected} intervals, so the window cannot promote`,
        values: last.decision.values,
      };
    else decision = concludeWindow(state, last.decision);
    const unjudged = window.samples.length - judgedSamples;
    const idle = idleComparisons(state);
    return {
      context: window.context,
      intervals,
      decision,
      changed,
      ...(unjudged ? { unjudged } : {}),
      ...(idle.length ? { idle } : {}),
    };
  });
  return { windows };
}

export interface AnalyzeCommandOptions {
  recording: string;
  json?: boolean;
  /** A different analysis config to judge the recording with. */
  config?: AnalysisConfigInput;
}

/** `\uXXXX` for each UTF-16 unit of `char`: an escape both a terminal and JSON read as that character. */
const escaped = (char: string): string =>
  [...Array(char.length).keys()]
    .map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`)
    .join('');

/**
 * One line, nothing a terminal acts on: control characters and every format character (the bidirectional
 * overrides that make text read other than it is, zero-width spaces and joiners, the byte order mark, tag
 * characters) are escaped (oneLine), so what is printed is what the file holds. Names, versions and provider
 * messages come from the file.
 */
const printable = oneLine;

/** JSON with the same characters escaped (JSON.stringify leaves C1 controls and U+2028/9 raw): still JSON. */
const json = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029]|\p{Cf}/gu, escaped);

/** Exit codes: ANALYZE_EXIT_CODES (exit-codes.ts), as docs/analysis.md lists them. */
export function runAnalyzeCommand(options: AnalyzeCommandOptions): { exitCode: number; output: string } {
  let result: ReplayResult;
  try {
    result = analyzeRecording(options.recording, options.config);
  } catch (error) {
    // Input problems are RecordingErrors; anything else is a bug and must not read as a verdict.
    const bad = error instanceof RecordingError;
    const message = error instanceof Error ? error.message : String(error);
    const text = bad ? message : `unexpected error while judging ${options.recording}: ${message}`;
    return {
      exitCode: ANALYZE_EXIT_CODES[bad ? 'bad-input' : 'internal-error'],
      output: options.json ? json({ error: text }) : `error: ${text.split('\n').map(printable).join('\n')}`,
    };
  }
  const kinds = result.windows.map((w) => w.decision.kind);
  const exitCode =
    ANALYZE_EXIT_CODES[
      kinds.includes('rollback')
        ? 'rollback'
        : kinds.includes('hold') || kinds.length === 0
          ? 'hold'
          : 'promote'
    ];
  if (options.json) return { exitCode, output: json(result, 2) };
  const lines: string[] = [];
  result.windows.forEach((w, i) => {
    const c = w.context;
    lines.push(
      `window ${i + 1}: ${c.phase} ${c.environment} ${c.version}${c.stableVersion ? ` vs ${c.baselineSlot ? `baseline ${c.stableVersion} on ${c.baselineSlot}` : c.stableVersion}` : ''}${c.weight !== undefined ? ` at ${c.weight}%` : ''}`,
    );
    for (const interval of w.intervals) {
      const d = interval.decision;
      lines.push(
        `  #${interval.index} ${d.kind.padEnd(8)} ${d.code}${d.rule ? ` [${d.rule}]` : ''}: ${d.reason}`,
      );
      // Said under the interval it fell in; a warning never changes the decision above it.
      for (const warning of interval.warnings ?? [])
        lines.push(`     warning  ${warning.code} [${warning.rule}]: ${warning.reason}`);
      // What a provider could not judge in the interval (new error patterns), as the live run said it.
      for (const note of interval.notes ?? [])
        lines.push(`     note     ${note.code} [${note.provider}]: ${note.message}`);
      if (interval.notesLeftOut) lines.push(`     note     and ${interval.notesLeftOut} more, not shown`);
    }
    lines.push(`  => ${w.decision.kind.toUpperCase()} (${w.decision.code}): ${w.decision.reason}`);
    if (w.changed.length)
      lines.push(`  differs from the live decisions at intervals ${w.changed.join(', ')}`);
    if (w.idle && w.decision.kind !== 'rollback')
      lines.push(
        `  not compared (no interval they could use: no stable side, or no requests): ${w.idle.join(', ')}`,
      );
    if (w.unjudged)
      lines.push(`  ${w.unjudged} sample(s) after the window's decision not judged (a live run stops there)`);
  });
  if (result.windows.length === 0) lines.push('the recording has no windows');
  return { exitCode, output: lines.map(printable).join('\n') };
}
