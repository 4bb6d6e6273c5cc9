// Values a metric cannot have (an error rate of -0.5 or 1.7, a negative p95 or request count, more errors
// than requests, bucket counts falling with le) are a provider error of their interval, named in the hold and
// the rollback, never judged as given; a recording holding one (as analyzers before 45b23476 recorded them)
// replays the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, type AnalysisContext } from '../../../src/analysis/analyzer.ts';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';

const MINUTE = 60_000;

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

/** A provider answering the same values every interval, per side. */
function constant(canary: Record<string, number>, stable: Record<string, number> = canary): MetricProvider {
  return {
    name: 'fake',
    async read(request) {
      const values = request.side === 'canary' ? canary : stable;
      const out: Record<string, number | null> = {};
      for (const m of request.metrics) {
        out[m.name] = values[m.name] ?? null;
        for (const [k, v] of Object.entries(values)) if (k.startsWith(`${m.name}{`)) out[k] = v;
      }
      return { values: out, errors: [] };
    },
  };
}

const ctx = (over: Partial<AnalysisContext> = {}): AnalysisContext => ({
  phase: 'canary-step',
  environment: 'production',
  version: 'v2',
  stableVersion: 'v1',
  windowMs: 10 * MINUTE,
  intervalMs: MINUTE,
  signal: new AbortController().signal,
  ...over,
});

const fake = { type: 'command' as const, run: 'unused' };

async function evaluate(config: AnalysisConfigInput, provider: MetricProvider) {
  const analyzer = createAnalyzer(config, { ...fakeClock(), providers: { fake: provider } });
  return analyzer.evaluate(ctx());
}

test('an error rate below 0 or above 1 is a provider error of its interval, named, never a promotion', async () => {
  const config = { providers: { fake }, metrics: { error_rate: { provider: 'fake' } } };
  for (const value of [-0.5, 1.7]) {
    const outcome = await evaluate(config, constant({ error_rate: value }));
    assert.equal(outcome.decision.kind, 'rollback', `${value}: ${outcome.decision.reason}`);
    const first = outcome.intervals[0]!.decision;
    assert.equal(first.kind, 'hold', `${value}: ${first.reason}`);
    assert.equal(first.code, 'no-data-pending');
    assert.match(
      first.reason,
      new RegExp(
        `fake out-of-range \\(canary error_rate is a fraction of requests, between 0 and 1 \\(1 % is 0\\.01\\), got ${value}\\)`,
      ),
    );
    assert.equal(first.values.error_rate, null, 'the value is not judged');
    assert.match(outcome.decision.reason, new RegExp(`error_rate is a fraction .* got ${value}`));
  }
});

test('a negative p95 is out of range on either side, and does not pass a comparison with stable', async () => {
  const config = { providers: { fake }, metrics: { p95: { provider: 'fake' } } };
  const canaryNegative = await evaluate(config, constant({ p95: -3 }, { p95: 120 }));
  assert.equal(canaryNegative.decision.kind, 'rollback', canaryNegative.decision.reason);
  assert.match(
    canaryNegative.intervals[0]!.decision.reason,
    /canary p95 is a latency: it cannot be negative, got -3/,
  );
  const stableNegative = await evaluate(config, constant({ p95: 120 }, { p95: -3 }));
  assert.notEqual(stableNegative.decision.kind, 'promote', stableNegative.decision.reason);
  assert.match(
    stableNegative.intervals[0]!.decision.reason,
    /stable p95 is a latency: it cannot be negative, got -3/,
  );
});

test('a negative request count, or more errors than requests, read outside an errors check is out of range', async () => {
  // The error-rate rule reads requests (one error less); there is no errors check to refuse the counts.
  const config = {
    preset: 'none' as const,
    providers: { fake },
    metrics: {
      error_rate: { provider: 'fake' },
      requests: { provider: 'fake' },
      errors: { provider: 'fake' },
    },
    checks: [{ check: 'error_rate <= 1%', for: '5m' }, { check: 'requests >= 0' }, { check: 'errors >= 0' }],
  };
  const negative = await evaluate(config, constant({ error_rate: 0, requests: -100, errors: 0 }));
  assert.notEqual(negative.decision.kind, 'promote');
  assert.match(
    negative.intervals[0]!.decision.reason,
    /requests is a count of requests: a count cannot be negative, got -100/,
  );
  const swapped = await evaluate(config, constant({ error_rate: 0, requests: 10, errors: 100 }));
  assert.notEqual(swapped.decision.kind, 'promote');
  assert.match(swapped.intervals[0]!.decision.reason, /errors = 100 is more than requests = 10/);
});

test('bucket counts that are negative or fall as le grows are out of range, not a comparison that never ran', async () => {
  const config = {
    providers: { fake: { type: 'prometheus' as const, url: 'http://127.0.0.1:9' } },
    metrics: { latency: { provider: 'fake', query: 'x', histogram: true } },
  };
  const good = { latency: 100, 'latency{le="0.1"}': 90, 'latency{le="0.5"}': 95, 'latency{le="+Inf"}': 100 };
  const perBucket = { ...good, 'latency{le="0.1"}': 90, 'latency{le="0.5"}': 5 };
  const negative = { ...good, 'latency{le="0.1"}': -4 };
  for (const [canary, why] of [
    [perBucket, /latency: bucket le="0\.5" counts 5, fewer than le="0\.1" below it \(90\)/],
    [negative, /latency: bucket le="0\.1": a count cannot be negative, got -4/],
  ] as const) {
    const outcome = await evaluate(config, constant(canary, good));
    assert.equal(outcome.decision.kind, 'rollback', outcome.decision.reason);
    assert.match(outcome.intervals[0]!.decision.reason, why);
    assert.match(outcome.decision.reason, why);
  }
  // Cumulative counts with the rounding increase() leaves (a fall of a fraction of a request) are data.
  const rounded = { ...good, 'latency{le="0.5"}': 89.7 };
  const judged = await evaluate(config, constant(rounded, rounded));
  assert.equal(judged.decision.kind, 'promote', judged.decision.reason);
});

test('values in range are judged as before, and metrics of unknown kind as given', async () => {
  const config = {
    providers: { fake },
    metrics: { error_rate: { provider: 'fake' }, p95: { provider: 'fake' }, cpu: { provider: 'fake' } },
    checks: [{ check: 'cpu <= 5' }],
  };
  const outcome = await evaluate(config, constant({ error_rate: 0, p95: 0, cpu: -1 }));
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
});

test('a recording with a value out of range is judged as the live run judges it, located at its interval; a live recording of one replays', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'domain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = {
    providers: { fake },
    metrics: { error_rate: { provider: 'fake' }, p95: { provider: 'fake' } },
  };
  const header = { format: 'deploy-action.recording', version: 1, config };
  const window = {
    type: 'window',
    context: {
      phase: 'verify',
      environment: 'production',
      version: 'v2',
      windowMs: 3 * MINUTE,
      intervalMs: MINUTE,
    },
    baseline: { p95: -1 },
    startedAt: 0,
  };
  const sample = (i: number, canary: Record<string, number>) => ({
    type: 'sample',
    index: i,
    sample: { at: (i + 1) * MINUTE, canary, errors: [] },
  });
  const file = join(dir, 'rec.ndjson');
  writeFileSync(
    file,
    [
      header,
      window,
      sample(0, { error_rate: 0, p95: 100 }),
      sample(1, { error_rate: -0.5, p95: 100 }),
      sample(2, { error_rate: 0, p95: -3 }),
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );
  // As an analyzer before 45b23476 recorded them (as read): judged as today's live run would, each value no
  // data with an out-of-range error of its interval, and the baseline's p95 no baseline. Never refused: that
  // refused those runs' own recordings.
  const result = runAnalyzeCommand({ recording: file });
  assert.notEqual(result.exitCode, 3, result.output);
  assert.notEqual(result.exitCode, 0, result.output);
  assert.match(result.output, /#0 hold +not-enough-data/);
  assert.match(
    result.output,
    /#1 hold +no-data-pending: .*out-of-range \(canary error_rate is a fraction of requests, between 0 and 1 \(1 % is 0\.01\), got -0\.5\)/,
  );
  assert.match(
    result.output,
    /#2 hold +no-data-pending: .*out-of-range \(canary p95 is a latency: it cannot be negative, got -3\)/,
  );

  // Live, the value is no data with its error: the recording replays to the same decisions.
  const recorded = join(dir, 'live.ndjson');
  const clock = fakeClock();
  let call = 0;
  const provider: MetricProvider = {
    name: 'fake',
    async read(request) {
      const n = request.side === 'canary' ? call++ : call;
      return { values: { error_rate: n === 1 ? -0.5 : 0, p95: 100 }, errors: [] };
    },
  };
  const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider }, record: recorded });
  const live = await analyzer.evaluate(ctx({ stableVersion: undefined, windowMs: 5 * MINUTE }));
  const replayed = analyzeRecording(recorded).windows[0]!;
  assert.deepEqual(
    replayed.intervals.map((i) => i.decision.kind),
    live.intervals.map((i) => i.decision.kind),
  );
  assert.equal(replayed.changed.length, 0);
  assert.match(replayed.intervals[1]!.decision.reason, /out-of-range \(canary error_rate is a fraction/);
});

test('a live recording of counts an errors check cannot use replays to the live decisions, not refused', async (t) => {
  // Kept as read (the judge names them and fails closed: impossibleCounts), so the file holds 130 errors in
  // 120 requests; the replay refused it as bad input, though this run made it.
  const dir = mkdtempSync(join(tmpdir(), 'domain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const recorded = join(dir, 'live.ndjson');
  let call = 0;
  const provider: MetricProvider = {
    name: 'fake',
    async read(request) {
      const n = request.side === 'canary' ? call++ : call;
      const swapped = request.side === 'canary' && n === 2;
      return { values: swapped ? { errors: 130, requests: 120 } : { errors: 1, requests: 120 }, errors: [] };
    },
  };
  const config = {
    providers: { fake },
    metrics: { errors: { provider: 'fake' }, requests: { provider: 'fake' } },
  };
  const analyzer = createAnalyzer(config, {
    ...fakeClock(),
    providers: { fake: provider },
    record: recorded,
  });
  const live = await analyzer.evaluate(ctx({ windowMs: 5 * MINUTE }));
  assert.match(
    live.intervals[2]!.decision.reason,
    /impossible counts, .*canary errors = 130 is more than requests = 120/,
  );
  const result = runAnalyzeCommand({ recording: recorded });
  assert.equal(result.exitCode, 0, result.output);
  const replayed = analyzeRecording(recorded).windows[0]!;
  assert.deepEqual(
    replayed.intervals.map((i) => i.decision.code),
    live.intervals.map((i) => i.decision.code),
  );
  assert.equal(replayed.changed.length, 0);
});

test('a pre-deploy baseline out of range is not kept: "2x baseline" of a p95 of -3 would fail every canary', async () => {
  const config = {
    providers: { fake },
    metrics: { p95: { provider: 'fake' }, error_rate: { provider: 'fake' } },
  };
  const analyzer = createAnalyzer(config, {
    ...fakeClock(),
    providers: { fake: constant({ p95: -3, error_rate: 0 }) },
  });
  const baseline = await analyzer.captureBaseline({
    environment: 'production',
    version: 'v1',
    signal: new AbortController().signal,
  });
  assert.deepEqual(baseline, { p95: null, error_rate: 0 });
});

test('a fraction a rounding error outside 0..1 is data, not out of range', async () => {
  const config = {
    providers: { fake },
    metrics: { error_rate: { provider: 'fake' }, health: { provider: 'fake' } },
  };
  const outcome = await evaluate(config, constant({ error_rate: -1e-17, health: 1 + 2e-16 }));
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
});

test('a NaN fraction is no data, not settled to a bound: an error rate of NaN is no 100 % of errors', async () => {
  // Only a rounding error next to 0..1 is read as its bound; NaN compares with nothing and was read as 1.
  const config = { providers: { fake }, metrics: { error_rate: { provider: 'fake' } } };
  const outcome = await evaluate(config, constant({ error_rate: NaN }));
  const first = outcome.intervals[0]!.decision;
  assert.equal(first.values.error_rate, null, first.reason);
  assert.equal(first.code, 'no-data-pending', first.reason);
  assert.notEqual(outcome.decision.code, 'threshold-breached', outcome.decision.reason);
});
