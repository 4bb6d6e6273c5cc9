// Every webhook sink (Slack incoming webhook, Teams, the signed webhook) against receivers that misbehave
// (loopback only): an answer that never ends does not hold the channel's queue until the timeout, a redirect is
// a failure that never reaches another host, and no failure's message holds the URL (the secret) or its path.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { NotifyItem } from '../../../src/notify/model.ts';
import { signedWebhookSink, webhookMessageSink, type Sink } from '../../../src/notify/sinks.ts';
import { DeliveryError } from '../../../src/notify/transport.ts';
import { sinkOptions } from './helpers.ts';

const SECRET_PATH = 'T000/B000/XXXXSECRETXXXX';
const HMAC = 'hmac-s3cret';

const open: Array<() => Promise<void>> = [];
after(() => Promise.all(open.map((close) => close())));

async function serve(answer: (res: ServerResponse) => void) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const note: NotifyItem = {
  kind: 'notify',
  notification: { event: 'failed', at: '2026-12-01T10:00:00.000Z', facts: { version: 'v2' } },
};

/** One of each webhook sink, posting to `url`. */
const sinks = (url: string): Sink[] => [
  webhookMessageSink(sinkOptions(), 'slack-webhook', url),
  webhookMessageSink(sinkOptions(), 'teams', url),
  signedWebhookSink(sinkOptions(), url, HMAC),
];

async function outcome(sink: Sink, signal: AbortSignal): Promise<{ error?: DeliveryError }> {
  try {
    await sink.send(note, signal);
    return {};
  } catch (error) {
    assert.ok(error instanceof DeliveryError, `${sink.kind}: ${String(error)}`);
    return { error };
  }
}

describe('webhook sinks against hostile receivers', () => {
  it(
    'a 200 whose body never ends is delivered at once: the body is not waited for',
    { timeout: 60_000 },
    async () => {
      // Each answer that the client dropped: the receiver sees its connection closed.
      const dropped: Array<Promise<void>> = [];
      const s = await serve((res) => {
        dropped.push(new Promise((resolve) => res.once('close', resolve)));
        res.writeHead(200);
        const chunk = 'x'.repeat(64 * 1024);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      });
      // A signal that never aborts: a send that waited for the body would never end (the test's own timeout
      // is the backstop), and one that ended by an abort would be an error.
      for (const [i, sink] of sinks(`${s.url}/${SECRET_PATH}`).entries()) {
        const { error } = await outcome(sink, new AbortController().signal);
        assert.equal(error, undefined, `${sink.kind}: ${error?.message}`);
        assert.equal(s.requests(), i + 1);
        // The body was cancelled, not left open: the connection is released, not held until some timeout.
        await dropped[i];
      }
    },
  );

  it('a redirect is a failure, never followed to another host', async () => {
    const other = await serve((res) => void res.writeHead(200).end());
    for (const status of [301, 302, 303, 307, 308]) {
      const s = await serve(
        (res) => void res.writeHead(status, { location: `${other.url}/${SECRET_PATH}` }).end(),
      );
      for (const sink of sinks(`${s.url}/${SECRET_PATH}`)) {
        const { error } = await outcome(sink, AbortSignal.timeout(5000));
        assert.ok(error, `${sink.kind}: a ${status} was taken as delivered`);
      }
    }
    assert.equal(other.requests(), 0);
  });

  it('no failure names the URL, its path or the signing secret: refused, 4xx/5xx, hang, redirect, bad port', async () => {
    const { freePort } = await import('../../helpers/prometheus.ts');
    const receivers = [
      await serve((res) => void res.writeHead(500).end(`echo ${SECRET_PATH} ${HMAC}`)),
      await serve((res) => void res.writeHead(404).end(SECRET_PATH)),
      await serve((res) => void res.writeHead(302, { location: `http://x/${SECRET_PATH}` }).end()),
      await serve(() => {}),
    ];
    const urls = [
      ...receivers.map((r) => r.url),
      `http://127.0.0.1:${await freePort()}`,
      'http://127.0.0.1:0',
      'http://does-not-exist.invalid',
    ];
    for (const url of urls)
      for (const sink of sinks(`${url}/${SECRET_PATH}`)) {
        const { error } = await outcome(sink, AbortSignal.timeout(500));
        assert.ok(error, `${sink.kind} at ${url}`);
        const shown = `${error.message} ${String(error.stack)} ${JSON.stringify(error)}`;
        for (const secret of ['SECRETXXXX', 'T000/B000', HMAC])
          assert.ok(!shown.includes(secret), `${sink.kind} at ${url}: ${error.message}`);
        assert.match(
          error.message,
          /^(HTTP \d{3}|no answer in time|request failed( \(.+\))?)$/,
          error.message,
        );
      }
  });
});
