// {{slot}} may choose a file or script (kubectl delete -f k8s/{{slot}}/, ./teardown-{{slot}}.sh): the command
// checks let it there because its value is always a slot the config lists (targets/placeholder.ts). A step's
// slot can come from elsewhere: a retired slot or a rollout's stable slot read back from the state record (an
// older version's, or written by someone else). The step runner runs no command for a slot the environment
// does not list: refused before it starts, whatever step asks (teardown, switch, deploy, ...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { healthAnalyzer } from '../../../src/pipeline/analyzer.ts';
import { createStepRunner } from '../../../src/pipeline/step-runner.ts';
import type { Step } from '../../../src/strategies/types.ts';

function runnerFor(dir: string, strategy: string, override?: 'direct') {
  // Each command leaves a file named after what it was given, in dir.
  const touch = (what: string, more = '') =>
    `[${JSON.stringify(process.execPath)}, "-e", "require('node:fs').writeFileSync(process.argv[1].replace(/[^a-z0-9]/gi, '_'), '')", "${what}-{{slot}}"${more}]`;
  const text = `target:
  commands:
    deploy: ${touch('deploy')}
    switch: ${touch('switch')}
    set_weight: ${touch('weight', strategy.includes('fresh') ? ', "{{weight}}", "{{baseline_slot}}", "{{baseline_weight}}"' : '')}
    teardown: ${touch('teardown')}
environments:
  production:
    strategy: ${strategy}
`;
  const parsed = parseConfig(text, 'deploy.yml');
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production', override ? { strategy: override } : {});
  const inDir = <T extends object | undefined>(c: T): T => (c ? { ...c, cwd: dir } : c);
  const t = env.target;
  const target = {
    ...t,
    deploy: inDir(t.deploy),
    switch: inDir(t.switch),
    setWeight: inDir(t.setWeight),
    teardown: inDir(t.teardown),
  };
  return createStepRunner({
    env: { ...env, target },
    values: { version: 'v2', environment: 'production' },
    analyzer: healthAnalyzer(env),
  });
}

test('no command runs for a slot the environment does not list (one read back from the record)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'slots-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = runnerFor(dir, '{ type: blue-green, slots: [blue, green] }');
  for (const step of [
    { kind: 'teardown', slot: '../production' },
    { kind: 'teardown', slot: '-rf' },
    { kind: 'switch', slot: 'purple', from: 'blue' },
    { kind: 'deploy', slot: 'Blue' },
  ] satisfies Step[]) {
    const result = await run(step);
    assert.equal(result.ok, false, JSON.stringify(step));
    assert.equal(!result.ok && result.untouched, 'not-started', JSON.stringify(step));
    assert.equal(
      !result.ok && result.reason,
      `slot ${JSON.stringify(step.slot)} is not one of production's slots (blue, green): no ${step.kind} command runs for it`,
    );
  }
  assert.deepEqual(readdirSync(dir), [], 'a command ran');
  // Its own slots run.
  assert.deepEqual(await run({ kind: 'teardown', slot: 'green' }), { ok: true });
  assert.deepEqual(readdirSync(dir), ['teardown_green']);
});

test('a strategy without slots runs no command for a slot at all; a canary its fresh baseline slot too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'slots-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A --strategy direct override of a blue-green environment, with a retired slot in the record.
  const direct = await runnerFor(dir, 'blue-green', 'direct')({ kind: 'teardown', slot: 'blue' });
  assert.equal(
    !direct.ok && direct.reason,
    'slot "blue" is not one of production\'s slots (it has none): no teardown command runs for it',
  );
  assert.deepEqual(readdirSync(dir), []);
  const canary = runnerFor(
    dir,
    '{ type: canary, slots: [stable, canary], baseline: fresh, baseline_slot: base }',
  );
  assert.deepEqual(await canary({ kind: 'teardown', slot: 'base' }), { ok: true });
  assert.deepEqual(await canary({ kind: 'deploy', slot: 'canary' }), { ok: true });
  assert.deepEqual(readdirSync(dir).sort(), ['deploy_canary', 'teardown_base']);
});
