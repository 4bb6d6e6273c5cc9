// The CLI as a step of a GitHub Actions job, cancelled as the runner cancels (SIGINT, SIGTERM 7.5 s later,
// SIGKILL 2.5 s after): a notification channel that answers slowly must not hold the exit past the runner's
// signals. Its messages wait at most until the reporting deadline, as the Action's do, and the exit code
// says SIGINT (130), not a process the runner's SIGTERM ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { events, startCli } from '../../helpers/cli.ts';
import { cancelLikeRunner } from '../../helpers/action.ts';
import { webhookDeployment } from '../../helpers/webhook-deployment.ts';

test('in an Actions job, cancelled with a slow webhook: the rollback is done, the messages are cut at the reporting deadline, exit 130 before the runner has to kill', async (t) => {
  // Each message is answered after 4.5 s, and the request timeout is 20 s (DEPLOY_ACTION_NOTIFY_TIMEOUT_MS), so
  // the channel is never given up, even on a busy machine where the answer comes late (at the default 5 s, a
  // late answer gave the channel up before the deadline): only the reporting deadline cuts its messages.
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      received.push((JSON.parse(body) as { event: string }).event);
      setTimeout(() => res.end('ok'), 4_500).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { target, config } = webhookDeployment(
    t,
    'cancel-notify',
    '{ type: canary, steps: [{ weight: 5, pause: 30s }, 50] }',
  );
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: {
      CURRENT: '{"slot":"blue","version":"v1"}',
      GITHUB_ACTIONS: 'true',
      HOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      HOOK_SECRET: 'a-webhook-secret',
      DEPLOY_ACTION_NOTIFY_TIMEOUT_MS: '20000',
    },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  for (let i = 0; !target.calls().includes('set_weight green 5'); i++) {
    if (run.child.exitCode !== null || i > 600)
      assert.fail(`the canary never took 5 %:\n${target.calls().join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = () => run.child.exitCode !== null || run.child.signalCode !== null;
  const { sent, exitedAfterMs } = await cancelLikeRunner({ child: run.child, exited });
  const { code, stdout } = await run.done;
  assert.ok(
    !sent.includes('SIGKILL'),
    `the runner had to kill it (${exitedAfterMs} ms after SIGINT):\n${stdout}`,
  );
  assert.equal(run.child.signalCode, null, `ended by ${run.child.signalCode}, not by itself:\n${stdout}`);
  assert.equal(code, 130, stdout);
  // The channel's warning (cut at the deadline) is said, before the result line, which stays the last one
  // whenever the runner's SIGTERM comes (its notice then goes to standard error).
  assert.equal(events(stdout).at(-1)?.type, 'result', stdout);
  assert.match(
    stdout,
    /webhook channel \\"audit\\" failed: not delivered by the cancelled job's reporting deadline/,
  );
  const result = events(stdout).find((e) => e.type === 'result')!.result as {
    status: string;
    rollbacks: Array<{ ok: boolean }>;
  };
  assert.equal(result.status, 'cancelled');
  assert.equal(result.rollbacks[0]!.ok, true, 'traffic back on stable');
  assert.ok(target.calls().includes('set_weight green 0'), target.calls().join('\n'));
  assert.ok(received.length > 0, 'the channel was told');
});
