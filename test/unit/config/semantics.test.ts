// Each cross-field rule, through parseConfig so that the reported position is checked too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { semanticIssues } from '../../../src/config/semantics.ts';
import type { RawConfig } from '../../../src/config/schema.ts';

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

function assertLoads(text: string): void {
  const result = parseConfig(text, 'deploy.yml');
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
}

/**
 * A top-level target with every traffic command, so only the rule under test can fail. It uses no
 * strategy-specific variable: the environments below default to the direct strategy, which sets none.
 */
const FULL_TARGET = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./switch.sh {{environment}}
    set_weight: ./weight.sh {{environment}}
`;

describe('semantics: every environment has a target', () => {
  it('rejects an environment with no target anywhere, at the environment', () => {
    assert.deepEqual(errorsOf('environments:\n  production: {}\n'), [
      'deploy.yml:2:15: environments.production: has no target: add a "target" to this environment, ' +
        'or a top-level "target" shared by all of them',
    ]);
  });

  it("accepts the environment's own target or the top-level one", () => {
    assertLoads(`${FULL_TARGET}environments:\n  production: {}\n`);
    assertLoads('environments:\n  production:\n    target:\n      commands:\n        deploy: ./deploy.sh\n');
  });
});

describe('semantics: staging', () => {
  it('accepts a chain of existing environments', () => {
    assertLoads(
      `${FULL_TARGET}environments:\n  qa: {}\n  staging: { staging: qa }\n  production: { staging: staging }\n`,
    );
  });

  it('rejects an unknown environment with a suggestion', () => {
    assert.deepEqual(
      errorsOf(`${FULL_TARGET}environments:\n  staging: {}\n  production:\n    staging: stagin\n`),
      [
        'deploy.yml:9:14: environments.production.staging: unknown environment "stagin": did you mean "staging"? ' +
          '(environments: "staging")',
      ],
    );
  });

  it('rejects an environment that is its own staging', () => {
    assert.deepEqual(errorsOf(`${FULL_TARGET}environments:\n  production:\n    staging: production\n`), [
      'deploy.yml:8:14: environments.production.staging: "production" cannot be its own staging environment',
    ]);
  });

  it('reports a cycle once, at its first environment in the file', () => {
    const text = `${FULL_TARGET}environments:
  a: { staging: c }
  b: { staging: a }
  c: { staging: b }
  d: { staging: c }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:7:17: environments.a.staging: staging environments form a cycle: a -> c -> b -> a',
    ]);
  });
});

describe("semantics: the strategy's needs are met by the target", () => {
  const withCommands = (commands: string, strategy: string) =>
    `target:\n  commands:\n    deploy: ./deploy.sh\n${commands}environments:\n  production:\n    strategy: ${strategy}\n`;

  it('canary needs set_weight', () => {
    assert.deepEqual(errorsOf(withCommands('    switch: ./switch.sh\n', 'canary')), [
      'deploy.yml:7:15: environments.production.strategy: the canary strategy shifts traffic with a "set_weight" ' +
        'command, which target.commands does not define',
    ]);
    assertLoads(withCommands('    set_weight: ./weight.sh {{weight}}\n', 'canary'));
  });

  it('blue-green needs switch or set_weight', () => {
    assert.deepEqual(errorsOf(withCommands('', 'blue-green')), [
      'deploy.yml:6:15: environments.production.strategy: the blue-green strategy moves traffic with a "switch" ' +
        '(or "set_weight") command, which target.commands does not define',
    ]);
    assertLoads(withCommands('    switch: ./switch.sh {{slot}}\n', 'blue-green'));
    assertLoads(withCommands('    set_weight: ./weight.sh {{weight}}\n', '{ type: blue-green }'));
  });

  it("names the environment's own target when it lacks the command", () => {
    const text = `environments:
  production:
    strategy: canary
    target:
      commands: { deploy: ./deploy.sh }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:3:15: environments.production.strategy: the canary strategy shifts traffic with a "set_weight" ' +
        'command, which environments.production.target.commands does not define',
    ]);
  });

  it('rolling needs instances, in the strategy or in strategies.rolling', () => {
    assert.deepEqual(errorsOf(withCommands('', 'rolling')), [
      'deploy.yml:6:15: environments.production.strategy: the rolling strategy needs "instances" (names or a count), ' +
        'here or in strategies.rolling',
    ]);
    assertLoads(withCommands('', '{ type: rolling, instances: [web-1, web-2] }'));
    assertLoads(`${withCommands('', 'rolling')}strategies:\n  rolling:\n    instances: 4\n`);
  });

  it('rolling cannot have both max_surge and max_unavailable at 0', () => {
    assert.deepEqual(
      errorsOf(withCommands('', '{ type: rolling, instances: 4, max_surge: 0, max_unavailable: "0%" }')),
      [
        'deploy.yml:6:57: environments.production.strategy.max_surge: max_surge and max_unavailable are both 0: ' +
          'no instance could ever be replaced; let one of them be at least 1',
      ],
    );
    assert.deepEqual(
      errorsOf(
        'strategies:\n  rolling: { max_unavailable: 0, max_surge: 0%, instances: 2 }\n' +
          FULL_TARGET +
          'environments:\n  p: {}\n',
      ),
      [
        'deploy.yml:2:45: strategies.rolling.max_surge: max_surge and max_unavailable are both 0: ' +
          'no instance could ever be replaced; let one of them be at least 1',
      ],
    );
    assertLoads(withCommands('', '{ type: rolling, instances: 4, max_surge: 0, max_unavailable: 1 }'));
    assertLoads(withCommands('', '{ type: rolling, instances: 4, max_surge: "25%", max_unavailable: 0 }'));
  });

  it('rolling reports both at 0 as the run resolves them: the preset fills in, a percentage rounds down', () => {
    // Each was valid here and then stopped the run with "max_surge and max_unavailable are both 0", no place named.
    assert.deepEqual(errorsOf(withCommands('', '{ type: rolling, instances: 3, max_surge: 0 }')), [
      'deploy.yml:6:57: environments.production.strategy.max_surge: max_surge is 0 and max_unavailable is 0 ' +
        "(the seeds preset's default): no instance could ever be replaced; let one of them be at least 1",
    ]);
    assert.deepEqual(
      errorsOf(
        withCommands('', '{ type: rolling, instances: [a, b, c], max_surge: 0, max_unavailable: 10% }'),
      ),
      [
        'deploy.yml:6:65: environments.production.strategy.max_surge: max_surge is 0 and max_unavailable "10%" ' +
          'of 3 instance(s) rounds down to 0: no instance could ever be replaced; let one of them be at least 1',
      ],
    );
    // The one-instance rolling: 50 % of one instance is none.
    assert.deepEqual(
      errorsOf(withCommands('', '{ type: rolling, instances: 1, max_unavailable: 50%, max_surge: 0% }')),
      [
        'deploy.yml:6:79: environments.production.strategy.max_surge: max_surge is 0% and max_unavailable ' +
          '"50%" of 1 instance(s) rounds down to 0: no instance could ever be replaced; let one of them be at least 1',
      ],
    );
    // strategies.rolling with `strategy: rolling`: reported at strategies.rolling, once, whatever uses it.
    assert.deepEqual(
      errorsOf(
        'preset: fast\nstrategies:\n  rolling: { max_surge: 0, instances: 2 }\n' +
          FULL_TARGET +
          'environments:\n  p: { strategy: rolling }\n  q: { strategy: rolling }\n',
      ),
      [
        'deploy.yml:3:25: strategies.rolling.max_surge: max_surge is 0 and max_unavailable is 0 ' +
          "(the fast preset's default): no instance could ever be replaced; let one of them be at least 1",
      ],
    );
    assertLoads(
      withCommands('', '{ type: rolling, instances: [a, b, c], max_surge: 0, max_unavailable: 34% }'),
    );
    assertLoads(withCommands('', '{ type: rolling, instances: 1, max_surge: 50% }'));
    assertLoads(
      'strategies:\n  rolling: { max_surge: 0, instances: 2 }\n' +
        FULL_TARGET +
        'environments:\n  p: { strategy: { type: rolling, max_unavailable: 1 } }\n',
    );
  });
});

describe('semantics: canary steps increase strictly', () => {
  it('rejects a step that is not above the previous one, at that step', () => {
    const text = `${FULL_TARGET}environments:
  production:
    strategy:
      type: canary
      steps: [5, 25, { weight: 25, pause: 1m }, 100]
`;
    assert.deepEqual(errorsOf(text), [
      "deploy.yml:10:22: environments.production.strategy.steps[2]: weight 25 is not above the previous step's 25: " +
        'canary weights must increase strictly',
    ]);
  });

  it('checks strategies.canary too, and accepts increasing weights', () => {
    const text = `${FULL_TARGET}strategies:\n  canary:\n    steps: [50, 10]\nenvironments:\n  production: { strategy: canary }\n`;
    assert.deepEqual(errorsOf(text), [
      "deploy.yml:8:17: strategies.canary.steps[1]: weight 10 is not above the previous step's 50: " +
        'canary weights must increase strictly',
    ]);
    assertLoads(
      `${FULL_TARGET}environments:\n  production:\n    strategy: { type: canary, steps: [1, 10, { weight: 50 }, 100] }\n`,
    );
  });

  it('needs a step that gives the canary part of the traffic; a single one is enough', () => {
    for (const steps of ['[100]', '[{ weight: 100 }]', '[0]', '[0, 100]']) {
      const text = `${FULL_TARGET}strategies:\n  canary:\n    steps: ${steps}\nenvironments:\n  production: { strategy: canary }\n`;
      const errors = errorsOf(text);
      assert.equal(errors.length, 1, steps);
      assert.match(
        errors[0]!,
        /^deploy\.yml:8:12: strategies\.canary\.steps: no step gives the canary a share of traffic \(a weight between 0 and 100\): \[(0, )?(0|100)\] moves all traffic to the new version without analysing it on part of the traffic first; start with a small step .* or use the blue-green strategy/,
        steps,
      );
    }
    // One step below 100 is a canary: analysed at 1%, then promoted to 100 (seed 04: "start small").
    for (const steps of ['[1]', '[{ weight: 5, pause: manual }]', '[0, 50]']) {
      assertLoads(
        `${FULL_TARGET}environments:\n  production:\n    strategy: { type: canary, steps: ${steps} }\n`,
      );
    }
  });
});

describe("semantics: a rollback level's verify", () => {
  const levels = (verify: string, health = '    health: ./health.sh\n') => `target:
  commands:
    deploy: ./deploy.sh {{version}}
${health}environments:
  production:
    hooks:
      on_rollback:
        - name: flag
          run: ./flag.sh off
          verify: ${verify}
`;

  it('accepts a command (a line, an argv list, or { run, timeout }) and "health" with health checks', () => {
    assertLoads(levels('./flag-check.sh {{version}}'));
    assertLoads(levels('[./flag-check.sh, "{{version}}"]'));
    assertLoads(levels('{ run: ./flag-check.sh, timeout: 30s }'));
    assertLoads(levels('health'));
    assertLoads(
      levels('health', '').replace(
        '  production:\n',
        '  production:\n    health: https://example.test/health\n',
      ),
    );
  });

  it('refuses a value that is not a command, at the verify', () => {
    assert.deepEqual(
      errorsOf(levels('5')).map((e) => e.split(' (')[0]),
      [
        'deploy.yml:11:19: environments.production.hooks.on_rollback[0].verify: expected "health", a string, a list or a mapping, got the number 5',
      ],
    );
    assert.deepEqual(errorsOf(levels('{ rn: ./check.sh }')), [
      'deploy.yml:11:21: environments.production.hooks.on_rollback[0].verify.rn: unknown key "rn": did you mean "run"? (allowed here: run, shell, timeout, cwd, env)',
    ]);
  });

  it('refuses a template a shell would read as code, and a shell operator without a shell, at the verify', () => {
    assert.deepEqual(errorsOf(levels('{ run: "test `{{version}}` = on", shell: true }')), [
      'deploy.yml:11:33: environments.production.hooks.on_rollback[0].verify.run: {{version}} (character 7) is inside backticks, where quoting cannot protect a value: write $(…) instead of `…`',
    ]);
    assert.deepEqual(errorsOf(levels('"./flag-check.sh {{version}} > /dev/null"')), [
      'deploy.yml:11:19: environments.production.hooks.on_rollback[0].verify: ">" needs a shell: set "shell: true" for this command, or write it as an argv list',
    ]);
  });

  it('refuses "health" where the environment has no health checks', () => {
    assert.deepEqual(errorsOf(levels('health', '')), [
      'deploy.yml:10:19: environments.production.hooks.on_rollback[0].verify: "health" checks the environment\'s health checks, and there are none: add "health" to the environment or its target, or verify with a command',
    ]);
  });

  it("refuses a timeout on the level itself: the time limit is its command's own", () => {
    const text = levels('./check.sh').replace(
      '          verify:',
      '          timeout: 1m\n          verify:',
    );
    assert.deepEqual(errorsOf(text), [
      `deploy.yml:11:11: environments.production.hooks.on_rollback[0].timeout: unknown key "timeout": a level's time limit is its command's own: write run: { run: "...", timeout: 5m } (and the same on verify) (allowed here: name, run, verify)`,
    ]);
  });
});

describe('semantics: commands split without a shell', () => {
  it('reports a shell operator at the command', () => {
    const text = `target:
  commands:
    deploy: ./deploy.sh {{version}} && ./notify.sh
environments:
  production:
    hooks:
      on_rollback:
        - name: flag
          run: { run: "./flag.sh off > /dev/null" }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:3:13: target.commands.deploy: "&&" needs a shell: set "shell: true" for this command, or write it as an argv list',
      'deploy.yml:9:23: environments.production.hooks.on_rollback[0].run.run: ">" needs a shell: set "shell: true" ' +
        'for this command, or write it as an argv list',
    ]);
  });

  it('accepts operators when the command or the target sets shell: true, and argv lists as they are', () => {
    assertLoads(`target:
  shell: true
  commands:
    deploy: ./deploy.sh {{version}} && ./notify.sh
environments:
  production: {}
`);
    assertLoads(`target:
  commands:
    deploy: { run: "./deploy.sh {{version}} | tee log", shell: true }
    rollback: ["./rollback.sh", "a && b"]
environments:
  production: {}
`);
  });
});

describe('semantics: template variables', () => {
  it('rejects an unknown variable in a command with a suggestion', () => {
    assert.deepEqual(
      errorsOf(
        'target:\n  commands:\n    deploy: ./deploy.sh {{verison}}\nenvironments:\n  production: {}\n',
      ),
      [
        'deploy.yml:3:13: target.commands.deploy: unknown template variable {{verison}}: did you mean {{version}}?',
      ],
    );
  });

  it('refuses {{step}} in a command (listed once, never given a value) unless the environment defines it', () => {
    const config = (variables: string) =>
      `target:\n  commands:\n    deploy: ./deploy.sh {{version}}\n    set_weight: ./route.sh {{slot}} {{weight}} {{step}}\n` +
      `environments:\n  production:\n${variables}    strategy: { type: canary, steps: [10, 50] }\n`;
    assert.deepEqual(errorsOf(config('')), [
      "deploy.yml:4:17: target.commands.set_weight: unknown template variable {{step}}: commands have no {{step}} (that is a notification template's value); a canary step's share is {{weight}}, a rolling step's batch {{batch}}",
    ]);
    assert.deepEqual(errorsOf(config('    variables: { step: one }\n')), []);
  });

  it('checks health URLs, warmup URLs and argv elements, and lists the variables when nothing is close', () => {
    const text = `${FULL_TARGET}environments:
  production:
    strategy:
      type: blue-green
      warmup: { url: "http://127.0.0.1/{{slto}}" }
    health:
      - http://127.0.0.1/{{colour}}/health
      - { url: "http://{{slot}}.internal/health" }
    smoke: ["./smoke.sh", "{{enviroment}}"]
`;
    const errors = errorsOf(text);
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.equal(
      errors[0],
      'deploy.yml:10:22: environments.production.strategy.warmup.url: unknown template variable {{slto}}: did you mean {{slot}}?',
    );
    assert.match(
      errors[1]!,
      /^deploy\.yml:12:9: environments\.production\.health\[0\]: unknown template variable \{\{colour\}\}: use one of version, previous_version, .*deployment_id, or a key of the environment's "variables"$/,
    );
    assert.equal(
      errors[2],
      'deploy.yml:14:27: environments.production.smoke[1]: unknown template variable {{enviroment}}: did you mean {{environment}}?',
    );
  });

  it("accepts the environment's own variables", () => {
    assertLoads(`${FULL_TARGET}environments:
  production:
    variables: { region: eu-west-1 }
    smoke: ./smoke.sh {{region}} {{ version }}
`);
  });

  it('names the environments missing a variable used by the shared target', () => {
    const text = `target:
  commands:
    deploy: ./deploy.sh {{region}}
environments:
  staging: {}
  qa: {}
  production:
    variables: { region: eu-west-1 }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:3:13: target.commands.deploy: {{region}} has no value in environments "staging" and "qa": ' +
        'define it in their "variables" as "production" does',
    ]);
  });

  it('reports a list of URL strings, which the schema reads as one command', () => {
    const text = `${FULL_TARGET}environments:\n  production:\n    health: ["http://a/health", "http://b/health"]\n`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:8:13: environments.production.health: a list of strings is one command (program and arguments); ' +
        'for several URL checks write each as "- url: ..."',
    ]);
  });
});

describe('semanticIssues', () => {
  it('returns paths as lists, and nothing for a sound config', () => {
    const config: RawConfig = {
      target: { commands: { deploy: './deploy.sh {{version}}', set_weight: './w.sh {{weight}}' } },
      environments: { production: { strategy: 'canary' }, staging: { staging: 'production' } },
    };
    assert.deepEqual(semanticIssues(config), []);
    const broken: RawConfig = { environments: { production: { staging: 'qa' } } };
    assert.deepEqual(
      semanticIssues(broken).map((issue) => issue.path),
      [
        ['environments', 'production', 'staging'],
        ['environments', 'production'],
      ],
    );
  });
});

describe('semantics: variables only some strategies set', () => {
  it('rejects {{slot}} under a strategy without slots, naming the strategies that set it', () => {
    assert.deepEqual(
      errorsOf('target:\n  commands:\n    deploy: ./d.sh {{slot}}\nenvironments:\n  production: {}\n'),
      [
        'deploy.yml:3:13: target.commands.deploy: {{slot}} has no value with the direct strategy of environment ' +
          '"production": it is set by blue-green and canary',
      ],
    );
  });

  it('rejects {{instances}} outside rolling and {{weight}} in rolling, and accepts each where it belongs', () => {
    const rolling = '{ type: rolling, instances: 2 }';
    const withDeploy = (deploy: string, strategy: string) =>
      `target:\n  commands:\n    deploy: ${deploy}\n    switch: ./s.sh\n    set_weight: ./w.sh\n` +
      `environments:\n  production:\n    strategy: ${strategy}\n`;
    assert.match(
      errorsOf(withDeploy('./d.sh {{instances}}', 'canary')).join('\n'),
      /\{\{instances\}\} has no value with the canary strategy/,
    );
    assert.match(
      errorsOf(withDeploy('./d.sh {{weight}}', rolling)).join('\n'),
      /\{\{weight\}\} has no value with the rolling strategy/,
    );
    assertLoads(withDeploy('./d.sh {{instances}} {{batch}}', rolling));
    assertLoads(withDeploy('./d.sh {{slot}}', 'blue-green'));
  });

  it("lets an environment's own variable of the same name win", () => {
    assertLoads(
      'target:\n  commands:\n    deploy: ./d.sh {{slot}}\nenvironments:\n  production:\n    variables: { slot: main }\n',
    );
  });
});
