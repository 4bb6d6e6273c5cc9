// The secrets a config names by its `*_env` keys are found wherever the config holds them, whatever the
// config named its environments, providers and channels: a name chosen by the config that ends in "_env"
// (an environment prod_env) is a name, not a key naming variables. Values made at test time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { configSecretValues } from '../../../src/config/env-secrets.ts';

const word = () => `planted${randomBytes(9).toString('hex')}`;

test('an environment or a provider named "..._env" still has the secrets its channels and headers_env name found', () => {
  const env = { T_SLACK_TOKEN: word(), T_PROM_AUTH: `Bearer ${word()}`, T_TOP_TOKEN: word() };
  const config = {
    notifications: { channels: { bot: { type: 'slack', token_env: 'T_TOP_TOKEN', channel: 'C1' } } },
    environments: {
      prod_env: {
        notifications: { channels: { bot: { type: 'slack', token_env: 'T_SLACK_TOKEN', channel: 'C1' } } },
        analysis: {
          providers: {
            metrics_env: {
              type: 'prometheus',
              url: 'https://prometheus.example.com',
              headers_env: { Authorization: 'T_PROM_AUTH' },
            },
          },
        },
      },
    },
  };
  const found = configSecretValues(config, env);
  for (const [name, value] of Object.entries(env)) assert.ok(found.includes(value), `${name} not found`);
});
