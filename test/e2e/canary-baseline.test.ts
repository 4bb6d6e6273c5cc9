// A canary with a fresh baseline (issue 15), proven on a real haproxy moving real traffic on loopback: the
// BUILT CLI deploys the stable version again on a third slot before the first step and splits traffic three
// ways at each step (canary = baseline, stable the rest). Counted by the slot that answered each request
// (the demo service names itself), not by version, since baseline and stable run the same version. After a
// promotion, a rollback and a cancellation the baseline takes no traffic and its process is gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE, events, repoRoot, runCli, startCli } from '../helpers/cli.ts';
import { demoTargetYaml, setupDemo, type Demo } from '../helpers/demo.ts';
import { assertZeroDowntime, describeLoad, startLoad } from '../helpers/load.ts';
import { startPrometheus } from '../helpers/prometheus.ts';

type Result = {
  status: string;
  steps: Array<{
    phase: string;
    step: { kind: string; slot?: string; weight?: number; baselineWeight?: number; version?: string };
    result: {
      ok: boolean;
      reason?: string;
      detail?: string;
      metrics?: Record<string, number | null>;
      evidence?: { reference: string };
    };
  }>;
  rollbacks: Array<{ ok: boolean; steps: Array<{ step: { kind: string; slot?: string } }> }>;
};

const CANARY_WEIGHT = 20;

function writeConfig(demo: Demo, analysis = ''): string {
  const file = join(demo.stateDir, 'deploy.yml');
  writeFileSync(
    file,
    `preset: fast
${demoTargetYaml({ node: 'node', switch: false, baseline: true })}environments:
  production:
    # 12 s at the canary step, where every test looks; none at 100 % (the default for the last step), where
    # the baseline is already gone and no test looks: that window only made each run 12 s longer.
    strategy: { type: canary, steps: [${CANARY_WEIGHT}, { weight: 100, pause: 0 }], pause: 12s, baseline: fresh }
    monitor: 0
    monitor_interval: 1s
${analysis}`,
  );
  return file;
}

async function liveOnBlue(t: Parameters<typeof setupDemo>[0]) {
  // haproxy checks liveness (TCP); the deployment tool judges the application's /health.
  const demo = await setupDemo(t, 'haproxy', { blue: 100, green: 0, baseline: 0 }, { check: 'tcp' });
  await demo.ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await demo.ctl('switch', '--slot', 'blue');
  return { demo, config: writeConfig(demo) };
}

function deploy(demo: Demo, config: string, version: string) {
  return startCli(
    [
      'run',
      '-e',
      'production',
      '-v',
      version,
      '-c',
      config,
      '--state-dir',
      join(demo.stateDir, 'st'),
      '--json',
    ],
    { entry: CLI_BUNDLE, cwd: repoRoot, env: demo.env },
  );
}

async function finished(run: ReturnType<typeof deploy>) {
  const { code, stdout, stderr } = await run.done;
  const last = events(stdout).at(-1);
  assert.equal(last?.type, 'result', `no result line:\n${stdout}\n${stderr}`);
  return { code, result: last!.result as Result, stdout };
}

/** The canary step's analysis has started: the three-way split is in place for its whole window. */
const atCanaryStep = (run: ReturnType<typeof deploy>) =>
  run.waitFor(
    (line) =>
      line.includes('"type":"step-start"') &&
      line.includes('"phase":"canary-step"') &&
      line.includes(`"weight":${CANARY_WEIGHT}`),
    90_000,
  );

/**
 * `n` requests through the router, counted by the slot (service name) that answered: eight at a time, so a
 * busy machine still counts them well inside the step's window (one after another, 600 took seconds).
 */
async function countBySlot(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let sent = 0;
  const client = async () => {
    while (sent < n) {
      sent++;
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { name: string; version: string };
      assert.equal(res.status, 200);
      const key = `${body.name}@${body.version}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, n) }, client));
  return counts;
}

/** Within `tolerance` (a fraction of n) of the expected share of each slot. */
function assertSplit(counts: Record<string, number>, expected: Record<string, number>, n: number) {
  const tolerance = 0.06;
  assert.deepEqual(Object.keys(counts).sort(), Object.keys(expected).sort(), JSON.stringify(counts));
  for (const [key, share] of Object.entries(expected)) {
    const got = (counts[key] ?? 0) / n;
    assert.ok(
      Math.abs(got - share) <= tolerance,
      `${key}: ${(got * 100).toFixed(1)} % of ${n} requests, expected ${share * 100} % ± ${tolerance * 100}: ${JSON.stringify(counts)}`,
    );
  }
}

/** The baseline takes no traffic and no process runs on its slot. */
async function assertBaselineGone(demo: Demo) {
  const status = JSON.parse(await demo.ctl('status')) as {
    servers: Record<string, { weight: number }>;
    processes: Record<string, { running: boolean }>;
  };
  assert.equal(status.servers.baseline?.weight, 0, JSON.stringify(status.servers));
  assert.notEqual(status.processes.baseline?.running, true, JSON.stringify(status.processes));
}

// Each test has its own haproxy, services, state directory and load (and Prometheus), and spends most of its
// time in the canary step's 12 s window: two at a time, the windows overlap instead of adding up (all four
// at once left the load client's longest gap at ~0.6 s of the 1 s allowed on a busy machine).
describe('fresh baseline', { concurrency: 2 }, () => {
  test('fresh baseline: stable redeployed beside the canary, traffic split 20/20/60 at the step, baseline gone after promotion', async (t) => {
    const { demo, config } = await liveOnBlue(t);
    const load = await startLoad({ url: demo.url, rps: 100, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const run = deploy(demo, config, 'v2');
    await atCanaryStep(run);
    const n = 600;
    const split = await countBySlot(demo.url, n);
    assertSplit(split, { 'green@v2': 0.2, 'baseline@v1': 0.2, 'blue@v1': 0.6 }, n);
    const { code, result, stdout } = await finished(run);
    const report = await load.stop();
    assert.equal(code, 0, stdout);
    assert.equal(result.status, 'succeeded');
    // The plan as it ran: the baseline runs the stable version before any traffic, and goes at 100 %.
    const deployBaseline = result.steps.find((s) => s.step.kind === 'deploy' && s.step.slot === 'baseline');
    assert.equal(deployBaseline?.step.version, 'previous');
    assert.deepEqual(
      result.steps
        .filter((s) => s.step.kind === 'set_weight')
        .map((s) => [s.step.weight, s.step.baselineWeight]),
      [
        [CANARY_WEIGHT, CANARY_WEIGHT],
        [100, 0],
      ],
    );
    assert.ok(
      result.steps.some((s) => s.step.kind === 'teardown' && s.step.slot === 'baseline' && s.result.ok),
    );
    await assertBaselineGone(demo);
    assert.deepEqual(await countBySlot(demo.url, 20), { 'green@v2': 20 });
    assertZeroDowntime(t, report);
  });

  test('fresh baseline: a canary that turns unhealthy at its step is rolled back, and the baseline is removed too', async (t) => {
    const { demo, config } = await liveOnBlue(t);
    // v2-unhealthy fails /health a second after its first request: traffic through the router makes it so.
    const load = await startLoad({ url: demo.url, rps: 100, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const run = deploy(demo, config, 'v2-unhealthy');
    await atCanaryStep(run);
    const { code, result, stdout } = await finished(run);
    assert.equal(code, 1, stdout);
    assert.equal(result.status, 'rolled_back', stdout);
    const baselineStep = result.steps.find(
      (s) => s.step.kind === 'set_weight' && s.step.weight === CANARY_WEIGHT,
    );
    assert.equal(baselineStep?.step.baselineWeight, CANARY_WEIGHT, 'the baseline had taken its share');
    const rollback = result.rollbacks.at(-1)!;
    assert.ok(rollback.ok, JSON.stringify(rollback));
    assert.deepEqual(
      rollback.steps.map((s) => `${s.step.kind}${s.step.slot ? `@${s.step.slot}` : ''}`),
      ['set_weight@green', 'teardown@green', 'teardown@baseline'],
    );
    await load.stop();
    await assertBaselineGone(demo);
    assert.deepEqual(await countBySlot(demo.url, 20), { 'blue@v1': 20 });
  });

  test('fresh baseline: SIGTERM at the canary step leaves all traffic on stable and no baseline running', async (t) => {
    const { demo, config } = await liveOnBlue(t);
    const load = await startLoad({ url: demo.url, rps: 100, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const run = deploy(demo, config, 'v2');
    await atCanaryStep(run);
    run.child.kill('SIGTERM');
    const { code, result } = await finished(run);
    const report = await load.stop();
    assert.equal(code, 143);
    assert.equal(result.status, 'cancelled');
    await assertBaselineGone(demo);
    assert.deepEqual(await countBySlot(demo.url, 20), { 'blue@v1': 20 });
    assert.ok((report.byVersion.v2 ?? 0) > 0, `the canary had taken its share: ${describeLoad(report)}`);
    assertZeroDowntime(t, report);
  });

  test('fresh baseline with Prometheus: the analysis reads the compared side from the baseline slot, which takes the canary share, and names it baseline', async (t) => {
    const { demo } = await liveOnBlue(t);
    const ports = demo.env.DEMO_PORTS!.split(',').map((p) => `127.0.0.1:${p.split('=')[1]}`);
    const prometheus = await startPrometheus(ports);
    t.after(() => prometheus.stop());
    // Baseline and stable run the same version: the queries select by slot (the demo labels its series with it).
    const config = writeConfig(
      demo,
      `    analysis:
      preset: none
      providers:
        prom: { type: prometheus, url: "${prometheus.url}" }
      metrics:
        requests: { provider: prom, query: 'sum(increase(http_requests_total{slot="{{slot}}"}[5s]))' }
        errors: { provider: prom, query: 'sum(increase(http_requests_total{slot="{{slot}}",code=~"5.."}[5s])) or vector(0)' }
      checks:
        - { compare: errors, errors: errors, requests: requests }
      max_no_data: 20s
`,
    );
    const load = await startLoad({ url: demo.url, rps: 100, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const recording = join(demo.stateDir, 'analysis.ndjson');
    const run = startCli(
      [
        'run',
        '-e',
        'production',
        '-v',
        'v2',
        '-c',
        config,
        '--state-dir',
        join(demo.stateDir, 'st'),
        '--record',
        recording,
        '--json',
      ],
      { entry: CLI_BUNDLE, cwd: repoRoot, env: demo.env },
    );
    const { code, result, stdout } = await finished(run);
    await load.stop();
    assert.equal(code, 0, stdout);
    const step = result.steps.find(
      (s) => s.step.kind === 'analysis' && s.phase === 'production' && s.step.weight === CANARY_WEIGHT,
    )!;
    assert.ok(step.result.ok, JSON.stringify(step.result));
    const m = step.result.metrics ?? {};
    assert.ok(!Object.keys(m).some((k) => k.startsWith('stable.')), JSON.stringify(m));
    const canary = m.requests!;
    const baseline = m['baseline.requests']!;
    // Same share: the baseline answered about as many requests as the canary; stable (60 %) would be ~3x.
    assert.ok(canary > 20 && baseline > 20, JSON.stringify(m));
    assert.ok(baseline / canary > 0.6 && baseline / canary < 1.6, `baseline ${baseline} vs canary ${canary}`);
    assert.equal(step.result.evidence?.reference, 'baseline');
    await assertBaselineGone(demo);
    // The recording says what was compared, and replays.
    const replay = await runCli(['analyze', '--recording', recording]);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /vs baseline v1 on baseline at 20%/);
  });
});
