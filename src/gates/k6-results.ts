// Pure: what a k6 results JSON says about a load test, in either of the shapes k6 writes it.
//
// - `k6 run --summary-export=FILE` (the legacy export): `metrics.<name>` holds the statistics themselves
//   (`http_req_duration["p(95)"]`, `http_reqs.rate`), a rate metric's rate as `value`, and `thresholds` maps
//   each expression to a boolean that is TRUE WHEN THE THRESHOLD FAILED (k6 writes `!ok` there; its own
//   summary-wrapper.js, k6 issue 1498).
// - The data handleSummary() gets, saved with JSON.stringify(data): `metrics.<name>` is `{type, contains,
//   values: {...}, thresholds: {<expression>: {ok}}}`, a rate metric's rate as `values.rate`.
//
// In both, a time metric's statistics are in milliseconds, whatever summaryTimeUnit the text summary uses, and
// a trend has only the statistics summaryTrendStats names (default avg, min, med, max, p(90), p(95): no p(99)).

export type K6Shape = 'summary-export' | 'handle-summary';

export interface K6Threshold {
  metric: string;
  expression: string;
  ok: boolean;
  /** The statistic the expression tests (`p(95)` of "p(95)<500"), when the file has it as a number. */
  observed?: { stat: string; value: number };
}

/** A statistic the gate reads: its value, or why there is none (said as it is in a finding). */
export type K6Stat = { ok: true; value: number } | { ok: false; why: string };

export interface K6Results {
  shape: K6Shape;
  /** http_req_duration's 95th and 99th percentiles, in ms. */
  p95: K6Stat;
  p99: K6Stat;
  /** http_reqs' rate: requests per second over the whole test. */
  rps: K6Stat;
  /** http_req_failed's rate, a fraction. */
  errorRate: K6Stat;
  thresholds: K6Threshold[];
}

export type K6Read = { ok: true; results: K6Results } | { ok: false; message: string };

/** Characters kept of a name from the file (a metric, a threshold's expression) in a message. */
const MAX_NAME = 200;

export function shown(text: string): string {
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME)}…` : text;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as JSON has it: k6's JSON.stringify writes NaN and Infinity as null. */
function describe(value: unknown): string {
  if (value === null) return 'null (k6 writes a NaN or infinite value so)';
  // Said apart: typeof says "object" of both, and "is object, not an object" says nothing.
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? `the string ${JSON.stringify(shown(value))}` : `${typeof value}`;
}

/**
 * Pure: the results in `value` (the file's JSON), or why it is no k6 results JSON. `file` names it in
 * messages.
 */
export function readK6Results(value: unknown, file: string): K6Read {
  if (!isObject(value) || !('metrics' in value)) {
    const what = Array.isArray(value)
      ? 'an array'
      : isObject(value)
        ? 'an object without "metrics"'
        : describe(value);
    return {
      ok: false,
      message: `${file} is ${what}, not k6 results: write them with \`k6 run --summary-export=${file}\`, or return { '${file}': JSON.stringify(data) } from handleSummary(data)`,
    };
  }
  const metrics = value.metrics;
  if (!isObject(metrics))
    return {
      ok: false,
      message: `${file}: "metrics" is ${Array.isArray(metrics) ? 'an array' : describe(metrics)}, not an object of metrics`,
    };

  const names = Object.keys(metrics);
  const handleSummary = names.some(
    (name) => isObject(metrics[name]) && isObject((metrics[name] as { values?: unknown }).values),
  );
  const shape: K6Shape = handleSummary ? 'handle-summary' : 'summary-export';
  const thresholds: K6Threshold[] = [];
  for (const name of names) {
    const metric = metrics[name];
    if (!isObject(metric))
      return {
        ok: false,
        message: `${file}: metric ${JSON.stringify(shown(name))} is ${describe(metric)}, not an object`,
      };
    if (handleSummary && !isObject(metric.values))
      return {
        ok: false,
        message: `${file}: metric ${JSON.stringify(shown(name))} has no "values" object, while others do (the handleSummary() data shape): the file mixes two shapes`,
      };
    const read = readThresholds(metric.thresholds, shape, name, file);
    if (!read.ok) return read;
    const values = (handleSummary ? metric.values : metric) as Record<string, unknown>;
    for (const threshold of read.thresholds) {
      const observed = observedStat(threshold.expression, values, shape);
      thresholds.push(observed ? { ...threshold, observed } : threshold);
    }
  }

  const stats = (name: string): Record<string, unknown> | undefined => {
    const metric = metrics[name];
    if (!isObject(metric)) return undefined;
    return shape === 'handle-summary' ? (metric.values as Record<string, unknown>) : metric;
  };
  const duration = stats('http_req_duration');
  const reqs = stats('http_reqs');
  const failed = stats('http_req_failed');
  return {
    ok: true,
    results: {
      shape,
      p95: percentile(duration, 'p(95)'),
      p99: percentile(duration, 'p(99)'),
      rps: number(reqs, 'rate', 'http_reqs', 'the test made no HTTP request'),
      errorRate: number(
        failed,
        shape === 'handle-summary' ? 'rate' : 'value',
        'http_req_failed',
        'the test made no HTTP request, or k6 is older than 0.31, which added it',
      ),
      thresholds,
    },
  };
}

function readThresholds(
  value: unknown,
  shape: K6Shape,
  metric: string,
  file: string,
): { ok: true; thresholds: K6Threshold[] } | { ok: false; message: string } {
  if (value === undefined) return { ok: true, thresholds: [] };
  const where = `${file}: the thresholds of metric ${JSON.stringify(shown(metric))}`;
  if (!isObject(value)) return { ok: false, message: `${where} are ${describe(value)}, not an object` };
  const thresholds: K6Threshold[] = [];
  for (const [expression, result] of Object.entries(value)) {
    if (shape === 'summary-export') {
      // The legacy export writes whether the threshold FAILED.
      if (typeof result !== 'boolean')
        return {
          ok: false,
          message: `${where}: ${JSON.stringify(shown(expression))} is ${describe(result)}; --summary-export writes a boolean (true: the threshold failed)`,
        };
      thresholds.push({ metric, expression, ok: !result });
    } else {
      const ok = isObject(result) ? result.ok : undefined;
      if (typeof ok !== 'boolean')
        return {
          ok: false,
          message: `${where}: ${JSON.stringify(shown(expression))} has no boolean "ok"; handleSummary() data writes { "ok": true | false }`,
        };
      thresholds.push({ metric, expression, ok });
    }
  }
  return { ok: true, thresholds };
}

/** An aggregation as a threshold names it: `p(95)`, `rate`, `avg`, `count`, `value`, … before its operator. */
const AGGREGATION = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(?:[<>]=?|={2,3}|!=)/;

/** The value a threshold's expression tests, as the file has it; a rate metric's rate is `value` in the export. */
function observedStat(
  expression: string,
  values: Record<string, unknown>,
  shape: K6Shape,
): { stat: string; value: number } | undefined {
  const stat = AGGREGATION.exec(expression)?.[1];
  if (stat === undefined) return undefined;
  const key = shape === 'summary-export' && stat === 'rate' && !('rate' in values) ? 'value' : stat;
  const value = values[key];
  return typeof value === 'number' && Number.isFinite(value) ? { stat, value } : undefined;
}

function percentile(duration: Record<string, unknown> | undefined, stat: 'p(95)' | 'p(99)'): K6Stat {
  if (!duration)
    return { ok: false, why: 'there is no http_req_duration metric (the test made no HTTP request)' };
  if (!(stat in duration)) {
    const present = Object.keys(duration).filter(
      (key) => key !== 'thresholds' && typeof duration[key] === 'number',
    );
    return {
      ok: false,
      why:
        `http_req_duration has no ${stat}: its statistics are ${present.map(shown).join(', ') || 'none'}; ` +
        `k6 writes only those summaryTrendStats names (the option, or --summary-trend-stats), by default ` +
        `avg, min, med, max, p(90), p(95): add "${stat}" to it`,
    };
  }
  return finite(duration[stat], `http_req_duration's ${stat}`);
}

function number(
  stats: Record<string, unknown> | undefined,
  key: string,
  metric: string,
  absent: string,
): K6Stat {
  if (!stats) return { ok: false, why: `there is no ${metric} metric (${absent})` };
  if (!(key in stats)) return { ok: false, why: `${metric} has no "${key}"` };
  return finite(stats[key], `${metric}'s ${key}`);
}

function finite(value: unknown, what: string): K6Stat {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { ok: true, value };
  return {
    ok: false,
    why:
      typeof value === 'number' && value < 0
        ? `${what} is ${value}, below 0: no statistic k6 writes is negative`
        : `${what} is ${typeof value === 'number' ? String(value) : describe(value)}, not a number`,
  };
}

/**
 * Pure: why `text` that is not JSON is not read, when it is something k6 writes that is not a summary: the
 * `--out json` stream (one JSON object per line, a metric's declaration or a data point).
 */
export function notJsonHint(text: string): string | undefined {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  try {
    const line: unknown = JSON.parse(first);
    if (isObject(line) && (line.type === 'Metric' || line.type === 'Point'))
      return 'it is the data points of `k6 run --out json`, not a summary: write one with --summary-export';
  } catch {
    // Not one JSON value a line either.
  }
  return undefined;
}
