// Intervals a recording does not hold: its samples' indexes skip some (lines edited out, a file filtered or
// written by other means; a live run writes every interval it reads, a late one from history). Nothing was
// read for them, so they are judged as intervals without data, as a side recorded as null is: a short gap is
// held and the window goes on, one longer than max_no_data fails closed. They were skipped, and a window
// missing 13 of its 20 intervals promoted on the 7 it had.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, MAX_MISSING_JUDGED, runAnalyzeCommand } from '../../../src/analysis/replay.ts';

const MINUTE = 60_000;
const CONFIG = {
  preset: 'none',
  providers: { p: { type: 'command', run: 'metrics' } },
  metrics: { error_rate: { provider: 'p' } },
  checks: [{ check: 'error_rate <= 1%' }],
};

function recording(
  t: { after(fn: () => void): void },
  indexes: number[],
  window: { intervals: number; startedAt?: number },
): string {
  const dir = mkdtempSync(join(tmpdir(), 'replay-missing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const start = window.startedAt ?? 1_700_000_000_000;
  const lines = [
    { format: 'deploy-action.recording', version: 1, config: CONFIG },
    {
      type: 'window',
      context: {
        phase: 'verify',
        environment: 'production',
        version: 'v2',
        windowMs: window.intervals * MINUTE,
        intervalMs: MINUTE,
      },
      baseline: {},
      ...(window.startedAt === undefined ? {} : { startedAt: window.startedAt }),
    },
    ...indexes.map((index) => ({
      type: 'sample',
      index,
      sample: { at: start + (index + 1) * MINUTE, canary: { error_rate: 0.001 }, errors: [] },
      decision: { kind: 'promote' },
    })),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

const CASES: Array<{
  name: string;
  indexes: number[];
  window: { intervals: number; startedAt?: number };
  kind: 'promote' | 'rollback';
  code: string;
}> = [
  {
    name: '13 of 20 intervals missing in the middle',
    indexes: [...range(0, 3), ...range(16, 20)],
    window: { intervals: 20, startedAt: 0 },
    kind: 'rollback',
    code: 'no-data',
  },
  {
    name: '8 of 12 intervals missing, in a window without startedAt',
    indexes: [0, 1, ...range(10, 12)],
    window: { intervals: 12 },
    kind: 'rollback',
    code: 'no-data',
  },
  {
    name: '6 intervals missing before the first sample',
    indexes: range(6, 12),
    window: { intervals: 12, startedAt: 0 },
    kind: 'rollback',
    code: 'no-data',
  },
  {
    name: 'one interval missing: held, then the window goes on',
    indexes: [...range(0, 4), ...range(5, 10)],
    window: { intervals: 10, startedAt: 0 },
    kind: 'promote',
    code: 'healthy',
  },
  {
    name: 'no interval missing',
    indexes: range(0, 10),
    window: { intervals: 10, startedAt: 0 },
    kind: 'promote',
    code: 'healthy',
  },
];

for (const c of CASES)
  test(`a recording with ${c.name}: ${c.kind === 'promote' ? 'promotes' : 'fails closed, never promoted on the rest'}`, (t) => {
    const file = recording(t, c.indexes, c.window);
    const [window] = analyzeRecording(file).windows;
    assert.equal(window!.decision.kind, c.kind, window!.decision.reason);
    assert.equal(window!.decision.code, c.code, window!.decision.reason);
    // Every interval up to the decision is listed, the missing ones as without data, and said to be missing.
    const judged = window!.intervals.map((i) => i.index);
    assert.deepEqual(judged, range(0, judged.length));
    for (const interval of window!.intervals)
      if (!c.indexes.includes(interval.index)) {
        assert.notEqual(interval.decision.kind, 'promote', `#${interval.index}: ${interval.decision.reason}`);
        assert.match(interval.notes?.[0]?.message ?? '', /is not in the recording/);
      }
    // The missing intervals were never decided live: not listed as changed.
    for (const index of window!.changed) assert.ok(c.indexes.includes(index), `#${index} listed as changed`);
  });

test('a missing interval is shown under its number, saying it is not in the recording', (t) => {
  const file = recording(t, [...range(0, 4), ...range(5, 10)], { intervals: 10, startedAt: 0 });
  const { output } = runAnalyzeCommand({ recording: file });
  assert.match(
    output,
    /\n {2}#4 hold +no-data-pending: no data this interval for error_rate\n {5}note +interval-not-recorded \[recording\]: interval 4 is not in the recording: judged as an interval without data\n/,
  );
});

test('a gap of billions of intervals is judged in bounded work: one by one up to a bound, then as its last interval', (t) => {
  // A millisecond interval and two samples 300 days apart: 2.6e10 intervals missing, which no run leaves.
  const dir = mkdtempSync(join(tmpdir(), 'replay-missing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const gap = 300 * 86_400_000;
  const sample = (index: number) => ({
    type: 'sample',
    index,
    sample: { at: index + 1, canary: { error_rate: 0.001 }, errors: [] },
  });
  const lines = [
    { format: 'deploy-action.recording', version: 1, config: { ...CONFIG, max_no_data: '30d' } },
    {
      type: 'window',
      context: {
        phase: 'verify',
        environment: 'production',
        version: 'v2',
        windowMs: 365 * 86_400_000,
        intervalMs: 1,
      },
      baseline: {},
      startedAt: 0,
    },
    sample(0),
    sample(gap),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const [window] = analyzeRecording(file).windows;
  assert.ok(window!.intervals.length <= MAX_MISSING_JUDGED + 3, `${window!.intervals.length} intervals`);
  // The gap's last interval is judged, and its time without data (300 days) is past max_no_data.
  assert.equal(window!.decision.code, 'no-data', window!.decision.reason);
  assert.equal(window!.intervals.at(-1)!.index, gap - 1);
});
