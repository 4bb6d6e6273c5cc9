// Prometheus HTTP API provider: /api/v1/query (instant) and /api/v1/query_range (range, reduced to one
// number). An empty vector and NaN/Inf are "no data" (typed errors empty-result / not-a-number), never zero.
import { httpGet, type Fetch } from '../http.ts';
import { bucketKey } from '../histogram.ts';
import { renderPromql, TemplateError } from '../promql.ts';
import { withRetries, type Sleep } from '../retry.ts';
import { abortableSleep } from '../../util/sleep.ts';
import type { MetricConfig, PrometheusProviderConfig } from '../schema.ts';
import type { ProviderError, Result } from '../types.ts';
import type { MetricProvider, ProviderRead, ReadRequest } from './provider.ts';

export interface PrometheusDeps {
  fetch?: Fetch;
  sleep?: Sleep;
  /** Clock for range queries (ms). */
  now?: () => number;
}

type PromSample = [number, string];
interface PromResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

export type ReduceMode = 'mean' | 'max' | 'min' | 'last';

function parseValue(provider: string, raw: string): Result<number> {
  const value = Number(raw);
  if (!Number.isFinite(value))
    return { ok: false, error: { provider, code: 'not-a-number', message: `the query returned ${raw}` } };
  return { ok: true, value };
}

export class PrometheusClient {
  readonly name: string;
  readonly #config: PrometheusProviderConfig;
  readonly #deps: PrometheusDeps;

  constructor(name: string, config: PrometheusProviderConfig, deps: PrometheusDeps = {}) {
    this.name = name;
    this.#config = config;
    this.#deps = deps;
  }

  async #call(
    path: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Result<PromResponse['data']>> {
    const url = new URL(path, this.#config.url.endsWith('/') ? this.#config.url : `${this.#config.url}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const timeoutMs = this.#config.timeout ?? 10_000;
    const attempt = async (): Promise<Result<PromResponse['data']>> => {
      const response = await httpGet(this.name, url.href, {
        timeoutMs,
        headers: this.#config.headers,
        signal,
        fetch: this.#deps.fetch,
      });
      if (!response.ok) return response;
      const { status, body } = response.value;
      let parsed: PromResponse;
      try {
        parsed = JSON.parse(body) as PromResponse;
      } catch {
        if (status >= 300) return this.#fail('http-status', `HTTP ${status} from ${url.pathname}`, status);
        return this.#fail(
          'bad-json',
          `${url.pathname} answered HTTP ${status} with a body that is not JSON`,
          status,
        );
      }
      if (parsed?.status === 'error')
        return this.#fail(
          'query-error',
          `${parsed.errorType ?? 'error'}: ${parsed.error ?? 'no message'}`,
          status,
        );
      if (status >= 300) return this.#fail('http-status', `HTTP ${status} from ${url.pathname}`, status);
      if (parsed?.status !== 'success' || typeof parsed.data !== 'object' || parsed.data === null)
        return this.#fail(
          'bad-json',
          `${url.pathname} answered JSON without status "success" and data`,
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
      },
      signal,
    );
  }

  #fail<T>(code: ProviderError['code'], message: string, status?: number): Result<T> {
    return { ok: false, error: { provider: this.name, code, message, ...(status ? { status } : {}) } };
  }

  /** One number from an instant query: exactly one series (or a scalar) with a finite value. */
  async instant(query: string, signal?: AbortSignal): Promise<Result<number>> {
    const data = await this.#call('api/v1/query', { query }, signal);
    if (!data.ok) return data;
    const { resultType, result } = data.value!;
    if (resultType === 'scalar') return parseValue(this.name, (result as PromSample)[1]);
    if (resultType !== 'vector' || !Array.isArray(result))
      return this.#fail('bad-json', `expected a vector or scalar result, got ${resultType}`);
    if (result.length === 0) return this.#fail('empty-result', `no series matched: ${query}`);
    if (result.length > 1)
      return this.#fail(
        'multiple-series',
        `${result.length} series returned; aggregate with sum(), max() or avg(): ${query}`,
      );
    return parseValue(this.name, (result[0] as { value: PromSample }).value[1]);
  }

  /**
   * Bucket counts from an instant query that returns one series per `le` label (a histogram aggregated
   * with `sum by (le)`): cumulative count per upper bound. Needs a +Inf bucket (the total); a series
   * without `le`, a repeated or unparsable `le`, or a non-finite count is refused with what was wrong.
   */
  async buckets(query: string, signal?: AbortSignal): Promise<Result<Map<number, number>>> {
    const data = await this.#call('api/v1/query', { query }, signal);
    if (!data.ok) return data;
    const { resultType, result } = data.value!;
    if (resultType !== 'vector' || !Array.isArray(result))
      return this.#fail('bad-json', `expected a vector of buckets, got ${resultType}`);
    if (result.length === 0) return this.#fail('empty-result', `no series matched: ${query}`);
    const buckets = new Map<number, number>();
    for (const series of result as Array<{ metric?: Record<string, string>; value: PromSample }>) {
      const raw = series.metric?.le;
      if (raw === undefined)
        return this.#fail(
          'bad-json',
          `a histogram query must return one series per "le" label (aggregate with sum by (le)); got a series without le: ${query}`,
        );
      const le = raw === '+Inf' ? Infinity : Number(raw);
      if (Number.isNaN(le) || buckets.has(le))
        return this.#fail(
          'bad-json',
          `bucket le="${raw}" is ${buckets.has(le) ? 'repeated' : 'not a number'}: ${query}`,
        );
      const value = parseValue(this.name, series.value[1]);
      if (!value.ok) return value;
      buckets.set(le, value.value);
    }
    if (!buckets.has(Infinity))
      return this.#fail('bad-json', `the buckets have no le="+Inf" (the total count): ${query}`);
    return { ok: true, value: buckets };
  }

  /** Points of a range query over [startMs, endMs]: exactly one series; non-finite points are dropped. */
  async range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal,
  ): Promise<Result<Array<[number, number]>>> {
    const data = await this.#call(
      'api/v1/query_range',
      {
        query,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: `${Math.max(1, stepMs / 1000)}s`,
      },
      signal,
    );
    if (!data.ok) return data;
    const { resultType, result } = data.value!;
    if (resultType !== 'matrix' || !Array.isArray(result))
      return this.#fail('bad-json', `expected a matrix, got ${resultType}`);
    if (result.length === 0) return this.#fail('empty-result', `no series matched: ${query}`);
    if (result.length > 1)
      return this.#fail(
        'multiple-series',
        `${result.length} series returned; aggregate with sum(), max() or avg(): ${query}`,
      );
    const points = (result[0] as { values: PromSample[] }).values
      .map(([t, v]) => [t * 1000, Number(v)] as [number, number])
      .filter(([, v]) => Number.isFinite(v));
    if (points.length === 0) return this.#fail('not-a-number', `every point was NaN or Inf: ${query}`);
    return { ok: true, value: points };
  }
}

export function reducePoints(points: ReadonlyArray<[number, number]>, mode: ReduceMode): number {
  const values = points.map(([, v]) => v);
  switch (mode) {
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'last':
      return values[values.length - 1]!;
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

export function createPrometheusProvider(
  name: string,
  config: PrometheusProviderConfig,
  deps: PrometheusDeps = {},
): MetricProvider {
  const client = new PrometheusClient(name, config, deps);
  const now = deps.now ?? Date.now;

  async function readOne(
    name: string,
    metric: MetricConfig,
    request: ReadRequest,
  ): Promise<Result<Record<string, number>>> {
    const template = request.side === 'stable' && metric.stable_query ? metric.stable_query : metric.query!;
    let query: string;
    try {
      query = renderPromql(template, request.vars);
    } catch (error) {
      if (error instanceof TemplateError)
        return { ok: false, error: { provider: name, code: 'template', message: error.message } };
      throw error;
    }
    if (metric.histogram) {
      // Each bucket under its own key, the total under the metric's name (histogram.ts).
      const buckets = await client.buckets(query, request.signal);
      if (!buckets.ok) return buckets;
      const values: Record<string, number> = { [name]: buckets.value.get(Infinity)! };
      for (const [le, count] of buckets.value) values[bucketKey(name, le)] = count;
      return { ok: true, value: values };
    }
    const single = (value: number) => ({ [name]: value });
    if (!metric.range) {
      const value = await client.instant(query, request.signal);
      return value.ok ? { ok: true, value: single(value.value) } : value;
    }
    const end = now();
    const step = metric.range.step ?? Math.max(1000, Math.floor(metric.range.window / 60));
    const points = await client.range(query, end - metric.range.window, end, step, request.signal);
    if (!points.ok) return points;
    return { ok: true, value: single(reducePoints(points.value, metric.range.reduce ?? 'mean')) };
  }

  return {
    name,
    async read(request: ReadRequest): Promise<ProviderRead> {
      const results = await Promise.all(request.metrics.map((m) => readOne(m.name, m.config, request)));
      const read: ProviderRead = { values: {}, errors: [] };
      request.metrics.forEach((m, i) => {
        const result = results[i]!;
        if (result.ok) Object.assign(read.values, result.value);
        else read.values[m.name] = null;
        if (!result.ok) read.errors.push({ ...result.error, message: `${m.name}: ${result.error.message}` });
      });
      return read;
    },
  };
}
