// Every name a config's author chooses (an environment, a variable and its {{use}}, a metric, a provider, a
// check, a channel, an instance or slot, an unknown key, a value where a word is expected) may be one of
// Object.prototype's ("constructor", "toString", "__proto__"): the config is then accepted and deploys as
// with any other name, or refused with the place and the name, never a TypeError. Found safe when swept (the
// keys and lookups were made own-keys-only before); kept so that it stays so.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';

// Nothing recorded: the plan reads no state of this checkout.
const NO_STATE = join(tmpdir(), 'deploy-action-prototype-names-no-state');
const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

const T = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
`;
const PROD = 'environments:\n  production: {}\n';
const metrics = (metric: string, provider: string, check: string) => `analysis:
  providers:
    ${provider}: { type: prometheus, url: http://prometheus:9090 }
  metrics:
    ${metric}: { provider: ${provider}, query: 'sum(x{v="{{version}}"})' }
  checks:
    - { name: ${check}, check: "${metric} < 1%" }
    - { compare: values, metric: ${metric} }
`;

/** Each slot a name goes in, as a whole config. */
const SLOTS: Record<string, (n: string) => string> = {
  'an environment': (n) => `${T}environments:\n  ${n}: {}\n`,
  'a staging environment': (n) => `${T}environments:\n  ${n}: {}\n  production:\n    staging: ${n}\n`,
  'an unknown staging': (n) => `${T}environments:\n  production:\n    staging: ${n}\n`,
  'approvals.requires': (n) =>
    `${T}environments:\n  staging: {}\n  production:\n    approvals:\n      requires: ${n}\n`,
  'a variable and its use': (n) =>
    `target:\n  commands:\n    deploy: ./d.sh {{version}} {{${n}}}\nenvironments:\n  production:\n    variables:\n      ${n}: value\n`,
  'an undeclared template variable': (n) => `target:\n  commands:\n    deploy: ./d.sh {{${n}}}\n${PROD}`,
  'a template in a shell script': (n) =>
    `target:\n  commands:\n    deploy: { run: "./d.sh {{${n}}}", shell: true }\n${PROD}`,
  "a command's env name": (n) =>
    `target:\n  commands:\n    deploy: { run: ./d.sh, env: { ${n}: x } }\n${PROD}`,
  'a rolling instance': (n) =>
    `${T}environments:\n  production:\n    strategy: { type: rolling, instances: [${n}, b] }\n`,
  'a blue-green slot': (n) =>
    `${T}environments:\n  production:\n    strategy: { type: blue-green, slots: [${n}, b] }\n`,
  'a rollback hook': (n) =>
    `${T}environments:\n  production:\n    hooks:\n      on_rollback: [{ name: ${n}, run: ./r.sh }]\n`,
  'a metric': (n) => `${T}${metrics(n, 'prom', 'c')}${PROD}`,
  'a provider': (n) => `${T}${metrics('m', n, 'c')}${PROD}`,
  'a check name': (n) => `${T}${metrics('m', 'prom', n)}${PROD}`,
  'an undefined metric in a check': (n) => `${T}analysis:\n  checks:\n    - check: "${n} < 1%"\n${PROD}`,
  "a metric's unknown provider": (n) =>
    `${T}analysis:\n  metrics:\n    m: { provider: ${n}, query: x }\n${PROD}`,
  'a query template': (n) =>
    `${T}analysis:\n  providers:\n    p: { type: prometheus, url: http://x }\n  metrics:\n    m: { provider: p, query: 'x{a="{{${n}}}"}' }\n${PROD}`,
  "a prober's field": (n) =>
    `${T}analysis:\n  providers:\n    p: { type: http, url: "http://x/" }\n  metrics:\n    m: { provider: p, field: ${n} }\n${PROD}`,
  'a channel': (n) =>
    `${T}notifications:\n  channels:\n    ${n}: { type: teams, webhook_url_env: X }\nenvironments:\n  production:\n    notifications:\n      channels:\n        ${n}: false\n`,
  'a channel turned off, not defined': (n) =>
    `${T}environments:\n  production:\n    notifications:\n      channels:\n        ${n}: false\n`,
  'a notification placeholder': (n) =>
    `${T}notifications:\n  templates:\n    started: { title: "{{${n}}}" }\n${PROD}`,
  'an unknown top-level key': (n) => `${T}${n}: 1\n${PROD}`,
  "an environment's unknown key": (n) => `${T}environments:\n  production:\n    ${n}: 1\n`,
  'an unknown gate': (n) => `${T}gates:\n  ${n}: {}\n${PROD}`,
  'an unknown strategy': (n) => `${T}strategies:\n  ${n}: {}\n${PROD}`,
  "an analysis' unknown key": (n) => `${T}analysis:\n  ${n}: 1\n${PROD}`,
  'a strategy': (n) => `${T}environments:\n  production:\n    strategy: ${n}\n`,
  'a preset': (n) => `preset: ${n}\n${T}${PROD}`,
  'a duration unit': (n) => `${T}environments:\n  production:\n    monitor: 5${n}\n`,
  'a size unit': (n) => `${T}gates:\n  build:\n    budgets: [{ path: x, max: 5${n} }]\n${PROD}`,
  'a severity': (n) => `${T}gates:\n  audit:\n    severity: ${n}\n${PROD}`,
  'a time zone': (n) => `${T}approvals:\n  timezone: ${n}\n${PROD}`,
  'a day': (n) => `${T}approvals:\n  windows:\n    - { days: [${n}], start: "10:00", end: "12:00" }\n${PROD}`,
};

test('a name like an Object.prototype property in any slot of the config is accepted and planned, or refused there', () => {
  const counts = { accepted: 0, refused: 0 };
  for (const [slot, config] of Object.entries(SLOTS))
    for (const name of NAMES) {
      const what = `${slot}: ${name}`;
      let result: ReturnType<typeof parseConfig>;
      assert.doesNotThrow(() => (result = parseConfig(config(name), 'deploy.yml')), what);
      if (!result!.ok) {
        counts.refused++;
        const errors = result!.errors.map(formatConfigError);
        // Where, and what: each error has a line and a field path, and one of them names the name.
        for (const error of errors) assert.match(error, /^deploy\.yml:\d+:\d+: /, what);
        assert.ok(
          errors.some((e) => e.includes(name)),
          `${what}: ${errors.join('\n')}`,
        );
        continue;
      }
      counts.accepted++;
      const accepted = result!.config;
      for (const environment of Object.keys(accepted.environments)) {
        assert.doesNotThrow(() => resolveEnvironment(accepted, environment), what);
        const plan = JSON.stringify(
          planDeployment(accepted, environment, '1.0.0', undefined, { stateDir: NO_STATE }),
        );
        assert.doesNotMatch(plan, /\[native code\]|function |\[object Object\]/, what);
      }
    }
  // Both kinds were met: names some slots take (an environment, a variable, a metric) and others refuse.
  assert.ok(counts.accepted > 100 && counts.refused > 100, JSON.stringify(counts));
});

test("a variable named like an Object.prototype property is the value deploy.yml gives it in the plan's commands", () => {
  // Not __proto__: refused as a key anywhere (hostile-config.test.ts).
  for (const name of NAMES.filter((n) => n !== '__proto__')) {
    const result = parseConfig(SLOTS['a variable and its use']!(name), 'deploy.yml');
    assert.ok(result.ok, name);
    const plan = JSON.stringify(
      planDeployment(result.config, 'production', '1.0.0', undefined, { stateDir: NO_STATE }),
    );
    assert.match(plan, /"run":"\.\/d\.sh 1\.0\.0 value"/, name);
  }
});
