import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { testsGate } from '../../../src/gates/tests.ts';
import { runGates, overallStatus } from '../../../src/gates/runner.ts';
import type { GateEntry } from '../../../src/gates/runner.ts';
import { formatGatesReport } from '../../../src/gates/format.ts';
import type { Finding, Gate, GateContext, GateResult, GateVerdict } from '../../../src/gates/types.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';

const ctx: Omit<GateContext, 'signal'> = {
  cwd: process.cwd(),
  changedFiles: async () => [],
  log: () => {},
  env: {},
};

function gate(name: string, run: (signal: AbortSignal) => Promise<GateVerdict>): Gate<unknown> {
  return { name, schema: z.unknown(), run: (_config, gateCtx) => run(gateCtx.signal) };
}
const verdict = (status: GateVerdict['status'], summary: string = status): GateVerdict => ({
  status,
  summary,
  findings: [],
});
const entry = (
  name: string,
  run: (signal: AbortSignal) => Promise<GateVerdict>,
  extra: Partial<GateEntry> = {},
) => ({
  name,
  gate: gate(name, run),
  config: {},
  required: true,
  timeoutMs: 5_000,
  ...extra,
});
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

test('overall status: any block → BLOCK, else any warn → WARN, else PASS', () => {
  const result = (name: string, status: GateResult['status']): GateResult => ({
    name,
    status,
    summary: `${name} said ${status}`,
    findings: [],
    required: true,
    durationMs: 1,
  });
  assert.deepEqual(overallStatus([result('a', 'pass'), result('b', 'pass')]), {
    status: 'PASS',
    reasons: [],
  });
  assert.deepEqual(overallStatus([result('a', 'warn'), result('b', 'pass')]), {
    status: 'WARN',
    reasons: ['a: a said warn'],
  });
  assert.deepEqual(overallStatus([result('a', 'warn'), result('b', 'block')]), {
    status: 'BLOCK',
    reasons: ['b: b said block', 'a: a said warn'],
  });
});

test('runs gates in parallel, keeps entry order, reports wall and summed time', async () => {
  const started: string[] = [];
  const finished: string[] = [];
  let running = 0;
  let peak = 0;
  const check = async (ms: number, result: GateVerdict) => {
    running++;
    peak = Math.max(peak, running);
    await sleep(ms);
    running--;
    return result;
  };
  const report = await runGates(
    [
      entry('slow', () => check(150, verdict('pass'))),
      entry('fast', () => check(10, verdict('warn', 'minor'))),
      entry('third', () => check(100, verdict('pass'))),
    ],
    ctx,
    { concurrency: 3, onStart: (name) => started.push(name), onResult: (r) => finished.push(r.name) },
  );
  // Parallel, not sequential: all three checks were running at once (one at a time would peak at 1).
  assert.equal(peak, 3);
  assert.equal(report.schema, 1);
  assert.deepEqual(
    report.gates.map((g) => g.name),
    ['slow', 'fast', 'third'],
  );
  assert.deepEqual(started, ['slow', 'fast', 'third']);
  assert.deepEqual(finished, ['fast', 'third', 'slow']);
  assert.equal(report.status, 'WARN');
  assert.deepEqual(report.reasons, ['fast: minor']);
  // The summed time adds up each gate's own duration (the sleeps total 260 ms); the wall time is reported.
  assert.ok(report.sumMs >= 250, `sum ${report.sumMs}`);
  assert.ok(report.wallMs > 0);
});

test('a required gate that blocks stops no other gate: each runs to its verdict and every one is reported', async () => {
  let slowAborted: boolean | undefined;
  const report = await runGates(
    [
      entry('fast-block', async () => verdict('block', 'secret found')),
      entry('slow-pass', async (signal) => {
        await sleep(150, signal);
        slowAborted = signal.aborted;
        return verdict('pass', 'all tests passed');
      }),
      entry(
        'slow-advisory',
        async (signal) => {
          await sleep(100, signal);
          return verdict('block', 'coverage 70% < 80%');
        },
        { required: false },
      ),
    ],
    ctx,
    { concurrency: 3 },
  );
  assert.equal(slowAborted, false);
  assert.deepEqual(
    report.gates.map((g) => [g.name, g.status]),
    [
      ['fast-block', 'block'],
      ['slow-pass', 'pass'],
      ['slow-advisory', 'warn'],
    ],
  );
  assert.equal(report.status, 'BLOCK');
  assert.deepEqual(report.reasons, [
    'fast-block: secret found',
    'slow-advisory: coverage 70% < 80% (advisory: not blocking)',
  ]);
});

test('concurrency 1 runs one gate at a time', async () => {
  let running = 0;
  let peak = 0;
  const run = async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(20);
    running--;
    return verdict('pass');
  };
  const report = await runGates([entry('a', run), entry('b', run), entry('c', run)], ctx, { concurrency: 1 });
  assert.equal(peak, 1);
  assert.equal(report.status, 'PASS');
});

test('a gate that times out blocks, its signal is aborted, even if it ignores the signal', async () => {
  let sawAbort = false;
  const report = await runGates(
    [
      entry(
        'hangs',
        async (signal) => {
          signal.addEventListener('abort', () => (sawAbort = true));
          await new Promise(() => {}); // never settles, ignores the signal
          return verdict('pass');
        },
        { timeoutMs: 50 },
      ),
      entry('ok', async () => verdict('pass')),
    ],
    ctx,
    { concurrency: 2 },
  );
  assert.equal(sawAbort, true);
  assert.equal(report.status, 'BLOCK');
  assert.equal(report.gates[0]!.status, 'block');
  assert.equal(report.gates[0]!.summary, 'timed out after 50ms');
  assert.deepEqual(report.reasons, ['hangs: timed out after 50ms']);
});

test('a gate that holds the main thread past its timeout blocks as timed out: its late pass does not count', async () => {
  const report = await runGates(
    [
      entry(
        'computes',
        async () => {
          // Synchronous work (bounded): the runner's timer cannot fire until it ends.
          const until = performance.now() + 150;
          while (performance.now() < until);
          return verdict('pass');
        },
        { timeoutMs: 30 },
      ),
      entry(
        'computes-then-waits',
        async () => {
          const until = performance.now() + 150;
          while (performance.now() < until);
          await Promise.resolve();
          return verdict('warn', 'late warning');
        },
        { timeoutMs: 30 },
      ),
      // Its own deadline is far off: on a busy machine a 30 ms one can pass before its turn comes.
      entry('quick', async () => verdict('pass'), { timeoutMs: 60_000 }),
    ],
    ctx,
    { concurrency: 1 },
  );
  assert.deepEqual(
    report.gates.map((gate) => [gate.name, gate.status, gate.summary]),
    [
      ['computes', 'block', 'timed out after 30ms'],
      ['computes-then-waits', 'block', 'timed out after 30ms'],
      ['quick', 'pass', 'pass'],
    ],
  );
  assert.equal(report.status, 'BLOCK');
});

test('cancelling the run blocks the running gates with the reason and aborts their signal', async () => {
  const controller = new AbortController();
  const pending = runGates(
    [entry('waits', (signal) => sleep(60_000, signal).then(() => verdict('pass')), { timeoutMs: 600_000 })],
    ctx,
    { concurrency: 1, signal: controller.signal },
  );
  setTimeout(() => controller.abort(new Error('deployment cancelled by user')), 20);
  const report = await pending;
  assert.equal(report.gates[0]!.status, 'block');
  assert.equal(report.gates[0]!.summary, 'cancelled (deployment cancelled by user)');
});

// A crash stops the run through the same signal (util/crash-guard.ts): a gate it cut short said "cancelled".
test('an internal error stopping the run blocks the running and the waiting gates as stopped by it, not cancelled', async () => {
  const controller = new AbortController();
  const pending = runGates(
    [
      entry('waits', (signal) => sleep(60_000, signal).then(() => verdict('pass')), { timeoutMs: 600_000 }),
      entry('queued', async () => verdict('pass')),
    ],
    ctx,
    { concurrency: 1, signal: controller.signal },
  );
  setTimeout(() => controller.abort(new InternalErrorStop(new TypeError('x is undefined'))), 20);
  const report = await pending;
  assert.deepEqual(
    report.gates.map((gate) => [gate.name, gate.status, gate.summary]),
    [
      ['waits', 'block', 'stopped by an internal error (TypeError: x is undefined)'],
      ['queued', 'block', 'stopped by an internal error before it started (TypeError: x is undefined)'],
    ],
  );
});

test('a gate stopped by a cancellation or its timeout is given its grace to clean up before the run goes on', async () => {
  const cleaned: string[] = [];
  // As the migrations gate: aborted, it still drops what it made (here after 100 ms) before it settles.
  const cleansUp = (name: string) => async (signal: AbortSignal) => {
    try {
      await sleep(60_000, signal);
      return verdict('pass');
    } finally {
      await sleep(100);
      cleaned.push(name);
    }
  };
  const controller = new AbortController();
  const pending = runGates(
    [
      entry('cancelled', cleansUp('cancelled'), { timeoutMs: 600_000 }),
      entry('times-out', cleansUp('times-out'), { timeoutMs: 20 }),
    ],
    ctx,
    { concurrency: 2, signal: controller.signal, cleanupGraceMs: 30_000 },
  );
  setTimeout(() => controller.abort(new Error('stop')), 50);
  const report = await pending;
  assert.deepEqual(cleaned.sort(), ['cancelled', 'times-out']);
  assert.deepEqual(
    report.gates.map((gate) => [gate.name, gate.summary]),
    [
      ['cancelled', 'cancelled (stop)'],
      ['times-out', 'timed out after 20ms'],
    ],
  );
});

test('a thrown error blocks with its message; an advisory block becomes a warn', async () => {
  const report = await runGates(
    [
      entry('crashes', async () => {
        throw new Error('ENOENT: coverage/lcov.info');
      }),
      entry('advisory', async () => verdict('block', '3 findings'), { required: false }),
    ],
    ctx,
    { concurrency: 2 },
  );
  assert.equal(report.gates[0]!.status, 'block');
  assert.equal(report.gates[0]!.summary, 'the gate crashed: ENOENT: coverage/lcov.info');
  assert.equal(report.gates[1]!.status, 'warn');
  assert.equal(report.gates[1]!.summary, '3 findings (advisory: not blocking)');
  assert.equal(report.status, 'BLOCK');
});

test('an advisory gate that only warns stays a warn; a required warn stays a warn', async () => {
  const report = await runGates(
    [
      entry('a', async () => verdict('warn'), { required: false }),
      entry('b', async () => verdict('pass')),
      entry('c', async () => verdict('warn', 'slow build')),
    ],
    ctx,
    { concurrency: 3 },
  );
  assert.equal(report.status, 'WARN');
  assert.deepEqual(
    report.gates.map((g) => [g.name, g.status, g.required, g.summary]),
    [
      ['a', 'warn', false, 'warn'],
      ['b', 'pass', true, 'pass'],
      ['c', 'warn', true, 'slow build'],
    ],
  );
  assert.deepEqual(report.reasons, ['a: warn', 'c: slow build']);
});

test("a finding whose rule, message or path is not text (a mapping with a toString key, as a report's JSON may hold) is kept as its JSON, not a crash", async () => {
  const odd = { toString: 'x', valueOf: 'y' };
  const report = await runGates(
    [
      entry('odd', async () => ({
        status: 'block',
        summary: 'odd findings',
        findings: [{ rule: odd, message: odd, path: odd, severity: 'error' } as unknown as Finding],
      })),
    ],
    ctx,
    { concurrency: 1 },
  );
  assert.equal(report.status, 'BLOCK');
  assert.deepEqual(report.gates[0]!.findings, [
    {
      rule: '{"toString":"x","valueOf":"y"}',
      message:
        '{"toString":"x","valueOf":"y"} (at "{\\"toString\\":\\"x\\",\\"valueOf\\":\\"y\\"}", not a file of the repository)',
      severity: 'error',
    },
  ]);
});

test('a gate returning no verdict blocks', async () => {
  const report = await runGates([entry('broken', async () => undefined as unknown as GateVerdict)], ctx, {
    concurrency: 1,
  });
  assert.equal(report.status, 'BLOCK');
  assert.match(report.gates[0]!.summary, /no valid verdict/);
});

test('gates not started before cancellation block as cancelled', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  const report = await runGates([entry('a', async () => verdict('pass'))], ctx, {
    concurrency: 1,
    signal: controller.signal,
  });
  assert.equal(report.status, 'BLOCK');
  assert.equal(report.gates[0]!.summary, 'cancelled before it started (stop)');
});

test('duplicate gate names are refused', async () => {
  await assert.rejects(
    runGates([entry('a', async () => verdict('pass')), entry('a', async () => verdict('pass'))], ctx, {
      concurrency: 1,
    }),
    /gate "a" is listed twice/,
  );
});

test('formatGatesReport prints one row per gate, its findings and the overall status', async () => {
  const report = await runGates(
    [
      entry('tests', async () => ({
        status: 'block',
        summary: 'lines 71% < 80%',
        findings: Array.from({ length: 12 }, (_, i) => ({
          path: 'src/a.ts',
          line: i + 1,
          rule: 'coverage.changed-line',
          message: 'not covered',
          severity: 'error' as const,
        })),
      })),
      entry('audit', async () => verdict('pass', 'no vulnerabilities')),
    ],
    ctx,
    { concurrency: 2 },
  );
  const text = formatGatesReport(report, { maxFindings: 10 });
  const lines = text.split('\n');
  assert.match(lines[0]!, /^GATE\s+STATUS\s+MODE\s+TIME\s+SUMMARY$/);
  assert.match(lines[1]!, /^tests\s+BLOCK\s+required\s+\S+\s+lines 71% < 80%$/);
  assert.match(lines[2]!, /src\/a\.ts:1 \[coverage\.changed-line\] not covered/);
  assert.ok(text.includes('… and 2 more'));
  assert.match(text, /audit\s+PASS\s+required/);
  assert.match(text, /overall_status=BLOCK/);
  assert.ok(!text.includes('\x1b['), 'no colour unless asked');
  assert.ok(formatGatesReport(report, { color: true }).includes('\x1b['));
});

test('a real gate whose command hangs times out, blocks, and its child process is killed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'runner-timeout-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // The pid written whole then renamed; 5 s, so a slow start on a busy machine still writes it before the cut.
  const hang =
    "const fs = require('fs'); fs.writeFileSync('pid.tmp', String(process.pid)); fs.renameSync('pid.tmp', 'pid'); setTimeout(() => {}, 60000)";
  const report = await runGates(
    [
      {
        name: 'tests',
        gate: testsGate,
        config: testsGate.schema.parse({ command: [process.execPath, '-e', hang] }),
        required: true,
        timeoutMs: 5000,
      },
    ],
    { ...ctx, cwd: dir, env: process.env },
    { concurrency: 1 },
  );
  assert.equal(report.status, 'BLOCK');
  assert.equal(report.gates[0]!.summary, 'timed out after 5s');
  const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
  // execa sends SIGTERM on abort; give the child a moment to go.
  let alive = true;
  for (let i = 0; i < 50 && alive; i++) {
    try {
      process.kill(pid, 0);
      await sleep(20);
    } catch {
      alive = false;
    }
  }
  assert.equal(alive, false, `child ${pid} still running`);
});
