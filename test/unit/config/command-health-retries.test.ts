// A command health check written as an object takes `retries` and `interval`, as an HTTP check does. It was
// refused with "unknown key "retries" (allowed here: ..., retries, ...)", a message that named the key it refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';

const config = (health: string) =>
  `target:\n  commands:\n    deploy: ./deploy.sh {{version}}\nenvironments:\n  production:\n    health:\n${health}`;

test("a command health check's retries and interval are its own; the command is the rest", () => {
  const parsed = parseConfig(
    config(
      '      - { run: "./check.sh {{version}}", retries: 0, interval: 5s, timeout: 20s }\n      - ./other.sh\n',
    ),
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const [own, plain] = resolveEnvironment(parsed.config, 'production').health;
  assert.equal(own!.kind, 'command');
  assert.equal(own!.retries, 0);
  assert.equal(own!.intervalMs, 5_000);
  assert.equal(own!.kind === 'command' && own!.command.timeoutMs, 20_000);
  assert.doesNotMatch(JSON.stringify(own!.kind === 'command' && own!.command), /retries|interval/);
  // Not written: the preset's, as for an HTTP check.
  assert.equal(plain!.retries, 3);
  assert.equal(plain!.intervalMs, 2_000);
});

test('a command check still refuses what no check takes, naming it', () => {
  const parsed = parseConfig(config('      - { run: "./check.sh", retry: 2 }\n'), 'deploy.yml');
  assert.equal(parsed.ok, false);
  assert.match(JSON.stringify(!parsed.ok && parsed.errors), /retry/);
  const negative = parseConfig(config('      - { run: "./check.sh", retries: -1 }\n'), 'deploy.yml');
  assert.equal(negative.ok, false);
});
