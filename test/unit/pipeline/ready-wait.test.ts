// A version just deployed may still be starting: the strategy's health step tries its checks again until they
// pass or `ready_timeout` has passed (seed 01: `kubectl wait --for=condition=ready --timeout=300s`), against a
// real HTTP server on loopback that answers 503 while it "starts". The deadline is read from a test clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, type ResolvedHealthCheck } from '../../../src/config/resolve.ts';
import { healthAnalyzer } from '../../../src/pipeline/analyzer.ts';
import { waitUntilReady } from '../../../src/pipeline/health.ts';
import { createStepRunner } from '../../../src/pipeline/step-runner.ts';
import { environment } from '../../helpers/machine-driver.ts';

/** A server that answers 503 to its first `startingFor` requests, then 200; counts what it was asked. */
async function startingServer(t: { after(fn: () => unknown): void }, startingFor: number) {
  let asked = 0;
  const server = createServer((_req, res) => {
    asked++;
    res.writeHead(asked > startingFor ? 200 : 503).end();
  });
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
  return { check, asked: () => asked };
}

test('a version that answers 503 while it starts is ready once it answers 200, within ready_timeout', async (t) => {
  const server = await startingServer(t, 2);
  const result = await waitUntilReady([server.check], {}, { readyTimeoutMs: 300_000 });
  assert.equal(result.ok, true, result.detail);
  assert.equal(server.asked(), 3);
  assert.match(result.detail, /ready after \d+(\.\d)?s/);
});

test('ready_timeout 0 is one round, as before: the checks with their own retries', async (t) => {
  const server = await startingServer(t, 2);
  const result = await waitUntilReady([server.check], {}, { readyTimeoutMs: 0 });
  assert.equal(result.ok, false);
  assert.equal(server.asked(), 1);
  assert.doesNotMatch(result.detail, /not ready after/);
});

test('a version still not ready when ready_timeout has passed fails, saying how long it was given', async (t) => {
  const server = await startingServer(t, 1_000);
  // Each reading of the clock is 200 s later: the second round ends past the 300 s allowed.
  let clock = 0;
  const result = await waitUntilReady(
    [server.check],
    {},
    { readyTimeoutMs: 300_000, now: () => (clock += 200_000) - 200_000 },
  );
  assert.equal(result.ok, false);
  assert.equal(server.asked(), 2);
  assert.match(result.detail, /503.*; not ready after 400s \(2 rounds\)$/);
});

test('a check that cannot run (its program is not there) is not waited for', async () => {
  const env = environment('  production:\n    strategy: direct');
  const check = env.target.health[0]!;
  assert.equal(check.kind, 'command');
  let clockReads = 0;
  const result = await waitUntilReady([check], {}, { readyTimeoutMs: 300_000, now: () => (clockReads++, 0) });
  assert.equal(result.ok, false);
  assert.equal(result.ok === false && result.final, true, result.detail);
  assert.equal(clockReads, 2, 'one round: the start and its end');
});

test('cancelled while waiting: it stops at once and says so', async (t) => {
  const server = await startingServer(t, 1_000);
  const controller = new AbortController();
  const pending = waitUntilReady([server.check], {}, { readyTimeoutMs: 300_000, signal: controller.signal });
  setImmediate(() => controller.abort());
  const result = await pending;
  assert.equal(result.ok, false);
  assert.match(result.detail, /cancelled while waiting for it to become ready|cancelled/);
  assert.ok(server.asked() <= 2);
});

test('the seeds preset gives a new version five minutes to become ready; preset fast and ready_timeout: 0 none', () => {
  assert.equal(environment('  production:\n    strategy: direct').readyTimeoutMs, 0, 'preset fast');
  assert.equal(
    environment('  production:\n    strategy: direct\n    ready_timeout: 90s').readyTimeoutMs,
    90_000,
  );
});

test('the step runner waits for readiness on a forward health step only, never on the rollback path', async (t) => {
  const server = await startingServer(t, 2);
  const check = server.check.kind === 'http' ? server.check.url : '';
  const parsed = parseConfig(
    `preset: fast
target:
  commands:
    deploy: [${JSON.stringify(process.execPath)}, "-e", "0"]
    health: { url: "${check}", retries: 0, interval: 1ms }
environments:
  production: { strategy: direct, ready_timeout: 5m }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  const runner = createStepRunner({ env, values: { version: 'v2' }, analyzer: healthAnalyzer(env) });
  // The rollback path (and anything not asked to wait): one round, as before.
  assert.equal((await runner({ kind: 'health' })).ok, false);
  assert.equal(server.asked(), 1);
  // A forward step after a deploy: tried again until ready.
  const forward = await runner({ kind: 'health' }, undefined, { waitForReady: true });
  assert.equal(forward.ok, true);
  assert.equal(server.asked(), 3);
});
