// Recording format (NDJSON, one JSON object per line), so a live analysis can be judged again offline:
//   {"format":"deploy-action.recording","version":1,"config":{...analysis config, secrets redacted...}}
//   {"type":"window","context":{phase,environment,version,...,windowMs,intervalMs},"baseline":{...},"startedAt":ms}
//   {"type":"sample","index":0,"sample":{"at":ms,"canary":{...},"stable":{...},"errors":[...]},"decision":{...}}
//   ... more samples, then more windows (one per evaluate call: each canary step, verify, monitor ...)
import { appendFileSync, readFileSync } from 'node:fs';
import type { AnalysisConfigInput } from './schema.ts';
import type { Decision, MetricValues, Sample } from './types.ts';

export const RECORDING_FORMAT = 'deploy-action.recording';
export const RECORDING_VERSION = 1;

export interface RecordedContext {
  phase: string;
  environment: string;
  version: string;
  stableVersion?: string;
  slot?: string;
  stableSlot?: string;
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

/** Reads and checks a recording; errors name the file and line. */
export function readRecording(file: string): Recording {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RecordingError(`cannot read recording ${file}: ${(error as Error).message}`);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parse = (line: string, n: number): Record<string, unknown> => {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new RecordingError(`${file}:${n}: not a JSON object (${(error as Error).message})`);
    }
  };
  if (lines.length === 0) throw new RecordingError(`${file}: empty recording`);
  const header = parse(lines[0]!, 1);
  if (header.format !== RECORDING_FORMAT)
    throw new RecordingError(`${file}:1: not a recording (format must be "${RECORDING_FORMAT}")`);
  if (header.version !== RECORDING_VERSION)
    throw new RecordingError(
      `${file}:1: recording version ${String(header.version)} is not supported (expected ${RECORDING_VERSION})`,
    );
  const recording: Recording = { config: (header.config ?? {}) as AnalysisConfigInput, windows: [] };
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    const entry = parse(line, n);
    if (entry.type === 'window') {
      const context = entry.context as RecordedContext | undefined;
      if (!context || typeof context.intervalMs !== 'number' || typeof context.windowMs !== 'number')
        throw new RecordingError(
          `${file}:${n}: a window needs context.intervalMs and context.windowMs (numbers)`,
        );
      recording.windows.push({
        context,
        baseline: (entry.baseline ?? {}) as MetricValues,
        startedAt: typeof entry.startedAt === 'number' ? entry.startedAt : NaN,
        samples: [],
      });
    } else if (entry.type === 'sample') {
      const window = recording.windows.at(-1);
      if (!window) throw new RecordingError(`${file}:${n}: a sample before any window line`);
      const sample = entry.sample as Sample | undefined;
      if (
        !sample ||
        typeof sample.at !== 'number' ||
        typeof sample.canary !== 'object' ||
        sample.canary === null
      )
        throw new RecordingError(
          `${file}:${n}: a sample needs "at" (ms) and "canary" (an object of metric values)`,
        );
      window.samples.push({
        index: typeof entry.index === 'number' ? entry.index : window.samples.length,
        sample: { ...sample, errors: Array.isArray(sample.errors) ? sample.errors : [] },
        decision: entry.decision as Decision | undefined,
      });
    } else
      throw new RecordingError(
        `${file}:${n}: unknown line type ${JSON.stringify(entry.type)} (expected "window" or "sample")`,
      );
  });
  return recording;
}
