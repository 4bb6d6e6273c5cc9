// A window in which no check that decides could judge anything: every comparison without an interval it could
// use (no stable side, no requests, histogram bounds the two sides do not share) and every relative rule
// without a baseline. Its intervals had data, but nothing was compared with anything, so nothing says the
// canary is healthy: it never promotes (held, then failed closed at the window's end), live and in replay.
// A window where one check judged still promotes on it, naming the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, type AnalysisContext } from '../../../src/analysis/analyzer.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';

const MINUTE = 60_000;
type Values = Record<string, number | null>;

const fake = { type: 'command' as const, run: 'unused' };
const metrics = (...names: string[]) => Object.fromEntries(names.map((name) => [name, { provider: 'fake' }]));
const prometheus = { type: 'prometheus' as const, url: 'http://127.0.0.1:9' };
const latency = { provider: 'fake', query: 'x', histogram: true };
const buckets = (bounds: number[], counts: number[]): Values =>
  Object.fromEntries([
    ['latency', counts.at(-1)!],
    ...bounds.map((le, i) => [`latency{le="${le === Infinity ? '+Inf' : le}"}`, counts[i]!]),
  ]);

interface Case {
  name: string;
  config: AnalysisConfigInput;
  canary: Values;
  /** Absent: no stable side (blue-green, rolling, direct, a first deployment). */
  stable?: Values;
  /** The window's pre-deploy reading (a relative rule's baseline without a stable side). */
  baseline?: Values;
  promotes: boolean;
  /** What the window's decision says. */
  says: RegExp;
}

const CASES: Case[] = [
  {
    name: 'a version failing every request, deployed without a stable side, under errors and requests',
    config: { providers: { fake }, metrics: metrics('errors', 'requests') },
    canary: { errors: 120, requests: 120 },
    promotes: false,
    says: /no check could judge the canary.*seeds\.errors-vs-stable/,
  },
  {
    name: 'a canary that serves no request, beside a stable, under an errors comparison alone',
    config: {
      preset: 'none',
      providers: { fake },
      metrics: metrics('errors', 'requests'),
      checks: [{ compare: 'errors', errors: 'errors', requests: 'requests' }],
    },
    canary: { errors: 0, requests: 0 },
    stable: { errors: 1, requests: 1200 },
    promotes: false,
    says: /no check could judge the canary/,
  },
  {
    name: 'a slow canary whose histogram buckets share no bound with stable',
    config: {
      preset: 'none',
      providers: { fake: prometheus },
      metrics: { latency },
      checks: [{ compare: 'histogram', metric: 'latency' }],
    },
    canary: buckets([0.05, 0.25, Infinity], [0, 5, 100]),
    stable: buckets([0.1, 0.5, Infinity], [90, 99, 100]),
    promotes: false,
    says: /no check could judge the canary.*latency/,
  },
  {
    name: 'a first deployment (no stable side, no pre-deploy reading) under p95 alone',
    config: { providers: { fake }, metrics: metrics('p95') },
    canary: { p95: 5000 },
    promotes: false,
    says: /no check could judge the canary.*never judged/,
  },
  {
    name: 'errors and requests beside a stable side (the comparison judges)',
    config: { providers: { fake }, metrics: metrics('errors', 'requests') },
    canary: { errors: 1, requests: 120 },
    stable: { errors: 10, requests: 1200 },
    promotes: true,
    says: /its one check holds/,
  },
  {
    name: 'error_rate and requests without a stable side (the thresholds judge, the comparison is named)',
    config: { providers: { fake }, metrics: metrics('error_rate', 'requests') },
    canary: { error_rate: 0.001, requests: 1200 },
    baseline: { error_rate: 0.001, requests: 1200 },
    promotes: true,
    says: /3 of 4 checks judged, all hold .*not compared yet.*seeds\.errors-vs-stable/,
  },
  {
    name: 'p95 without a stable side but with a pre-deploy reading (the relative rules judge)',
    config: { providers: { fake }, metrics: metrics('p95') },
    canary: { p95: 100 },
    baseline: { p95: 100 },
    promotes: true,
    says: /2 of 3 checks judged, all hold/,
  },
];

function provider(c: Case): MetricProvider {
  return {
    name: 'fake',
    async read(request) {
      const side = request.side === 'canary' ? c.canary : (c.stable ?? {});
      const values: Values = {};
      for (const m of request.metrics)
        for (const [key, value] of Object.entries(side))
          if (key === m.name || key.startsWith(`${m.name}{`)) values[key] = value;
      return { values, errors: [] };
    },
  };
}

const context = (c: Case): AnalysisContext => ({
  phase: 'canary-step',
  environment: 'production',
  version: 'v2',
  ...(c.stable ? { stableVersion: 'v1' } : {}),
  windowMs: 10 * MINUTE,
  intervalMs: MINUTE,
  ...(c.baseline ? { baseline: c.baseline } : { baseline: {} }),
  signal: new AbortController().signal,
});

for (const c of CASES)
  test(`${c.name}: ${c.promotes ? 'promotes on what judged' : 'never promotes, live or replayed'}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'nothing-judged-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const record = join(dir, 'rec.ndjson');
    let now = 1_700_000_000_000;
    const analyzer = createAnalyzer(c.config, {
      now: () => now,
      sleep: async (ms: number) => void (now += ms),
      providers: { fake: provider(c) },
      record,
    });
    const live = await analyzer.evaluate(context(c));
    const replayed = analyzeRecording(record).windows[0]!;
    for (const [how, decision, intervals] of [
      ['live', live.decision, live.intervals.map((i) => i.decision)],
      ['replayed', replayed.decision, replayed.intervals.map((i) => i.decision)],
    ] as const) {
      assert.match(decision.reason, c.says, `${how}: ${decision.reason}`);
      if (c.promotes) assert.equal(decision.kind, 'promote', `${how}: ${decision.reason}`);
      else {
        assert.notEqual(decision.kind, 'promote', `${how}: ${decision.reason}`);
        const promoted = intervals.find((d) => d.kind === 'promote');
        assert.equal(promoted, undefined, `${how}: an interval promoted: ${promoted?.reason}`);
      }
    }
  });
