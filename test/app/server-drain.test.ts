// A replica being stopped (SIGTERM from its orchestrator, a rolling update) while it handles a delivery: the
// delivery is handled to its end, not cut half done; new deliveries are not taken; past the grace, what is
// still running is named in the log so it can be redelivered.
import { test } from 'node:test';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import assert from 'node:assert/strict';
import type { ApplicationFunction } from 'probot';
import type { RunningServer } from '../../app/server.ts';
import { SettingsError, settingsFromEnv } from '../../app/config.ts';
import {
  capturedLog,
  commentOnPull,
  deliver,
  hookUrl,
  privateKey,
  seededFake,
  sign,
  testServer,
} from './helpers.ts';

/** An app whose comment handler waits until the test lets it go, and says when it starts and ends. */
function heldApp() {
  const events: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const startedHandling = new Promise<void>((resolve) => (started = resolve));
  let startedCount = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const appFn: ApplicationFunction = (app) => {
    app.on('issue_comment.created', async () => {
      events.push('handler started');
      started();
      startedCount += 1;
      for (const w of waiters) if (startedCount >= w.count) w.resolve();
      await released;
      events.push('handler finished');
    });
  };
  /** Resolves once `count` deliveries are being handled. */
  const handling = (count: number) =>
    new Promise<void>((resolve) => {
      if (startedCount >= count) resolve();
      else waiters.push({ count, resolve });
    });
  return { appFn, events, release, startedHandling, handling };
}

async function serverWith(appFn: ApplicationFunction, log = capturedLog('info')) {
  const fake = await seededFake();
  const server = await testServer(fake, { log: log.log, appFn });
  return { fake, server, log };
}

test('stopping mid-delivery: the delivery is handled to its end and answered; new ones are not taken', async () => {
  const held = heldApp();
  const { fake, server, log } = await serverWith(held.appFn);
  try {
    const { payload } = commentOnPull(fake, '/deploy production');
    const first = deliver(hookUrl(server), 'issue_comment', payload, { delivery: 'd-held' });
    await held.startedHandling;

    let closedAt = -1;
    const closing = server.close(20_000).then((result) => {
      closedAt = held.events.length;
      return result;
    });
    // While it drains: no new connection is taken (the listener is closed), and the handler goes on.
    const late = await deliver(hookUrl(server), 'issue_comment', payload, { delivery: 'd-late' }).catch(
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
    const first = deliver(hookUrl(server), 'issue_comment', payload, { delivery: 'd-stuck' }).catch(
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
  for (const bad of ['-1', 'soon', '3601', 'Infinity', '25s', ' ', '0x10', '1e3'])
    assert.throws(
      () => settingsFromEnv({ ...base, SHUTDOWN_GRACE: bad }),
      (error: Error) =>
        error instanceof SettingsError &&
        error.message.includes(`SHUTDOWN_GRACE must be a number of seconds from 0 to 3600`) &&
        error.message.includes(JSON.stringify(bad)),
      bad,
    );
});

/** A raw connection to the server, kept open, whose answers are collected until it closes. */
function rawConnection(server: RunningServer): { socket: Socket; received: Promise<string> } {
  const socket = connect(server.port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => {});
  return { socket, received };
}

function signedPost(server: RunningServer, payload: unknown, delivery: string): string {
  const body = JSON.stringify(payload);
  return (
    `POST ${server.webhookPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `X-GitHub-Event: issue_comment\r\nX-GitHub-Delivery: ${delivery}\r\nUser-Agent: GitHub-Hookshot/test\r\n` +
    `X-Hub-Signature-256: ${sign(body)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

test('stopping: answers given meanwhile close their connection; a delivery sent on one after the stop is not handled, and named', async () => {
  const held = heldApp();
  const { fake, server, log } = await serverWith(held.appFn);
  try {
    const { payload } = commentOnPull(fake, '/deploy production');
    // A connection busy with a delivery being handled when the stop comes (so it is not closed as idle).
    const a = rawConnection(server);
    a.socket.write(signedPost(server, payload, 'd-a'));
    await held.handling(1);
    const closing = server.close(20_000);
    // On that connection, after the stop, another delivery (as a proxy reusing its connection would send it).
    a.socket.write(signedPost(server, payload, 'd-late'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    held.release();
    assert.deepEqual(await closing, { cut: [] });
    const onA = await a.received;
    // The delivery being handled is answered, telling the client to send nothing more on the connection.
    assert.deepEqual(
      [...onA.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => Number(m[1])).slice(0, 1),
      [200],
      onA,
    );
    assert.match(onA, /^connection: close/im);
    assert.match(onA, /"delivery":"d-a"/);
    // Whatever the late one got (a 503, or the connection closed under it), it was not handled, and the log
    // names it so it can be redelivered.
    assert.doesNotMatch(onA, /"delivery":"d-late"/);
    assert.equal(held.events.filter((e) => e === 'handler started').length, 1);
    const refused = log
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { code?: string; delivery?: string; event?: string; level: number })
      .filter((line) => line.code === 'delivery_refused_stopping');
    assert.deepEqual(
      refused.map((line) => [line.delivery, line.event, line.level]),
      [['d-late', 'issue_comment', 40]],
    );
  } finally {
    held.release();
    await server.close(0);
    await fake.stop();
  }
});
