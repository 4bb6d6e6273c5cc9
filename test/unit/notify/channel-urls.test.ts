// A channel's URL variable that holds a URL no request can be made to (a user name or password in it, which
// fetch refuses to send; a port out of range) turns the channel off at the start with a warning that names the
// variable and what is wrong, never the URL. Before, isHttpUrl let it through and every event failed as
// "request failed", which says neither what nor where.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNotifier } from '../../../src/notify/index.ts';
import { configWithChannels } from './helpers.ts';

const config = () =>
  configWithChannels([
    'hook: { type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET }',
    'teams: { type: teams, webhook_url_env: TEAMS_URL }',
  ]);

test('a URL with a user name or password, or one that does not parse, turns its channel off, saying why', async () => {
  const cases: Array<[string, RegExp]> = [
    ['https://deployer:CHANNELPASSWORD@hooks.example.test/in', /user name or password/],
    ['https://CHANNELUSERONLY@hooks.example.test/in', /user name or password/],
    ['https://hooks.example.test:99999/CHANNELPATHSECRET', /does not hold an http\(s\) URL/],
  ];
  for (const [url, why] of cases) {
    const logs: string[] = [];
    const created = createNotifier(
      config(),
      'production',
      {},
      {
        env: { HOOK_URL: url, HOOK_SECRET: 'hmac-key', TEAMS_URL: url },
        log: (level, message) => logs.push(`${level}: ${message}`),
      },
    );
    await created?.reporter.close?.();
    assert.equal(logs.length, 2, `${url}: ${logs.join('\n')}`);
    for (const [line, channel, variable] of [
      [logs[0]!, 'hook', 'HOOK_URL'],
      [logs[1]!, 'teams', 'TEAMS_URL'],
    ] as const) {
      assert.ok(line.startsWith(`warn: notifications: channel "${channel}" is off: ${variable} `), line);
      assert.match(line, why);
      assert.ok(!/CHANNEL(PASSWORD|USERONLY|PATHSECRET)/.test(line), `the URL is in: ${line}`);
    }
    // Still masked: it was read.
    assert.ok(created?.secrets.includes(url), url);
  }
});
