// Metric analysis end to end with a real Prometheus: it scrapes the demo service's /metrics for both slots
// while a loopback client sends 300 requests/s through haproxy. The BUILT CLI runs a canary; the analysis
// alone decides: a version answering 30 % errors is rolled back, a good one is promoted through every step.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE, events, repoRoot, runCli, startCli } from '../helpers/cli.ts';
import { demoTargetYaml, setupDemo, type Demo } from '../helpers/demo.ts';
import { assertZeroDowntime, describeLoad, lastFullBucket, startLoad } from '../helpers/load.ts';
import { startPrometheus } from '../helpers/prometheus.ts';

type Result = {
  status: string;
  code: string;
  steps: Array<{
    phase: string;
    step: { kind: string; weight?: number };
    result: { ok: boolean; reason?: string; detail?: string };
  }>;
};

function writeConfig(demo: Demo, prometheusUrl: string): string {
  // Errors of the version under test over the last 5 s; "or vector(0)" because a version with no error
  // has no 5xx series at all, which would otherwise read as "no data".
  const errorRate =
    '(sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[5s])) or vector(0))' +
    ' / sum(rate(http_requests_total{version="{{version}}"}[5s]))';
  const file = join(demo.stateDir, 'deploy.yml');
  writeFileSync(
    file,
    `preset: fast
${demoTargetYaml({ node: 'node', switch: false })}environments:
  production:
    strategy: { type: canary, steps: [10, 50, 100], pause: 6s }
    monitor: 0
    monitor_interval: 1s
    analysis:
      preset: none
      providers:
        prom: { type: prometheus, url: "${prometheusUrl}" }
      metrics:
        error_rate:
          provider: prom
          query: '${errorRate}'
      checks:
        - check: error_rate < 0.05
          for: 2s
      max_no_data: 20s
`,
  );
  return file;
}

async function setup(t: Parameters<typeof setupDemo>[0]) {
  // 500s must reach the client as they are (haproxy would otherwise retry them on the other slot).
  const demo = await setupDemo(
    t,
    'haproxy',
    { blue: 100, green: 0 },
    { check: 'tcp', retryOn: 'conn-failure empty-response' },
  );
  const ports = demo.env.DEMO_PORTS!.split(',').map((p) => `127.0.0.1:${p.split('=')[1]}`);
  const prometheus = await startPrometheus(ports);
  t.after(() => prometheus.stop());
  await demo.ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await demo.ctl('switch', '--slot', 'blue');
  return { demo, config: writeConfig(demo, prometheus.url) };
}

async function canary(demo: Demo, config: string, version: string, record: string) {
  const run = startCli(
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
      '--record',
      record,
      '--json',
    ],
    {
      entry: CLI_BUNDLE,
      cwd: repoRoot,
      env: demo.env,
    },
  );
  const { code, stdout, stderr } = await run.done;
  const last = events(stdout).at(-1);
  assert.equal(last?.type, 'result', `${stdout}\n${stderr}`);
  return { code, result: last!.result as Result, stdout };
}

// The two canaries have their own haproxy, services, Prometheus and load, and mostly wait on the 6 s steps and
// the analysis windows: run side by side, the waits overlap instead of adding up.
describe('canary analysis on Prometheus', { concurrency: true }, () => {
  test('a canary answering 30 % errors is rolled back by the Prometheus analysis, with no human action', async (t) => {
    const { demo, config } = await setup(t);
    const load = await startLoad({ url: demo.url, rps: 300, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const recording = join(demo.stateDir, 'analysis.ndjson');
    const { code, result, stdout } = await canary(demo, config, 'v2-errors', recording);
    await new Promise((r) => setTimeout(r, 1000));
    const report = await load.stop();
    assert.equal(code, 1, stdout);
    assert.equal(result.status, 'rolled_back');
    const failed = result.steps.find((s) => s.step.kind === 'analysis' && !s.result.ok)!;
    assert.match(failed.result.reason!, /error_rate/);
    const weights = result.steps.filter((s) => s.step.kind === 'set_weight').map((s) => s.step.weight);
    assert.deepEqual(weights.slice(-1), [0], 'the last traffic change puts the canary at 0 %');
    assert.ok(!weights.includes(100), 'the bad canary never took all traffic');
    // Failures come only from the canary's share: the stable version answered everything it was sent.
    assert.ok(report.failed > 0, `the canary's errors never reached a client: ${describeLoad(report)}`);
    for (const failure of report.failures)
      assert.equal(failure.version, 'v2-errors', JSON.stringify(failure));
    const settled = lastFullBucket(report);
    assert.ok((report.byVersion.v1 ?? 0) > 0 && settled.failed === 0, describeLoad(report));
    assert.deepEqual(Object.keys(settled.byVersion), ['v1']);
    // The recording replays offline to the same verdict.
    const replay = await runCli(['analyze', '--recording', recording]);
    assert.equal(replay.code, 1, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /ROLLBACK/);
  });

  test('a good canary is promoted through every step by the same analysis', async (t) => {
    const { demo, config } = await setup(t);
    const load = await startLoad({ url: demo.url, rps: 300, maxDurationMs: 180_000 });
    t.after(() => load.stop());
    const { code, result, stdout } = await canary(demo, config, 'v2', join(demo.stateDir, 'analysis.ndjson'));
    const report = await load.stop();
    assert.equal(code, 0, stdout);
    assert.deepEqual(
      result.steps.filter((s) => s.step.kind === 'set_weight').map((s) => s.step.weight),
      [10, 50, 100],
    );
    const analyses = result.steps.filter((s) => s.phase === 'production' && s.step.kind === 'analysis');
    assert.ok(
      analyses.length >= 3 && analyses.every((s) => s.result.ok),
      JSON.stringify(analyses.map((s) => s.result)),
    );
    assertZeroDowntime(t, report);
  });
});
