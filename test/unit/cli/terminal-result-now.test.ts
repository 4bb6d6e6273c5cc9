// `deploy-action run` at a terminal: the summary is printed when the run ends, not after the notification
// channels answer. Only --json holds the result back (to keep it the last line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCli } from '../../helpers/cli.ts';
import { webhookDeployment } from '../../helpers/webhook-deployment.ts';

test('run at a terminal with a webhook slow to take the outcome message: the summary is printed before it answers', async (t) => {
  // Every message is answered at once but the outcome, which is held until the summary was seen.
  const held: ServerResponse[] = [];
  // Whether the CLI gave up on the held message (its request timeout) before the summary was seen.
  let gaveUp = false;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      if ((JSON.parse(body) as { event: string }).event === 'succeeded') {
        held.push(res);
        res.on('close', () => void (res.writableEnded || (gaveUp = true)));
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => held.splice(0).forEach((res) => res.end('ok'));
  t.after(() => {
    release();
    server.closeAllConnections();
    server.close();
  });
  const { config } = webhookDeployment(t, 'terminal-result-now', 'blue-green');
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config], {
    env: {
      CURRENT: '{"slot":"blue","version":"v1"}',
      HOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      HOOK_SECRET: 'a-webhook-secret',
    },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  // Held, the summary came only once the channel gave up on the message (its 5 s request timeout). Timed by
  // the message itself, not the clock: the summary is there while the message is still unanswered.
  await run.waitFor((line) => /v2 is live on production/.test(line), 60_000);
  // A moment for the socket's close to reach this side, had the CLI given up before it printed.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(gaveUp, false, 'the summary waited until the channel gave up on the outcome message');
  release();
  const { code, stdout } = await run.done;
  assert.equal(code, 0, stdout);
});
