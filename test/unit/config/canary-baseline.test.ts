// canary `baseline: fresh` (issue 15): what it resolves to, and every config it cannot work with refused at the
// place that has to change, with what is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, ResolveError } from '../../../src/config/resolve.ts';

function parsed(text: string) {
  const result = parseConfig(text, 'deploy.yml');
  return result.ok
    ? { ok: true as const, config: result.config, errors: [] as string[] }
    : { ok: false as const, errors: result.errors.map(formatConfigError) };
}

const THREE_WAY = `target:
  commands:
    deploy: ./deploy.sh --slot {{slot}} --version {{version}}
    set_weight: ./weight.sh {{slot}} {{weight}} {{stable_slot}} {{baseline_slot}} {{baseline_weight}}
    teardown: ./teardown.sh {{slot}}
`;

const canaryEnv = (strategy: string) => `environments:
  production:
    strategy:
      type: canary
${strategy
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`;

describe('canary baseline: fresh', () => {
  it('resolves to a baseline slot (default "baseline", or baseline_slot), and is off by default', () => {
    const on = parsed(`${THREE_WAY}${canaryEnv('baseline: fresh')}`);
    assert.ok(on.ok, on.errors.join('\n'));
    const s = resolveEnvironment(on.config, 'production').strategy;
    assert.deepEqual(s.type === 'canary' && s.baseline, { slot: 'baseline' });

    const named = parsed(`${THREE_WAY}${canaryEnv('baseline: fresh\nbaseline_slot: base')}`);
    assert.ok(named.ok, named.errors.join('\n'));
    const n = resolveEnvironment(named.config, 'production').strategy;
    assert.deepEqual(n.type === 'canary' && n.baseline, { slot: 'base' });

    const off = parsed(
      `${THREE_WAY.replace(' {{baseline_slot}} {{baseline_weight}}', '')}${canaryEnv('baseline: none')}`,
    );
    assert.ok(off.ok, off.errors.join('\n'));
    const o = resolveEnvironment(off.config, 'production').strategy;
    assert.equal(o.type === 'canary' && o.baseline, undefined);
  });

  it('is read from strategies.canary too', () => {
    const r = parsed(
      `${THREE_WAY}strategies:\n  canary:\n    baseline: fresh\nenvironments:\n  production:\n    strategy: canary\n`,
    );
    assert.ok(r.ok, r.errors.join('\n'));
    const s = resolveEnvironment(r.config, 'production').strategy;
    assert.deepEqual(s.type === 'canary' && s.baseline, { slot: 'baseline' });
  });

  it('refuses an unknown value, naming the allowed ones', () => {
    const r = parsed(`${THREE_WAY}${canaryEnv('baseline: warm')}`);
    assert.equal(r.ok, false);
    assert.match(
      r.errors.join('\n'),
      /environments\.production\.strategy\.baseline: .*"none".*"fresh"|fresh.*none/,
    );
  });

  it('refuses a set_weight that is not told the baseline: a router that cannot route to three backends', () => {
    const target = THREE_WAY.replace(' {{baseline_slot}} {{baseline_weight}}', '');
    const r = parsed(`${target}${canaryEnv('baseline: fresh')}`);
    assert.deepEqual(r.errors, [
      "deploy.yml:4:17: target.commands.set_weight: with baseline: fresh (environments.production.strategy.baseline) traffic is split three ways (canary, baseline, stable), but this set_weight command does not use {{baseline_slot}} and {{baseline_weight}}: a router that is not told the baseline's slot and share cannot route to three backends (e.g. add --baseline {{baseline_slot}} --baseline-weight {{baseline_weight}})",
    ]);
    // One of the two is not enough either.
    const half = parsed(`${THREE_WAY.replace(' {{baseline_weight}}', '')}${canaryEnv('baseline: fresh')}`);
    assert.match(half.errors.join('\n'), /does not use \{\{baseline_weight\}\}:/);
  });

  it('refuses a target without teardown: the baseline would be left running', () => {
    const target = THREE_WAY.replace(/ {4}teardown: .*\n/, '');
    const r = parsed(`${target}${canaryEnv('baseline: fresh')}`);
    assert.deepEqual(r.errors, [
      'deploy.yml:9:17: environments.production.strategy.baseline: a fresh baseline is torn down at promotion and on every rollback, with a "teardown" command, which target.commands does not define',
    ]);
  });

  it('refuses a step above 50 % (but the last): no room for an equal baseline share', () => {
    const r = parsed(`${THREE_WAY}${canaryEnv('baseline: fresh\nsteps: [10, 50, 75, 100]')}`);
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(
      r.errors[0]!,
      /environments\.production\.strategy\.steps\[2\]: weight 75 leaves no room for a baseline with the same share \(75 % canary \+ 75 % baseline > 100 %\)/,
    );
    // The steps may come from strategies.canary: the error points there.
    const shared = parsed(
      `${THREE_WAY}strategies:\n  canary:\n    steps: [60, 100]\nenvironments:\n  production:\n    strategy: { type: canary, baseline: fresh }\n`,
    );
    assert.match(shared.errors.join('\n'), /strategies\.canary\.steps\[0\]: weight 60 leaves no room/);
  });

  it('refuses a baseline slot that is one of the canary slots', () => {
    const r = parsed(`${THREE_WAY}${canaryEnv('baseline: fresh\nbaseline_slot: green')}`);
    assert.match(
      r.errors.join('\n'),
      /environments\.production\.strategy\.baseline_slot: the fresh baseline's slot "green" is also one of the canary's slots \(blue, green\)/,
    );
  });

  it('refuses {{baseline_slot}} / {{baseline_weight}} where they would have no value', () => {
    // A canary without a baseline.
    const r = parsed(`${THREE_WAY}${canaryEnv('steps: [10, 100]')}`);
    assert.deepEqual(
      r.errors.map((e) => e.replace(/^deploy\.yml:\d+:\d+: /, '')),
      [
        'target.commands.set_weight: {{baseline_slot}} has no value here in environment "production": it is set by the canary strategy with baseline: fresh',
        'target.commands.set_weight: {{baseline_weight}} has no value here in environment "production": it is set for the set_weight command by the canary strategy with baseline: fresh',
      ],
    );
    // baseline_weight is only given to set_weight.
    const elsewhere = parsed(
      `${THREE_WAY.replace('./teardown.sh {{slot}}', './teardown.sh {{slot}} {{baseline_weight}}')}${canaryEnv('baseline: fresh')}`,
    );
    assert.match(
      elsewhere.errors.join('\n'),
      /target\.commands\.teardown: \{\{baseline_weight\}\} has no value here/,
    );
  });

  it("leaves them in a shared target's traffic command an environment never runs", () => {
    // Before: refused for a blue-green environment sharing the target, which with a switch never runs
    // set_weight (step-runner.ts: switch, else set_weight).
    const shared = (others: string, target = THREE_WAY) =>
      parsed(`${target}${canaryEnv('baseline: fresh')}\n${others}`).errors;
    const switching = THREE_WAY.replace('    teardown:', '    switch: ./switch.sh {{slot}}\n    teardown:');
    assert.deepEqual(shared('  web:\n    strategy: blue-green\n', switching), []);
    // Blue-green without a switch moves traffic by set_weight, where neither has a value: still refused.
    assert.match(
      shared('  web:\n    strategy: blue-green\n').join('\n'),
      /target\.commands\.set_weight: \{\{baseline_slot\}\} has no value here in environment "web"/,
    );
  });

  it('refuses analysis that reads the compared side by version alone: baseline and stable run the same version', () => {
    const analysis = (query: string, url: string) => `    analysis:
      preset: none
      providers:
        prom: { type: prometheus, url: "http://127.0.0.1:9090" }
        probe: { type: http, url: "${url}" }
      metrics:
        error_rate: { provider: prom, query: '${query}' }
        p95: { provider: probe }
      checks:
        - check: error_rate < 0.05
        - check: p95 < 2x baseline
`;
    const byVersion = parsed(
      `${THREE_WAY}${canaryEnv('baseline: fresh')}${analysis('sum(rate(x{version="{{version}}"}[1m]))', 'http://127.0.0.1:8080/')}`,
    );
    assert.deepEqual(
      byVersion.errors.map((e) => e.replace(/^deploy\.yml:\d+:\d+: /, '').replace(/: with baseline.*/, '')),
      [
        "environments.production.analysis.providers.probe.url: the prober's url does not name a slot",
        'environments.production.analysis.metrics.error_rate.query: this query does not select by slot',
      ],
    );
    assert.match(
      byVersion.errors[0]!,
      /use \{\{slot\}\} \(the baseline's slot on that side\) or \{\{baseline_slot\}\}/,
    );
    const bySlot = parsed(
      `${THREE_WAY}${canaryEnv('baseline: fresh')}${analysis('sum(rate(x{version="{{version}}",slot="{{slot}}"}[1m]))', 'http://{{slot}}.internal/')}`,
    );
    assert.ok(bySlot.ok, bySlot.errors.join('\n'));
    // Without a baseline the same version-only analysis is fine.
    const plain = parsed(
      `${THREE_WAY.replace(' {{baseline_slot}} {{baseline_weight}}', '')}${canaryEnv('steps: [10, 100]')}${analysis('sum(rate(x{version="{{version}}"}[1m]))', 'http://127.0.0.1:8080/')}`,
    );
    assert.ok(plain.ok, plain.errors.join('\n'));
  });

  it('a --strategy canary override meets strategies.canary.baseline at resolve time, refused the same way', () => {
    const target = THREE_WAY.replace(' {{baseline_slot}} {{baseline_weight}}', '');
    const r = parsed(
      `${target}strategies:\n  canary:\n    baseline: fresh\nenvironments:\n  production:\n    strategy: blue-green\n`,
    );
    assert.ok(r.ok, r.errors.join('\n'));
    assert.throws(
      () => resolveEnvironment(r.config, 'production', { strategy: 'canary' }),
      (e: unknown) =>
        e instanceof ResolveError && /^target\.commands\.set_weight: with baseline: fresh/.test(e.message),
    );
  });
});
