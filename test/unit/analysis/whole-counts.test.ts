// Errors a float's rounding above the requests are a canary failing every request: derived from an error rate
// a rounding above 1 (1.0000000005 x 120, which the rate's own range accepts), or the same counts summed in
// another order (120.00000000000003 errors in 120 requests). It must be judged so (rolled back by the error
// test), not held as a provider failure live and refused as bad input in a replay. More than rounding (120.4
// errors in 120.2 requests, a whole request more) is still counts no traffic gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';
import type { Decision, MetricValues } from '../../../src/analysis/types.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';

const MINUTE = 60_000;
const cmd = { type: 'command' as const, run: ['metrics'] };
const counts: AnalysisConfigInput = {
  providers: { m: cmd },
  metrics: { errors: { provider: 'm' }, requests: { provider: 'm' } },
};
const rates: AnalysisConfigInput = {
  providers: { m: cmd },
  metrics: { error_rate: { provider: 'm' }, requests: { provider: 'm' } },
};

function judgeAll(config: AnalysisConfigInput, canary: MetricValues, stable: MetricValues): Decision[] {
  let state = createJudgeState(resolveAnalysisConfig(config), { intervalMs: MINUTE, startedAt: 0 });
  const decisions: Decision[] = [];
  for (let i = 0; i < 10; i++) {
    const r = judge(state, { at: (i + 1) * MINUTE, canary, stable, errors: [] });
    state = r.state;
    decisions.push(r.decision);
    if (r.decision.kind === 'rollback') break;
  }
  return decisions;
}

const failingCounts = { errors: 120.00000000000003, requests: 120 };
const stableCounts = { errors: 1.2, requests: 1199.7 };

test("a canary failing every request, its errors a float's rounding above its requests, is rolled back by the error test, not held as a provider failure", () => {
  const decisions = judgeAll(counts, failingCounts, stableCounts);
  const last = decisions.at(-1)!;
  assert.equal(last.kind, 'rollback', last.reason);
  assert.equal(last.code, 'sequential-errors-worse', last.reason);
  assert.ok(decisions.length <= 3, `rolled back at interval ${decisions.length}`);
  assert.doesNotMatch(decisions.map((d) => d.reason).join('\n'), /impossible counts/);

  // The same canary measured by its error rate, a float's rounding above 1 (which the rate's own range allows).
  const derived = judgeAll(
    rates,
    { error_rate: 1.0000000005, requests: 120 },
    { error_rate: 0.001, requests: 1200 },
  );
  // Seed 02's immediate 10 % rule reads the same whole counts (120 of 120, not refused) and fires first.
  assert.equal(derived.length, 1, derived.map((d) => d.reason).join('\n'));
  assert.equal(derived[0]!.code, 'threshold-breached', derived[0]!.reason);
  assert.equal(derived[0]!.rule, 'seeds.error-rate-critical');
  assert.match(derived[0]!.reason, /\(120 of 120 requests: /);
  assert.doesNotMatch(derived[0]!.reason, /impossible counts/);
});

test('more errors than requests beyond rounding is still impossible counts', () => {
  for (const canary of [
    { errors: 121.6, requests: 120 },
    { errors: 120.4, requests: 120.2 },
    { errors: 120.0001, requests: 120 },
  ]) {
    const decisions = judgeAll(counts, canary, stableCounts);
    assert.match(decisions[0]!.reason, /impossible counts, seeds\.errors-vs-stable: canary errors = /);
    assert.equal(decisions.at(-1)!.code, 'provider-errors', JSON.stringify(canary));
  }
});

test('a replay of a recording with such counts judges them; more than rounding is judged as the live run judges it, impossible counts', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'whole-counts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const sides = (canary: MetricValues) =>
    Array.from({ length: 10 }, () => ({ canary, stable: stableCounts }));
  writeFileSync(file, `${recordingText(recordingLines(counts, sides(failingCounts)))}\n`);
  const judged = runAnalyzeCommand({ recording: file });
  assert.equal(judged.exitCode, 1, judged.output);
  assert.match(judged.output, /ROLLBACK \(sequential-errors-worse\)/);

  writeFileSync(file, `${recordingText(recordingLines(counts, sides({ errors: 121.6, requests: 120 })))}\n`);
  const impossible = runAnalyzeCommand({ recording: file });
  assert.equal(impossible.exitCode, 1, impossible.output);
  assert.match(
    impossible.output,
    /#0 hold +no-data-pending: provider error \(1 of 5 tolerated in a row\): impossible counts, seeds\.errors-vs-stable: canary errors = 121\.6 is more than requests = 120/,
  );
  assert.match(impossible.output, /ROLLBACK \(provider-errors\)/);
});
