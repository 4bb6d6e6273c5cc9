// Configs that were accepted and then did harm at deploy time, or that made validation itself misbehave:
// each is refused by `validate` with one clean, located line.
import assert from 'node:assert/strict';
import { setImmediate } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { CONFIG_LIMITS } from '../../../src/config/limits.ts';
import { accepts, errorsOf, TARGET } from '../../helpers/config-text.ts';

describe('names that must identify one thing each', () => {
  it('refuses two slots of the same name, shared or per environment, blue-green or canary', () => {
    assert.deepEqual(
      errorsOf(
        `${TARGET}strategies:\n  blue-green:\n    slots: [blue, blue]\nenvironments:\n  production: { strategy: blue-green }\n`,
      ),
      [
        'deploy.yml:8:19: strategies.blue-green.slots[1]: slot "blue" is listed twice (also at [0]): each slot needs its own name',
      ],
    );
    assert.deepEqual(
      errorsOf(`${TARGET}environments:\n  production:\n    strategy: { type: canary, slots: [a, a] }\n`),
      [
        'deploy.yml:8:42: environments.production.strategy.slots[1]: slot "a" is listed twice (also at [0]): each slot needs its own name',
      ],
    );
    accepts(`${TARGET}environments:\n  production:\n    strategy: { type: canary, slots: [a, b] }\n`);
  });

  it('refuses an instance listed twice, at the repeated entry', () => {
    assert.deepEqual(
      errorsOf(
        `${TARGET}environments:\n  production:\n    strategy: { type: rolling, instances: [web-1, web-2, web-1] }\n`,
      ),
      [
        'deploy.yml:8:58: environments.production.strategy.instances[2]: instance "web-1" is listed twice (also at [0]): each instance needs its own name',
      ],
    );
  });
});

describe('durations are bounded by what they mean', () => {
  const env = (fields: string) => `${TARGET}environments:\n  production:\n${fields}`;
  it('refuses durations beyond Node timers, or beyond the field’s own maximum, with the value and the limit', () => {
    assert.deepEqual(errorsOf(env('    monitor: 999999999999h\n')), [
      'deploy.yml:8:14: environments.production.monitor: "999999999999h" is too long: at most 7d here',
    ]);
    assert.deepEqual(errorsOf(env('    monitor: 30d\n')), [
      'deploy.yml:8:14: environments.production.monitor: "30d" is too long: at most 7d here',
    ]);
    assert.deepEqual(errorsOf(env('    smoke: { run: ./smoke.sh, timeout: 25h }\n')), [
      'deploy.yml:8:40: environments.production.smoke.timeout: "25h" is too long: at most 24h here',
    ]);
    assert.deepEqual(errorsOf(env('    health: { url: "http://x/health", interval: 2h }\n')), [
      'deploy.yml:8:49: environments.production.health.interval: "2h" is too long: at most 1h here',
    ]);
    assert.deepEqual(errorsOf(env('    gates:\n      secrets: { timeout: 30d }\n')), [
      'deploy.yml:9:27: environments.production.gates.secrets.timeout: "30d" is too long: at most 24h here',
    ]);
    // The section's timeout is every gate's default one, so it has the gate's bound.
    assert.deepEqual(errorsOf(env('    gates:\n      timeout: 2d\n      secrets: {}\n')), [
      'deploy.yml:9:16: environments.production.gates.timeout: "2d" is too long: at most 24h here',
    ]);
    assert.deepEqual(errorsOf(env('    strategy: { type: canary, steps: [{ weight: 10, pause: 25d }] }\n')), [
      'deploy.yml:8:60: environments.production.strategy.steps[0].pause: "25d" is too long: at most 24h here',
    ]);
    accepts(env('    monitor: 7d\n    smoke: { run: ./smoke.sh, timeout: 24h }\n'));
  });

  it('no duration anywhere in the schema can exceed the largest delay Node timers can wait', () => {
    // Every field takes at most 2^31 - 1 ms: the largest whole hours above it are refused everywhere.
    const text = JSON.stringify(
      errorsOf(`${TARGET}environments:\n  production:\n    monitor_interval: 597h\n`),
    );
    assert.match(text, /too long/);
  });
});

describe('what can be known before a deployment starts is checked by validate', () => {
  const env = (fields: string) => `${TARGET}environments:\n  production:\n${fields}`;
  it('refuses a health check body that is not a regular expression', () => {
    assert.deepEqual(errorsOf(env('    health: { url: "http://x/health", body: "ok(" }\n')), [
      'deploy.yml:8:45: environments.production.health.body: is not a valid regular expression: Invalid regular expression: /ok(/: Unterminated group',
    ]);
    accepts(env('    health: { url: "http://x/health", body: "^ok( v\\\\d+)?$" }\n'));
  });

  it('refuses percentages above 100% for max_surge and max_unavailable', () => {
    assert.deepEqual(
      errorsOf(
        env('    strategy: { type: rolling, instances: 4, max_unavailable: "150%", max_surge: "101%" }\n'),
      ),
      [
        'deploy.yml:8:63: environments.production.strategy.max_unavailable: a percentage must be from 0% to 100%',
        'deploy.yml:8:82: environments.production.strategy.max_surge: a percentage must be from 0% to 100%',
      ],
    );
    accepts(env('    strategy: { type: rolling, instances: 4, max_unavailable: "100%", max_surge: "0%" }\n'));
  });

  it('refuses URLs that are not http or https: the environment URL, health checks, the warm-up', () => {
    assert.deepEqual(errorsOf(env('    url: "javascript:alert(1)"\n')), [
      'deploy.yml:8:10: environments.production.url: must be an http:// or https:// URL',
    ]);
    assert.deepEqual(errorsOf(env('    url: "file:///etc/passwd"\n')), [
      'deploy.yml:8:10: environments.production.url: must be an http:// or https:// URL',
    ]);
    assert.match(
      errorsOf(env('    health: { url: "javascript:alert(1)" }\n')).join('\n'),
      /health\.url: must be an http/,
    );
    assert.deepEqual(
      errorsOf(env('    strategy: { type: blue-green, warmup: { url: "ftp://{{slot}}/" } }\n')),
      [
        'deploy.yml:8:50: environments.production.strategy.warmup.url: must be an http:// or https:// URL (templates allowed)',
      ],
    );
    accepts(
      env(
        '    url: https://example.com\n    strategy: { type: blue-green, warmup: { url: "http://{{slot}}:8080/" } }\n',
      ),
    );
  });
});

describe('a misspelt required key is named, with the key it should be', () => {
  it('names "tpye" and suggests "type" where the strategy is written', () => {
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  production:\n    strategy:\n      tpye: canary\n`), [
      'deploy.yml:9:7: environments.production.strategy.tpye: unknown key "tpye": did you mean "type"? (missing required key "type" (one of "direct", "rolling", "blue-green" or "canary"))',
    ]);
  });
});

describe('every message is one clean line; nothing else is printed', () => {
  it('a key that is a mapping or a list is refused without a warning of the YAML library', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const originalWarn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const errors = errorsOf(
        `${TARGET}environments:\n  ? [a, b]\n  : {}\n  production:\n    variables:\n      ? { x: 1 }\n      : y\n`,
      );
      assert.deepEqual(errors, [
        'deploy.yml:7:5: environments: a key must be a plain value, not a mapping or a list',
        'deploy.yml:11:9: environments.production.variables: a key must be a plain value, not a mapping or a list',
      ]);
      await setImmediate();
    } finally {
      process.off('warning', onWarning);
      console.warn = originalWarn;
    }
    assert.deepEqual(warnings, []);
  });

  it('control characters in echoed keys and values are escaped', () => {
    const errors = errorsOf(
      `${TARGET}environments:\n  production:\n    "evil\\nkey\\u001b[31m": 1\n    strategy: "bad\\rvalue"\n`,
    );
    assert.ok(errors.length >= 2);
    for (const error of errors) {
      assert.doesNotMatch(error, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, JSON.stringify(error));
      assert.match(error, /^deploy\.yml:\d+:\d+: /);
    }
    assert.ok(
      errors.some((e) => e.includes('unknown key "evil\\nkey\\u001b[31m"')),
      errors.join('\n'),
    );
  });
});

describe('the size of the input is capped with a clear error', () => {
  it('refuses a file over the size limit before parsing it', () => {
    const text = `${TARGET}environments:\n  production: {}\n# ${'x'.repeat(CONFIG_LIMITS.bytes)}\n`;
    assert.deepEqual(errorsOf(text), [
      `deploy.yml:1:1: the config is ${Buffer.byteLength(text)} bytes; at most ${CONFIG_LIMITS.bytes} are read (a deploy config is a few kilobytes)`,
    ]);
  });

  it('5 MB of "[" and deep nesting within the size limit give a clean error, not a heap abort', () => {
    const tooDeep = `lists and mappings are nested more than ${CONFIG_LIMITS.depth} deep; a deploy config needs fewer than 10 levels`;
    assert.deepEqual(errorsOf('['.repeat(5 * 1024 * 1024)), [
      `deploy.yml:1:1: the config is ${5 * 1024 * 1024} bytes; at most ${CONFIG_LIMITS.bytes} are read (a deploy config is a few kilobytes)`,
    ]);
    assert.deepEqual(errorsOf('['.repeat(CONFIG_LIMITS.bytes)), [
      `deploy.yml:1:${CONFIG_LIMITS.depth + 1}: ${tooDeep}`,
    ]);
    assert.deepEqual(errorsOf(`a: ${'{b: '.repeat(100)}1${'}'.repeat(100)}\n`), [
      `deploy.yml:1:${4 + 4 * CONFIG_LIMITS.depth}: ${tooDeep}`,
    ]);
    // Block nesting, which no bracket counts.
    const block = Array.from({ length: CONFIG_LIMITS.depth + 2 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    const errors = errorsOf(`${block} 1\n`);
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]!,
      new RegExp(`^deploy\\.yml:\\d+:\\d+: (k\\.)*k: ${tooDeep.replace(/[.()]/g, '\\$&')}$`),
    );
    // At the limit it is not the nesting that is refused.
    assert.doesNotMatch(
      errorsOf(`a: ${'['.repeat(CONFIG_LIMITS.depth - 1)}${']'.repeat(CONFIG_LIMITS.depth - 1)}\n`).join(
        '\n',
      ),
      /nested/,
    );
  });

  it('refuses more nodes than the limit, and names the limit', () => {
    const items = Array.from({ length: CONFIG_LIMITS.nodes }, () => '1').join(',');
    assert.deepEqual(errorsOf(`${TARGET}environments: {}\nx: [${items}]\n`), [
      `deploy.yml:7:4: x: the config has more than ${CONFIG_LIMITS.nodes} keys, values and list items; a deploy config has a few hundred`,
    ]);
  });

  it('validates 10,000 environments chained by staging, and reports 10,000 errors, in one pass each', () => {
    // Bounded work per entry (no timing asserted here; bench/config.ts measures it): a chain of staging
    // environments was walked again from each member, and a duplicate-key check compared every pair.
    const n = 10_000;
    const chained = Array.from({ length: n }, (_, i) => `  e${i}: { staging: e${i + 1} }\n`).join('');
    accepts(`${TARGET}environments:\n${chained}  e${n}: {}\n`);
    const cycle = `${TARGET}environments:\n${chained}  e${n}: { staging: e0 }\n`;
    const errors = errorsOf(cycle);
    assert.equal(errors.length, 1);
    assert.deepEqual(errors, [
      `deploy.yml:7:18: environments.e0.staging: staging environments form a cycle: e0 -> e1 -> e2 -> e3 -> e4 -> ... -> e9999 -> e${n} -> e0 (${n + 1} environments)`,
    ]);
    const typos = Array.from({ length: n }, (_, i) => `  e${i}: { tpye: x }\n`).join('');
    assert.equal(errorsOf(`${TARGET}environments:\n${typos}`).length, n);
  });
});
