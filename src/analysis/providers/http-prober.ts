// The built-in prober: the tool itself sends a steady, bounded rate of requests to each version's URL over
// the interval and measures success rate and latency percentiles. Works with no metrics stack at all.
// Requests are sent on a fixed schedule, not after the previous answer, so a slow version cannot lower its
// own load and hide its latency (coordinated omission).
import { renderUrl, withoutCredentials } from '../../targets/http-check.ts';
import { TemplateError } from '../../targets/template.ts';
import { classifyFetchError, withoutUrlCredentials, type Fetch } from '../http.ts';
import type { Sleep } from '../retry.ts';
import { abortableSleep } from '../../util/sleep.ts';
import type { HttpProberConfig } from '../schema.ts';
import { pickFields, type MetricProvider, type ProviderRead, type ReadRequest } from './provider.ts';

export interface ProberDeps {
  fetch?: Fetch;
  sleep?: Sleep;
  /** Monotonic clock for latency (ms). */
  hrnow?: () => number;
}

export interface ProbeStats {
  requests: number;
  errors: number;
  success_rate: number | null;
  error_rate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(results: ReadonlyArray<{ ok: boolean; latencyMs: number }>): ProbeStats {
  const latencies = results
    .filter((r) => r.ok)
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b);
  const requests = results.length;
  const errors = results.filter((r) => !r.ok).length;
  return {
    requests,
    errors,
    success_rate: requests ? (requests - errors) / requests : null,
    error_rate: requests ? errors / requests : null,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
  };
}

/** What the prober measures: the fields a metric of it may read. */
export const PROBER_FIELDS = [
  'requests',
  'errors',
  'success_rate',
  'error_rate',
  'p50',
  'p95',
  'p99',
] as const satisfies ReadonlyArray<keyof ProbeStats>;

/** One request's outcome; `unsendable`: why fetch sent nothing, and never will to this URL. */
interface Probe {
  ok: boolean;
  latencyMs: number;
  unsendable?: string;
}

function badPort(url: string): string {
  let port = '';
  try {
    port = ` ${new URL(url).port}`;
  } catch {
    // The URL parsed for the request: it parses here too.
  }
  return `fetch never connects to port${port} (a port browsers block, see the Fetch standard's "bad port"), so no request was sent: serve the version on another port to probe it`;
}

export function createHttpProber(
  name: string,
  config: HttpProberConfig,
  deps: ProberDeps = {},
): MetricProvider {
  const sleep = deps.sleep ?? abortableSleep;
  const hrnow = deps.hrnow ?? (() => performance.now());
  const doFetch = deps.fetch ?? fetch;
  const rate = config.rate ?? 5;
  const timeoutMs = config.timeout ?? 5000;
  const accepted = (status: number) =>
    config.expect_status ? config.expect_status.includes(status) : status >= 200 && status < 400;

  async function probeOnce(
    { url, headers }: { url: string; headers: Record<string, string> },
    signal: AbortSignal,
  ): Promise<Probe> {
    const started = hrnow();
    try {
      const response = await doFetch(url, {
        method: config.method ?? 'GET',
        headers,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        // The version's own answer is what is measured: a redirect is its answer (3xx counts as success
        // unless expect_status says otherwise), not a request to wherever Location points.
        redirect: 'manual',
      });
      // Read to the end (latency includes the body) but keep none of it: a version answering with a huge
      // body, up to `rate` requests at once, must not fill the memory of the process that would roll it back.
      if (response.body) for await (const chunk of response.body) void chunk;
      return { ok: accepted(response.status), latencyMs: hrnow() - started };
    } catch (error) {
      // A port fetch never connects to (the Fetch standard's "bad ports"): nothing was sent, and no request
      // ever will be. Not the version's failure: every one of its requests would be one.
      const refused = (error as { cause?: { message?: unknown; code?: unknown } }).cause;
      if (refused?.message === 'bad port' && refused.code === undefined)
        return { ok: false, latencyMs: 0, unsendable: badPort(url) };
      // Refused, reset or timed out: the version failed this request. That is data, not a provider error.
      return { ok: false, latencyMs: hrnow() - started };
    }
  }

  return {
    name,
    async read(request: ReadRequest): Promise<ProviderRead> {
      let target: { url: string; headers: Record<string, string> };
      try {
        // URL-encoded like health checks: a value stays one part of the URL (never its host, path or query).
        const url = renderUrl(
          request.side === 'stable' && config.stable_url ? config.stable_url : config.url,
          request.vars,
        );
        const parsed = new URL(url);
        if (!/^https?:$/.test(parsed.protocol)) throw new TemplateError(`"${url}" is not an http(s) URL`);
        // fetch refuses a URL with a user and password (each request a failure of the version, no request
        // sent): they go as basic auth, as a health check's do.
        target = withoutCredentials(url);
      } catch (error) {
        const message = withoutUrlCredentials(error instanceof Error ? error.message : String(error));
        return {
          values: pickFields(request.metrics, null),
          errors: [{ provider: name, code: 'template', message }],
        };
      }
      const count = Math.max(
        1,
        Math.min(config.max_requests ?? 300, Math.floor((rate * request.intervalMs) / 1000)),
      );
      const spacingMs = 1000 / rate;
      const pending: Array<Promise<Probe>> = [];
      for (let i = 0; i < count && !request.signal.aborted; i++) {
        if (i > 0) await sleep(spacingMs, request.signal);
        pending.push(probeOnce(target, request.signal));
      }
      const results = await Promise.all(pending);
      if (request.signal.aborted) {
        const error = classifyFetchError(name, new Error('cancelled'), timeoutMs, request.signal);
        return { values: pickFields(request.metrics, null), errors: [error] };
      }
      const unsendable = results.find((r) => r.unsendable)?.unsendable;
      if (unsendable)
        return {
          values: pickFields(request.metrics, null),
          errors: [{ provider: name, code: 'network', message: unsendable }],
        };
      const stats = summarize(results);
      // A field the prober does not measure (p90, latency) would be no data in every interval, and end in a
      // no-data rollback that does not say why: said instead, as a query error of the metric.
      const unknown = request.metrics.filter((m) => !Object.hasOwn(stats, m.config.field ?? m.name));
      return {
        values: pickFields(request.metrics, { ...stats }),
        errors: unknown.map((m) => ({
          provider: name,
          code: 'query-error' as const,
          message: `${m.name}: the prober measures ${PROBER_FIELDS.join(', ')}; not ${JSON.stringify(m.config.field ?? m.name)}${m.config.field ? ' (its field)' : ' (give field: one of them)'}`,
        })),
      };
    },
  };
}
