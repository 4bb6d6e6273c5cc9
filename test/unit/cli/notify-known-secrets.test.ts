// A CLI run's messages (Slack, Teams, webhooks) and the record it writes carry none of the secrets its config
// names, not only the environment's own channels': a deploy command that prints another channel's values (one
// the environment turns off) has them masked, as the Action does (createNotifier `known`). A run now and a
// scheduled run (`run --at`, started by reconcile). Values made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { webhookReceiver } from '../../helpers/notify-receivers.ts';

const word = () => `planted${randomBytes(9).toString('hex')}`;

/** A config whose production deploy prints the pager channel's values and fails; pager is off there. */
async function setUp(t: TestContext) {
  const auditSecret = word();
  const audit = await webhookReceiver(auditSecret);
  const dir = mkdtempSync(join(tmpdir(), 'notify-known-'));
  const pagerUrl = `http://127.0.0.1:9/hooks/${word()}`;
  const pagerSecret = word();
  const variables = {
    T_AUDIT_URL: `${audit.url}/hook`,
    T_AUDIT_SECRET: auditSecret,
    T_PAGER_URL: pagerUrl,
    T_PAGER_SECRET: pagerSecret,
  };
  Object.assign(process.env, variables);
  t.after(async () => {
    for (const name of Object.keys(variables)) delete process.env[name];
    await audit.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const print = [
    'node',
    '-e',
    'console.error("failed:", process.env.T_PAGER_SECRET, process.env.T_PAGER_URL); process.exit(1)',
  ];
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state
notifications:
  channels:
    audit: { type: webhook, url_env: T_AUDIT_URL, secret_env: T_AUDIT_SECRET }
    pager: { type: webhook, url_env: T_PAGER_URL, secret_env: T_PAGER_SECRET }
target:
  commands:
    deploy: ${JSON.stringify(print)}
    switch: ["true"]
    health: ["true"]
    current: ["echo", "v1"]
environments:
  production:
    strategy: direct
    notifications: { channels: { pager: false } }
`,
  );
  const pagerValues = [pagerSecret, pagerUrl, ...pagerUrl.match(/planted[0-9a-f]+/g)!];
  let out = '';
  return {
    cli: (...argv: string[]) =>
      main([...argv, '-c', config], {
        out: (text) => void (out += text),
        err: (text) => void (out += text),
      }),
    output: () => out,
    assertMasked() {
      const raw = audit.received.map((post) => post.raw).join('\n');
      assert.match(raw, /failed: \*\*\*/, `the failure is told, its values masked: ${out}`);
      for (const secret of pagerValues) assert.ok(!raw.includes(secret), `a message has ${secret}: ${raw}`);
      // The record in the state directory quotes the failure too: masked the same.
      const stored = readdirSync(join(dir, 'state'), { recursive: true, encoding: 'utf8' })
        .map((name) => join(dir, 'state', name))
        .filter((path) => statSync(path).isFile())
        .map((path) => readFileSync(path, 'utf8'))
        .join('\n');
      assert.match(stored, /failed: \*\*\*/, 'the record quotes the failure, its values masked');
      for (const secret of pagerValues) assert.ok(!stored.includes(secret), `the record has ${secret}`);
    },
  };
}

test("a CLI run's message and record mask another channel's secrets a failing command printed", async (t) => {
  const { cli, output, assertMasked } = await setUp(t);
  assert.notEqual(await cli('run', '-e', 'production', '--version', 'v2', '--skip-staging'), 0, output());
  assertMasked();
});

test('a scheduled run started by reconcile masks them the same', async (t) => {
  const { cli, output, assertMasked } = await setUp(t);
  const at = new Date(Date.now() + 3_600_000);
  assert.equal(await cli('run', '-e', 'production', '-v', 'v2', '--at', at.toISOString()), 0, output());
  const later = new Date(at.getTime() + 60_000).toISOString();
  await cli('reconcile', '-e', 'production', '--at', later);
  assert.match(output(), /failed/, output());
  assertMasked();
});
