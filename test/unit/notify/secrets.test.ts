// A webhook URL is a secret as a whole and in its parts: a failing command that prints only its path, its
// host and path, or its token segment must not carry the secret into a Slack, Teams or webhook message, nor
// into a log line. Every channel kind, every form the URL is quoted in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { createNotifier } from '../../../src/notify/index.ts';
import { configWithChannels } from './helpers.ts';

const SLACK = 'https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/sLaCkToKeN0123456789abcd';
const TEAMS =
  'https://prod-01.westus.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TeAmSsIgNaTuRe_0123456789-abcdefghijklmnop';
const HOOK = 'https://example.test/hooks/deploy/gEnErIcToKeN0123456789';

const SECRET_PARTS = [
  'sLaCkToKeN0123456789abcd',
  'TeAmSsIgNaTuRe_0123456789-abcdefghijklmnop',
  '0123456789abcdef0123456789abcdef',
  'gEnErIcToKeN0123456789',
];

/** The ways a command's output may quote a URL. */
const forms = (url: string) => {
  const u = new URL(url);
  return [
    url,
    `${u.host}${u.pathname}${u.search}`,
    `${u.pathname}${u.search}`,
    u.pathname,
    u.pathname.split('/').at(-1)!,
    ...[...u.searchParams.values()],
  ];
};

const config = () =>
  configWithChannels([
    'slack: { type: slack, webhook_url_env: SLACK_URL }',
    'teams: { type: teams, webhook_url_env: TEAMS_URL }',
    'hook: { type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET }',
  ]);

describe('webhook URLs as secrets', () => {
  it('no part of a webhook URL reaches a message or a log, in any form a command prints it', async () => {
    const sent: string[] = [];
    const logs: string[] = [];
    const originalFetch = globalThis.fetch;
    globalThis.fetch = (async (_url: string, init: RequestInit) => {
      sent.push(String(init.body));
      return new Response('', { status: 500 });
    }) as typeof fetch;
    try {
      const created = createNotifier(
        config(),
        'production',
        {},
        {
          env: { SLACK_URL: SLACK, TEAMS_URL: TEAMS, HOOK_URL: HOOK, HOOK_SECRET: 'hmac-secret-value' },
          log: (level, message) => logs.push(`${level}: ${message}`),
        },
      );
      assert.ok(created);
      // ...and a credential the run never knew as a secret, by its shape (a push's URL with its token).
      const pushed = 'https://x-access-token:ghs_pUsHtOkEn0123456789abcdefghijklmn@github.com/acme/web.git';
      const printed = [...[SLACK, TEAMS, HOOK].flatMap(forms), pushed].join(' | ');
      const events: PipelineEvent[] = [
        { type: 'start', environment: 'production', version: 'v2', strategy: 'direct' },
        {
          type: 'result',
          result: {
            status: 'failed',
            code: 'strategy_failed',
            message: `curl failed: ${printed}`,
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
        },
      ];
      for (const event of events) created.reporter.event(event);
      await created.reporter.close?.();
      assert.ok(sent.length >= 6, `${sent.length} payloads`);
      assert.ok(sent.some((body) => body.includes('curl failed')));
      for (const text of [...sent, ...logs])
        for (const part of [...SECRET_PARTS, 'pUsHtOkEn0123456789'])
          assert.ok(!text.includes(part), `${part} in ${text.slice(0, 300)}`);
      // The caller masks the same values in the Actions log.
      for (const part of SECRET_PARTS)
        assert.ok(
          created.secrets.some((s) => s.includes(part)),
          `${part} is not among the secrets to mask`,
        );
    } finally {
      globalThis.fetch = originalFetch;
    }
  });
});

describe('a secret cut short before it reaches a message', () => {
  it("(a failing command's last line cut at 200 characters, then …) has its start masked too", async () => {
    const { redactor } = await import('../../../src/notify/reporter.ts');
    const secret = 'gEnErIcToKeN0123456789';
    const redact = redactor([secret]);
    // What run-command.ts makes of a long last line: its first 199 characters and `…`.
    const line = `${'x'.repeat(190)} ${secret} and more`;
    const reason = `deploy (node) exited with code 1: ${line.slice(0, 199)}…; the rollback completed`;
    const shown = redact(reason);
    assert.ok(!shown.includes(secret.slice(0, 8)), shown);
    assert.match(shown, / \*\*\*…; the rollback completed$/);
  });
});
