// A recording's times taken together, not only one by one: samples of a window in time order and not before it
// began (the live loop reads each interval at its end), and no gap between a window's start and its first
// sample, or between two samples, longer than the window's length and a week, which no run waits between two
// reads. Far-apart times each within range (startedAt 0, a first sample in the year 5000; three years between
// two samples) were judged, the gap counted into `for` and `max_no_data`. Each is refused naming the file,
// line, window, sample and field; a gap of missed intervals, or of a machine asleep for days, is still data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_RECORDED_GAP_SLACK_MS, readRecording } from '../../../src/analysis/recording.ts';
import { main } from '../../../src/cli/main.ts';
import { repoRoot } from '../../helpers/cli.ts';
import { recordingLines, recordingRefusal, writeRecording } from '../../helpers/recording-lines.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const YEAR_5000 = Date.UTC(5000, 0, 1);
const CONFIG = {
  preset: 'none',
  providers: { p: { type: 'command', run: 'metrics' } },
  metrics: { error_rate: { provider: 'p' } },
  checks: [{ check: 'error_rate <= 1%', for: '2m' }],
};

type Line = Record<string, unknown> & { sample?: { at: number }; startedAt?: number };

/** Five healthy one-minute intervals of a five-minute window begun at 0, their times then changed by `times`. */
function lines(times?: (sample: number) => number | undefined, startedAt = 0): Line[] {
  const all = recordingLines(
    CONFIG,
    Array.from({ length: 5 }, () => ({ canary: { error_rate: 0 } })),
  ) as Line[];
  all[1]!.startedAt = startedAt;
  for (let i = 0; i < 5; i++) {
    const at = times?.(i);
    if (at !== undefined) all[2 + i]!.sample!.at = at;
  }
  return all;
}

const write = writeRecording;
const refusal = recordingRefusal;

test('a first sample far after its window began (startedAt 0, the year 5000) is refused, naming line, window, sample and field', (t) => {
  const file = write(
    t,
    lines((i) => YEAR_5000 + i * MINUTE),
  );
  assert.equal(
    refusal(file),
    `${file}:3: window 1 sample 0: sample.at: ${YEAR_5000} is ${YEAR_5000} ms (${+(YEAR_5000 / DAY).toFixed(1)} days) ` +
      "after the window's startedAt 0 (line 2): a window of 300000 ms read every 60000 ms never waits more than " +
      `its length and a week (${5 * MINUTE + MAX_RECORDED_GAP_SLACK_MS} ms (7 days)) between reads; the time is not one a run recorded`,
  );
});

test('a gap of years between two samples of one window is refused; the samples after it agree with each other', (t) => {
  const years = 3 * 365 * DAY;
  const file = write(
    t,
    lines((i) => (i + 1) * MINUTE + (i >= 2 ? years : 0)),
  );
  const message = refusal(file);
  assert.match(
    message,
    new RegExp(
      `^${file}:5: window 1 sample 2: sample\\.at: ${3 * MINUTE + years} is ${years + MINUTE} ms \\(1095 days\\) after the previous sample's 120000 \\(line 4\\)`,
    ),
  );
  assert.equal(message.split('\n').length, 1, 'one problem: the gap, not every sample after it');
});

test('out of order, at the same time, or before the window began: refused as before, also past a sample that could not be read', (t) => {
  assert.match(
    refusal(
      write(
        t,
        lines((i) => [MINUTE, 3 * MINUTE, 2 * MINUTE, 4 * MINUTE, 5 * MINUTE][i]),
      ),
    ),
    /:5: window 1 sample 2: sample\.at: 120000 is not after the previous sample's 180000 \(line 4\): samples are one per interval, in time order$/,
  );
  assert.match(
    refusal(write(t, lines(undefined, 10 * MINUTE))),
    /:3: window 1 sample 0: sample\.at: 60000 is before the window's startedAt 600000 \(line 2\)/,
  );
  // The first sample's time is not a number: the second is still measured, from the window's start.
  const unreadable = lines((i) => (i === 1 ? 5 * MINUTE : undefined), 10 * MINUTE);
  (unreadable[2]!.sample as { at: unknown }).at = 'soon';
  const message = refusal(write(t, unreadable));
  assert.match(message, /:3: window 1 sample 0: sample\.at: expected a time in ms since the epoch/);
  assert.match(
    message,
    /:4: window 1 sample 1: sample\.at: 300000 is before the window's startedAt 600000 \(line 2\)/,
  );
});

test('gaps a run can leave are data: missed intervals, a machine asleep for days, a window begun long ago', (t) => {
  // A machine asleep six days in the middle of the window: the live judge saw the same gap.
  const asleep = write(
    t,
    lines((i) => (i + 1) * MINUTE + (i >= 3 ? 6 * DAY : 0)),
  );
  assert.equal(readRecording(asleep).windows[0]!.samples.length, 5);
  // Just within: the window's length and a week.
  const edge = write(
    t,
    lines((i) =>
      i === 0 ? 5 * MINUTE + MAX_RECORDED_GAP_SLACK_MS : 6 * MINUTE + MAX_RECORDED_GAP_SLACK_MS + i * MINUTE,
    ),
  );
  assert.equal(readRecording(edge).windows[0]!.samples.length, 5);
  // A bake's look covers the bake since it began: a long window allows a long gap.
  const long = lines((i) => (i === 0 ? 20 * DAY : 20 * DAY + i * MINUTE));
  (long[1]!.context as { windowMs: number }).windowMs = 14 * DAY;
  assert.equal(readRecording(write(t, long)).windows[0]!.samples.length, 5);
  // No startedAt (an older recording): the first sample has nothing to be measured from.
  const unstarted = lines((i) => YEAR_5000 + i * MINUTE);
  delete unstarted[1]!.startedAt;
  assert.equal(readRecording(write(t, unstarted)).windows[0]!.samples.length, 5);
});

test('every recording in test/fixtures still loads', () => {
  const dir = join(repoRoot, 'test/fixtures/analysis');
  const files = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'formats'))
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => join(dir, 'formats', f)),
  ];
  assert.ok(files.length >= 30, `${files.length} recordings`);
  for (const file of files) assert.ok(readRecording(file).windows.length > 0, file);
});

test('through the CLI: deploy-action analyze refuses it (exit 3), one line naming where, no verdict', async (t) => {
  const file = write(
    t,
    lines((i) => YEAR_5000 + i * MINUTE),
  );
  let out = '';
  let err = '';
  const code = await main(['analyze', '-r', file], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  assert.equal(code, 3, out + err);
  assert.match(
    out + err,
    /rec\.ndjson:3: window 1 sample 0: sample\.at: 95617584000000 is 95617584000000 ms \(1106685 days\) after the window's startedAt 0 \(line 2\)/,
  );
  assert.doesNotMatch(out + err, /promote|rollback/, 'no verdict');
  assert.doesNotMatch(out + err, /\n\s+at /, 'no stack trace');
});

test('a window without a context (or not a mapping) is refused as bad input, its samples still measured, not an internal error', async (t) => {
  for (const context of [undefined, 'canary', [1]]) {
    const content = lines();
    if (context === undefined) delete content[1]!.context;
    else content[1]!.context = context;
    const file = write(t, content);
    const message = refusal(file);
    assert.match(message, /^.*:2: window 1: (missing required key "context"|context: )/, String(context));
    assert.doesNotMatch(message, /Cannot destructure/);
    let out = '';
    const code = await main(['analyze', '--recording', file], {
      out: (text) => void (out += text),
      err: (text) => void (out += text),
    });
    assert.equal(code, 3, out);
  }
});
