// Replaying recordings nobody here has seen: odd, broken or hostile files. Every bad input is refused with
// the file, line, sample and field; every valid but unusual one is judged; nothing crashes, hangs or writes
// raw control characters to the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import { decideAtDeadline } from '../../../src/analysis/deadline.ts';
import { createJudgeState, judge, type JudgeState } from '../../../src/analysis/judge.ts';
import { readRecording, RecordingError } from '../../../src/analysis/recording.ts';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import { valuePaths, withValueAt } from '../../helpers/value-paths.ts';

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------
// Size: a long window is judged in linear time.

test(
  'a window of 30 000 samples is judged in linear time, and a state judged twice keeps its own evidence',
  {
    timeout: 60_000,
  },
  () => {
    const config = resolveAnalysisConfig({
      preset: 'none',
      providers: { m: { type: 'command', run: ['metrics'] } },
      metrics: { error_rate: { provider: 'm' } },
      checks: [{ check: 'error_rate < 5%', for: '1h' }],
    });
    let state: JudgeState = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
    // No clock: copying the window's margins at every interval took minutes here, linear work takes well under a
    // second; the test's own timeout (60 s) is the backstop.
    for (let i = 0; i < 30_000; i++)
      state = judge(state, { at: (i + 1) * MINUTE, canary: { error_rate: 0.01 }, errors: [] }).state;
    assert.equal(state.samplesWithData, 30_000);

    // Branching: two different next samples from one state, then the deadline reads each branch's own margins.
    let short: JudgeState = createJudgeState(config, { intervalMs: MINUTE, startedAt: 0 });
    for (let i = 0; i < 3; i++)
      short = judge(short, { at: (i + 1) * MINUTE, canary: { error_rate: 0.2 }, errors: [] }).state;
    const frozen = JSON.stringify(short);
    const worse = judge(short, { at: 4 * MINUTE, canary: { error_rate: 0.2 }, errors: [] });
    const better = (s: JudgeState) =>
      [0, 1, 2, 3].reduce(
        (st, i) => judge(st, { at: (5 + i) * MINUTE, canary: { error_rate: 0.001 }, errors: [] }).state,
        s,
      );
    const healthy = better(short);
    assert.equal(JSON.stringify(short), frozen, 'the older state is unchanged');
    const last = { kind: 'hold', code: 'breach-pending', reason: 'r', values: {} } as const;
    assert.equal(decideAtDeadline(worse.state, last).kind, 'rollback', '4 of 4 intervals violate');
    assert.equal(decideAtDeadline(healthy, last).kind, 'promote', '3 of 7 intervals violate');
    assert.match(decideAtDeadline(worse.state, last).reason, /violated in 4 of 4/);
  },
);

// ---------------------------------------------------------------------------------------------------------
// Recordings written here line by line.

const CONFIG = {
  providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
  metrics: {
    error_rate: { provider: 'prom', query: 'x' },
    errors: { provider: 'prom', query: 'x' },
    requests: { provider: 'prom', query: 'x' },
    latency: { provider: 'prom', query: 'x', histogram: true },
  },
};
const HEADER = { format: 'deploy-action.recording', version: 1, config: CONFIG };
const WINDOW = {
  type: 'window',
  context: {
    phase: 'canary-step',
    environment: 'production',
    version: 'v2',
    windowMs: 5 * MINUTE,
    intervalMs: MINUTE,
  },
  baseline: {},
  startedAt: 0,
};
type Side = Record<string, number | null>;
/** One side's values: 1 % errors, and `slow` of 100 requests above 0.1 s (half of them above 0.5 s). */
const side = (slow = 10, over: Side = {}): Side => ({
  error_rate: 0.01,
  errors: 1,
  requests: 100,
  latency: 100,
  'latency{le="0.1"}': 100 - slow,
  'latency{le="0.5"}': 100 - slow / 2,
  'latency{le="+Inf"}': 100,
  ...over,
});
const sampleLine = (i: number, canary: unknown = side(), stable: unknown = side()) => ({
  type: 'sample',
  index: i,
  sample: { at: (i + 1) * MINUTE, canary, stable, errors: [] },
});
type Line = Record<string, unknown>;
/** A window of `n` samples: `canary(i)` on the canary side, a healthy stable. */
const lines = (n = 6, canary: (i: number) => unknown = () => side()): Line[] => [
  HEADER,
  WINDOW,
  ...Array.from({ length: n }, (_, i) => sampleLine(i, canary(i))),
];

function write(t: { after(fn: () => void): void }, content: unknown[] | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'replay-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  writeFileSync(
    file,
    typeof content === 'string'
      ? content
      : content.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
  );
  return file;
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Bad input: exit 3, and every expected message (a regexp after `file:`) on a line of its own. */
function refused(file: string, ...expected: string[]) {
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, 3, result.output);
  for (const e of expected)
    assert.match(result.output, new RegExp(`^(error: )?${escape(file)}${e}`, 'm'), result.output);
  const json = runAnalyzeCommand({ recording: file, json: true });
  assert.equal(json.exitCode, 3);
  assert.match((JSON.parse(json.output) as { error: string }).error, new RegExp(expected[0]!));
  return result.output;
}

test('a file that is not a recording is refused with what it is, never a stack trace', (t) => {
  refused(write(t, ''), ': empty recording');
  refused(write(t, 'hello\n'), ':1: not JSON \\(');
  refused(write(t, '[1,2]\n'), ':1: expected a JSON object \\(a mapping\\), got a list');
  refused(write(t, '42\n'), ':1: expected a JSON object \\(a mapping\\), got the number 42');
  refused(write(t, 'null\n'), ':1: expected a JSON object \\(a mapping\\), got an empty value');
  refused(
    write(t, [{ format: 'deploy-action.recording', version: '1' }]),
    ':1: version: expected the recording version \\(the number 1\\), got the string "1"',
  );
  refused(
    write(t, [{ format: 'deploy-action.recording', version: 2 }]),
    ':1: recording version 2 is not supported \\(this deploy-action reads version 1\\): a newer deploy-action recorded it; replay it with that version or a later one',
  );
  refused(
    write(t, [{ format: 'deploy-action.recording', version: 1, confg: CONFIG }, WINDOW, sampleLine(0)]),
    ':1: confg: unknown key "confg": did you mean "config"\\?',
  );
  refused(
    write(t, [HEADER, WINDOW, sampleLine(0), HEADER]),
    ':4: a second recording header \\(line 1 is the first\\): one recording per file',
  );
  refused(
    write(t, [HEADER, WINDOW, { typ: 'sample' }]),
    ':3: a line without "type" \\(expected "window" or "sample"\\)',
  );
  const output = refused(write(t, [HEADER, WINDOW, { type: { x: 1 } }]), ':3: unknown line type a mapping');
  assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
});

test('numbers a recording cannot mean are refused where they are', (t) => {
  // 1e999 parses as Infinity: say it is too large, not "got the number Infinity".
  const huge = [HEADER, WINDOW, JSON.stringify(sampleLine(0)).replace('"errors":1,', '"errors":1e999,')];
  refused(
    write(t, huge),
    ':3: window 1 sample 0: sample\\.canary\\.errors: expected a number or null \\(no data\\), got a number too large to represent',
  );
  const interval = lines(3);
  interval[1] = { ...WINDOW, context: { ...WINDOW.context, intervalMs: 0.001 } };
  refused(write(t, interval), ':2: window 1: context\\.intervalMs: must be at least 1, got 0\\.001');
});

test('samples out of time order, at one time, or before their window are refused', (t) => {
  const reordered = lines(4);
  [reordered[3], reordered[4]] = [reordered[4]!, reordered[3]!];
  refused(
    write(t, reordered),
    ":5: window 1 sample 1: sample\\.at: 120000 is not after the previous sample's 180000 \\(line 4\\): samples are one per interval, in time order",
    ":5: window 1 sample 1: index: 1 is not after the previous sample's 2 \\(line 4\\)",
  );
  const twice = lines(3);
  (twice[4] as { sample: { at: number } }).sample.at = 2 * MINUTE;
  refused(
    write(t, twice),
    ":5: window 1 sample 2: sample\\.at: 120000 is not after the previous sample's 120000 \\(line 4\\)",
  );
  const early = lines(3);
  early[1] = { ...WINDOW, startedAt: 10 * MINUTE };
  refused(
    write(t, early),
    ":3: window 1 sample 0: sample\\.at: 60000 is before the window's startedAt 600000 \\(line 2\\)",
  );
  // Gaps in time are data (a missed interval), not an error.
  const gap = lines(4);
  (gap[5] as { sample: { at: number } }).sample.at = 9 * MINUTE;
  assert.notEqual(runAnalyzeCommand({ recording: write(t, gap) }).exitCode, 3);
});

test('histogram bucket keys the judge could not read are refused, not skipped', (t) => {
  const with_ = (over: Side, drop: string[] = []) =>
    lines(3, () => Object.fromEntries(Object.entries(side(10, over)).filter(([k]) => !drop.includes(k))));
  const at = ':3: window 1 sample 0: sample\\.canary';
  refused(
    write(t, with_({ 'latency{le="abc"}': 5 })),
    `${at}\\["latency\\{le=\\\\"abc\\\\"\\}"\\]: not a bucket key: write latency\\{le="<upper bound>"\\}`,
  );
  refused(
    write(t, with_({ 'latency{le=""}': 5 })),
    `${at}\\["latency\\{le=\\\\"\\\\"\\}"\\]: not a bucket key`,
  );
  refused(write(t, with_({ 'latency{le=0.2}': 95 })), `${at}\\["latency\\{le=0\\.2\\}"\\]: not a bucket key`);
  refused(
    write(t, with_({ 'latency{le="-Inf"}': 0 })),
    `${at}\\["latency\\{le=\\\\"-Inf\\\\"\\}"\\]: not a bucket key`,
  );
  refused(
    write(t, with_({ 'latency{le="0.10"}': 90 })),
    `${at}\\["latency\\{le=\\\\"0\\.10\\\\"\\}"\\]: the bucket le="0\\.10" is also written as "latency\\{le=\\\\"0\\.1\\\\"\\}": each bound once`,
  );
  refused(
    write(t, with_({}, ['latency{le="+Inf"}'])),
    `${at}\\["latency\\{le=\\\\"\\+Inf\\\\"\\}"\\]: latency has buckets but no le="\\+Inf" bucket \\(the total count\\)`,
  );
  refused(
    write(t, with_({ latency: 90 })),
    `${at}\\.latency: the total is 90 but the le="\\+Inf" bucket .* is 100: they are one count`,
  );
  // A count no interval holds is read, and made an out-of-range error of its interval as the live analyzer
  // makes it (a recording before 45b23476 holds it as read): past 2^53 the test's pooled sums overflow and
  // its evidence is NaN, so judged as given it would never roll back.
  for (const [over, says] of [
    [{ 'latency{le="0.1"}': -3 }, /latency: bucket le="0\.1": a count cannot be negative, got -3/],
    [
      { 'latency{le="+Inf"}': 1e308, latency: 1e308 },
      /latency: bucket le="\+Inf": a count of 1e\+308 is more than one interval can hold/,
    ],
  ] as const) {
    const result = runAnalyzeCommand({ recording: write(t, with_(over)) });
    assert.notEqual(result.exitCode, 0, result.output);
    assert.match(
      result.output,
      new RegExp(`#0 hold +no-data-pending: .*out-of-range \\(canary ${says.source}`),
    );
  }
  // A bound too large for a double would read as the +Inf bucket.
  refused(
    write(t, with_({ 'latency{le="1e400"}': 100 })),
    `${at}\\["latency\\{le=\\\\"1e400\\\\"\\}"\\]: not a bucket key`,
  );
});

test('bounds written as Prometheus reads them are judged like the canonical keys', (t) => {
  // A slow canary (90 of 100 requests above 0.1 s against 10): the histogram test rolls it back.
  const canonical = lines(6, () => side(90));
  const reference = analyzeRecording(write(t, canonical)).windows;
  assert.equal(reference[0]!.decision.code, 'sequential-latency-worse');
  const spelled = (inf: string, tenth: string, total: boolean) =>
    lines(6, () => {
      const values: Side = { error_rate: 0.01, errors: 1, requests: 100 };
      values[`latency{le="${tenth}"}`] = 10;
      values['latency{ le = "0.5"}'] = 55;
      values[`latency{le="${inf}"}`] = 100;
      if (total) values.latency = 100;
      return values;
    });
  for (const [inf, tenth, total] of [
    ['Inf', '0.1', true],
    ['inf', '1e-1', true],
    ['+Infinity', '0.10', false], // the total left out: the +Inf bucket is the total
  ] as const) {
    const windows = analyzeRecording(write(t, spelled(inf, tenth, total))).windows;
    assert.deepEqual(windows, reference, `le="${inf}", le="${tenth}", total ${total}`);
  }
});

test("NaN and Infinity written as bare words (Python's json.dumps) are refused at their line, saying to write null", (t) => {
  const base = lines(3).map((l) => JSON.stringify(l));
  base[3] = base[3]!.replace('"error_rate":0.01', '"error_rate": NaN');
  base[4] = base[4]!.replace('"error_rate":0.01', '"error_rate":-Infinity');
  refused(
    write(t, `${base.join('\n')}\n`),
    ":4: not JSON \\(.*\\): NaN is no JSON number \\(Python's json\\.dumps writes it for a float that is not finite\\); write null for no data",
    ':5: not JSON \\(.*\\): -Infinity is no JSON number',
  );
  // The words inside a string are no such number: that line's mistake is another.
  const quoted = lines(1).map((l) => JSON.stringify(l));
  quoted[2] = `${quoted[2]!.slice(0, -1)},"note":"NaN"`;
  assert.doesNotMatch(refused(write(t, `${quoted.join('\n')}\n`), ':3: not JSON'), /no JSON number/);
});

test('counts that cannot be, for an errors check, are judged as the live run judged them: a provider failure of the interval, held, then rolled back', (t) => {
  // Live, the judge fails closed on them (judge.ts impossibleCounts) and the recording keeps them as read:
  // refused here, a run's own recording could not be replayed.
  const once = analyzeRecording(
    write(
      t,
      lines(6, (i) => side(10, i === 1 ? { errors: 500 } : {})),
    ),
  ).windows[0]!;
  assert.equal(once.intervals[1]!.decision.code, 'no-data-pending');
  assert.match(
    once.intervals[1]!.decision.reason,
    /impossible counts, seeds\.errors-vs-stable: canary errors = 500 is more than requests = 100/,
  );
  assert.equal(once.decision.kind, 'promote', once.decision.reason);
  const lasting = (over: Side, where: 'canary' | 'stable' = 'canary') => {
    const all = lines(8);
    for (const line of all.slice(2)) {
      const sample = (line as { sample: Record<'canary' | 'stable', Side> }).sample;
      sample[where] = side(10, over);
    }
    return analyzeRecording(write(t, all)).windows[0]!.decision;
  };
  for (const [over, where, said] of [
    [{ errors: 500 }, 'canary', /canary errors = 500 is more than requests = 100/],
    [{ requests: -100 }, 'stable', /stable requests = -100 is not a count/],
    // Past 2^53 the error test's sums would overflow and its evidence be NaN: this canary (every request
    // an error) must not promote.
    [{ errors: 1.7e308, requests: 1.7e308 }, 'canary', /canary errors = 1\.7e\+308 is not a count/],
  ] as const) {
    const decision = lasting(over, where);
    assert.equal(decision.code, 'provider-errors', decision.reason);
    assert.match(decision.reason, said);
  }
  // Counts from Prometheus' increase() are not whole numbers, and an interval may have no requests: judged.
  const fractional = lines(6, (i) =>
    side(10, i === 2 ? { errors: 0, requests: 0 } : { errors: 0.7, requests: 99.4 }),
  );
  const run = runAnalyzeCommand({ recording: write(t, fractional) });
  assert.equal(run.exitCode, 0, run.output);
});

test('a check on a metric the recording never holds, or no check at all, is bad input, not a no-data rollback', (t) => {
  const file = write(t, lines(6));
  const p99 = runAnalyzeCommand({
    recording: file,
    config: {
      ...CONFIG,
      metrics: { ...CONFIG.metrics, p99: { provider: 'prom', query: 'x' } },
      checks: [{ check: 'p99 < 500' }],
    } as never,
  });
  assert.equal(p99.exitCode, 3, p99.output);
  assert.match(
    p99.output,
    new RegExp(
      `^error: ${escape(file)}: check "p99 < 500" uses the metric "p99", which no sample of the recording has \\(it has "error_rate", "errors", "latency" and "requests"\\)`,
    ),
  );
  const none = lines(6);
  none[0] = { ...HEADER, config: {} };
  refused(write(t, none), ':1: config: no checks to judge the recording with');
  // A recording with no data at all (a Prometheus gap for the whole run) is judged: the no-data policy.
  const silent = lines(8, () => null);
  for (const l of silent.slice(2)) (l as { sample: { stable: unknown } }).sample.stable = null;
  assert.equal(runAnalyzeCommand({ recording: write(t, silent) }).exitCode, 1);
});

test('a histogram comparison on a metric the recording holds as one number, never as buckets, is bad input, not a promotion that compared nothing', (t) => {
  // A slow canary (p95 in ms, 10x stable's) recorded under the name "latency", which the config reads as a
  // histogram: judged, seeds.latency-vs-stable compared no interval and the window promoted on the rest.
  const number = (latency: number) => ({ error_rate: 0.01, errors: 1, requests: 100, latency });
  const plain = [
    HEADER,
    WINDOW,
    ...Array.from({ length: 6 }, (_, i) => sampleLine(i, number(900), number(90))),
  ];
  refused(
    write(t, plain),
    ': check "seeds\\.latency-vs-stable" compares the histogram buckets of "latency" \\(latency\\{le="\\.\\.\\."\\}\\), which no sample of the recording has: it holds "latency" as one number',
  );
  // Never read at all (null in every sample, as a live run whose histogram reads all failed records it):
  // judged, as it was live (no data).
  const unread = (over: Side) => ({ error_rate: 0.01, errors: 1, requests: 100, latency: null, ...over });
  const failed = [
    HEADER,
    WINDOW,
    ...Array.from({ length: 8 }, (_, i) => sampleLine(i, unread({}), unread({}))),
  ];
  const judged = runAnalyzeCommand({ recording: write(t, failed) });
  assert.equal(judged.exitCode, 1, judged.output);
  assert.match(judged.output, /ROLLBACK \(no-data\): no data for latency/);
});

test('the format may gain fields: unknown keys at every level are accepted and change nothing', (t) => {
  const withDecisions = () =>
    lines(6, (i) => side(i === 4 ? 90 : 10)).map((l, i) =>
      i < 2 ? l : { ...l, decision: { kind: 'promote', code: 'healthy' } },
    );
  const plain = analyzeRecording(write(t, withDecisions())).windows;
  assert.deepEqual(plain[0]!.changed, [0, 1], 'the first two intervals hold');
  const extended = withDecisions();
  extended[0] = { ...HEADER, writer: 'deploy-action 9.0', created: '2030-01-01' };
  extended[1] = { ...WINDOW, labels: { team: 'a' }, context: { ...WINDOW.context, cluster: 'eu-1' } };
  for (const l of extended.slice(2) as Array<Record<string, Record<string, unknown>>>) {
    l.trace = { id: 'x' } as never;
    l.sample!.duration_ms = 12;
    l.sample!.errors = [{ provider: 'prom', side: 'canary', code: 'empty-result', message: 'm', attempt: 2 }];
    l.decision = { kind: 'promote', code: 'healthy', confidence: 0.9 };
  }
  const windows = analyzeRecording(write(t, extended)).windows;
  assert.deepEqual(windows, plain, 'judged alike, and the unknown fields are not carried into the output');
  // However deep an unknown field, the output (which once carried it) is written.
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const nested = extended.map((l) => JSON.stringify(l).replace('{', `{"deep":${deep},`));
  nested[1] = nested[1]!.replace('"context":{', `"context":{"deep":${deep},`);
  const json = runAnalyzeCommand({ recording: write(t, nested), json: true });
  assert.equal(json.exitCode, 0, json.output.slice(0, 300));
  assert.deepEqual(
    (JSON.parse(json.output) as { windows: unknown }).windows,
    JSON.parse(JSON.stringify(plain)),
  );
  // Except a misspelling of a key that is missing: that loses data (the stable side) without a word.
  const typo = lines(3);
  const s = (typo[3] as { sample: Record<string, unknown> }).sample;
  s.stabel = s.stable;
  delete s.stable;
  refused(
    write(t, typo),
    ':4: window 1 sample 1: sample\\.stabel: unknown key "stabel": did you mean "stable"\\?',
  );
  const context = lines(3);
  context[1] = { ...WINDOW, context: { ...WINDOW.context, intervalMs: undefined, intervalMS: MINUTE } };
  refused(
    write(t, context),
    ':2: window 1: context: missing required key "intervalMs"',
    ':2: window 1: context\\.intervalMS: unknown key "intervalMS": did you mean "intervalMs"\\?',
  );
});

test('how the providers were reached does not stop a replay: settings refused since, or added later, are not read', (t) => {
  const plain = analyzeRecording(write(t, lines(6))).windows;
  // A timeout of 0 and a range of no time were accepted when this recording was made (they are refused since
  // 4d1134f); headers as the writer redacts them; a setting from a later version. A replay calls no provider.
  const recorded = {
    ...CONFIG,
    providers: {
      prom: {
        type: 'prometheus',
        url: 'http://127.0.0.1:9090',
        timeout: '0s',
        headers: { Authorization: '[redacted]' },
        tls: { ca_file: '/etc/ca.pem' },
      },
      script: { type: 'command', run: ['./m.sh'], timeout: '0s', sandbox: true },
    },
    metrics: { ...CONFIG.metrics, error_rate: { provider: 'prom', query: 'x', range: { window: '0s' } } },
  };
  const old = lines(6);
  old[0] = { ...HEADER, config: recorded };
  assert.deepEqual(analyzeRecording(write(t, old)).windows, plain);
  // What the judge reads is still checked: a provider type it does not know, a check on a metric without one.
  const unknownType = lines(6);
  unknownType[0] = {
    ...HEADER,
    config: { ...recorded, providers: { prom: { type: 'graphite', url: 'x' } } },
  };
  refused(write(t, unknownType), ':1: config\.providers\.prom\.type: ');
  // A config given to judge with is today's config, checked as written.
  assert.throws(
    () => analyzeRecording(write(t, lines(6)), recorded as never),
    /the analysis config given\.providers\.prom\.timeout: /,
  );
});

test('a byte order mark, CRLF line ends and blank lines are read as the same recording', (t) => {
  const reference = analyzeRecording(write(t, lines(6))).windows;
  const text = lines(6)
    .map((l) => JSON.stringify(l))
    .join('\r\n\r\n');
  assert.deepEqual(analyzeRecording(write(t, `\uFEFF${text}\r\n`)).windows, reference);
});

// Everything a recording names reaches the output: a version, a check name, a provider's message, a key.
// The format characters after "fake" (RLO, LRM, ZWJ, BOM, a tag character) make text read other than it is.
const HOSTILE = 'x\u001b[2J\u001b]0;owned\u0007\u009b31m\r\nfake\u202e\u200e\u200d\ufeff\u{e0041}';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u;

test('control characters from the recording are escaped in text and JSON output, never sent raw', (t) => {
  const hostile = lines(7);
  hostile[0] = {
    ...HEADER,
    config: { ...CONFIG, checks: [{ name: `rule ${HOSTILE}`, check: 'error_rate < 5%' }] },
  };
  hostile[1] = { ...WINDOW, context: { ...WINDOW.context, version: HOSTILE, stableVersion: HOSTILE } };
  for (const l of hostile.slice(2) as Array<{ sample: { errors: unknown[] } }>)
    l.sample.errors = [{ provider: HOSTILE, side: 'canary', code: 'timeout', message: HOSTILE }];
  const file = write(t, hostile);
  const text = runAnalyzeCommand({ recording: file });
  assert.equal(text.exitCode, 1, text.output); // six provider errors in a row
  assert.doesNotMatch(text.output, RAW);
  assert.match(
    text.output,
    /window 1: canary-step production x\\u001b\[2J\\u001b\]0;owned\\u0007\\u009b31m\\r\\nfake\\u202e\\u200e\\u200d\\ufeff\\u\{e0041\} vs/,
  );
  assert.match(text.output, /last: x\\u001b\[2J/);
  const json = runAnalyzeCommand({ recording: file, json: true });
  assert.doesNotMatch(json.output, RAW);
  // Still JSON, and the values read back are the recording's own.
  const parsed = JSON.parse(json.output) as { windows: Array<{ context: { version: string } }> };
  assert.equal(parsed.windows[0]!.context.version, HOSTILE);

  // The same in error messages: an unknown line type, a misspelt key, a bad bucket key.
  const bad = lines(3);
  bad.push({ type: HOSTILE });
  (bad[2] as { sample: { canary: Side } }).sample.canary[`latency{le="${HOSTILE}"}`] = 1;
  const s = (bad[3] as { sample: Record<string, unknown> }).sample;
  s[`stable${HOSTILE.slice(0, 2)}`] = s.stable;
  delete s.stable;
  const refusedFile = write(t, bad);
  const error = runAnalyzeCommand({ recording: refusedFile });
  assert.equal(error.exitCode, 3);
  assert.equal(error.output.split('\n').length, 3, error.output); // three problems, one line each
  assert.doesNotMatch(error.output, RAW);
  const errorJson = runAnalyzeCommand({ recording: refusedFile, json: true });
  assert.doesNotMatch(errorJson.output, RAW);
  assert.match((JSON.parse(errorJson.output) as { error: string }).error, /unknown line type/);
});

// A provider's note (what it could not judge) is shown as recorded: every field of it is the file's.
test("a recorded note's provider and message are shown escaped and cut, in text and JSON; a hostile code is refused", (t) => {
  const big = (c: string) => c.repeat(1_000_000);
  const notes = [
    { provider: HOSTILE, code: 'logs-held-pattern', message: HOSTILE },
    // A later version's code: shown as recorded, its text as bounded as a known one's.
    { provider: big('p'), code: 'logs-made-later', message: big('m') },
    { provider: 'logs', code: 'logs-reference-full', message: `${big('\u009b')}${HOSTILE}` },
  ];
  const recording = lines(3).map((l, i) => (i < 2 ? l : { ...l, notes }));
  const file = write(t, recording);
  const text = runAnalyzeCommand({ recording: file });
  assert.equal(text.exitCode, 2, text.output.slice(0, 2000)); // a hold: 3 of the window's 5 intervals
  assert.doesNotMatch(text.output, RAW);
  const shown = text.output.split('\n').filter((l) => l.startsWith('     note'));
  assert.equal(shown.length, 9, 'three notes under each of the three intervals');
  assert.match(
    shown[0]!,
    /^ {5}note {5}logs-held-pattern \[x\\u001b\[2J\\u001b\]0;owned\\u0007\\u009b31m\\r\\nfake\\u202e\\u200e\\u200d\\ufeff\\u\{e0041\}\]: x\\u001b/,
  );
  assert.match(
    shown[1]!,
    /^ {5}note {5}logs-made-later \[p{200}\.\.\. \(999800 more characters\)\]: m{8000}\.\.\. \(992000 more characters\)$/,
  );
  // Escaped after it is cut: each C1 control is six characters shown, never more than the cut allows.
  assert.ok(shown[2]!.length < 6 * 8000 + 100, String(shown[2]!.length));
  assert.ok(text.output.length < 9 * 60_000, String(text.output.length));
  const json = runAnalyzeCommand({ recording: file, json: true });
  assert.doesNotMatch(json.output, RAW);
  assert.ok(json.output.length < 9 * 60_000, String(json.output.length));
  const parsed = JSON.parse(json.output) as {
    windows: Array<{
      intervals: Array<{ notes: Array<{ provider: string; code: string; message: string }> }>;
    }>;
  };
  const [hostile, later] = parsed.windows[0]!.intervals[0]!.notes;
  assert.deepEqual(hostile, notes[0], "the values read back are the recording's own");
  assert.equal(later!.provider, `${'p'.repeat(200)}... (999800 more characters)`);
  assert.equal(later!.message, `${'m'.repeat(8000)}... (992000 more characters)`);
  // The code is printed bare, so it must be a code: anything else is refused at its line and field.
  for (const code of [HOSTILE, 'logs-x\u202e', 'logs-x'.repeat(20)]) {
    const bad = write(
      t,
      lines(3).map((l, i) => (i === 2 ? { ...l, notes: [{ provider: 'logs', code, message: 'x' }] } : l)),
    );
    const out = refused(bad, ':3: window 1 sample 0: notes\\[0\\]\\.code: ');
    assert.doesNotMatch(out, RAW);
  }
});

test('a line of 100 000 notes shows the first 20 of its interval and counts the rest, in text and JSON', (t) => {
  const many = Array.from({ length: 100_000 }, (_, i) => ({
    provider: 'logs',
    code: `logs-n${i}`,
    message: '',
  }));
  const file = write(
    t,
    lines(3).map((l, i) => (i === 2 ? { ...l, notes: many } : l)),
  );
  const text = runAnalyzeCommand({ recording: file }).output.split('\n');
  const shown = text.filter((l) => l.startsWith('     note'));
  assert.equal(shown.length, 21, shown.slice(-3).join('\n'));
  assert.equal(shown[19], '     note     logs-n19 [logs]: ');
  assert.equal(shown[20], '     note     and 99980 more, not shown');
  const json = runAnalyzeCommand({ recording: file, json: true }).output;
  assert.ok(json.length < 10_000, String(json.length));
  const interval = (JSON.parse(json) as { windows: Array<{ intervals: Array<Record<string, unknown>> }> })
    .windows[0]!.intervals[0]!;
  assert.equal((interval.notes as unknown[]).length, 20);
  assert.equal(interval.notesLeftOut, 99_980);
});

// No clock: judged in linear time this takes seconds; work quadratic in the samples (1e10 steps and more)
// would outlast the test's own timeout, which is the backstop.
test('a recording of 100 000 samples is judged in seconds', { timeout: 120_000 }, (t) => {
  const n = 100_000;
  const text = [
    JSON.stringify(HEADER),
    JSON.stringify({ ...WINDOW, context: { ...WINDOW.context, windowMs: n * MINUTE } }),
  ];
  for (let i = 0; i < n; i++)
    text.push(JSON.stringify(sampleLine(i, side(10 + (i % 3)), side(10 + (i % 5)))));
  const file = write(t, `${text.join('\n')}\n`);
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, 0, result.output.slice(-500));
  assert.match(result.output, /=> PROMOTE \(healthy\): all 5 checks hold after 100000 intervals with data$/);
});

test('a file that never ends is refused at the size limit, not read until memory runs out', (t) => {
  assert.throws(
    () => readRecording('/dev/zero', 1024 * 1024),
    (error: Error) =>
      error instanceof RecordingError &&
      /^cannot read recording \/dev\/zero: more than 1 MiB: too large to judge in memory/.test(error.message),
  );
  // Below the limit, and through a pipe, a recording reads as usual.
  const file = write(t, lines(3));
  assert.equal(readRecording(file, 1024 * 1024).windows[0]!.samples.length, 3);
  const directory = runAnalyzeCommand({ recording: tmpdir() });
  assert.equal(directory.exitCode, 3, directory.output);
  assert.match(directory.output, /^error: cannot read recording .*: EISDIR/);
});

test('samples after the window (and its one extension) are not judged, as a live run never reads them', (t) => {
  // 5 one-minute intervals; the error test's evidence against a 40 % error canary is overwhelming by the 8th.
  const bad = side(10, { error_rate: 0.4, errors: 40 });
  const afterPromotion = lines(8, (i) => (i < 5 ? side() : bad));
  const promoted = analyzeRecording(write(t, afterPromotion)).windows[0]!;
  assert.equal(promoted.decision.kind, 'promote', promoted.decision.reason);
  assert.equal(promoted.intervals.length, 5);
  assert.equal(promoted.unjudged, 3);
  const text = runAnalyzeCommand({ recording: write(t, afterPromotion) });
  assert.equal(text.exitCode, 0, text.output);
  assert.match(text.output, /3 sample\(s\) after the window's decision not judged/);

  // Held at the window's end (a breach of "error_rate < 5% for 3m" pending): extended by ceil(5 x 0.5) = 3
  // intervals, where the breach lasts its 3 minutes; the 2 samples after the extension are not judged.
  const config = {
    ...CONFIG,
    preset: 'none',
    checks: [{ check: 'error_rate < 5%', for: '3m' }],
  };
  const held = lines(10, (i) => (i < 4 ? side() : bad));
  held[0] = { ...HEADER, config };
  const extended = analyzeRecording(write(t, held)).windows[0]!;
  assert.equal(extended.intervals[4]!.decision.code, 'breach-pending');
  assert.equal(extended.decision.code, 'threshold-breached');
  assert.equal(extended.intervals.length, 7, 'fires at the 3rd violating minute, inside the extension');
  const healthyAfter = lines(10, (i) => (i === 4 ? bad : side()));
  healthyAfter[0] = { ...HEADER, config };
  const settled = analyzeRecording(write(t, healthyAfter)).windows[0]!;
  assert.equal(settled.intervals.length, 8, '5 intervals and the 3 of the extension');
  assert.equal(settled.unjudged, 2);
});

test('a comparison that never had an interval it could use is named, not passed off as holding', (t) => {
  // Per-bucket counts where cumulative ones belong (decreasing with le): the histogram test would skip
  // them all, so they are out-of-range errors of their intervals, as the live analyzer makes them, and the
  // window fails closed instead of promoting on the other checks.
  const perBucket = lines(5, () => side(10, { 'latency{le="0.1"}': 60, 'latency{le="0.5"}': 30 }));
  const screened = runAnalyzeCommand({ recording: write(t, perBucket) });
  assert.equal(screened.exitCode, 1, screened.output);
  assert.match(
    screened.output,
    /#0 hold +no-data-pending: .*out-of-range \(canary latency: bucket le="0\.5" counts 30, fewer than le="0\.1" below it \(60\)/,
  );
  // Stable without requests: the comparisons have nothing to compare with.
  const noRequests = lines(5);
  for (const l of noRequests.slice(2))
    (l as { sample: { stable: unknown } }).sample.stable = side(0, {
      errors: 0,
      requests: 0,
      latency: 0,
      'latency{le="0.1"}': 0,
      'latency{le="0.5"}': 0,
      'latency{le="+Inf"}': 0,
    });
  const file = write(t, noRequests);
  const window = analyzeRecording(file).windows[0]!;
  assert.deepEqual(window.idle, ['seeds.errors-vs-stable', 'seeds.latency-vs-stable']);
  assert.match(
    runAnalyzeCommand({ recording: file }).output,
    /\n {2}not compared \(no interval they could use: .*\): seeds\.errors-vs-stable, seeds\.latency-vs-stable$/,
  );
  // No stable side recorded: neither comparison ran.
  const canaryOnly = lines(5);
  for (const l of canaryOnly.slice(2)) delete (l as { sample: { stable?: unknown } }).sample.stable;
  assert.deepEqual(analyzeRecording(write(t, canaryOnly)).windows[0]!.idle, [
    'seeds.errors-vs-stable',
    'seeds.latency-vs-stable',
  ]);
  // Both sides, cumulative buckets: nothing to say.
  assert.equal(analyzeRecording(write(t, lines(5))).windows[0]!.idle, undefined);
});

test('a problem quoting a huge key or value is cut short, not printed in full for every line', (t) => {
  const key = 'k'.repeat(200_000);
  const file = write(t, [...lines(5, () => side(10, { [key]: 'x' as never })), { type: key }]);
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, 3);
  const problems = result.output.split('\n');
  assert.equal(problems.length, 6, 'five samples and the last line');
  for (const line of problems) {
    assert.ok(line.length < 1100, `${line.length} characters`);
    // Cut where it is long: a key in a field's path is quoted and cut there (formatPath), else the line.
    assert.match(line, /\.\.\. \(\d+ more characters\)$|\["k{77}\.\.\."\]/);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Every field of every line, one at a time, given a value of another kind: refused with a RecordingError (or
// judged, where the field is free), never a TypeError. A mapping with keys named like Object.prototype's
// methods cannot be turned into a number or text, so it finds every place that reads a field unchecked.

const HOSTILE_VALUES: unknown[] = [{ toString: 'x', valueOf: 'y' }, ['a'], 'text', null];

for (const fixture of [
  'test/fixtures/analysis/canary-sustained-errors.ndjson',
  'test/fixtures/analysis/formats/20de658-histogram-errors.ndjson',
  'test/fixtures/analysis/formats/20de658-explicit-errors.ndjson',
])
  test(`${fixture}: any field of the header, the window line or a sample given another kind of value is refused or judged, never a crash`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-fields-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const lines = readFileSync(fixture, 'utf8').split('\n').filter(Boolean);
    const file = join(dir, 'recording.ndjson');
    let refused = 0;
    // The header, the first window line and the sample after it.
    for (const at of [0, 1, 2]) {
      const doc = JSON.parse(lines[at]!);
      for (const path of valuePaths(doc))
        for (const value of HOSTILE_VALUES) {
          const copy = [...lines];
          copy[at] = JSON.stringify(withValueAt(doc, path, value));
          writeFileSync(file, `${copy.join('\n')}\n`);
          const where = `line ${at + 1} ${path.join('.')} = ${JSON.stringify(value)}`;
          try {
            JSON.stringify(analyzeRecording(file));
          } catch (error) {
            assert.ok(error instanceof RecordingError, `${where}: ${(error as Error).stack}`);
            refused++;
          }
        }
    }
    assert.ok(refused > 0);
  });

test('a fraction a rounding error below 0 replays as 0, as the live run reads it: no "2x baseline" of -1e-17', (t) => {
  // No stable side (blue-green): seeds.error-rate-vs-baseline compares with the pre-deploy reading. Read as
  // given, 2x a baseline of -1e-17 is -2e-17, which the same -1e-17 breaks in every interval.
  const canary = { error_rate: -1e-17 };
  const file = write(t, [
    {
      ...HEADER,
      config: { providers: CONFIG.providers, metrics: { error_rate: CONFIG.metrics.error_rate } },
    },
    { ...WINDOW, baseline: { error_rate: -1e-17 } },
    ...Array.from({ length: 5 }, (_, i) => ({
      type: 'sample',
      index: i,
      sample: { at: (i + 1) * MINUTE, canary, errors: [] },
    })),
  ]);
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, 0, result.output);
  assert.doesNotMatch(result.output, /seeds\.error-rate-vs-baseline|ROLLBACK/);
});
