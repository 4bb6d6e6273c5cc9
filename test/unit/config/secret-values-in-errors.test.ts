// A header's or a variable's value is often a credential (an API key, a password): a config error about it
// says what kind of value it is and where, never the value, in the text and in `validate --json`. Each value
// is made at test time.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';

test("a long number where a header's or a variable's text belongs is refused without its value; a short one is shown", () => {
  // Digits only: a numeric API key YAML reads as a number.
  const key = String(randomInt(10 ** 11, 10 ** 12));
  const result = parseConfig(
    `target:
  commands:
    deploy: { run: ["./deploy.sh"], env: { API_KEY: ${key}, FLAG: true } }
analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090/", headers: { X-Api-Key: ${key} } }
    script: { type: command, run: ["./m.sh"], env: { TOKEN: ${key} } }
  metrics:
    m: { provider: prom, query: "x" }
  checks:
    - check: "m < 1"
environments:
  production: {}
`,
    'deploy.yml',
  );
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  const text = errors.map(formatConfigError).join('\n');
  for (const where of ['env.API_KEY', 'env.FLAG', 'headers.X-Api-Key', 'env.TOKEN'])
    assert.ok(text.includes(where), `${where} is named: ${text}`);
  assert.match(text, /expected a string, got a number \(not shown: it may be a credential\)/);
  assert.ok(!text.includes(key), text);
  // Shorter than a secret can be: shown, so the author sees what YAML read.
  assert.match(text, /env\.FLAG: expected a string, got the boolean true/);
  assert.ok(!JSON.stringify(errors).includes(key), 'the --json errors carry the value');
});

test('an environment or a channel named env or headers has its values shown; a header under a provider named env is not', () => {
  const key = String(randomInt(10 ** 11, 10 ** 12));
  const shown = String(randomInt(10 ** 11, 10 ** 12));
  const result = parseConfig(
    `target:
  commands:
    deploy: ["./deploy.sh"]
notifications:
  channels:
    headers: { type: webhook, url_env: ${shown}1, secret_env: AUDIT_SECRET }
analysis:
  providers:
    env: { type: prometheus, url: "http://127.0.0.1:9090/", headers: { X-Api-Key: ${key} } }
  metrics:
    m: { provider: env, query: "x" }
  checks:
    - check: "m < 1"
environments:
  env: { url: ${shown}2 }
  headers: { url: ${shown}3 }
`,
    'deploy.yml',
  );
  assert.equal(result.ok, false);
  const text = result.ok ? '' : result.errors.map(formatConfigError).join('\n');
  // The field's role, not a name the config chose, says whether the value may be a credential.
  assert.match(
    text,
    new RegExp(`notifications\\.channels\\.headers\\.url_env: expected a string, got the number ${shown}1`),
  );
  assert.match(text, new RegExp(`environments\\.env\\.url: expected a string, got the number ${shown}2`));
  assert.match(text, new RegExp(`environments\\.headers\\.url: expected a string, got the number ${shown}3`));
  assert.match(
    text,
    /analysis\.providers\.env\.headers\.X-Api-Key: expected a string, got a number \(not shown/,
  );
  assert.ok(!text.includes(key), text);
});

test('a headers or env field written as text, not a mapping, is refused without its text', () => {
  const token = `Bearer t${randomInt(10 ** 11, 10 ** 12)}`;
  const url = `postgres://app:p${randomInt(10 ** 11, 10 ** 12)}@db.internal/app`;
  const result = parseConfig(
    `target:
  env: "DATABASE_URL=${url}"
  commands:
    deploy: ["./deploy.sh"]
analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090/", headers: "Authorization: ${token}" }
  metrics:
    m: { provider: prom, query: "x" }
  checks:
    - check: "m < 1"
environments:
  env: { url: 42 }
`,
    'deploy.yml',
  );
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  const text = errors.map(formatConfigError).join('\n');
  assert.match(text, /target\.env: expected a mapping, got a string \(not shown: it may be a credential\)/);
  assert.match(
    text,
    /analysis\.providers\.prom\.headers: expected a mapping, got a string \(not shown: it may be a credential\)/,
  );
  // An environment named env is a name, not the field: what it holds is shown as written.
  assert.match(text, /environments\.env\.url: expected a string, got the number 42/);
  for (const secret of [token.slice(7), url.split('@')[0]!.split(':p')[1]!])
    assert.ok(!JSON.stringify(errors).includes(secret), `${secret} is shown: ${text}`);
});
