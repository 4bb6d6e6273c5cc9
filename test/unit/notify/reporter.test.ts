// The notifier as a Reporter: event() only queues (a hanging channel never holds up the pipeline), each
// channel's sends happen in order, a failing channel is one warning, close() is bounded, and secret values
// are in no payload and no log line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { NotificationMapper } from '../../../src/notify/mapping.ts';
import type { NotifyEvent, NotifyItem } from '../../../src/notify/model.ts';
import { notifier, redactor } from '../../../src/notify/reporter.ts';
import type { Sink } from '../../../src/notify/sinks.ts';
import { DeliveryError } from '../../../src/notify/transport.ts';
import { NOTIFY_EVENTS } from '../../../src/notify/model.ts';

const SECRET = 'xoxb-0000-SECRET-token';
const start: PipelineEvent = { type: 'start', environment: 'production', version: 'v2', strategy: 'direct' };
const failure = (message: string): PipelineEvent => ({
  type: 'result',
  result: {
    status: 'failed',
    code: 'verify_failed',
    message,
    environment: 'production',
    version: 'v2',
    strategy: 'direct',
    dryRun: false,
    phases: [],
    steps: [],
    decisions: [],
    rollbacks: [],
    startedAt: '',
    durationMs: 1,
    exitCode: 1,
  },
});

function sink(name: string, send: (item: NotifyItem, signal: AbortSignal) => Promise<void>): Sink {
  return { name, kind: 'webhook', events: new Set(NOTIFY_EVENTS), threads: true, send };
}

function setup(sinks: Sink[], closeTimeoutMs = 300, requestTimeoutMs = 200) {
  const logs: string[] = [];
  const reporter = notifier({
    sinks,
    mapper: new NotificationMapper({ who: `alice ${SECRET}` }),
    log: (level, message) => logs.push(`${level}: ${message}`),
    secrets: [SECRET],
    requestTimeoutMs,
    closeTimeoutMs,
  });
  return { reporter, logs };
}

describe('notifier', () => {
  // The timeouts given here are only the backstop against a hang: what is checked is how close() ended.
  it(
    'a channel that never answers: event() returns at once, close() is bounded, one warning',
    { timeout: 60_000 },
    async () => {
      let started = 0;
      const reasons: unknown[] = [];
      const hang = sink('hang', (_item, signal) => {
        started++;
        // Answers only when aborted, like a socket that never replies.
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason);
            reject(new DeliveryError('no answer in time', true));
          }),
        );
      });
      // close() ends here because the request's own timeout fired and the channel was then given up: had it
      // waited out its own 10 s bound instead, the warning would say so and the abort would not be a timeout.
      const { reporter, logs } = setup([hang], 10_000, 200);
      for (let i = 0; i < 50; i++) reporter.event(i === 0 ? start : failure(`f${i}`));
      // event() only queues: nothing is sent (nor waited for) before it returns.
      assert.equal(started, 0, 'event() must not wait for the channel');
      await reporter.close!();
      assert.equal(started, 1, 'a channel that timed out is not asked again');
      assert.equal(reasons.length, 1);
      assert.equal((reasons[0] as Error).name, 'TimeoutError', 'the request was ended by its own timeout');
      assert.equal(logs.length, 1, logs.join('\n'));
      assert.match(logs[0]!, /^warn: notifications: webhook channel "hang" failed: no answer within 0.2 s/);
    },
  );

  it(
    'closeBy (a cancelled job): close() gives up at that deadline, not its own bound, and says why',
    { timeout: 60_000 },
    async () => {
      // Each send answers within its own timeout, so the channel is never given up: only a bound ends close().
      const aborted: AbortSignal[] = [];
      const slow = sink(
        'slow',
        (_i, signal) =>
          new Promise((resolve) => {
            const timer = setTimeout(resolve, 4_000);
            signal.addEventListener('abort', () => {
              aborted.push(signal);
              clearTimeout(timer);
              resolve();
            });
          }),
      );
      const logs: string[] = [];
      const reporter = notifier({
        sinks: [slow],
        mapper: new NotificationMapper({}),
        log: (level, message) => logs.push(`${level}: ${message}`),
        secrets: [],
        requestTimeoutMs: 5_000,
        closeTimeoutMs: 20_000,
        closeBy: () => 50,
      });
      reporter.event(start);
      reporter.event(failure('f'));
      const began = performance.now();
      await reporter.close!();
      const tookMs = performance.now() - began;
      assert.ok(tookMs < 2_000, `close() took ${Math.round(tookMs)} ms: the deadline was not kept`);
      assert.equal(aborted.length, 1, 'the request in flight was stopped');
      assert.deepEqual(logs, [
        'warn: notifications: webhook channel "slow" failed: not delivered by the cancelled job\'s reporting deadline; the deployment goes on (further problems with this channel are not reported)',
      ]);
    },
  );

  it(
    'close() gives up at its total bound even when each request is within its own',
    { timeout: 60_000 },
    async (t) => {
      // Mocked timers: the sends (100 ms each, 20 of them: 2 s in all) and close()'s 250 ms bound run on the
      // test's clock, so what is checked is when close() ends on that clock, not how fast the machine is.
      t.mock.timers.enable({ apis: ['setTimeout'] });
      let started = 0;
      const aborted: AbortSignal[] = [];
      const slow = sink(
        'slow',
        (_i, signal) =>
          new Promise((resolve) => {
            started++;
            let done = false;
            const timer = setTimeout(() => {
              done = true;
              resolve();
            }, 100);
            signal.addEventListener('abort', () => {
              if (!done) aborted.push(signal);
              clearTimeout(timer);
              resolve();
            });
          }),
      );
      const { reporter, logs } = setup([slow], 250, 3_600_000);
      for (let i = 0; i < 20; i++) reporter.event(failure(`f${i}`));
      let ended = false;
      const closing = reporter.close!().then(() => (ended = true));
      const settle = () => new Promise((resolve) => setImmediate(resolve));
      await settle();
      for (let ms = 0; ms < 240; ms += 10) {
        t.mock.timers.tick(10);
        await settle();
      }
      assert.equal(ended, false, 'close() ended before its bound');
      assert.equal(started, 3, 'the sends in the first 240 ms: each is within its own timeout');
      t.mock.timers.tick(10);
      await closing;
      await settle();
      assert.equal(aborted.length, 1, 'the send in flight at the bound is aborted');
      assert.equal(started, 3, 'nothing is sent after the bound');
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, /not delivered within 0.25 s of the end/);
    },
  );

  it('a channel that fails every time is one warning; it is still tried (a later event may get through); the others are unaffected', async () => {
    let tries = 0;
    const delivered: string[] = [];
    const broken = sink('broken', async () => {
      tries++;
      throw new DeliveryError(`HTTP 500 for ${SECRET}`);
    });
    const good = sink('good', async (item) => {
      if (item.kind === 'notify') delivered.push(item.notification.event);
    });
    const { reporter, logs } = setup([broken, good]);
    reporter.event(start);
    reporter.event(failure('one'));
    reporter.event(failure('two'));
    await reporter.close!();
    assert.equal(tries, 3);
    assert.deepEqual(delivered, ['started', 'failed', 'failed']);
    assert.equal(logs.length, 1);
    assert.ok(!logs[0]!.includes(SECRET), logs[0]);
    assert.match(logs[0]!, /HTTP 500 for \*\*\*/);
  });

  it("sends a channel's messages one after the other, in order", async () => {
    const order: string[] = [];
    let busy = false;
    const serial = sink('serial', async (item) => {
      assert.equal(busy, false, 'two sends at once');
      busy = true;
      await new Promise((r) => setTimeout(r, 5));
      order.push(item.kind === 'notify' ? item.notification.event : 'thread');
      busy = false;
    });
    const { reporter } = setup([serial]);
    reporter.event(start);
    reporter.event({
      type: 'phase-end',
      record: { phase: 'production', status: 'succeeded', startedAt: '', durationMs: 1 },
    });
    reporter.event(failure('x'));
    await reporter.close!();
    assert.deepEqual(order, ['started', 'thread', 'failed']);
  });

  it('a secret value is in no payload: facts and thread lines are redacted', async () => {
    const seen: string[] = [];
    const spy = sink('spy', async (item) => void seen.push(JSON.stringify(item)));
    const { reporter } = setup([spy]);
    reporter.event(start);
    reporter.event({
      type: 'rollback-start',
      environment: 'production',
      reason: `curl -H "Bearer ${SECRET}" failed`,
      steps: [],
    });
    reporter.event(failure(`token ${SECRET} rejected`));
    await reporter.close!();
    assert.equal(seen.length, 3);
    for (const s of seen) assert.ok(!s.includes(SECRET), s);
    assert.ok(seen.some((s) => s.includes('Bearer ***')));
  });

  it('a secret where a long value is cut leaves no part of it behind', async () => {
    const seen: string[] = [];
    const spy = sink('spy', async (item) => void seen.push(JSON.stringify(item)));
    const { reporter } = setup([spy]);
    reporter.event(start);
    // The result's message is cut to 1,000 characters and a thread line to 2,500: the secret straddles each
    // cut, so cutting first and redacting after kept its first characters ("xoxb-0000-SE…").
    reporter.event({
      type: 'rollback-start',
      environment: 'production',
      reason: `${'r'.repeat(2470)}${SECRET}`,
      steps: [],
    });
    reporter.event(failure(`${'m'.repeat(990)}${SECRET} rejected`));
    await reporter.close!();
    const prefix = SECRET.slice(0, 8);
    for (const s of seen) assert.ok(!s.includes(prefix), s.slice(-200));
    assert.ok(seen.some((s) => s.includes(`${'m'.repeat(10)}***`)));
  });

  it('a secret shorter than 4 characters is in no payload where it stands as a whole token', async () => {
    const seen: string[] = [];
    const spy = sink('spy', async (item) => void seen.push(JSON.stringify(item)));
    const reporter = notifier({
      sinks: [spy],
      mapper: new NotificationMapper({ who: 'k9$' }),
      log: () => {},
      secrets: ['k9$', 'Q7'],
      requestTimeoutMs: 200,
      closeTimeoutMs: 300,
    });
    reporter.event(start);
    reporter.event({
      type: 'rollback-start',
      environment: 'production',
      reason: 'hmac key Q7 rejected (Q7)',
      steps: [],
    });
    reporter.event(failure('signing with k9$ failed: https://hooks.example/Q7/x'));
    await reporter.close!();
    assert.equal(seen.length, 3);
    for (const s of seen) assert.doesNotMatch(s, /k9\$|(?<![\p{L}\p{N}_])Q7(?![\p{L}\p{N}_])/u, s);
    assert.ok(seen.some((s) => s.includes('hmac key *** rejected (***)')));
    assert.ok(seen.some((s) => s.includes('signing with *** failed: https://hooks.example/***/x')));
    assert.ok(seen.some((s) => s.includes('"who":"***"')));
  });

  it('a short secret inside a word is left alone; a longer one is taken out wherever it is', () => {
    const redact = redactor(['Q7', 'a.b', 'LONGSECRET']);
    assert.equal(redact('Q7X Q77 xQ7 Q7_1 Q7'), 'Q7X Q77 xQ7 Q7_1 ***');
    assert.equal(redact('axb a.b a.bc'), 'axb *** a.bc', 'a regex character in a secret is itself');
    assert.equal(redact('xLONGSECRETx'), 'x***x');
    assert.equal(redactor([''])('nothing to hide'), 'nothing to hide');
  });

  it('channels get only their events; thread lines only where they thread', async () => {
    const got: string[] = [];
    const picky: Sink = {
      ...sink(
        'picky',
        async (item) => void got.push(item.kind === 'notify' ? item.notification.event : 'thread'),
      ),
      events: new Set(['failed']),
      threads: false,
    };
    const { reporter } = setup([picky]);
    reporter.event(start);
    reporter.event({
      type: 'phase-end',
      record: { phase: 'verify', status: 'failed', startedAt: '', durationMs: 1 },
    });
    reporter.event(failure('x'));
    await reporter.close!();
    assert.deepEqual(got, ['failed']);
  });

  it('delivered(): true once every channel answered; false when one failed, or is still going at the close bound', async () => {
    const ok = setup([sink('ok', async () => {})]);
    ok.reporter.event(start);
    ok.reporter.event(failure('f'));
    assert.equal(await ok.reporter.delivered!(), true);

    const failing = setup([
      sink('ok', async () => {}),
      sink('down', async () => {
        throw new DeliveryError('HTTP 502');
      }),
    ]);
    failing.reporter.event(failure('f'));
    assert.equal(await failing.reporter.delivered!(), false);

    // Cut: still in flight when close() would give up (a cancelled job's reporting deadline).
    let answer: (() => void) | undefined;
    const slow = setup([sink('slow', () => new Promise<void>((resolve) => (answer = resolve)))], 100, 5_000);
    slow.reporter.event(failure('f'));
    assert.equal(await slow.reporter.delivered!(), false);
    answer?.();
    await slow.reporter.close!();
  });
});

describe("notifier: the delayed hook's events", () => {
  const hook = (detail: string): PipelineEvent => ({
    type: 'after-success',
    record: {
      environment: 'production',
      version: 'v2',
      label: 'hooks.after_success',
      ok: false,
      code: 'exit',
      exitCode: 2,
      detail,
      durationMs: 5,
    },
  });

  it('what failed reaches no channel with a secret or a credential in it', async () => {
    const seen: string[] = [];
    const { reporter } = setup([sink('spy', async (item) => void seen.push(JSON.stringify(item)))]);
    reporter.event(hook(`exited with code 2: psql postgres://migrator:Zq8vT2mLx9pR@db/app: token ${SECRET}`));
    await reporter.close!();
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /"event":"after_success_failed"/);
    assert.ok(!seen[0]!.includes(SECRET), seen[0]);
    assert.ok(!seen[0]!.includes('Zq8vT2mLx9pR'), seen[0]);
    assert.match(seen[0]!, /token \*\*\*/);
  });

  it("a channel's events choose them like any other: one without them gets nothing", async () => {
    const got: string[] = [];
    const only = (name: string, events: string[]): Sink => ({
      ...sink(
        name,
        async (item) => void got.push(`${name}:${item.kind === 'notify' && item.notification.event}`),
      ),
      events: new Set(events as NotifyEvent[]),
    });
    const { reporter } = setup([
      only('deploys', ['failed', 'succeeded']),
      only('oncall', ['after_success_failed']),
    ]);
    reporter.event(hook('exited with code 2'));
    await reporter.close!();
    assert.deepEqual(got, ['oncall:after_success_failed']);
  });
});
