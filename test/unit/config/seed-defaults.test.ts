// The numbers of the seed workflow documents (shared/seeds) as a config that writes none of them resolves
// them: the `seeds` preset is where the requirements live, so a changed number fails here, naming its seed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, type ResolvedEnvironment } from '../../../src/config/resolve.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const TARGET = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
`;

/** An environment of a config that writes no number: the preset's (seeds unless `preset` says otherwise). */
function resolved(environments: string, name = 'production'): ResolvedEnvironment {
  const result = parseConfig(`${TARGET}environments:\n${environments}`, 'deploy.yml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  return resolveEnvironment(result.config, name);
}

function strategyOf<T extends ResolvedEnvironment['strategy']['type']>(env: ResolvedEnvironment, type: T) {
  assert.equal(env.strategy.type, type);
  return env.strategy as Extract<ResolvedEnvironment['strategy'], { type: T }>;
}

describe('the seeds preset resolves to the seeds numbers', () => {
  it('monitor window one hour, watched every 30 s; staging validated for 15 minutes', () => {
    const env = resolved('  staging: {}\n  production: { staging: staging }\n');
    // Seed 01 phase 4 "Critical Window: First Hour" (01:577, 01:581), DESIGN section 1 item 5.
    assert.equal(env.monitorMs, HOUR);
    // Seed 01 rolling "Check metrics every 30 seconds" (01:403, 01:411) and its alert interval (01:676).
    assert.equal(env.monitorIntervalMs, 30_000);
    // Seed 01 staging validation "Monitor for 15 minutes", "No errors in 15-minute window" (01:271, 01:288).
    assert.equal(
      resolved('  staging: {}\n  production: { staging: staging }\n', 'staging').validationWindowMs,
      15 * MINUTE,
    );
    assert.equal(env.staging, 'staging');
  });

  it('the live version is health-checked before anything is touched, an unhealthy one warned of (block refuses)', () => {
    // Seed 02 phase 1 "Health Check Current System: verify current system is healthy" (02:70-75).
    assert.equal(resolved('  production: {}\n').preDeployHealth, 'auto');
  });

  it('a new version is given five minutes to become ready after its deploy', () => {
    // Seed 01 blue-green: "kubectl wait --for=condition=ready pod ... --timeout=300s" (01:310-313).
    assert.equal(resolved('  production: {}\n').readyTimeoutMs, 5 * MINUTE);
  });

  it('canary: 5 → 10 → 25 → 50 → 100, 30 minutes at the first step and 15 at the others, old version kept 24 h', () => {
    const canary = strategyOf(resolved('  production: { strategy: canary }\n'), 'canary');
    // Seed 01: "Deploy canary (5% of traffic)", "Monitor canary (30 minutes)", "5% → 10% → 25% → 50% → 100%",
    // "Monitor for 15 minutes at each stage" (01:428, 01:461, 01:469, 01:483-484; example 01:877-882).
    assert.deepEqual(canary.steps, [
      { weight: 5, pauseMs: 30 * MINUTE },
      { weight: 10, pauseMs: 15 * MINUTE },
      { weight: 25, pauseMs: 15 * MINUTE },
      { weight: 50, pauseMs: 15 * MINUTE },
      { weight: 100, pauseMs: 0 },
    ]);
    // Seed 04's stages: 1-5 %, 10-25 %, 50-75 %, 100 % (04:57-75): every default weight falls in one.
    const stages: Array<[number, number]> = [
      [1, 5],
      [10, 25],
      [50, 75],
      [100, 100],
    ];
    for (const { weight } of canary.steps)
      assert.ok(
        stages.some(([lo, hi]) => weight >= lo && weight <= hi),
        `${weight} % is in a seed 04 stage`,
      );
    // DESIGN section 2: the old version is decommissioned after its delay; 24 h as blue-green's (01:353).
    assert.equal(canary.scaleDownDelayMs, 24 * HOUR);
  });

  it('blue-green: warm-up 100 requests 0.1 s apart, 10 minutes watched after the switch, blue kept 24 h', () => {
    const bg = strategyOf(
      resolved(
        '  production:\n    strategy: { type: blue-green, warmup: { url: "http://green.internal/" } }\n',
      ),
      'blue-green',
    );
    assert.deepEqual(bg.slots, ['blue', 'green']);
    // Seed 01 "for i in {1..100}; do curl ...; sleep 0.1" (01:327-330).
    assert.equal(bg.warmup.requests, 100);
    assert.equal(bg.warmup.intervalMs, 100);
    // Seed 01 "Monitor green environment: Watch for 10 minutes" (01:343-344).
    assert.equal(bg.verifyAfterSwitchMs, 10 * MINUTE);
    // Seed 01 "Keep green, decommission blue after 24 hours" (01:353, 01:846).
    assert.equal(bg.scaleDownDelayMs, 24 * HOUR);
  });

  it('rolling: one instance at a time, maxSurge 1 and maxUnavailable 0, rolled back on a failure', () => {
    const rolling = strategyOf(
      resolved('  production:\n    strategy: { type: rolling, instances: 4 }\n'),
      'rolling',
    );
    // Seed 01 '"maxSurge": 1, "maxUnavailable": 0', "updates pods one at a time" (01:384-385, 01:394-398);
    // seed 02 "Deploy to one instance at a time" (02:208), seed 05 "One instance at a time" (05:225).
    assert.equal(rolling.maxSurge, 1);
    assert.equal(rolling.maxUnavailable, 0);
    assert.equal(rolling.batchSize, 1);
    assert.equal(rolling.onFailure, 'rollback');
    // Seed 01 "Check metrics every 30 seconds" while pods are replaced, stopping above 1 % (01:403-411):
    // each batch but the last is watched for one monitor interval, the environment's own when it sets one.
    assert.equal(rolling.pauseMs, 30_000);
    const slower = strategyOf(
      resolved('  production:\n    monitor_interval: 1m\n    strategy: { type: rolling, instances: 4 }\n'),
      'rolling',
    );
    assert.equal(slower.pauseMs, MINUTE);
    const written = strategyOf(
      resolved('  production:\n    strategy: { type: rolling, instances: 4, pause: 0 }\n'),
      'rolling',
    );
    assert.equal(written.pauseMs, 0, 'a written pause wins');
  });

  it('an environment named production is a production environment (seed 02: manual approval for production)', () => {
    // Seed 02 "Manual approval required" (02:359) and "Human approval for production" (02:397): the policy's
    // one approval by default follows this flag (docs/policy.md, `required`).
    assert.equal(resolved('  production: {}\n').production, true);
    assert.equal(resolved('  staging: {}\n  production: {}\n', 'staging').production, false);
  });
});
