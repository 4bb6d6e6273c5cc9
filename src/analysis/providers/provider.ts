// What every metric provider offers the analyzer: read the metrics assigned to it, for one side (the version
// under test or stable), during one interval. Failures come back as typed errors, never as thrown exceptions.
import type { MetricConfig } from '../schema.ts';
import type { TemplateValues } from '../../targets/template.ts';
import type { AnalysisNote, MetricValues, ProviderError, Side } from '../types.ts';

export interface ReadRequest {
  side: Side;
  /** Template values for this side: version/slot are the side's own; stable_version/stable_slot as given. */
  vars: TemplateValues;
  metrics: Array<{ name: string; config: MetricConfig }>;
  intervalMs: number;
  signal: AbortSignal;
  /**
   * The sides read in this interval, each by a read of its own at the same time (the canary's and stable's
   * are the n-th reads of each side); absent: the canary alone. A provider comparing the sides itself (the
   * logs provider's new patterns) pairs them by it.
   */
  sides?: readonly Side[];
  /** The pre-deploy baseline reading (captureBaseline), not an interval of a window. */
  baseline?: true;
  /**
   * The instant (ms since the epoch) every read of this interval describes: its end, the same for both
   * sides and every metric, so a rate's errors and requests, and the canary and stable, cover one window. A
   * provider that can ask for a time (Prometheus' `time`, a range's end) asks for this one; absent: now.
   */
  at?: number;
}

export interface ProviderRead {
  /** One entry per requested metric; null when there is no data or the read failed. */
  values: MetricValues;
  errors: ProviderError[];
  /**
   * Per metric, what people need to see of its value beyond the number (the logs provider: the new error
   * patterns it counted), already safe as plain text (quoted, control characters escaped, cut); reports
   * escape it again as they escape any reason. Added to a decision's reason when the metric's check fires.
   */
  evidence?: Record<string, string>;
  /**
   * What the read could not judge (types.ts AnalysisNote): the logs provider's new patterns not judged for
   * part of a window. Kept with the interval, the window's evidence and the recording.
   */
  notes?: AnalysisNote[];
}

export interface MetricProvider {
  readonly name: string;
  /** True when a read takes the whole interval (the prober); others are read at the end of the interval. */
  readonly continuous?: boolean;
  read(request: ReadRequest): Promise<ProviderRead>;
  /**
   * A window begins (evaluate): forget what the reads of earlier windows told, for a provider whose values
   * count over the window so far (the logs provider's patterns). What a baseline reading told is kept.
   */
  startWindow?(): void;
  /**
   * Reads the past: what each requested metric was at each of `times` (one read per time, in order), as
   * `read` would have answered at that moment. It lets a bake that outlived its job be judged over its whole
   * window when it resumes (issue 14). Absent for providers that only see the present (the prober, commands).
   */
  readPast?(request: PastReadRequest): Promise<ProviderRead[]>;
}

export interface PastReadRequest extends ReadRequest {
  /** Interval ends (ms since the epoch), ascending and `intervalMs` apart. */
  times: number[];
}

/** Values for every requested metric taken from one flat record (command and prober output). */
export function pickFields(
  metrics: ReadRequest['metrics'],
  record: Record<string, number | null> | null,
): MetricValues {
  const values: MetricValues = {};
  for (const { name, config } of metrics) {
    const v = record?.[config.field ?? name];
    values[name] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return values;
}
