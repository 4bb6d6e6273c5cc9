// A Prometheus native histogram as the HTTP API writes it (docs/querying/api.md, "Native histograms"):
//   {"count": "<count>", "sum": "<sum>", "buckets": [[<boundary_rule>, "<left>", "<right>", "<count>"], ...]}
// boundary_rule 0: (left, right], 1: [left, right), 2: (left, right), 3: [left, right]; buckets with no
// observations are left out, and so are spans and the schema. Read here as the cumulative counts by upper
// bound a classic histogram's `le` series give (histogram.ts), so the same test judges both.
//
// Which bounds. Exact ones only: the count at or below x is known when no bucket with observations has x
// strictly inside it; a bound inside one is never guessed (interpolated). The bounds offered are a fixed grid,
// not the bounds of the buckets that happen to be filled, so that the two versions report the same bounds
// (the test compares the bounds both report) and which bounds there are does not depend on which version a
// request came from: for a standard exponential schema s (bucket bounds 2^(k·2^-s)), the grid of schema
// min(s, 2), four bounds per doubling (finer than the classic defaults, and the bounds of every finer schema),
// over a fixed wide span (GRID_SPAN, widened to the filled buckets' own span where they reach past it). Not
// over each version's own span: then the bounds both versions share would be those of the overlap of their
// spans, so a canary whose requests are all slower than stable's would share only the coarse powers of 4
// between them, and which bounds the test could cut at would depend on one side's data. Below a version's
// requests its count at a bound is 0 and above them its total, both exact, so every grid bound outside its
// filled buckets is offered. A canary on schema 3 and a stable on schema 1 report the bounds of schema 1 in
// common, each exact. Buckets that fit no such schema (custom buckets, NHCB) offer their own bounds.
import type { Result } from './types.ts';

/** Finest grid offered: schema 2, 2^(1/4) apart. */
const GRID_SCHEMA = 2;
/**
 * The span of the grid offered by every histogram on an exponential schema, filled or not: 2^-20 to 2^20 (a
 * microsecond to twelve days, in seconds or milliseconds), so two versions whose requests fall in different
 * ranges share every grid bound between them (below its requests a version's count is 0, above them its
 * total, both exact). At schema 2 that is 161 bounds.
 */
const GRID_SPAN = 20;
/** The powers of 4 over that span: bounds too on a schema coarser than -1 (one bound per 16×, say). */
const COARSE = Array.from({ length: GRID_SPAN + 1 }, (_, i) => 4 ** (i - GRID_SPAN / 2));
/** More grid bounds than this (a span of 250 doublings) and the buckets' own bounds are offered instead. */
const MAX_GRID = 1000;

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const INFINITE = /^([+-]?)inf(?:inity)?$/i;

interface Bucket {
  rule: 0 | 1 | 2 | 3;
  left: number;
  right: number;
  count: number;
}

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

/** A bound as Prometheus writes it: a float, or +Inf / -Inf; NaN when it is not one. */
function bound(raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const inf = INFINITE.exec(raw);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return FLOAT.test(raw) ? Number(raw) : NaN;
}

/** A count: a finite float in a string; NaN when it is not one. */
function count(raw: unknown): number {
  if (typeof raw !== 'string' || !FLOAT.test(raw)) return NaN;
  const value = Number(raw);
  return Number.isFinite(value) ? value : NaN;
}

const near = (a: number, b: number) =>
  a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/** The exponential schema (-4..8) every positive finite bucket sits on, or undefined. */
function schemaOf(buckets: readonly Bucket[]): number | undefined {
  let schema: number | undefined;
  for (const b of buckets) {
    if (!(b.left > 0) || !Number.isFinite(b.right)) continue;
    const width = -Math.log2(Math.log2(b.right / b.left));
    const s = Math.round(width);
    if (!(Math.abs(width - s) < 1e-6) || s < -4 || s > 8) return undefined;
    const index = Math.log2(b.left) * 2 ** s;
    if (!(Math.abs(index - Math.round(index)) < 1e-6)) return undefined;
    if (schema !== undefined && schema !== s) return undefined;
    schema = s;
  }
  return schema;
}

/** The bounds offered for these buckets (finite, ascending): the grid, or the buckets' own bounds. */
function candidateBounds(buckets: readonly Bucket[]): number[] {
  const positive = buckets.filter((b) => b.left > 0 && Number.isFinite(b.right));
  // No request above the zero bucket (an idle interval has no bucket at all): nothing says its schema, and
  // every bound of the finest grid is exact (0, or the total above the zero bucket), so that grid is offered
  // and the other version's bounds are all shared.
  const zeroOnly = buckets.every((b) => b.left === -b.right);
  const schema = positive.length > 0 ? schemaOf(buckets) : zeroOnly ? GRID_SCHEMA : undefined;
  if (schema !== undefined) {
    const g = Math.min(schema, GRID_SCHEMA);
    const perDoubling = 2 ** g;
    // The fixed span, and from the grid bound at or below the lowest filled bucket to the one at or above the
    // highest where they lie outside it. Each bound is computed from its index alone, so two versions (on
    // schemas with the same grid) write the same number, and the same key, for it.
    let lo = Math.floor(-GRID_SPAN * perDoubling);
    let hi = Math.ceil(GRID_SPAN * perDoubling);
    if (positive.length > 0) {
      const lowest = Math.min(...positive.map((b) => b.left));
      const highest = Math.max(...positive.map((b) => b.right));
      lo = Math.min(lo, Math.floor(Math.log2(lowest) * perDoubling + 1e-6));
      hi = Math.max(hi, Math.ceil(Math.log2(highest) * perDoubling - 1e-6));
    }
    if (hi - lo < MAX_GRID) {
      const grid = Array.from({ length: hi - lo + 1 }, (_, i) => 2 ** ((lo + i) / perDoubling));
      return [...new Set([...COARSE, ...grid])].sort((a, b) => a - b);
    }
  }
  const own = new Set<number>();
  for (const b of buckets) for (const x of [b.left, b.right]) if (Number.isFinite(x)) own.add(x);
  return [...own].sort((a, b) => a - b);
}

/**
 * The cumulative count by upper bound (+Inf: the histogram's count) of one native histogram, or what is wrong
 * with it (`bad-json`).
 */
export function nativeHistogramBuckets(provider: string, raw: unknown): Result<Map<number, number>> {
  const fail = (message: string): Result<Map<number, number>> => ({
    ok: false,
    error: { provider, code: 'bad-json', message: `a native histogram ${message}` },
  });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(`that is not an object {count, sum, buckets}: ${shown(raw)}`);
  const histogram = raw as { count?: unknown; buckets?: unknown };
  const total = count(histogram.count);
  if (Number.isNaN(total)) return fail(`whose count is not a number in a string: ${shown(histogram.count)}`);
  // No buckets (no observation, or only NaN ones) is written without the key.
  const rawBuckets = histogram.buckets ?? [];
  if (!Array.isArray(rawBuckets)) return fail(`whose buckets are not a list: ${shown(rawBuckets)}`);
  const buckets: Bucket[] = [];
  for (const entry of rawBuckets) {
    const bad = () =>
      fail(`bucket that is not [boundary_rule 0-3, "left", "right", "count"]: ${shown(entry)}`);
    if (!Array.isArray(entry) || entry.length !== 4) return bad();
    const [rule, l, r, c] = entry as unknown[];
    const left = bound(l);
    const right = bound(r);
    const n = count(c);
    if (
      ![0, 1, 2, 3].includes(rule as number) ||
      Number.isNaN(left) ||
      Number.isNaN(right) ||
      Number.isNaN(n)
    )
      return bad();
    if (!(left <= right)) return fail(`bucket whose left bound is above its right: ${shown(entry)}`);
    buckets.push({ rule: rule as Bucket['rule'], left, right, count: n });
  }
  const filled = buckets.filter((b) => b.count !== 0);
  // The count may hold more than the buckets (NaN observations, read above every bound as a classic histogram
  // puts them), never fewer: buckets holding more than the count (by over a millionth: a float sum's rounding) contradict it,
  // and a cumulative count above the total would be read as a share over 1. Refused.
  const observed = filled.reduce((sum, b) => sum + b.count, 0);
  if (observed > total * (1 + 1e-6))
    return fail(`whose buckets hold ${observed} observations, more than its count ${total}`);
  const out = new Map<number, number>();
  for (const x of candidateBounds(buckets)) {
    // Not known at x: a bucket with observations has x strictly inside, or holds x itself as its closed left
    // bound (those observations are at x, but counted with the ones above it). Otherwise every bucket is
    // wholly at or below x or wholly above it (also where buckets overlap, as the zero bucket may), so the
    // count is exact.
    const inside = filled.some(
      (b) =>
        (b.left < x && x < b.right && !near(b.left, x) && !near(b.right, x)) ||
        ((b.rule === 1 || b.rule === 3) && near(b.left, x) && !near(b.left, b.right)),
    );
    if (inside) continue;
    let below = 0;
    for (const b of filled) if (b.right < x || near(b.right, x)) below += b.count;
    out.set(x, below);
  }
  out.set(Infinity, total);
  return { ok: true, value: out };
}
