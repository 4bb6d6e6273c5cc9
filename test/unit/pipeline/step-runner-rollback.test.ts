// The target's rollback command gets the previous version as {{version}}. With no previous version known (a
// first deployment), {{version}} has no value: a rollback command that uses it fails, saying so, instead of
// running with an empty version; one that does not use it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { healthAnalyzer } from '../../../src/pipeline/analyzer.ts';
import { createStepRunner } from '../../../src/pipeline/step-runner.ts';

function runnerFor(dir: string, rollback: string[], previous: string | undefined) {
  const node = JSON.stringify(process.execPath);
  const text = `target:
  commands:
    deploy: [${node}, "-e", "0"]
    rollback: [${rollback.map((a) => JSON.stringify(a)).join(', ')}]
environments:
  production: { strategy: direct }
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  const target = { ...env.target, rollback: { ...env.target.rollback!, cwd: dir } };
  return createStepRunner({
    env: { ...env, target },
    values: { version: 'v2', previous_version: previous, environment: 'production' },
    analyzer: healthAnalyzer(env),
  });
}

test('a rollback command using {{version}} with no previous version fails saying so, and does not run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = `require('node:fs').writeFileSync('got', JSON.stringify(process.argv.slice(1)))`;
  const uses = [process.execPath, '-e', write, '--', '{{version}}'];

  const first = await runnerFor(dir, uses, undefined)({ kind: 'rollback' });
  assert.deepEqual(first, {
    ok: false,
    reason: 'target.commands.rollback: {{version}} has no value here (no previous version is known)',
  });
  assert.throws(() => readFileSync(join(dir, 'got')), /ENOENT/, 'the rollback command ran');

  const known = await runnerFor(dir, uses, 'v1')({ kind: 'rollback' });
  assert.deepEqual(known, { ok: true });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'got'), 'utf8')), ['v1']);

  rmSync(join(dir, 'got'));
  const without = await runnerFor(
    dir,
    [process.execPath, '-e', write, '--', 'undo'],
    undefined,
  )({
    kind: 'rollback',
  });
  assert.deepEqual(without, { ok: true });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'got'), 'utf8')), ['undo']);
});
