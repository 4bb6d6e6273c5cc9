// A CLI run's messages (Slack, Teams, webhooks) carry none of the secrets its config names, not only the
// channel's own: a deploy command that prints another channel's values (one the environment turns off) has
// them masked in the message, as the Action's notifier does (createNotifier `known`). Values made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { webhookReceiver } from '../../helpers/notify-receivers.ts';

test("a CLI run's message masks another channel's secrets a failing command printed", async (t) => {
  const word = () => `planted${randomBytes(9).toString('hex')}`;
  const auditSecret = word();
  const audit = await webhookReceiver(auditSecret);
  const dir = mkdtempSync(join(tmpdir(), 'notify-known-'));
  // The pager channel is turned off for production: its values are the config's, not the notifier's own.
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
  writeFileSync(
    join(dir, 'deploy.yml'),
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
  let out = '';
  const code = await main(
    ['run', '-e', 'production', '--version', 'v2', '--skip-staging', '-c', join(dir, 'deploy.yml')],
    { out: (text) => void (out += text), err: (text) => void (out += text) },
  );
  assert.notEqual(code, 0, out);
  const raw = audit.received.map((post) => post.raw).join('\n');
  assert.match(raw, /failed: \*\*\*/, 'the failure is told, its values masked');
  for (const secret of [pagerSecret, pagerUrl, ...pagerUrl.match(/planted[0-9a-f]+/g)!])
    assert.ok(!raw.includes(secret), `a message has ${secret}: ${raw}`);
});
