// Manual steps and control (issue 14) in deploy.yml: what each new key accepts, what it resolves to, and the
// one-line error (file, position, path) for each way of getting it wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, type ResolvedEnvironment } from '../../../src/config/resolve.ts';

const TARGET = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
`;

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

/** The production environment of a config that must load (the top-level target included). */
function production(text: string, name = 'production'): ResolvedEnvironment {
  const result = parseConfig(`${TARGET}${text}`, 'deploy.yml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  return resolveEnvironment(result.config, name);
}

function strategyOf<T extends ResolvedEnvironment['strategy']['type']>(env: ResolvedEnvironment, type: T) {
  assert.equal(env.strategy.type, type);
  return env.strategy as Extract<ResolvedEnvironment['strategy'], { type: T }>;
}

const canaryEnv = (strategy: string) => `environments:\n  production:\n    strategy:\n${strategy}`;

describe('canary steps: pause: manual and approval: N', () => {
  it('pause: manual analyses for the canary-wide pause, then waits for one /promote', () => {
    const env = production(
      canaryEnv(
        '      type: canary\n      pause: 2m\n      steps: [10, { weight: 25, pause: manual }, 50]\n',
      ),
    );
    assert.deepEqual(strategyOf(env, 'canary').steps, [
      { weight: 10, pauseMs: 120_000 },
      { weight: 25, pauseMs: 120_000, gate: { type: 'manual' } },
      { weight: 50, pauseMs: 120_000 },
    ]);
  });

  it("pause: manual without a canary-wide pause analyses for the preset's step pause", () => {
    const seeds = production(canaryEnv('      type: canary\n      steps: [{ weight: 25, pause: manual }]\n'));
    assert.deepEqual(strategyOf(seeds, 'canary').steps, [
      { weight: 25, pauseMs: 15 * 60_000, gate: { type: 'manual' } },
    ]);
    const fast = production(
      `preset: fast\n${canaryEnv('      type: canary\n      steps: [{ weight: 25, pause: manual }]\n')}`,
    );
    assert.deepEqual(strategyOf(fast, 'canary').steps, [
      { weight: 25, pauseMs: 1000, gate: { type: 'manual' } },
    ]);
  });

  it("approval: N analyses for the step's own pause (else the default), then waits for N approvers", () => {
    const env = production(
      canaryEnv(
        '      type: canary\n      pause: 1m\n      steps: [{ weight: 10, approval: 1 }, { weight: 50, pause: 30s, approval: 2 }]\n',
      ),
    );
    assert.deepEqual(strategyOf(env, 'canary').steps, [
      { weight: 10, pauseMs: 60_000, gate: { type: 'approval', approvals: 1 } },
      { weight: 50, pauseMs: 30_000, gate: { type: 'approval', approvals: 2 } },
    ]);
  });

  it('gates written under strategies.canary reach every environment using the canary', () => {
    const env = production(
      'strategies:\n  canary:\n    steps: [{ weight: 20, approval: 3, pause: 0 }]\nenvironments:\n  production:\n    strategy: canary\n',
    );
    assert.deepEqual(strategyOf(env, 'canary').steps, [
      { weight: 20, pauseMs: 0, gate: { type: 'approval', approvals: 3 } },
    ]);
  });

  it('refuses pause: manual together with approval, at the approval', () => {
    assert.deepEqual(
      errorsOf(
        `${TARGET}${canaryEnv('      type: canary\n      steps: [{ weight: 25, pause: manual, approval: 2 }]\n')}`,
      ),
      [
        'deploy.yml:10:54: environments.production.strategy.steps[0].approval: use either "pause: manual" ' +
          '(one /promote by a deployer) or "approval: N" (N approvers, after the timed pause), not both',
      ],
    );
  });

  it('refuses a gate on the step at weight 100: nothing is left to promote to', () => {
    assert.deepEqual(
      errorsOf(
        `${TARGET}${canaryEnv('      type: canary\n      steps: [25, { weight: 100, pause: manual }]\n')}`,
      ),
      [
        'deploy.yml:10:41: environments.production.strategy.steps[1].pause: a step at weight 100 cannot wait for ' +
          'people: all traffic is already on the new version, so there is nothing left to promote to ' +
          '(put the "pause: manual" on an earlier step)',
      ],
    );
    const [approval] = errorsOf(
      `${TARGET}strategies:\n  canary:\n    steps:\n      - 50\n      - { weight: 100, approval: 1 }\nenvironments:\n  production: { strategy: canary }\n`,
    );
    assert.match(
      approval!,
      /^deploy\.yml:10:34: strategies\.canary\.steps\[1\]\.approval: a step at weight 100 cannot wait/,
    );
    assert.match(approval!, /put the "approval" on an earlier step/);
  });

  it('refuses a misspelt manual, with the suggestion and what a pause accepts', () => {
    assert.deepEqual(
      errorsOf(`${TARGET}${canaryEnv('      type: canary\n      steps: [{ weight: 25, pause: Manual }]\n')}`),
      [
        'deploy.yml:10:36: environments.production.strategy.steps[0].pause: expected a duration such as "30s", ' +
          '"5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), 0, or "manual" (wait for /promote), ' +
          'got the string "Manual": did you mean "manual"?',
      ],
    );
  });

  it('still bounds a step pause that is a duration', () => {
    assert.deepEqual(
      errorsOf(`${TARGET}${canaryEnv('      type: canary\n      steps: [{ weight: 25, pause: 2d }]\n')}`),
      [
        'deploy.yml:10:36: environments.production.strategy.steps[0].pause: "2d" is too long: at most 24h here',
      ],
    );
  });

  it('keeps the canary-wide pause a duration, and says where manual goes', () => {
    assert.deepEqual(errorsOf(`${TARGET}${canaryEnv('      type: canary\n      pause: manual\n')}`), [
      'deploy.yml:10:14: environments.production.strategy.pause: the canary-wide pause is the analysis window ' +
        'of every step, so it must be a duration; to wait for a person, write "pause: manual" on a step ' +
        '(steps: [{ weight: 25, pause: manual }])',
    ]);
  });

  it('refuses an approval count that is not a whole number from 1 to 20', () => {
    const at = (value: string) =>
      errorsOf(
        `${TARGET}${canaryEnv(`      type: canary\n      steps: [{ weight: 25, approval: ${value} }]\n`)}`,
      );
    assert.deepEqual(at('0'), [
      'deploy.yml:10:39: environments.production.strategy.steps[0].approval: must be at least 1, got 0',
    ]);
    assert.deepEqual(at('21'), [
      'deploy.yml:10:39: environments.production.strategy.steps[0].approval: must be at most 20, got 21',
    ]);
    assert.deepEqual(at('1.5'), [
      'deploy.yml:10:39: environments.production.strategy.steps[0].approval: expected a whole number, got the number 1.5',
    ]);
  });
});

describe('blue-green: pre_switch', () => {
  const bg = (value: string) =>
    `environments:\n  production:\n    strategy: { type: blue-green, pre_switch: ${value} }\n`;

  it('manual and { approval: N } become the pre-switch gate; none means no gate', () => {
    assert.deepEqual(strategyOf(production(bg('manual')), 'blue-green').preSwitchGate, { type: 'manual' });
    assert.deepEqual(strategyOf(production(bg('{ approval: 2 }')), 'blue-green').preSwitchGate, {
      type: 'approval',
      approvals: 2,
    });
    const plain = strategyOf(
      production('environments:\n  production: { strategy: blue-green }\n'),
      'blue-green',
    );
    assert.equal('preSwitchGate' in plain, false);
  });

  it('refuses anything else, naming the path and what it accepts', () => {
    assert.deepEqual(errorsOf(`${TARGET}${bg('manul')}`), [
      'deploy.yml:8:47: environments.production.strategy.pre_switch: expected "manual" or a mapping, got the ' +
        'string "manul": did you mean "manual"? (wait for people after the checks, analysis and warm-up of the ' +
        'idle slot, before the switch: "manual" for one /promote by a deployer, { approval: N } for N approvers)',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}${bg('{ approval: 0 }')}`), [
      'deploy.yml:8:59: environments.production.strategy.pre_switch.approval: must be at least 1, got 0',
    ]);
    assert.ok(
      errorsOf(`${TARGET}${bg('{ approvals: 2 }')}`).includes(
        'deploy.yml:8:49: environments.production.strategy.pre_switch.approvals: unknown key "approvals": ' +
          'did you mean "approval"? (allowed here: approval)',
      ),
    );
  });
});

describe('rolling: pause: manual and approval: N', () => {
  const rolling = (params: string) =>
    `environments:\n  production:\n    strategy: { type: rolling, instances: 3${params} }\n`;

  it('pause: manual means no timed window and a manual gate after each batch', () => {
    const strategy = strategyOf(production(rolling(', pause: manual')), 'rolling');
    assert.equal(strategy.pauseMs, 0);
    assert.deepEqual(strategy.batchGate, { type: 'manual' });
  });

  it('approval: N keeps the timed pause as the analysis window', () => {
    const strategy = strategyOf(production(rolling(', pause: 30s, approval: 2')), 'rolling');
    assert.equal(strategy.pauseMs, 30_000);
    assert.deepEqual(strategy.batchGate, { type: 'approval', approvals: 2 });
  });

  it('no gate written, no batchGate key', () => {
    assert.equal('batchGate' in strategyOf(production(rolling('')), 'rolling'), false);
  });

  it("merges with strategies.rolling key by key; the environment's gate replaces a shared one", () => {
    const shared = (params: string, own: string) =>
      `strategies:\n  rolling: { instances: 3, ${params} }\nenvironments:\n  production:\n    strategy: { type: rolling${own} }\n`;
    const resolved = (params: string, own: string) => {
      const { pauseMs, batchGate } = strategyOf(production(shared(params, own)), 'rolling');
      return { pauseMs, batchGate };
    };
    // The environment's approval replaces the shared manual gate; "manual" is still no timed window.
    assert.deepEqual(resolved('pause: manual', ', approval: 2'), {
      pauseMs: 0,
      batchGate: { type: 'approval', approvals: 2 },
    });
    // The environment's pause: manual replaces the shared pause and the shared approval.
    assert.deepEqual(resolved('approval: 4, pause: 1m', ', pause: manual'), {
      pauseMs: 0,
      batchGate: { type: 'manual' },
    });
    // A timed pause in the environment overrides the shared "manual" (the same key): no gate left.
    assert.deepEqual(resolved('pause: manual', ', pause: 10s'), { pauseMs: 10_000, batchGate: undefined });
    // A shared gate applies where the environment writes none.
    assert.deepEqual(resolved('approval: 2', ', pause: 10s'), {
      pauseMs: 10_000,
      batchGate: { type: 'approval', approvals: 2 },
    });
    assert.deepEqual(resolved('pause: manual', ''), { pauseMs: 0, batchGate: { type: 'manual' } });
  });

  it('refuses pause: manual with approval, in an environment or under strategies.rolling', () => {
    assert.deepEqual(errorsOf(`${TARGET}${rolling(', pause: manual, approval: 2')}`), [
      'deploy.yml:8:71: environments.production.strategy.approval: use either "pause: manual" ' +
        '(one /promote by a deployer) or "approval: N" (N approvers, after the timed pause), not both',
    ]);
    const [shared] = errorsOf(
      `${TARGET}strategies:\n  rolling:\n    instances: 2\n    pause: manual\n    approval: 1\nenvironments:\n  production: { strategy: rolling }\n`,
    );
    assert.match(shared!, /^deploy\.yml:10:15: strategies\.rolling\.approval: use either "pause: manual"/);
  });
});

describe('environment control', () => {
  const control = (value: string) => `environments:\n  production:\n    control: ${value}\n`;

  it("defaults to the preset's: 5 minutes in the job, a poll every 10 s (2 s with the fast preset)", () => {
    assert.deepEqual(production('environments:\n  production: {}\n').control, {
      maxWaitInJobMs: 300_000,
      pollIntervalMs: 10_000,
    });
    assert.deepEqual(production('preset: fast\nenvironments:\n  production: {}\n').control, {
      maxWaitInJobMs: 300_000,
      pollIntervalMs: 2000,
    });
  });

  it('takes the written values in milliseconds, up to the bounds; 0 in the job hands off at once', () => {
    assert.deepEqual(production(control('{ max_wait_in_job: 6h, poll_interval: 10m }')).control, {
      maxWaitInJobMs: 6 * 3_600_000,
      pollIntervalMs: 600_000,
    });
    assert.deepEqual(production(control('{ max_wait_in_job: 0, poll_interval: 2s }')).control, {
      maxWaitInJobMs: 0,
      pollIntervalMs: 2000,
    });
    assert.deepEqual(production(control('{ poll_interval: 30s }')).control, {
      maxWaitInJobMs: 300_000,
      pollIntervalMs: 30_000,
    });
  });

  it('refuses values out of bounds, with the bound', () => {
    assert.deepEqual(errorsOf(`${TARGET}${control('{ max_wait_in_job: 7h, poll_interval: 1s }')}`), [
      'deploy.yml:8:33: environments.production.control.max_wait_in_job: "7h" is too long: at most 6h here',
      'deploy.yml:8:52: environments.production.control.poll_interval: "1s" is too short: at least 2s here',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}${control('{ poll_interval: 0 }')}`), [
      'deploy.yml:8:31: environments.production.control.poll_interval: 0 is too short: at least 2s here',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}${control('{ poll_interval: 11m }')}`), [
      'deploy.yml:8:31: environments.production.control.poll_interval: "11m" is too long: at most 10m here',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}${control('{ max_wait_in_job: soon }')}`), [
      'deploy.yml:8:33: environments.production.control.max_wait_in_job: invalid duration "soon": use a number ' +
        'followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
  });

  it('refuses unknown keys and a value that is not a mapping', () => {
    assert.deepEqual(errorsOf(`${TARGET}${control('{ poll: 5s }')}`), [
      'deploy.yml:8:16: environments.production.control.poll: unknown key "poll" (allowed here: max_wait_in_job, poll_interval)',
    ]);
    const [notMapping] = errorsOf(`${TARGET}${control('5m')}`);
    assert.match(
      notMapping!,
      /^deploy\.yml:8:14: environments\.production\.control: expected a mapping, got the string "5m"/,
    );
  });
});
