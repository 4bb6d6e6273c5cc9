// A CLI deployment killed (SIGKILL) after its deploy command started the new slot's service in a session of
// its own (setsid, pm2: a process-group leader that inherits the command's DEPLOY_ACTION_RUN marker). Reconcile
// took that service for a traffic step still in flight and left the orphan alone for as long as the service
// ran (for ever), telling the operator to stop it. A dead owner's commands are now waited for no longer than
// the environment's longest command timeout, after which the owner itself would have stopped them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { longestCommandTimeoutMs } from '../../../src/config/command-timeouts.ts';
import { processStatus } from '../../../src/reconcile/owner.ts';
import { runCli, startCli } from '../../helpers/cli.ts';
import { recorder } from '../../helpers/recorded-target.ts';

test("longestCommandTimeoutMs: the longest of the environment's commands, hooks included", () => {
  const parsed = parseConfig(
    `preset: fast
target:
  timeout: 3s
  commands:
    deploy: [deploy, '{{slot}}']
    switch: { run: [switch, '{{slot}}'], timeout: 7s }
    current: [current]
environments:
  production:
    strategy: { type: blue-green }
    hooks:
      migrate: { run: [migrate], timeout: 40s }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  assert.equal(longestCommandTimeoutMs(resolveEnvironment(parsed.config, 'production')), 40_000);
});

test('processStatus asks for the commands left within the bound it is given, and says it', () => {
  const asked: unknown[] = [];
  const probe = {
    host: 'h',
    kill: () => {
      throw Object.assign(new Error('gone'), { code: 'ESRCH' });
    },
    commandsLeft: (pid: number, started: string | undefined, withinMs?: number) => {
      asked.push([pid, started, withinMs]);
      return [4321];
    },
  };
  const status = processStatus({ pid: 12, host: 'h', started: 'b:5' }, probe, 9000);
  assert.deepEqual(asked, [[12, 'b:5', 9000]]);
  assert.equal(status.state, 'unknown');
  assert.match(status.state === 'unknown' ? status.reason : '', /process 4321.*9 s old/);
});

test('a service the deploy command started in a session of its own holds the orphan no longer than the command timeout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'service-left-'));
  const pidFile = join(dir, 'service.pid');
  t.after(() => {
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Ended already.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const log = join(dir, 'calls.log');
  const call = (...args: string[]) => JSON.stringify([...recorder, log, ...args]);
  const record = [...recorder, log, 'deploy', '"$0"'].join(' ');
  // The new slot's service: a session of its own (setsid), its pid written down for the cleanup.
  const service = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 60' </dev/null >/dev/null 2>&1 &`;
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
state_dir: ${dir}/state
target:
  timeout: 3s
  commands:
    deploy: ${JSON.stringify(['sh', '-c', `${service} exec ${record}`, '{{slot}}'])}
    switch: ${call('switch', '{{slot}}')}
    health: ${call('health', '{{slot}}')}
    teardown: ${call('teardown', '{{slot}}')}
    current: ${call('current')}
environments:
  production:
    strategy: { type: blue-green, scale_down_delay: 0s, verify_after_switch: 30s }
`,
  );
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config], {
    env: { CURRENT: '{"slot":"blue","version":"v1"}' },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  // Killed in the verify window after the switch: no command of it is in flight, only the service runs.
  for (let i = 0; !calls().includes('"switch"'); i++) {
    if (run.child.exitCode !== null || i > 600) assert.fail(`the switch never ran:\n${calls()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill('SIGKILL');
  await run.done;
  const servicePid = Number(readFileSync(pidFile, 'utf8'));
  const reconcile = () =>
    runCli(['reconcile', '-c', config], { env: { CURRENT: '{"slot":"green","version":"v2"}' } });

  // Past the command timeout (3 s) and its SIGKILL (2 s) since the service started: not waited for.
  await new Promise((r) => setTimeout(r, 5500));
  assert.doesNotThrow(() => process.kill(servicePid, 0), 'the service still runs');
  const later = await reconcile();
  assert.doesNotMatch(later.stdout, /owner_unknown/, later.stdout);
  assert.match(later.stdout, /orphan_rolled_back/, later.stdout);
  assert.match(calls(), /"switch","args":\["blue"\]/, 'traffic went back to blue');
});
