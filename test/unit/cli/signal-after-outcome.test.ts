// A signal that comes after the CLI wrote its outcome (the runner's SIGTERM 7.5 s after its SIGINT, a second
// Ctrl-C) while something still holds the process open (a notification the reporting deadline cut, its socket
// still open) ends it with the outcome's exit code. The run's own signal handlers are gone by then: the signal
// killed the process, and the exit said SIGTERM instead of the outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
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

// What main() tells the entry point with `settled` is the code a later signal exits with: it must be the code
// main() returns. A run that threw (here its result line could not be written, after a deployment that went
// well) was settled with 0, the code of a result never said, while main() returned 1: a SIGTERM while the
// process lingered then ended a failed command with success.
test('a run that throws is settled with the exit code main() returns, not 0', async (t) => {
  const config = await directDeployment(t);
  const settled: number[] = [];
  let errors = '';
  const code = await main(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    out: (text) => {
      if (text.includes('"type":"result"')) throw new Error('standard output closed');
    },
    err: (text) => (errors += text),
    settled: (exitCode) => settled.push(exitCode),
  });
  assert.match(errors, /internal error: .*standard output closed/);
  assert.equal(code, 1);
  assert.deepEqual(settled, [code], 'settled with the code the process exits with');
});

test("an Io given to main() has its settled called with the run's exit code", async (t) => {
  const config = await directDeployment(t);
  const settled: number[] = [];
  const code = await main(['run', '-e', 'production', '-v', 'v2', '-c', config, '--json'], {
    out: () => {},
    err: () => {},
    settled: (exitCode) => settled.push(exitCode),
  });
  assert.equal(code, 0);
  assert.deepEqual(settled, [0]);
});

/** A config whose one environment deploys straight away with commands that succeed. */
async function directDeployment(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'signal-after-outcome-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  const ok = JSON.stringify([process.execPath, '-e', '']);
  await writeFile(
    config,
    `preset: fast\nstate_dir: ${join(dir, 'state')}\ntarget:\n  commands:\n    deploy: ${ok}\n    health: ${ok}\n` +
      'environments:\n  production:\n    strategy: direct\n',
  );
  return config;
}
