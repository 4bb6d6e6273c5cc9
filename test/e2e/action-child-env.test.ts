// What a command run by the action receives, run as the runner runs the action (from the sources) against
// the fake GitHub: the runner gives a JavaScript action its inputs as INPUT_* variables (the github-token and
// the state-key among them) and the Actions runtime's token and URLs, none of which a workflow's `run:` step
// gets. Every kind of command (a gate's, the hooks, deploy, health, smoke) dumps its environment: none of
// them may be there, and what a command is meant to have (the job's variables, the config's env, the
// DEPLOY_* values, the OIDC request a `run:` step gets too) is. And the same for the CLI's commands.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import { pullRequestSynchronize, runBuiltAction, runnerGitHubEnv } from '../helpers/action.ts';
import { repoRoot, runCli } from '../helpers/cli.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');
const TOKEN = 'ghs_workflowTokenValue0123456789abcdef';
const STATE_KEY = 'a-state-key-of-this-environment-0123456789';
/** What the runner gives a JavaScript action and not a `run:` step (runner: NodeScriptActionHandler). */
const RUNTIME = {
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-0123456789',
  ACTIONS_RUNTIME_URL: 'http://127.0.0.1:9/runtime/',
  ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/results/',
  ACTIONS_CACHE_URL: 'http://127.0.0.1:9/cache/',
  ACTIONS_CACHE_SERVICE_V2: 'True',
};
/** What a `run:` step gets too, with `permissions: id-token: write`. */
const OIDC = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-0123456789',
};

/** A command (argv) that writes its environment, as JSON, to `<dir>/<name>.json`. */
function dump(dir: string, name: string): string {
  const script = "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))";
  return JSON.stringify([process.execPath, '-e', script, join(dir, `${name}.json`)]);
}

/** Every environment dumped in `dir`, by command. */
function dumped(dir: string): Map<string, Record<string, string>> {
  return new Map(
    readdirSync(dir).map((file) => [
      file.replace(/\.json$/, ''),
      JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>,
    ]),
  );
}

function withheldIn(env: Record<string, string>): string[] {
  return Object.keys(env).filter(
    (name) => /^INPUT_/i.test(name) || name in RUNTIME || name === 'DEPLOY_ACTION_MARKER_KEY',
  );
}

const config = (envs: string) => `preset: fast
gates:
  custom:
    checks:
      - { name: on-call, run: ${dump(envs, 'gate')}, env: { GATE_OWN: from-the-gate } }
target:
  commands:
    deploy: { run: ${dump(envs, 'deploy')}, env: { CONFIG_OWN: from-the-config } }
    health: ${dump(envs, 'health')}
environments:
  preview:
    strategy: direct
    smoke: ${dump(envs, 'smoke')}
    hooks:
      backup: ${dump(envs, 'backup')}
      migrate: ${dump(envs, 'migrate')}
      on_success: ${dump(envs, 'on_success')}
`;

const KINDS = ['gate', 'backup', 'migrate', 'deploy', 'health', 'smoke', 'on_success'];

describe("a command's environment", { concurrency: true }, () => {
  test("no command the action runs gets the action's inputs (the token, the state key) or the runtime's token", async (t) => {
    const fake = await createFakeGitHub({ tokens: { [TOKEN]: 'github-actions[bot]' } });
    const dir = mkdtempSync(join(tmpdir(), 'action-child-env-'));
    t.after(async () => {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const envs = join(dir, 'envs');
    mkdirSync(envs);
    const head = fakeSha('pr-head');
    fake.seedRepo({ owner: 'acme', repo: 'shop', pulls: [{ number: 7, head, user: 'alice' }] });
    writeFileSync(join(dir, 'deploy.yml'), config(envs));
    const run = await runBuiltAction({
      entry: ENTRY,
      dir,
      inputs: {
        'github-token': TOKEN,
        'state-key': STATE_KEY,
        config: 'deploy.yml',
        environment: 'preview',
        mode: 'full',
        version: 'v1.2.3',
      },
      event: pullRequestSynchronize(head),
      env: {
        ...runnerGitHubEnv(fake.url, 'acme', 'shop'),
        ...RUNTIME,
        ...OIDC,
        RUNNER_TEMP: dir,
        DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
      },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const seen = dumped(envs);
    assert.deepEqual([...seen.keys()].sort(), [...KINDS].sort(), 'every kind of command ran');
    for (const [kind, env] of seen) {
      assert.deepEqual(withheldIn(env), [], `${kind} got variables only the action is given`);
      const text = JSON.stringify(env);
      assert.ok(!text.includes(TOKEN), `${kind} got the token`);
      assert.ok(!text.includes(STATE_KEY), `${kind} got the state key`);
      assert.ok(!text.includes(RUNTIME.ACTIONS_RUNTIME_TOKEN), `${kind} got the runtime token`);
      // What it is meant to have: the job's variables, PATH, the OIDC request (as a `run:` step has it).
      assert.equal(env.GITHUB_REPOSITORY, 'acme/shop', kind);
      assert.equal(env.RUNNER_TEMP, dir, kind);
      assert.equal(env.PATH, process.env.PATH, kind);
      assert.equal(env.ACTIONS_ID_TOKEN_REQUEST_URL, OIDC.ACTIONS_ID_TOKEN_REQUEST_URL, kind);
      assert.equal(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, OIDC.ACTIONS_ID_TOKEN_REQUEST_TOKEN, kind);
      if (kind !== 'gate') assert.equal(env.DEPLOY_VERSION, 'v1.2.3', kind);
    }
    assert.equal(seen.get('deploy')!.CONFIG_OWN, 'from-the-config');
    assert.equal(seen.get('gate')!.GATE_OWN, 'from-the-gate');
  });

  test("no command the CLI runs gets the App's marker key or an INPUT_ variable of the process", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-child-env-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const envs = join(dir, 'envs');
    mkdirSync(envs);
    writeFileSync(join(dir, 'deploy.yml'), config(envs));
    const marker = 'the-apps-marker-key-0123456789abcdef';
    const run = await runCli(
      ['run', '-c', join(dir, 'deploy.yml'), '-e', 'preview', '--version', 'v1.2.3', '--state-dir', dir],
      {
        cwd: dir,
        env: { ...RUNTIME, DEPLOY_ACTION_MARKER_KEY: marker, 'INPUT_STATE-KEY': STATE_KEY, JOB_OWN: 'kept' },
      },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const seen = dumped(envs);
    assert.deepEqual([...seen.keys()].sort(), [...KINDS].sort(), 'every kind of command ran');
    for (const [kind, env] of seen) {
      assert.deepEqual(withheldIn(env), [], `${kind} got variables kept from commands`);
      assert.ok(!JSON.stringify(env).includes(marker), `${kind} got the marker key`);
      assert.equal(env.JOB_OWN, 'kept', kind);
      if (kind !== 'gate') assert.equal(env.DEPLOY_VERSION, 'v1.2.3', kind);
    }
  });
});
