// The secrets a config names by its `*_env` keys (a channel's webhook URL, its signing secret, a bot token)
// never reach what the CLI prints, whatever prints them: a deploy command or a gate that echoes them, in the
// terminal report and in --json, on standard output and standard error, in any form (whole, a URL's path
// segment, URL-encoded). Nor does a credential known by its shape only (a database URL's password a hook
// prints), as in the Action's log. Each value is made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../../src/cli/main.ts';

const word = () => `planted${randomBytes(9).toString('hex')}`;
// Port 9 (discard) is one fetch refuses to reach: the channels fail at once, nothing leaves this machine.
const HOOK_URL = `http://127.0.0.1:9/hooks/${word()}/${word()}?sig=${word()}`;
const HOOK_SECRET = word();
const SLACK_TOKEN = `${word()}+${word()}`;
const VARIABLES = { T_HOOK_URL: HOOK_URL, T_HOOK_SECRET: HOOK_SECRET, T_SLACK_TOKEN: SLACK_TOKEN };
// A credential the run knows by its shape only: the password of a database URL the migrate hook is given.
const DB_PASSWORD = word();

/** Every form a command prints below, and the distinctive part each value has. */
const secretParts = [
  HOOK_URL,
  HOOK_SECRET,
  SLACK_TOKEN,
  DB_PASSWORD,
  ...HOOK_URL.match(/planted[0-9a-f]+/g)!,
].flatMap((value) => [value, encodeURIComponent(value), ...(value.match(/planted[0-9a-f]+/g) ?? [])]);

let dir: string;
let configPath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-secrets-'));
  configPath = join(dir, 'deploy.yml');
  // The command prints each value whole, URL-encoded (node's encodeURIComponent) and the URL's path alone.
  const print = [
    'node',
    '-e',
    'for (const n of ["T_HOOK_URL","T_HOOK_SECRET","T_SLACK_TOKEN"]) { const v = process.env[n]; ' +
      'console.log(n, v, encodeURIComponent(v)); console.error("failed with", v); } ' +
      'console.log(new URL(process.env.T_HOOK_URL).pathname); process.exit(1)',
  ];
  writeFileSync(
    configPath,
    `state_dir: ${dir}/state
notifications:
  channels:
    hook: { type: webhook, url_env: T_HOOK_URL, secret_env: T_HOOK_SECRET }
    bot: { type: slack, token_env: T_SLACK_TOKEN, channel: C0123 }
gates:
  custom:
    checks:
      - { name: echoes, on_failure: warn, run: ${JSON.stringify(print)} }
target:
  commands:
    deploy: ${JSON.stringify(print)}
    switch: ["true"]
    health: ["true"]
    current: ["echo", "v1"]
environments:
  production:
    strategy: direct
    hooks:
      migrate:
        run: ["node", "-e", "console.log('migrating', process.env.DATABASE_URL)"]
        env: { DATABASE_URL: "postgres://app:${DB_PASSWORD}@127.0.0.1:1/app" }
`,
  );
  Object.assign(process.env, VARIABLES, { DEPLOY_ACTION_SLACK_API_URL: 'http://127.0.0.1:9/api/' });
});

after(() => {
  for (const name of [...Object.keys(VARIABLES), 'DEPLOY_ACTION_SLACK_API_URL']) delete process.env[name];
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main([...argv, '-c', configPath], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err };
}

function assertNoSecret(text: string, where: string) {
  for (const part of secretParts)
    assert.ok(!text.includes(part), `${part} in ${where}: ${text.slice(0, 2000)}`);
}

/** Every file under `root`, as text. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'utf8'));
}

describe(
  "a config's *_env secrets and printed credentials in the CLI's output",
  { concurrency: false },
  () => {
    test('run: the terminal report, standard error and the state directory carry none of them', async () => {
      const { code, out, err } = await cli('run', '-e', 'production', '--version', 'v2', '--skip-staging');
      assert.notEqual(code, 0, out);
      // The gate warned and the deploy command ran: its output is shown (masked), so the test would see the
      // values if they got through.
      assert.match(out, /deploy: T_HOOK_SECRET \*\*\*/);
      assert.match(out, /migrate: migrating postgres:\/\/app:/);
      assertNoSecret(out, 'stdout');
      assertNoSecret(err, 'stderr');
      for (const text of filesUnder(join(dir, 'state'))) assertNoSecret(text, 'the state directory');
    });

    test('run --json: every line carries none of them and is still JSON', async () => {
      const { out, err } = await cli(
        'run',
        '-e',
        'production',
        '--version',
        'v3',
        '--skip-staging',
        '--json',
      );
      const lines = out.trim().split('\n');
      assert.ok(lines.length > 3, out);
      for (const line of lines) JSON.parse(line);
      assert.match(out, /"stream":"stdout","line":"T_HOOK_SECRET \*\*\*/);
      assert.match(out, /"line":"migrating postgres:\/\/app:/);
      assertNoSecret(out, 'stdout');
      assertNoSecret(err, 'stderr');
    });

    test("run: a secret the summary's detail column cuts in the middle (…) shows none of its start", async () => {
      // The detail 'deploy: target.commands.deploy (node) exited with code 1: <secret>' is cut at 70
      // characters, 11 of them the secret's.
      const cutConfig = join(dir, 'deploy-cut.yml');
      writeFileSync(
        cutConfig,
        readFileSync(configPath, 'utf8').replace(
          /^ {4}deploy: .*$/m,
          `    deploy: ${JSON.stringify(['node', '-e', 'console.error(process.env.T_HOOK_SECRET); process.exit(1)'])}`,
        ),
      );
      let out = '';
      await main(['run', '-e', 'production', '--version', 'v4', '--skip-staging', '-c', cutConfig], {
        out: (t) => void (out += t),
        err: () => {},
      });
      const row = out.split('\n').find((line) => /^ {2}production +failed/.test(line));
      assert.match(row ?? '', /exited with code 1: \*\*\*…$/, out);
      assert.ok(!out.includes(HOOK_SECRET.slice(0, 10)), out);
    });

    test('gates, text and --json: a check that prints them shows none of them', async () => {
      for (const json of [false, true]) {
        const { out, err } = await cli('gates', ...(json ? ['--json'] : []));
        assert.match(out, /T_HOOK_SECRET \*\*\*/);
        if (json) JSON.parse(out);
        assertNoSecret(out, `gates${json ? ' --json' : ''} stdout`);
        assertNoSecret(err, `gates${json ? ' --json' : ''} stderr`);
      }
    });
  },
);
