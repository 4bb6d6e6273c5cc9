// What the runner gives a JavaScript action and not a `run:` step (its inputs as INPUT_*, the Actions
// runtime's token and URLs) reaches no command this process starts: checked through each spawn, with a
// command that prints its environment (target commands and hooks: test/e2e/action-child-env.test.ts).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandEnv, isWithheld } from '../../../src/util/child-env.ts';
import { runGateCommand } from '../../../src/gates/gate-command.ts';
import { runGit } from '../../../src/gates/git.ts';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { runCommand } from '../../../src/targets/run-command.ts';
import type { ResolvedCommand } from '../../../src/config/resolve.ts';

const WITHHELD = {
  'INPUT_GITHUB-TOKEN': 'ghs_inputToken0123456789',
  'INPUT_STATE-KEY': 'state-key-input-0123456789abcdef0123',
  INPUT_CONFIG: '.github/deploy.yml',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-0123456789',
  ACTIONS_RUNTIME_URL: 'http://127.0.0.1:9/runtime/',
  ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/results/',
  ACTIONS_CACHE_URL: 'http://127.0.0.1:9/cache/',
  ACTIONS_CACHE_SERVICE_V2: 'True',
  DEPLOY_ACTION_MARKER_KEY: 'marker-key-0123456789abcdef',
  // The key being rotated out: the App still accepts the state keys derived from it.
  DEPLOY_ACTION_MARKER_KEY_PREVIOUS: 'previous-marker-key-0123456789abcdef',
};
const KEPT = {
  GITHUB_REPOSITORY: 'acme/shop',
  RUNNER_TEMP: '/tmp/runner',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token',
};

/** Node printing its environment as JSON to `file`, then `{"m":1}` (a metrics command's answer). */
const dumpTo = (file: string) => [
  process.execPath,
  '-e',
  "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env)); console.log('{\"m\":1}')",
  file,
];

function assertClean(env: Record<string, string | undefined>, where: string): void {
  for (const name of Object.keys(WITHHELD)) assert.equal(env[name], undefined, `${where} got ${name}`);
  for (const [name, value] of Object.entries(KEPT)) assert.equal(env[name], value, `${where} lost ${name}`);
  // git puts its own exec path first.
  assert.ok(env.PATH?.endsWith(process.env.PATH!), `${where} lost PATH`);
}

describe('commandEnv', () => {
  test("withholds the action's inputs and the runtime's token and URLs, keeps the rest, and the command's own wins", () => {
    const env = commandEnv(
      { OWN: 'mine', GITHUB_REPOSITORY: 'own/choice' },
      { ...WITHHELD, ...KEPT, PATH: '/bin', UNSET: undefined, input_lower: 'x' },
    );
    assert.deepEqual(env, { ...KEPT, PATH: '/bin', OWN: 'mine', GITHUB_REPOSITORY: 'own/choice' });
  });

  test('a variable the command sets on purpose is passed, whatever its name', () => {
    assert.equal(commandEnv({ 'INPUT_STATE-KEY': 'chosen' }, {})['INPUT_STATE-KEY'], 'chosen');
  });

  test('names', () => {
    for (const name of Object.keys(WITHHELD)) assert.ok(isWithheld(name), name);
    for (const name of [...Object.keys(KEPT), 'PATH', 'HOME', 'DEPLOY_VERSION', 'DEPLOY_ACTION_RUN'])
      assert.ok(!isWithheld(name), name);
  });
});

describe("each spawn withholds them from this process's environment", () => {
  let dir: string;
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'child-env-'));
    for (const [name, value] of Object.entries({ ...WITHHELD, ...KEPT })) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of saved)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    saved.clear();
    rmSync(dir, { recursive: true, force: true });
  });
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;

  test('a target command or hook (runCommand)', async () => {
    const file = join(dir, 'env.json');
    const command: ResolvedCommand = {
      source: 'deploy',
      argv: dumpTo(file),
      script: '',
      shell: false,
      env: { CONFIG_OWN: 'yes' },
      timeoutMs: 30_000,
    };
    await runCommand(command, { version: 'v1' });
    const env = read(file);
    assertClean(env, 'runCommand');
    assert.equal(env.CONFIG_OWN, 'yes');
    assert.equal(env.DEPLOY_VERSION, 'v1');
    assert.ok(env.DEPLOY_ACTION_RUN, 'the process-group marker is passed');
  });

  test("a gate's command (runGateCommand), from the gate context's environment", async () => {
    const file = join(dir, 'env.json');
    const result = await runGateCommand(
      dumpTo(file),
      { cwd: dir, env: process.env, signal: new AbortController().signal },
      { GATE_OWN: 'yes' },
    );
    assert.ok(result.ok, result.ok ? '' : result.reason);
    const env = read(file);
    assertClean(env, 'runGateCommand');
    assert.equal(env.GATE_OWN, 'yes');
  });

  test('a metrics command (the command provider)', async () => {
    const file = join(dir, 'env.json');
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: dumpTo(file),
      env: { PROVIDER_OWN: 'yes' },
      timeout: 30_000,
      retries: 0,
    });
    const answer = await provider.read({
      side: 'canary',
      vars: { version: 'v1' },
      metrics: [{ name: 'm', config: { provider: 'cmd' } }],
      intervalMs: 1000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(answer.errors, []);
    const env = read(file);
    assertClean(env, 'the command provider');
    assert.equal(env.PROVIDER_OWN, 'yes');
    assert.equal(env.DEPLOY_VERSION, 'v1');
  });

  test("the gates' git", async () => {
    const result = await runGit(['-c', 'alias.printenv=!env', 'printenv'], { cwd: dir });
    assert.equal(result.exitCode, 0, result.why);
    const env = Object.fromEntries(
      result.stdout
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assertClean(env, 'git');
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
  });
});
