// A threshold check on a rate with `requests` (and `alpha`): each interval's breach is decided on its counts
// by an exact binomial test (rate-test.ts), so a few errors at low traffic are no breach; the seed preset's
// immediate 10 % rule (seeds.error-rate-critical) is one. Written by users, refused where it means nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../../src/analysis/analyzer.ts';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import {
  countedLimit,
  EXACT_TAIL_MAX_VARIANCE,
  lowerTail,
  rateBreachPValue,
  rateCounts,
  saddlepointUpperTail,
  upperTail,
  type TailWork,
} from '../../../src/analysis/rate-test.ts';
import { analysisConfigSchema, type AnalysisConfigInput } from '../../../src/analysis/schema.ts';
import { explainIssues, formatPath, issueMessage } from '../../../src/config/errors.ts';
import type { Decision, MetricValues } from '../../../src/analysis/types.ts';

const MINUTE = 60_000;
const cmd = { type: 'command' as const, run: ['metrics'] };
const metrics = {
  error_rate: { provider: 'm' },
  success_rate: { provider: 'm' },
  requests: { provider: 'm' },
  p95: { provider: 'm' },
  bad_ratio: { provider: 'm' },
};

const errorsOf = (checks: unknown[]): string[] => {
  const input = { providers: { m: cmd }, metrics, checks };
  const parsed = analysisConfigSchema.safeParse(input, { error: issueMessage });
  return parsed.success
    ? []
    : explainIssues(parsed.error.issues, input, analysisConfigSchema).map(
        ({ path, message }) => `analysis.${formatPath(path)}: ${message}`,
      );
};

function judgeAll(checks: unknown[], canaries: MetricValues[]): Decision[] {
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { m: cmd },
    metrics,
    checks,
  } as AnalysisConfigInput);
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0, plannedIntervals: 10 });
  return canaries.map((canary, i) => {
    const r = judge(state, { at: (i + 1) * MINUTE, canary, errors: [] });
    state = r.state;
    return r.decision;
  });
}

test('the binomial tails are exact: small counts by their closed form, large ones without summing every term', () => {
  // 2 or more errors in 12 requests at 10 %: 1 - 0.9^12 - 12 * 0.1 * 0.9^11.
  assert.ok(Math.abs(upperTail(2, 12, 0.1) - (1 - 0.9 ** 12 - 12 * 0.1 * 0.9 ** 11)) < 1e-12);
  assert.ok(Math.abs(upperTail(4, 4, 0.1) - 1e-4) < 1e-15);
  assert.ok(Math.abs(lowerTail(0, 5, 0.9) - 1e-5) < 1e-16);
  assert.ok(Math.abs(upperTail(20, 100, 0.1) + lowerTail(19, 100, 0.1) - 1) < 1e-12);
  assert.equal(upperTail(0, 10, 0.1), 1);
  assert.equal(upperTail(11, 10, 0.1), 0);
  // A million requests: 11 % errors is no chance at a 10 % limit.
  assert.ok(upperTail(110_000, 1_000_000, 0.1) < 1e-200);
  assert.ok(upperTail(100_100, 1_000_000, 0.1) > 0.3);
  // Counts are whole (Prometheus' increase() is not), an error rate a rounding above 1 is every request.
  assert.deepEqual(rateCounts(0.3, 99.7), { count: 30, requests: 100 });
  assert.deepEqual(rateCounts(1.0000000005, 120), { count: 120, requests: 120 });
  assert.equal(rateCounts(0.5, null), undefined);
  assert.equal(rateCounts(0.5, 0.4), undefined);
});

test("a user's threshold with requests is resolved with its alpha (default 0.01); without requests it is as written", () => {
  const checks = resolveAnalysisConfig({
    preset: 'none',
    providers: { m: cmd },
    metrics,
    checks: [
      { check: 'error_rate < 5%', requests: 'requests' },
      { name: 'strict', check: 'error_rate < 20%', requests: 'requests', alpha: 0.001, on_breach: 'warn' },
      { check: 'error_rate < 1%', for: '5m' },
    ],
  }).checks;
  assert.deepEqual(checks, [
    {
      kind: 'threshold',
      name: 'error_rate < 0.05',
      metric: 'error_rate',
      op: '<',
      value: 0.05,
      forMs: 0,
      requests: 'requests',
      alpha: 0.01,
    },
    {
      kind: 'threshold',
      name: 'strict',
      metric: 'error_rate',
      op: '<',
      value: 0.2,
      forMs: 0,
      requests: 'requests',
      alpha: 0.001,
      warn: true,
    },
    {
      kind: 'threshold',
      name: 'error_rate < 0.01',
      metric: 'error_rate',
      op: '<',
      value: 0.01,
      forMs: 5 * MINUTE,
    },
  ]);
});

test('requests and alpha on a threshold: refused at the key where they cannot mean anything, saying why', () => {
  assert.deepEqual(errorsOf([{ check: 'error_rate < 10%', alpha: 0.01 }]), [
    "analysis.checks[0].alpha: alpha on a threshold check is the significance of its test on each interval's counts and needs requests: the metric counting the requests error_rate is a fraction of (for example requests: requests)",
  ]);
  assert.deepEqual(errorsOf([{ check: 'error_rate < 2x baseline', requests: 'requests' }]), [
    'analysis.checks[0].requests: requests is for a threshold on a rate ("error_rate < 10%"); "error_rate < 2x baseline" compares with a baseline, so its limit is no fixed rate to test the counts against: remove requests, or write the limit as a number',
  ]);
  assert.deepEqual(errorsOf([{ check: 'p95 < 500', requests: 'requests' }]), [
    'analysis.checks[0].requests: requests is for a rate (a fraction of the requests, such as error_rate); p95 is a duration, so p95 x requests counts nothing: remove requests',
  ]);
  assert.deepEqual(errorsOf([{ check: 'bad_ratio < 1.5', requests: 'requests' }]), [
    'analysis.checks[0].check: "bad_ratio < 1.5" with requests: the limit must be a fraction of the requests between 0 and 1 (exclusive), such as 0.1 or 10%; got 1.5',
  ]);
  assert.deepEqual(errorsOf([{ check: 'error_rate < 10%', requests: 'request' }]), [
    'analysis.checks[0]: check uses metric "request", which is not defined in analysis.metrics: did you mean "requests"?',
  ]);
  assert.deepEqual(errorsOf([{ check: 'error_rate < 10%', requests: 'requests', alpha: 0.5 }]), [
    'analysis.checks[0].alpha: must be at most 0.2, got 0.5',
  ]);
  assert.deepEqual(errorsOf([{ check: 'error_rate < 10%', requests: 'requests', alpha: 0.001 }]), []);
});

test('an upper limit on counts: at low traffic noise is held, a breach the counts prove fires in its interval', () => {
  const check = { check: 'error_rate <= 10%', requests: 'requests' };
  // 3 of 12 (25 %): a version at 10 % shows as many in a minute with probability 0.11.
  const noise = judgeAll(
    [check],
    [
      { error_rate: 0.25, requests: 12 },
      { error_rate: 0, requests: 12 },
    ],
  );
  assert.deepEqual(
    noise.map((d) => d.kind),
    ['hold', 'hold'],
  );
  assert.ok(noise.every((d) => d.code === 'not-enough-data'));
  assert.ok(Math.abs(noise[0]!.values['error_rate <= 0.1.p_value']! - upperTail(3, 12, 0.1)) < 1e-15);
  const proven = judgeAll([check], [{ error_rate: 0.25, requests: 400 }]);
  assert.equal(proven[0]!.kind, 'rollback');
  assert.equal(proven[0]!.code, 'threshold-breached');
  // alpha 0.01 over the window's 10 planned looks: each interval at 0.001.
  assert.match(
    proven[0]!.reason,
    /^error_rate = 0\.25 \(100 of 400 requests: a rate at the limit gives as many or more with probability [0-9.e-]+ <= 0\.001, alpha 0\.01 over 10 intervals\) violates "error_rate <= 0\.1"$/,
  );
  assert.equal(proven[0]!.values['error_rate <= 0.1.alpha_per_interval'], 0.001);
});

test('a lower limit on counts (success_rate >= 90 %) is tested on the lower tail', () => {
  const check = { check: 'success_rate >= 90%', requests: 'requests' };
  // 85 of 100 succeeding: a version at 90 % does that with probability 0.07.
  const close = judgeAll([check], [{ success_rate: 0.85, requests: 100 }]);
  assert.notEqual(close[0]!.kind, 'rollback');
  const broken = judgeAll([check], [{ success_rate: 0.5, requests: 100 }]);
  assert.equal(broken[0]!.kind, 'rollback');
  assert.match(
    broken[0]!.reason,
    /\(50 of 100 requests: a rate at the limit gives as few or fewer with probability /,
  );
});

test('without a request count in an interval, a counted check breaches only as the second interval in a row', () => {
  const check = { check: 'error_rate <= 10%', requests: 'requests' };
  const decisions = judgeAll(
    [check],
    [
      { error_rate: 0.5, requests: null },
      { error_rate: 0.01, requests: 100 },
      { error_rate: 0.5, requests: null },
      { error_rate: 0.5 },
    ],
  );
  assert.equal(decisions[0]!.kind, 'hold');
  assert.equal(decisions[0]!.code, 'breach-pending');
  assert.equal(
    decisions[0]!.reason,
    'error_rate = 0.5 (no requests count this interval) violates "error_rate <= 0.1" in 1 of the 2 intervals in a row it takes without a request count',
  );
  assert.notEqual(decisions[2]!.kind, 'rollback');
  assert.equal(decisions[3]!.kind, 'rollback');
  assert.equal(
    decisions[3]!.reason,
    'error_rate = 0.5 (no requests count this interval) violates "error_rate <= 0.1" in 2 intervals in a row',
  );
});

test('the limit a counted check held an interval to: half a count inside the first count its test rejects', () => {
  // 10 % at 1/3000 per interval: 7 of 12 is the first count rejected, 22 of 100; 5 of 12 under a 90 % floor.
  assert.equal(countedLimit('<=', 0.1, 12, 0.01 / 30), 6.5 / 12);
  assert.equal(countedLimit('<', 0.1, 100, 0.01 / 30), 0.215);
  assert.ok(upperTail(22, 100, 0.1) <= 0.01 / 30 && upperTail(21, 100, 0.1) > 0.01 / 30);
  assert.equal(countedLimit('>=', 0.9, 12, 0.01 / 30), 5.5 / 12);
  // One request can never prove 10 %: the limit is past every rate it can have.
  assert.ok(countedLimit('<=', 0.1, 1, 0.01 / 30) > 1);
});

test('past a variance of 1e6 a tail is the saddlepoint approximation: within 1e-5 of the exact sum where both can be computed', () => {
  // Counts where the exact sum still runs (variance up to EXACT_TAIL_MAX_VARIANCE), from the mean to 20 sd
  // past it: the approximation used past that variance agrees to a relative 1e-5 (measured: 3e-7).
  for (const [n, p] of [
    [1e6, 0.5],
    [4e6, 0.3],
    [1e9, 1e-3],
    [1e7, 0.1],
  ] as const) {
    assert.ok(n * p * (1 - p) <= EXACT_TAIL_MAX_VARIANCE);
    const sd = Math.sqrt(n * p * (1 - p));
    for (const z of [0.01, 0.5, 1, 2, 3, 4, 6, 8, 12, 20]) {
      const k = Math.ceil(n * p + z * sd);
      const exact = upperTail(k, n, p);
      const approx = saddlepointUpperTail(k, n, p);
      assert.ok(Math.abs(approx - exact) <= 1e-5 * exact, `${n}, ${p}, ${k}: ${approx} vs ${exact}`);
    }
  }
  // Either side of the threshold, a tail is the same to that tolerance, above and below the mean.
  const n = 4e6 + 4 * 4; // variance 1e6 + 4: the approximation
  const below = 4e6; // variance 1e6: the sum
  for (const d of [-3000, -500, 0, 500, 3000]) {
    const at = (m: number, f: (k: number, n: number, p: number) => number) => f(m / 2 + d, m, 0.5);
    assert.ok(Math.abs(at(n, upperTail) / at(below, upperTail) - 1) < 1e-3, `upper ${d}`);
    assert.ok(Math.abs(at(n, lowerTail) / at(below, lowerTail) - 1) < 1e-3, `lower ${d}`);
  }
});

test('the tails are right at implausible counts: a billion-fold interval is no breach by rounding, and rare errors at 1e14 requests are Poisson', () => {
  // 9e15 requests at a 5 % limit, 3e7 errors (1.45 sd) over: a chance of 7 %. By ln Γ(n + 1) ~ 3e17, whose
  // rounding is e^64, it was 3e-24, and the interval a breach.
  const n = 9e15;
  const p = rateBreachPValue({ count: n * 0.05 + 3e7, requests: n }, '<=', 0.05);
  assert.ok(Math.abs(p - 0.0734) < 5e-4, String(p));
  const decided = judgeAll(
    [{ check: 'error_rate <= 0.05', requests: 'requests', alpha: 0.01 }],
    [{ error_rate: 0.05 + 3e7 / n, requests: n }],
  )[0]!;
  assert.notEqual(decided.kind, 'rollback', decided.reason);
  // 1,100 errors in 1e14 requests at a limit of 1e-11 (1,000 expected): Poisson(1000)'s tail, 9.626e-4
  // (the sum below). It was 9.456e-4 at 1e14 and 9.602e-4 at 1e12.
  let term = Math.exp(1100 * Math.log(1000) - 1000 - logFactorial(1100));
  let poisson = 0;
  for (let j = 1100; j < 3100; j++) {
    poisson += term;
    term *= 1000 / (j + 1);
  }
  for (const requests of [1e12, 1e14]) {
    const tail = upperTail(1100, requests, 1000 / requests);
    assert.ok(Math.abs(tail / poisson - 1) < 1e-6, `${requests}: ${tail} vs ${poisson}`);
  }
});

test('past 2^52 requests a lower tail of a rare rate keeps its half count (the continuity correction)', () => {
  // lowerTail(k) is the upper tail of n - X ~ binomial(n, 1 - p) at n - k: past 2^52 the float's step is 1,
  // so (n - k) - 1/2 rounded to a whole count, the half count was lost, and the tail was off by ~1e-3 of itself
  // at 6 sd. The reference: the terms from the mode by their ratios (no factorials), normalised.
  const n = 6e15;
  const p = 1e-9; // 6e6 expected, variance 6e6: the saddlepoint
  const mode = Math.floor((n + 1) * p);
  const sd = Math.sqrt(n * p * (1 - p));
  const width = Math.ceil(40 * sd);
  const odds = p / (1 - p);
  // below[i]: P(X = mode - 1 - i) over P(X = mode).
  const below: number[] = [];
  for (let j = mode, t = 1; j > mode - width; j--) below.push((t *= j / (n - j + 1) / odds));
  let total = 1 + below.reduce((a, b) => a + b, 0);
  for (let j = mode, t = 1; j < mode + width; j++) total += t *= ((n - j) / (j + 1)) * odds;
  for (const z of [3.7, 4.5, 5.3, 6]) {
    const k = Math.floor(n * p - z * sd);
    let sum = 0;
    for (let i = mode - 1 - k; i < below.length; i++) sum += below[i]!;
    const exact = sum / total;
    const tail = lowerTail(k, n, p);
    assert.ok(Math.abs(tail / exact - 1) < 1e-5, `${z} sd: ${tail} vs ${exact}`);
  }
});

function logFactorial(k: number): number {
  let sum = 0;
  for (let j = 2; j <= k; j++) sum += Math.log(j);
  return sum;
}

test('the limit drawn for an interval of 9e15 requests takes a bounded number of tails, each of bounded cost', () => {
  // The summary's line (evidence.ts): a binary search of tails that each summed ~9 sd terms (2e8 here), 14 s
  // per interval. Now each tail past a variance of 1e6 is one saddlepoint, and the search ~54 of them.
  const n = 9e15;
  const perLook = 0.01 / 30;
  for (const [op, limit] of [
    ['<=', 0.05],
    ['>=', 0.95],
  ] as const) {
    const work: TailWork = { terms: 0 };
    const drawn = countedLimit(op, limit, n, perLook, work);
    assert.ok(work.terms > 0 && work.terms <= 60, `${op}: ${work.terms} terms`);
    // z = 3.40 sd (P(Z > 3.40) = 1/3000) past the limit, to a hundredth of an sd.
    const sd = Math.sqrt(n * limit * (1 - limit));
    const z = ((drawn - limit) * n) / sd;
    assert.ok(Math.abs(Math.abs(z) - 3.403) < 0.01, `${op}: ${z}`);
  }
  // Below the threshold the exact sum, and still a few thousand terms a tail, not 2e8.
  const work: TailWork = { terms: 0 };
  countedLimit('<=', 1e-10, n, perLook, work);
  assert.ok(work.terms > 0 && work.terms < 54 * 10_000, String(work.terms));
});

test('the analyzer reads the requests metric a counted check names, even when no other check uses it', async () => {
  // 40 errors in 100 requests: past a 10 % limit by far more than chance, so the first interval breaches.
  // Unread, `reqs` left every interval without a count: the check waited for a second one in a row.
  const asked: string[][] = [];
  const provider: MetricProvider = {
    name: 'm',
    async read(request) {
      asked.push(request.metrics.map((m) => m.name));
      const values: Record<string, number> = { error_rate: 0.4, reqs: 100 };
      return {
        values: Object.fromEntries(request.metrics.map((m) => [m.name, values[m.name] ?? 0])),
        errors: [],
      };
    },
  };
  let now = 1_700_000_000_000;
  const analyzer = createAnalyzer(
    {
      preset: 'none',
      providers: { m: cmd },
      metrics: { error_rate: { provider: 'm' }, reqs: { provider: 'm' } },
      checks: [{ check: 'error_rate < 10%', requests: 'reqs' }],
    } as AnalysisConfigInput,
    { now: () => now, sleep: async (ms: number) => void (now += ms), providers: { m: provider } },
  );
  const outcome = await analyzer.evaluate({
    phase: 'monitor',
    environment: 'production',
    version: 'v2',
    windowMs: 10 * MINUTE,
    intervalMs: MINUTE,
    signal: new AbortController().signal,
  });
  assert.deepEqual(asked[0]?.sort(), ['error_rate', 'reqs']);
  assert.equal(outcome.decision.kind, 'rollback');
  assert.equal(outcome.intervals.length, 1);
  assert.match(outcome.decision.reason, /40 of 100 reqs/);
});

test("a warning check's request count failing to read is no provider error of the window: it decides nothing", () => {
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { m: cmd },
    metrics,
    checks: [{ check: 'p95 < 500' }, { check: 'error_rate < 10%', requests: 'requests', on_breach: 'warn' }],
  } as AnalysisConfigInput);
  let state = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0, plannedIntervals: 10 });
  const decisions: Decision[] = [];
  for (let i = 0; i < 8; i++) {
    const r = judge(state, {
      at: (i + 1) * MINUTE,
      canary: { p95: 120, error_rate: 0.01, requests: null },
      errors: [
        {
          provider: 'm',
          side: 'canary',
          code: 'multiple-series',
          message: 'requests: 2 series, one expected',
        },
      ],
    });
    state = r.state;
    decisions.push(r.decision);
  }
  // Was: "provider error" holds, then a provider-errors rollback after five intervals.
  assert.deepEqual(
    decisions.map((d) => d.code),
    [...Array(2).fill('not-enough-data'), ...Array(6).fill('healthy')],
  );
});

test('a threshold written as a percentage is the fraction it writes: "0.7%" is 0.007, in its value and its name', () => {
  const checks = resolveAnalysisConfig({
    preset: 'none',
    providers: { m: cmd },
    metrics,
    checks: [{ check: 'error_rate <= 0.7%' }, { check: 'error_rate < 1.1%' }],
  }).checks;
  assert.deepEqual(
    checks.map((c) => [c.name, c.kind === 'threshold' ? c.value : undefined]),
    [
      ['error_rate <= 0.007', 7 / 1000],
      ['error_rate < 0.011', 11 / 1000],
    ],
  );
});
