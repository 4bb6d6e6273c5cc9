// Recording format (NDJSON, one JSON object per line), so a live analysis can be judged again offline:
//   {"format":"deploy-action.recording","version":1,"config":{...analysis config, secrets redacted...}}
//   {"type":"window","context":{phase,environment,version,...,windowMs,intervalMs},"baseline":{...},"startedAt":ms}
//   {"type":"sample","index":0,"sample":{"at":ms,"canary":{...},"stable":{...},"errors":[...]},"decision":{...}}
//   ... more samples, then more windows (one per evaluate call: each canary step, verify, monitor ...)
import { appendFileSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { describeValue, explainIssues, formatPath, issueMessage } from '../config/errors.ts';
import type { AnalysisConfigInput } from './schema.ts';
import { PROVIDER_ERROR_CODES, type Decision, type MetricValues, type Sample } from './types.ts';

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
}

export interface RecordedWindow {
  context: RecordedContext;
  baseline: MetricValues;
  startedAt: number;
  samples: Array<{ index: number; sample: Sample; decision?: Decision }>;
}

export interface Recording {
  config: AnalysisConfigInput;
  windows: RecordedWindow[];
}

/** Header values and env values may hold credentials: they never reach a recording. */
export function redactConfig(config: AnalysisConfigInput): AnalysisConfigInput {
  const copy = structuredClone(config) as { providers?: Record<string, Record<string, unknown>> };
  for (const provider of Object.values(copy.providers ?? {}))
    for (const key of ['headers', 'env'])
      if (provider[key] && typeof provider[key] === 'object')
        provider[key] = Object.fromEntries(Object.keys(provider[key]).map((k) => [k, '[redacted]']));
  return copy as AnalysisConfigInput;
}

export class RecordingWriter {
  readonly #file: string;
  #started = false;
  readonly #config: AnalysisConfigInput;

  constructor(file: string, config: AnalysisConfigInput) {
    this.#file = file;
    this.#config = config;
  }

  #line(value: unknown): void {
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
  }

  window(context: RecordedContext, baseline: MetricValues, startedAt: number): void {
    this.#line({ type: 'window', context, baseline, startedAt });
  }

  sample(index: number, sample: Sample, decision: Decision): void {
    this.#line({ type: 'sample', index, sample, decision });
  }
}

export class RecordingError extends Error {}

// What a recording line may hold. Strict objects: a misspelt key ("stabel") would otherwise drop data
// without a word. A metric value is a number or null (no data); a string such as "0.01" is refused rather
// than read as "no data", which would end in a no-data rollback nobody asked for.
const NUMBER_OR_NULL = 'a number or null (no data)';
const metricValue = z
  .number({ error: (issue) => `expected ${NUMBER_OR_NULL}, got ${describeValue(issue.input)}` })
  .nullable();
const metricValues = z.record(z.string(), metricValue, {
  error: (issue) =>
    `expected a mapping of metric name to ${NUMBER_OR_NULL}, got ${describeValue(issue.input)}`,
});
/** null: the side had no data at all in that interval (a Prometheus gap), the same as every metric missing. */
const sideValues = z
  .record(z.string(), metricValue, {
    error: (issue) =>
      `expected a mapping of metric name to ${NUMBER_OR_NULL}, or null (no data at all), got ${describeValue(issue.input)}`,
  })
  .nullable();
const ms = (what: string) =>
  z.number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` });

const contextSchema = z.strictObject({
  phase: z.string(),
  environment: z.string(),
  version: z.string(),
  stableVersion: z.string().optional(),
  slot: z.string().optional(),
  stableSlot: z.string().optional(),
  baselineSlot: z.string().optional(),
  weight: z.number().min(0).max(100).optional(),
  windowMs: ms('the window length in ms (a number)').min(0),
  intervalMs: ms('the interval in ms (a number)').positive(),
});

const windowLine = z.strictObject({
  type: z.literal('window'),
  context: contextSchema,
  baseline: metricValues.optional(),
  startedAt: ms('a time in ms since the epoch (a number)').optional(),
});

const sampleError = z.strictObject({
  provider: z.string(),
  side: z.enum(['canary', 'stable']),
  code: z.enum(PROVIDER_ERROR_CODES),
  message: z.string(),
});

const sampleLine = z.strictObject({
  type: z.literal('sample'),
  index: z.number().int().min(0).optional(),
  sample: z.strictObject({
    at: ms('a time in ms since the epoch (a number)'),
    canary: sideValues,
    stable: sideValues.optional(),
    errors: z.array(sampleError).optional(),
  }),
  // Only the kind is compared with the replayed decision; the rest is kept as recorded.
  decision: z.looseObject({ kind: z.enum(['promote', 'hold', 'rollback']) }).optional(),
});

function explain(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], data: unknown): string[] {
  return explainIssues(issues, data, schema).map(({ path, message }) =>
    path.length === 0 ? message : `${formatPath(path)}: ${message}`,
  );
}

/** At most this many problems are listed; a recording with a systematic mistake would repeat it per line. */
const MAX_PROBLEMS = 20;

/**
 * Reads and checks a recording. Every problem is reported (up to MAX_PROBLEMS) with the file, the line, the
 * window and sample it belongs to, the field, what was found and what is allowed.
 */
export function readRecording(file: string): Recording {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RecordingError(`cannot read recording ${file}: ${(error as Error).message}`);
  }
  const lines = text.split('\n').map((line, i) => ({ line, n: i + 1 }));
  const content = lines.filter(({ line }) => line.trim() !== '');
  const parse = (line: string, n: number): Record<string, unknown> => {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error(`found ${describeValue(value)}`);
      return value as Record<string, unknown>;
    } catch (error) {
      throw new RecordingError(`${file}:${n}: not a JSON object (${(error as Error).message})`);
    }
  };
  if (content.length === 0) throw new RecordingError(`${file}: empty recording`);
  const first = content[0]!;
  const header = parse(first.line, first.n);
  if (header.format !== RECORDING_FORMAT)
    throw new RecordingError(`${file}:${first.n}: not a recording (format must be "${RECORDING_FORMAT}")`);
  if (header.version !== RECORDING_VERSION)
    throw new RecordingError(
      `${file}:${first.n}: recording version ${String(header.version)} is not supported (expected ${RECORDING_VERSION})`,
    );
  if (
    header.config !== undefined &&
    (typeof header.config !== 'object' || header.config === null || Array.isArray(header.config))
  )
    throw new RecordingError(
      `${file}:${first.n}: config: expected the analysis config (a mapping), got ${describeValue(header.config)}`,
    );
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
      const parsed = windowLine.safeParse(entry, { error: issueMessage });
      const where = `${file}:${n}: window ${recording.windows.length + 1}`;
      if (!parsed.success) {
        problems.push(...explain(windowLine, parsed.error.issues, entry).map((p) => `${where}: ${p}`));
        // Later samples still belong to a window: keep a placeholder so their locations stay right.
      }
      const w = parsed.success ? parsed.data : undefined;
      recording.windows.push({
        context: (w?.context ?? entry.context) as RecordedContext,
        baseline: w?.baseline ?? {},
        startedAt: w?.startedAt ?? NaN,
        samples: [],
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
      const parsed = sampleLine.safeParse(entry, { error: issueMessage });
      if (!parsed.success) {
        problems.push(...explain(sampleLine, parsed.error.issues, entry).map((p) => `${where}: ${p}`));
        window.samples.push({ index, sample: { at: NaN, canary: {}, errors: [] } });
        continue;
      }
      const { sample, decision } = parsed.data;
      window.samples.push({
        index: parsed.data.index ?? position,
        sample: {
          at: sample.at,
          canary: sample.canary ?? {},
          ...(sample.stable !== undefined ? { stable: sample.stable ?? {} } : {}),
          errors: sample.errors ?? [],
        },
        decision: decision as Decision | undefined,
      });
    } else
      problems.push(
        `${file}:${n}: unknown line type ${JSON.stringify(entry.type)} (expected "window" or "sample")`,
      );
  }
  if (problems.length > 0) {
    const more = stopped ? `\n(stopped after ${MAX_PROBLEMS} problems)` : '';
    throw new RecordingError(`${problems.join('\n')}${more}`);
  }
  return recording;
}
