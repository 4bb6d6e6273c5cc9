import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_TIMER_MS,
  durationDescription,
  formatDuration,
  parseDuration,
  readDuration,
  suggestDuration,
} from '../../../src/config/duration.ts';

describe('durations', () => {
  it('reads one part, or parts largest unit first as Go writes them', () => {
    const cases: Array<[string, number]> = [
      ['500ms', 500],
      ['30s', 30_000],
      ['1.5h', 5_400_000],
      ['1h30m', 5_400_000],
      ['2m30s', 150_000],
      ['1m0s', 60_000],
      ['1h0m0s', 3_600_000],
      ['1d12h', 129_600_000],
      ['1s500ms', 1_500],
      ['5m5ms', 300_005],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('refuses parts out of order, a unit twice, spaces, signs and no unit', () => {
    for (const text of [
      '30s1m',
      '1m1m',
      '5ms5s',
      '1h 30m',
      '-1s',
      '+1s',
      '90',
      '',
      'h',
      '1h30',
      '1e3s',
      '5M',
      '1hm',
    ])
      assert.equal(parseDuration(text), undefined, text);
  });

  it('accepts every duration the product prints (limits in messages, the plan, the summary)', () => {
    // "at most 596h31m here" was printed for Node's timer limit, and "596h31m" was then refused.
    for (const ms of [
      1,
      999,
      1_000,
      1_500,
      59_000,
      90_000,
      3_599_000,
      3_600_000,
      5_400_000,
      2 ** 31 - 1,
      172_800_000,
      // Rounded up to the next minute or hour: "1m60s" and "59m60s" were printed (canary step reasons).
      59_960,
      119_600,
      3_599_600,
      // Seconds above an hour: "1h30s" was printed "1h" (a plan misstating a written wait).
      3_630_000,
      3_661_000,
      172_801_000,
    ]) {
      const printed = formatDuration(ms);
      assert.doesNotMatch(
        printed,
        /(?:^|\D)60(?:s|m)/,
        `${printed} (${ms} ms) is written as people write it`,
      );
      const read = parseDuration(printed);
      assert.ok(read !== undefined, `${printed} (${ms} ms) is not read back`);
      // formatDuration rounds to the second above a minute.
      assert.ok(Math.abs(read - ms) <= 500, `${printed} reads as ${read}, from ${ms}`);
    }
  });

  it('prints a duration above an hour with its seconds, zero parts left out, as written', () => {
    assert.equal(formatDuration(parseDuration('1h30s')!), '1h30s');
    assert.equal(formatDuration(parseDuration('1h1m1s')!), '1h1m1s');
    assert.equal(formatDuration(parseDuration('2d1s')!), '48h1s');
    assert.equal(formatDuration(parseDuration('2d')!), '2d');
    assert.equal(formatDuration(parseDuration('90m')!), '1h30m');
  });

  it('names a maximum that the field then accepts, never one just above it', () => {
    // Node's timer limit is 596h31m23.647s: rounded to the second, "596h31m24s" would be refused.
    for (const max of [MAX_TIMER_MS, 3_600_999, 90_500, 59_999]) {
      const refused = readDuration(`${max + 1000}ms`, { minMs: 0, maxMs: max, timer: false });
      assert.equal(refused.ok, false);
      const named = /at most (\S+) here/.exec(refused.ok ? '' : refused.message)?.[1];
      assert.ok(named, refused.ok ? '' : refused.message);
      const read = readDuration(named, { minMs: 0, maxMs: max, timer: false });
      assert.ok(read.ok, `"${named}", named as the maximum ${max} ms, is refused`);
      const described = /to (\S+)\.$/.exec(durationDescription({ minMs: 1, maxMs: max, timer: false }))?.[1];
      assert.equal(described, named);
    }
  });

  it('offers the sum for a combined duration written out of order or with spaces', () => {
    assert.equal(suggestDuration('30s1m'), '90s');
    assert.equal(suggestDuration('1h 30m'), '90m');
    assert.equal(suggestDuration('1m1m'), '2m');
  });
});
