// Recordings written by earlier versions of the analyzer still replay. test/fixtures/analysis/formats holds,
// per commit, the recordings that commit's own analyzer wrote (test/fixtures/analysis/formats/generate.ts,
// run against `git archive <commit> src`): the first analyzer (7377941), the cumulative error test
// (01d6c85), the first with histogram metrics (20de658), the fresh-baseline era (5a155b7) and a recent one.
// Each is healthy, a canary with many errors, or a slow canary, through the seed preset, explicit checks or
// a histogram metric. The judge's statistics have changed since, so a replay may decide later than the live
// run did; what must hold is that every file is read and judged, and that a window whose live run stopped on
// a rollback is never promoted by its replay (it ends where the live run stopped: a rollback, or a hold).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import { repoRoot } from '../../helpers/cli.ts';

const dir = join(repoRoot, 'test/fixtures/analysis/formats');
const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));

/** The recorded decision of each window's last sample, and how many samples it has. */
function recorded(file: string): Array<{ last: string; samples: number; intervals: number }> {
  const windows: Array<{ last: string; samples: number; intervals: number }> = [];
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const entry = JSON.parse(line) as {
      type: string;
      context?: { windowMs: number; intervalMs: number };
      decision?: { kind: string };
    };
    if (entry.type === 'window')
      windows.push({
        last: '',
        samples: 0,
        intervals: Math.ceil(entry.context!.windowMs / entry.context!.intervalMs),
      });
    else {
      windows.at(-1)!.samples++;
      windows.at(-1)!.last = entry.decision!.kind;
    }
  }
  return windows;
}

test('the fixtures cover every generation, each scenario and the histogram metric', () => {
  const commits = new Set(files.map((f) => f.split('-')[0]));
  assert.ok(commits.size >= 5, [...commits].join(', '));
  for (const scenario of ['healthy', 'errors', 'slow'])
    assert.ok(files.filter((f) => f.endsWith(`-${scenario}.ndjson`)).length >= 5, scenario);
  assert.ok(files.some((f) => f.includes('-histogram-')));
});

for (const file of files)
  test(`${file} replays, and a window its live run rolled back is not promoted`, () => {
    const path = join(dir, file);
    const replay = analyzeRecording(path);
    const live = recorded(path);
    assert.equal(replay.windows.length, live.length);
    replay.windows.forEach((window, i) => {
      const { last, samples, intervals } = live[i]!;
      assert.ok(window.intervals.length > 0, 'judged');
      if (last === 'rollback') assert.notEqual(window.decision.kind, 'promote', window.decision.reason);
      // A live run that went to the window's end and promoted: nothing in the replay is refused or missing.
      if (last === 'promote' && samples >= intervals)
        assert.equal(
          window.intervals.length >= intervals,
          true,
          `${window.intervals.length} of ${intervals}`,
        );
      if (file.includes('-healthy')) assert.equal(window.decision.kind, 'promote', window.decision.reason);
    });
  });
