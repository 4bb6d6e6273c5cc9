// The channel sinks against loopback servers: the Slack bot through @slack/web-api (slackApiUrl) posts,
// then updates the same ts, holds thread lines until its message exists, and turns a hang, an HTTP error
// or a Slack API error into a DeliveryError that names the reason and never the token.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, it } from 'node:test';
import type { NotifyItem } from '../../../src/notify/model.ts';
import { slackBotSink, signedWebhookSink, webhookMessageSink } from '../../../src/notify/sinks.ts';
import { DeliveryError } from '../../../src/notify/transport.ts';
import {
  failingReceiver,
  fakeSlack,
  hangingReceiver,
  webhookReceiver,
} from '../../helpers/notify-receivers.ts';
import { notifyItem, sinkOptions } from './helpers.ts';

const TOKEN = 'xoxb-9-9-SINKSECRET';
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

/** A fake Slack and a bot sink threading into channel C0123 on it. */
async function threadedSink() {
  const slack = await fakeSlack();
  after(() => slack.close());
  const sink = slackBotSink({ ...sinkOptions(), channel: 'C0123', thread: true }, TOKEN, {
    apiUrl: slack.apiUrl,
    timeoutMs: 2_000,
    closeSignal: closing.signal,
  });
  return { slack, sink };
}

describe('slackBotSink', () => {
  it('posts once, updates that ts, and replies in its thread with the lines that came first', async () => {
    const { slack, sink } = await threadedSink();
    await sink.send(line('validate: succeeded'), signal());
    await sink.send(notifyItem('started'), signal());
    await sink.send(line('production: succeeded'), signal());
    await sink.send(notifyItem('failed'), signal());
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

  it('the last reply keeps its note whole, however long its line', async () => {
    const { slack, sink } = await threadedSink();
    await sink.send(notifyItem('started'), signal());
    for (let k = 0; k < 25; k++) await sink.send(line(`step ${k}: ${'x'.repeat(4000)}`), signal());
    const replies = slack.received.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts);
    assert.equal(replies.length, 20);
    const last = replies.at(-1)!;
    const shown = (last.args.blocks as unknown as Array<{ text: { text: string } }>)[0]!.text.text;
    assert.ok(shown.length <= 3000, `${shown.length}`);
    assert.match(shown, /…\n… further steps are in the run's log$/);
    assert.match(last.args.text, /further steps are in the run's log$/);
    for (const reply of replies) assert.deepEqual(reply.problems, []);
  });

  it('replies as a verbatim section, so Slack makes no link of a URL in a thread line', async () => {
    const { slack, sink } = await threadedSink();
    await sink.send(notifyItem('started'), signal());
    await sink.send(line('verify: failed: see https://evil.example/login'), signal());
    await sink.send(line('x'.repeat(5000)), signal());
    await sink.send(notifyItem('failed'), signal());
    const replies = slack.received.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts);
    assert.equal(replies.length, 3); // two lines and the broadcast of the failure
    for (const reply of replies) {
      assert.deepEqual(reply.problems, []);
      const blocks = reply.args.blocks as unknown as Array<{ type: string; text: Record<string, unknown> }>;
      assert.equal(blocks.length, 1);
      assert.equal(blocks[0]!.type, 'section');
      assert.equal(blocks[0]!.text.type, 'mrkdwn');
      assert.equal(blocks[0]!.text.verbatim, true);
      const shown = blocks[0]!.text.text as string;
      assert.ok(shown.length <= 3000, `${shown.length}`);
      assert.equal(shown.replace(/…$/, ''), reply.args.text.slice(0, shown.replace(/…$/, '').length));
    }
    assert.match(
      (replies[0]!.args.blocks as unknown as Array<{ text: { text: string } }>)[0]!.text.text,
      /https:\/\/evil\.example\/login/,
    );
  });

  it(
    'a hang is a timeout; an HTTP error and an API error say what, never the token',
    { timeout: 60_000 },
    async () => {
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
        slackBotSink({ ...sinkOptions(), channel: 'C1', thread: true }, TOKEN, {
          apiUrl,
          timeoutMs,
          closeSignal: closing.signal,
        });
      // Neither the caller's signal nor the close signal ever aborts here: the send can only end by the sink's
      // own 300 ms timeout (without it, it would hang until the test's own timeout).
      const timedOut = await rejection(
        make(`${hang.url}/api/`, 300).send(notifyItem('started'), new AbortController().signal),
      );
      assert.ok(timedOut.timedOut);
      assert.equal(timedOut.message, 'no answer in time');
      assert.equal(hang.received.length, 1, 'the request reached the receiver, which never answered');
      const http = await rejection(make(`${broken.url}/api/`).send(notifyItem('started'), signal()));
      assert.equal(http.message, 'Slack: HTTP 500');
      assert.equal(http.timedOut, false);
      const { port } = refusing.address() as { port: number };
      const api = await rejection(
        make(`http://127.0.0.1:${port}/api/`).send(notifyItem('started'), signal()),
      );
      assert.equal(api.message, 'Slack: channel_not_found');
      for (const e of [timedOut, http, api]) assert.ok(!String(e.stack).includes(TOKEN));
    },
  );
});

describe("slackBotSink resuming the deployment job's message", () => {
  /** A Slack API whose chat.update answers `updateError` (or ok); chat.postMessage always posts. */
  async function slackApi(updateError?: string) {
    const calls: Array<{ method: string; args: Record<string, string> }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const method = req.url!.replace(/^\/api\//, '');
        const args = Object.fromEntries(new URLSearchParams(body));
        calls.push({ method, args });
        res.setHeader('content-type', 'application/json');
        const failed = method === 'chat.update' && updateError;
        res.end(
          JSON.stringify(
            failed
              ? { ok: false, error: updateError }
              : {
                  ok: true,
                  channel: 'C0NEW',
                  ts: method === 'chat.postMessage' ? '1800000000.000002' : args.ts,
                },
          ),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    after(() => server.close());
    const { port } = server.address() as { port: number };
    return { apiUrl: `http://127.0.0.1:${port}/api/`, calls };
  }
  const resume = { channel: 'C0OLD', ts: '1700000000.000001' };
  const make = (apiUrl: string, warnings: string[]) =>
    slackBotSink({ ...sinkOptions(), channel: 'C0OLD', thread: true }, TOKEN, {
      apiUrl,
      timeoutMs: 2_000,
      closeSignal: closing.signal,
      resume,
      warn: (m) => warnings.push(m),
    });

  it('updates the resumed ts and replies under it once Slack took the update; names it for the next hand-off', async () => {
    const api = await slackApi();
    const warnings: string[] = [];
    const sink = make(api.apiUrl, warnings);
    assert.deepEqual(sink.message!(), resume, 'handed on even before anything is sent');
    await sink.send(line('reconcile takes over'), signal());
    assert.equal(api.calls.length, 0, 'a line waits until the message is known to be there');
    await sink.send(notifyItem('promoted'), signal());
    await sink.send(line('production: step 2'), signal());
    assert.deepEqual(
      api.calls.map((c) => [c.method, c.args.channel, c.args.ts ?? c.args.thread_ts]),
      [
        ['chat.update', 'C0OLD', resume.ts],
        ['chat.postMessage', 'C0OLD', resume.ts],
        ['chat.postMessage', 'C0OLD', resume.ts],
      ],
    );
    assert.deepEqual(sink.message!(), resume);
    assert.deepEqual(warnings, []);
  });

  for (const gone of ['message_not_found', 'channel_not_found', 'cant_update_message'])
    it(`Slack answers ${gone}: a new message with the lines that waited, and one warning`, async () => {
      const api = await slackApi(gone);
      const warnings: string[] = [];
      const sink = make(api.apiUrl, warnings);
      await sink.send(line('reconcile takes over'), signal());
      await sink.send(notifyItem('promoted'), signal());
      assert.deepEqual(
        api.calls.map((c) => [c.method, c.args.ts ?? c.args.thread_ts ?? 'new']),
        [
          ['chat.update', resume.ts],
          ['chat.postMessage', 'new'],
          ['chat.postMessage', '1800000000.000002'],
        ],
      );
      assert.equal(api.calls[2]!.args.text, 'reconcile takes over');
      assert.deepEqual(sink.message!(), { channel: 'C0NEW', ts: '1800000000.000002' });
      assert.deepEqual(warnings, [
        `notifications: slack channel "ops": the deployment's message is gone (${gone}); posting a new one`,
      ]);
    });

  it('any other refusal (not_authed, ratelimited) is a delivery error, never a second message', async () => {
    for (const code of ['not_authed', 'ratelimited']) {
      const api = await slackApi(code);
      const warnings: string[] = [];
      const error = await rejection(make(api.apiUrl, warnings).send(notifyItem('promoted'), signal()));
      assert.equal(error.message, `Slack: ${code}`);
      assert.deepEqual(
        api.calls.map((c) => c.method),
        ['chat.update'],
      );
      assert.deepEqual(warnings, []);
    }
  });
});

describe('webhook sinks', () => {
  it('the signed webhook: a new delivery id per request, event header, verified signature; the URL is in no error', async () => {
    const receiver = await webhookReceiver('s3cret');
    const broken = await failingReceiver();
    after(async () => Promise.all([receiver.close(), broken.close()]));
    const sink = signedWebhookSink(sinkOptions(), `${receiver.url}/x`, 's3cret');
    await sink.send(notifyItem('started'), signal());
    await sink.send(notifyItem('succeeded'), signal());
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
    const error = await rejection(
      webhookMessageSink(sinkOptions(), 'teams', url).send(notifyItem('failed'), signal()),
    );
    assert.equal(error.message, 'HTTP 500');
    assert.ok(!String(error.stack).includes('SECRETPATH'));
  });
});
