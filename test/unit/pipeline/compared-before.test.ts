// A canary judged beside stable in its steps below 100 % is not rolled back at its 100 % step (or in the
// monitor window after it) because stable no longer serves beside it there. Under comparisons alone (the
// demo's analysis: errors and requests, seeds.errors-vs-stable) those windows have nothing to compare with:
// a window in which no deciding check judged anything fails closed (judge.ts nothingJudged), and so every
// healthy canary was rolled back at 100 % ('no-data') after passing every step before it. A version never
// compared with anything in the deployment (blue-green, rolling, direct under comparisons alone) still fails
// closed. Live and replayed from the live run's recording alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, type ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { metricsAnalyzer } from '../../../src/pipeline/metrics-analyzer.ts';
import type { AnalysisRequest } from '../../../src/pipeline/analyzer.ts';

const CONFIG = `target:
  commands:
    deploy: deploy {{version}} {{slot}}
    switch: switch {{slot}}
    set_weight: weight {{slot}} {{weight}} {{stable_slot}}
environments:
  production:
    strategy: { type: canary, steps: [10, 100], pause: 3m }
    monitor: 3m
    analysis:
      providers: { probe: { type: command, run: "unused" } }
      metrics:
        errors: { provider: probe }
        requests: { provider: probe }
`;

function environment(): ResolvedEnvironment {
  const parsed = parseConfig(CONFIG, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return resolveEnvironment(parsed.config, 'production');
}

/** A healthy version: no errors on either side. */
const healthy: MetricProvider = {
  name: 'probe',
  async read(request) {
    return { values: { errors: 0, requests: request.side === 'canary' ? 100 : 900 }, errors: [] };
  },
};

function analyzerFor(record: string, probe: MetricProvider = healthy) {
  const env = environment();
  let now = 1_700_000_000_000;
  const analyzer = metricsAnalyzer(env, {
    version: 'v2',
    previousVersion: 'v1',
    deps: {
      providers: { probe },
      now: () => now,
      sleep: async (ms: number) => void (now += ms),
      record,
    },
  });
  const window = (phase: AnalysisRequest['phase'], weight?: number): AnalysisRequest => ({
    phase,
    slot: 'green',
    stableSlot: 'blue',
    ...(weight !== undefined ? { weight } : {}),
    windowMs: 3 * 60_000,
    intervalMs: 30_000,
    values: {},
  });
  return { analyzer, window };
}

function withRecording(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'compared-before-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'rec.ndjson');
}

test('a healthy canary judged beside stable at 10 % promotes at 100 % and in the monitor window, live and replayed', async (t) => {
  const record = withRecording(t);
  const { analyzer, window } = analyzerFor(record);
  const step10 = await analyzer.evaluate(window('canary-step', 10));
  assert.equal(step10.ok && step10.analysis, 'promote', JSON.stringify(step10));
  const step100 = await analyzer.evaluate(window('canary-step', 100));
  assert.equal(step100.ok && step100.analysis, 'promote', JSON.stringify(step100));
  assert.match(
    step100.ok ? (step100.detail ?? '') : '',
    /compared beside stable in an earlier window.*seeds\.errors-vs-stable/,
  );
  const monitor = await analyzer.evaluate(window('monitor'));
  assert.equal(monitor.ok && monitor.analysis, 'promote', JSON.stringify(monitor));
  const replayed = analyzeRecording(record).windows;
  assert.deepEqual(
    replayed.map((w) => w.decision.kind),
    ['promote', 'promote', 'promote'],
    JSON.stringify(replayed.map((w) => w.decision.reason)),
  );
});

test('a version never compared beside stable in its deployment still fails closed under comparisons alone', async (t) => {
  const record = withRecording(t);
  const { analyzer, window } = analyzerFor(record);
  // No step below 100 % first: as a blue-green switch's or a rolling batch's window.
  const alone = await analyzer.evaluate(window('canary-step', 100));
  assert.equal(alone.ok, false, JSON.stringify(alone));
  assert.match(JSON.stringify(alone), /no-data.*no check could judge the canary/);
  assert.equal(analyzeRecording(record).windows[0]!.decision.kind, 'rollback');
});

test('a canary step at 0 % is watched by its health alone: no metric is read, nothing fails closed for want of traffic', async (t) => {
  const record = withRecording(t);
  const reads: string[] = [];
  // No traffic on the canary at 0 %: what a provider answers then.
  const provider: MetricProvider = {
    name: 'probe',
    async read(request) {
      reads.push(request.side);
      return { values: { errors: 0, requests: request.side === 'canary' ? 0 : 900 }, errors: [] };
    },
  };
  const { analyzer, window } = analyzerFor(record, provider);
  const dark = await analyzer.evaluate(window('canary-step', 0));
  assert.equal(dark.ok && dark.analysis, 'promote', JSON.stringify(dark));
  assert.match(dark.ok ? (dark.detail ?? '') : '', /no traffic to judge: its health only/);
  assert.deepEqual(reads, [], 'no metric read at 0 %');
});

test('a canary step at 0 % is still judged by the HTTP prober, which sends the canary its own requests', async () => {
  const parsed = parseConfig(
    CONFIG.replace(
      'providers: { probe: { type: command, run: "unused" } }',
      'providers: { probe: { type: http, url: "http://{{slot}}.internal/health" } }',
    ),
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  let now = 1_700_000_000_000;
  const reads: string[] = [];
  // The canary answers the prober's requests with errors, before any user reaches it.
  const failing: MetricProvider = {
    name: 'probe',
    async read(request) {
      reads.push(request.side);
      return {
        values: request.side === 'canary' ? { errors: 50, requests: 100 } : { errors: 0, requests: 100 },
        errors: [],
      };
    },
  };
  // The 0 % step's window, judged with `probe` as the prober's answers.
  const atZero = (probe: MetricProvider) =>
    metricsAnalyzer(resolveEnvironment(parsed.config, 'production'), {
      version: 'v2',
      previousVersion: 'v1',
      deps: { providers: { probe }, now: () => now, sleep: async (ms: number) => void (now += ms) },
    }).evaluate({
      phase: 'canary-step',
      slot: 'green',
      stableSlot: 'blue',
      weight: 0,
      windowMs: 3 * 60_000,
      intervalMs: 30_000,
      values: {},
    });
  const dark = await atZero(failing);
  assert.ok(reads.length > 0, 'the prober was read at 0 %');
  assert.equal(dark.ok, false, JSON.stringify(dark));
  assert.equal(!dark.ok && dark.analysis, 'rollback');

  // A healthy canary passes it.
  const step0 = await atZero(healthy);
  assert.equal(step0.ok && step0.analysis, 'promote', JSON.stringify(step0));
});
