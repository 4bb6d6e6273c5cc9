// A run recorded with `run --at` and started by `deploy-action reconcile` is a `deploy-action run` at a later
// time: it tells the environment's channels as a run now does (docs/notifications.md: "from `deploy-action
// run`"), and the channels' secrets stay out of the record it writes. Through the CLI processes, against a
// loopback signed-webhook receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, runCli } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { webhookReceiver } from '../../helpers/notify-receivers.ts';

const HMAC = 'hmac-SCHEDULESECRET-key';
const HOOK_PATH = 'SCHEDULESECRETHOOKPATH';

test('a scheduled run started by reconcile notifies its channels (started, succeeded), no secret in its record', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-notify-'));
  const receiver = await webhookReceiver(HMAC);
  t.after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
state_dir: ${dir}/state
${target.targetYaml.replaceAll(',"{{slot}}"', '')}notifications:
  channels:
    audit: { type: webhook, url_env: SCHEDULE_AUDIT_URL, secret_env: SCHEDULE_AUDIT_SECRET }
environments:
  production:
    strategy: { type: direct }
    monitor: 0
`,
  );
  const env = {
    SCHEDULE_AUDIT_URL: `${receiver.url}/${HOOK_PATH}`,
    SCHEDULE_AUDIT_SECRET: HMAC,
    DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS: '5000',
  };
  const at = new Date(Date.now() + 3_600_000);
  const recorded = await runCli(
    ['run', '-e', 'production', '-v', 'v2', '--at', at.toISOString(), '-c', config, '--json'],
    { env },
  );
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  assert.equal(receiver.received.length, 0, 'recording a run sends nothing');

  const due = await runCli(
    [
      'reconcile',
      '-e',
      'production',
      '--at',
      new Date(at.getTime() + 60_000).toISOString(),
      '-c',
      config,
      '--json',
    ],
    { env },
  );
  assert.equal(due.code, 0, due.stdout + due.stderr);
  const line = events(due.stdout).find((e) => e.type === 'scheduled_runs') as unknown as {
    results: Array<{ code: string; status?: string }>;
  };
  assert.deepEqual(
    line.results.map((r) => [r.code, r.status]),
    [['schedule_started', 'succeeded']],
  );
  assert.deepEqual(
    receiver.received.map((p) => [p.body.event, p.body.facts.version, p.body.facts.environment, p.verified]),
    [
      ['started', 'v2', 'production', true],
      ['succeeded', 'v2', 'production', true],
    ],
  );
  const record = readFileSync(join(dir, 'state/records/production.json'), 'utf8');
  for (const secret of [HMAC, HOOK_PATH]) {
    assert.ok(!record.includes(secret), `the record holds ${secret}`);
    assert.ok(!due.stdout.includes(secret) && !due.stderr.includes(secret), `the output holds ${secret}`);
  }
});
