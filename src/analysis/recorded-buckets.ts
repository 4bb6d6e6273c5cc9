// Histogram buckets in a recorded side (`latency{le="0.1"}`, ..., `latency{le="+Inf"}`, the total under
// `latency`: histogram.ts). The judge reads only keys in exactly the form the Prometheus provider writes;
// anything else would be skipped without a word, and a histogram test that never gets an interval lets a
// slow canary promote. So a recording's bucket keys are checked here and rewritten in that form.
import { formatPath } from '../config/errors.ts';
import { bucketKey } from './histogram.ts';
import type { MetricValues } from './types.ts';

/** `name{le=...}`: anything that means to be a bucket, well written or not. */
const BUCKET_LIKE = /^(.+)\{\s*le\s*=(.*)\}$/s;
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
// Prometheus writes "+Inf"; its parser (Go's ParseFloat) also reads "Inf", "inf", "+Infinity", ...
const INFINITY = /^\+?inf(?:inity)?$/i;

/**
 * A bucket bound as Prometheus' parser reads it (`0.1`, `1e+00`, `+Inf`, `Inf`, `+inf`), or NaN when it is
 * not one: an empty bound, spaces, hex, or a decimal too large for a double (`1e400`), which would otherwise
 * silently become the +Inf bucket.
 */
export function parseBound(raw: string): number {
  if (INFINITY.test(raw)) return Infinity;
  if (!DECIMAL.test(raw)) return NaN;
  const le = Number(raw);
  return Number.isFinite(le) ? le : NaN;
}

export interface BucketProblem {
  /** The key's path below the side, for the message. */
  path: (string | number)[];
  message: string;
}

/**
 * The side's values with every bucket key in the judge's form and the total filled in from the +Inf bucket
 * when it was left out; or the problems: a bound that is not a number, a bound written twice, buckets
 * without +Inf, a total that is not the +Inf bucket's count.
 */
export function canonicalBuckets(
  values: MetricValues,
  path: (string | number)[],
): { values: MetricValues; problems: BucketProblem[] } {
  const problems: BucketProblem[] = [];
  const at = (key: string) => [...path, key];
  const out: MetricValues = {};
  /** Per histogram metric: bound -> the key it was written as. */
  const bounds = new Map<string, Map<number, string>>();
  for (const [key, value] of Object.entries(values)) {
    const m = BUCKET_LIKE.exec(key);
    if (!m) {
      out[key] = value;
      continue;
    }
    const metric = m[1]!;
    const quoted = /^\s*"(.*)"\s*$/s.exec(m[2]!);
    const raw = quoted?.[1]?.trim();
    const le = raw === undefined ? NaN : parseBound(raw);
    if (Number.isNaN(le)) {
      problems.push({
        path: at(key),
        message: `not a bucket key: write ${metric}{le="<upper bound>"} with a number as the bound, or "+Inf" for the total`,
      });
      continue;
    }
    const seen = bounds.get(metric) ?? new Map<number, string>();
    bounds.set(metric, seen);
    const before = seen.get(le);
    if (before !== undefined) {
      problems.push({
        path: at(key),
        message: `the bucket le="${raw}" is also written as ${JSON.stringify(before)}: each bound once`,
      });
      continue;
    }
    seen.set(le, key);
    // A count no interval can hold (negative, past 2^53) is the replay's to screen, as the live analyzer does
    // (domain.ts screenSide): analyzers before 45b23476 recorded it as read.
    out[bucketKey(metric, le)] = value;
  }
  for (const [metric, seen] of bounds) {
    const inf = out[bucketKey(metric, Infinity)];
    const where = [...path, `${metric}{le="+Inf"}`];
    if (!seen.has(Infinity)) {
      problems.push({
        path: where,
        message: `${metric} has buckets but no le="+Inf" bucket (the total count), so they cannot be judged`,
      });
      continue;
    }
    // Own keys only: a histogram named "constructor" found Object's function as its total, and was refused.
    const total = Object.hasOwn(out, metric) ? out[metric] : undefined;
    if (total === undefined) out[metric] = inf ?? null;
    else if (total !== inf)
      problems.push({
        path: [...path, metric],
        message: `the total is ${total === null ? 'null (no data)' : total} but the le="+Inf" bucket (${formatPath(where)}) is ${inf === null ? 'null (no data)' : inf}: they are one count`,
      });
  }
  return { values: out, problems };
}
