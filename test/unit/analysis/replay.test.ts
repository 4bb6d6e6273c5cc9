import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import { recordingLines } from '../../helpers/recording-lines.ts';

const fixture = new URL('../../fixtures/analysis/canary-sustained-errors.ndjson', import.meta.url).pathname;

test('replaying the recorded canary step: spike held, gap held, sustained breach rolls back after 5 min', () => {
  const { windows } = analyzeRecording(fixture);
  assert.equal(windows.length, 1);
  const codes = windows[0]!.intervals.map((i) => `${i.decision.kind}:${i.decision.code}`);
  assert.deepEqual(codes, [
    'hold:not-enough-data',
    'hold:not-enough-data',
    'promote:healthy',
    'hold:breach-pending', // the 20 % spike at interval 3
    'promote:healthy',
    'hold:no-data-pending', // p95 missing at interval 5
    'promote:healthy',
    'promote:healthy',
    'hold:breach-pending',
    'hold:breach-pending',
    'hold:breach-pending',
    'hold:breach-pending',
    'rollback:threshold-breached', // 2.5 % for 5 intervals of 1 min
  ]);
  assert.equal(windows[0]!.decision.rule, 'seeds.error-rate');
  assert.deepEqual(windows[0]!.changed, []);
});

test('analyze command: text and JSON output, exit code 1 on rollback', () => {
  const text = runAnalyzeCommand({ recording: fixture });
  assert.equal(text.exitCode, 1);
  assert.match(text.output, /window 1: canary-step production v2\.5\.0 vs v2\.4\.1 at 10%/);
  assert.match(text.output, /#12 rollback +threshold-breached \[seeds\.error-rate\]: error_rate = 0\.025/);
  const json = runAnalyzeCommand({ recording: fixture, json: true });
  const parsed = JSON.parse(json.output) as { windows: Array<{ decision: { kind: string } }> };
  assert.equal(parsed.windows[0]!.decision.kind, 'rollback');
});

test("replay lists the warning checks' warnings under the interval they fell in, deciding nothing", () => {
  const { windows } = analyzeRecording(fixture);
  const warned = windows[0]!.intervals.filter((i) => i.warnings).map((i) => i.index);
  // seeds.error-rate-warning (0.5 %, decided as seeds.error-rate-critical: by an interval's counts, and with no
  // request count, as this recording has, the second interval in a row over it): not the one-minute 20 % spike
  // at #3, the sustained 2.5 % at its second minute, once.
  assert.deepEqual(warned, [9]);
  const sustained = windows[0]!.intervals.find((i) => i.index === 9)!;
  assert.equal(sustained.decision.code, 'breach-pending');
  assert.deepEqual(
    sustained.warnings!.map((w) => [w.rule, w.code, w.limit]),
    [['seeds.error-rate-warning', 'threshold-warning', 0.005]],
  );
  const text = runAnalyzeCommand({ recording: fixture }).output.split('\n');
  const at = text.findIndex((line) => line.startsWith('  #9 '));
  assert.match(
    text[at + 1]!,
    /^ {5}warning {2}threshold-warning \[seeds\.error-rate-warning\]: error_rate = 0\.025/,
  );
  assert.ok(text[at + 2]!.startsWith('  #10 '), 'one warning line under #9');
  const json = JSON.parse(runAnalyzeCommand({ recording: fixture, json: true }).output) as {
    windows: Array<{ intervals: Array<{ index: number; warnings?: unknown[] }> }>;
  };
  assert.deepEqual(
    json.windows[0]!.intervals.filter((i) => i.warnings).map((i) => i.index),
    [9],
  );
});

test('a looser config judges the same recording as inconclusive (threshold tuning)', () => {
  const loose = runAnalyzeCommand({
    recording: fixture,
    config: {
      providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
      metrics: { error_rate: { provider: 'prom', query: 'x' } },
      checks: [{ check: 'error_rate < 5%', for: '5m' }],
      preset: 'none',
    },
  });
  assert.equal(loose.exitCode, 2, loose.output);
});

test('bad recordings are refused with the file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-bad-'));
  try {
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, '{"format":"something-else"}\n');
    assert.deepEqual(runAnalyzeCommand({ recording: file }), {
      exitCode: 3,
      output: `error: ${file}:1: not a recording (format must be "deploy-action.recording")`,
    });
    writeFileSync(file, '{"format":"deploy-action.recording","version":1,"config":{}}\n{"type":"sample"}\n');
    assert.match(
      runAnalyzeCommand({ recording: file }).output,
      /bad\.ndjson:2: a sample before any window line/,
    );
    assert.match(runAnalyzeCommand({ recording: join(dir, 'missing') }).output, /cannot read recording/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------------
// Replay input: null is "no data", every other wrong type is refused where it is.

const GAP_CONFIG = {
  preset: 'none',
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
  metrics: { error_rate: { provider: 'prom', query: 'x' } },
  checks: [{ check: 'error_rate < 5%', for: '2m' }],
  max_no_data: '3m',
};
const MINUTE = 60_000;

function gapRecordingLines(
  canaries: unknown[],
  stables: unknown[] = canaries.map(() => ({ error_rate: 0.01 })),
) {
  const sides = canaries.map((canary, i) => ({
    canary: structuredClone(canary),
    stable: structuredClone(stables[i]),
  }));
  return recordingLines(structuredClone(GAP_CONFIG), sides, { windowMs: 10 * MINUTE });
}

function writeLines(t: { after(fn: () => void): void }, lines: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

const ok = { error_rate: 0.01 };
const DELETE = Symbol('delete');

/** Sets (or deletes) the value at a dotted path of a parsed line, creating nothing on the way. */
function set(line: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => (node as Record<string, unknown>)[key], line);
  const target = parent as Record<string, unknown>;
  if (value === DELETE) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
}
const codes = (file: string) =>
  analyzeRecording(file).windows[0]!.intervals.map((i) => `${i.decision.kind}:${i.decision.code}`);

test('a null canary or stable is an interval without data: held, then rolled back by max_no_data', (t) => {
  // Two silent minutes (shorter than max_no_data 3m) are held and forgotten; four end in the no-data rollback.
  const file = writeLines(t, gapRecordingLines([ok, ok, ok, null, null, ok, null, null, null, null]));
  assert.deepEqual(codes(file), [
    'hold:not-enough-data',
    'hold:not-enough-data',
    'promote:healthy',
    'hold:no-data-pending',
    'hold:no-data-pending',
    'promote:healthy',
    'hold:no-data-pending',
    'hold:no-data-pending',
    'hold:no-data-pending',
    'rollback:no-data',
  ]);
  const command = runAnalyzeCommand({ recording: file });
  assert.equal(command.exitCode, 1, command.output);
  assert.match(command.output, /no data for error_rate for 4m, longer than max_no_data 3m/);

  // null is judged exactly like the same interval with every metric missing ({}), on either side.
  const sides = [ok, ok, ok, null, ok, ok];
  const asNull = writeLines(t, gapRecordingLines(sides, sides));
  const asEmpty = writeLines(
    t,
    gapRecordingLines(
      sides.map((c) => c ?? {}),
      sides.map((c) => c ?? {}),
    ),
  );
  assert.deepEqual(analyzeRecording(asNull).windows, analyzeRecording(asEmpty).windows);
  // A single metric written as null is the same no data again.
  const metricNull = writeLines(t, gapRecordingLines(sides.map((c) => c ?? { error_rate: null })));
  assert.deepEqual(codes(metricNull), codes(asNull));
});

test('a number written as a string, or any other wrong type, is refused with file, line, sample, field, found and allowed', (t) => {
  const NUM = 'expected a number or null \\(no data\\)';
  const cases: Array<{
    name: string;
    line: number;
    set: [path: string, value: unknown];
    where: string;
    message: string;
  }> = [
    {
      name: 'string metric',
      line: 4,
      set: ['sample.canary.error_rate', '0.01'],
      where: 'sample 1: sample\\.canary\\.error_rate',
      message: `${NUM}, got the string "0\\.01"`,
    },
    {
      name: 'string stable metric',
      line: 5,
      set: ['sample.stable.error_rate', '1e-3'],
      where: 'sample 2: sample\\.stable\\.error_rate',
      message: `${NUM}, got the string "1e-3"`,
    },
    {
      name: 'boolean metric',
      line: 3,
      set: ['sample.canary.error_rate', true],
      where: 'sample 0: sample\\.canary\\.error_rate',
      message: `${NUM}, got the boolean true`,
    },
    {
      name: 'list metric',
      line: 3,
      set: ['sample.canary.error_rate', [0.01]],
      where: 'sample 0: sample\\.canary\\.error_rate',
      message: `${NUM}, got a list`,
    },
    {
      name: 'canary as a string',
      line: 3,
      set: ['sample.canary', 'none'],
      where: 'sample 0: sample\\.canary',
      message:
        'expected a mapping of metric name to a number or null \\(no data\\), or null \\(no data at all\\), got the string "none"',
    },
    {
      name: 'canary missing',
      line: 3,
      set: ['sample.canary', DELETE],
      where: 'sample 0: sample',
      message: 'missing required key "canary"',
    },
    {
      name: 'time as a string',
      line: 4,
      set: ['sample.at', '2024-01-01T00:00:00Z'],
      where: 'sample 1: sample\\.at',
      message: 'expected a time in ms since the epoch \\(a number\\), got the string',
    },
    {
      name: 'misspelt key',
      line: 4,
      // A misspelling of a key that is missing loses data: refused. (Other unknown keys are accepted.)
      set: ['sample', { at: 2 * MINUTE, canary: ok, stabel: ok, errors: [] }],
      where: 'sample 1: sample\\.stabel',
      message: 'unknown key "stabel": did you mean "stable"\\?',
    },
    {
      name: 'errors not a list',
      line: 3,
      set: ['sample.errors', 'timeout'],
      where: 'sample 0: sample\\.errors',
      message: 'expected a list, got the string "timeout"',
    },
    {
      name: 'unknown provider error code',
      line: 3,
      set: ['sample.errors', [{ provider: 'prom', side: 'canary', code: 'timed-out', message: 'm' }]],
      where: 'sample 0: sample\\.errors\\[0\\]\\.code',
      message: 'expected one of .*"timeout".*got the string "timed-out"',
    },
    {
      name: 'recorded decision kind',
      line: 3,
      set: ['decision', { kind: 'rollbak' }],
      where: 'sample 0: decision\\.kind',
      message:
        'expected one of "promote", "hold" or "rollback", got the string "rollbak": did you mean "rollback"\\?',
    },
    {
      name: 'interval as a string',
      line: 2,
      set: ['context.intervalMs', '60000'],
      where: 'window 1: context\\.intervalMs',
      message: 'expected the interval in ms \\(a number\\), got the string "60000"',
    },
    {
      name: 'baseline value as a string',
      line: 2,
      set: ['baseline', { p95: '300' }],
      where: 'window 1: baseline\\.p95',
      message: `${NUM}, got the string "300"`,
    },
  ];
  for (const c of cases) {
    const lines = gapRecordingLines([ok, ok, ok]);
    set(lines[c.line - 1], ...c.set);
    const file = writeLines(t, lines);
    const result = runAnalyzeCommand({ recording: file });
    assert.equal(result.exitCode, 3, `${c.name}: ${result.output}`);
    const window = c.where.startsWith('window') ? '' : 'window 1 ';
    assert.match(
      result.output,
      new RegExp(
        `^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${c.line}: ${window}${c.where}: ${c.message}`,
      ),
      c.name,
    );
    assert.throws(() => analyzeRecording(file), /./, c.name);
  }
});

test('every problem of a recording is listed, each on its own line, with the real line number', (t) => {
  const lines: unknown[] = gapRecordingLines([ok, ok, ok]);
  set(lines[2], 'sample.canary.error_rate', '0.01');
  set(lines[4], 'sample.at', null);
  lines.splice(3, 0, ''); // a blank line still counts for the line numbers of the ones after it
  const file = writeLines(t, lines);
  const { exitCode, output } = runAnalyzeCommand({ recording: file });
  assert.equal(exitCode, 3);
  assert.deepEqual(
    output.split('\n').map((l) => l.replace(file, 'F')),
    [
      'error: F:3: window 1 sample 0: sample.canary.error_rate: expected a number or null (no data), got the string "0.01"',
      'F:6: window 1 sample 2: sample.at: expected a time in ms since the epoch (a number), got an empty value',
    ],
  );
});

test('a recorded config or a given config that is invalid is bad input, located in it', (t) => {
  const lines = gapRecordingLines([ok, ok, ok]);
  set(lines[0], 'config.checks', [{ check: 'error_rate < 5%', for: 'two minutes' }]);
  const file = writeLines(t, lines);
  const recorded = runAnalyzeCommand({ recording: file });
  assert.equal(recorded.exitCode, 3, recorded.output);
  assert.match(
    recorded.output,
    new RegExp(`${file.replace(/\./g, '\\.')}:1: config\\.checks\\[0\\]\\.for: `),
  );
  const good = writeLines(t, gapRecordingLines([ok, ok, ok]));
  const given = runAnalyzeCommand({ recording: good, config: { ...GAP_CONFIG, max_no_data: 5 } as never });
  assert.equal(given.exitCode, 3, given.output);
  assert.match(given.output, /^error: the analysis config given\.max_no_data: /);
  const duplicate = runAnalyzeCommand({
    recording: good,
    config: { ...GAP_CONFIG, checks: [{ check: 'error_rate < 5%' }, { check: 'error_rate < 5%' }] } as never,
  });
  assert.equal(duplicate.exitCode, 3, duplicate.output);
  assert.match(duplicate.output, /two checks are named/);
});

// ---------------------------------------------------------------------------------------------------------
// Decide, don't dither: recordings made before window extensions existed are decided, never left on hold.

test('a complete recording that ends undecided is decided on its evidence (no extension recorded)', (t) => {
  // 10 one-minute intervals against "error_rate < 5% for 2m": a breach pending at the last interval.
  const faulty = Array.from({ length: 10 }, (_, i) => ({ error_rate: i % 2 ? 0.08 : 0.04 }));
  const faultyRun = analyzeRecording(writeLines(t, gapRecordingLines(faulty))).windows[0]!;
  assert.equal(faultyRun.intervals.at(-1)!.decision.code, 'breach-pending');
  assert.equal(faultyRun.decision.kind, 'rollback');
  assert.equal(faultyRun.decision.code, 'window-evidence-worse');
  assert.match(
    faultyRun.decision.reason,
    /median of error_rate violates "error_rate < 0\.05".*violated in 5 of 10/,
  );

  const spikeAtEnd = Array.from({ length: 10 }, (_, i) => ({ error_rate: i === 9 ? 0.3 : 0.01 }));
  const healthyRun = analyzeRecording(writeLines(t, gapRecordingLines(spikeAtEnd))).windows[0]!;
  assert.equal(healthyRun.decision.kind, 'promote');
  assert.equal(healthyRun.decision.code, 'window-evidence-healthy');

  // The exit code follows: 1 for the decided rollback, 0 for the decided promotion, never 2.
  assert.equal(runAnalyzeCommand({ recording: writeLines(t, gapRecordingLines(faulty)) }).exitCode, 1);
  assert.equal(runAnalyzeCommand({ recording: writeLines(t, gapRecordingLines(spikeAtEnd)) }).exitCode, 0);
});

test('the samples of an extension are judged: the decision falls where the extended window ends', (t) => {
  // 10 intervals, the last one pending, then 5 extension samples where the breach lasts the 2 minutes.
  const canaries = [
    ...Array.from({ length: 9 }, () => ok),
    { error_rate: 0.2 },
    ...Array.from({ length: 5 }, () => ({ error_rate: 0.2 })),
  ];
  const run = analyzeRecording(writeLines(t, gapRecordingLines(canaries))).windows[0]!;
  assert.equal(run.decision.kind, 'rollback');
  assert.equal(run.decision.code, 'threshold-breached');
  assert.equal(run.intervals.length, 11, 'the breach, sustained 2 minutes, fires in the extension');
});
