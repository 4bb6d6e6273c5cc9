// The timeout tuning variables (docs/notifications.md, for tests against loopback receivers) take whole
// milliseconds only: a negative or malformed value is the default, never a timeout that fails every send
// (AbortSignal.timeout throws on a negative or infinite delay) or one past a timer's range (node runs it at
// once, so close() gave up before anything was sent).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNotifier } from '../../../src/notify/index.ts';
import { configWithChannels } from './helpers.ts';

const config = () =>
  configWithChannels(['hook: { type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET }']);

describe('notification timeouts from the environment', () => {
  for (const bad of ['-1', 'Infinity', '1e12', ' '])
    it(`DEPLOY_ACTION_NOTIFY_TIMEOUT_MS=${JSON.stringify(bad)} is the default: the channel is still sent to`, async () => {
      const sent: string[] = [];
      const logs: string[] = [];
      const originalFetch = globalThis.fetch;
      globalThis.fetch = (async (_url: string, init: RequestInit) => {
        sent.push(String(init.body));
        return new Response('', { status: 200 });
      }) as typeof fetch;
      try {
        const created = createNotifier(
          config(),
          'production',
          {},
          {
            env: {
              HOOK_URL: 'http://127.0.0.1:9/hook',
              HOOK_SECRET: 'hmac-secret-value',
              DEPLOY_ACTION_NOTIFY_TIMEOUT_MS: bad,
              DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS: bad,
            },
            log: (level, message) => logs.push(`${level}: ${message}`),
          },
        );
        assert.ok(created);
        created.reporter.event({
          type: 'start',
          environment: 'production',
          version: 'v2',
          strategy: 'direct',
        });
        await created.reporter.close?.();
        assert.deepEqual(logs, []);
        assert.equal(sent.length, 1);
        assert.equal(JSON.parse(sent[0]!).event, 'started');
      } finally {
        globalThis.fetch = originalFetch;
      }
    });
});
