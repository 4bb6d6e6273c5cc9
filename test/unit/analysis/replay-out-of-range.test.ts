// A value its metric cannot have (an error rate of -0.5 or 1.7, a negative latency, bucket counts falling
// with le) in a recording. Analyzers before 45b23476 judged such values as given and recorded them as read;
// today's live analyzer makes each one no data with an out-of-range provider error of its interval
// (analyzer.ts, domain.ts). A replay judges them as today's live run would: it never refuses the run's own
// recording, and never promotes on the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import { ANALYZE_EXIT_CODES } from '../../../src/analysis/exit-codes.ts';
import { repoRoot } from '../../helpers/cli.ts';

const MINUTE = 60_000;

test("a recording 5a155b7's analyzer wrote of a canary it promoted at an error rate of -0.5 and a p95 of -3 replays, and rolls back", () => {
  const file = join(repoRoot, 'test/fixtures/analysis/out-of-range/5a155b7-promoted.ndjson');
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, ANALYZE_EXIT_CODES.rollback, result.output);
  const [window] = analyzeRecording(file).windows;
  assert.equal(window!.intervals[0]!.decision.kind, 'hold');
  assert.match(
    window!.intervals[0]!.decision.reason,
    /out-of-range \(canary error_rate is a fraction of requests, between 0 and 1 \(1 % is 0\.01\), got -0\.5\)/,
  );
  assert.match(
    window!.intervals[0]!.decision.reason,
    /out-of-range \(canary p95 is a latency: it cannot be negative, got -3\)/,
  );
  assert.equal(window!.decision.kind, 'rollback', window!.decision.reason);
  assert.match(window!.decision.reason, /out-of-range: error_rate is a fraction/);
  // The live run promoted: the replay says where it decides otherwise.
  assert.ok(window!.changed.length > 0);
});

const CONFIG = {
  preset: 'none',
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9' } },
  metrics: {
    error_rate: { provider: 'prom', query: 'x' },
    p95: { provider: 'prom', query: 'x' },
    memory: { provider: 'prom', query: 'x' },
    requests: { provider: 'prom', query: 'x' },
    errors: { provider: 'prom', query: 'x' },
    latency: { provider: 'prom', query: 'x', histogram: true },
  },
  checks: [
    { check: 'error_rate <= 1%' },
    { check: 'p95 <= 1.5x baseline' },
    { check: 'memory <= 0.9' },
    { name: 'latency-vs-stable', compare: 'histogram', metric: 'latency' },
  ],
};

type Values = Record<string, number | null>;
const HEALTHY: Values = {
  error_rate: 0.001,
  p95: 100,
  memory: 0.4,
  requests: 120,
  errors: 0,
  'latency{le="0.1"}': 60,
  'latency{le="0.5"}': 110,
  'latency{le="+Inf"}': 120,
  latency: 120,
};

function recording(
  t: { after(fn: () => void): void },
  sides: { canary?: Values; stable?: Values; baseline?: Values },
): string {
  const dir = mkdtempSync(join(tmpdir(), 'replay-out-of-range-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const lines = [
    { format: 'deploy-action.recording', version: 1, config: CONFIG },
    {
      type: 'window',
      context: {
        phase: 'canary-step',
        environment: 'production',
        version: 'v2',
        stableVersion: 'v1',
        windowMs: 10 * MINUTE,
        intervalMs: MINUTE,
      },
      baseline: { ...HEALTHY, ...sides.baseline },
      startedAt: 0,
    },
    ...Array.from({ length: 10 }, (_, index) => ({
      type: 'sample',
      index,
      sample: {
        at: (index + 1) * MINUTE,
        canary: { ...HEALTHY, ...sides.canary },
        stable: { ...HEALTHY, ...sides.stable },
        errors: [],
      },
    })),
  ];
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return file;
}

const CASES: Array<{
  name: string;
  sides: { canary?: Values; stable?: Values };
  side: 'canary' | 'stable';
  says: RegExp;
}> = [
  {
    name: 'an error rate in percent',
    sides: { canary: { error_rate: 1.7 } },
    side: 'canary',
    says: /error_rate is a fraction of requests, between 0 and 1 \(1 % is 0\.01\), got 1\.7/,
  },
  {
    name: 'a negative error rate',
    sides: { canary: { error_rate: -0.5 } },
    side: 'canary',
    says: /error_rate is a fraction of requests, .*got -0\.5/,
  },
  {
    name: 'a negative p95',
    sides: { canary: { p95: -3 } },
    side: 'canary',
    says: /p95 is a latency: it cannot be negative, got -3/,
  },
  {
    name: 'a negative memory',
    sides: { canary: { memory: -1 } },
    side: 'canary',
    says: /memory cannot be negative, got -1/,
  },
  {
    name: 'a negative request count',
    sides: { canary: { requests: -5 } },
    side: 'canary',
    says: /requests is a count of requests: a count cannot be negative, got -5/,
  },
  {
    name: 'more errors than requests',
    sides: { canary: { errors: 130 } },
    side: 'canary',
    says: /errors = 130 is more than requests = 120/,
  },
  {
    name: 'per-bucket counts where cumulative ones belong',
    sides: { canary: { 'latency{le="0.5"}': 50 } },
    side: 'canary',
    says: /latency: bucket le="0\.5" counts 50, fewer than le="0\.1" below it \(60\)/,
  },
  {
    name: 'a negative bucket count',
    sides: { canary: { 'latency{le="0.1"}': -4 } },
    side: 'canary',
    says: /latency: bucket le="0\.1": a count cannot be negative, got -4/,
  },
  {
    name: 'a bucket count past 2^53',
    sides: { canary: { 'latency{le="+Inf"}': 1e300, latency: 1e300 } },
    side: 'canary',
    says: /latency: bucket le="\+Inf": a count of 1e\+300 is more than one interval can hold/,
  },
  {
    name: 'a negative p95 on the stable side',
    sides: { stable: { p95: -3 } },
    side: 'stable',
    says: /p95 is a latency: it cannot be negative, got -3/,
  },
];

for (const { name, sides, side, says } of CASES)
  test(`${name}, as an earlier analyzer recorded it, replays as an out-of-range error of its interval: held, then rolled back`, (t) => {
    const file = recording(t, sides);
    const result = runAnalyzeCommand({ recording: file });
    assert.equal(result.exitCode, ANALYZE_EXIT_CODES.rollback, result.output);
    // Said at the interval it is in, naming the side, the metric and the value.
    assert.match(
      result.output,
      new RegExp(`#0 hold +no-data-pending: provider error .*out-of-range \\(${side} ${says.source}`),
    );
    const [window] = analyzeRecording(file).windows;
    // Failing closed: the provider errors, or the metric without data for longer than max_no_data.
    assert.match(window!.decision.code, /^(provider-errors|no-data)$/);
    assert.match(
      window!.decision.reason,
      new RegExp(`\\(${side}\\) out-of-range: ${says.source}|out-of-range \\(${side} ${says.source}`),
    );
  });

test("a baseline value out of range is no baseline, as the live run's baseline read takes it", (t) => {
  const decisions = (baseline: Values) =>
    analyzeRecording(recording(t, { baseline })).windows.map((w) => ({
      decision: w.decision,
      intervals: w.intervals.map((i) => i.decision),
    }));
  assert.deepEqual(decisions({ p95: -1 }), decisions({ p95: null }));
});
