import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, type AnalysisContext } from '../../../src/analysis/analyzer.ts';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import type { MetricProvider, ReadRequest } from '../../../src/analysis/providers/provider.ts';

/** Fake time: sleep advances the clock instantly. */
function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

/** A provider whose answers come from a function of (side, call number). */
function scripted(
  fn: (side: string, call: number, request: ReadRequest) => Record<string, number | null> | 'down',
) {
  const calls: Record<string, number> = {};
  const seen: ReadRequest[] = [];
  const provider: MetricProvider = {
    name: 'fake',
    async read(request) {
      seen.push(request);
      const n = (calls[request.side] = (calls[request.side] ?? 0) + 1) - 1;
      const out = fn(request.side, n, request);
      if (out === 'down')
        return {
          values: Object.fromEntries(request.metrics.map((m) => [m.name, null])),
          errors: [{ provider: 'fake', code: 'connection-refused', message: 'connection refused' }],
        };
      return {
        values: Object.fromEntries(request.metrics.map((m) => [m.name, out[m.name] ?? null])),
        errors: [],
      };
    },
  };
  return { provider, seen };
}

const config = {
  providers: { fake: { type: 'command' as const, run: 'unused' } },
  metrics: { error_rate: { provider: 'fake' }, p95: { provider: 'fake' } },
};

const ctx = (over: Partial<AnalysisContext> = {}): AnalysisContext => ({
  phase: 'canary-step',
  environment: 'production',
  version: 'v2',
  stableVersion: 'v1',
  slot: 'green',
  stableSlot: 'blue',
  weight: 10,
  windowMs: 10 * 60_000,
  intervalMs: 30_000,
  signal: new AbortController().signal,
  ...over,
});

test('healthy window: samples every interval on fake time and promotes at the end', async () => {
  const clock = fakeClock();
  const { provider, seen } = scripted(() => ({ error_rate: 0.001, p95: 120 }));
  const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider } });
  const started = clock.now();
  const seenDecisions: string[] = [];
  const outcome = await analyzer.evaluate(ctx({ onDecision: (i) => seenDecisions.push(i.decision.kind) }));
  assert.equal(outcome.decision.kind, 'promote');
  assert.equal(outcome.intervals.length, 20);
  assert.equal(clock.now() - started, 10 * 60_000);
  assert.equal(seenDecisions.length, 20);
  // Both sides read each interval, with their own template values.
  const stableRead = seen.find((r) => r.side === 'stable')!;
  assert.equal(stableRead.vars.version, 'v1');
  assert.equal(stableRead.vars.slot, 'blue');
  assert.equal(seen.find((r) => r.side === 'canary')!.vars.version, 'v2');
});

test('sustained breach returns rollback early, with the rule and the values', async () => {
  const clock = fakeClock();
  const { provider } = scripted((side, n) => ({
    error_rate: side === 'canary' && n >= 2 ? 0.05 : 0.001,
    p95: 100,
  }));
  const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider } });
  const outcome = await analyzer.evaluate(ctx({ windowMs: 60 * 60_000 }));
  assert.equal(outcome.decision.kind, 'rollback');
  assert.equal(outcome.decision.rule, 'seeds.error-rate');
  assert.equal(outcome.intervals.length, 12, '2 healthy + 10 breaching intervals (5 min)');
  assert.equal(outcome.decision.values.error_rate, 0.05);
  assert.equal(outcome.decision.values['stable.error_rate'], 0.001);
});

test('provider down longer than the limit fails closed', async () => {
  const clock = fakeClock();
  const { provider } = scripted((_side, n) => (n >= 3 ? 'down' : { error_rate: 0.001, p95: 100 }));
  const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider } });
  const outcome = await analyzer.evaluate(ctx({ windowMs: 60 * 60_000 }));
  assert.equal(outcome.decision.kind, 'rollback');
  assert.equal(outcome.decision.code, 'provider-errors');
  assert.equal(outcome.intervals.length, 9, '3 good intervals, then the 6th failing one in a row');
});

test('a window too short to gather min_samples is extended once, then decided', async () => {
  const clock = fakeClock();
  const { provider } = scripted(() => ({ error_rate: 0.001, p95: 100 }));
  const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider } });
  // 2 intervals (1 minute / 30 s) are one short of min_samples 3: the 50 % extension adds the third.
  const outcome = await analyzer.evaluate(ctx({ windowMs: 60_000 }));
  assert.equal(outcome.intervals.length, 3);
  assert.equal(outcome.decision.kind, 'promote');
  assert.equal(outcome.decision.code, 'healthy');

  // Without an extension, min_samples left at its default asks no more than the window's 2 intervals.
  const byDefault = await createAnalyzer(
    { ...config, extend_undecided: 0 },
    { ...clock, providers: { fake: provider } },
  ).evaluate(ctx({ windowMs: 60_000 }));
  assert.equal(byDefault.intervals.length, 2);
  assert.equal(byDefault.decision.kind, 'promote');
  assert.equal(byDefault.decision.code, 'healthy');

  // A min_samples written is kept: the undecided window is decided at once, and too little data fails closed.
  const noExtension = createAnalyzer(
    { ...config, extend_undecided: 0, min_samples: 3 },
    { ...clock, providers: { fake: provider } },
  );
  const closed = await noExtension.evaluate(ctx({ windowMs: 60_000 }));
  assert.equal(closed.intervals.length, 2);
  assert.equal(closed.decision.kind, 'rollback');
  assert.equal(closed.decision.code, 'no-data');
  assert.match(closed.decision.reason, /2 of the 3 intervals with data needed/);

  // on_undecided: hold keeps the old inconclusive hold for people who want to decide themselves.
  const holding = createAnalyzer(
    { ...config, extend_undecided: 0, min_samples: 3, on_undecided: 'hold' as const },
    { ...clock, providers: { fake: provider } },
  );
  const held = await holding.evaluate(ctx({ windowMs: 60_000 }));
  assert.equal(held.decision.kind, 'hold');
  assert.equal(held.decision.code, 'not-enough-data');
  assert.match(held.decision.reason, /^window ended inconclusive/);
});

test("a window ending on a pending breach is extended by half, then decided by the window's evidence", async () => {
  // Faulty: error rate alternating 1.5 % / 0.8 % / 1.5 %..., so the 1 % rule never stays violated for 5 min
  // but the median interval violates it. Healthy: 0.2 % with a single spike in the last interval. Stable at
  // 0.8 %, so the canary is never over seeds.error-rate-vs-baseline's 2x (1.6 %).
  const faultyRates = (n: number) => (n % 3 === 0 ? 0.008 : 0.015);
  const cases = [
    { name: 'faulty', rate: faultyRates, kind: 'rollback', code: 'window-evidence-worse' },
    {
      name: 'healthy',
      rate: (n: number) => (n === 19 || n === 29 ? 0.05 : 0.002),
      kind: 'promote',
      code: 'window-evidence-healthy',
    },
  ];
  for (const c of cases) {
    const clock = fakeClock();
    const { provider } = scripted((side, n) => ({
      error_rate: side === 'canary' ? c.rate(n) : 0.008,
      p95: 100,
    }));
    const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider } });
    const started = clock.now();
    const outcome = await analyzer.evaluate(ctx()); // 10 minutes of 30 s intervals
    assert.equal(outcome.intervals[19]!.decision.kind, 'hold', `${c.name}: undecided at the window's end`);
    assert.equal(outcome.intervals.length, 30, `${c.name}: extended once by 10 intervals`);
    assert.equal(clock.now() - started, 15 * 60_000);
    assert.equal(outcome.decision.kind, c.kind, `${c.name}: ${outcome.decision.reason}`);
    assert.equal(outcome.decision.code, c.code);
  }
});

test('cancellation stops sampling and reports aborted', async () => {
  const clock = fakeClock();
  const controller = new AbortController();
  const { provider } = scripted((_s, n) => {
    if (n === 3) controller.abort();
    return { error_rate: 0.001, p95: 100 };
  });
  const analyzer = createAnalyzer(config, { ...clock, providers: { fake: provider } });
  const outcome = await analyzer.evaluate(ctx({ signal: controller.signal }));
  assert.equal(outcome.decision.kind, 'hold');
  assert.equal(outcome.decision.code, 'aborted');
  // The interval whose read saw the abort is still judged; no interval starts after it.
  assert.equal(outcome.intervals.length, 4);
  assert.match(outcome.decision.reason, /after 4 of 20 intervals/);
});

test('a recorded live run replays to the same decisions, and a stricter config changes them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-rec-'));
  try {
    const file = join(dir, 'run.ndjson');
    const clock = fakeClock();
    const { provider } = scripted((side, n) => ({
      error_rate: side === 'canary' && n >= 4 ? 0.02 : 0.001,
      p95: 100,
    }));
    const secretConfig = {
      ...config,
      providers: { fake: { type: 'command' as const, run: 'unused', env: { TOKEN: 'hunter2' } } },
    };
    const analyzer = createAnalyzer(secretConfig, { ...clock, providers: { fake: provider }, record: file });
    const live = await analyzer.evaluate(ctx({ windowMs: 20 * 60_000 }));
    assert.ok(!readFileSync(file, 'utf8').includes('hunter2'), 'secrets are redacted from the recording');
    const replay = analyzeRecording(file);
    assert.equal(replay.windows.length, 1);
    assert.deepEqual(replay.windows[0]!.context, {
      phase: 'canary-step',
      environment: 'production',
      version: 'v2',
      stableVersion: 'v1',
      slot: 'green',
      stableSlot: 'blue',
      weight: 10,
      windowMs: 20 * 60_000,
      intervalMs: 30_000,
    });
    assert.deepEqual(
      replay.windows[0]!.intervals.map((i) => i.decision.code),
      live.intervals.map((i) => i.decision.code),
    );
    assert.deepEqual(replay.windows[0]!.changed, []);
    const strict = analyzeRecording(file, {
      ...config,
      checks: [{ name: 'strict', check: 'error_rate < 0.015' }],
    });
    assert.equal(strict.windows[0]!.decision.rule, 'strict');
    assert.equal(strict.windows[0]!.intervals.length, 5);
    const command = runAnalyzeCommand({ recording: file });
    assert.equal(command.exitCode, 1);
    assert.match(command.output, /=> ROLLBACK \(threshold-breached\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the pre-deploy reading of a resumed rollout is read back at its start when the providers keep history', async () => {
  const started = 1_700_000_000_000;
  const asked: Array<{ times?: number[]; vars: Record<string, string | undefined> }> = [];
  const withHistory: MetricProvider = {
    name: 'fake',
    async read(request) {
      asked.push({ vars: { ...request.vars } });
      // Now, the new version serves in the old one's place: its reading is not the pre-deploy one.
      return { values: { error_rate: 0.2, p95: 900 }, errors: [] };
    },
    async readPast(request) {
      asked.push({ times: [...request.times], vars: { ...request.vars } });
      return request.times.map(() => ({ values: { error_rate: 0.01, p95: 120 }, errors: [] }));
    },
  };
  const analyzer = createAnalyzer(config, { providers: { fake: withHistory } });
  const signal = new AbortController().signal;
  const then = await analyzer.captureBaseline({
    environment: 'production',
    version: 'v1',
    slot: 'blue',
    signal,
    at: started,
  });
  assert.deepEqual(then, { error_rate: 0.01, p95: 120 });
  assert.deepEqual(
    asked.map((a) => a.times),
    [[started]],
    'one read back at the start, none live',
  );
  assert.equal(asked[0]!.vars.version, 'v1');
  assert.equal(asked[0]!.vars.slot, 'blue');

  // Without history (or without a time) it is read as it is now.
  const { provider } = scripted(() => ({ error_rate: 0.2, p95: 900 }));
  const live = createAnalyzer(config, { providers: { fake: provider } });
  const now = await live.captureBaseline({ environment: 'production', version: 'v1', signal, at: started });
  assert.deepEqual(now, { error_rate: 0.2, p95: 900 });
});
