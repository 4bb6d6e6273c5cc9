// A replica being stopped (SIGTERM from its orchestrator, a rolling update) while it handles a delivery: the
// delivery is handled to its end, not cut half done; new deliveries are not taken; past the grace, what is
// still running is named in the log so it can be redelivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplicationFunction } from 'probot';
import { createServer } from '../../app/server.ts';
import type { RunningServer } from '../../app/server.ts';
import { SettingsError, settingsFromEnv } from '../../app/config.ts';
import {
  SECRET,
  TestOctokit,
  capturedLog,
  commentOnPull,
  deliver,
  privateKey,
  seededFake,
} from './helpers.ts';

/** An app whose comment handler waits until the test lets it go, and says when it starts and ends. */
function heldApp() {
  const events: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const startedHandling = new Promise<void>((resolve) => (started = resolve));
  const appFn: ApplicationFunction = (app) => {
    app.on('issue_comment.created', async () => {
      events.push('handler started');
      started();
      await released;
      events.push('handler finished');
    });
  };
  return { appFn, events, release, startedHandling };
}

async function serverWith(appFn: ApplicationFunction, log = capturedLog('info')) {
  const fake = await seededFake();
  const server = await createServer({
    appId: fake.state.appId,
    privateKey: privateKey(),
    webhookSecret: SECRET,
    baseUrl: fake.url,
    port: 0,
    host: '127.0.0.1',
    log: log.log,
    Octokit: TestOctokit,
    appFn,
  });
  return { fake, server, log };
}

const hook = (server: RunningServer): string => `${server.url}${server.webhookPath}`;

test('stopping mid-delivery: the delivery is handled to its end and answered; new ones are not taken', async () => {
  const held = heldApp();
  const { fake, server, log } = await serverWith(held.appFn);
  try {
    const { payload } = commentOnPull(fake, '/deploy production');
    const first = deliver(hook(server), 'issue_comment', payload, { delivery: 'd-held' });
    await held.startedHandling;

    let closedAt = -1;
    const closing = server.close(20_000).then((result) => {
      closedAt = held.events.length;
      return result;
    });
    // While it drains: no new connection is taken (the listener is closed), and the handler goes on.
    const late = await deliver(hook(server), 'issue_comment', payload, { delivery: 'd-late' }).catch(
      (error: unknown) => error,
    );
    assert.ok(late instanceof Error, `a delivery to a stopping replica was taken: ${JSON.stringify(late)}`);
    assert.equal(closedAt, -1, 'close() waited for the delivery being handled');

    held.release();
    const answered = await first;
    assert.equal(answered.status, 200, answered.text);
    assert.deepEqual(await closing, { cut: [] });
    assert.deepEqual(held.events, ['handler started', 'handler finished']);
    assert.equal(closedAt, 2, 'close() resolved after the handler finished');
    assert.match(log.text(), /stopping: waiting for 1 delivery being handled/);
    assert.match(log.text(), /d-held/);
  } finally {
    held.release();
    await fake.stop();
  }
});

test('a delivery still running past the grace is cut and named in the log, to be redelivered', async () => {
  const held = heldApp();
  const { fake, server, log } = await serverWith(held.appFn);
  try {
    const { payload } = commentOnPull(fake, '/deploy production');
    const first = deliver(hook(server), 'issue_comment', payload, { delivery: 'd-stuck' }).catch(
      (error: unknown) => error,
    );
    await held.startedHandling;
    const { cut } = await server.close(300);
    assert.deepEqual(cut, ['d-stuck']);
    const lines = log
      .text()
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { level: number; msg: string; code?: string; deliveries?: string[] },
      );
    const error = lines.find((line) => line.code === 'deliveries_cut');
    assert.ok(error, log.text());
    assert.equal(error.level, 50);
    assert.deepEqual(error.deliveries, ['d-stuck']);
    assert.match(error.msg, /redeliver it from the GitHub App's advanced settings/);
    // The connection was closed under the delivery: GitHub sees it as failed, which is what it is.
    assert.ok((await first) instanceof Error);
  } finally {
    held.release();
    await fake.stop();
  }
});

test('a server with nothing running stops at once, whatever its grace', async () => {
  const held = heldApp();
  const { fake, server } = await serverWith(held.appFn);
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const started = performance.now();
    assert.deepEqual(await server.close(60_000), { cut: [] });
    // Not a timing claim about the product: 60 s is what it would take had it waited for the grace.
    assert.ok(performance.now() - started < 30_000);
  } finally {
    await fake.stop();
  }
});

test('SHUTDOWN_GRACE: seconds from 0 to 3600, named when it is anything else', () => {
  const base = { APP_ID: '12', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: 's' };
  assert.equal(settingsFromEnv(base).shutdownGraceMs, undefined);
  assert.equal(settingsFromEnv({ ...base, SHUTDOWN_GRACE: '40' }).shutdownGraceMs, 40_000);
  assert.equal(settingsFromEnv({ ...base, SHUTDOWN_GRACE: '0.5' }).shutdownGraceMs, 500);
  assert.equal(settingsFromEnv({ ...base, SHUTDOWN_GRACE: '0' }).shutdownGraceMs, 0);
  for (const bad of ['-1', 'soon', '3601', 'Infinity', '25s'])
    assert.throws(
      () => settingsFromEnv({ ...base, SHUTDOWN_GRACE: bad }),
      (error: Error) =>
        error instanceof SettingsError &&
        error.message.includes(`SHUTDOWN_GRACE must be a number of seconds from 0 to 3600`) &&
        error.message.includes(JSON.stringify(bad)),
      bad,
    );
});
