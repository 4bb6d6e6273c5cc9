// The BUILT action (dist/action/index.js) fed hostile INPUT_* values and a hostile config, as a runner would
// pass them: it fails with one escaped `::error::` annotation per problem, never a stack trace, never a
// workflow command of the input's making, never a credential from the config; nothing is deployed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deploymentEvent, runBuiltAction } from '../helpers/action.ts';
import { recorder } from '../helpers/recorded-target.ts';

const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

function workspace(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'action-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const deploy = JSON.stringify([...recorder, join(dir, 'calls.log'), 'deploy', '{{version}}']);
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
  assert.ok(
    run.stdout.includes("::error::6 problem(s) with the action's inputs and the event it runs on"),
    run.stdout,
  );
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

test('a config with a template nothing fills in, or a key of 900 characters: located annotations, cut short', async (t) => {
  const dir = workspace(t);
  const config = (fields: string) =>
    `target:\n  commands:\n    deploy: ./deploy.sh {{image}}\nenvironments:\n  production:\n    variables: { image: x }\n${fields}`;
  const untemplated = await runWithConfig(dir, config('    url: https://{{environment}}.example.com\n'));
  assert.deepEqual(untemplated.located, ['environments.production.url 7 10']);
  assert.match(untemplated.run.stdout, /\{\{environment\}\} is not filled in here: the environment's url/);
  const long = await runWithConfig(dir, config(`    ${'k'.repeat(900)}: 1\n`));
  assert.deepEqual(long.located, [`environments.production["${'k'.repeat(77)}..."] 7 5`]);
  // Before: the key whole, in the annotation's title and its message.
  for (const line of long.run.stdout.split('\n')) assert.ok(line.length < 1000, `${line.length} characters`);
});

test("a deployment's parameters in the dry run's plan: no log line the runner reads as a command", async (t) => {
  const dir = workspace(t);
  writeFileSync(
    join(dir, 'deploy.yml'),
    'preset: fast\ntarget:\n  commands:\n    deploy: ["./deploy.sh", "{{note}}", "{{other}}"]\nenvironments:\n  production: { variables: { note: hello, other: x } }\n',
  );
  // Printable text, so the payload's own checks accept both: the runner finds `##[name]` anywhere in a line,
  // and a whole line of `::name::` is a command too.
  const params = { note: '##[set-output name=status;]succeeded', other: `x\u200B::add-mask::${TOKEN}` };
  const event = deploymentEvent(
    {
      id: 5,
      sha: 'f'.repeat(40),
      ref: 'main',
      task: 'deploy',
      environment: 'production',
      payload: { version: 'v1', dry_run: true, params },
      production_environment: true,
    },
    { owner: 'acme', repo: 'shop', baseUrl: 'http://127.0.0.1:9' },
  );
  const run = await runBuiltAction({
    dir,
    env: { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'acme/shop' },
    inputs: { config: 'deploy.yml' },
    event,
    timeoutMs: 60_000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.split('\n');
  // The plan was printed, with both values in it, made inert.
  const planned = lines.filter((line) => line.includes('set-output name=status'));
  assert.ok(planned.length > 0, run.stdout);
  for (const line of lines) {
    assert.ok(!line.includes('##['), `a ##[ command in the log: ${line}`);
    assert.ok(!/^::(?!set-output|error|warning|notice|debug)/.test(line.trimStart()), `a command: ${line}`);
  }
  assert.ok(
    lines.some((line) => line.includes('##\u200B[set-output')),
    run.stdout,
  );
  assert.ok(
    lines.some((line) => line.includes('x::add-mask::')),
    run.stdout,
  );
});
