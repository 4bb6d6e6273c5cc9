// Cancelled as the runner cancels while finalize tears the old slot down: the teardown is not cancellable,
// so it runs on until the cancelled job's deadline stops it. The release stands, but the run ends cancelled
// (exit 130, as when cancelled in the scale-down wait before it), not succeeded with exit 0, and the slot
// stays due in the record, unclaimed, for reconcile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, startCli } from '../../helpers/cli.ts';
import { cancelLikeRunner } from '../../helpers/action.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

test("in an Actions job, cancelled during the old slot's teardown: the run ends cancelled (130), the slot stays due for reconcile", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'finalize-cancel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}environments:\n  production:\n    strategy: { type: blue-green, scale_down_delay: 0s, verify_after_switch: 0s }\n`,
  );
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: {
      CURRENT: '{"slot":"blue","version":"v1"}',
      GITHUB_ACTIONS: 'true',
      SLEEP_ON: 'teardown:blue=20000',
      LOG_END: '1',
    },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  for (let i = 0; !target.calls().includes('teardown blue'); i++) {
    if (run.child.exitCode !== null || i > 600)
      assert.fail(`the teardown never began:\n${target.calls().join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = () => run.child.exitCode !== null || run.child.signalCode !== null;
  const { sent } = await cancelLikeRunner({ child: run.child, exited });
  const { code, stdout } = await run.done;
  assert.ok(!sent.includes('SIGKILL'), stdout);
  assert.ok(
    target.calls().includes('end teardown blue terminated'),
    'the teardown was stopped by the deadline',
  );
  const result = events(stdout).find((e) => e.type === 'result')!.result as {
    status: string;
    message: string;
  };
  assert.equal(result.status, 'cancelled', result.message);
  assert.match(result.message, /blue was not torn down .*a reconcile run tears it down/);
  assert.equal(code, 130, stdout);
  const record = JSON.parse(readFileSync(join(dir, 'state/records/production.json'), 'utf8'));
  assert.equal(record.live.version, 'v2', 'the release stands');
  assert.deepEqual(
    record.retired.map((r: { slot: string; teardown?: unknown }) => [r.slot, r.teardown]),
    [['blue', undefined]],
    'blue stays due, its teardown claimed by nobody',
  );
});
