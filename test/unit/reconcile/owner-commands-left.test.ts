// A CLI deployment killed with no chance to stop its commands (SIGKILL, the OOM killer) may leave a traffic
// step running in its own process group: a blue-green switch to the new slot. Reconcile rolling the orphan
// back meanwhile switched back and tore the new slot down, then the old switch landed: all traffic on a slot
// that was gone. Reconcile waits while a command of the dead owner runs, and rolls back once it has ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { commandsLeftBy, environValue, type ProcessInfo } from '../../../src/util/process-tree.ts';

test("commandsLeftBy: the group leaders the owner marked, started after it; not what a command left in its group, nor another owner's", () => {
  const table: ProcessInfo[] = [
    { pid: 100, ppid: 1, pgrp: 100, start: '500' }, // the owner (gone in practice)
    { pid: 201, ppid: 1, pgrp: 201, start: '600' }, // its switch command, reparented to init
    { pid: 202, ppid: 1, pgrp: 201, start: '610' }, // a process that command started, in its group
    { pid: 203, ppid: 1, pgrp: 203, start: '400' }, // marked with the pid, but older than the owner: pid reuse
    { pid: 204, ppid: 1, pgrp: 204, start: '700' }, // another deploy-action's command (pid 1000)
    { pid: 205, ppid: 1, pgrp: 205, start: '700' }, // unmarked
  ];
  const markers: Record<number, string> = {
    201: '100-abc-def.3',
    202: '100-abc-def.3',
    203: '100-old-one.1',
    204: '1000-xyz-uvw.1',
  };
  assert.deepEqual(
    commandsLeftBy(table, { pid: 100, since: '500' }, (pid) => markers[pid]).map((p) => p.pid),
    [201],
  );
  assert.equal(environValue('A=1\0DEPLOY_ACTION_RUN=100-a.1\0B=2\0', 'DEPLOY_ACTION_RUN'), '100-a.1');
  assert.equal(environValue('A=1\0', 'DEPLOY_ACTION_RUN'), undefined);
});

test('killed during a blue-green switch that still runs: reconcile waits for it, then rolls back; traffic ends on the stable slot', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'commands-left-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}environments:\n  production:\n    strategy: { type: blue-green, scale_down_delay: 0s, verify_after_switch: 0s }\n`,
  );
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config], {
    // The switch to green takes 12 s: time enough for a reconcile on a busy machine to run meanwhile.
    env: { CURRENT: '{"slot":"blue","version":"v1"}', SLEEP_ON: 'switch:green=12000', LOG_END: '1' },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  for (let i = 0; !target.calls().includes('switch green'); i++) {
    if (run.child.exitCode !== null || i > 600)
      assert.fail(`the switch never began:\n${target.calls().join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill('SIGKILL');
  await run.done;
  const reconcile = () =>
    runCli(['reconcile', '-c', config], { env: { CURRENT: '{"slot":"green","version":"v2"}' } });

  const early = await reconcile();
  assert.ok(
    !target.calls().includes('end switch green'),
    'the switch was still running during that reconcile',
  );
  assert.match(early.stdout, /owner_unknown/, early.stdout);
  assert.match(early.stdout, /command\(s\) it started still run/, early.stdout);
  // Its owner is known to have ended: not "cannot tell whether process N still runs".
  assert.match(early.stdout, /left alone: its owner process \d+ ended, but command\(s\)/, early.stdout);
  assert.doesNotMatch(early.stdout, /cannot tell whether process/, early.stdout);
  assert.ok(
    !target.calls().includes('switch blue'),
    `nothing was rolled back under the switch:\n${target.calls().join('\n')}`,
  );

  for (let i = 0; !target.calls().includes('end switch green'); i++) {
    if (i > 400) assert.fail('the switch never ended');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 200));
  const later = await reconcile();
  assert.equal(later.code, 0, later.stdout);
  assert.match(later.stdout, /orphan_rolled_back/, later.stdout);
  const calls = target.calls();
  assert.deepEqual(
    calls.filter((c) => /^(switch|teardown)/.test(c)),
    ['switch green', 'switch blue', 'teardown green'],
  );
  assert.ok(
    calls.indexOf('end switch green') < calls.indexOf('switch blue'),
    'the switch back came after the switch',
  );
  const record = JSON.parse(readFileSync(join(dir, 'state/records/production.json'), 'utf8'));
  assert.equal(record.rollout, undefined, 'the orphan is finished');
});
