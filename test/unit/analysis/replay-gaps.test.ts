// A recording with a gap (missed intervals): a sample's interval is its index, as the live loop numbered
// it, not its position in the file. Samples after the window's end are not judged as part of it, however few
// samples came before the gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording } from '../../../src/analysis/replay.ts';

const MINUTE = 60_000;
const CONFIG = {
  preset: 'none',
  providers: { p: { type: 'command', run: 'metrics' } },
  metrics: { error_rate: { provider: 'p' } },
  checks: [{ check: 'error_rate <= 1%' }],
};

function recording(t: { after(fn: () => void): void }, samples: Array<[number, number]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'replay-gaps-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const lines = [
    { format: 'deploy-action.recording', version: 1, config: CONFIG },
    {
      type: 'window',
      context: {
        phase: 'verify',
        environment: 'production',
        version: 'v2',
        windowMs: 5 * MINUTE,
        intervalMs: MINUTE,
      },
      baseline: {},
      startedAt: 0,
    },
    ...samples.map(([index, errorRate]) => ({
      type: 'sample',
      index,
      sample: { at: (index + 1) * MINUTE, canary: { error_rate: errorRate }, errors: [] },
    })),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

test('samples after a gap that lies past the window are not judged as its intervals', (t) => {
  // Intervals 0-3 of a 5-interval window are healthy; interval 4 was missed; the recording goes on from
  // interval 9 with a breakage that began after the window.
  const file = recording(t, [
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 0],
    ...Array.from({ length: 6 }, (_, i): [number, number] => [9 + i, 0.5]),
  ]);
  const window = analyzeRecording(file).windows[0]!;
  // Interval 4 is not in the recording: no data (held), so the window is extended once, over intervals 5-7,
  // which are not in it either (test/unit/analysis/replay-missing-intervals.test.ts). Not the samples from 9.
  assert.deepEqual(
    window.intervals.map((i) => i.index),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(window.decision.kind, 'promote', window.decision.reason);
  assert.equal(window.unjudged, 6);
});

test('a gap inside the window is a missed interval: the window is over at its end, not after more samples', (t) => {
  // Two intervals with data, then nothing until past the window and its extension: judged on what the
  // window holds (intervals without data: fail closed), not held as a recording that stopped early.
  const file = recording(t, [
    [0, 0],
    [1, 0],
    [12, 0],
  ]);
  const window = analyzeRecording(file).windows[0]!;
  // Intervals 2-7 are not in the recording: without data, past max_no_data at the last of them.
  assert.deepEqual(
    window.intervals.map((i) => i.index),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(window.decision.kind, 'rollback', window.decision.reason);
  assert.equal(window.decision.code, 'no-data');
  // Contiguous samples that stop early still hold: the run was cancelled.
  const stopped = analyzeRecording(
    recording(t, [
      [0, 0],
      [1, 0],
      [2, 0],
    ]),
  ).windows[0]!;
  assert.equal(stopped.decision.code, 'window-inconclusive');
  assert.match(stopped.decision.reason, /the recording ends after 3 of 5 intervals/);
});
