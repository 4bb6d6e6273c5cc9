// Recordings made before durations had a ceiling (2026-11-21 to 11-30, b3b42444 and 49c9af8f capped every
// duration at what Node's timers can wait, 24.8 days): a `max_no_data: 30d` (the dead-man's switch turned
// off, in effect) or a rule's `for: 30d` was accepted then, and the recording must still replay. A replay
// waits on no timer, and no window is that long (7 days at most), so such a duration is judged as the ceiling:
// the same decisions. A config given with --config is today's, checked as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import type { AnalysisConfigInput } from '../../../src/analysis/schema.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';

const cmd = { type: 'command' as const, run: ['metrics'] };
const base = {
  providers: { m: cmd },
  metrics: { error_rate: { provider: 'm' }, p95: { provider: 'm' } },
};

function replay(t: { after(fn: () => void): void }, config: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'old-durations-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  // The canary's error rate breaches the rule from minute 3 on; p95 is missing from minute 4 on.
  const sides = Array.from({ length: 12 }, (_, i) => ({
    canary: { error_rate: i < 3 ? 0.002 : 0.03, p95: i < 4 ? 180 : null },
    stable: { error_rate: 0.002, p95: 180 },
  }));
  writeFileSync(file, `${recordingText(recordingLines(config, sides))}\n`);
  return (given?: AnalysisConfigInput) =>
    analyzeRecording(file, given).windows.map((w) => ({
      decision: w.decision.code,
      intervals: w.intervals.map((i) => i.decision.code),
    }));
}

test('a recorded max_no_data or for of 30 days (accepted before durations had a ceiling) replays as the ceiling', (t) => {
  const ceiling = '2147483647ms';
  for (const [old, now] of [
    [
      { ...base, max_no_data: '30d' },
      { ...base, max_no_data: ceiling },
    ],
    [
      { ...base, checks: [{ check: 'error_rate < 0.01', for: '30d' }] },
      { ...base, checks: [{ check: 'error_rate < 0.01', for: ceiling }] },
    ],
    [
      { ...base, max_no_data: '40d', checks: [{ name: 'r', check: 'p95 < 500', for: '1000h' }] },
      { ...base, max_no_data: ceiling, checks: [{ name: 'r', check: 'p95 < 500', for: ceiling }] },
    ],
  ]) {
    const judged = replay(t, old)();
    assert.deepEqual(judged, replay(t, now)(), JSON.stringify(old));
  }
});

test('a duration that is not one is still refused, located; a config given is checked as written', (t) => {
  assert.throws(
    replay(t, { ...base, max_no_data: 'soon' }),
    /rec\.ndjson:1: config\.max_no_data: invalid duration "soon"/,
  );
  assert.throws(
    replay(t, { ...base, checks: [{ check: 'error_rate < 0.01', for: '-1d' }] }),
    /rec\.ndjson:1: config\.checks\[0\]\.for: invalid duration "-1d"/,
  );
  assert.throws(
    () => replay(t, base)({ ...base, max_no_data: '30d' } as AnalysisConfigInput),
    /the analysis config given\.max_no_data: "30d" is too long/,
  );
});
