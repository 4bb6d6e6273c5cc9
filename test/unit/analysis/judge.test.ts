import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { createJudgeState, judge, type JudgeState } from '../../../src/analysis/judge.ts';
import { decideAtDeadline } from '../../../src/analysis/deadline.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';
import type { Decision, MetricValues, Sample } from '../../../src/analysis/types.ts';
import { PENDING_FRACTION } from '../../../src/analysis/sequential.ts';
import { CUSUM_CAP } from '../../../src/analysis/calibrated.ts';

const INTERVAL = 30_000;
const cmd = { type: 'command' as const, run: ['metrics'] };
const seeds = resolveAnalysisConfig({
  providers: { m: cmd },
  metrics: {
    error_rate: { provider: 'm' },
    p95: { provider: 'm' },
    memory: { provider: 'm' },
    errors: { provider: 'm' },
    requests: { provider: 'm' },
  },
});

function run(state: JudgeState, samples: Sample[]): Decision[] {
  const out: Decision[] = [];
  for (const s of samples) {
    const r = judge(state, s);
    state = r.state;
    out.push(r.decision);
  }
  return out;
}

const at = (i: number) => 1_000_000 + (i + 1) * INTERVAL;
const healthy = (i: number, over: Partial<Record<string, number | null>> = {}): Sample => ({
  at: at(i),
  canary: { error_rate: 0.002, p95: 200, memory: 0.5, errors: 2, requests: 1000, ...over },
  stable: { error_rate: 0.002, p95: 200, memory: 0.5, errors: 8, requests: 4000 },
  errors: [],
});

test('seeds preset: one check per defined metric, with the seed thresholds', () => {
  const names = seeds.checks.map((c) => c.name);
  assert.deepEqual(names, [
    'seeds.error-rate',
    // Seed 02's immediate rollback triggers, beside seed 01's sustained ones.
    'seeds.error-rate-critical',
    // Seed 04's relative rollback trigger.
    'seeds.error-rate-vs-baseline',
    'seeds.p95-vs-baseline',
    'seeds.p95-critical',
    'seeds.memory',
    // The seeds' warning levels (on_breach: warn) for the unit-free metrics defined: no cpu here.
    'seeds.error-rate-warning',
    'seeds.memory-warning',
    'seeds.errors-vs-stable',
    'seeds.p95-vs-stable',
  ]);
  assert.equal(seeds.maxNoDataMs, 5 * 60_000);
});

test('a single error-rate spike under 10 % does not roll back; the 1 % rule holds back then recovers', () => {
  const state = createJudgeState(seeds, { intervalMs: INTERVAL, startedAt: 1_000_000 });
  // 8 % of 1000 requests: far above seed 01's 1 % for one interval, under seed 02's immediate 10 %.
  const samples = Array.from({ length: 20 }, (_, i) =>
    healthy(i, i === 6 ? { error_rate: 0.08, errors: 80 } : {}),
  );
  const decisions = run(state, samples);
  assert.ok(decisions.every((d) => d.kind !== 'rollback'));
  assert.equal(decisions[6]!.kind, 'hold');
  assert.equal(decisions[6]!.code, 'breach-pending');
  assert.equal(decisions[6]!.rule, 'seeds.error-rate');
  assert.equal(decisions[7]!.kind, 'promote');
});

test("seed 02's immediate rollback: one well-evidenced interval over 10 % errors rolls back at once, naming its counts", () => {
  const state = createJudgeState(seeds, { intervalMs: INTERVAL, startedAt: 1_000_000 });
  // 20 % of 1000 requests in one interval (what seed 01's rule alone held for 5 minutes).
  const samples = Array.from({ length: 10 }, (_, i) =>
    healthy(i, i === 3 ? { error_rate: 0.2, errors: 200 } : {}),
  );
  const decisions = run(state, samples);
  const first = decisions.findIndex((d) => d.kind === 'rollback');
  assert.equal(first, 3);
  const d = decisions[3]!;
  assert.equal(d.code, 'threshold-breached');
  assert.equal(d.rule, 'seeds.error-rate-critical');
  assert.match(
    d.reason,
    /^error_rate = 0\.2 \(200 of 1000 requests: a rate at the limit gives as many or more with probability [0-9.e-]+ <= 0\.00033, alpha 0\.01 over 30 intervals\) violates "error_rate <= 0\.1"$/,
  );
  assert.equal(d.values['seeds.error-rate-critical.count'], 200);
  assert.equal(d.values['seeds.error-rate-critical.requests'], 1000);
  assert.ok(d.values['seeds.error-rate-critical.p_value']! < 1e-20);
  assert.equal(d.values['seeds.error-rate-critical.limit'], 0.1);
});

test('the immediate 10 % rule on counts: low traffic noise over 10 % does not fire, 40 errors in 100 requests do', () => {
  const at12 = (i: number, errors: number): Sample => ({
    at: at(i),
    canary: { error_rate: errors / 12, errors, requests: 12 },
    stable: { error_rate: 0.005, errors: 5, requests: 1000 },
    errors: [],
  });
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
  });
  // 2 errors in 12 requests (17 %) now and then: a version at 5 % does that one minute in ten.
  const noisy = run(
    createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }),
    Array.from({ length: 12 }, (_, i) => at12(i, i % 4 === 1 ? 2 : 0)),
  );
  assert.ok(
    noisy.every((d) => d.rule !== 'seeds.error-rate-critical'),
    noisy.map((d) => d.reason).join('\n'),
  );
  assert.ok(noisy.every((d) => d.kind !== 'rollback'));
  const broken = run(createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }), [
    { ...at12(0, 0), canary: { error_rate: 0.4, requests: 100 } },
  ]);
  assert.equal(broken[0]!.kind, 'rollback');
  assert.equal(broken[0]!.rule, 'seeds.error-rate-critical');
  assert.match(broken[0]!.reason, /\(40 of 100 requests: /);
});

test('the immediate 10 % rule without a request count: two intervals in a row over it, not one', () => {
  // A blue-green switch measured by its error rate alone: no stable side, no requests.
  const config = resolveAnalysisConfig({ providers: { m: cmd }, metrics: { error_rate: { provider: 'm' } } });
  const sample = (i: number, error_rate: number): Sample => ({
    at: at(i),
    canary: { error_rate },
    errors: [],
  });
  const once = run(
    createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }),
    [0.4, 0.002, 0.4, 0.002, 0.002].map((r, i) => sample(i, r)),
  );
  assert.ok(
    once.every((d) => d.kind !== 'rollback'),
    once.map((d) => d.reason).join('\n'),
  );
  const twice = run(
    createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }),
    [0.002, 0.4, 0.4, 0.002].map((r, i) => sample(i, r)),
  );
  assert.equal(twice[1]!.kind, 'hold');
  assert.equal(twice[2]!.kind, 'rollback');
  assert.equal(twice[2]!.rule, 'seeds.error-rate-critical');
  assert.equal(twice[2]!.code, 'threshold-breached');
  assert.equal(twice[2]!.reason, 'error_rate = 0.4 violates "error_rate <= 0.1" in 2 intervals in a row');
  assert.equal(twice[2]!.values['seeds.error-rate-critical.violated_ms'], 2 * INTERVAL);
});

test('an error rate above 1 % sustained for 5 minutes rolls back at exactly 5 minutes', () => {
  const state = createJudgeState(seeds, { intervalMs: INTERVAL, startedAt: 1_000_000 });
  const samples = Array.from({ length: 30 }, (_, i) => healthy(i, i >= 4 ? { error_rate: 0.03 } : {}));
  const decisions = run(state, samples);
  const first = decisions.findIndex((d) => d.kind === 'rollback');
  assert.equal(first, 4 + 9, '10 intervals of 30 s = 5 min');
  const d = decisions[first]!;
  assert.equal(d.code, 'threshold-breached');
  assert.equal(d.rule, 'seeds.error-rate');
  // Judged with one error less (2 requests' worth of 1000 is still far above 1 %), and says so.
  assert.match(
    d.reason,
    /error_rate = 0\.03 \(0\.029 with one error less\) violates "error_rate <= 0\.01" for 5m/,
  );
  assert.equal(d.values.error_rate, 0.03);
  // Rollback is sticky: later healthy samples do not undo it.
  assert.equal(decisions.at(-1)!.kind, 'rollback');
});

test('p95 above 1.5x the pre-deploy baseline for 4 minutes rolls back (seed 02); a slow minute or three do not', () => {
  const config = resolveAnalysisConfig({ providers: { m: cmd }, metrics: { p95: { provider: 'm' } } });
  const look = (p95s: number[]) => {
    let state = createJudgeState(config, { intervalMs: 60_000, baseline: { p95: 100 }, startedAt: 0 });
    return p95s.map((p95, i) => {
      const r = judge(state, { at: (i + 1) * 60_000, canary: { p95 }, errors: [] });
      state = r.state;
      return r.decision;
    });
  };
  // A spike (x5) and three slow minutes in a row: held, never rolled back.
  const spikes = look([100, 500, 100, 160, 160, 160, 100, 100, 100]);
  assert.ok(
    spikes.every((d) => d.kind !== 'rollback'),
    spikes.map((d) => d.reason).join('\n'),
  );
  const slow = look([100, 160, 160, 160, 160, 160]);
  assert.equal(
    slow.findIndex((d) => d.kind === 'rollback'),
    4,
  );
  assert.equal(slow[4]!.rule, 'seeds.p95-critical');
  assert.equal(slow[4]!.code, 'relative-breached');
  assert.equal(slow[4]!.reason, 'p95 = 160 violates "p95 <= 150 (1.5x baseline 100)" for 4m (limit 4m)');
});

test('p95 above 2x the pre-deploy baseline for 10 minutes rolls back (no stable measured)', () => {
  // Seed 01's rule: seen where seed 02's sooner one only warns (any canary over 2x is over 1.5x).
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { p95: { provider: 'm' } },
    checks: [{ name: 'seeds.p95-critical', check: 'p95 <= 1.5x baseline', for: '4m', on_breach: 'warn' }],
  });
  let state = createJudgeState(config, { intervalMs: 60_000, baseline: { p95: 100 }, startedAt: 0 });
  const kinds: string[] = [];
  for (let i = 0; i < 15; i++) {
    const r = judge(state, { at: (i + 1) * 60_000, canary: { p95: 250 }, errors: [] });
    state = r.state;
    kinds.push(r.decision.code);
    if (r.decision.kind === 'rollback') break;
  }
  assert.equal(kinds.length, 10);
  assert.equal(kinds.at(-1), 'relative-breached');
});

test('seed 04: an error rate over 2x the pre-deploy baseline for 5 minutes rolls back a version with no stable side, under the 1 % rule', () => {
  // Blue-green, rolling or direct: no stable measured beside it, only the reading before the deploy.
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const walk = (rate: number, baseline: number) => {
    let state = createJudgeState(config, {
      intervalMs: 60_000,
      baseline: { error_rate: baseline },
      startedAt: 0,
    });
    const decisions: Decision[] = [];
    for (let i = 0; i < 20; i++) {
      const r = judge(state, {
        at: (i + 1) * 60_000,
        canary: { error_rate: rate, requests: 6000 },
        errors: [],
      });
      state = r.state;
      decisions.push(r.decision);
      if (r.decision.kind === 'rollback') break;
    }
    return decisions;
  };
  // 0.8 % against 0.3 % before the deploy: under seed 01's 1 %, over seed 04's 2x (0.6 %).
  const worse = walk(0.008, 0.003);
  assert.equal(worse.length, 5, 'rolled back at exactly 5 minutes');
  const fired = worse.at(-1)!;
  assert.equal(fired.code, 'relative-breached');
  assert.equal(fired.rule, 'seeds.error-rate-vs-baseline');
  assert.match(
    fired.reason,
    /error_rate = 0\.008 \(0\.007833 with one error less\) violates "error_rate <= 0\.006333 \(2x baseline 0\.003 with one error more\)" for 5m/,
  );
  // Under 2x its baseline (and under 1 %), the same version is promoted.
  const same = walk(0.0055, 0.003);
  assert.equal(same.length, 20);
  assert.ok(same.every((d) => d.kind !== 'rollback'));
});

test('seed 04 at low traffic: one error a minute is not over 2x a small baseline; a sustained excess is', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const walk = (errorsPerMinute: number, baseline: number) => {
    let state = createJudgeState(config, {
      intervalMs: 60_000,
      baseline: { error_rate: baseline },
      startedAt: 0,
    });
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = judge(state, {
        at: (i + 1) * 60_000,
        canary: { error_rate: errorsPerMinute / 120, requests: 120 },
        errors: [],
      });
      state = r.state;
      codes.push(`${r.decision.kind}:${r.decision.rule ?? ''}`);
      if (r.decision.kind === 'rollback') break;
    }
    return codes;
  };
  // ~2 requests a second: one error is 0.83 %, more than twice a 0.1 % baseline; one error less, it is 0.
  assert.ok(walk(1, 0.001).every((c) => !c.startsWith('rollback')));
  // Over a baseline of 0 (no errors before the deploy), read with one error more (0 errors in 120 requests
  // is as likely at 1 %): one or two errors a minute are no breach, four (3.3 %) are.
  assert.ok(walk(1, 0).every((c) => !c.startsWith('rollback')));
  assert.ok(walk(2, 0).every((c) => !c.startsWith('rollback')));
  assert.equal(walk(4, 0).length, 5);
  assert.match(walk(4, 0).at(-1)!, /^rollback:/);
});

test('seed 04 at high traffic: a baseline of 0 errors is no limit of 0; a version as healthy is not rolled back', () => {
  // 100 requests a second with an error or two a minute (0.02 %): a quiet minute before the deploy read 0,
  // and 2x 0 was broken by two errors a minute, or by one with requests counted by increase(), which
  // extrapolates (x1.33 at a 15s scrape: one error less is then less than the one error the rate holds).
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const walk = (errors: number, requests: number, baseline: MetricValues) => {
    let state = createJudgeState(config, { intervalMs: 60_000, baseline, startedAt: 0 });
    for (let i = 0; i < 20; i++) {
      const r = judge(state, {
        at: (i + 1) * 60_000,
        canary: { error_rate: errors / 6000, requests },
        errors: [],
      });
      state = r.state;
      if (r.decision.kind === 'rollback') return r.decision.reason;
    }
    return 'no rollback';
  };
  assert.equal(walk(2, 6000, { error_rate: 0, requests: 6000 }), 'no rollback');
  assert.equal(walk(1, 8000, { error_rate: 0, requests: 8000 }), 'no rollback');
  // Without the baseline's count, the canary's stands in for it.
  assert.equal(walk(2, 6000, { error_rate: 0 }), 'no rollback');
  // A real regression is still one: 0.3 % to 0.8 %.
  assert.match(
    walk(48, 6000, { error_rate: 0.003, requests: 6000 }),
    /violates "error_rate <= 0\.006333 \(2x baseline 0\.003 with one error more\)"/,
  );
});

test('NaN and missing values are no data, not zero: they neither pass nor breach', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' } },
    checks: [{ check: 'error_rate > 0.5' }],
    preset: 'none',
  });
  const state = createJudgeState(config, { intervalMs: INTERVAL, startedAt: 0 });
  const decisions = run(state, [
    { at: INTERVAL, canary: { error_rate: NaN }, errors: [] },
    { at: 2 * INTERVAL, canary: { error_rate: null }, errors: [] },
  ]);
  // If NaN were read as 0, "error_rate > 0.5" would be violated and (for: 0) roll back at once.
  assert.deepEqual(
    decisions.map((d) => [d.kind, d.code]),
    [
      ['hold', 'no-data-pending'],
      ['hold', 'no-data-pending'],
    ],
  );
  assert.equal(decisions[0]!.values.error_rate, null);
});

test("dead-man's switch: no data for longer than max_no_data fails closed", () => {
  const state = createJudgeState(seeds, { intervalMs: INTERVAL, startedAt: 1_000_000 });
  const samples = Array.from({ length: 20 }, (_, i) =>
    i < 3 ? healthy(i) : { at: at(i), canary: {}, stable: {}, errors: [] },
  );
  const decisions = run(state, samples);
  const first = decisions.findIndex((d) => d.kind === 'rollback');
  // Last data at interval 2; 5 min = 10 intervals later is not yet "longer than", the next one is.
  assert.equal(first, 2 + 11);
  assert.equal(decisions[first]!.code, 'no-data');
  assert.match(decisions[first]!.reason, /for 5m30s, longer than max_no_data 5m/);
});

test("a metric without data names the canary's answer in the hold and the no-data rollback: an empty errors query says to add or vector(0)", () => {
  // A healthy canary without a single 5xx: its error series do not exist, the query matches none, and the
  // rollback said only "no data for errors", leaving the author to guess.
  const config = resolveAnalysisConfig({
    providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
    metrics: {
      errors: { provider: 'prom', query: 'sum(increase(x{code=~"5.."}[30s]))' },
      requests: { provider: 'prom', query: 'sum(increase(x[30s]))' },
    },
  });
  const none = (side: 'canary' | 'stable') => ({
    provider: 'prom',
    side,
    code: 'empty-result' as const,
    message: 'errors: no series matched: sum(increase(x{code=~"5.."}[30s]))',
  });
  const decisions = run(
    createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }),
    Array.from({ length: 12 }, (_, i) => ({
      at: at(i),
      canary: { errors: null, requests: 100 },
      stable: { errors: null, requests: 900 },
      errors: [none('stable'), none('canary')],
    })),
  );
  assert.equal(decisions[0]!.reason, 'no data this interval for errors (prom empty-result)');
  const rollback = decisions.at(-1)!;
  assert.equal(rollback.code, 'no-data');
  assert.equal(
    rollback.reason,
    'no data for errors for 5m30s, longer than max_no_data 5m: failing closed (prom (canary) empty-result: errors: no series matched: sum(increase(x{code=~"5.."}[30s])); where no series means none (a count of errors before the first one), end the query with `or vector(0)`)',
  );
  // A latency without a series is no data indeed: its answer is named, without the hint (a p95 of 0 is no
  // answer for no requests).
  /** The last of 12 intervals in which metric `name` (`query`) alone matches no series on the canary. */
  const lastWithoutSeries = (name: string, query: string) =>
    run(
      createJudgeState(
        resolveAnalysisConfig({
          providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
          metrics: { [name]: { provider: 'prom', query } },
        }),
        { intervalMs: INTERVAL, startedAt: 1_000_000 },
      ),
      Array.from({ length: 12 }, (_, i) => ({
        at: at(i),
        canary: { [name]: null },
        errors: [
          {
            provider: 'prom',
            side: 'canary' as const,
            code: 'empty-result' as const,
            message: `${name}: no series matched: ${query}`,
          },
        ],
      })),
    ).at(-1)!;
  const silent = lastWithoutSeries('p95', 'histogram_quantile(0.95, x)');
  assert.equal(silent.code, 'no-data');
  // An error rate whose errors' series do not exist yet has none either: the hint says where or vector(0) goes.
  const ratio = lastWithoutSeries('error_rate', 'sum(rate(x{code=~"5.."}[1m])) / sum(rate(x[1m]))');
  assert.match(
    ratio.reason,
    /; a ratio whose errors have no series \(before the first error\) has none either: put `or vector\(0\)` on its errors, \(sum\(\.\.\.\) or vector\(0\)\) \/ sum\(\.\.\.\)\)$/,
  );
  assert.match(
    silent.reason,
    /failing closed \(prom \(canary\) empty-result: p95: no series matched: histogram_quantile\(0\.95, x\)\)$/,
  );
});

test('provider errors in more consecutive intervals than allowed roll back; a success resets the count', () => {
  const state = createJudgeState(seeds, { intervalMs: 1000, startedAt: 0 });
  const failing = (i: number): Sample => ({
    at: (i + 1) * 1000,
    canary: {},
    errors: [{ provider: 'm', side: 'canary', code: 'connection-refused', message: 'connection refused' }],
  });
  const ok = (i: number): Sample => ({ ...healthy(0), at: (i + 1) * 1000 });
  const decisions = run(state, [
    failing(0),
    failing(1),
    failing(2),
    ok(3),
    ...[4, 5, 6, 7, 8, 9].map(failing),
  ]);
  assert.equal(
    decisions.findIndex((d) => d.kind === 'rollback'),
    9,
    'the 6th error interval in a row',
  );
  assert.equal(decisions[9]!.code, 'provider-errors');
  assert.match(decisions[9]!.reason, /6 consecutive intervals \(limit 5\).*connection-refused/);
});

test('promote needs min_samples intervals with data', () => {
  const state = createJudgeState(seeds, { intervalMs: INTERVAL });
  const decisions = run(state, [healthy(0), healthy(1), healthy(2)]);
  assert.deepEqual(
    decisions.map((d) => d.code),
    ['not-enough-data', 'not-enough-data', 'healthy'],
  );
});

test('judge is pure: the input state is not modified', () => {
  const state = createJudgeState(seeds, { intervalMs: INTERVAL });
  const before = JSON.stringify(state);
  judge(state, healthy(0, { error_rate: 0.5 }));
  assert.equal(JSON.stringify(state), before);
});

test('low traffic, tripled error rate: the sequential error test rolls back with its evidence printed', () => {
  // 2 req/s on the canary at one-minute intervals; error counts alternate so the per-interval error_rate
  // never stays above the 1 % rule for 5 minutes: only the cumulative counts can see the difference.
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  let fired: Decision | undefined;
  let minute = 0;
  for (; minute < 30 && !fired; minute++) {
    const errors = [3, 1, 2, 0, 3][minute % 5]!;
    const r = judge(state, {
      at: (minute + 1) * 60_000,
      canary: { errors, requests: 120, error_rate: errors / 120 },
      stable: { errors: [5, 6, 5, 6, 5][minute % 5]!, requests: 1080, error_rate: 0.005 },
      errors: [],
    });
    state = r.state;
    if (r.decision.kind === 'rollback') fired = r.decision;
    else assert.notEqual(r.decision.code, 'threshold-breached');
  }
  assert.ok(fired, 'rolled back');
  assert.equal(fired.code, 'sequential-errors-worse');
  assert.equal(fired.rule, 'seeds.errors-vs-stable');
  assert.ok(minute <= 15, `rolled back after ${minute} minutes`);
  // The evidence: counts, the e-value and the threshold it crossed.
  const errors = Array.from({ length: minute }, (_, i) => [3, 1, 2, 0, 3][i % 5]!).reduce((a, b) => a + b, 0);
  assert.match(
    fired.reason,
    new RegExp(
      `\\(${errors} errors in ${120 * minute} requests\\) .* stable .*\\(\\d+ in \\d+\\) over ${minute} intervals`,
    ),
  );
  // Found by the calibrated CUSUM (calibrated.ts), which prints its statistic, boundary and alpha spent.
  assert.match(
    fired.reason,
    /CUSUM [\d.]+ >= boundary [\d.]+ \(a canary no worse crosses it by this interval with probability <= [\d.]+ %; alpha 0\.004 of the check's 0\.01\)/,
  );
  const v = fired.values;
  assert.equal(v['seeds.errors-vs-stable.canary_requests'], 120 * minute);
  assert.ok(v['seeds.errors-vs-stable.cusum']! >= v['seeds.errors-vs-stable.cusum_boundary']!);
  assert.ok(v['seeds.errors-vs-stable.cusum_boundary']! >= 2);
});

test("a gross, sustained failure that the CUSUM discounts as bursts is the e-value test's: rolled back in 3 intervals", () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  const decisions: Decision[] = [];
  for (let minute = 0; minute < 10; minute++) {
    const r = judge(state, {
      at: (minute + 1) * 60_000,
      canary: { errors: 60, requests: 120 },
      stable: { errors: 5, requests: 1000 },
      errors: [],
    });
    state = r.state;
    decisions.push(r.decision);
    if (r.decision.kind === 'rollback') break;
  }
  const fired = decisions.at(-1)!;
  assert.equal(fired.code, 'sequential-errors-worse');
  assert.equal(decisions.length, 3, 'the e-value test caps one interval at a 2.5th of its threshold');
  assert.match(
    fired.reason,
    /e-value [\d.]+ >= threshold 1000 \(alpha 0\.001 of the check's 0\.01, anytime-valid\)/,
  );
  assert.equal(fired.values['seeds.errors-vs-stable.threshold'], 1000);
  // The CUSUM's steps see 50 % errors as far above its 2.5x alternative: a burst, discounted.
  assert.ok(
    fired.values['seeds.errors-vs-stable.cusum']! < fired.values['seeds.errors-vs-stable.cusum_boundary']!,
  );
});

test('low traffic, equal error rates: the sequential error test stays quiet over a long window', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  for (let minute = 0; minute < 120; minute++) {
    // Canary 1 error per 120 requests each interval, stable 9 per 1080: identical rates, bursts included.
    const burst = minute % 17 === 0 ? 2 : 0;
    const r = judge(state, {
      at: (minute + 1) * 60_000,
      canary: { errors: 1 + burst, requests: 120 },
      stable: { errors: 9 + burst * 9, requests: 1080 },
      errors: [],
    });
    state = r.state;
    assert.notEqual(r.decision.kind, 'rollback', `minute ${minute}: ${r.decision.reason}`);
  }
});

test('a gap in the data does not lengthen a violation: "for" counts the intervals that show it', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' } },
    checks: [{ check: 'error_rate < 1%', for: '3m' }],
    preset: 'none',
    max_no_data: '10m',
  });
  const minute = (i: number, error_rate: number | null): Sample => ({
    at: (i + 1) * 60_000,
    canary: { error_rate },
    errors: [],
  });
  // Violating at minute 0, four minutes without data, violating again: 2 minutes of evidence, not 6.
  const gap = run(createJudgeState(config, { intervalMs: 60_000, startedAt: 0 }), [
    minute(0, 0.05),
    minute(1, null),
    minute(2, null),
    minute(3, null),
    minute(4, null),
    minute(5, 0.05),
  ]);
  assert.deepEqual(
    gap.map((d) => d.code),
    [
      'breach-pending',
      'no-data-pending',
      'no-data-pending',
      'no-data-pending',
      'no-data-pending',
      'breach-pending',
    ],
  );
  assert.match(gap.at(-1)!.reason, /for 2m of 3m/);
  // A third violating interval makes it sustained; the gap neither cleared it nor counted.
  const third = run(createJudgeState(config, { intervalMs: 60_000, startedAt: 0 }), [
    minute(0, 0.05),
    minute(1, null),
    minute(2, 0.05),
    minute(3, 0.05),
  ]);
  assert.deepEqual(
    third.map((d) => d.kind),
    ['hold', 'hold', 'hold', 'rollback'],
  );
  assert.match(third.at(-1)!.reason, /for 3m \(limit 3m\)/);
});

test('seeds.error-rate at low traffic: single errors are not a breach; errors well above the limit are', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const minute = (i: number, errors: number, requests: number): Sample => ({
    at: (i + 1) * 60_000,
    canary: { error_rate: errors / requests, requests },
    errors: [],
  });
  // One error in 80 requests every minute for 20 minutes: 1.25 %, above 1 % only by that one error.
  const sparse = run(
    createJudgeState(config, { intervalMs: 60_000, startedAt: 0 }),
    Array.from({ length: 20 }, (_, i) => minute(i, 1, 80)),
  );
  assert.ok(
    sparse.every((d) => d.kind === 'promote' || d.code === 'not-enough-data'),
    sparse.map((d) => d.code).join(),
  );
  // Three errors in 80 (3.75 %; 2.5 % with one less) breach at every interval: rolled back at 5 minutes,
  // the reason giving both rates.
  const broken = run(
    createJudgeState(config, { intervalMs: 60_000, startedAt: 0 }),
    Array.from({ length: 8 }, (_, i) => minute(i, 3, 80)),
  );
  assert.equal(
    broken.findIndex((d) => d.kind === 'rollback'),
    4,
  );
  assert.equal(broken[4]!.code, 'threshold-breached');
  assert.match(
    broken[4]!.reason,
    /error_rate = 0\.0375 \(0\.025 with one error less\) violates "error_rate <= 0\.01"/,
  );
  // At high traffic the rule is close to the plain 1 %: 12 errors in 1000 breach it.
  const busy = run(
    createJudgeState(config, { intervalMs: 60_000, startedAt: 0 }),
    Array.from({ length: 6 }, (_, i) => minute(i, 12, 1000)),
  );
  assert.equal(busy[4]!.code, 'threshold-breached');
  // Without a requests metric, and for a rule the user wrote, a rate is judged as it is.
  for (const other of [
    resolveAnalysisConfig({ providers: { m: cmd }, metrics: { error_rate: { provider: 'm' } } }),
    resolveAnalysisConfig({
      providers: { m: cmd },
      metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
      checks: [{ check: 'error_rate <= 1%', for: '5m' }],
      preset: 'none',
    }),
  ]) {
    const plain = run(
      createJudgeState(other, { intervalMs: 60_000, startedAt: 0 }),
      Array.from({ length: 6 }, (_, i) => minute(i, 1, 80)),
    );
    assert.equal(plain[4]!.code, 'threshold-breached');
  }
});

/** Judges one sample a minute until a rollback (at most 30): each decision with the check's evidence. */
function lookEveryMinute(
  config: ReturnType<typeof resolveAnalysisConfig>,
  check: string,
  sides: (minute: number) => Pick<Sample, 'canary' | 'stable'>,
): Array<{ evidence: number; decision: Decision }> {
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  const seen: Array<{ evidence: number; decision: Decision }> = [];
  for (let minute = 0; minute < 30; minute++) {
    const r = judge(state, { at: (minute + 1) * 60_000, ...sides(minute), errors: [] });
    state = r.state;
    seen.push({ evidence: r.decision.values[`${check}.evidence`]!, decision: r.decision });
    if (r.decision.kind === 'rollback') break;
  }
  return seen;
}

/** Every look whose evidence is past the pending mark (100^0.35 = 5.01) but short of 100 held for `check`. */
function assertHeldWhilePending(
  seen: Array<{ evidence: number; decision: Decision }>,
  check: string,
  reason: RegExp,
): void {
  const mark = 100 ** PENDING_FRACTION;
  const pending = seen.filter((s) => s.evidence >= mark && s.evidence < 100);
  assert.ok(pending.length > 0, 'the evidence passed the mark before 100');
  for (const { decision } of pending) {
    assert.equal(decision.kind, 'hold');
    assert.equal(decision.code, 'evidence-pending');
    assert.equal(decision.rule, check);
    assert.match(decision.reason, reason);
  }
  for (const { evidence, decision } of seen.filter((s) => s.evidence < mark && s.decision.kind !== 'hold'))
    assert.equal(decision.kind, 'promote', `evidence ${evidence}`);
}

test('the errors check past 35 % of its CUSUM boundary holds (evidence-pending) instead of promoting, until it decides', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  // Canary 2 errors per 120 requests (1.7 %), stable 0.5 %: the evidence grows over the minutes.
  const seen = lookEveryMinute(config, 'seeds.errors-vs-stable', () => ({
    canary: { errors: 2, requests: 120 },
    stable: { errors: 5, requests: 1000 },
  }));
  // The errors check's pending mark is its CUSUM's: 35 % of the look's boundary, and more than one
  // interval can add (CUSUM_CAP), so that one burst cannot hold the window open.
  const cusum = (d: Decision) => d.values['seeds.errors-vs-stable.cusum']!;
  const boundary = (d: Decision) => d.values['seeds.errors-vs-stable.cusum_boundary']!;
  const mark = (d: Decision) => Math.max(PENDING_FRACTION * boundary(d), CUSUM_CAP + 1e-9);
  const pending = seen.filter(({ decision: d }) => cusum(d) >= mark(d) && cusum(d) < boundary(d));
  assert.ok(pending.length > 0, 'the CUSUM passed the mark before its boundary');
  for (const { decision } of pending) {
    assert.equal(decision.kind, 'hold');
    assert.equal(decision.code, 'evidence-pending');
    assert.equal(decision.rule, 'seeds.errors-vs-stable');
    assert.match(decision.reason, /CUSUM [\d.]+, past 35 % of its boundary [\d.]+: not decided yet/);
  }
  for (const { decision } of seen.filter(({ decision: d }) => cusum(d) < mark(d)))
    assert.notEqual(decision.code, 'evidence-pending');
  assert.equal(seen.at(-1)!.decision.code, 'sequential-errors-worse');
});

test('one burst interval cannot hold the window open through the CUSUM: it needs more than one interval can add', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  // Nineteen minutes without an error on either side, then three on the canary alone: one step, past 35 %
  // of a boundary that errorless minutes left low.
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0, plannedIntervals: 30 });
  let last: Decision | undefined;
  for (let minute = 0; minute < 20; minute++) {
    const errors = minute === 19 ? 3 : 0;
    const r = judge(state, {
      at: (minute + 1) * 60_000,
      canary: { errors, requests: 120 },
      stable: { errors: 0, requests: 1000 },
      errors: [],
    });
    state = r.state;
    last = r.decision;
  }
  const statistic = last!.values['seeds.errors-vs-stable.cusum']!;
  const boundary = last!.values['seeds.errors-vs-stable.cusum_boundary']!;
  assert.ok(
    statistic >= PENDING_FRACTION * boundary,
    `${statistic} vs ${boundary}: the 35 % mark alone would hold`,
  );
  assert.ok(statistic <= CUSUM_CAP + 1e-9);
  assert.notEqual(last!.code, 'evidence-pending', last!.reason);
});

test('the p95 sign test holds too when its evidence is past the mark, then rolls back with its counts', () => {
  const config = resolveAnalysisConfig({ providers: { m: cmd }, metrics: { p95: { provider: 'm' } } });
  // Healthy for 5 minutes, then the canary's p95 is 30 % above stable's every minute.
  const seen = lookEveryMinute(config, 'seeds.p95-vs-stable', (minute) => ({
    canary: { p95: minute < 5 ? 0.2 : 0.26 },
    stable: { p95: 0.2 },
  }));
  assertHeldWhilePending(
    seen,
    'seeds.p95-vs-stable',
    /canary p95 more than 5% above stable in \d+ of \d+ intervals: e-value/,
  );
  const last = seen.at(-1)!.decision;
  assert.equal(last.code, 'sequential-values-worse');
  // Found 13 minutes after the change began (the start mixture: not buried by the 5 healthy minutes).
  assert.equal(seen.length, 5 + 13);
  assert.match(last.reason, /in 13 of 18 intervals/);
});

test('the judge names its reference side from its options: "baseline" beside a fresh baseline, "stable" by default', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' }, p95: { provider: 'm' } },
  });
  for (const reference of [undefined, 'baseline', 'stable'] as const) {
    const named = reference ?? 'stable';
    const other = named === 'stable' ? 'baseline' : 'stable';
    let state = createJudgeState(config, {
      intervalMs: 60_000,
      startedAt: 0,
      ...(reference ? { reference } : {}),
    });
    const texts: string[] = [];
    let fired: Decision | undefined;
    for (let minute = 0; minute < 30 && !fired; minute++) {
      const r = judge(state, {
        at: (minute + 1) * 60_000,
        // p95 1.4x stable's: under seed 02's 1.5x, so the sequential tests are what fire.
        canary: { errors: 3, requests: 120, p95: 280 },
        stable: { errors: 5, requests: 1000, p95: 200 },
        errors: [],
      });
      state = r.state;
      texts.push(r.decision.reason);
      if (r.decision.kind === 'rollback') fired = r.decision;
    }
    assert.ok(fired, 'a canary this much worse is rolled back');
    assert.ok(
      texts.some(
        (t) => t.includes(`vs ${named}`) || t.includes(`x ${named}`) || t.includes(`above ${named}`),
      ),
    );
    for (const t of texts) assert.doesNotMatch(t, new RegExp(`\\b${other}\\b`), t);
    // Value keys keep the sample's side name whatever the words say: the analyzer renames readings.
    assert.ok(Object.keys(fired.values).some((k) => k.startsWith('stable.')));
  }
});

test('impossible counts for an errors check fail closed like a provider error, saying what is wrong', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const cases: Array<[string, Pick<Sample, 'canary' | 'stable'>, RegExp]> = [
    // Errors and requests swapped in the queries: every interval has more errors than requests.
    [
      'more errors than requests',
      { canary: { errors: 120, requests: 2 }, stable: { errors: 1000, requests: 5 } },
      /canary errors = 120 is more than requests = 2; stable errors = 1000 is more than requests = 5/,
    ],
    [
      'a negative count',
      { canary: { errors: -1, requests: 120 }, stable: { errors: 5, requests: 1000 } },
      /canary errors = -1 is not a count/,
    ],
    [
      'a count past 2^53',
      { canary: { errors: 1, requests: 2 ** 60 }, stable: { errors: 5, requests: 1000 } },
      /canary requests = 1152921504606847000 is not a count/,
    ],
  ];
  for (const [name, sides, reason] of cases) {
    let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
    const decisions: Decision[] = [];
    for (let minute = 0; minute < 10; minute++) {
      const r = judge(state, { at: (minute + 1) * 60_000, ...sides, errors: [] });
      state = r.state;
      decisions.push(r.decision);
      if (r.decision.kind === 'rollback') break;
    }
    // Held while within max_provider_errors (5), never promoted, then rolled back.
    assert.deepEqual(
      decisions.slice(0, -1).map((d) => d.code),
      Array(5).fill('no-data-pending'),
      name,
    );
    assert.match(decisions[0]!.reason, reason, name);
    const last = decisions.at(-1)!;
    assert.equal(last.code, 'provider-errors', name);
    assert.match(last.reason, /impossible counts, seeds\.errors-vs-stable: /, name);
    assert.match(last.reason, reason, name);
  }
});

test('lopsided traffic (one side 2^53 times the other) never makes the errors check NaN, pending or silent', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const big = 2 ** 53 - 1;
  const cases = [
    { canary: { errors: 5, requests: big }, stable: { errors: 1, requests: 1 }, worse: false },
    { canary: { errors: 0, requests: big }, stable: { errors: 1, requests: 3 }, worse: false },
    { canary: { errors: 1, requests: 1 }, stable: { errors: 5, requests: big }, worse: true },
    { canary: { errors: 3, requests: 3 }, stable: { errors: big, requests: big }, worse: false },
  ];
  for (const { canary, stable, worse } of cases) {
    let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
    let last: Decision | undefined;
    for (let minute = 0; minute < 30 && last?.kind !== 'rollback'; minute++) {
      const r = judge(state, { at: (minute + 1) * 60_000, canary, stable, errors: [] });
      state = r.state;
      last = r.decision;
      for (const key of ['evidence', 'cusum', 'cusum_boundary'])
        assert.ok(
          Number.isFinite(last.values[`seeds.errors-vs-stable.${key}`]),
          `${key} in ${JSON.stringify(canary)}`,
        );
      // A NaN e-value used to read as pending (then promote at the deadline); a better canary is never pending.
      if (!worse) assert.notEqual(last.code, 'evidence-pending', JSON.stringify({ canary, stable }));
    }
    assert.equal(last!.kind, worse ? 'rollback' : 'promote', JSON.stringify({ canary, stable, last }));
  }
});

test("fractional counts (Prometheus' increase() extrapolates) are judged as their nearest whole counts, by both of the errors check's tests", () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  // Low traffic with a tripled canary error rate, then a healthy stretch: steps up, down and at 0.
  const counts = Array.from({ length: 14 }, (_, i) => ({
    ec: i < 7 ? [2.7, 1.4, 3.49, 0.6, 2.51, 1.5, 3.3][i]! : (i % 3) * 0.45,
    nc: 119.6 + i,
    es: [4.4, 5.6, 3.5, 6.49, 4.51][i % 5]!,
    ns: 1200.4 - i * 0.7,
  }));
  const looks = (whole: boolean) => {
    const w = (v: number) => (whole ? Math.round(v) : v);
    let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
    return counts.map(({ ec, nc, es, ns }, i) => {
      const r = judge(state, {
        at: (i + 1) * 60_000,
        canary: { errors: w(ec), requests: w(nc) },
        stable: { errors: w(es), requests: w(ns) },
        errors: [],
      });
      state = r.state;
      const check = state.checks['seeds.errors-vs-stable'] as {
        cusum: { statistic: number; nullMass: Float64Array };
      };
      // The realized statistic is a point of the null distribution its boundary was computed on (a fractional
      // count gave a step between two of the null's, off its support).
      if (r.decision.kind !== 'rollback')
        assert.ok(
          check.cusum.nullMass[check.cusum.statistic]! > 0,
          `look ${i}: statistic off the null's support`,
        );
      const v = r.decision.values;
      return [
        r.decision.kind,
        r.decision.code,
        ...['evidence', 'cusum', 'cusum_boundary'].map((k) => v[`seeds.errors-vs-stable.${k}`]),
      ];
    });
  };
  assert.deepEqual(looks(false), looks(true));
});

test("the errors check's CUSUM state is never modified by a look (with counts, without, or firing), and the same samples give the same decisions", () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const samples: Sample[] = Array.from({ length: 25 }, (_, i) => ({
    at: (i + 1) * 60_000,
    // Minutes 4 and 9 without canary counts; from minute 12 a tripled error rate until it fires.
    canary:
      i === 4 || i === 9
        ? { errors: null, requests: null }
        : { errors: i < 12 ? [1, 0, 2][i % 3]! : [4, 2, 5][i % 3]!, requests: 120 },
    stable: { errors: 9, requests: 1080 },
    errors: [],
  }));
  const replay = () => {
    let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0, plannedIntervals: 23 });
    return samples.map((sample) => {
      const before = JSON.stringify(state);
      const r = judge(state, sample);
      assert.equal(JSON.stringify(state), before, `look at ${sample.at} modified its input state`);
      state = r.state;
      return r.decision;
    });
  };
  const first = replay();
  assert.ok(
    first.some((d) => d.kind === 'rollback'),
    'the tripled error rate is found',
  );
  assert.deepEqual(replay(), first);
});

test('planned looks the CUSUM could never spend alpha over (NaN, Infinity, 0, negative) are a clear error', () => {
  for (const plannedIntervals of [Number.NaN, Infinity, 0, -3, 0.5])
    assert.throws(
      () => createJudgeState(seeds, { intervalMs: INTERVAL, plannedIntervals }),
      new RegExp(`plannedIntervals must be a finite number of looks, at least 1; got ${plannedIntervals}`),
    );
  assert.equal(createJudgeState(seeds, { intervalMs: INTERVAL, plannedIntervals: 1 }).plannedIntervals, 1);
  assert.equal(createJudgeState(seeds, { intervalMs: INTERVAL }).plannedIntervals, 30);
});

test('counts no traffic can give do not move the errors tests, even when rounding would make them possible', () => {
  const config = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
  });
  const impossible = [
    { errors: -0.3, requests: 120 }, // negative (rounds to 0)
    { errors: 120.4, requests: 120.2 }, // more errors than requests (both round to 120)
  ];
  for (const canary of impossible) {
    const state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
    const r = judge(state, { at: 60_000, canary, stable: { errors: 9, requests: 1080 }, errors: [] });
    const check = r.state.checks['seeds.errors-vs-stable'] as { intervals: number; canaryErrors: number };
    assert.equal(check.intervals, 0, JSON.stringify(canary));
    assert.equal(check.canaryErrors, 0);
    assert.equal(r.decision.code, 'no-data-pending', 'held as a provider error (impossible counts)');
  }
});

test('a relative rule: a canary at 0 against a baseline of 0 holds, whatever the operator; above a zero baseline it fires', () => {
  // An idle service (no errors, an empty queue, on both sides): "error_rate < 2x baseline" read literally asks
  // 0 < 0, and rolled back a canary identical to stable at its first interval.
  for (const [rule, worse] of [
    ['queue < 2x baseline', 1],
    ['queue <= 2x baseline', 1],
    ['throughput > 0.5x baseline', -1],
    ['throughput >= 0.5x baseline', -1],
  ] as const) {
    const metric = rule.split(' ')[0]!;
    const config = resolveAnalysisConfig({
      preset: 'none',
      providers: { m: cmd },
      metrics: { [metric]: { provider: 'm' } },
      checks: [{ name: 'r', check: rule, baseline: 'stable' }],
    });
    const side = (v: number) => ({ [metric]: v });
    const idle = run(
      createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }),
      Array.from({ length: 6 }, (_, i) => ({ at: at(i), canary: side(0), stable: side(0), errors: [] })),
    );
    assert.deepEqual(
      idle.map((d) => d.kind),
      ['hold', 'hold', 'promote', 'promote', 'promote', 'promote'],
      `${rule}: ${idle.map((d) => d.reason).join('; ')}`,
    );
    // A canary worse than a zero baseline (errors where stable has none) still breaks the rule.
    const broken = run(createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000 }), [
      { at: at(0), canary: side(worse), stable: side(0), errors: [] },
    ]);
    if (worse > 0) assert.equal(broken[0]!.kind, 'rollback', rule);
  }
});

test('a metric that can be negative (a delta, a net flow): a factor and a tolerance move away from a negative baseline in the worse direction, never toward it', () => {
  // "< 2x baseline" of -10 was -20 and "> 0.8x baseline" of -10 was -8: a canary identical to its baseline
  // broke both at its first interval. The sign test read -10.5 as "more than 10 % above" -10 (the line
  // -10 x 1.1 = -11), and rolled back a canary a little lower on a rule where higher is worse.
  const judged = (checks: AnalysisConfigInput['checks'], canary: number, stable: number, n = 12) => {
    const config = resolveAnalysisConfig({
      preset: 'none',
      providers: { m: cmd },
      metrics: { delta: { provider: 'm' } },
      checks,
    });
    return run(
      createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000, plannedIntervals: n }),
      Array.from({ length: n }, (_, i) => ({
        at: at(i),
        canary: { delta: canary },
        stable: { delta: stable },
        errors: [],
      })),
    );
  };
  for (const rule of ['delta < 2x baseline', 'delta <= 1.5x baseline', 'delta > 0.8x baseline']) {
    const same = judged([{ name: 'r', check: rule, baseline: 'stable' }], -10, -10);
    assert.equal(same.at(-1)!.kind, 'promote', `${rule}: ${same.map((d) => d.reason).join('; ')}`);
  }
  // Past the line, the other way: 2x a baseline of -10 is 0 (as far above it as 2x is above 10), 0.8x is -12.
  const higher = judged([{ name: 'r', check: 'delta < 2x baseline', baseline: 'stable' }], 1, -10);
  assert.equal(higher[0]!.code, 'relative-breached');
  assert.match(
    higher[0]!.reason,
    /^delta = 1 violates "delta < 0 \(2x baseline -10, a negative baseline moved by 1x its size above it\)"$/,
  );
  assert.equal(higher[0]!.values['r.limit'], 0);
  const lower = judged([{ name: 'r', check: 'delta > 0.8x baseline', baseline: 'stable' }], -12.5, -10);
  assert.match(
    lower[0]!.reason,
    /violates "delta > -12 \(0\.8x baseline -10, a negative baseline moved by 0\.2x its size below it\)"/,
  );
  // The sign test: -10.5 is below -10, not above it; -8 is more than 10 % above it.
  const values = [{ compare: 'values' as const, metric: 'delta', tolerance: 0.1 }];
  const below = judged(values, -10.5, -10, 30);
  assert.equal(below.at(-1)!.kind, 'promote', below.at(-1)!.reason);
  const above = judged(values, -8, -10, 30);
  assert.equal(above.at(-1)!.code, 'sequential-values-worse', above.at(-1)!.reason);
  const lowerIsWorse = [
    { compare: 'values' as const, metric: 'delta', tolerance: 0.1, higher_is_worse: false },
  ];
  assert.equal(judged(lowerIsWorse, -10.5, -10, 30).at(-1)!.kind, 'promote');
  assert.equal(judged(lowerIsWorse, -12, -10, 30).at(-1)!.code, 'sequential-values-worse');
});

test('a values check on a metric usually at 0: min_difference is the floor under the tolerance, so 0.001 against 0 is no regression, 50 against 0 still is', () => {
  // A share of 0 is 0: every interval where the canary's queue read 0.001 and stable's 0 counted as worse,
  // and a canary with a trickle of retries was rolled back like one with a flood.
  const judged = (check: Record<string, unknown>, canary: number, stable: number, n = 30) => {
    const config = resolveAnalysisConfig({
      preset: 'none',
      providers: { m: cmd },
      metrics: { queue: { provider: 'm' } },
      checks: [
        { compare: 'values', metric: 'queue', ...check } as NonNullable<
          AnalysisConfigInput['checks']
        >[number],
      ],
    });
    return run(
      createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000, plannedIntervals: n }),
      Array.from({ length: n }, (_, i) => ({
        at: at(i),
        canary: { queue: canary },
        stable: { queue: stable },
        errors: [],
      })),
    ).at(-1)!;
  };
  const floor = { min_difference: 0.01 };
  assert.equal(judged(floor, 0.001, 0).kind, 'promote', judged(floor, 0.001, 0).reason);
  assert.equal(judged(floor, 0.01, 0).kind, 'promote', 'at the floor is not past it');
  const flood = judged(floor, 50, 0);
  assert.equal(flood.code, 'sequential-values-worse');
  assert.match(
    flood.reason,
    /^canary queue was more than 10% \(at least 0\.01\) above stable in 11 of 11 intervals/,
  );
  // The floor is under the tolerance, not added to it: far from 0 the share decides, as before.
  assert.equal(judged(floor, 110.5, 100).code, 'sequential-values-worse');
  assert.equal(judged(floor, 109.5, 100).kind, 'promote');
  assert.equal(judged({ min_difference: 20 }, 115, 100).kind, 'promote');
  // Lower is worse, on a metric that can go below 0 (a net flow): the mirror.
  const lower = { ...floor, higher_is_worse: false };
  assert.equal(judged(lower, -0.001, 0).kind, 'promote');
  assert.equal(judged(lower, -5, 0).code, 'sequential-values-worse');
  // Without a floor a canary above a stable of 0 is worse, whatever its size (a relative tolerance has no
  // scale at 0), and the rollback says which setting gives one.
  const bare = judged({}, 0.001, 0);
  assert.equal(bare.code, 'sequential-values-worse');
  assert.match(
    bare.reason,
    /now 0\.001 vs 0: at a stable of 0 a tolerance allows nothing, min_difference sets how much it may\)/,
  );
  // Not a number of the metric's units.
  assert.throws(() => judged({ min_difference: -1 }, 0, 0), /min_difference/);
});

test('min_samples left at its default asks no more intervals than the window has; one written is kept', () => {
  // A window of 1 interval, 2 with its extension (preset fast's 1 s canary step at a 1 s interval): the default
  // 3 would hold it to its end and roll every healthy canary back as no-data (deadline.ts, rule min_samples).
  const twoLooks = (config: typeof seeds) =>
    run(createJudgeState(config, { intervalMs: INTERVAL, startedAt: 1_000_000, plannedIntervals: 2 }), [
      healthy(0),
      healthy(1),
    ]);
  const byDefault = twoLooks(seeds);
  assert.equal(byDefault[0]!.code, 'not-enough-data');
  assert.match(byDefault[0]!.reason, /^1 of 2 intervals with data needed before promoting/);
  assert.equal(byDefault[1]!.kind, 'promote');
  assert.equal(byDefault[1]!.code, 'healthy');
  // Written, even at the default's value: as written (validate warns of such a window: config/warnings.ts).
  const written = resolveAnalysisConfig({
    providers: { m: cmd },
    metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
    min_samples: 3,
  });
  assert.deepEqual(
    twoLooks(written).map((d) => d.code),
    ['not-enough-data', 'not-enough-data'],
  );
  // A window long enough, or no window named (a caller's default number of looks): the default 3 as ever.
  const long = run(
    createJudgeState(seeds, { intervalMs: INTERVAL, startedAt: 1_000_000, plannedIntervals: 3 }),
    [healthy(0), healthy(1), healthy(2)],
  );
  assert.deepEqual(
    long.map((d) => d.kind),
    ['hold', 'hold', 'promote'],
  );
  assert.equal(createJudgeState(seeds, { intervalMs: INTERVAL }).config.minSamples, 3);
});

test('seed 04 needs the counts behind the rates: without a requests metric the preset has no "2x baseline" error rule', () => {
  // Without counts, a quiet minute before the deploy is a baseline of 0 that any two errors break.
  const names = (metrics: Record<string, { provider: string }>) =>
    resolveAnalysisConfig({ providers: { m: cmd }, metrics }).checks.map((c) => c.name);
  assert.ok(!names({ error_rate: { provider: 'm' } }).includes('seeds.error-rate-vs-baseline'));
  assert.ok(
    names({ error_rate: { provider: 'm' }, requests: { provider: 'm' } }).includes(
      'seeds.error-rate-vs-baseline',
    ),
  );
});

test('a promotion counts as holding only the checks it judged, and names a relative rule that never had a baseline', () => {
  const config = resolveAnalysisConfig({
    preset: 'none',
    providers: { m: cmd },
    metrics: { error_rate: { provider: 'm' }, p95: { provider: 'm' } },
    checks: [{ check: 'error_rate < 5%' }, { name: 'p95-vs-baseline', check: 'p95 < 2x baseline' }],
  });
  const window = (baseline: MetricValues, stable?: MetricValues) =>
    run(
      createJudgeState(config, { intervalMs: INTERVAL, baseline, startedAt: 1_000_000 }),
      [0, 1, 2].map((i) => ({
        at: at(i),
        canary: { error_rate: 0.01, p95: 200 },
        ...(stable ? { stable } : {}),
        errors: [],
      })),
    ).at(-1)!;
  // No stable side and no pre-deploy reading: p95 was never compared with anything. "all 2 checks hold" said
  // it held.
  const none = window({});
  assert.equal(none.kind, 'promote');
  assert.equal(
    none.reason,
    '1 of 2 checks judged, it holds after 3 intervals with data; never judged, no baseline in any interval (no stable value, no pre-deploy reading): p95-vs-baseline',
  );
  // With a baseline, from the pre-deploy reading or stable, both were judged.
  assert.equal(window({ p95: 150 }).reason, 'all 2 checks hold after 3 intervals with data');
  assert.equal(window({}, { p95: 150 }).reason, 'all 2 checks hold after 3 intervals with data');
  // A window decided on its evidence at its end names it too.
  let state = createJudgeState(config, { intervalMs: INTERVAL, baseline: {}, startedAt: 1_000_000 });
  for (let i = 0; i < 3; i++)
    state = judge(state, { at: at(i), canary: { error_rate: 0.01, p95: 200 }, errors: [] }).state;
  const hold: Decision = { kind: 'hold', code: 'breach-pending', reason: 'pending', values: {} };
  assert.match(
    decideAtDeadline(state, hold).reason,
    /no sequential test found the canary worse; never judged, no baseline in any interval: p95-vs-baseline$/,
  );
});
