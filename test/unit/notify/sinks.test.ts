// The channel sinks against loopback servers: the Slack bot through @slack/web-api (slackApiUrl) posts,
// then updates the same ts, holds thread lines until its message exists, and turns a hang, an HTTP error
// or a Slack API error into a DeliveryError that names the reason and never the token.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, it } from 'node:test';
import type { Notification, NotifyItem } from '../../../src/notify/model.ts';
import { NOTIFY_EVENTS } from '../../../src/notify/model.ts';
import { slackBotSink, signedWebhookSink, webhookMessageSink } from '../../../src/notify/sinks.ts';
import { DEFAULT_TEMPLATES } from '../../../src/notify/template.ts';
import { DeliveryError } from '../../../src/notify/transport.ts';
import {
  failingReceiver,
  fakeSlack,
  hangingReceiver,
  webhookReceiver,
} from '../../helpers/notify-receivers.ts';

const TOKEN = 'xoxb-9-9-SINKSECRET';
const base = (events: readonly string[] = NOTIFY_EVENTS) => ({
  name: 'ops',
  events: new Set(events) as Set<Notification['event']>,
  templates: DEFAULT_TEMPLATES,
});
const note = (event: Notification['event']): NotifyItem => ({
  kind: 'notify',
  notification: {
    event,
    at: '2026-12-01T10:00:00.000Z',
    facts: { version: 'v2', environment: 'production' },
  },
});
const line = (text: string): NotifyItem => ({ kind: 'thread', line: { at: '', text } });
const signal = () => AbortSignal.timeout(5_000);
const closing = new AbortController();

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => assert.fail('expected a DeliveryError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DeliveryError, String(error));
  return error;
}

describe('slackBotSink', () => {
  it('posts once, updates that ts, and replies in its thread with the lines that came first', async () => {
    const slack = await fakeSlack();
    after(() => slack.close());
    const sink = slackBotSink({ ...base(), channel: 'C0123', thread: true }, TOKEN, {
      apiUrl: slack.apiUrl,
      timeoutMs: 2_000,
      closeSignal: closing.signal,
    });
    await sink.send(line('validate: succeeded'), signal());
    await sink.send(note('started'), signal());
    await sink.send(line('production: succeeded'), signal());
    await sink.send(note('failed'), signal());
    const calls = slack.received.map((c) => [
      c.method,
      c.args.thread_ts ? 'reply' : 'top',
      c.args.text.split('\n')[0],
    ]);
    assert.deepEqual(calls, [
      ['chat.postMessage', 'top', '[Started] Deploy v2 to production'],
      ['chat.postMessage', 'reply', 'validate: succeeded'],
      ['chat.postMessage', 'reply', 'production: succeeded'],
      ['chat.update', 'top', '[Failed] Deploy v2 to production'],
      ['chat.postMessage', 'reply', '[Failed] Deploy v2 to production'],
    ]);
    const ts = slack.received[0]!.ts;
    assert.equal(slack.received[3]!.args.ts, ts);
    for (const c of slack.received.slice(1))
      if (c.method === 'chat.postMessage') assert.equal(c.args.thread_ts, ts);
    for (const c of slack.received) {
      assert.deepEqual(c.problems, []);
      assert.equal(c.token, TOKEN);
    }
  });

  it('a hang is a timeout; an HTTP error and an API error say what, never the token', async () => {
    const hang = await hangingReceiver();
    const broken = await failingReceiver();
    const refusing = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: false, error: 'channel_not_found' }));
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    after(async () => {
      await Promise.all([hang.close(), broken.close()]);
      refusing.close();
    });
    const make = (apiUrl: string, timeoutMs = 2_000) =>
      slackBotSink({ ...base(), channel: 'C1', thread: true }, TOKEN, {
        apiUrl,
        timeoutMs,
        closeSignal: closing.signal,
      });
    const t0 = performance.now();
    const timedOut = await rejection(make(`${hang.url}/api/`, 300).send(note('started'), signal()));
    assert.ok(timedOut.timedOut);
    assert.ok(performance.now() - t0 < 2_000);
    const http = await rejection(make(`${broken.url}/api/`).send(note('started'), signal()));
    assert.equal(http.message, 'Slack: HTTP 500');
    assert.equal(http.timedOut, false);
    const { port } = refusing.address() as { port: number };
    const api = await rejection(make(`http://127.0.0.1:${port}/api/`).send(note('started'), signal()));
    assert.equal(api.message, 'Slack: channel_not_found');
    for (const e of [timedOut, http, api]) assert.ok(!String(e.stack).includes(TOKEN));
  });
});

describe('webhook sinks', () => {
  it('the signed webhook: a new delivery id per request, event header, verified signature; the URL is in no error', async () => {
    const receiver = await webhookReceiver('s3cret');
    const broken = await failingReceiver();
    after(async () => Promise.all([receiver.close(), broken.close()]));
    const sink = signedWebhookSink(base(), `${receiver.url}/x`, 's3cret');
    await sink.send(note('started'), signal());
    await sink.send(note('succeeded'), signal());
    await sink.send(line('not for webhooks'), signal());
    assert.equal(receiver.received.length, 2);
    assert.ok(receiver.received.every((r) => r.verified && r.problems.length === 0));
    assert.notEqual(
      receiver.received[0]!.headers['x-deploy-delivery'],
      receiver.received[1]!.headers['x-deploy-delivery'],
    );
    assert.deepEqual(
      receiver.received.map((r) => r.headers['x-deploy-event']),
      ['started', 'succeeded'],
    );
    const url = `${broken.url}/hook/SECRETPATH`;
    const error = await rejection(webhookMessageSink(base(), 'teams', url).send(note('failed'), signal()));
    assert.equal(error.message, 'HTTP 500');
    assert.ok(!String(error.stack).includes('SECRETPATH'));
  });
});
