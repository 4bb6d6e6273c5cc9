// Big XML reports (JUnit, Cobertura) are parsed in a worker thread (src/gates/xml-thread.ts): the gate gets
// the same summary and the same refusals as from the main thread, the main thread's event loop keeps
// turning while the parser runs, and a cancellation ends the read at once with the gate's cancellation
// error, the thread ended. Threads are watched through Node's own "worker_threads" diagnostics channel.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { parseCobertura } from '../../../src/gates/coverage/cobertura.ts';
import { readCoverageReport } from '../../../src/gates/coverage/read.ts';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { parseXmlReportOf } from '../../../src/gates/xml-reports.ts';
import type { XmlReportFormat } from '../../../src/gates/xml-reports.ts';
import { readXmlReport, XML_WORKER_MIN_CHARS } from '../../../src/gates/xml-thread.ts';
import { bigCobertura, bigJUnit } from '../../helpers/big-xml-reports.ts';
import { PARSING, RELEASED, RETURNED } from './xml-thread-probe.ts';
import { gateContext } from '../../helpers/gate-context.ts';

/** The worker threads this process starts from now on, and how many of them have not exited. */
function watchThreads(t: TestContext) {
  const started: Worker[] = [];
  const exited = new Set<Worker>();
  const onStart = (message: unknown) => {
    const { worker } = message as { worker: Worker };
    started.push(worker);
    worker.on('exit', () => exited.add(worker));
  };
  dc.subscribe('worker_threads', onStart);
  t.after(() => dc.unsubscribe('worker_threads', onStart));
  return { started, running: () => started.filter((worker) => !exited.has(worker)).length };
}

async function workDir(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xml-thread-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const context = (cwd: string, signal = new AbortController().signal): GateContext =>
  gateContext(cwd, { changed: [{ path: 'f5.ts', addedLines: [1, 2, 3], status: 'modified' }], signal });

const threadsModule = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;

/**
 * From now on, each XML report's thread runs through xml-thread-probe.ts: once it is inside the parse it
 * stays there, busy, until `release()`. `midParse` resolves when a thread is inside the parse; `state()` is
 * the probe's flag (PARSING, RELEASED, RETURNED once the parse returned). The reader's own code is
 * unchanged: its `new Worker(…)` gets this subclass through Node's builtin exports.
 */
function holdXmlParses(t: TestContext) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const RealWorker = threadsModule.Worker;
  const probe = new URL('./xml-thread-probe.ts', import.meta.url);
  class HeldWorker extends RealWorker {
    constructor(file: string | URL, options: WorkerOptions = {}) {
      super(probe, { ...options, argv: [String(file)] });
      this.postMessage(flag.buffer);
    }
  }
  threadsModule.Worker = HeldWorker;
  syncBuiltinESMExports();
  t.after(() => {
    threadsModule.Worker = RealWorker;
    syncBuiltinESMExports();
    Atomics.store(flag, 0, RELEASED); // a thread still held (a failed assertion) is let go
  });
  const waiting = Atomics.waitAsync(flag, 0, 0);
  return {
    midParse: waiting.async ? waiting.value.then(() => undefined) : Promise.resolve(),
    state: () => Atomics.load(flag, 0),
    release: () => Atomics.store(flag, 0, RELEASED),
  };
}

/** Resolves once the report's thread is inside the parse; fails if the read ends first (no thread). */
async function parseInFlight(held: { midParse: Promise<void> }, read: Promise<unknown>): Promise<void> {
  const ended = read.then(
    () => 'the read ended before any thread parsed',
    (error: unknown) => `the read failed before any thread parsed: ${String(error)}`,
  );
  const first = await Promise.race([held.midParse.then(() => 'parsing in a thread'), ended]);
  assert.equal(first, 'parsing in a thread');
}

test('a big JUnit and a big Cobertura report are read through a worker thread each, as the main thread reads them', async (t) => {
  const junit = bigJUnit(150);
  const coverage = bigCobertura(150);
  assert.ok(junit.length > XML_WORKER_MIN_CHARS && coverage.length > XML_WORKER_MIN_CHARS);
  const dir = await workDir(t, { 'junit.xml': junit, 'coverage.xml': coverage });
  const threads = watchThreads(t);

  const verdict = await testsGate.run(
    { junit: 'junit.xml', coverage: 'coverage.xml', thresholds: { lines: 50, changed_lines: 90 } },
    context(dir),
  );
  assert.equal(threads.started.length, 2, 'one thread per report');
  assert.equal(threads.running(), 0);
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '1 of 15000 tests failed; changed-line coverage 66.7% < 90% (2/3 lines)');
  // The character reference in message="expected 1&#10;received 2" is decoded: the first line is shown.
  assert.deepEqual(verdict.findings[0], {
    rule: 'tests.failed',
    severity: 'error',
    message: 'k7 › t3 failed: expected 1 (junit.xml)',
  });

  // The whole summary crosses the thread intact: the per-line hits of 60,000 lines among them.
  const report = await readCoverageReport(dir, 'coverage.xml');
  assert.equal(threads.started.length, 3);
  assert.deepEqual(report, parseCobertura(coverage, 'coverage.xml'));
  assert.equal(report.lineHits?.size, 150);
  assert.deepEqual(await readXmlReport('junit', junit, 'junit.xml'), parseJUnit(junit, 'junit.xml'));
  assert.equal(threads.running(), 0);
});

test("the main thread's event loop keeps turning while a big report is parsed in its thread", async (t) => {
  const junit = bigJUnit(150);
  assert.ok(junit.length > XML_WORKER_MIN_CHARS);
  const dir = await workDir(t, { 'junit.xml': junit });
  const held = holdXmlParses(t);
  const threads = watchThreads(t);
  let settled = false;
  const run = testsGate.run({ junit: 'junit.xml', thresholds: {} }, context(dir));
  void run.then(
    () => (settled = true),
    () => (settled = true),
  );

  await parseInFlight(held, run);
  // The parse is in flight (held inside it, busy): the main thread's timers and file reads still run.
  let ticks = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (++ticks < 5) return;
      clearInterval(timer);
      resolve();
    }, 1);
  });
  assert.equal((await readFile(join(dir, 'junit.xml'), 'utf8')).length, junit.length);
  assert.equal(held.state(), PARSING, 'the parse is still in flight');
  assert.equal(settled, false);

  held.release();
  const verdict = await run;
  assert.equal(held.state(), RETURNED);
  assert.equal(verdict.summary, '1 of 15000 tests failed');
  assert.equal(threads.started.length, 1);
  assert.equal(threads.running(), 0);
});

// The timeout only turns a reader that waits for the held parse (it would wait forever) into a failure.
test(
  "a cancellation mid-parse ends the read with the gate's cancellation error, the thread ended inside the parse",
  { timeout: 120_000 },
  async (t) => {
    const junit = bigJUnit(150);
    const dir = await workDir(t, { 'junit.xml': junit });
    const held = holdXmlParses(t);
    const threads = watchThreads(t);
    const controller = new AbortController();
    const reason = new Error('cancelled (the job was cancelled)');
    const run = testsGate.run({ junit: 'junit.xml', thresholds: {} }, context(dir, controller.signal));

    await parseInFlight(held, run);
    // The thread is busy inside the parse and is never released: only ending it ends the read.
    controller.abort(reason);
    await assert.rejects(run, (error) => error === reason);
    assert.equal(threads.started.length, 1);
    assert.equal(threads.running(), 0, 'the thread is ended when the read ends');
    assert.equal(held.state(), PARSING, 'the parse never returned: the thread was ended inside it');
  },
);

test('a big report is refused through the thread with the error and message the main thread gives', async (t) => {
  const junit = bigJUnit(100);
  const coverage = bigCobertura(100);
  const cases: Array<[string, XmlReportFormat, string, RegExp]> = [
    ['truncated', 'junit', junit.slice(0, -500), /^r\.xml:\d+:\d+: not well-formed XML \(truncated\?\): /],
    [
      'a DTD internal subset',
      'junit',
      junit.replace('\n', '\n<!DOCTYPE testsuites [<!ENTITY x "<failure/>">]>\n'),
      /^r\.xml:2: declares a DTD internal subset/,
    ],
    [
      'nesting past the parser limit',
      'junit',
      junit.replace('<system-out>', `<system-out>${'<a>'.repeat(500)}${'</a>'.repeat(500)}`),
      /^r\.xml:2:\d+: <a> is nested more than 100 elements deep: /,
    ],
    [
      'counts that contradict the cases',
      'junit',
      junit.replace('failures="0"', 'failures="2"'),
      /counts 2 failures and errors but lists 0/,
    ],
    [
      'a class without a filename',
      'cobertura',
      coverage.replace(' filename="f9.ts"', ''),
      /a <class> without a filename/,
    ],
  ];
  const threads = watchThreads(t);
  for (const [name, format, text, message] of cases) {
    assert.ok(text.length >= XML_WORKER_MIN_CHARS, name);
    let expected: unknown;
    assert.throws(
      () => parseXmlReportOf(format, text, 'r.xml'),
      (error) => ((expected = error), true),
    );
    assert.match((expected as Error).message, message, name);
    await assert.rejects(readXmlReport(format, text, 'r.xml'), (error) => {
      assert.equal((error as Error).constructor, (expected as Error).constructor, name);
      assert.equal((error as Error).message, (expected as Error).message, name);
      return true;
    });
  }
  assert.equal(threads.started.length, cases.length);
  assert.equal(threads.running(), 0);
});

test('a small report stays on the main thread: no thread is started', async () => {
  const text = bigJUnit(10);
  assert.ok(text.length < XML_WORKER_MIN_CHARS);
  let started = 0;
  const onStart = () => started++;
  dc.subscribe('worker_threads', onStart);
  try {
    assert.deepEqual(await readXmlReport('junit', text, 'r.xml'), parseJUnit(text, 'r.xml'));
  } finally {
    dc.unsubscribe('worker_threads', onStart);
  }
  assert.equal(started, 0);
});
