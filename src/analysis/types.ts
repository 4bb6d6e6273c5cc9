// The data the analysis works on. A sample is what was read in one interval for the version under test
// ("canary") and, when it serves traffic at the same time, the stable version. A value of null means "no
// data" (empty vector, NaN, missing key), which is never the same as zero.

export type Side = 'canary' | 'stable';
export type MetricValues = Record<string, number | null>;

/** Why a provider could not answer. `empty-result` and `not-a-number` mean "no data", the rest are errors. */
export const PROVIDER_ERROR_CODES = [
  'timeout',
  'connection-refused',
  'network',
  'http-status',
  'bad-json',
  'query-error',
  'empty-result',
  'not-a-number',
  'multiple-series',
  /** The answer was larger than the provider reads (a misbehaving server or a query returning far too much). */
  'too-large',
  'command-failed',
  'template',
  'aborted',
  /**
   * A value the metric cannot have (an error rate of -0.5 or 1.7, a negative latency or count, bucket counts
   * falling with le: domain.ts): refused as an error of its interval, never judged as given.
   */
  'out-of-range',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

export interface ProviderError {
  code: ProviderErrorCode;
  message: string;
  /** The provider name from config. */
  provider: string;
  /** HTTP status when there was one. */
  status?: number;
  /** How many attempts were made (1 + retries used). */
  attempts?: number;
  /**
   * Asking again cannot help, whatever the code (a `network` error that is the server's certificate refused:
   * the same one is presented next time).
   */
  permanent?: true;
  /** The wait the server asked for before the next request (Retry-After of a 429 or 503), in ms. */
  retryAfterMs?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ProviderError };

/** Codes that mean the metric simply has no data right now; they do not count as provider errors. */
export const NO_DATA_CODES: ReadonlySet<ProviderErrorCode> = new Set(['empty-result', 'not-a-number']);

export interface SampleError {
  provider: string;
  side: Side;
  code: ProviderErrorCode;
  message: string;
}

export interface Sample {
  /** Clock time (ms since the epoch) when the interval's reading completed. */
  at: number;
  /**
   * The instant every metric of both sides was evaluated at (ms since the epoch; Prometheus `time`,
   * DEPLOY_READ_AT): the interval's end, also when it was read late (analyzer.ts readLive; never an instant
   * still to come on the clock). Absent in recordings made before it was written.
   */
  readAt?: number;
  canary: MetricValues;
  /** Present when a stable version was measured at the same time. */
  stable?: MetricValues;
  errors: SampleError[];
}

export type DecisionKind = 'promote' | 'hold' | 'rollback';

/** Stable reason codes: reports and tests rely on them, so they never change meaning. */
export type ReasonCode =
  | 'healthy'
  | 'not-enough-data'
  | 'breach-pending'
  /** A sequential test's evidence is past the square root of its threshold: not yet decided either way. */
  | 'evidence-pending'
  | 'no-data-pending'
  | 'threshold-breached'
  | 'relative-breached'
  | 'sequential-errors-worse'
  | 'sequential-values-worse'
  | 'sequential-latency-worse'
  | 'no-data'
  | 'provider-errors'
  | 'window-inconclusive'
  | 'window-evidence-healthy'
  | 'window-evidence-worse'
  /** A look at a window that goes on (a bake between reconcile runs): nothing fired so far. */
  | 'window-so-far'
  | 'aborted';

export interface Decision {
  kind: DecisionKind;
  /** The check that fired or that holds the decision back (its configured name). */
  rule?: string;
  code: ReasonCode;
  /** One sentence for people, with the numbers. */
  reason: string;
  /** Metric values that led to the decision (canary values, `stable.<metric>`, statistics). */
  values: Record<string, number | null>;
}

/**
 * A warning check's breach (`on_breach: warn`): reported once when it fires, and again only after the check
 * held and then breached again. It never changes a decision.
 */
export interface AnalysisWarning {
  /** The check's configured name. */
  rule: string;
  code: 'threshold-warning' | 'relative-warning';
  /** One sentence for people, with the numbers (as a rollback of the same check would say it). */
  reason: string;
  /** The canary's value and the limit it broke. */
  value: number;
  limit: number;
}

/**
 * What a provider says of a read beyond its values: that it stopped judging part of what it measures (the
 * logs provider's new error patterns: its reference was full, its canary book was full, a pattern was held, or
 * nothing could be compared with). Never an error (the values are right as far as they go) and never a
 * decision, but a reader of a promoted window must see that a check could not fire in it. Stable codes:
 * reports and tests rely on them.
 */
export const ANALYSIS_NOTE_CODES = [
  /** No stable side and no pre-deploy baseline read: no pattern can be new. */
  'logs-no-reference',
  /** The reference's patterns reached their bound: none is new for the rest of the window. */
  'logs-reference-full',
  /** The canary's pattern book is full: a pattern first seen after that is not counted. */
  'logs-canary-book-full',
  /** Patterns that would be new were held (first logged while stable could not be read): not counted. */
  'logs-held-pattern',
] as const;
export type AnalysisNoteCode = (typeof ANALYSIS_NOTE_CODES)[number];

export interface AnalysisNote {
  /** The provider name from config. */
  provider: string;
  code: AnalysisNoteCode;
  /** One sentence for people; log text in it is already quoted and escaped (log-patterns.ts shownPattern). */
  message: string;
}

/**
 * A note as a recording holds it: `code` one of ANALYSIS_NOTE_CODES or a later version's (a note decides
 * nothing, so a recording that gained a code still replays; it is shown as recorded).
 */
export interface RecordedNote extends Omit<AnalysisNote, 'code'> {
  code: AnalysisNoteCode | (string & {});
}
