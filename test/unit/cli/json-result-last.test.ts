// `deploy-action run --json`: the last line is the result (README), also when a notification channel fails
// while the messages go out after the run: its warning comes before the result line, not after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../helpers/cli.ts';
import { webhookDeployment } from '../../helpers/webhook-deployment.ts';

/** A loopback webhook that takes every message but the run's outcome (`succeeded`), which it refuses. */
async function refusingOutcome(t: { after(fn: () => unknown): void }): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      res.statusCode = (JSON.parse(body) as { event: string }).event === 'succeeded' ? 400 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

test('run --json with a webhook that refuses the outcome message: the channel warning is printed, and the result is the last line', async (t) => {
  // The outcome's failure is known only after the result event, while the messages go out.
  const hook = await refusingOutcome(t);
  const { config } = webhookDeployment(t, 'json-result-last', 'blue-green');
  const run = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: {
      CURRENT: '{"slot":"blue","version":"v1"}',
      HOOK_URL: hook,
      HOOK_SECRET: 'a-webhook-secret',
    },
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.ok(
    lines.some((l) => /webhook channel \\"audit\\" failed/.test(l)),
    `the channel's failure is said:\n${run.stdout}`,
  );
  const last = JSON.parse(lines.at(-1)!) as { type: string; result?: { status: string } };
  assert.equal(last.type, 'result', run.stdout);
  assert.equal(last.result?.status, 'succeeded');
});

test("reconcile --json starting a scheduled run whose webhook refuses the outcome: the channel warning comes before that run's result line", async (t) => {
  // It came after it: a reader taking a run's result line as its end missed the failure.
  const hook = await refusingOutcome(t);
  const { config } = webhookDeployment(t, 'json-result-last-scheduled', 'blue-green');
  const env = {
    CURRENT: '{"slot":"blue","version":"v1"}',
    HOOK_URL: hook,
    HOOK_SECRET: 'a-webhook-secret',
  };
  const at = new Date(Date.now() + 3_600_000);
  const recorded = await runCli(
    ['run', '-e', 'production', '-v', 'v2', '--at', at.toISOString(), '-c', config, '--json'],
    { env },
  );
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
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
  const lines = due.stdout.trim().split('\n');
  const failure = lines.findIndex((l) => /webhook channel \\"audit\\" failed/.test(l));
  const result = lines.findIndex((l) => (JSON.parse(l) as { type: string }).type === 'result');
  assert.ok(failure >= 0, `the channel's failure is said:\n${due.stdout}`);
  assert.ok(result > failure, `the run's result line follows its channel's failure:\n${due.stdout}`);
  assert.equal(
    (JSON.parse(lines.at(-1)!) as { type: string }).type,
    'scheduled_runs',
    'the scheduled runs line ends the output',
  );
});
