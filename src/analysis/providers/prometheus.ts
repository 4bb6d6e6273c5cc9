// Prometheus HTTP API provider: /api/v1/query (instant) and /api/v1/query_range (range, reduced to one
// number). An empty vector and NaN/Inf are "no data" (typed errors empty-result / not-a-number), never zero.
// The answer is read as untrusted: any shape or value Prometheus would not send is bad-json, never a throw
// and never a number made up from it (null is not 0).
import { textOf } from '../../util/text-of.ts';
import { nestedDeeperThan } from '../../util/json-depth.ts';
import { httpGet, queryCredentials, type Fetch } from '../http.ts';
import { bucketKey } from '../histogram.ts';
import { nativeHistogramBuckets } from '../native-histogram.ts';
import { differingLabels, howSeriesDiffer, manySeriesMessage } from './series-labels.ts';
import { foreignAnswer } from './answer-text.ts';
import { headerSecrets, ownSecretsHider } from './own-secrets.ts';
import { sendableHeaderValue } from '../../config/analysis-request-fields.ts';
import { oneLine } from '../../config/shown.ts';
import { parseBound } from '../recorded-buckets.ts';
import { renderPromql, TemplateError } from '../promql.ts';
import { withRetries, type Sleep } from '../retry.ts';
import { abortableSleep } from '../../util/sleep.ts';
import type { MetricConfig, PrometheusProviderConfig } from '../schema.ts';
import type { ProviderError, Result } from '../types.ts';
import type { MetricProvider, PastReadRequest, ProviderRead, ReadRequest } from './provider.ts';

export interface PrometheusDeps {
  fetch?: Fetch;
  sleep?: Sleep;
  /** Where headers_env's variables are read (this process's environment without it). */
  env?: NodeJS.ProcessEnv;
  /** Clock for a read not given its instant (ReadRequest.at), ms. */
  now?: () => number;
}

interface PromResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
  /** Annotations (Prometheus 2.x+, Thanos partial responses): reasons the answer may be wrong. */
  warnings?: unknown;
  /** VictoriaMetrics' cluster (vmselect): true when some storage nodes did not answer. */
  isPartial?: unknown;
}

export type ReduceMode = 'mean' | 'max' | 'min' | 'last';

/**
 * The deepest an answer may nest: a native histogram's bucket in a matrix is 9 levels deep, the answer itself
 * the first (data.result[i].histograms[j][1].buckets[k]); far deeper is no answer of the API's, and
 * overflowed the stack of what reads it (util/json-depth.ts).
 */
const MAX_ANSWER_DEPTH = 32;

// How Prometheus writes a sample value (Go's FormatFloat): a decimal float, or NaN / +Inf / -Inf.
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const NON_FINITE = /^[+-]?(?:inf|infinity|nan)$/i;

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** At most `max` characters of a text from the server, for a message. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const shown = (value: unknown) => clip(JSON.stringify(value) ?? String(value), 80);

function parseValue(provider: string, raw: unknown): Result<number> {
  if (typeof raw !== 'string' || !(FLOAT.test(raw) || NON_FINITE.test(raw)))
    return {
      ok: false,
      error: {
        provider,
        code: 'bad-json',
        message: `a sample value must be a number in a string, got ${shown(raw)}`,
      },
    };
  const value = Number(raw);
  if (!Number.isFinite(value))
    return { ok: false, error: { provider, code: 'not-a-number', message: `the query returned ${raw}` } };
  return { ok: true, value };
}

/** The [seconds, "value"] pair of a sample, or undefined when it is not one. */
function sampleOf(raw: unknown): { t: number; value: unknown } | undefined {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number' || !Number.isFinite(raw[0]))
    return undefined;
  return { t: raw[0], value: raw[1] };
}

/** A series' labels: an object of strings (absent is none), or undefined when it is something else. */
function labelsOf(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  return Object.values(raw).every((v) => typeof v === 'string') ? (raw as Record<string, string>) : undefined;
}

/** One series' identity: its labels in name order. */
const labelKey = (metric: Record<string, string>) =>
  JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * A native histogram (Prometheus 2.40+, 3.x) comes as `histogram: [t, {count, sum, buckets}]` in an instant
 * vector and `histograms: [[t, {...}], ...]` in a matrix, instead of `value` / `values`. It is not a number;
 * a histogram metric reads it as its buckets (native-histogram.ts).
 */
const NATIVE_HISTOGRAM =
  'the query returned a native histogram, not a number: wrap it in histogram_quantile(0.95, ...), histogram_count(...) or histogram_sum(...), or read it with histogram: true';
/** A histogram metric's query answered with native histograms where one was expected, or with both kinds. */
const ONE_NATIVE =
  'a histogram metric reads one native histogram (aggregate with sum(increase(...[1m]))) or the classic buckets, one series per le (sum by (le) (increase(..._bucket[1m])))';

/** What an instant query that answered a matrix or a string was asked, and what to write instead. */
function wrongKind(resultType: unknown): string | undefined {
  if (resultType === 'matrix')
    return 'the query returned a range vector (matrix), not one value per series: a range selector such as [1m] needs a function around it (rate(...), increase(...), max_over_time(...))';
  if (resultType === 'string') return 'the query returned a string, not a number';
  return undefined;
}

/** The labels and sample of each element of an instant vector, or the first element that is not one. */
function vectorOf(
  result: unknown[],
):
  | { ok: true; series: Array<{ metric: Record<string, string>; value: unknown }> }
  | { ok: false; bad: unknown; native?: unknown } {
  const series: Array<{ metric: Record<string, string>; value: unknown }> = [];
  for (const raw of result) {
    const element =
      typeof raw === 'object' && raw !== null
        ? (raw as { metric?: unknown; value?: unknown; histogram?: unknown })
        : {};
    const metric = labelsOf(element.metric);
    if (metric && element.value === undefined && element.histogram !== undefined)
      return { ok: false, bad: raw, native: element.histogram };
    const sample = sampleOf(element.value);
    if (!metric || !sample) return { ok: false, bad: raw };
    series.push({ metric, value: sample.value });
  }
  return { ok: true, series };
}

/**
 * An instant query's parameters: `time` in unix seconds (the API takes RFC 3339 or unix seconds, fractions
 * allowed), as start and end of a range query are written. Without it the server evaluates the query when
 * it receives it: a moment of its own for each query.
 */
const instantParams = (query: string, atMs: number | undefined): Record<string, string> =>
  atMs === undefined ? { query } : { query, time: String(atMs / 1000) };

export class PrometheusClient {
  readonly name: string;
  readonly #config: PrometheusProviderConfig;
  readonly #deps: PrometheusDeps;
  /** The server's URL without user and password, which are sent as a header instead. */
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  /** Why no request can be sent (a headers_env variable not set, or not sendable), said by every read. */
  readonly #unsendable: string | undefined;
  /** The headers' credentials (the URL's user and password among them) masked in the messages given. */
  readonly hideSecrets: ReturnType<typeof ownSecretsHider>;

  constructor(name: string, config: PrometheusProviderConfig, deps: PrometheusDeps = {}) {
    this.name = name;
    this.#config = config;
    this.#deps = deps;
    this.#base = new URL(config.url);
    // The API's paths are resolved below the URL's own path (a proxy's /prom/), its query kept apart.
    if (!this.#base.pathname.endsWith('/')) this.#base.pathname = `${this.#base.pathname}/`;
    this.#base.hash = '';
    this.#headers = { ...config.headers };
    // Read once: the step's environment does not change during the run. Never said: a variable's value.
    const env = deps.env ?? process.env;
    const problems: string[] = [];
    for (const [header, variable] of Object.entries(config.headers_env ?? {})) {
      const value = Object.hasOwn(env, variable) ? env[variable] : undefined;
      if (!value)
        problems.push(
          `headers_env.${header} names ${variable}, which is not set: set it in the workflow step's env (${variable}: \${{ secrets.NAME }})`,
        );
      else if (!sendableHeaderValue(value))
        problems.push(
          `headers_env.${header}: the value of ${variable} cannot be sent as a header (a line break or a character beyond Latin-1); it is not shown`,
        );
      else this.#headers[header] = value;
    }
    this.#unsendable = problems.length ? problems.join('; ') : undefined;
    // fetch refuses a URL with credentials (and its error quotes the URL): https://user:token@host is basic
    // auth, unless the config gives its own Authorization header.
    if (this.#base.username || this.#base.password) {
      if (!Object.keys(this.#headers).some((h) => h.toLowerCase() === 'authorization')) {
        const userinfo = `${decoded(this.#base.username)}:${decoded(this.#base.password)}`;
        this.#headers.Authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
      }
      this.#base.username = '';
      this.#base.password = '';
    }
    this.hideSecrets = ownSecretsHider([...headerSecrets(this.#headers), ...queryCredentials(this.#base)]);
  }

  async #call(
    path: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Result<PromResponse['data']>> {
    // The configured URL's own query (`?token=...` for a proxy in front of Prometheus) goes with every request:
    // a relative URL resolved against it would drop it.
    const url = new URL(path, this.#base);
    for (const [k, v] of this.#base.searchParams) url.searchParams.append(k, v);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const timeoutMs = this.#config.timeout ?? 10_000;
    // Without its credential a request is refused (or worse, answered for another tenant): not sent.
    if (this.#unsendable) return this.#fail('template', this.#unsendable);
    const attempt = async (): Promise<Result<PromResponse['data']>> => {
      const response = await httpGet(this.name, url.href, {
        timeoutMs,
        headers: this.#headers,
        signal,
        fetch: this.#deps.fetch,
      });
      if (!response.ok) return response;
      const { status, body, contentType, retryAfterMs } = response.value;
      const asked = retryAfterMs === undefined ? {} : { retryAfterMs };
      // What answered instead of the API (a proxy's login page, a gateway's error), said with an excerpt.
      const foreign = () => foreignAnswer(url.pathname, status, contentType, body);
      let parsed: PromResponse;
      try {
        parsed = JSON.parse(body) as PromResponse;
      } catch {
        return this.#fail(status >= 300 ? 'http-status' : 'bad-json', foreign(), status, asked);
      }
      if (nestedDeeperThan(parsed, MAX_ANSWER_DEPTH))
        return this.#fail(
          status >= 300 ? 'http-status' : 'bad-json',
          `${url.pathname} answered HTTP ${status} with JSON nested more than ${MAX_ANSWER_DEPTH} levels deep, which no answer of the API's is`,
          status,
        );
      if (parsed?.status === 'error') {
        const why = clip(
          oneLine(`${textOf(parsed.errorType ?? 'error')}: ${textOf(parsed.error ?? 'no message')}`),
          500,
        );
        // An overloaded or timed-out server (503 "timeout", 429) may answer the same query next time.
        if (status === 429 || status >= 500)
          return this.#fail('http-status', `HTTP ${status}, ${why}`, status, asked);
        return this.#fail('query-error', why, status);
      }
      if (status >= 300) return this.#fail('http-status', foreign(), status, asked);
      if (
        parsed?.status !== 'success' ||
        typeof parsed.data !== 'object' ||
        parsed.data === null ||
        Array.isArray(parsed.data)
      )
        return this.#fail(
          'bad-json',
          `${url.pathname} answered JSON without status "success" and data`,
          status,
        );
      // A warning says the answer may be wrong: a partial response (Thanos or a remote-read store down: a
      // sum over what answered, the canary's errors maybe among what did not), or PromQL's own doubts (a
      // malformed le label, histograms mixed with floats). Such an interval is not judged; a lasting one
      // ends in max_provider_errors. Notes (infos; "PromQL info:" in the warnings of servers before infos
      // had their own field, e.g. "metric might not be a counter") do not make an answer wrong.
      // A warning not in a list (a proxy's own spelling: "warnings": "partial response") is still one: read
      // as none, a partial sum was judged as the whole.
      const listed =
        parsed.warnings === undefined || parsed.warnings === null || parsed.warnings === ''
          ? []
          : Array.isArray(parsed.warnings)
            ? parsed.warnings
            : [parsed.warnings];
      const warnings = listed.filter((w) => !/^\s*PromQL info:/i.test(textOf(w)));
      // VictoriaMetrics says a partial answer with a flag of its own, and no warning ("true" from a proxy
      // that rewrote it as a string).
      if (parsed.isPartial === true || parsed.isPartial === 'true')
        warnings.unshift(
          'isPartial: true (a VictoriaMetrics cluster answered without some of its storage nodes)',
        );
      if (warnings.length > 0)
        return this.#fail(
          'query-error',
          clip(
            `Prometheus answered with ${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}, so the result may be partial or wrong and is not judged: ${warnings.map((w) => textOf(w).replace(/[\u0000-\u001f\u007f]+/g, ' ')).join('; ')}`,
            500,
          ),
          status,
        );
      return { ok: true, value: parsed.data };
    };
    return withRetries(
      attempt,
      {
        retries: this.#config.retries ?? 2,
        backoffMs: this.#config.backoff ?? 500,
        sleep: this.#deps.sleep ?? abortableSleep,
        // A Retry-After is waited out for at most one request's timeout: asking later than that, the
        // server will not answer within this read.
        maxRetryAfterMs: timeoutMs,
      },
      signal,
    );
  }

  #fail<T>(
    code: ProviderError['code'],
    message: string,
    status?: number,
    extra: Pick<ProviderError, 'retryAfterMs'> = {},
  ): Result<T> {
    return {
      ok: false,
      error: { provider: this.name, code, message, ...(status ? { status } : {}), ...extra },
    };
  }

  /**
   * One number from an instant query: exactly one series (or a scalar) with a finite value. Evaluated at
   * `atMs` (ms since the epoch) when given, else at the moment the server receives it.
   */
  async instant(query: string, signal?: AbortSignal, atMs?: number): Promise<Result<number>> {
    const data = await this.#call('api/v1/query', instantParams(query, atMs), signal);
    if (!data.ok) return data;
    const { resultType, result } = data.value!;
    if (resultType === 'scalar') {
      const sample = sampleOf(result);
      if (!sample)
        return this.#fail('bad-json', `a scalar result that is not [time, "value"]: ${shown(result)}`);
      return parseValue(this.name, sample.value);
    }
    const wrong = wrongKind(resultType);
    if (wrong) return this.#fail('query-error', `${wrong}: ${query}`);
    if (resultType !== 'vector')
      return this.#fail('bad-json', `expected a vector or scalar result, got ${shown(resultType)}`);
    if (!Array.isArray(result))
      return this.#fail('bad-json', `a vector result that is not a list of series: ${shown(result)}`);
    const vector = vectorOf(result);
    if (!vector.ok)
      return vector.native
        ? this.#fail('query-error', `${NATIVE_HISTOGRAM}: ${query}`)
        : this.#fail('bad-json', `a vector element that is not a series: ${shown(vector.bad)}`);
    if (result.length === 0) return this.#fail('empty-result', `no series matched: ${query}`);
    if (result.length > 1)
      return this.#fail(
        'multiple-series',
        manySeriesMessage(
          vector.series.map((s) => s.metric),
          query,
        ),
      );
    return parseValue(this.name, vector.series[0]!.value);
  }

  /**
   * Bucket counts from an instant query that returns one series per `le` label (a histogram aggregated
   * with `sum by (le)`): cumulative count per upper bound. Needs a +Inf bucket (the total); a series
   * without `le`, a repeated or unparsable `le`, or a non-finite count is refused with what was wrong.
   * Evaluated at `atMs` as `instant` is.
   */
  async buckets(query: string, signal?: AbortSignal, atMs?: number): Promise<Result<Map<number, number>>> {
    const data = await this.#call('api/v1/query', instantParams(query, atMs), signal);
    if (!data.ok) return data;
    const { resultType, result } = data.value!;
    const wrong =
      wrongKind(resultType) ??
      (resultType === 'scalar' ? 'the query returned a scalar, not histogram buckets' : undefined);
    if (wrong) return this.#fail('query-error', `${wrong}; ${ONE_NATIVE}: ${query}`);
    if (resultType !== 'vector')
      return this.#fail('bad-json', `expected a vector of buckets, got ${shown(resultType)}`);
    if (!Array.isArray(result))
      return this.#fail('bad-json', `a vector result that is not a list of series: ${shown(result)}`);
    const vector = vectorOf(result);
    if (!vector.ok) {
      if (vector.native === undefined)
        return this.#fail('bad-json', `a vector element that is not a series: ${shown(vector.bad)}`);
      if (result.length > 1)
        return this.#fail(
          'multiple-series',
          `${result.length} series returned, with a native histogram among them, ${howSeriesDiffer(result.map((e) => labelsOf((e as { metric?: unknown } | null)?.metric) ?? {}))}; ${ONE_NATIVE}: ${query}`,
        );
      const sample = sampleOf(vector.native);
      if (!sample)
        return this.#fail('bad-json', `a histogram that is not [time, {...}]: ${shown(vector.native)}`);
      return nativeHistogramBuckets(this.name, sample.value);
    }
    if (result.length === 0) return this.#fail('empty-result', `no series matched: ${query}`);
    return parseBuckets(
      this.name,
      query,
      vector.series.map((series) => ({ le: series.metric.le, value: series.value, metric: series.metric })),
    );
  }

  /** Points of a range query over [startMs, endMs]: exactly one series; non-finite points are dropped. */
  async range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
  ): Promise<Result<Array<[number, number]>>> {
    const matrix = await this.series(query, startMs, endMs, stepMs, signal);
    if (!matrix.ok) return matrix;
    if (matrix.value.length === 0) return this.#fail('empty-result', `no series matched: ${query}`);
    if (matrix.value.length > 1)
      return this.#fail(
        'multiple-series',
        manySeriesMessage(
          matrix.value.map((s) => s.metric),
          query,
        ),
      );
    if (matrix.value[0]!.points.length === 0)
      return this.#fail('empty-result', `the series has no point in the range: ${query}`);
    // Only the range asked for (a server aligning evaluations to the step may start one step early): a cache in
    // front of Prometheus answering another time's range must not be judged as this interval's.
    const asked = matrix.value[0]!.points.filter(([t]) => t >= startMs - stepMs && t <= endMs);
    if (asked.length === 0)
      return this.#fail(
        'empty-result',
        `the answer's ${matrix.value[0]!.points.length} point(s) lie outside the range asked (${new Date(startMs).toISOString()} to ${new Date(endMs).toISOString()}): a cache answering another time's query? ${query}`,
      );
    const points = asked.filter(([, v]) => Number.isFinite(v));
    if (points.length === 0) return this.#fail('not-a-number', `every point was NaN or Inf: ${query}`);
    return { ok: true, value: points };
  }

  /**
   * Every series of a range query over [startMs, endMs] at `stepMs`, with its points as [ms, value]. Long
   * spans are asked in pieces of at most MAX_POINTS evaluations (Prometheus refuses more than 11,000 points
   * per series); the pieces are joined per series (by its labels).
   */
  async series(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
    /** Read for a histogram metric's buckets (only what an error says depends on it). */
    buckets = false,
  ): Promise<Result<RangeSeries[]>> {
    const step = Math.max(1000, stepMs);
    const joined = new Map<string, RangeSeries>();
    for (let from = startMs; from <= endMs; from += step * MAX_POINTS) {
      const to = Math.min(endMs, from + step * (MAX_POINTS - 1));
      // The step in seconds as a number: Prometheus reads a float ("1.5") or a duration of whole units, so
      // "1.5s" (a 90s window's step, 1.5 s) was refused as bad_data in every interval.
      const data = await this.#call(
        'api/v1/query_range',
        { query, start: String(from / 1000), end: String(to / 1000), step: String(step / 1000) },
        signal,
      );
      if (!data.ok) return data;
      const { resultType, result } = data.value!;
      if (resultType !== 'matrix')
        return this.#fail('bad-json', `expected a matrix, got ${shown(resultType)}`);
      if (!Array.isArray(result))
        return this.#fail('bad-json', `a matrix result that is not a list of series: ${shown(result)}`);
      // Label sets in this piece: one twice is a broken answer, not one series with both sets of points.
      const inPiece = new Set<string>();
      for (const raw of result as unknown[]) {
        const element =
          typeof raw === 'object' && raw !== null
            ? (raw as { metric?: unknown; values?: unknown; histograms?: unknown })
            : {};
        const metric = labelsOf(element.metric);
        // Native histogram points (alone, or beside float points where a series changed kind): never
        // dropped without a word, which would reduce or read the series from its float points alone. A
        // histogram metric reads a series of them (readOnePast).
        if (metric && element.histograms !== undefined) {
          if (!buckets || element.values !== undefined)
            return this.#fail(
              'query-error',
              `${buckets ? `the query returned a series with both native histograms and numbers; ${ONE_NATIVE}` : NATIVE_HISTOGRAM}${Array.isArray(element.values) ? ' (at some of its points)' : ''}: ${query}`,
            );
          if (!Array.isArray(element.histograms))
            return this.#fail('bad-json', `a matrix element that is not a series: ${shown(raw)}`);
          const key = labelKey(metric);
          if (inPiece.has(key))
            return this.#fail('bad-json', `two series with the same labels ${clip(key)}: ${query}`);
          inPiece.add(key);
          const series = joined.get(key) ?? { metric, points: [], histograms: [] };
          if (!series.histograms)
            return this.#fail(
              'query-error',
              `the query returned a series with both native histograms and numbers; ${ONE_NATIVE}: ${query}`,
            );
          for (const rawSample of element.histograms) {
            const sample = sampleOf(rawSample);
            if (!sample)
              return this.#fail('bad-json', `a point that is not [time, {...}]: ${shown(rawSample)}`);
            series.histograms.push([Math.round(sample.t * 1000), sample.value]);
          }
          joined.set(key, series);
          continue;
        }
        if (!metric || !Array.isArray(element.values))
          return this.#fail('bad-json', `a matrix element that is not a series: ${shown(raw)}`);
        const key = labelKey(metric);
        if (inPiece.has(key))
          return this.#fail('bad-json', `two series with the same labels ${clip(key)}: ${query}`);
        inPiece.add(key);
        const series = joined.get(key) ?? { metric, points: [] };
        if (series.histograms)
          return this.#fail(
            'query-error',
            `the query returned a series with both native histograms and numbers; ${ONE_NATIVE}: ${query}`,
          );
        for (const rawSample of element.values) {
          const sample = sampleOf(rawSample);
          if (!sample)
            return this.#fail('bad-json', `a point that is not [time, "value"]: ${shown(rawSample)}`);
          const value = parseValue(this.name, sample.value);
          if (!value.ok && value.error.code === 'bad-json') return value;
          series.points.push([Math.round(sample.t * 1000), value.ok ? value.value : NaN]);
        }
        joined.set(key, series);
      }
    }
    // Points in time order, each time once: `last` and the windows of readPast read them in that order, and
    // a server that answers otherwise (Prometheus does not) would have its first point read as its last.
    for (const series of joined.values()) {
      series.points.sort((a, b) => a[0] - b[0]);
      series.histograms?.sort((a, b) => a[0] - b[0]);
      const times = series.histograms ?? series.points;
      const twice = times.find((p, i) => i > 0 && p[0] === times[i - 1]![0]);
      if (twice)
        return this.#fail(
          'bad-json',
          `two points at ${new Date(twice[0]).toISOString()} in the series ${clip(labelKey(series.metric))}: ${query}`,
        );
    }
    return { ok: true, value: [...joined.values()] };
  }
}

/** Evaluations per range request; Prometheus' own limit is 11,000 points per series. */
export const MAX_POINTS = 10_000;

export interface RangeSeries {
  metric: Record<string, string>;
  points: Array<[number, number]>;
  /** A series of native histograms (histogram metrics only): [ms, the histogram as the API wrote it]. */
  histograms?: Array<[number, unknown]>;
}

/**
 * Cumulative bucket counts from one value per `le` series. Needs a +Inf bucket (the total); a series
 * without `le`, a repeated or unparsable `le`, or a non-finite count is refused with what was wrong. One
 * bound spelled two ways in series alike in every other label (`le="1"` and `le="1.0"`) is one bucket, its
 * counts added, as histogram_quantile adds them: Prometheus 3 writes le as a float ("1.0") where 2.x wrote
 * "1", so `sum by (le)` over data scraped by both (an upgrade inside the query's range, or agents of both
 * versions writing to one store) returns both series of each bound.
 */
interface BucketEntry {
  le: string | undefined;
  value: unknown;
  /** The series' labels, to say what else tells two series of one bound apart. */
  metric: Record<string, string>;
}

function parseBuckets(
  provider: string,
  query: string,
  entries: readonly BucketEntry[],
): Result<Map<number, number>> {
  const fail = (message: string): Result<Map<number, number>> => ({
    ok: false,
    error: { provider, code: 'bad-json', message },
  });
  const buckets = new Map<number, number>();
  /** Per bound, how it was spelled and the series' other labels (labelKey), for a bound read twice. */
  const seen = new Map<number, Array<{ raw: string; others: string }>>();
  const rest = (labels: Record<string, string>) =>
    Object.fromEntries(Object.entries(labels).filter(([name]) => name !== 'le'));
  for (const { le: raw, value: text, metric } of entries) {
    if (raw === undefined)
      return fail(
        `a histogram query must return one series per "le" label (aggregate with sum by (le)); got a series without le: ${query}`,
      );
    // As Prometheus reads a bound: "Inf" and "1e+00" are bounds; "", " 1" and "0x10" are not, and "1e400"
    // is not the +Inf bucket (Number() read them as 0, 1, 16 and Infinity).
    const le = parseBound(raw);
    if (Number.isNaN(le)) return fail(`bucket le=${clip(JSON.stringify(raw), 80)} is not a number: ${query}`);
    const others = labelKey(rest(metric));
    const before = seen.get(le) ?? [];
    // Two series for one bound: most often a label kept beside le (sum by (le, instance)). Named over all
    // the series, so every label kept is. The same bound spelled otherwise in a series alike in every other
    // label is the same bucket (above).
    if (before.some((b) => b.others !== others || b.raw === raw)) {
      const differ = differingLabels(entries.map((entry) => rest(entry.metric)));
      return fail(
        `bucket le=${clip(JSON.stringify(raw), 80)} is repeated${differ === 'no label' ? '' : `, in series differing in ${differ}`}: a histogram query returns one series per le (aggregate with sum by (le) (...)): ${query}`,
      );
    }
    before.push({ raw, others });
    seen.set(le, before);
    const value = parseValue(provider, text);
    if (!value.ok) return value;
    buckets.set(le, (buckets.get(le) ?? 0) + value.value);
  }
  if (!buckets.has(Infinity)) return fail(`the buckets have no le="+Inf" (the total count): ${query}`);
  return { ok: true, value: buckets };
}

/** The first index of `points` (ascending by time) at or after `t`. */
function firstAtOrAfter(points: ReadonlyArray<readonly [number, unknown]>, t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** At most this many of the series current at one time are named in its multiple-series error. */
const MAX_LISTED = 1000;

/**
 * Per time of `times` (ascending), how many of `series` were current then, a point of theirs (NaN ones too:
 * the series was there) in [t - window, t], and the first MAX_LISTED of them. One sweep over the points
 * and times: a filter of every series at every time took a minute for 100,000 series over 10,000 times.
 */
function seriesCurrent(
  series: readonly RangeSeries[],
  times: readonly number[],
  window: number,
): Array<{ count: number; listed: RangeSeries[] }> {
  const starts = times.map((): number[] => []);
  const ends = times.map((): number[] => []);
  series.forEach((s, j) => {
    // The times each point makes the series current at, [first, past) as indexes of `times`, merged.
    let open: [number, number] | undefined;
    const close = () => {
      if (open && open[0] < open[1]) {
        starts[open[0]]!.push(j);
        if (open[1] < times.length) ends[open[1]]!.push(j);
      }
    };
    for (const [at] of s.histograms ?? s.points) {
      const first = lowerBound(times, at);
      const past = lowerBound(times, at + window + 1);
      if (open && first <= open[1]) open[1] = Math.max(open[1], past);
      else {
        close();
        open = [first, past];
      }
    }
    close();
  });
  const active = new Set<number>();
  return times.map((_, i) => {
    for (const j of ends[i]!) active.delete(j);
    for (const j of starts[i]!) active.add(j);
    const listed: RangeSeries[] = [];
    for (const j of active) {
      if (listed.length === MAX_LISTED) break;
      listed.push(series[j]!);
    }
    return { count: active.size, listed };
  });
}

/** The first index of the ascending `times` at or after `t`. */
function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The finite points in [from, to]. */
function finiteIn(
  points: ReadonlyArray<[number, number]>,
  from: number,
  to: number,
): Array<[number, number]> {
  return points
    .slice(firstAtOrAfter(points, from), firstAtOrAfter(points, to + 1))
    .filter(([, v]) => Number.isFinite(v));
}

// A loop, not Math.max(...values): a long range at a fine step (3d at 1s) is hundreds of thousands of points,
// past the arguments a call can take (RangeError).
export function reducePoints(points: ReadonlyArray<[number, number]>, mode: ReduceMode): number {
  switch (mode) {
    case 'max':
      return points.reduce((m, [, v]) => Math.max(m, v), -Infinity);
    case 'min':
      return points.reduce((m, [, v]) => Math.min(m, v), Infinity);
    case 'last':
      return points[points.length - 1]![1];
    case 'mean':
      return points.reduce((a, [, v]) => a + v, 0) / points.length;
  }
}

/** The step a range metric is read at: its own, or about 60 points over the window (at least 1 s). */
export const rangeStep = (range: NonNullable<MetricConfig['range']>): number =>
  range.step ?? Math.max(1000, Math.floor(range.window / 60));

export function createPrometheusProvider(
  name: string,
  config: PrometheusProviderConfig,
  deps: PrometheusDeps = {},
): MetricProvider {
  const client = new PrometheusClient(name, config, deps);
  const now = deps.now ?? Date.now;

  function queryFor(name: string, metric: MetricConfig, request: ReadRequest): Result<string> {
    const template = request.side === 'stable' && metric.stable_query ? metric.stable_query : metric.query!;
    try {
      return { ok: true, value: renderPromql(template, request.vars) };
    } catch (error) {
      if (error instanceof TemplateError)
        return { ok: false, error: { provider: name, code: 'template', message: error.message } };
      throw error;
    }
  }

  async function readOne(
    name: string,
    metric: MetricConfig,
    request: ReadRequest,
    at: number,
  ): Promise<Result<Record<string, number>>> {
    const rendered = queryFor(name, metric, request);
    if (!rendered.ok) return rendered;
    const query = rendered.value;
    if (metric.histogram) {
      const buckets = await client.buckets(query, request.signal, at);
      return buckets.ok ? { ok: true, value: bucketValues(name, buckets.value) } : buckets;
    }
    const single = (value: number) => ({ [name]: value });
    if (!metric.range) {
      const value = await client.instant(query, request.signal, at);
      return value.ok ? { ok: true, value: single(value.value) } : value;
    }
    // A range ends at the same instant as the interval's instant queries.
    const end = at;
    const step = rangeStep(metric.range);
    const points = await client.range(query, end - metric.range.window, end, step, request.signal);
    if (!points.ok) return points;
    return { ok: true, value: single(reducePoints(points.value, metric.range.reduce ?? 'mean')) };
  }

  /**
   * One metric at each of `times`, as readOne would have read it then: one range request (in pieces when
   * long) evaluates the same query at every interval end, instead of a request per interval.
   */
  async function readOnePast(
    name: string,
    metric: MetricConfig,
    request: PastReadRequest,
  ): Promise<Array<Result<Record<string, number>>>> {
    const { times, signal } = request;
    const all = (result: Result<Record<string, number>>) => times.map(() => result);
    const rendered = queryFor(name, metric, request);
    if (!rendered.ok) return all(rendered);
    const query = rendered.value;
    const fail = (code: ProviderError['code'], message: string): Result<Record<string, number>> => ({
      ok: false,
      error: { provider: name, code, message },
    });
    const first = times[0]!;
    const last = times[times.length - 1]!;
    const step = metric.range ? rangeStep(metric.range) : request.intervalMs;
    const matrix = await client.series(
      query,
      metric.range ? first - metric.range.window : first,
      last,
      step,
      signal,
      metric.histogram === true,
    );
    if (!matrix.ok) return all(matrix);
    const series = matrix.value;
    if (series.length === 0) return all(fail('empty-result', `no series matched: ${query}`));
    // Prometheus evaluates a range query at start + k x step: at each time itself. A frontend that aligns a
    // range query to multiples of its step for its cache (Thanos query-frontend by default, VictoriaMetrics
    // past 50 points) evaluates up to a step before each time instead: each time reads the last evaluation
    // in the step before it (its own when there is one), never one a whole step before, the previous time's.
    const slack = Math.max(1000, step) - 1;
    const pointFor = <T>(points: ReadonlyArray<readonly [number, T]>, t: number) => {
      const point = points[firstAtOrAfter(points, t + 1) - 1];
      return point && point[0] >= t - slack ? point : undefined;
    };

    if (metric.histogram && series.some((s) => s.histograms)) {
      // Histograms and numbers mixed: no time reads one histogram.
      if (series.length > 1 && !series.every((s) => s.histograms))
        return all(
          fail(
            'multiple-series',
            `${series.length} series returned, with native histograms among them, ${howSeriesDiffer(series.map((s) => s.metric))}; ${ONE_NATIVE}: ${query}`,
          ),
        );
      // Native histograms alone: each time reads the one current then, as a number metric does (below).
      const current = seriesCurrent(series, times, slack);
      return times.map((t, i) => {
        const { count, listed } = current[i]!;
        if (count > 1)
          return fail(
            'multiple-series',
            `${count} series of native histograms returned at ${new Date(t).toISOString()}, ${howSeriesDiffer(listed.map((s) => s.metric))}; ${ONE_NATIVE}: ${query}`,
          );
        const point = pointFor(listed[0]?.histograms ?? [], t);
        if (!point) return fail('empty-result', `no histogram at ${new Date(t).toISOString()}: ${query}`);
        const buckets = nativeHistogramBuckets(name, point[1]);
        return buckets.ok ? { ok: true, value: bucketValues(name, buckets.value) } : buckets;
      });
    }
    if (metric.histogram) {
      return times.map((t) => {
        const entries: BucketEntry[] = [];
        for (const s of series) {
          const point = pointFor(s.points, t);
          if (point) entries.push({ le: s.metric.le, value: String(point[1]), metric: s.metric });
        }
        if (!entries.length)
          return fail('empty-result', `no buckets at ${new Date(t).toISOString()}: ${query}`);
        const buckets = parseBuckets(name, query, entries);
        return buckets.ok ? { ok: true, value: bucketValues(name, buckets.value) } : buckets;
      });
    }
    const range = metric.range;
    // Each time reads the series the live read would have found then: those with a point at that time (in
    // the step before it, above; a range: in the window before it). A series replaced by another during the span (a pod restarted under a
    // new label, the old series gone stale) is one series at every time, and was refused at all of them.
    const from = (t: number) => (range ? t - range.window : t);
    const current = seriesCurrent(series, times, range?.window ?? slack);
    return times.map((t, i) => {
      const { count, listed } = current[i]!;
      if (count > 1)
        return fail(
          'multiple-series',
          manySeriesMessage(
            listed.map((s) => s.metric),
            query,
            t,
            count,
          ),
        );
      const points = listed[0]?.points ?? [];
      if (!range) {
        const v = pointFor(points, t)?.[1];
        if (v === undefined)
          return fail('empty-result', `no value at ${new Date(t).toISOString()}: ${query}`);
        if (!Number.isFinite(v))
          return fail('not-a-number', `the query returned ${v} at ${new Date(t).toISOString()}`);
        return { ok: true, value: { [name]: v } };
      }
      const finite = finiteIn(points, from(t), t);
      if (finite.length === 0)
        return fail(
          'empty-result',
          `no point in the ${range.window / 1000}s before ${new Date(t).toISOString()}: ${query}`,
        );
      return { ok: true, value: { [name]: reducePoints(finite, range.reduce ?? 'mean') } };
    });
  }

  function collect(metrics: ReadRequest['metrics'], results: Array<Result<Record<string, number>>>) {
    const read: ProviderRead = { values: {}, errors: [] };
    metrics.forEach((m, i) => {
      const result = results[i]!;
      if (result.ok) Object.assign(read.values, result.value);
      else {
        read.values[m.name] = null;
        // The server's own text is quoted in it (its error, its warnings), and may echo the credentials;
        // not the metric's name before it, which the judge reads to tell whose read failed.
        const [error] = client.hideSecrets([result.error]);
        read.errors.push({ ...error!, message: `${m.name}: ${error!.message}` });
      }
    });
    return read;
  }

  return {
    name,
    async read(request: ReadRequest): Promise<ProviderRead> {
      // Every query of the read at one instant (the interval's end, given by the analyzer for both sides):
      // evaluated each when it arrived, the errors and the requests of a rate over [1m] were counted over
      // windows apart, an error counted in one and its request in none.
      const at = request.at ?? now();
      const results = await Promise.all(request.metrics.map((m) => readOne(m.name, m.config, request, at)));
      return collect(request.metrics, results);
    },
    async readPast(request: PastReadRequest): Promise<ProviderRead[]> {
      if (request.times.length === 0) return [];
      const perMetric = await Promise.all(request.metrics.map((m) => readOnePast(m.name, m.config, request)));
      return request.times.map((_, i) =>
        collect(
          request.metrics,
          perMetric.map((results) => results[i]!),
        ),
      );
    },
  };
}

/** Each bucket under its own key, the total under the metric's name (histogram.ts). */
function bucketValues(name: string, buckets: Map<number, number>): Record<string, number> {
  const values: Record<string, number> = { [name]: buckets.get(Infinity)! };
  for (const [le, count] of buckets) values[bucketKey(name, le)] = count;
  return values;
}
