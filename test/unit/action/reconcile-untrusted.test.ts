// The Action's mode: reconcile with `state-dir` agrees with the CLI's reconcile: an environment whose record or
// reconcile lock others may write (state_untrusted) fails the step, after the other environments are
// reconciled, and its code is the step's `code` output; it is not a warning beside a green step.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunContext } from '../../../src/action/context.ts';
import { readInputs } from '../../../src/action/inputs.ts';
import { runReconcile } from '../../../src/action/reconcile.ts';

test('mode reconcile: a reconcile lock others may write fails the step with state_untrusted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'action-reconcile-untrusted-'));
  const exitCode = process.exitCode;
  const outputFile = process.env.GITHUB_OUTPUT;
  t.after(() => {
    process.exitCode = exitCode;
    if (outputFile === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = outputFile;
    rmSync(dir, { recursive: true, force: true });
  });
  const stateDir = join(dir, 'state');
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    'target:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n  staging:\n    strategy: { type: direct }\n',
  );
  const lock = join(stateDir, 'locks', 'reconcile-production.lock');
  mkdirSync(join(stateDir, 'locks'), { recursive: true, mode: 0o755 });
  writeFileSync(lock, '');
  chmodSync(lock, 0o666);
  const outputs = join(dir, 'outputs');
  writeFileSync(outputs, '');
  process.env.GITHUB_OUTPUT = outputs;
  const inputs = readInputs(
    (name) => ({ mode: 'reconcile', config, 'state-dir': stateDir })[name as 'mode'] ?? '',
  );
  const context: RunContext = {
    owner: 'acme',
    repo: 'web',
    eventName: 'schedule',
    sha: 'a'.repeat(40),
    apiUrl: 'https://api.github.com',
  };

  await runReconcile(inputs, context, {});

  assert.equal(process.exitCode, 1, 'the step fails');
  const written = readFileSync(outputs, 'utf8');
  const output = (name: string) => new RegExp(`^${name}<<(\\S+)\\n([^]*?)\\n\\1$`, 'm').exec(written)?.[2];
  assert.equal(output('status'), 'failed');
  assert.equal(output('code'), 'state_untrusted');
  const summary = JSON.parse(output('reconcile') ?? '') as {
    entries: Array<{ environment: string; code: string; failed: boolean }>;
    failed: boolean;
  };
  assert.deepEqual(
    summary.entries.map((e) => [e.environment, e.code, e.failed]),
    [
      ['production', 'state_untrusted', true],
      ['staging', 'nothing_due', false],
    ],
  );
});
