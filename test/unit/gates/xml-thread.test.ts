// Big XML reports (JUnit, Cobertura) are parsed in a worker thread (src/gates/xml-thread.ts): the gate gets
// the same summary and the same refusals as from the main thread, the main thread's event loop keeps
// turning while the parser runs, and a cancellation ends the read at once with the gate's cancellation
// error, the thread ended. Threads are watched through Node's own "worker_threads" diagnostics channel.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { parseCobertura } from '../../../src/gates/coverage/cobertura.ts';
import { readCoverageReport } from '../../../src/gates/coverage/read.ts';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { parseXmlReportOf } from '../../../src/gates/xml-reports.ts';
import type { XmlReportFormat } from '../../../src/gates/xml-reports.ts';
import { readXmlReport, XML_WORKER_MIN_CHARS } from '../../../src/gates/xml-thread.ts';
import { bigCobertura, bigJUnit } from '../../helpers/big-xml-reports.ts';

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

function context(cwd: string, signal = new AbortController().signal): GateContext {
  return {
    cwd,
    changedFiles: async () => [{ path: 'f5.ts', addedLines: [1, 2, 3], status: 'modified' }],
    signal,
    log: () => {},
    env: {},
  };
}

/** The longest wait between two ticks of a 1 ms timer on the main thread while `work` runs. */
async function longestGap<T>(work: () => Promise<T>): Promise<{ value: T; gap: number; ticks: number }> {
  let last = performance.now();
  let gap = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    ticks++;
  }, 1);
  try {
    const value = await work();
    gap = Math.max(gap, performance.now() - last);
    return { value, gap, ticks };
  } finally {
    clearInterval(timer);
  }
}

function timeOf(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
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

test("the main thread's timer keeps firing while a big report is parsed: its longest wait is far below the parse", async (t) => {
  const junit = bigJUnit(300);
  const dir = await workDir(t, { 'junit.xml': junit });
  // What parsing it on the main thread holds the event loop for, on this machine now (the parser warmed
  // up, as it is on the gate's own parse).
  const parse = Math.min(...[0, 1].map(() => timeOf(() => parseJUnit(junit, 'junit.xml'))));
  const threads = watchThreads(t);
  const {
    value: verdict,
    gap,
    ticks,
  } = await longestGap(() => testsGate.run({ junit: 'junit.xml', thresholds: {} }, context(dir)));
  t.diagnostic(`longest wait ${gap.toFixed(0)} ms, main-thread parse ${parse.toFixed(0)} ms`);
  assert.ok(
    gap < parse / 4,
    `the event loop waited ${gap.toFixed(0)} ms at once (${ticks} ticks); a parse on the main thread takes ${parse.toFixed(0)} ms`,
  );
  assert.equal(verdict.summary, '1 of 30000 tests failed');
  assert.equal(threads.started.length, 1);
});

test("a cancellation mid-parse ends the read at once with the gate's cancellation error, the thread ended", async (t) => {
  const junit = bigJUnit(300);
  const dir = await workDir(t, { 'junit.xml': junit });
  const parse = timeOf(() => parseJUnit(junit, 'junit.xml'));
  const threads = watchThreads(t);
  const controller = new AbortController();
  const reason = new Error('cancelled (the job was cancelled)');
  let abortedAt = 0;
  const abort = () => {
    if (controller.signal.aborted) return;
    abortedAt = performance.now();
    controller.abort(reason);
  };
  // Without a thread (the report parsed on the main thread), the abort waits for the event loop's next turn.
  const fallback = setTimeout(abort, parse);
  t.after(() => clearTimeout(fallback));
  // Once the thread runs and has had the time to load the parser, it is parsing (a parse takes `parse` ms).
  const onStart = (message: unknown) => {
    clearTimeout(fallback);
    (message as { worker: Worker }).worker.once('online', () => setTimeout(abort, 200));
  };
  dc.subscribe('worker_threads', onStart);
  t.after(() => dc.unsubscribe('worker_threads', onStart));
  const run = testsGate.run({ junit: 'junit.xml', thresholds: {} }, context(dir, controller.signal));

  await assert.rejects(run, (error) => error === reason);
  const ended = performance.now() - abortedAt;
  t.diagnostic(`ended ${ended.toFixed(0)} ms after the abort, main-thread parse ${parse.toFixed(0)} ms`);
  assert.equal(threads.started.length, 1);
  assert.equal(threads.running(), 0, 'the thread is ended when the read ends');
  assert.ok(
    ended < parse / 4,
    `the read ended ${ended.toFixed(0)} ms after the cancellation; the parse takes ${parse.toFixed(0)} ms`,
  );
});

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
      /^r\.xml: cannot be read as XML: Maximum nested tags exceeded/,
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
