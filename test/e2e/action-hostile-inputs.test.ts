// The BUILT action (dist/action/index.js) fed hostile INPUT_* values and a hostile config, as a runner would
// pass them: it fails with one escaped `::error::` annotation per problem, never a stack trace, never a
// workflow command of the input's making, never a credential from the config; nothing is deployed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBuiltAction } from '../helpers/action.ts';
import { repoRoot } from '../helpers/cli.ts';

const recorder = `${repoRoot}test/helpers/record-target.mjs`;
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

function workspace(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'action-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const deploy = JSON.stringify([
    process.execPath,
    recorder,
    join(dir, 'calls.log'),
    'deploy',
    '{{version}}',
  ]);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast\ntarget:\n  commands:\n    deploy: ${deploy}\nenvironments:\n  production: {}\n`,
  );
  return dir;
}

/** The workflow commands the runner would act on: lines that start with "::". */
const commands = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::'));

test('hostile inputs: every problem one escaped annotation, no stack, no injected command, nothing run', async (t) => {
  const dir = workspace(t);
  const run = await runBuiltAction({
    dir,
    env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop' },
    inputs: {
      environment: 'production\n::warning::injected',
      version: `v1\u001b[2J$(id)`,
      mode: 'ful',
      'dry-run': 'maybe',
      'environment-url': 'javascript:alert(1)',
      tag: 'deploy/{{enviroment}}',
      config: 'deploy.yml',
    },
    timeoutMs: 60_000,
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  // One per input, then the summary line setFailed writes.
  const errors = commands(run.stdout).filter((line) => line.startsWith('::error::input '));
  assert.ok(run.stdout.includes("::error::6 problem(s) with the action's inputs"), run.stdout);
  assert.deepEqual(errors.map((line) => /^::error::input "([\w-]+)"/.exec(line)?.[1]).sort(), [
    'dry-run',
    'environment',
    'environment-url',
    'mode',
    'tag',
    'version',
  ]);
  // The input's own "::warning::" stays inside its annotation, escaped, and is no command of its own.
  assert.ok(!commands(run.stdout).some((line) => line.startsWith('::warning::injected')), run.stdout);
  assert.doesNotMatch(run.stdout + run.stderr, /\u001b|\n\s+at /);
  assert.match(run.stdout, /did you mean "full"\?/);
  assert.match(run.stdout, /did you mean \{\{environment\}\}\?/);
  assert.ok(!existsSync(join(dir, 'calls.log')), 'nothing may be deployed');
});

async function runWithConfig(dir: string, text: string) {
  writeFileSync(join(dir, 'deploy.yml'), text);
  const run = await runBuiltAction({
    dir,
    env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop' },
    inputs: { environment: 'production', config: 'deploy.yml' },
    timeoutMs: 60_000,
  });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
  assert.ok(!existsSync(join(dir, 'calls.log')), 'nothing may be deployed');
  return {
    run,
    /** title line:column of each config annotation. */
    located: commands(run.stdout)
      .filter((line) => line.startsWith('::error '))
      .map((line) => /title=([^,]+),file=deploy\.yml,line=(\d+),col=(\d+)::/.exec(line)?.slice(1).join(' ')),
  };
}

test('a hostile config: located annotations, the credential masked, nothing run', async (t) => {
  const dir = workspace(t);
  const yamlLevel = await runWithConfig(
    dir,
    'target:\n  commands:\n    deploy: ./deploy.sh\nenvironments:\n  production: { variables: { k: !!binary aGk= } }\n  staging: *nope\n',
  );
  assert.deepEqual(yamlLevel.located, [
    'environments.production.variables.k 5 42',
    'environments.staging 6 12',
  ]);
  assert.match(yamlLevel.run.stdout, /YAML tag !!binary is not supported/);
  assert.match(yamlLevel.run.stdout, /the alias \*nope refers to no anchor/);

  const values = await runWithConfig(
    dir,
    `target:\n  commands:\n    deploy: ./deploy.sh {{version}\nenvironments:\n  production: { strategy: "${TOKEN}" }\n`,
  );
  assert.ok(!(values.run.stdout + values.run.stderr).includes(TOKEN.slice(4)), values.run.stdout);
  assert.match(values.run.stdout, /got the string "ghp_…\[masked\]"/);
  assert.deepEqual(values.located, ['environments.production.strategy 5 27']);
});
