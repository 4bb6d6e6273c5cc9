// A channel that answers 429 with a short Retry-After (Slack allows about one message a second per channel
// and webhook, and a run sends its events in a burst) is asked once more after that wait, within the send's
// own bound: before, the message was lost, often the last one (`[Complete]`, `[Rolled back]`), and the channel
// said nothing more. A Retry-After longer than the bound fails at once, saying it was rate limited.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { signedWebhookSink, slackBotSink, webhookMessageSink } from '../../../src/notify/sinks.ts';
import { DeliveryError, slackCall } from '../../../src/notify/transport.ts';
import { notifyItem, sinkOptions } from './helpers.ts';

/** A server answering each request with what `answer` says for the n-th one (0-based); keeps the bodies. */
async function server(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const bodies: Array<{ url: string; body: string }> = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      bodies.push({ url: req.url ?? '', body });
      answer(bodies.length - 1, req, res);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  after(() => {
    s.closeAllConnections();
    s.close();
  });
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, bodies };
}

const limited = (res: ServerResponse, retryAfter: string) => {
  res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'text/plain' });
  res.end('rate limited');
};

describe('a webhook that answers 429', () => {
  it('with Retry-After: 1 gets the same message again after it, once', async () => {
    const s = await server((n, _req, res) => (n === 0 ? limited(res, '1') : res.end()));
    const teams = webhookMessageSink(sinkOptions(), 'teams', `${s.url}/teams`);
    await teams.send(notifyItem('succeeded'), AbortSignal.timeout(5_000));
    assert.equal(s.bodies.length, 2);
    assert.equal(s.bodies[1]!.body, s.bodies[0]!.body);

    // The signed webhook: the same delivery (id, body, signature), so a receiver can tell it is a repeat.
    const signed = await server((n, _req, res) => (n === 0 ? limited(res, '0') : res.end()));
    const hook = signedWebhookSink(sinkOptions(), `${signed.url}/hook`, 'hmac-key', () => 'delivery-1');
    await hook.send(notifyItem('failed'), AbortSignal.timeout(5_000));
    assert.equal(signed.bodies.length, 2);
    assert.equal(signed.bodies[1]!.body, signed.bodies[0]!.body);
  });

  it('again, or with a Retry-After past the bound, fails saying it was rate limited', async () => {
    for (const retryAfter of ['120', 'soon']) {
      const s = await server((_n, _req, res) => limited(res, retryAfter));
      const sink = webhookMessageSink(sinkOptions(), 'slack-webhook', `${s.url}/hook`);
      const error = await sink.send(notifyItem('succeeded'), AbortSignal.timeout(5_000)).then(
        () => assert.fail('expected a DeliveryError'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof DeliveryError, String(error));
      assert.match(error.message, /^HTTP 429 \(rate limited/);
      assert.equal(error.timedOut, false);
      assert.equal(s.bodies.length, 1, `${retryAfter}: asked once`);
    }
    const twice = await server((_n, _req, res) => limited(res, '0'));
    const sink = webhookMessageSink(sinkOptions(), 'teams', `${twice.url}/teams`);
    await assert.rejects(sink.send(notifyItem('succeeded'), AbortSignal.timeout(5_000)), /HTTP 429/);
    assert.equal(twice.bodies.length, 2, 'one repeat, not more');
  });
});

describe('the Slack bot rate limited', () => {
  it('updates its message once Retry-After has passed: the outcome is not lost', async () => {
    let updates = 0;
    const s = await server((_n, req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/chat.update' && updates++ === 0) return limited(res, '1');
      res.end(JSON.stringify({ ok: true, channel: 'C0123', ts: '1700000000.000001' }));
    });
    const sink = slackBotSink({ ...sinkOptions(), channel: 'C0123', thread: false }, 'xoxb-1-2-RATESECRET', {
      apiUrl: `${s.url}/api/`,
      timeoutMs: 2_000,
      closeSignal: new AbortController().signal,
    });
    await sink.send(notifyItem('started'), AbortSignal.timeout(5_000));
    await sink.send(notifyItem('succeeded'), AbortSignal.timeout(5_000));
    assert.deepEqual(
      s.bodies.map((b) => b.url),
      ['/api/chat.postMessage', '/api/chat.update', '/api/chat.update'],
    );
    assert.match(decodeURIComponent(s.bodies[2]!.body), /\[Complete\] Deploy v2 to production/);
  });
});

describe('the Slack bot rate limited without a Retry-After it can read', () => {
  it('fails saying it was rate limited, not "request failed"', async () => {
    for (const retryAfter of [undefined, 'soon']) {
      const s = await server((_n, _req, res) => {
        res.writeHead(429, retryAfter ? { 'retry-after': retryAfter } : {});
        res.end('{"ok":false,"error":"ratelimited"}');
      });
      const sink = slackBotSink(
        { ...sinkOptions(), channel: 'C0123', thread: false },
        'xoxb-1-2-RATESECRET',
        {
          apiUrl: `${s.url}/api/`,
          timeoutMs: 2_000,
          closeSignal: new AbortController().signal,
        },
      );
      await assert.rejects(sink.send(notifyItem('started'), AbortSignal.timeout(5_000)), (e: unknown) => {
        assert.ok(e instanceof DeliveryError);
        assert.equal(e.message, 'Slack: rate limited', String(retryAfter));
        return true;
      });
    }
  });
});

describe('the repeat after a rate limit', () => {
  it("ends with the send: a Slack call asked again is cut at the send's bound, as a webhook's fetch is", async () => {
    // The Slack client bounds each request by its own timeout, not by the send's: a repeat begun just before the
    // send's bound passed would have run a whole timeout past it.
    const send = new AbortController();
    let calls = 0;
    const call = slackCall(async () => {
      calls++;
      if (calls === 1)
        throw Object.assign(new Error('rate limited'), {
          code: 'slack_webapi_rate_limited_error',
          retryAfter: 0,
        });
      send.abort(); // the send's bound passes while the repeat is under way
      await new Promise((resolve) => setImmediate(resolve));
      return 'answered after the bound';
    }, send.signal);
    await assert.rejects(call, (error: unknown) => error instanceof DeliveryError && error.timedOut);
    assert.equal(calls, 2);
  });
});
