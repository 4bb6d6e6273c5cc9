// Recording format (NDJSON, one JSON object per line), so a live analysis can be judged again offline:
//   {"format":"deploy-action.recording","version":1,"config":{...analysis config, secrets redacted...}}
//   {"type":"window","context":{phase,environment,version,...,windowMs,intervalMs},"baseline":{...},"startedAt":ms}
//   {"type":"sample","index":0,"sample":{"at":ms,"readAt":ms,"canary":{...},"stable":{...},"errors":[...]},"decision":{...},
//    "notes":[{provider,code,message}]}   (notes: what a provider could not judge; absent when none, and before)
//   ... more samples, then more windows (one per evaluate call: each canary step, verify, monitor ...)
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as z from 'zod';
import { describeAnyValue, explainIssues, formatPath, issueMessage, oneLine } from '../config/errors.ts';
import { DURATION_LIMITS } from '../config/duration.ts';
import { closestMatch } from '../config/suggest.ts';
import { duplicateKey } from './duplicate-keys.ts';
import { redactUrlQuery } from './http.ts';
import { canonicalBuckets } from './recorded-buckets.ts';
import type { AnalysisConfigInput } from './schema.ts';
import {
  ANALYSIS_NOTE_CODES,
  PROVIDER_ERROR_CODES,
  type AnalysisNote,
  type RecordedNote,
  type Decision,
  type MetricValues,
  type Sample,
} from './types.ts';

export const RECORDING_FORMAT = 'deploy-action.recording';
export const RECORDING_VERSION = 1;

export interface RecordedContext {
  phase: string;
  environment: string;
  version: string;
  stableVersion?: string;
  slot?: string;
  stableSlot?: string;
  /** A fresh baseline's slot: the sample's `stable` side was read from it (same version as stable). */
  baselineSlot?: string;
  weight?: number;
  windowMs: number;
  intervalMs: number;
  /** The comparisons that judged the version beside stable in an earlier window (JudgeOptions.comparedBefore). */
  comparedBefore?: string[];
}

export interface RecordedWindow {
  context: RecordedContext;
  baseline: MetricValues;
  startedAt: number;
  samples: Array<{
    index: number;
    sample: Sample;
    decision?: Decision;
    notes?: RecordedNote[];
    /** Notes past the first MAX_NOTES_SHOWN of the line, counted, not kept. */
    notesLeftOut?: number;
    line?: number;
  }>;
  /** The line of the file it was read from. */
  line?: number;
}

export interface Recording {
  config: AnalysisConfigInput;
  windows: RecordedWindow[];
}

/** `scheme://user:password@`: the user and password part of a URL's authority (up to its last `@`). */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/;

/**
 * Header values, env values, the user and password of a URL (`https://user:token@host`, sent as basic
 * auth) and credential-shaped parameters of its query (`?token=...`, `access_token`, `api_key`: http.ts) may
 * hold credentials: they never reach a recording.
 */
export function redactConfig(config: AnalysisConfigInput): AnalysisConfigInput {
  const copy = structuredClone(config) as { providers?: Record<string, Record<string, unknown>> };
  for (const provider of Object.values(copy.providers ?? {})) {
    for (const key of ['headers', 'env'])
      if (provider[key] && typeof provider[key] === 'object')
        provider[key] = Object.fromEntries(Object.keys(provider[key]).map((k) => [k, '[redacted]']));
    for (const key of ['url', 'stable_url']) {
      const url = provider[key];
      if (typeof url === 'string')
        provider[key] = redactUrlQuery(url.replace(USERINFO, '$1[redacted]@'), '[redacted]');
    }
  }
  return copy as AnalysisConfigInput;
}

/**
 * The file one environment's analysis is recorded to, for a run given `file`: the environment deployed to
 * (the production track) writes `file` itself; its staging environment's, analysed first in the same run,
 * `file` with the staging environment's name before the extension (`rec.ndjson` -> `rec.staging.ndjson`).
 * Each analysis writes a recording of its own: both once wrote `file`, the later one truncating the other's,
 * and a recording is one analysis config (a second header in a file is refused by readRecording).
 */
export function recordingFileFor(file: string, track: 'staging' | 'production', environment: string): string {
  if (track === 'production') return file;
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dot = file.lastIndexOf('.');
  // An extension of the name itself, not a dot in a directory's name nor a leading dot (".rec").
  const at = dot > slash + 1 ? dot : file.length;
  return `${file.slice(0, at)}.${environment}${file.slice(at)}`;
}

export class RecordingWriter {
  readonly #file: string;
  #started = false;
  /** A write failed: said once, and nothing more is written. */
  #failed = false;
  readonly #config: AnalysisConfigInput;
  readonly #warn: (message: string) => void;
  readonly #redact: (text: string) => string;

  /**
   * `redact`: applied to the texts of each sample line (provider errors, notes, the decision's reason), which
   * quote what a command printed or a server answered, so a recording masks what the job log masks.
   */
  constructor(
    file: string,
    config: AnalysisConfigInput,
    warn: (message: string) => void = () => {},
    redact: (text: string) => string = (text) => text,
  ) {
    this.#file = file;
    this.#config = config;
    this.#warn = warn;
    this.#redact = redact;
  }

  /**
   * A recording is for replaying later, never part of the decision: a write that fails (the disk full, the
   * directory gone) threw out of the analysis, which was then an internal error and rolled the release back.
   */
  #line(value: unknown): void {
    if (this.#failed) return;
    try {
      if (!this.#started) {
        this.#started = true;
        const header = {
          format: RECORDING_FORMAT,
          version: RECORDING_VERSION,
          config: redactConfig(this.#config),
        };
        appendFileSync(this.#file, `${JSON.stringify(header)}\n`, { flag: 'w' });
      }
      appendFileSync(this.#file, `${JSON.stringify(value)}\n`);
    } catch (error) {
      this.#failed = true;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.#warn(`the recording ${this.#file} cannot be written (${code}); the analysis goes on without it`);
    }
  }

  window(context: RecordedContext, baseline: MetricValues, startedAt: number): void {
    this.#line({ type: 'window', context, baseline, startedAt });
  }

  sample(index: number, sample: Sample, decision: Decision, notes: readonly AnalysisNote[] = []): void {
    // Messages only: names, codes and values are what a replay judges, and stay as read.
    const redact = this.#redact;
    const said = <T extends { message: string }>(list: readonly T[]) =>
      list.map((item) => ({ ...item, message: redact(item.message) }));
    this.#line({
      type: 'sample',
      index,
      sample: { ...sample, errors: said(sample.errors) },
      decision: { ...decision, reason: redact(decision.reason) },
      ...(notes.length ? { notes: said(notes) } : {}),
    });
  }
}

export class RecordingError extends Error {}

// What a recording line may hold. The format may gain fields, never lose any: a key this version does not
// know is accepted and ignored, unless it is a misspelling of a key that is missing ("stabel" without
// "stable"), which would drop data without a word (typoKeys). A metric value is a number or null (no data);
// a string such as "0.01" is refused rather than read as "no data", which would end in a no-data rollback
// nobody asked for.
const NUMBER_OR_NULL = 'a number or null (no data)';
/** What was found; a number too large for a double (1e999) reads as Infinity, which says nothing. */
const found = (input: unknown): string =>
  typeof input === 'number' && !Number.isFinite(input)
    ? `a number too large to represent (it reads as ${input})`
    : describeAnyValue(input);
const metricValue = z
  .number({ error: (issue) => `expected ${NUMBER_OR_NULL}, got ${found(issue.input)}` })
  .nullable();
const metricValues = z.record(z.string(), metricValue, {
  error: (issue) => `expected a mapping of metric name to ${NUMBER_OR_NULL}, got ${found(issue.input)}`,
});
/** null: the side had no data at all in that interval (a Prometheus gap), the same as every metric missing. */
const sideValues = z
  .record(z.string(), metricValue, {
    error: (issue) =>
      `expected a mapping of metric name to ${NUMBER_OR_NULL}, or null (no data at all), got ${found(issue.input)}`,
  })
  .nullable();
// Only the wrong kind of value is worded here; a number out of range gets issueMessage's "must be at least".
const ms = (what: string) =>
  z.number({
    error: (issue) =>
      issue.code === 'invalid_type' ? `expected ${what}, got ${found(issue.input)}` : undefined,
  });

/**
 * The longest window (and interval) a recording may hold: a year. A config's longest window is
 * DURATION_LIMITS.window (a 7-day monitor), and a bake's look covers the bake since it began, which a bake
 * left waiting for people may stretch to weeks; a window of 1e300 ms is a mistake (or a made-up file), and
 * was reported as "1 of 1.67e+295 intervals".
 */
export const MAX_RECORDED_WINDOW_MS = DURATION_LIMITS.age;

const DAY_MS = 86_400_000;

function tooLong(issue: { input?: unknown }): string {
  return (
    `${describeAnyValue(issue.input)} ms is longer than any window a run records: at most ${MAX_RECORDED_WINDOW_MS} ` +
    `(${MAX_RECORDED_WINDOW_MS / DAY_MS} days; a config's longest window is ${DURATION_LIMITS.window / DAY_MS} days)`
  );
}

// The labels a replay shows (never judged): a recording written by hand without them is read with these.
const contextSchema = z.looseObject({
  phase: z.string().default('canary-step'),
  environment: z.string().default('(environment not recorded)'),
  version: z.string().default('(version not recorded)'),
  stableVersion: z.string().optional(),
  slot: z.string().optional(),
  stableSlot: z.string().optional(),
  baselineSlot: z.string().optional(),
  weight: z.number().min(0).max(100).optional(),
  windowMs: ms('the window length in ms (a number)').min(0).max(MAX_RECORDED_WINDOW_MS, { error: tooLong }),
  // A millisecond at least: a smaller interval would make a window of more intervals than a number can count.
  intervalMs: ms('the interval in ms (a number)').min(1).max(MAX_RECORDED_WINDOW_MS, { error: tooLong }),
  comparedBefore: z.array(z.string()).optional(),
});

/**
 * The latest time a recording may hold: the last millisecond of the year 9999. Every duration a replay judges
 * (`for: 5m`, max_no_data, the time without data it reports) counts from these times: a time no clock reads
 * (1e300, or negative) was judged into "no data for 2.7e+293h" instead of refused.
 */
export const MAX_RECORDED_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const EPOCH = new Date(0).toISOString();
const epochMs = ms('a time in ms since the epoch (a number)')
  .min(0, {
    error: (issue) =>
      `${String(issue.input)} is before ${EPOCH}: a time in ms since the epoch is never negative`,
  })
  .max(MAX_RECORDED_TIME, {
    error: (issue) =>
      `${String(issue.input)} is after the year 9999 (at most ${MAX_RECORDED_TIME}, ${new Date(MAX_RECORDED_TIME).toISOString()})`,
  });

const windowLine = z.looseObject({
  type: z.literal('window'),
  context: contextSchema,
  baseline: metricValues.optional(),
  startedAt: epochMs.optional(),
});

const sampleError = z.looseObject({
  provider: z.string(),
  side: z.enum(['canary', 'stable']),
  code: z.enum(PROVIDER_ERROR_CODES),
  message: z.string(),
});

// Optional: recordings made before notes existed have none. A code this version does not know is a later
// version's (kebab-case, as every code): shown as recorded, since a note decides nothing; anything else is
// no code.
const recordedNote = z.looseObject({
  provider: z.string(),
  code: z.union([
    z.enum(ANALYSIS_NOTE_CODES),
    z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'a note code: lowercase words joined by "-"'),
  ]),
  message: z.string(),
});

const sampleLine = z.looseObject({
  type: z.literal('sample'),
  index: z.number().int().min(0).optional(),
  sample: z.looseObject({
    at: epochMs,
    // The instant the interval was evaluated at: kept for whoever queries it again, not judged.
    readAt: epochMs.optional(),
    canary: sideValues,
    stable: sideValues.optional(),
    errors: z.array(sampleError).optional(),
  }),
  // Only the kind is compared with the replayed decision; the rest is kept as recorded.
  decision: z.looseObject({ kind: z.enum(['promote', 'hold', 'rollback']) }).optional(),
  // Shown by the replay as recorded: no provider runs there to say them again.
  notes: z.array(recordedNote).optional(),
});

/**
 * The longest a run waits between two reads of one window beyond the window's own length: reads missed (a
 * provider that kept timing out, a machine asleep) add up to no more than a week in any run.
 */
export const MAX_RECORDED_GAP_SLACK_MS = DURATION_LIMITS.window;

/**
 * What is wrong with a sample's time `at` in `window`, measured from the window's last sample with a time
 * (or, before any, its startedAt): one sample per interval, in time order, none before the window began, and
 * none further from the one before than the window's length (at least one interval) and a week: a live run
 * reads each interval at its end, so a longer gap is a time no run recorded (startedAt 0 and a first sample in
 * the year 5000), which the judge would count into `for`, `max_no_data` and the time without data it reports.
 */
function timeProblems(window: RecordedWindow, at: number): string[] {
  const previous = window.samples.findLast((s) => Number.isFinite(s.sample.at));
  const from = previous
    ? { at: previous.sample.at, what: `the previous sample's ${previous.sample.at} (line ${previous.line})` }
    : Number.isFinite(window.startedAt)
      ? { at: window.startedAt, what: `the window's startedAt ${window.startedAt} (line ${window.line})` }
      : undefined;
  if (!from) return [];
  if (previous && !(at > from.at))
    return [`${at} is not after ${from.what}: samples are one per interval, in time order`];
  if (!previous && at < from.at) return [`${at} is before ${from.what}`];
  const { windowMs, intervalMs } = window.context;
  // A context refused on its own line is kept as written: its lengths may be anything but numbers there.
  if (typeof windowMs !== 'number' || typeof intervalMs !== 'number') return [];
  const allowed = Math.max(windowMs, intervalMs) + MAX_RECORDED_GAP_SLACK_MS;
  if (!(at - from.at > allowed)) return [];
  return [
    `${at} is ${spanText(at - from.at)} after ${from.what}: a window of ${windowMs} ms read every ` +
      `${intervalMs} ms never waits more than its length and a week (${spanText(allowed)}) between reads; ` +
      'the time is not one a run recorded',
  ];
}

/**
 * How much earlier than the end of the interval its index names a sample's time may be: two intervals (at
 * least a second). A live run reads interval `i` at its end (analyzer.ts: it waits until startedAt + (i + 1)
 * x intervalMs, then reads; history is read at that end exactly), so its times are never earlier. But a
 * recording made by other means (a generator, an export from another tool) may stamp each interval with its
 * start, one interval earlier, and add jitter; a timer firing a millisecond early, or the clock stepped back,
 * is not a contradiction either. What is refused is a time no reading of that interval could have.
 */
export const INDEX_SLACK_INTERVALS = 2;
/** The least of that slack, for intervals under half a second. */
export const MIN_INDEX_SLACK_MS = 1_000;

/**
 * What is wrong with a sample's time `at` for its `index` in `window`: earlier than the interval that index
 * names could have been read. The replay takes a sample's interval from its index (where the window ends,
 * which samples are its extension) and every duration it judges (`for`, max_no_data) from its time: twenty
 * samples a second apart numbered as twenty one-minute intervals were judged as a whole window whose durations
 * say it took a second. Measured from the window's startedAt or, without one, from its first sample as
 * the judge measures it (read at the end of its interval). A later time is data: reads that were slow or
 * missed (the gap rule in timeProblems bounds it).
 */
function indexProblems(window: RecordedWindow, index: number, at: number): string[] {
  const { intervalMs } = window.context;
  if (!Number.isFinite(at) || typeof intervalMs !== 'number' || !(intervalMs >= 1)) return [];
  const first = window.samples.find((s) => Number.isFinite(s.sample.at));
  const anchor = Number.isFinite(window.startedAt)
    ? { start: window.startedAt, what: `the window's startedAt ${window.startedAt} (line ${window.line})` }
    : first
      ? {
          start: first.sample.at - (first.index + 1) * intervalMs,
          what: `its first sample (index ${first.index} at ${first.sample.at}, line ${first.line}), the window having no startedAt`,
        }
      : undefined;
  if (!anchor) return [];
  const end = anchor.start + (index + 1) * intervalMs;
  const slack = Math.max(INDEX_SLACK_INTERVALS * intervalMs, MIN_INDEX_SLACK_MS);
  if (!(at < end - slack)) return [];
  return [
    `${at} is before interval ${index} (its index) could be read: a run reads an interval at its end, here ` +
      `${end} (${anchor.what}, + ${index + 1} x intervalMs ${intervalMs}), and this time is ${spanText(end - at)} ` +
      `earlier (more than the ${spanText(slack)} allowed for a time stamped at the interval's start and a clock that is off): the index and the time contradict each other`,
  ];
}

/** A span of time in ms, with its days when it is that long. */
function spanText(ms: number): string {
  return ms >= DAY_MS ? `${ms} ms (${+(ms / DAY_MS).toFixed(1)} days)` : `${ms} ms`;
}

/**
 * issueMessage, less its YAML hint for null (`key:` with nothing after it): in a recording's JSON a null is
 * written, and `{}` is no answer there (a `decision` needs its `kind`, a `context` its keys), so the hint sent
 * a writer from one refusal to the next. An optional key with no value is left out (docs/analysis.md).
 */
const recordingIssueMessage: z.core.$ZodErrorMap = (issue) => {
  const message = issueMessage(issue);
  return issue.code === 'invalid_type' && issue.input === null && typeof message === 'string'
    ? message.replace(/: write \{\} for an empty mapping$/, '')
    : message;
};

function explain(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], data: unknown): string[] {
  return explainIssues(issues, data, schema).map(({ path, message }) =>
    path.length === 0 ? message : `${formatPath(path)}: ${message}`,
  );
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Unknown keys that are a misspelling of a known key missing beside them: `sample.stabel` without
 * `sample.stable`. Other unknown keys are fields of a later version of the format, and are ignored.
 */
function typoKeys(value: unknown, known: readonly string[], path: (string | number)[]): string[] {
  if (!isMapping(value)) return [];
  const missing = known.filter((key) => !Object.hasOwn(value, key));
  return Object.keys(value).flatMap((key) => {
    if (known.includes(key)) return [];
    const meant = closestMatch(key, missing);
    return meant === undefined
      ? []
      : [`${formatPath([...path, key])}: unknown key ${JSON.stringify(key)}: did you mean "${meant}"?`];
  });
}

const keysOf = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);
const sampleShape = sampleLine.shape.sample;

function windowTypos(entry: Record<string, unknown>): string[] {
  return [
    ...typoKeys(entry, keysOf(windowLine), []),
    ...typoKeys(entry.context, keysOf(contextSchema), ['context']),
  ];
}

function sampleTypos(entry: Record<string, unknown>): string[] {
  const sample = entry.sample;
  const errors = isMapping(sample) && Array.isArray(sample.errors) ? sample.errors : [];
  const notes = Array.isArray(entry.notes) ? entry.notes : [];
  return [
    ...typoKeys(entry, keysOf(sampleLine), []),
    ...typoKeys(sample, keysOf(sampleShape), ['sample']),
    ...errors.flatMap((e, i) => typoKeys(e, keysOf(sampleError), ['sample', 'errors', i])),
    ...notes.flatMap((e, i) => typoKeys(e, keysOf(recordedNote), ['notes', i])),
  ];
}

/** Longest problem line: a key of megabytes, quoted in 20 problems, made a 100 MB message. */
const MAX_PROBLEM_CHARS = 1000;

/** A problem as printed: one line (control characters escaped), at most MAX_PROBLEM_CHARS long. */
export function problemLine(text: string): string {
  const line = oneLine(text);
  return line.length <= MAX_PROBLEM_CHARS
    ? line
    : `${line.slice(0, MAX_PROBLEM_CHARS)}... (${line.length - MAX_PROBLEM_CHARS} more characters)`;
}

/**
 * The longest note text a replay shows. A live note's message quotes at most 3 patterns of 160 characters,
 * escaped (log-patterns.ts describePatterns: under 4,000 characters); its provider is a config name. A
 * recording is anyone's file: a note of megabytes is shown cut, with how much more it held, as the live run
 * never wrote it, not printed whole under every interval it is on.
 */
export const MAX_NOTE_MESSAGE_CHARS = 8000;
export const MAX_NOTE_PROVIDER_CHARS = 200;
/**
 * The most notes a replay shows of one interval, the rest counted: a logs provider notes at most 4 codes an
 * interval, and each note shown is a line of text (several of JSON), so a line of a million notes would
 * otherwise print more than the file holds.
 */
export const MAX_NOTES_SHOWN = 20;

/** `text` cut to `max` characters (never half an emoji) with how many more there were. */
function cutNoteText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}... (${text.length - end} more characters)`;
}

/** At most this many problems are listed; a recording with a systematic mistake would repeat it per line. */
const MAX_PROBLEMS = 20;

/** 100 000 one-minute samples with histogram buckets take about 80 MB (and judging them about 500 MB). */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024;

/**
 * The text of a file, UTF-8 unless a byte order mark says UTF-16 (Windows PowerShell's `>` and `Out-File`
 * write UTF-16LE), or its first characters do without one (utf16WithoutMark): read as UTF-8, every line of
 * such a file was "not JSON" with a NUL after each character.
 */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  const utf16 = utf16WithoutMark(bytes);
  if (utf16) return new TextDecoder(utf16).decode(bytes);
  return bytes.toString('utf8');
}

/** How many bytes from the start utf16WithoutMark looks at. */
const SNIFF_BYTES = 64;

/**
 * UTF-16 without a byte order mark (PowerShell's `Out-File -Encoding unicode` through some tools, `iconv -t
 * UTF-16LE`), told from its first characters: a recording starts with JSON, which is ASCII there (`{"type":`),
 * and UTF-8 JSON never holds a NUL byte (a NUL in a string is written \u0000). So a NUL in every other byte,
 * and none in the others, is UTF-16: little-endian when the NULs come second. A file of zeros (a crash) is
 * neither.
 */
function utf16WithoutMark(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(SNIFF_BYTES, bytes.length - (bytes.length % 2));
  if (n < 2) return undefined;
  let le = true;
  let be = true;
  for (let i = 0; i < n; i += 2) {
    const [a, b] = [bytes[i]!, bytes[i + 1]!];
    le &&= a !== 0 && b === 0;
    be &&= a === 0 && b !== 0;
  }
  return le ? 'utf-16le' : be ? 'utf-16be' : undefined;
}

/**
 * The file's text, read up to a limit: a device such as /dev/zero, or a pipe that never ends, is refused
 * instead of filling memory until the process dies. Pipes (`<(gunzip -c rec.gz)`) are read as files are.
 */
function readCapped(file: string, max: number): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // Chunks sized by the file (a pipe or a device says 0), doubled up to 16 MiB: a 16 MiB buffer for every
    // read, twice per file, cost more CPU than parsing a small recording.
    let size = Math.max(64 * 1024, fstatSync(fd).size + 1);
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(size, 16 * 1024 * 1024, max + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      size *= 2;
      if (total > max)
        throw new Error(
          `more than ${max / 1024 / 1024} MiB: too large to judge in memory (split it, one window per file)`,
        );
    }
    return decodeText(Buffer.concat(chunks, total));
  } finally {
    closeSync(fd);
  }
}

/** A JSON string literal, left alone when looking for the words below. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
/** What Python's json.dumps writes for a float that is not finite (allow_nan, its default): no JSON. */
const NON_FINITE_WORD = /(?<![\w.$])(?:-?Infinity|NaN)(?![\w.$])/;

/** Whether JSON.parse failed for want of more text: at the end of the line, not at a character in it. */
function ranOut(error: Error, line: string): boolean {
  if (/unexpected end/i.test(error.message)) return true;
  const at = /at position (\d+)/.exec(error.message);
  // A message without a position (another engine's wording) says nothing either way: the hint stays.
  return at === null || Number(at[1]) >= line.trimEnd().length;
}

/**
 * Reads and checks a recording. Every problem is reported (up to MAX_PROBLEMS) with the file, the line, the
 * window and sample it belongs to, the field, what was found and what is allowed.
 */
export function readRecording(file: string, maxBytes = MAX_RECORDING_BYTES): Recording {
  // Every message is one line whatever the file holds: a key or a name with an escape sequence is written
  // escaped, never sent to the terminal.
  const fail = (message: string) => new RecordingError(problemLine(message));
  let text: string;
  try {
    text = readCapped(file, maxBytes);
  } catch (error) {
    throw fail(`cannot read recording ${file}: ${(error as Error).message}`);
  }
  // A byte order mark (some editors write one) is not part of the first line's JSON. A line ends at LF, CRLF
  // or a lone CR (an old Mac editor's): JSON text never holds a raw CR, so one can only end a line, and a
  // file of CR-ended lines read as one line was "cut short" at line 1.
  // A mark at the start of a later line (two recordings concatenated) is no part of it either.
  const lines = text.split(/\r\n|\r|\n/).map((line, i) => ({ line: line.replace(/^\uFEFF/, ''), n: i + 1 }));
  const content = lines.filter(({ line }) => line.trim() !== '');
  const parse = (line: string, n: number): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (error) {
      // A run stopped while writing leaves its last line cut short, without the newline every line ends in:
      // the parser runs out of text (a line with a stray character after its JSON was not cut).
      const cut = n === lines.length && !/[\r\n]\s*$/.test(text) && ranOut(error as Error, line);
      // UTF-8 JSON holds no NUL byte: NULs between the characters are UTF-16 utf16WithoutMark could not tell.
      const utf16 = /(?:[^\0]\0){3}|(?:\0[^\0]){3}/.test(line)
        ? ': it looks like UTF-16 without a byte order mark; save it as UTF-8 (or UTF-16 with its mark)'
        : '';
      const nonFinite = NON_FINITE_WORD.exec(line.replace(JSON_STRING, '""'))?.[0];
      const hint = nonFinite
        ? `: ${nonFinite} is no JSON number (Python's json.dumps writes it for a float that is not finite); write null for no data`
        : '';
      throw fail(
        `${file}:${n}: not JSON (${(error as Error).message})${utf16}${hint}${cut ? ': the last line is cut short (no newline at its end: a run stopped while writing it?); remove it to judge the rest' : ''}`,
      );
    }
    if (!isMapping(value))
      throw fail(`${file}:${n}: expected a JSON object (a mapping), got ${found(value)}`);
    // JSON.parse keeps the last of a key written twice without a word: which value was meant is unknown.
    const twice = duplicateKey(line);
    if (twice)
      throw fail(
        `${file}:${n}: ${twice.path.length ? `${formatPath(twice.path)}: ` : ''}the key ${JSON.stringify(twice.key)} is written twice (JSON keeps the last without a word): write each key once`,
      );
    return value;
  };
  if (content.length === 0) throw fail(`${file}: empty recording`);
  const first = content[0]!;
  const header = parse(first.line, first.n);
  if (header.format !== RECORDING_FORMAT)
    throw fail(`${file}:${first.n}: not a recording (format must be "${RECORDING_FORMAT}")`);
  if (header.version !== RECORDING_VERSION)
    throw fail(
      typeof header.version === 'number'
        ? `${file}:${first.n}: recording version ${header.version} is not supported (this deploy-action reads version ${RECORDING_VERSION})${header.version > RECORDING_VERSION ? ': a newer deploy-action recorded it; replay it with that version or a later one' : ''}`
        : `${file}:${first.n}: version: expected the recording version (the number ${RECORDING_VERSION}), got ${found(header.version)}`,
    );
  if (header.config !== undefined && !isMapping(header.config))
    throw fail(
      `${file}:${first.n}: config: expected the analysis config (a mapping), got ${found(header.config)}`,
    );
  // "confg" would leave the recording without its config, judged with none.
  const headerTypo = typoKeys(header, ['format', 'version', 'config'], [])[0];
  if (headerTypo) throw fail(`${file}:${first.n}: ${headerTypo}`);
  const recording: Recording = { config: (header.config ?? {}) as AnalysisConfigInput, windows: [] };
  const problems: string[] = [];
  let stopped = false;
  for (const { line, n } of content.slice(1)) {
    if (problems.length >= MAX_PROBLEMS) {
      stopped = true;
      break;
    }
    let entry: Record<string, unknown>;
    try {
      entry = parse(line, n);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    if (entry.type === 'window') {
      const parsed = windowLine.safeParse(entry, { error: recordingIssueMessage });
      const where = `${file}:${n}: window ${recording.windows.length + 1}`;
      const wrong = [
        ...(parsed.success ? [] : explain(windowLine, parsed.error.issues, entry)),
        ...windowTypos(entry),
      ];
      problems.push(...wrong.map((p) => `${where}: ${p}`));
      // Later samples still belong to a window: keep a placeholder so their locations stay right.
      const w = parsed.success ? parsed.data : undefined;
      // Only the fields this version knows: the others are ignored, not carried into the output. A context
      // refused above is kept as written, but always a mapping: its samples' time checks read its fields.
      const context: unknown = w
        ? Object.fromEntries(
            Object.entries(w.context).filter(([key]) => Object.hasOwn(contextSchema.shape, key)),
          )
        : isMapping(entry.context)
          ? entry.context
          : {};
      recording.windows.push({
        context: context as RecordedContext,
        baseline: w?.baseline ?? {},
        startedAt: w?.startedAt ?? NaN,
        samples: [],
        line: n,
      });
    } else if (entry.type === 'sample') {
      const window = recording.windows.at(-1);
      if (!window) {
        problems.push(`${file}:${n}: a sample before any window line`);
        continue;
      }
      const position = window.samples.length;
      const index = typeof entry.index === 'number' ? entry.index : position;
      const where = `${file}:${n}: window ${recording.windows.length} sample ${index}`;
      const parsed = sampleLine.safeParse(entry, { error: recordingIssueMessage });
      const typos = sampleTypos(entry);
      problems.push(...typos.map((p) => `${where}: ${p}`));
      if (!parsed.success) {
        problems.push(...explain(sampleLine, parsed.error.issues, entry).map((p) => `${where}: ${p}`));
        window.samples.push({ index, sample: { at: NaN, canary: {}, errors: [] }, line: n });
        continue;
      }
      const { sample, decision } = parsed.data;
      const sides = (['canary', 'stable'] as const).map((side) => {
        const values = sample[side];
        if (!values) return values;
        const checked = canonicalBuckets(values, ['sample', side]);
        problems.push(...checked.problems.map((p) => `${where}: ${formatPath(p.path)}: ${p.message}`));
        return checked.values;
      });
      const previous = window.samples.at(-1);
      const timing = timeProblems(window, sample.at);
      problems.push(...timing.map((p) => `${where}: sample.at: ${p}`));
      // Out of order is said once, as that: measured against the index too it would say the same twice.
      if (timing.length === 0)
        problems.push(
          ...indexProblems(window, parsed.data.index ?? position, sample.at).map(
            (p) => `${where}: sample.at: ${p}`,
          ),
        );
      if (previous && parsed.data.index !== undefined && !(parsed.data.index > previous.index))
        problems.push(
          `${where}: index: ${parsed.data.index} is not after the previous sample's ${previous.index} (line ${previous.line})`,
        );
      window.samples.push({
        index: parsed.data.index ?? position,
        sample: {
          at: sample.at,
          ...(sample.readAt !== undefined ? { readAt: sample.readAt } : {}),
          canary: sides[0] ?? {},
          ...(sample.stable !== undefined ? { stable: sides[1] ?? {} } : {}),
          errors: sample.errors ?? [],
        },
        decision: decision as Decision | undefined,
        // Only the fields this version knows, as for the other lines; cut to what a live run writes.
        ...(parsed.data.notes?.length
          ? {
              notes: parsed.data.notes.slice(0, MAX_NOTES_SHOWN).map(({ provider, code, message }) => ({
                provider: cutNoteText(provider, MAX_NOTE_PROVIDER_CHARS),
                code,
                message: cutNoteText(message, MAX_NOTE_MESSAGE_CHARS),
              })),
              ...(parsed.data.notes.length > MAX_NOTES_SHOWN
                ? { notesLeftOut: parsed.data.notes.length - MAX_NOTES_SHOWN }
                : {}),
            }
          : {}),
        line: n,
      });
    } else if (entry.format === RECORDING_FORMAT)
      problems.push(
        `${file}:${n}: a second recording header (line ${first.n} is the first): one recording per file`,
      );
    else
      problems.push(
        `${file}:${n}: ${entry.type === undefined ? 'a line without "type"' : `unknown line type ${typeof entry.type === 'string' ? JSON.stringify(entry.type) : found(entry.type)}`} (expected "window" or "sample")`,
      );
  }
  if (problems.length > 0) {
    const more = stopped ? `\n(stopped after ${MAX_PROBLEMS} problems)` : '';
    throw new RecordingError(`${problems.map(problemLine).join('\n')}${more}`);
  }
  return recording;
}
