// A recording's times are judged: `for: 5m`, max_no_data and every duration a decision shows count from
// them. A time no clock reads (negative, past the year 9999, not finite) is refused when the recording is
// read, naming the line, the window, the sample and the field: `deploy-action analyze` never judges it into
// "no data for 2.7e+293h". Samples out of time order or before their window's startedAt are refused as
// replay-hostile.test.ts shows; the recordings earlier versions wrote still load (replay-formats.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';
import { MAX_RECORDED_TIME } from '../../../src/analysis/recording.ts';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';

const MINUTE = 60_000;
const CONFIG = {
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
  metrics: { errors: { provider: 'prom', query: 'x' }, requests: { provider: 'prom', query: 'x' } },
  max_no_data: '2m',
};
const OK = { errors: 1, requests: 100 };
type Line = Record<string, unknown> & { sample?: { at: unknown }; startedAt?: unknown };

/** Five one-minute samples from the epoch, each line then changed by `change`; written as `text` does. */
function recording(change: (lines: Line[]) => void, text = (t: string) => t): string {
  const lines = recordingLines(
    CONFIG,
    Array.from({ length: 5 }, () => ({ canary: OK, stable: OK })),
    { windowMs: 5 * MINUTE },
  ) as Line[];
  change(lines);
  return text(recordingText(lines));
}
const samples = (lines: Line[]) => lines.filter((line) => line.type === 'sample');
const atYear10000 = MAX_RECORDED_TIME + 1;

test('the last millisecond of the year 9999 is the latest time a recording may hold', () => {
  assert.equal(new Date(MAX_RECORDED_TIME).toISOString(), '9999-12-31T23:59:59.999Z');
});

test('analyze refuses a recording whose times no clock reads, naming the line, sample and field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-times-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[name: string, text: string, message: RegExp]> = [
    [
      'negative-at',
      recording((lines) => {
        lines[1]!.startedAt = -10 * MINUTE;
        samples(lines).forEach((line, i) => (line.sample!.at = -5 * MINUTE + i * MINUTE));
      }),
      /:3: window 1 sample 0: sample\.at: -300000 is before 1970-01-01T00:00:00\.000Z: a time in ms since the epoch is never negative$/m,
    ],
    [
      'negative-started',
      recording((lines) => (lines[1]!.startedAt = -1e300)),
      /:2: window 1: startedAt: -1e\+300 is before 1970-01-01T00:00:00\.000Z: a time in ms since the epoch is never negative$/m,
    ],
    [
      'year-10000-at',
      recording((lines) => (samples(lines)[4]!.sample!.at = atYear10000)),
      new RegExp(
        `:7: window 1 sample 4: sample\\.at: ${atYear10000} is after the year 9999 \\(at most ${MAX_RECORDED_TIME}, 9999-12-31T23:59:59\\.999Z\\)$`,
        'm',
      ),
    ],
    [
      'huge-at',
      recording((lines) => samples(lines).forEach((line, i) => (line.sample!.at = 1e300 * (i + 1)))),
      /:3: window 1 sample 0: sample\.at: 1e\+300 is after the year 9999/m,
    ],
    [
      'year-10000-started',
      recording((lines) => (lines[1]!.startedAt = atYear10000)),
      /:2: window 1: startedAt: \d+ is after the year 9999/m,
    ],
    [
      'infinite-at',
      recording(
        () => {},
        (text) => text.replace('"at":300000', '"at":1e999'),
      ),
      /:7: window 1 sample 4: sample\.at: expected a time in ms since the epoch \(a number\), got a number too large to represent \(it reads as Infinity\)$/m,
    ],
    [
      'infinite-started',
      recording(
        () => {},
        (text) => text.replace('"startedAt":0', '"startedAt":-1e999'),
      ),
      /:2: window 1: startedAt: expected a time in ms since the epoch \(a number\), got a number too large to represent \(it reads as -Infinity\)$/m,
    ],
  ];
  // The first through the CLI (its exit code and stderr), the others where the CLI takes its verdict from
  // (runAnalyzeCommand, printed as it is): a CLI process each only loaded the CLI again.
  for (const [i, [name, text, message]] of cases.entries()) {
    const file = join(dir, `${name}.ndjson`);
    writeFileSync(file, text);
    if (i === 0) {
      const run = await runCli(['analyze', '--recording', file]);
      assert.equal(run.code, 3, `${name}: exit ${run.code}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout, '', name);
      assert.match(run.stderr, message, `${name}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /\n\s+at /, `${name}: no stack trace`);
      continue;
    }
    const run = runAnalyzeCommand({ recording: file });
    assert.equal(run.exitCode, 3, `${name}: exit ${run.exitCode}: ${run.output}`);
    assert.match(run.output, /^error: /, name);
    assert.match(run.output, message, `${name}: ${run.output}`);
    assert.doesNotMatch(run.output, /\n\s+at /, `${name}: no stack trace`);
  }
});

test('times at both ends of the range are judged as before: the epoch itself, and the year 9999', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-times-'));
  try {
    const at = (start: number) =>
      recording((lines) => {
        lines[1]!.startedAt = start;
        samples(lines).forEach((line, i) => (line.sample!.at = start + (i + 1) * MINUTE));
      });
    for (const [name, start] of [
      ['epoch', 0],
      ['late', MAX_RECORDED_TIME - 5 * MINUTE],
    ] as const) {
      const file = join(dir, `${name}.ndjson`);
      writeFileSync(file, at(start));
      const result = runAnalyzeCommand({ recording: file });
      assert.equal(result.exitCode, 0, `${name}: ${result.output}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
