// Each place that writes a step's reason when the run's signal stopped the work says which stop it was, from
// the signal's reason: "cancelled" when the job was cancelled, "stopped by an internal error" when a crash
// stopped the run (util/crash-guard.ts). Nothing rewords a reason afterwards: a reason once reworded from a
// list of phrases slipped through when phrased otherwise (an HTTP check's "<url>: cancelled").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import {
  resolveEnvironment,
  type ResolvedCommand,
  type ResolvedHealthCheck,
} from '../../../src/config/resolve.ts';
import { healthAnalyzer, type Analyzer } from '../../../src/pipeline/analyzer.ts';
import { waitUntilReady } from '../../../src/pipeline/health.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { createStepRunner } from '../../../src/pipeline/step-runner.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { httpCheckOnce } from '../../../src/targets/http-check.ts';
import { runCommand } from '../../../src/targets/run-command.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';
import { environment } from '../../helpers/machine-driver.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

const CRASH = 'TypeError: cannot read properties of undefined';
/** The two stops: the job's (a signal) and an internal error's, each with what a reason says of it. */
const STOPS = [
  { cause: 'job', reason: () => new Error('SIGINT received'), said: 'cancelled' },
  { cause: 'crash', reason: () => new InternalErrorStop(CRASH), said: 'stopped by an internal error' },
] as const;

const aborted = (reason: Error) => AbortSignal.abort(reason);

/** A server that answers 503 to everything; its check, with no retries. */
async function unreadyServer(t: { after(fn: () => unknown): void }) {
  const server = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const check: ResolvedHealthCheck = {
    kind: 'http',
    source: 'health',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    method: 'GET',
    expectStatus: [200],
    timeoutMs: 2000,
    retries: 0,
    intervalMs: 1,
  };
  return check;
}

for (const stop of STOPS) {
  test(`a target command stopped by the ${stop.cause}'s signal: "was ${stop.said}"`, async () => {
    const command: ResolvedCommand = {
      source: 'target.commands.set_weight',
      argv: [process.execPath, '-e', 'setTimeout(() => {}, 30000)'],
      script: '',
      shell: false,
      env: {},
      timeoutMs: 30_000,
    };
    await assert.rejects(runCommand(command, {}, { signal: aborted(stop.reason()) }), (error: Error) => {
      assert.equal(error.message, `target.commands.set_weight (${process.execPath}) was ${stop.said}`);
      return true;
    });
  });

  // The phrase the old rewording list did not know: after a crash it said "cancelled".
  test(`an HTTP check stopped by the ${stop.cause}'s signal: "<url>: ${stop.said}"`, async (t) => {
    const check = await unreadyServer(t);
    const result = await httpCheckOnce(check, check.url, aborted(stop.reason()));
    assert.deepEqual(result, { ok: false, detail: `${check.url}: ${stop.said}` });
  });

  test(`the readiness wait stopped by the ${stop.cause}'s signal says it as that stop`, async (t) => {
    const check = await unreadyServer(t);
    const controller = new AbortController();
    // Once the first round has answered 503: the wait before the next round is cut short.
    const pending = waitUntilReady([check], {}, { readyTimeoutMs: 300_000, signal: controller.signal });
    setTimeout(() => controller.abort(stop.reason()), 200);
    const result = await pending;
    assert.equal(result.ok, false);
    assert.equal(
      result.detail,
      `${check.url} answered 503, expected 200 (after 1 attempt(s)); ${stop.said} while waiting for it to become ready`,
    );
  });

  test(`a health analysis and a pause stopped by the ${stop.cause}'s signal say "${stop.said}"`, async () => {
    const env = environment('  production:\n    strategy: direct');
    const analyzer = healthAnalyzer(env);
    const signal = aborted(stop.reason());
    const analysis = await analyzer.evaluate({
      phase: 'verify',
      windowMs: 60_000,
      intervalMs: 1000,
      values: {},
      signal,
    });
    assert.deepEqual(analysis, { ok: false, reason: stop.said });
    const runner = createStepRunner({ env, values: { version: 'v2' }, analyzer });
    assert.deepEqual(await runner({ kind: 'pause', ms: 60_000 }, signal), { ok: false, reason: stop.said });
  });
}

/** A canary on the recorded target, v1 live on green: its steps take traffic one weight at a time. */
async function canary(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'stop-reasons-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const targetYaml = target.targetYaml
    .split('\n')
    .filter((line) => !/^\s+(health|current|switch):/.test(line))
    .join('\n');
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${targetYaml}\nenvironments:\n  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }\n`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'green', since: at },
  });
  return resolveEnvironment(parsed.config, 'production');
}

test('a crash stopping the run in an analysis window: the executor says the step was stopped by an internal error, and nothing says cancelled', async (t) => {
  const env = await canary(t);
  const run = new AbortController();
  const analyzer: Analyzer = {
    evaluate: async (request) => {
      if (request.weight !== 5) return { ok: true, analysis: 'promote' };
      run.abort(new InternalErrorStop(CRASH));
      // Like a window that takes its time to notice: the executor does not wait for it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { ok: false, reason: 'whatever the analyzer says once it notices' };
    },
  };
  const result = await runPipeline(
    { env, version: 'v2' },
    { reporter: { event() {} }, signal: run.signal, analyzerFor: () => analyzer },
  );
  assert.equal(result.code, 'internal_error', result.message);
  const analysis = result.steps.find((s) => s.step.kind === 'analysis');
  assert.deepEqual(analysis?.result, {
    ok: false,
    reason: 'stopped by an internal error',
    stopped: 'internal_error',
  });
  assert.doesNotMatch(JSON.stringify(result), /cancel/i);
});
