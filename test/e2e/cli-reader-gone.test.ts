// The BUILT CLI deploying while whoever reads its output goes away (`deploy-action run | head`, a closed
// terminal): the deployment must run to its end. An unhandled EPIPE on stdout used to crash the CLI
// wherever it was, mid-canary included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BUNDLE } from '../helpers/cli.ts';
import { NODE } from '../helpers/processes.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';

test('stdout closed by its reader mid-canary: the CLI goes on to the last step and exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-reader-gone-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [10, 50, 100], pause: 300ms }
`,
  );
  const stateDir = join(dir, 'state');
  const child = spawn(
    NODE,
    [CLI_BUNDLE, 'run', '-e', 'production', '-v', 'v2', '-c', 'deploy.yml', '--state-dir', stateDir],
    { cwd: dir, env: { ...process.env, CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) } },
  );
  t.after(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The reader reads until the canary takes its first share of traffic, then goes away.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the canary never took traffic')), 60_000);
    child.stdout.on('data', () => {
      if (!target.calls().includes('set_weight green 10')) return;
      clearTimeout(timer);
      child.stdout.destroy();
      resolve();
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.doesNotMatch(stderr, /EPIPE/, 'no crash on the closed pipe');
  assert.equal(code, 0, stderr);
  const weights = target.calls().filter((c) => c.startsWith('set_weight'));
  assert.equal(
    weights.at(-1),
    'set_weight green 100',
    `the canary ran to its last step: ${weights.join(', ')}`,
  );
  assert.ok(existsSync(stateDir), 'the run kept its record');
});
