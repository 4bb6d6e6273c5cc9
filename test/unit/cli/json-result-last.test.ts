// `deploy-action run --json`: the last line is the result (README), also when a notification channel fails
// while the messages go out after the run: its warning comes before the result line, not after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../helpers/cli.ts';
import { webhookDeployment } from '../../helpers/webhook-deployment.ts';

test('run --json with a webhook that refuses the outcome message: the channel warning is printed, and the result is the last line', async (t) => {
  // A webhook that takes every message but the run's outcome, which it refuses: that failure is known only
  // after the result event, while the messages go out.
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
  const port = (server.address() as AddressInfo).port;
  const { config } = webhookDeployment(t, 'json-result-last', 'blue-green');
  const run = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: {
      CURRENT: '{"slot":"blue","version":"v1"}',
      HOOK_URL: `http://127.0.0.1:${port}/hook`,
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
