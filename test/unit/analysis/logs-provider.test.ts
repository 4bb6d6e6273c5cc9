// The logs provider with a real command (a small script printing one side's log lines): error lines per
// interval, new canary patterns against stable's lines of the same window and the pre-deploy baseline, a
// window that starts fresh, and the command provider's machinery (timeout, cancellation, templating) reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer, type AnalysisContext } from '../../../src/analysis/analyzer.ts';
import { createLogsProvider } from '../../../src/analysis/providers/logs.ts';
import { matchLines } from '../../../src/analysis/providers/log-match.ts';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import { windowEvidence } from '../../../src/analysis/evidence.ts';
import { RE2JS } from 're2js';
import type { ReadRequest } from '../../../src/analysis/providers/provider.ts';
import { logsProviderSchema } from '../../../src/analysis/schema.ts';
import { MAX_PATTERNS, MAX_REFERENCE_PATTERNS } from '../../../src/analysis/log-config.ts';
import type { Side } from '../../../src/analysis/types.ts';
import { say } from '../../../src/report/markdown.ts';
import { assertInert } from '../report/markdown-check.ts';

/** Prints the file <dir>/<version>.log (the side's lines for this interval), then exits. */
const PRINT = `process.stdout.write(require('node:fs').readFileSync(require('node:path').join(process.argv[1], process.argv[2] + '.log')))`;

function logsDir(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'logs-provider-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    /** The lines a version prints from now on. */
    write: (version: string, lines: string[] | Buffer) =>
      writeFileSync(join(dir, `${version}.log`), Buffer.isBuffer(lines) ? lines : lines.join('\n') + '\n'),
  };
}

function provider(dir: string, extra: Record<string, unknown> = {}, warn?: (m: string) => void) {
  const config = logsProviderSchema.parse({
    type: 'logs',
    run: [process.execPath, '-e', PRINT, dir, '{{version}}'],
    retries: 0,
    ...extra,
  });
  return createLogsProvider('logs', config, { warn: warn ?? (() => {}) });
}

const METRICS: ReadRequest['metrics'] = [
  { name: 'error_lines', config: { provider: 'logs' } },
  { name: 'new_error_patterns', config: { provider: 'logs' } },
];

function request(side: Side, version: string, over: Partial<ReadRequest> = {}): ReadRequest {
  return {
    side,
    vars: { version },
    metrics: METRICS,
    intervalMs: 60_000,
    signal: new AbortController().signal,
    ...over,
  };
}

/** One interval of a canary step: both sides read at the same time, as the analyzer reads them. */
async function interval(p: ReturnType<typeof provider>) {
  const sides = ['canary', 'stable'] as const;
  const [canary, stable] = await Promise.all([
    p.read(request('canary', 'v2', { sides })),
    p.read(request('stable', 'v1', { sides })),
  ]);
  return { canary: canary!, stable: stable! };
}

const known = (id: number) =>
  `2026-12-06T02:0${id % 10}:00Z ERROR db connection refused to 10.0.0.${id}:5432`;
const fresh = (id: number) =>
  `2026-12-06T02:0${id % 10}:00Z ERROR TypeError: Cannot read properties of undefined (reading 'cart_${id}x')`;

test('logs provider: the canary pattern stable never shows is new at min_count occurrences; stable reports 0', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', ['INFO ok', known(1), known(2), 'WARN slow']);
  write('v2', ['INFO ok', known(3), fresh(1), fresh(2)]);
  const p = provider(dir);
  p.startWindow!();
  let read = await interval(p);
  assert.deepEqual(read.stable.values, { error_lines: 2, new_error_patterns: 0 });
  // Two occurrences: not yet a pattern (min_count 3).
  assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: 0 });
  assert.equal(read.canary.evidence, undefined);
  read = await interval(p);
  // Four occurrences in the window so far.
  assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: 1 });
  assert.deepEqual(read.canary.errors, []);
  assert.deepEqual(read.canary.evidence, {
    new_error_patterns:
      '1 new error pattern: "<time> ERROR TypeError: Cannot read properties of undefined (reading <str>)" (x4)',
  });
  // A new window starts fresh: the two occurrences it reads are not yet a pattern.
  p.startWindow!();
  read = await interval(p);
  assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: 0 });
});

test('logs provider: errors stable shows in the same interval are no new pattern, nor documented warnings', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1), fresh(9)]);
  write('v2', [
    known(3),
    known(4),
    known(5),
    fresh(1),
    fresh(2),
    fresh(3),
    'ERROR cache warmup 17 of 90 (expected)',
    'ERROR cache warmup 18 of 90 (expected)',
    'ERROR cache warmup 19 of 90 (expected)',
  ]);
  const p = provider(dir, { ignore: ['cache warmup \\d+ of \\d+'] });
  p.startWindow!();
  const read = await interval(p);
  assert.deepEqual(read.canary.values, { error_lines: 6, new_error_patterns: 0 });
});

test('logs provider: a JSON line longer than 2 KB (a logged stack) is read by its message; a coloured level is found', async (t) => {
  const { dir, write } = logsDir(t);
  const json = (type: string, message: string) =>
    JSON.stringify({
      level: 50,
      err: {
        type,
        message,
        stack: `${type}: ${message}\n${'    at handler (/app/src/x.js:12:5)\n'.repeat(80)}`,
      },
      msg: 'request failed',
    });
  write('v1', [json('TypeError', 'x is undefined'), '\x1b[31mERROR\x1b[0m db down']);
  write('v2', [
    ...[1, 2, 3].map(() => json('TypeError', 'x is undefined')),
    ...[1, 2, 3].map(() => json('RangeError', 'bad length')),
    ...[1, 2, 3].map(() => '\x1b[1;31mERROR\x1b[m db down'),
  ]);
  const p = provider(dir);
  p.startWindow!();
  const read = await interval(p);
  assert.deepEqual(read.stable.values, { error_lines: 2, new_error_patterns: 0 });
  assert.deepEqual(read.canary.values, { error_lines: 9, new_error_patterns: 1 });
  assert.deepEqual(read.canary.evidence, {
    new_error_patterns: '1 new error pattern: "request failed: RangeError: bad length" (x3)',
  });
});

test('logs provider: a JSON line whose level follows a 3 KB message is an error line, and a new pattern by its message', async (t) => {
  // Matching saw each line's first 2 KB: "level":"error" after a long message was never found.
  const { dir, write } = logsDir(t);
  const line = (n: number) =>
    JSON.stringify({ msg: `checkout rejected for cart ${n}: ${'item,'.repeat(600)}`, level: 'error' });
  write('v1', []);
  write('v2', [line(1), line(2), line(3)]);
  const p = provider(dir);
  p.startWindow!();
  const read = await interval(p);
  assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: 1 });
  assert.match(
    read.canary.evidence!.new_error_patterns!,
    /^1 new error pattern: "checkout rejected for cart <n>: item,/,
  );
});

test("logs provider: errors both sides log in an interval take no place of the canary's own, whichever side is read first", async (t) => {
  const { dir, write } = logsDir(t);
  // Words no signature rule replaces (letters only): each line a pattern of its own, on both sides.
  const word = (i: number) =>
    [...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('');
  const noise = Array.from({ length: MAX_PATTERNS + 100 }, (_, i) => `ERROR user ${word(i)} not found`);
  write('v1', noise);
  write('v2', [...noise, ...[1, 2, 3].map(() => 'ERROR TypeError: x is undefined')]);
  // Stable's command answers after the canary's: its lines reach the reference last.
  const late = `setTimeout(() => { ${PRINT} }, process.argv[2] === 'v1' ? 500 : 0)`;
  const config = logsProviderSchema.parse({
    type: 'logs',
    run: [process.execPath, '-e', late, dir, '{{version}}'],
    retries: 0,
  });
  const p = createLogsProvider('logs', config, { warn: () => {} });
  p.startWindow!();
  const read = await interval(p);
  assert.deepEqual(read.canary.values, { error_lines: MAX_PATTERNS + 103, new_error_patterns: 1 });
});

test('logs provider: a stable flooding more distinct errors than the reference keeps makes no pattern new, said once, not a false rollback', async (t) => {
  const { dir, write } = logsDir(t);
  const word = (i: number) =>
    [...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('');
  const flood = Array.from(
    { length: MAX_REFERENCE_PATTERNS + 10 },
    (_, i) => `ERROR user ${word(i)} not found`,
  );
  write('v1', flood);
  // The canary logs one of stable's last patterns, which the full reference could not keep.
  write('v2', [flood.at(-1)!, flood.at(-1)!, flood.at(-1)!]);
  const warnings: string[] = [];
  const p = provider(dir, {}, (m) => warnings.push(m));
  p.startWindow!();
  const reads = [];
  for (let i = 0; i < 2; i++) {
    const read = await interval(p);
    assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: 0 });
    assert.equal(read.canary.evidence, undefined);
    reads.push(read);
  }
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /^logs: the reference .* showed more than 20000 distinct error patterns or 2 MiB of them, so not all are kept and no canary pattern is judged new for the rest of the window/,
  );
  // The read says it too, beside its values, for the window's evidence and the summary: once a window.
  assert.deepEqual(reads[0]!.canary.notes, [
    { provider: 'logs', code: 'logs-reference-full', message: warnings[0]!.slice('logs: '.length) },
  ]);
  assert.equal(reads[1]!.canary.notes, undefined);
  assert.equal(reads[0]!.stable.notes, undefined);
  // A new window that fills again says it again.
  p.startWindow!();
  assert.equal((await interval(p)).canary.notes?.[0]?.code, 'logs-reference-full');
});

test('logs provider: without a stable side the pre-deploy baseline reading is the reference', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1)]);
  write('v2', [known(2), known(3), known(4), fresh(1), fresh(2), fresh(3)]);
  const p = provider(dir);
  const baseline = await p.read(request('canary', 'v1', { baseline: true }));
  assert.deepEqual(baseline.values, { error_lines: 1, new_error_patterns: 0 });
  p.startWindow!();
  const read = await p.read(request('canary', 'v2'));
  assert.deepEqual(read.values, { error_lines: 6, new_error_patterns: 1 });
  assert.match(read.evidence!.new_error_patterns!, /TypeError/);
  assert.doesNotMatch(read.evidence!.new_error_patterns!, /connection refused/);
});

test('logs provider: with nothing to compare with (no stable side, no baseline), no pattern is new, said once', async (t) => {
  const { dir, write } = logsDir(t);
  write('v2', [fresh(1), fresh(2), fresh(3)]);
  const warnings: string[] = [];
  const p = provider(dir, {}, (m) => warnings.push(m));
  p.startWindow!();
  const reads = [];
  for (let i = 0; i < 2; i++) {
    const read = await p.read(request('canary', 'v2'));
    assert.deepEqual(read.values, { error_lines: 3, new_error_patterns: 0 });
    reads.push(read);
  }
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /no stable version serves beside the canary and no pre-deploy baseline was read/,
  );
  // Noted once a window, every window (the log says it once).
  assert.deepEqual(reads[0]!.notes, [
    { provider: 'logs', code: 'logs-no-reference', message: warnings[0]!.slice('logs: '.length) },
  ]);
  assert.equal(reads[1]!.notes, undefined);
  p.startWindow!();
  assert.equal((await p.read(request('canary', 'v2'))).notes?.[0]?.code, 'logs-no-reference');
  assert.equal(warnings.length, 1);
});

test('logs provider: when stable cannot be read, the canary has no new-pattern count (no data, not a guess)', async (t) => {
  const { dir, write } = logsDir(t);
  write('v2', [fresh(1), fresh(2), fresh(3)]);
  // No v1.log: stable's command fails.
  const p = provider(dir);
  p.startWindow!();
  const read = await interval(p);
  assert.equal(read.stable.errors[0]?.code, 'command-failed');
  assert.deepEqual(read.stable.values, { error_lines: null, new_error_patterns: null });
  assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: null });
});

test('logs provider: what the canary logged while stable could not be read is not judged new in that window, even once stable reads again', async (t) => {
  const { dir, write } = logsDir(t);
  const p = provider(dir);
  p.startWindow!();
  // Interval 1: stable's command fails (no v1.log) in the interval it logged the dependency's outage; the
  // canary logged it too.
  write('v2', [fresh(1), fresh(2)]);
  const first = await interval(p);
  assert.equal(first.stable.errors[0]?.code, 'command-failed');
  assert.deepEqual(first.canary.values, { error_lines: 2, new_error_patterns: null });
  // Interval 2: stable reads again, without the outage; the canary's third line of it is no new pattern
  // (stable may have logged it in interval 1), and a pattern the canary shows first now still is.
  write('v1', [known(1)]);
  write('v2', [
    fresh(3),
    'ERROR RangeError: bad length',
    'ERROR RangeError: bad length',
    'ERROR RangeError: bad length',
  ]);
  const second = await interval(p);
  assert.deepEqual(second.canary.values, { error_lines: 4, new_error_patterns: 1 });
  assert.match(
    second.canary.evidence!.new_error_patterns!,
    /^1 new error pattern: "ERROR RangeError: bad length" \(x3\)$/,
  );
  // A new window, stable read from its start: the pattern is judged again.
  p.startWindow!();
  write('v2', [fresh(4), fresh(5), fresh(6)]);
  const next = await interval(p);
  assert.deepEqual(next.canary.values, { error_lines: 3, new_error_patterns: 1 });
  assert.match(next.canary.evidence!.new_error_patterns!, /TypeError/);
});

test('logs provider: a pattern held for an interval stable could not be read is said in a warning once it would be new, once a window', async (t) => {
  const { dir, write } = logsDir(t);
  const warnings: string[] = [];
  const p = provider(dir, {}, (m) => warnings.push(m));
  p.startWindow!();
  // Interval 1: stable unreadable; the canary starts logging a new error at once (as a new version's bug does).
  write('v2', [fresh(1), fresh(2)]);
  await interval(p);
  assert.deepEqual(warnings, []);
  // Interval 2: stable reads again; the third occurrence would make it new, the hold keeps it from the count.
  write('v1', [known(1)]);
  write('v2', [fresh(3), fresh(4)]);
  const second = await interval(p);
  assert.deepEqual(second.canary.values, { error_lines: 2, new_error_patterns: 0 });
  assert.deepEqual(warnings, [
    'logs: 1 error pattern: "<time> ERROR TypeError: Cannot read properties of undefined (reading <str>)" (x4) not judged new in this window: the canary logged it in an interval whose stable lines could not be read, and stable may have logged it then (new_error_patterns does not count it; the next window judges it anew)',
  ]);
  assert.deepEqual(second.canary.notes, [
    {
      provider: 'logs',
      code: 'logs-held-pattern',
      message: (warnings as string[])[0]!.slice('logs: '.length),
    },
  ]);
  // Said once a window.
  assert.equal((await interval(p)).canary.notes, undefined);
  assert.equal(warnings.length, 1);
  // A held pattern stable itself logs is no warning: it is not new anyway.
  p.startWindow!();
  rmSync(join(dir, 'v1.log'));
  write('v2', [known(2), known(3), known(4)]);
  await interval(p);
  write('v1', [known(5)]);
  write('v2', [known(6)]);
  await interval(p);
  assert.equal(warnings.length, 1);
});

test('logs provider: a canary whose distinct patterns fill its book says so once a window: a pattern it logs after that is not counted', async (t) => {
  const { dir, write } = logsDir(t);
  const word = (i: number) =>
    [...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('');
  write('v1', [known(1)]);
  write(
    'v2',
    Array.from({ length: MAX_PATTERNS + 1 }, (_, i) => `ERROR user ${word(i)} not found`),
  );
  const warnings: string[] = [];
  const p = provider(dir, {}, (m) => warnings.push(m));
  p.startWindow!();
  const first = await interval(p);
  write('v2', [fresh(1), fresh(2), fresh(3)]);
  const read = await interval(p);
  assert.deepEqual(read.canary.values, { error_lines: 3, new_error_patterns: 0 });
  assert.deepEqual(warnings, [
    `logs: the canary logged more than ${MAX_PATTERNS} distinct error patterns in this window; one it first logs after that is not counted, so new_error_patterns may miss it for the rest of the window (error_lines is still counted). Leave the noisy errors out with ignore`,
  ]);
  // The note came with the read that filled the book, not again.
  assert.deepEqual(first.canary.notes, [
    { provider: 'logs', code: 'logs-canary-book-full', message: warnings[0]!.slice('logs: '.length) },
  ]);
  assert.equal(read.canary.notes, undefined);
});

test('logs provider: a field it does not count is a query error naming the two it does', async (t) => {
  const { dir, write } = logsDir(t);
  write('v2', [known(1)]);
  const p = provider(dir);
  const read = await p.read(
    request('canary', 'v2', { metrics: [{ name: 'errs', config: { provider: 'logs', field: 'errors' } }] }),
  );
  assert.deepEqual(read.values, { errs: null });
  assert.equal(read.errors[0]?.code, 'query-error');
  assert.match(read.errors[0]!.message, /counts error_lines, new_error_patterns; not "errors" \(its field\)/);
});

test('logs provider: a timeout of 0 is no timeout, for matching the lines as for the command (the duration fields\' "0 for none")', async (t) => {
  // The config check refuses 0 for an analysis provider; a provider made in code (or by an older config) may
  // carry it, and matching at once timed out, every read an error.
  const { dir, write } = logsDir(t);
  write('v2', [known(1)]);
  const config = logsProviderSchema.parse({
    type: 'logs',
    run: [process.execPath, '-e', PRINT, dir, '{{version}}'],
    retries: 0,
  });
  const read = await createLogsProvider('logs', { ...config, timeout: 0 }, { warn: () => {} }).read(
    request('canary', 'v2'),
  );
  assert.deepEqual(read.errors, []);
  assert.deepEqual(read.values, { error_lines: 1, new_error_patterns: 0 });
});

test('logs provider: templated values stay one argument, never reach a shell', async (t) => {
  const { dir, write } = logsDir(t);
  write('v2; touch pwned', [known(1)]);
  const p = provider(dir);
  const read = await p.read(request('canary', 'v2; touch pwned'));
  assert.deepEqual(read.values, { error_lines: 1, new_error_patterns: 0 });
});

test('logs provider: a command that does not finish in time or is cancelled is stopped (the command provider machinery)', async () => {
  const hang = logsProviderSchema.parse({
    type: 'logs',
    run: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'],
    timeout: '300ms',
    retries: 0,
  });
  const timedOut = await createLogsProvider('logs', hang).read(request('canary', 'v2'));
  assert.equal(timedOut.errors[0]?.code, 'timeout');
  assert.deepEqual(timedOut.values, { error_lines: null, new_error_patterns: null });
  const controller = new AbortController();
  const slow = createLogsProvider('logs', { ...hang, timeout: 60_000 });
  const pending = slow.read(request('canary', 'v2', { signal: controller.signal }));
  setTimeout(() => controller.abort(), 200);
  const cancelled = await pending;
  assert.equal(cancelled.errors[0]?.code, 'aborted');
});

test('logs provider: a canary read waiting for stable ends when the analysis is cancelled', async (t) => {
  const { dir, write } = logsDir(t);
  write('v2', [known(1)]);
  const p = provider(dir);
  p.startWindow!();
  const controller = new AbortController();
  // Stable's read of this interval never comes: the canary's must not wait for ever.
  const pending = p.read(request('canary', 'v2', { sides: ['canary', 'stable'], signal: controller.signal }));
  setTimeout(() => controller.abort(), 1000);
  const read = await pending;
  assert.equal(read.values.new_error_patterns, null);
  // Aborted while waiting (its lines were read), or, on a machine slow enough, while its command ran.
  if (read.values.error_lines === null) assert.equal(read.errors[0]?.code, 'aborted');
  else assert.deepEqual(read, { values: { error_lines: 1, new_error_patterns: null }, errors: [] });
});

// The analyzer end to end, on fake time, with the logs provider running the script for each side.
const clock = (start = 1_700_000_000_000) => {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
};

function analysisOf(dir: string) {
  return {
    providers: { logs: { type: 'logs' as const, run: [process.execPath, '-e', PRINT, dir, '{{version}}'] } },
    metrics: {
      new_error_patterns: { provider: 'logs' },
      errors_logged: { provider: 'logs', field: 'error_lines' },
    },
  };
}

const window = (over: Partial<AnalysisContext> = {}): AnalysisContext => ({
  phase: 'canary-step',
  environment: 'production',
  version: 'v2',
  stableVersion: 'v1',
  weight: 10,
  windowMs: 5 * 60_000,
  intervalMs: 60_000,
  signal: new AbortController().signal,
  ...over,
});

test('analysis: a canary whose logs show a new exception is rolled back by seeds.new-error-patterns, naming it', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1), known(2), 'INFO served']);
  write('v2', [known(3), fresh(1), fresh(2), fresh(3), 'INFO served']);
  const analyzer = createAnalyzer(analysisOf(dir), clock());
  assert.ok(analyzer.config.checks.some((c) => c.name === 'seeds.new-error-patterns'));
  const outcome = await analyzer.evaluate(window());
  assert.equal(outcome.decision.kind, 'rollback');
  assert.equal(outcome.decision.rule, 'seeds.new-error-patterns');
  assert.equal(outcome.intervals.length, 1, 'at the first interval that shows it');
  assert.match(
    outcome.decision.reason,
    /1 new error pattern: "<time> ERROR TypeError: Cannot read properties of undefined \(reading <str>\)" \(x3\)$/,
  );
  assert.doesNotMatch(outcome.decision.reason, /connection refused/);
});

test('analysis: a canary whose errors are the patterns stable shows is not rolled back for them', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1), fresh(7), 'INFO served']);
  write('v2', [known(3), known(4), known(5), fresh(1), fresh(2), fresh(3), 'INFO served']);
  const outcome = await createAnalyzer(analysisOf(dir), clock()).evaluate(window());
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
  assert.equal(outcome.intervals.length, 5);
});

test('analysis: with no stable side, the pre-deploy baseline is the reference, and each window starts fresh', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1)]);
  write('v2', [known(2), known(3), known(4), fresh(1)]);
  const analyzer = createAnalyzer(analysisOf(dir), clock());
  await analyzer.captureBaseline({
    environment: 'production',
    version: 'v1',
    signal: new AbortController().signal,
  });
  const direct = {
    phase: 'post-switch' as const,
    stableVersion: undefined,
    weight: undefined,
    windowMs: 60_000,
  };
  // One TypeError per interval: fewer than min_count 3 in a window, whichever window.
  for (let i = 0; i < 3; i++) {
    const d = (await analyzer.evaluate(window(direct))).decision;
    assert.equal(d.kind, 'promote', d.reason);
  }
  write('v2', [known(2), fresh(1), fresh(2), fresh(3)]);
  const outcome = await analyzer.evaluate(window(direct));
  assert.equal(outcome.decision.kind, 'rollback');
  assert.match(outcome.decision.reason, /TypeError/);
});

/** What an app may print: markup, mentions, links, terminal sequences, bidi controls, huge and broken lines. */
const HOSTILE_LINES = [
  'ERROR <img src=x onerror=alert(1)><script>alert(2)</script>',
  'ERROR @everyone see [the fix](https://evil.example/x) ![i](https://evil.example/i.png) #12 www.evil.example',
  'ERROR \u001b[31mred\u001b[0m \u009b2J | table | **bold** `code` _em_',
  'ERROR abc\u202edcba \u2066x\u2069 y',
  `ERROR ${'z'.repeat(50_000)}`,
];

test('analysis: hostile log text reaches the reason escaped and cut, and the summary inert', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', ['INFO ok']);
  const lines = HOSTILE_LINES.flatMap((l) => [l, l, l]).join('\n');
  // Invalid UTF-8 too: bytes no decoder reads as text.
  write(
    'v2',
    Buffer.concat([
      Buffer.from(`${lines}\nERROR bad `),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('\n'),
      Buffer.from('ERROR bad '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('\nERROR bad '),
      Buffer.from([0xff, 0xfe, 0xc3, 0x0a]),
    ]),
  );
  const outcome = await createAnalyzer(analysisOf(dir), clock()).evaluate(window());
  const reason = outcome.decision.reason;
  assert.equal(outcome.decision.rule, 'seeds.new-error-patterns');
  assert.match(reason, /6 new error patterns: /);
  assert.ok(reason.length < 1000, `cut: ${reason.length} characters`);
  assert.doesNotMatch(reason, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  // The summary's escaping of a reason (report/job-summary.ts "Why:"): no markup, mention, link or control.
  const benign = reason.replace(/"(?:[^"\\]|\\.)*"/g, '"plain"');
  assertInert(`Why: ${say(reason, 2000)}`, `Why: ${say(benign, 2000)}`, 'rollback reason');
});

test('analysis: a recorded window of the logs provider replays to the same decision (its counts are metrics as any)', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1)]);
  write('v2', [fresh(1), fresh(2), fresh(3)]);
  const file = join(dir, 'analysis.ndjson');
  const live = await createAnalyzer(analysisOf(dir), { ...clock(), record: file }).evaluate(window());
  assert.equal(live.decision.rule, 'seeds.new-error-patterns');
  const [replayed] = analyzeRecording(file).windows;
  assert.equal(replayed!.decision.kind, 'rollback');
  assert.equal(replayed!.decision.rule, 'seeds.new-error-patterns');
});

test('analysis: a warning check on new patterns names them in its warning, and never rolls back', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1)]);
  write('v2', [fresh(1), fresh(2), fresh(3)]);
  const config = {
    ...analysisOf(dir),
    preset: 'none' as const,
    checks: [
      { name: 'log patterns', check: 'new_error_patterns <= 0', on_breach: 'warn' as const },
      { check: 'errors_logged < 1000' },
    ],
  };
  const outcome = await createAnalyzer(config, clock()).evaluate(window());
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
  const warning = outcome.intervals[0]!.warnings?.[0];
  assert.equal(warning?.rule, 'log patterns');
  assert.match(warning!.reason, /; 1 new error pattern: ".*TypeError.*" \(x3\)$/);
});

test(
  'logs provider: regexes that backtrack for minutes in JavaScript ("(\\w+){10}!", ".*a.*b.*c") pass the config check and match at once',
  { timeout: 60_000 },
  async (t) => {
    const { dir, write } = logsDir(t);
    // Each backtracked past any timeout on a JavaScript engine, every interval, until max_provider_errors
    // rolled a healthy deploy back; the config check let both through.
    const crafted = [
      'a'.repeat(30),
      `${'a'.repeat(29)}!`,
      `${'x'.repeat(40)}!`,
      'ERROR ' + 'ab'.repeat(1000),
    ];
    write('v2', crafted);
    for (const [match, found] of [
      ['(a?){30}a{30}', 1],
      ['(\\w+){10}!', 2],
      ['.*a.*b.*c', 0],
    ] as const) {
      const read = await provider(dir, { match, timeout: '20s' }).read(request('canary', 'v2'));
      assert.deepEqual(read.errors, [], match);
      assert.deepEqual(read.values, { error_lines: found, new_error_patterns: 0 }, match);
    }
  },
);

test('matchLines: a line that takes a slice of time on its own ends the slice: the timeout is looked at after it, not 63 lines later', async () => {
  const lines = Array.from({ length: 200 }, (_, i) => `ERROR ${i}`);
  // A second at each look of the clock: every line is a slice's time (20 ms) and more.
  let clock = 0;
  const late = await matchLines(
    lines,
    { match: 'error', ignore: [] },
    { timeoutMs: 1500, signal: new AbortController().signal, now: () => (clock += 1000) },
  );
  assert.equal(
    !late.ok && late.message,
    'matching 200 log line(s) took longer than 1500ms (stopped at line 2): read fewer lines per interval, or give the provider a longer timeout',
  );
});

test('matchLines: a read past its timeout is a timeout error naming the lines, and a cancellation stops it between slices', async () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `ERROR ${i}`);
  const regexes = { match: 'error', ignore: [] };
  // A clock a second later at each look: the first slice is past a 1.5 s timeout.
  let clock = 0;
  const late = await matchLines(lines, regexes, {
    timeoutMs: 1500,
    signal: new AbortController().signal,
    now: () => (clock += 1000),
  });
  assert.equal(late.ok, false);
  assert.equal(!late.ok && late.code, 'timeout');
  assert.match(
    !late.ok ? late.message : '',
    /^matching 1000 log line\(s\) took longer than 1500ms \(stopped at line \d+\): read fewer lines/,
  );
  // Cancelled while it matches: the next slice does not begin.
  const controller = new AbortController();
  let looks = 0;
  const cancelled = await matchLines(lines, regexes, {
    timeoutMs: 0,
    signal: controller.signal,
    now: () => {
      if (++looks === 3) controller.abort();
      return looks * 1000;
    },
  });
  assert.deepEqual(cancelled, { ok: false, code: 'aborted', message: 'cancelled' });
  // The same lines with time to spare: every one found.
  const whole = await matchLines(lines, regexes, { timeoutMs: 0, signal: new AbortController().signal });
  assert.equal(whole.ok && whole.lines.length, 1000);
});

test('analysis: a window in which no pattern could be judged new promotes with a note in its interval, evidence, recording and replay', async (t) => {
  const { dir, write } = logsDir(t);
  write('v2', [fresh(1), fresh(2), fresh(3)]);
  const file = join(dir, 'analysis.ndjson');
  const analyzer = createAnalyzer(analysisOf(dir), { ...clock(), record: file, warn: () => {} });
  // No stable side and no baseline read: nothing to compare the canary's patterns with.
  const direct = {
    phase: 'post-switch' as const,
    stableVersion: undefined,
    weight: undefined,
    windowMs: 120_000,
  };
  const outcome = await analyzer.evaluate(window(direct));
  assert.equal(outcome.decision.kind, 'promote', outcome.decision.reason);
  const expected = [
    {
      provider: 'logs',
      code: 'logs-no-reference' as const,
      message:
        'no stable version serves beside the canary and no pre-deploy baseline was read, so no error pattern can be new (new_error_patterns is 0; error_lines is still counted)',
    },
  ];
  assert.deepEqual(outcome.intervals[0]!.notes, expected);
  assert.equal(outcome.intervals[1]!.notes, undefined, 'once a window');
  // The window's evidence (the step's result: the JSON result and the job summary read it).
  const evidence = windowEvidence(analyzer.config, outcome.intervals, outcome.decision, 60_000);
  assert.deepEqual(evidence.notes, [{ index: 0, at: outcome.intervals[0]!.at, ...expected[0]! }]);
  // The recording keeps it; the replay shows it under its interval, as text and as JSON.
  const [replayed] = analyzeRecording(file).windows;
  assert.deepEqual(replayed!.intervals[0]!.notes, expected);
  assert.equal(replayed!.intervals[1]!.notes, undefined);
  const text = runAnalyzeCommand({ recording: file }).output.split('\n');
  assert.equal(text[2], `     note     logs-no-reference [logs]: ${expected[0]!.message}`, text.join('\n'));
  const json = JSON.parse(runAnalyzeCommand({ recording: file, json: true }).output);
  assert.deepEqual(json.windows[0].intervals[0].notes, expected);
});

test("analysis: a recording without notes (made before them) replays as before; a later version's note code is shown, a malformed one refused where it is", async (t) => {
  const { dir } = logsDir(t);
  const file = join(dir, 'old.ndjson');
  const header = JSON.stringify({
    format: 'deploy-action.recording',
    version: 1,
    config: analysisOf(dir),
  });
  const windowLine = JSON.stringify({
    type: 'window',
    context: {
      phase: 'post-switch',
      environment: 'production',
      version: 'v2',
      windowMs: 180_000,
      intervalMs: 60_000,
    },
    startedAt: 1_700_000_000_000,
  });
  const sample = (index: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'sample',
      index,
      sample: {
        at: 1_700_000_000_000 + (index + 1) * 60_000,
        canary: { new_error_patterns: 0, errors_logged: 3 },
        errors: [],
      },
      decision: { kind: index < 2 ? 'hold' : 'promote' },
      ...extra,
    });
  writeFileSync(file, [header, windowLine, sample(0), sample(1), sample(2)].join('\n') + '\n');
  const [old] = analyzeRecording(file).windows;
  assert.equal(old!.decision.kind, 'promote', old!.decision.reason);
  assert.equal(old!.intervals[0]!.notes, undefined);
  const withNote = (code: string) =>
    writeFileSync(
      file,
      [
        header,
        windowLine,
        sample(0, { notes: [{ provider: 'logs', code, message: 'x' }] }),
        sample(1),
        sample(2),
      ].join('\n') + '\n',
    );
  // A code this version does not know is a later version's: a note decides nothing, so the recording replays,
  // the note shown as recorded.
  withNote('logs-made-later');
  const [later] = analyzeRecording(file).windows;
  assert.equal(later!.decision.kind, 'promote', later!.decision.reason);
  assert.deepEqual(later!.intervals[0]!.notes, [{ provider: 'logs', code: 'logs-made-later', message: 'x' }]);
  // Anything that is no code (spaces, capitals, a line break) is refused at its line and field.
  for (const code of ['Logs Made Up', 'logs-\nforged', '', 'x'.repeat(65)]) {
    withNote(code);
    assert.throws(
      () => analyzeRecording(file),
      /:3: window 1 sample 0: notes\[0\]\.code: /,
      JSON.stringify(code),
    );
  }
});

test('logs provider: its match and ignore regexes are compiled once, not at every read', async (t) => {
  const { dir, write } = logsDir(t);
  write('v1', [known(1), 'WARN deprecated config key']);
  write('v2', [known(2), fresh(1), 'WARN deprecated config key']);
  const p = provider(dir, { ignore: ['deprecated config key'] });
  // After the config check, which compiles them to check them.
  const compile = t.mock.method(RE2JS, 'compile');
  p.startWindow!();
  for (let i = 0; i < 3; i++) {
    const read = await interval(p);
    assert.equal(read.canary.values.error_lines, 2);
    assert.equal(read.stable.values.error_lines, 1);
  }
  // match and the one ignore regex, once each for the provider's six reads.
  assert.equal(compile.mock.callCount(), 2);
});
