// Cancelled in finalize (the old slot's scale-down wait), a run ends cancelled, not succeeded: its on_success
// hook, which announces a deployment that succeeded, was still started after the signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, startCli } from '../../helpers/cli.ts';
import { recordedTarget, recorder } from '../../helpers/recorded-target.ts';

test('SIGINT in the scale-down wait: the run ends cancelled and its on_success hook is not run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'finalize-on-success-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}environments:\n  production:\n` +
      `    strategy: { type: blue-green, scale_down_delay: 1m, verify_after_switch: 0s }\n` +
      `    hooks:\n      on_success: ${JSON.stringify([...recorder, target.log, 'on_success'])}\n`,
  );
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: { CURRENT: '{"slot":"blue","version":"v1"}' },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  // In the wait: the release is stored live, blue is retired and waited on.
  await run.waitFor((line) => line.includes('before decommissioning it'), 60_000);
  const recordFile = join(dir, 'state/records/production.json');
  for (let i = 0; ; i++) {
    const record = existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, 'utf8')) : undefined;
    if (record?.live?.version === 'v2' && record.rollout === undefined) break;
    if (i > 600) assert.fail('the release was never stored');
    await new Promise((r) => setTimeout(r, 50));
  }
  // Its store confirmed (a signal while it is being stored is another case: state_refused).
  await new Promise((r) => setTimeout(r, 500));
  run.child.kill('SIGINT');
  const { code, stdout } = await run.done;
  const result = events(stdout).find((e) => e.type === 'result')!.result as { status: string };
  assert.equal(result.status, 'cancelled', stdout);
  assert.equal(code, 130, stdout);
  assert.ok(!target.calls().includes('on_success'), `on_success ran:\n${target.calls().join('\n')}`);
  assert.match(stdout, /on_success hook not run: the deployment was cancelled/);
});
