// An analysis stopped by the run's signal says which stop it was, from the signal's reason: "cancelled" when
// the job was cancelled, "stopped by an internal error" when a crash stopped the run (util/crash-guard.ts).
// Inside a deploy the pipeline words the step itself, but `analyze`, a replay and any other caller show these
// words as they are; before, each said "cancelled" after a crash too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../../src/analysis/analyzer.ts';
import { classifyFetchError, httpGet } from '../../../src/analysis/http.ts';
import { matchLines } from '../../../src/analysis/providers/log-match.ts';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';

const STOPS = [
  { cause: 'job', reason: () => new Error('SIGINT received'), said: 'cancelled' },
  {
    cause: 'crash',
    reason: () => new InternalErrorStop(new TypeError('cannot read properties of undefined')),
    said: 'stopped by an internal error',
  },
] as const;

for (const stop of STOPS) {
  test(`an HTTP read stopped by the ${stop.cause}'s signal says "${stop.said}"`, async () => {
    const signal = AbortSignal.abort(stop.reason());
    // The fetch fails as undici's does on an aborted signal: with the signal's reason.
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      throw init?.signal?.reason;
    }) as typeof globalThis.fetch;
    const result = await httpGet('prometheus', 'http://127.0.0.1:9/api', { timeoutMs: 5000, signal, fetch });
    assert.deepEqual(result, {
      ok: false,
      error: { provider: 'prometheus', code: 'aborted', message: stop.said },
    });
    // The prober classifies its stopped burst the same way.
    assert.deepEqual(classifyFetchError('prober', new Error('stopped'), 5000, signal), {
      provider: 'prober',
      code: 'aborted',
      message: stop.said,
    });
  });

  test(`log matching stopped by the ${stop.cause}'s signal says "${stop.said}"`, async () => {
    const controller = new AbortController();
    let looks = 0;
    const outcome = await matchLines(
      Array.from({ length: 100 }, (_, i) => `line ${i} ERROR`),
      { match: 'ERROR', ignore: [] },
      {
        timeoutMs: 0,
        signal: controller.signal,
        // Every line is a slice of its own; the stop comes while the lines are matched.
        now: () => {
          if (++looks === 3) controller.abort(stop.reason());
          return looks * 1000;
        },
      },
    );
    assert.deepEqual(outcome, { ok: false, code: 'aborted', message: stop.said });
  });

  test(`an analysis window stopped by the ${stop.cause}'s signal: "analysis ${stop.said} after N of M intervals"`, async () => {
    let now = 1_700_000_000_000;
    const controller = new AbortController();
    let reads = 0;
    const provider: MetricProvider = {
      name: 'fake',
      async read(request) {
        if (++reads === 3) controller.abort(stop.reason());
        return { values: Object.fromEntries(request.metrics.map((m) => [m.name, 0.001])), errors: [] };
      },
    };
    const analyzer = createAnalyzer(
      {
        providers: { fake: { type: 'command' as const, run: 'unused' } },
        metrics: { error_rate: { provider: 'fake' } },
      },
      { now: () => now, sleep: async (ms: number) => void (now += ms), providers: { fake: provider } },
    );
    const outcome = await analyzer.evaluate({
      phase: 'verify',
      environment: 'production',
      version: 'v2',
      windowMs: 10 * 60_000,
      intervalMs: 30_000,
      signal: controller.signal,
    });
    assert.equal(outcome.decision.code, 'aborted');
    assert.equal(outcome.decision.reason, `analysis ${stop.said} after 3 of 20 intervals`);
  });
}
