// A signal that comes after the CLI wrote its outcome (the runner's SIGTERM 7.5 s after its SIGINT, a second
// Ctrl-C) while something still holds the process open (a notification the reporting deadline cut, its socket
// still open) ends it with the outcome's exit code. The run's own signal handlers are gone by then: the signal
// killed the process, and the exit said SIGTERM instead of the outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { events, startCli } from '../../helpers/cli.ts';
import { webhookDeployment } from '../../helpers/webhook-deployment.ts';

test("a SIGTERM after the outcome is written, with a notification still open, exits with the outcome's code", async (t) => {
  // A webhook receiver that takes every connection and never answers: the message is open when the run ends.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { target, config } = webhookDeployment(t, 'signal-after-outcome', 'blue-green');
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    env: {
      CURRENT: '{"slot":"blue","version":"v1"}',
      HOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      HOOK_SECRET: 'a-webhook-secret',
      DEPLOY_ACTION_NOTIFY_TIMEOUT_MS: '60000',
    },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  await run.waitFor((line) => line.includes('"type":"result"'), 60_000);
  run.child.kill('SIGTERM');
  const { code, stdout } = await run.done;
  const result = events(stdout).find((e) => e.type === 'result')!.result as { status: string };
  assert.equal(run.child.signalCode, null, `ended by ${run.child.signalCode}, not by itself:\n${stdout}`);
  assert.equal(result.status, 'succeeded', stdout);
  assert.equal(code, 0, "the outcome's code");
  assert.ok(
    target.calls().some((call) => call.startsWith('switch')),
    target.calls().join('\n'),
  );
});
