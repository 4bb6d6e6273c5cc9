// A blue-green deployment keeps the old slot as the instant rollback target for its scale_down_delay, longer
// than a job waits; a reconcile run tears it down once the delay has passed, and not a moment before (issue
// 13). The BUILT CLI drives the demo's real services behind the embedded router under loopback load: v2
// keeps answering through every reconcile, and only the retired slot's process goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE, events, repoRoot, runCli } from '../helpers/cli.ts';
import { demoTargetYaml, setupDemo, type Demo } from '../helpers/demo.ts';
import { assertZeroDowntime, startLoad } from '../helpers/load.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';

const DELAY_MIN = 30;

interface DemoStatus {
  servers: Record<string, { weight: number }>;
  processes: Record<string, { version?: string; running: boolean }>;
}

async function status(demo: Demo): Promise<DemoStatus> {
  return JSON.parse(await demo.ctl('status')) as DemoStatus;
}

function cli(demo: Demo, config: string, ...args: string[]) {
  return runCli([...args, '-c', config, '--json'], { entry: CLI_BUNDLE, cwd: repoRoot, env: demo.env });
}

function record(stateDir: string): EnvironmentRecord {
  return JSON.parse(readFileSync(join(stateDir, 'records', 'production.json'), 'utf8')) as EnvironmentRecord;
}

/** The reconcile summary line of a `--json` run. */
function summaryOf(stdout: string) {
  const line = events(stdout).find((e) => e.type === 'reconcile');
  assert.ok(line, `no reconcile summary:\n${stdout}`);
  return line as unknown as { entries: Array<{ environment: string; code: string }>; failed: boolean };
}

test('a retired blue-green slot is torn down by reconcile after its scale_down_delay, not before', async (t) => {
  const demo = await setupDemo(t, 'embedded', { blue: 100, green: 0 });
  await demo.ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await demo.ctl('switch', '--slot', 'blue');
  const stateDir = join(demo.stateDir, 'deploy-state');
  const config = join(demo.stateDir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
state_dir: ${JSON.stringify(stateDir)}
${demoTargetYaml()}environments:
  production:
    strategy: { type: blue-green, verify_after_switch: 0, scale_down_delay: ${DELAY_MIN}m }
    monitor: 0
`,
  );

  const load = await startLoad({ url: demo.url, rps: 100, maxDurationMs: 60_000 });
  t.after(() => load.stop());

  const deployed = await cli(demo, config, 'run', '-e', 'production', '-v', 'v2');
  assert.equal(deployed.code, 0, `${deployed.stdout}\n${deployed.stderr}`);
  const afterDeploy = await status(demo);
  assert.equal(afterDeploy.servers.green?.weight, 100, JSON.stringify(afterDeploy));
  assert.equal(afterDeploy.processes.blue?.running, true, 'blue stays up as the instant rollback target');
  const retired = record(stateDir).retired;
  assert.equal(retired.length, 1, JSON.stringify(retired));
  assert.equal(retired[0]!.slot, 'blue');
  assert.equal(retired[0]!.version, 'v1');
  const dueAt = Date.parse(retired[0]!.dueAt);
  assert.ok(
    Math.abs(dueAt - (Date.now() + DELAY_MIN * 60_000)) < 60_000,
    `due about ${DELAY_MIN} min from now: ${retired[0]!.dueAt}`,
  );

  // Now, and one minute before the delay ends: nothing is due, blue keeps running.
  for (const at of [undefined, new Date(dueAt - 60_000).toISOString()]) {
    const early = await cli(demo, config, 'reconcile', '-e', 'production', ...(at ? ['--at', at] : []));
    assert.equal(early.code, 0, `${early.stdout}\n${early.stderr}`);
    assert.deepEqual(
      summaryOf(early.stdout).entries.map((e) => e.code),
      ['nothing_due'],
      early.stdout,
    );
    assert.equal(
      (await status(demo)).processes.blue?.running,
      true,
      `blue torn down early (at ${at ?? 'now'})`,
    );
    assert.equal(record(stateDir).retired.length, 1);
  }

  // Once the delay has passed: torn down, recorded, and v2 never stopped answering.
  const seqBefore = record(stateDir).seq;
  const due = await cli(
    demo,
    config,
    'reconcile',
    '-e',
    'production',
    '--at',
    new Date(dueAt + 1000).toISOString(),
  );
  assert.equal(due.code, 0, `${due.stdout}\n${due.stderr}`);
  assert.deepEqual(
    summaryOf(due.stdout).entries.map((e) => e.code),
    ['slot_torn_down'],
    due.stdout,
  );
  const end = await status(demo);
  assert.equal(end.processes.blue?.running ?? false, false, JSON.stringify(end));
  assert.equal(end.servers.green?.weight, 100);
  const after = record(stateDir);
  assert.deepEqual(after.retired, []);
  // Two writes: the teardown claimed (a deployment then refuses that slot), then the slot recorded gone.
  assert.equal(after.seq, seqBefore + 2);
  // Recorded when it happened, not at the --at time it was judged by.
  assert.ok(Math.abs(Date.parse(after.history.at(-1)!.at) - Date.now()) < 60_000, after.history.at(-1)!.at);
  assert.equal(after.live?.version, 'v2');
  assert.deepEqual(
    {
      event: after.history.at(-1)?.event,
      code: after.history.at(-1)?.code,
      version: after.history.at(-1)?.version,
    },
    { event: 'slot_torn_down', code: 'scale_down_delay_passed', version: 'v1' },
  );

  // A second reconcile finds nothing more to do.
  const again = await cli(demo, config, 'reconcile', '-e', 'production');
  assert.deepEqual(
    summaryOf(again.stdout).entries.map((e) => e.code),
    ['nothing_due'],
  );

  const report = await load.stop();
  assertZeroDowntime(t, report);
  assert.deepEqual(Object.keys(report.byVersion).sort(), ['v1', 'v2'], 'v1, then v2 after the switch');
});
