// A sample's index is the number of the interval it was read for, its time when it was read: a live run
// reads interval i at its end (startedAt + (i + 1) x intervalMs), never before. The replay takes where the
// window ends from the index and every duration it judges from the times, so a recording whose times are
// earlier than its indices allow (twenty samples a second apart numbered as twenty one-minute intervals, or
// an index leaping ahead of the time) was judged as a whole window whose durations say it took a second.
// It is refused, naming the file, line, window, sample, the time and the index; up to two intervals (at least
// a second) early is read as before (a time stamped at its interval's start, and a clock's slack), and so is a
// time later than its index (slow reads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRecording } from '../../../src/analysis/recording.ts';
import { main } from '../../../src/cli/main.ts';
import { recordingLines, recordingRefusal, writeRecording } from '../../helpers/recording-lines.ts';

const MINUTE = 60_000;
const CONFIG = {
  preset: 'none',
  providers: { p: { type: 'command', run: 'metrics' } },
  metrics: { error_rate: { provider: 'p' } },
  checks: [{ check: 'error_rate <= 1%', for: '2m' }],
};

type Line = Record<string, unknown> & {
  index?: number;
  sample?: { at: number };
  startedAt?: number;
  context?: { intervalMs: number; windowMs: number };
};

/** `count` one-minute intervals of a window begun at 0 (error rate `rate`), then changed by `change`. */
function lines(change: (samples: Line[], window: Line) => void, count = 5, rate = 0): Line[] {
  const all = recordingLines(
    CONFIG,
    Array.from({ length: count }, () => ({ canary: { error_rate: rate } })),
  ) as Line[];
  change(
    all.filter((line) => line.type === 'sample'),
    all[1]!,
  );
  return all;
}

const write = writeRecording;
const refusal = recordingRefusal;

test('samples a second apart numbered as one-minute intervals: refused, naming the line, sample, time and index', (t) => {
  const file = write(
    t,
    lines((samples) => samples.forEach((s, i) => (s.sample!.at = MINUTE + i * 50)), 20),
  );
  const message = refusal(file);
  // Samples 1 and 2 (50 and 100 ms after sample 0) are within two intervals of their intervals' ends; sample 3
  // is not.
  assert.equal(
    message.split('\n')[0],
    `${file}:6: window 1 sample 3: sample.at: 60150 is before interval 3 (its index) could be read: a run reads an ` +
      "interval at its end, here 240000 (the window's startedAt 0 (line 2), + 4 x intervalMs 60000), and this time " +
      "is 179850 ms earlier (more than the 120000 ms allowed for a time stamped at the interval's start and a clock " +
      'that is off): the index and the time contradict each other',
  );

  // Through `analyze`: bad input (exit 3), nothing judged (it was judged a rollback on times that say the
  // twenty intervals took one second).
  const failing = write(
    t,
    lines((samples) => samples.forEach((s, i) => (s.sample!.at = MINUTE + i * 50)), 20, 0.5),
  );
  let out = '';
  let err = '';
  return main(['analyze', '--recording', failing], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  }).then((code) => {
    assert.equal(code, 3, out + err);
    assert.match(err, /sample\.at: 60150 is before interval 3 \(its index\) could be read/);
    assert.doesNotMatch(out + err, /\n\s+at /, 'no stack trace');
  });
});

test('an index that leaps ahead of its time is refused; a gap in both (missed intervals) is data', (t) => {
  // Indices 0, 1, 9: the third sample says interval 9, read at 10 minutes; its time says 3 minutes.
  const leap = write(
    t,
    lines((samples) => (samples[2]!.index = 9), 3),
  );
  const leapt = refusal(leap);
  assert.equal(leapt.split('\n').length, 1, leapt);
  assert.match(
    leapt,
    /:5: window 1 sample 9: sample\.at: 180000 is before interval 9 \(its index\) could be read: a run reads an interval at its end, here 600000 .* this time is 420000 ms earlier/,
  );
  // The same gap in the times too: intervals 2 to 8 were missed, as replay-gaps.test.ts judges them.
  const missed = lines((samples) => {
    samples[2]!.index = 9;
    samples[2]!.sample!.at = 10 * MINUTE;
  }, 3);
  assert.deepEqual(
    readRecording(write(t, missed)).windows[0]!.samples.map((s) => s.index),
    [0, 1, 9],
  );
});

test('a sample without an index is measured by its position, as the replay numbers it', (t) => {
  const file = write(
    t,
    lines((samples) =>
      samples.forEach((s, i) => {
        delete s.index;
        s.sample!.at = MINUTE + i * 1000;
      }),
    ),
  );
  assert.match(refusal(file), /:6: window 1 sample 3: sample\.at: 63000 is before interval 3 \(its index\)/);
});

test('a window without startedAt is measured from its first sample, read at the end of its interval', (t) => {
  const file = write(
    t,
    lines((samples, window) => {
      delete window.startedAt;
      samples.forEach((s, i) => (s.sample!.at = 10 * MINUTE + i * 1000));
    }),
  );
  assert.match(
    refusal(file),
    /:6: window 1 sample 3: sample\.at: 603000 is before interval 3 \(its index\) could be read: a run reads an interval at its end, here 780000 \(its first sample \(index 0 at 600000, line 3\), the window having no startedAt, \+ 4 x intervalMs 60000\)/,
  );
  // On time from the first sample on: read as before.
  const fine = lines((samples, window) => {
    delete window.startedAt;
    samples.forEach((s, i) => (s.sample!.at = (10 + i) * MINUTE));
  });
  assert.equal(readRecording(write(t, fine)).windows[0]!.samples.length, 5);
});

test('the edge: two intervals early (at least a second) is read as before; a millisecond more is refused', (t) => {
  // Interval 3 ends at 240000: 120000 is two intervals early (a time stamped at its interval's start, one
  // interval more of a clock's slack: read as before), 119999 is not.
  const at = (time: number) =>
    lines((samples) => {
      samples[1]!.sample!.at = 110_000;
      samples[2]!.sample!.at = 115_000;
      samples[3]!.sample!.at = time;
    });
  assert.equal(readRecording(write(t, at(120_000))).windows[0]!.samples.length, 5);
  assert.match(
    refusal(write(t, at(119_999))),
    /:6: window 1 sample 3: sample\.at: 119999 .* this time is 120001 ms earlier \(more than the 120000 ms allowed/,
  );
  // A recorder that stamps each interval with its start (startedAt + index x intervalMs) and a little jitter
  // either way: read as before.
  const starts = lines((samples) =>
    samples.forEach((s, i) => (s.sample!.at = i * MINUTE + (i % 2 ? -400 : 400))),
  );
  assert.equal(readRecording(write(t, starts)).windows[0]!.samples.length, 5);
  // Quarter-second intervals: a second's slack still. Interval 0 read on time, then interval 5 (ends at 1500).
  const short = (time: number) =>
    lines((samples, window) => {
      window.context!.intervalMs = 250;
      window.context!.windowMs = 3_000;
      samples[0]!.sample!.at = 250;
      samples[1]!.index = 5;
      samples[1]!.sample!.at = time;
    });
  const two = (all: Line[]) => all.filter((line) => line.type !== 'sample' || [0, 5].includes(line.index!));
  assert.equal(readRecording(write(t, two(short(500)))).windows[0]!.samples.length, 2);
  assert.match(
    refusal(write(t, two(short(499)))),
    /:4: window 1 sample 5: sample\.at: 499 .* \(more than the 1000 ms allowed/,
  );
});

test('later than its index is data: slow reads, and a catch-up after one', (t) => {
  // The first read took 90 s (a provider retrying): the next came a second later, caught up.
  const slow = lines((samples) =>
    samples.forEach((s, i) => (s.sample!.at = i === 0 ? MINUTE + 90_000 : (i + 1) * MINUTE + 31_000 + i)),
  );
  assert.equal(readRecording(write(t, slow)).windows[0]!.samples.length, 5);
  // Every read 40 s late.
  const late = lines((samples) => samples.forEach((s, i) => (s.sample!.at = (i + 1) * MINUTE + 40_000)));
  assert.equal(readRecording(write(t, late)).windows[0]!.samples.length, 5);
});
