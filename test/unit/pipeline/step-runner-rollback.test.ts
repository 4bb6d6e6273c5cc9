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
    // No later run would know a previous version either: not kept for reconcile.
    untouched: 'nothing-to-restore',
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

test('a rollback command using {{previous_version}} with no previous version has nothing to restore either', async (t) => {
  // It was kept as something a later run could undo: no later run knows a previous version either, so the
  // rollout stayed in the record for good and refused every deployment, the fix included.
  const dir = mkdtempSync(join(tmpdir(), 'rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = await runnerFor(
    dir,
    [process.execPath, '-e', '0', '--', '{{previous_version}}'],
    undefined,
  )({ kind: 'rollback' });
  assert.deepEqual(result, {
    ok: false,
    reason: 'target.commands.rollback: {{previous_version}} has no value here (no previous version is known)',
    untouched: 'nothing-to-restore',
  });
});

test('a rollback whose program is missing, with no previous version, is not taken for nothing to restore', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Installing the program would let a later reconcile run it: it stays something to undo.
  const result = await runnerFor(dir, ['./no-such-undo-program', 'all'], undefined)({ kind: 'rollback' });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.untouched, 'not-started');
  assert.match(!result.ok ? result.reason : '', /program not found \(no previous version is known\)$/);
});

test('with no rollback command and no previous version, the rollback step has nothing to restore', async () => {
  const text = `target:
  commands:
    deploy: [${JSON.stringify(process.execPath)}, "-e", "0"]
environments:
  production: { strategy: direct }
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok);
  const env = resolveEnvironment(parsed.config, 'production');
  const runner = createStepRunner({
    env,
    values: { version: 'v2', environment: 'production' },
    analyzer: healthAnalyzer(env),
  });
  assert.deepEqual(await runner({ kind: 'rollback' }), {
    ok: false,
    reason: 'no previous version is known and the target has no rollback command',
    untouched: 'nothing-to-restore',
  });
  assert.deepEqual(await runner({ kind: 'deploy', version: 'previous' }), {
    ok: false,
    reason: 'no previous version is known',
    untouched: 'nothing-to-restore',
  });
});

test('a deploy whose program is missing, or whose value is refused, did not start', async () => {
  const text = `target:
  commands:
    deploy: ["./no-such-deploy-program", "{{version}}"]
    switch: [${JSON.stringify(process.execPath)}, "-e", "0", "{{ref}}"]
environments:
  production: { strategy: blue-green }
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  const runner = createStepRunner({
    env,
    values: { version: 'v2', previous_version: 'v1', environment: 'production', ref: 'a\0b' },
    analyzer: healthAnalyzer(env),
  });
  const deploy = await runner({ kind: 'deploy' });
  assert.equal(!deploy.ok && deploy.untouched, 'not-started', JSON.stringify(deploy));
  const refused = await runner({ kind: 'switch', slot: 'blue', from: 'green' });
  assert.equal(!refused.ok && refused.untouched, 'not-started', JSON.stringify(refused));
  assert.match(!refused.ok ? refused.reason : '', /NUL/);
});

test("a fresh baseline's deploy with no stable version known says what the baseline needed", async () => {
  const text = `target:
  commands:
    deploy: [${JSON.stringify(process.execPath)}, "-e", "0", "{{slot}}"]
    set_weight: [${JSON.stringify(process.execPath)}, "-e", "0", "{{slot}}={{weight}}", "{{baseline_slot}}={{baseline_weight}}"]
    teardown: [${JSON.stringify(process.execPath)}, "-e", "0", "{{slot}}"]
environments:
  production: { strategy: { type: canary, baseline: fresh } }
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  const runner = createStepRunner({
    env,
    values: { version: 'v2', environment: 'production', stable_slot: 'green' },
    analyzer: healthAnalyzer(env),
  });
  const result = await runner({ kind: 'deploy', slot: 'baseline', version: 'previous' });
  assert.equal(result.ok, false);
  assert.equal(
    !result.ok && result.reason,
    'no previous version is known: the fresh baseline on baseline is a copy of the stable version, and the state record does not name the version serving on green',
  );
});
