// A scheduled run started by `deploy-action reconcile` at a terminal prints its summary when it ends, not after
// its notification channels answer, as `deploy-action run` does (terminal-result-now.test.ts): only --json holds
// the result back, to keep it after the channels' warnings.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { hangingReceiver } from '../../helpers/notify-receivers.ts';

const CLOSE_MS = 3_000;

test('a scheduled run at a terminal with a channel that never answers: its summary is printed before the channel is given up on', async (t) => {
  const hang = await hangingReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'schedule-terminal-now-'));
  const variables = {
    T_HANG_URL: `${hang.url}/hook`,
    T_HANG_SECRET: 'a-webhook-secret-value',
    DEPLOY_ACTION_NOTIFY_TIMEOUT_MS: '60000',
    DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS: String(CLOSE_MS),
  };
  Object.assign(process.env, variables);
  t.after(async () => {
    for (const name of Object.keys(variables)) delete process.env[name];
    await hang.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state
notifications:
  channels:
    hang: { type: webhook, url_env: T_HANG_URL, secret_env: T_HANG_SECRET }
target:
  commands:
    deploy: ["true"]
    switch: ["true"]
    health: ["true"]
    current: ["echo", "v1"]
environments:
  production:
    strategy: direct
    monitor: 0
`,
  );
  let out = '';
  let summaryAt: number | undefined;
  const io = {
    out: (text: string) => {
      out += text;
      if (summaryAt === undefined && /Summary/.test(text)) summaryAt = performance.now();
    },
    err: (text: string) => void (out += text),
  };
  const at = new Date(Date.now() + 3_600_000);
  assert.equal(
    await main(['run', '-e', 'production', '-v', 'v2', '--at', at.toISOString(), '-c', config], io),
    0,
    out,
  );
  const later = new Date(at.getTime() + 60_000).toISOString();
  await main(['reconcile', '-e', 'production', '--at', later, '-c', config], io);
  const endedAt = performance.now();
  assert.ok(summaryAt !== undefined, out);
  // Held, the summary came only once the close gave up on the channel (CLOSE_MS), right before the end.
  assert.ok(
    endedAt - summaryAt > CLOSE_MS / 2,
    `the summary came ${Math.round(endedAt - summaryAt)} ms before the end`,
  );
});
