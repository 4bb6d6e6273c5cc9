// The command line names environments, options and commands: each may be one of Object.prototype's names
// ("constructor", "toString", "__proto__"). Every command that takes an environment refuses one deploy.yml
// does not define, saying so, and works on one it does; an option or a command so named is an unknown one;
// nothing throws. Found safe when swept (the lookups were made own-keys-only before); kept so that it stays so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';

const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
// An environment is named constructor: the commands find it, and no other name.
const CONFIG = `target:
  commands:
    deploy: ./deploy.sh {{version}}
environments:
  production: {}
  constructor: {}
`;

async function cli(argv: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const io = { out: (text: string) => void (output += text), err: (text: string) => void (output += text) };
  const code = await main(argv, io);
  return { code, output };
}

test('every command that takes an environment refuses one named like an Object.prototype property it does not define', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-prototype-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(config, CONFIG);
  const state = ['--state-dir', join(dir, 'state'), '-c', config];
  const commands = (env: string): string[][] => [
    ['plan', '-e', env, '-v', '1.0.0', ...state],
    ['plan', '-e', env, '-v', '1.0.0', '--strategy', 'canary', ...state],
    ['run', '-e', env, '-v', '1.0.0', '--at', '2099-01-01T10:00:00Z', ...state],
    ['status', '-e', env, ...state],
    ['promote', '-e', env, ...state],
    ['pause', '-e', env, ...state],
    ['resume', '-e', env, ...state],
    ['abort', '-e', env, ...state],
    ['reconcile', '-e', env, ...state],
    ['reconcile', '-e', `production,${env}`, ...state],
  ];
  for (const name of NAMES.filter((n) => n !== 'constructor'))
    for (const argv of commands(name)) {
      const { code, output } = await cli(argv);
      const what = `${argv.slice(0, 3).join(' ')}: ${output}`;
      assert.equal(code, 2, what);
      assert.match(output, /unknown environment|invisible|environment name/, what);
      assert.ok(output.includes(name), what);
      assert.doesNotMatch(output, /TypeError|\[native code\]/, what);
    }
  // The environment the config defines by such a name: planned, and its (empty) status shown.
  const plan = await cli(['plan', '-e', 'constructor', '-v', '1.0.0', ...state]);
  assert.equal(plan.code, 0, plan.output);
  assert.match(plan.output, /Plan: deploy 1\.0\.0 to constructor with direct/);
  const status = await cli(['status', '-e', 'constructor', '--json', ...state]);
  assert.equal(status.code, 0, status.output);
});

test('an option or a command named like an Object.prototype property is an unknown one', async () => {
  for (const name of NAMES) {
    for (const argv of [
      [name],
      ['plan', `--${name}`],
      ['status', `--${name}`, 'x'],
      ['validate', `--${name}`],
    ]) {
      const { code, output } = await cli(argv);
      assert.equal(code, 2, `${argv.join(' ')}: ${output}`);
      assert.match(output, /unknown (command|option)/, `${argv.join(' ')}: ${output}`);
      assert.doesNotMatch(output, /TypeError|\[native code\]/, argv.join(' '));
    }
  }
});
