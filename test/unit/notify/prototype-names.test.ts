// A channel's secret is read from the environment variable the config names, which may be named like an
// Object.prototype property ("constructor", "toString"): when it is not set, the channel is off with the
// warning that says so. The process environment has Object.prototype behind it: such a variable found
// Object's function, a Slack channel posted with it as its token, and a URL's said "not an http(s) URL".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNotifier } from '../../../src/notify/index.ts';
import { configWithChannels } from './helpers.ts';

// The names a variable may have (letters, digits and _, not starting with a digit).
const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'].filter((n) => n !== '__proto__');

const config = (name: string) =>
  configWithChannels(
    [
      `bot: { type: slack, token_env: ${name}, channel: C0123ABCD }`,
      `slack: { type: slack, webhook_url_env: ${name} }`,
      `teams: { type: teams, webhook_url_env: ${name} }`,
      `hook: { type: webhook, url_env: ${name}, secret_env: ${name} }`,
    ],
    name,
  );

test('a channel whose variable is named like an Object.prototype property and not set is off, saying so', async () => {
  for (const name of NAMES)
    for (const env of [process.env, { OTHER: 'set' }]) {
      assert.equal(Object.hasOwn(env, name), false, `${name} is set in this process's environment`);
      const logs: string[] = [];
      const created = createNotifier(
        config(name),
        'production',
        {},
        { env, log: (level, message) => logs.push(`${level}: ${message}`) },
      );
      // No secret was read, none is sent anywhere.
      assert.deepEqual(created?.secrets, [], name);
      await created?.reporter.close?.();
      assert.deepEqual(
        logs,
        ['bot', 'slack', 'teams', 'hook', 'hook'].map(
          (channel) => `warn: notifications: channel "${channel}" is off: the variable ${name} is not set`,
        ),
        name,
      );
    }
});

test('a channel whose variable is named like an Object.prototype property and set reads it', async () => {
  for (const name of NAMES) {
    const created = createNotifier(
      config(name),
      'production',
      {},
      { env: { [name]: 'https://hooks.example.test/x', OTHER: 'set' }, log: () => {} },
    );
    assert.ok(created, name);
    assert.ok(created.secrets.includes('https://hooks.example.test/x'), name);
    await created.reporter.close?.();
  }
});
