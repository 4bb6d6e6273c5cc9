// The deployment tool itself, proven under real traffic: the BUILT CLI (dist/cli/index.js) runs the demo's
// deploy.yml against a real haproxy in front of real service processes while a loopback client sends a
// steady 300 requests/s. Every failed request (network error, timeout or status >= 500) fails the test; a
// load client that could not keep its rate is reported, and fails only when too little load was left.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CLI_BUNDLE, events, repoRoot, startCli } from '../helpers/cli.ts';
import { setupDemo, DEMO, type Demo } from '../helpers/demo.ts';
import {
  assertZeroDowntime,
  describeLoad,
  lastFullBucket,
  startLoad,
  type Load,
  type LoadReport,
} from '../helpers/load.ts';

const RPS = 300;
const CONFIG = join(DEMO, 'deploy.yml');
type Result = {
  status: string;
  code: string;
  rollbacks: Array<{ ok: boolean; trafficRestoredMs?: number }>;
  steps: Array<{ phase: string; step: { kind: string; slot?: string } }>;
};

function deploy(demo: Demo, environment: string, version: string, ...extra: string[]) {
  return startCli(
    [
      'run',
      '-e',
      environment,
      '-v',
      version,
      '-c',
      CONFIG,
      '--state-dir',
      join(demo.stateDir, 'deploy-state'),
      '--json',
      ...extra,
    ],
    {
      entry: CLI_BUNDLE,
      cwd: repoRoot,
      env: demo.env,
    },
  );
}

async function finished(
  run: ReturnType<typeof startCli>,
): Promise<{ code: number | null; result: Result; stdout: string }> {
  const { code, stdout, stderr } = await run.done;
  const last = events(stdout).at(-1);
  assert.equal(last?.type, 'result', `no result line:\n${stdout}\n${stderr}`);
  return { code, result: last!.result as Result, stdout };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the load running a little after the deployment ended, so the last full bucket shows where it settled. */
async function settle(load: Load): Promise<LoadReport> {
  await sleep(1200);
  return load.stop();
}

/** The versions that answered in the last full 500 ms of load. */
function finalVersions(report: LoadReport): string[] {
  return Object.keys(lastFullBucket(report).byVersion);
}

// haproxy checks liveness (TCP) and leaves the application's /health to the deployment tool, which is the
// one that must notice the bad version and move traffic back.
async function liveOnBlue(t: Parameters<typeof setupDemo>[0], version = 'v1') {
  const demo = await setupDemo(t, 'haproxy', { blue: 100, green: 0 }, { check: 'tcp' });
  await demo.ctl('deploy', '--slot', 'blue', '--version', version);
  await demo.ctl('switch', '--slot', 'blue');
  return demo;
}

// Each test has its own haproxy, services, state directory and load, and mostly waits on the deployment's
// pauses, monitor and verify windows: two at a time, so their waits overlap (not all five: five loads of
// 300 requests/s at once would leave too little CPU on a busy 2-core machine).
describe('the built CLI under load', { concurrency: 2 }, () => {
  test('blue-green v1 → v2 through haproxy: zero failed requests, traffic ends on v2', async (t) => {
    const demo = await liveOnBlue(t);
    const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const { code, result, stdout } = await finished(deploy(demo, 'production', 'v2'));
    const report = await settle(load);
    assert.equal(code, 0, stdout);
    assert.equal(result.status, 'succeeded');
    assertZeroDowntime(t, report);
    assert.ok((report.byVersion.v1 ?? 0) > 50 && (report.byVersion.v2 ?? 0) > 50, describeLoad(report));
    assert.deepEqual(finalVersions(report), ['v2']);
    assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'green', version: 'v2' });
  });

  test('canary v1 → v2 through every step (5/10/25/50/100): zero failed requests', async (t) => {
    const demo = await liveOnBlue(t);
    const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const { code, result, stdout } = await finished(deploy(demo, 'production', 'v2', '--strategy', 'canary'));
    const report = await settle(load);
    assert.equal(code, 0, stdout);
    const weights = result.steps
      .filter((s) => s.step.kind === 'set_weight')
      .map((s) => (s.step as unknown as { weight: number }).weight);
    assert.deepEqual(weights, [5, 10, 25, 50, 100]);
    assertZeroDowntime(t, report);
    // Traffic moved gradually: v2's share grows step by step before it takes everything.
    const shares = report.timeline.map(
      (b) => (b.byVersion.v2 ?? 0) / Math.max(1, (b.byVersion.v1 ?? 0) + (b.byVersion.v2 ?? 0)),
    );
    assert.ok(
      shares.some((s) => s > 0 && s < 0.2),
      `never saw a small canary share: ${shares.map((s) => s.toFixed(2)).join(' ')}`,
    );
    assert.deepEqual(finalVersions(report), ['v2']);
  });

  test('rolling v1 → v2 over three instances: zero failed requests, every instance replaced', async (t) => {
    const demo = await setupDemo(t, 'haproxy', { i1: 100, i2: 100, i3: 100 }, { check: 'tcp' });
    await demo.ctl('deploy', '--instances', 'i1,i2,i3', '--version', 'v1');
    const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const { code, result, stdout } = await finished(deploy(demo, 'fleet', 'v2'));
    const report = await settle(load);
    assert.equal(code, 0, stdout);
    assert.deepEqual(
      result.steps
        .filter((s) => s.step.kind === 'deploy')
        .map((s) => (s.step as unknown as { instances: string[] }).instances),
      [['i1'], ['i2'], ['i3']],
    );
    assertZeroDowntime(t, report);
    assert.deepEqual(finalVersions(report), ['v2']);
  });

  test('blue-green rollback: the new version fails its health check after the switch, traffic goes back with zero failed requests', async (t) => {
    const demo = await liveOnBlue(t);
    const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    // A version named "...unhealthy" answers /health with 503 from 1 s after its first GET / (and keeps serving
    // /): it passes the checks before the switch however slow the machine, and fails once it takes traffic.
    const { code, result, stdout } = await finished(deploy(demo, 'production', 'v2-unhealthy'));
    const report = await settle(load);
    assert.equal(code, 1, stdout);
    assert.equal(result.status, 'rolled_back');
    assert.equal(result.rollbacks[0]!.ok, true);
    const switches = result.steps
      .filter((s) => s.step.kind === 'switch')
      .map((s) => `${s.phase}:${s.step.slot}`);
    assert.deepEqual(
      switches,
      ['production:green', 'rollback:blue'],
      `traffic moved to green, then back to blue; steps: ${JSON.stringify(result.steps.map((s) => [s.phase, s.step.kind, (s as { result?: { ok: boolean } }).result?.ok]))}`,
    );
    assertZeroDowntime(t, report);
    assert.ok(
      (report.byVersion['v2-unhealthy'] ?? 0) > 0,
      'the bad version did take traffic before the rollback',
    );
    assert.deepEqual(finalVersions(report), ['v1']);
    assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'blue', version: 'v1' });
  });

  test('SIGTERM in the middle of a canary at 25 %: all traffic is on the stable version once the process has exited', async (t) => {
    const demo = await liveOnBlue(t);
    const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const run = deploy(demo, 'production', 'v2', '--strategy', 'canary');
    await run.waitFor(
      (line) =>
        line.includes('"type":"step-start"') &&
        line.includes('"phase":"canary-step"') &&
        line.includes('"weight":25'),
      60_000,
    );
    run.child.kill('SIGTERM');
    const { code, result } = await finished(run);
    assert.equal(code, 143);
    assert.equal(result.status, 'cancelled');
    // Right after exit, before any other traffic change could happen: only v1 answers.
    const after = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 1500 });
    await new Promise((r) => setTimeout(r, 1200));
    const check = await after.stop();
    const report = await load.stop();
    assert.deepEqual(Object.keys(check.byVersion), ['v1'], describeLoad(check));
    assert.equal(check.failed, 0);
    assertZeroDowntime(t, report);
    assert.ok((report.byVersion.v2 ?? 0) > 0, 'the canary had taken its share before the cancellation');
  });
});
