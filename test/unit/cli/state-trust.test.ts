// Through the CLI: a state directory below a directory others may write (not sticky) is refused by `run`,
// `status` and `plan` as state_untrusted, naming that directory and its mode, and nothing is deployed or
// written; below a sticky one of the CLI's user's (as /tmp is root's) the same state directory works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { events, runCli } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

const LIVE_BLUE = { CURRENT: '{"slot":"blue","version":"v1"}' };

async function cliInProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

test('a state directory below an open directory is state_untrusted for run, status and plan; below a sticky one it works', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'state-trust-'));
  const shared = join(dir, 'shared');
  mkdirSync(shared);
  t.after(() => {
    chmodSync(shared, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  const state = join(shared, 'state');
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
state_dir: ${JSON.stringify(state)}
${target.targetYaml}environments:
  production:
    strategy: { type: blue-green }
`,
  );
  const open = new RegExp(
    `state_untrusted.*the directory ${shared} above its state directory ${state} may be written by its group and others \\(mode 0777\\), so its records are not read or written; check them, then \`chmod go-w\` it`,
  );

  chmodSync(shared, 0o777);
  const refused = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: LIVE_BLUE,
  });
  // As any refused record (state_refused, a failed run): not replaced from the current command either.
  assert.equal(refused.code, 1, refused.stdout);
  const result = events(refused.stdout).at(-1)! as unknown as { result: { code: string; message: string } };
  assert.equal(result.result.code, 'state_refused');
  assert.match(result.result.message, open);
  assert.match(
    result.result.message,
    /Nothing was deployed: a record others may write, or one kept where no reader looks, is neither believed nor replaced/,
  );
  assert.doesNotMatch(refused.stdout + refused.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(target.actingCalls(), [], 'nothing deployed');
  assert.ok(!existsSync(join(state, 'records')), 'nothing written there');

  const plan = await cliInProcess(['plan', '-e', 'production', '-v', 'v2', '-c', config]);
  assert.match(plan.stdout, /refused \[state_untrusted\]: the directory .*shared above its state directory/);

  // Sticky (and the CLI's user's): nobody else may move the state directory away.
  chmodSync(shared, 0o1777);
  const ran = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: LIVE_BLUE,
  });
  assert.equal(ran.code, 0, ran.stdout + ran.stderr);
  const status = await cliInProcess(['status', '-e', 'production', '-c', config]);
  assert.equal(status.code, 0, status.stderr);

  chmodSync(shared, 0o777);
  const untrusted = await cliInProcess(['status', '-e', 'production', '-c', config]);
  assert.equal(untrusted.code, 2);
  assert.match(untrusted.stderr, new RegExp(`^error: ${open.source}\\n$`));
  assert.equal(untrusted.stdout, '', 'no record shown');
});
