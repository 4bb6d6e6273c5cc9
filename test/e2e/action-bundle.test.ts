// The BUILT action (dist/action/index.js) run exactly as the runner runs it: inputs as INPUT_* variables,
// outputs written to the file named by GITHUB_OUTPUT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { recorder } from '../helpers/recorded-target.ts';

function runAction(inputs: Record<string, string>, dir: string) {
  const output = join(dir, 'github_output');
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: output,
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_REPOSITORY: 'acme/shop',
    RUNNER_TEMP: dir,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist/action/index.js')], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const outputs = Object.fromEntries(
    [...readFileSync(output, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [
      m[1],
      m[3],
    ]),
  );
  return { status: result.status, stdout: result.stdout, outputs };
}

test('the built action deploys with the pipeline and sets its outputs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'action-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const call = (...args: string[]) => JSON.stringify([...recorder, join(dir, 'calls.log'), ...args]);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast\ntarget:\n  commands:\n    deploy: ${call('deploy', '{{version}}')}\n    health: ${call('health')}\nenvironments:\n  production: {}\n`,
  );
  const { status, stdout, outputs } = runAction(
    { environment: 'production', version: 'v2', config: 'deploy.yml' },
    dir,
  );
  assert.equal(status, 0, stdout);
  assert.equal(outputs.status, 'succeeded');
  assert.equal(outputs['rolled-back'], 'false');
  assert.match(readFileSync(join(dir, 'calls.log'), 'utf8'), /"action":"deploy","args":\["v2"\]/);
});

test('the built action fails with a clear message on a missing input and on a config error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'action-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = runAction({}, dir);
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /::error::input "environment" is required/);
  writeFileSync(join(dir, 'deploy.yml'), 'environments:\n  production:\n    stratgy: canary\n');
  const bad = runAction({ environment: 'production', config: 'deploy.yml' }, dir);
  assert.equal(bad.status, 1);
  assert.match(
    bad.stdout,
    /::error title=environments\.production\.stratgy,file=deploy\.yml,line=3,col=5::unknown key "stratgy": did you mean "strategy"\?/,
  );
});

test('the built action exits 3 when the rollback did not complete, not 1 like a clean rollback', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'action-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const call = (...args: string[]) => JSON.stringify([...recorder, join(dir, 'calls.log'), ...args]);
  const fail = JSON.stringify([process.execPath, '-e', 'process.exit(1)']);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast\ntarget:\n  commands:\n    deploy: ${call('deploy', '{{version}}')}\n    health: ${fail}\n    rollback: ${fail}\nenvironments:\n  production: {}\n`,
  );
  const { status, stdout, outputs } = runAction(
    { environment: 'production', version: 'v2', config: 'deploy.yml' },
    dir,
  );
  assert.equal(outputs.code, 'rollback_failed', stdout);
  assert.equal(status, 3, stdout);
});
