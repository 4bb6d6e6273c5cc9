// Which variables a deployment needs before it starts (config/needed-variables.ts): the headers_env
// variables of the providers its analysis reads, each named with the key that names it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { unsetNeededVariables, unsetVariablesRefusal } from '../../../src/config/needed-variables.ts';

const parsed = parseConfig(
  `
target:
  commands: { deploy: "true" }
analysis:
  providers:
    prom:
      type: prometheus
      url: "http://127.0.0.1:9"
      headers_env: { Authorization: NEEDED_AUTH, X-Scope-OrgID: NEEDED_TENANT }
    spare:
      type: prometheus
      url: "http://127.0.0.1:9"
      headers_env: { Authorization: SPARE_AUTH }
  metrics:
    errors: { provider: prom, query: 'sum(errors{version="{{version}}"})' }
  checks: [{ check: "errors < 5" }]
environments:
  production: {}
`,
  'deploy.yml',
);
assert.ok(parsed.ok, JSON.stringify(parsed));
const config = parsed.config;
const production = resolveEnvironment(config, 'production');

test('each unset or empty variable of a provider a metric reads, with its key path; an unread provider needs none', () => {
  assert.deepEqual(unsetNeededVariables(production, { NEEDED_TENANT: '' }), [
    { path: ['analysis', 'providers', 'prom', 'headers_env', 'Authorization'], variable: 'NEEDED_AUTH' },
    { path: ['analysis', 'providers', 'prom', 'headers_env', 'X-Scope-OrgID'], variable: 'NEEDED_TENANT' },
  ]);
  assert.deepEqual(unsetNeededVariables(production, { NEEDED_AUTH: 'x', NEEDED_TENANT: 'y' }), []);
});

test('the refusal names each key and variable once, never a value', () => {
  const message = unsetVariablesRefusal([production, production], { NEEDED_TENANT: 'tenant-value' });
  assert.ok(message);
  assert.equal(message.match(/NEEDED_AUTH/g)?.length, 1);
  assert.match(
    message,
    /analysis\.providers\.prom\.headers_env\.Authorization names NEEDED_AUTH, which is not set/,
  );
  assert.doesNotMatch(message, /tenant-value|NEEDED_TENANT|SPARE_AUTH/);
  assert.equal(
    unsetVariablesRefusal([production, undefined], { NEEDED_AUTH: 'a', NEEDED_TENANT: 'b' }),
    undefined,
  );
});

test('a provider only metrics no check reads use is never read: its variable is not needed (validate warns of the metric)', () => {
  const kept = parseConfig(
    `
target:
  commands: { deploy: "true" }
analysis:
  providers:
    prom:
      type: prometheus
      url: "http://127.0.0.1:9"
      headers_env: { Authorization: NEEDED_AUTH }
    probe: { type: http, url: "http://{{version}}.internal/health" }
  metrics:
    p95: { provider: probe }
    queue_depth: { provider: prom, query: 'sum(queue_depth{version="{{version}}"})' }
  checks: [{ check: "p95 < 2000" }]
environments:
  production: {}
`,
    'deploy.yml',
  );
  assert.ok(kept.ok, JSON.stringify(kept));
  assert.deepEqual(unsetNeededVariables(resolveEnvironment(kept.config, 'production'), {}), []);
});
