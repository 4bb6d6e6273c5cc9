// Configs no test of ours was written for: a table of odd inputs, each refused with one located message
// that says what is wrong and where (file:line:column and the key path), or loaded when it is odd but
// valid; and every key of a config that uses most of the schema, misspelt, told what was meant.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { accepts, errorsOf, TARGET } from '../../helpers/config-text.ts';

const env = (fields: string) => `${TARGET}environments:\n  production:\n${fields}`;

describe('odd values get a message that says what to write', () => {
  const cases: Array<[string, string, string[]]> = [
    // Numbers and booleans in quotes are text in YAML: say how to write the number or the boolean.
    [
      'a count in quotes',
      env('    strategy: { type: rolling, instances: "4" }\n'),
      [
        'deploy.yml:8:43: environments.production.strategy.instances: expected a list or a number, got the string "4": write 4 without quotes for a number (instance names, or a count (instances are then named 1..N))',
      ],
    ],
    [
      'a version in quotes',
      `version: "1"\n${env('    production: true\n')}`,
      ['deploy.yml:1:10: version: expected 1, got the string "1": write 1 without quotes for a number'],
    ],
    [
      'a boolean in quotes',
      env('    production: "True"\n'),
      [
        'deploy.yml:8:17: environments.production.production: expected true or false, got the string "True": write true without quotes',
      ],
    ],
    [
      'a canary weight in quotes',
      env('    strategy: { type: canary, steps: ["25", 50] }\n'),
      [
        'deploy.yml:8:39: environments.production.strategy.steps[0]: expected a number or a mapping, got the string "25": write 25 without quotes for a number (a traffic weight in percent, as a number (25, not "25%"), or { weight, pause, approval })',
      ],
    ],
    [
      'a surge in quotes without "%"',
      env('    strategy: { type: rolling, instances: 4, max_surge: "25" }\n'),
      [
        'deploy.yml:8:57: environments.production.strategy.max_surge: must be a whole number or a percentage such as "25%": write 25 without quotes for a number of instances, or "25%" for a percentage',
      ],
    ],
    // Seed 01's "Coverage > 80%" written as it reads, or as a fraction: the threshold is a percentage already.
    [
      'a coverage threshold written as a percentage',
      `${env('    url: https://x.example\n')}gates:\n  tests: { thresholds: { lines: "80%" } }\n`,
      [
        'deploy.yml:10:33: gates.tests.thresholds.lines: expected a number, got the string "80%": thresholds are percentages already; write 80',
      ],
    ],
    // 0.8 read as 0.8 % passed a project with almost no tests.
    [
      'a coverage threshold written as a fraction',
      `${env('    url: https://x.example\n')}gates:\n  tests: { thresholds: { lines: 0.8, changed_lines: 0.75 } }\n`,
      [
        'deploy.yml:10:33: gates.tests.thresholds.lines: 0.8 is 0.8 % of lines covered, not 80 %: thresholds are percentages (0 to 100); write 80',
        'deploy.yml:10:53: gates.tests.thresholds.changed_lines: 0.75 is 0.75 % of changed lines covered, not 75 %: thresholds are percentages (0 to 100); write 75',
      ],
    ],
    // Seed 01's "Error rates (should be < 1%)" written 1: as a fraction that is every request failing, a target
    // no load test misses; and 5 said only that it was invalid.
    [
      'a load-test error rate of 1 (meant as 1 %)',
      `${env('    url: https://x.example\n')}gates:\n  performance: { report: k6.json, targets: { error_rate: 1 } }\n`,
      [
        'deploy.yml:10:58: gates.performance.targets.error_rate: an error rate of 1 is every request failing (a fraction: 1 is 100 %), a target no load test misses: for 1 % write 0.01 or "1%"',
      ],
    ],
    [
      'a load-test error rate of 5 (meant as 5 %)',
      `${env('    url: https://x.example\n')}gates:\n  performance: { report: k6.json, targets: { error_rate: 5 } }\n`,
      [
        'deploy.yml:10:58: gates.performance.targets.error_rate: invalid error rate 5: use a fraction from 0 to 1 (0.01) or a percentage ("1%"): for 5 % write 0.05 or "5%"',
      ],
    ],
    // The advice is one the loader takes: "0.5%" was told to write 0.5 (then refused as a fraction), "101%"
    // to write 101 (then refused as above 100).
    [
      'a coverage threshold written as a percentage the number form cannot say',
      `${env('    url: https://x.example\n')}gates:\n  tests: { thresholds: { lines: "0.5%", branches: "101%" } }\n`,
      [
        'deploy.yml:10:33: gates.tests.thresholds.lines: expected a number, got the string "0.5%": thresholds are percentages written as numbers, and one under 1 is refused as a fraction (0.8 for 80 %): write 1 for the smallest, or 0 for none',
        'deploy.yml:10:51: gates.tests.thresholds.branches: expected a number, got the string "101%": thresholds are percentages written as numbers from 0 to 100; write 100 at most',
      ],
    ],
    // One mistake, one message: "1000%" was also told it was not a percentage at all.
    [
      'a percentage of four digits',
      env('    strategy: { type: rolling, instances: 4, max_unavailable: 1000% }\n'),
      [
        'deploy.yml:8:63: environments.production.strategy.max_unavailable: a percentage must be from 0% to 100%',
      ],
    ],
    [
      'a fractional percentage',
      env('    strategy: { type: rolling, instances: 4, max_surge: 25.5% }\n'),
      [
        'deploy.yml:8:57: environments.production.strategy.max_surge: must be a whole number or a percentage such as "25%"',
      ],
    ],
    // Durations.
    [
      'a zero duration in quotes',
      env('    monitor: "0"\n'),
      [
        'deploy.yml:8:14: environments.production.monitor: invalid duration "0" (write 0 without quotes, or "0s"): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
      ],
    ],
    [
      'a zero duration in quotes where 0 is below the minimum',
      env('    control: { poll_interval: "0" }\n'),
      [
        'deploy.yml:8:31: environments.production.control.poll_interval: invalid duration "0" (0 is not allowed here either: at least 2s): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m")',
      ],
    ],
    [
      'a negative duration',
      env('    monitor: -5s\n'),
      [
        'deploy.yml:8:14: environments.production.monitor: invalid duration "-5s" (a duration cannot be negative): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
      ],
    ],
    [
      'a negative number for a duration',
      env('    validation_window: -5\n'),
      [
        'deploy.yml:8:24: environments.production.validation_window: expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), or 0, got the number -5: a duration cannot be negative',
      ],
    ],
    [
      'a combined duration with its units out of order',
      env('    monitor: 30s1m\n'),
      [
        'deploy.yml:8:14: environments.production.monitor: invalid duration "30s1m" (write "90s"): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
      ],
    ],
    [
      'a duration without its unit',
      env('    monitor: "90"\n'),
      [
        'deploy.yml:8:14: environments.production.monitor: invalid duration "90" (a duration needs its unit, such as "90s", "90m" or "90h"): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
      ],
    ],
    [
      'an infinite duration',
      env('    monitor: .inf\n'),
      [
        'deploy.yml:8:14: environments.production.monitor: expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), or 0, got the number .inf (read as Infinity)',
      ],
    ],
    // A NUL cannot reach a process (argv, environment) or a URL: it failed at spawn time, mid-deploy.
    [
      'an escaped NUL in a variable',
      env('    variables: { region: "eu\\0west" }\n'),
      [
        'deploy.yml:8:26: environments.production.variables.region: this text holds a NUL character (\\0), which no command, argument, URL or environment value can carry: remove it',
      ],
    ],
    [
      'a NUL written raw in a command',
      env('    smoke: ./smoke.sh\0 {{version}}\n'),
      [
        'deploy.yml:8:12: environments.production.smoke: this text holds a NUL character (\\0), which no command, argument, URL or environment value can carry: remove it',
      ],
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(errorsOf(text), expected));
  }
});

describe('misspelt keys', () => {
  it('a misspelt key of an HTTP check is an HTTP check with a typo, not a command missing "run"', () => {
    // Before: "missing required key "run"" and "unknown key "ulr" (allowed here: run, shell, ...)".
    assert.deepEqual(errorsOf(env('    health: { ulr: http://127.0.0.1/health }\n')), [
      'deploy.yml:8:15: environments.production.health.ulr: unknown key "ulr": did you mean "url"? (allowed here: url, method, expect_status, body, timeout, retries, interval)',
    ]);
  });

  it('a misspelt required command is named once', () => {
    // Before: the same key twice, once "(allowed here: …)" and once "(missing required key "deploy")".
    assert.deepEqual(
      errorsOf(`target:\n  commands:\n    deplyo: ./d.sh {{version}}\nenvironments:\n  production: {}\n`),
      [
        'deploy.yml:3:5: target.commands.deplyo: unknown key "deplyo": did you mean "deploy"? (allowed here: deploy, switch, set_weight, health, smoke, rollback, teardown, current)',
      ],
    );
  });

  // Uses most of the schema: every key of it, misspelt, must be told what it was meant to be.
  const kitchenSink = `version: 1
preset: fast
state_dir: .deploy-state
x-health: &health { url: "http://127.0.0.1:8080/health", method: GET, expect_status: [200, 204], body: ok, timeout: 2s, retries: 3, interval: 1s }
target:
  type: command
  shell: false
  timeout: 10m
  cwd: deploy
  env: { REGION: eu }
  commands:
    deploy: { run: "./deploy.sh {{version}} {{slot}}", timeout: 5m, cwd: deploy, env: { MODE: fast } }
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}} {{baseline_slot}} {{baseline_weight}}
    health: ./health.sh {{slot}}
    smoke: ./smoke.sh {{slot}}
    rollback: ./rollback.sh {{previous_version}}
    teardown: ./teardown.sh {{slot}}
    current: ./current.sh
strategies:
  rolling: { max_surge: 25%, max_unavailable: 0, pause: 30s, on_failure: rollback }
  blue-green:
    slots: [blue, green]
    scale_down_delay: 10m
    warmup: { url: "http://{{slot}}.internal/", requests: 10, interval: 100ms }
    analysis_before_switch: 0
    verify_after_switch: 1m
    pre_switch: { approval: 1 }
  canary: { slots: [stable, canary], steps: [5, { weight: 50, pause: 1m }], pause: 2m, max_holds: 3, scale_down_delay: 5m, baseline: fresh, baseline_slot: base }
reconcile: { workflow: deploy-reconcile.yml }
environments:
  staging:
    strategy: { type: rolling, instances: [a, b], max_surge: 1, max_unavailable: 0, approval: 1 }
    target: { commands: { deploy: "./roll.sh {{instances}} {{version}}", teardown: "./stop.sh {{instances}}" } }
  production:
    url: https://example.com
    production: true
    staging: staging
    strategy: canary
    health: [*health]
    smoke: { run: ["./smoke.sh", "{{version}}"], shell: false }
    validation_window: 5m
    monitor: 10m
    monitor_interval: 30s
    hooks:
      backup: ./backup.sh
      migrate: ./migrate.sh
      on_rollback: [{ name: flag, run: ./flag-off.sh }]
      on_success: ./done.sh
    variables: { region: eu }
    control: { max_wait_in_job: 5m, poll_interval: 10s }
    on_orphan: resume
`;

  it('the config that uses most of the schema loads', () => accepts(kitchenSink));

  /** Each key of the text, where it is written. */
  function keysOf(text: string): Array<{ key: string; offset: number }> {
    const keys: Array<{ key: string; offset: number }> = [];
    const walk = (node: unknown): void => {
      if (isMap(node))
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          if (isScalar(pair.key) && typeof pair.key.value === 'string')
            keys.push({ key: pair.key.value, offset: (pair.key as Node).range![0] });
          walk(pair.value);
        }
      else if (isSeq(node)) node.items.forEach(walk);
    };
    walk(parseDocument(text).contents);
    return keys;
  }

  /** Two neighbouring letters swapped (the commonest slip), or the last dropped where they are equal. */
  function misspelt(key: string): string {
    for (let index = 1; index + 1 < key.length; index++)
      if (key[index] !== key[index + 1] && /[a-z]/.test(key[index]!) && /[a-z]/.test(key[index + 1]!))
        return key.slice(0, index) + key[index + 1] + key[index] + key.slice(index + 2);
    return key.slice(0, -1);
  }

  it('every key misspelt is refused at that key with "did you mean", or is a name of the author’s own', () => {
    const keys = keysOf(kitchenSink).filter(({ key }) => !key.startsWith('x-'));
    assert.ok(keys.length > 80, `only ${keys.length} keys`);
    const silent: string[] = [];
    for (const { key, offset } of keys) {
      const text = kitchenSink.slice(0, offset) + misspelt(key) + kitchenSink.slice(offset + key.length);
      const result = parseConfig(text, 'deploy.yml');
      // A name of the author's own (an environment, a variable, a slot list's item) may be anything.
      if (result.ok) continue;
      const errors = result.errors.map(formatConfigError);
      // A renamed environment is named at the reference to it, with the new name as the likely one.
      const meant = [`did you mean "${key}"?`, `did you mean "${misspelt(key)}"?`];
      if (!errors.some((error) => meant.some((words) => error.includes(words))))
        silent.push(`${key}: ${errors.join(' | ')}`);
    }
    assert.deepEqual(silent, []);
  });
});

describe('odd but valid', () => {
  const valid: Array<[string, string]> = [
    // A CR alone ends a line in YAML; it was read as part of the line, and the file as one line of errors.
    ['old Mac line ends (CR alone)', `${TARGET}environments:\n  production: {}\n`.replace(/\n/g, '\r')],
    ['Windows line ends', `${TARGET}environments:\n  production: {}\n`.replace(/\n/g, '\r\n')],
    ['a byte order mark', `\uFEFF${TARGET}environments:\n  production: {}\n`],
    ['a document start and end marker', `---\n${TARGET}environments:\n  production: {}\n...\n`],
    ['a %YAML 1.2 directive', `%YAML 1.2\n---\n${TARGET}environments:\n  production: {}\n`],
    ['a tab between a key and its value', `${TARGET}environments:\n  production:\t{}\n`],
    ['a duration with a fraction', env('    monitor: 1.5m\n')],
    ['a duration of 0 and of 0s', env('    monitor: 0\n    validation_window: 0s\n')],
    [
      'a whole number written 4.0 or 1e1',
      env('    strategy: { type: rolling, instances: 1e1, max_surge: 4.0 }\n'),
    ],
    [
      'a percentage of 0% and of 100%',
      env('    strategy: { type: rolling, instances: 4, max_surge: 100%, max_unavailable: 0% }\n'),
    ],
    ['!!str on a number', env('    variables: { build: !!str 0012 }\n')],
    [
      'environment names with dots, dashes and underscores',
      `${TARGET}environments:\n  eu-west_1.prod: {}\n  7: {}\n`,
    ],
    [
      'one alias used many times',
      `${TARGET}x-h: &h http://127.0.0.1/health\nenvironments:\n  a: { health: *h }\n  b: { health: *h }\n  c: { health: { url: *h } }\n`,
    ],
    ['a tab and a lone CR inside a quoted value', env('    variables: { a: "x\\ty" }\n')],
  ];
  for (const [name, text] of valid) it(name, () => accepts(text));

  it('with CRLF line ends, an error at a line end is at the column after its last character, not one further', () => {
    // A flow mapping opened inside a flow sequence (found by the config fuzz): YAML reports one error at the
    // line's "\n", which follows the "\r".
    const lines = [
      'gates:',
      '  review:',
      '    changelog_skip_labels: [ skip-chang{elog, dependencies ] # optional',
      ...TARGET.split('\n').slice(0, -1),
      'environments:',
      '  production: {}',
    ];
    const text = `${lines.join('\r\n')}\r\n`;
    const located = errorsOf(text).map((error) =>
      /^deploy\.yml:(\d+):(\d+)/.exec(error)!.slice(1).map(Number),
    );
    assert.ok(
      located.some(([line, column]) => line === 3 && column === lines[2]!.length + 1),
      `an error at the end of line 3: ${JSON.stringify(located)}`,
    );
    for (const [line, column] of located)
      assert.ok(
        column! <= lines[line! - 1]!.length + 1,
        `column ${column} past line ${line}: ${JSON.stringify(lines[line! - 1])}`,
      );
  });

  it('a CR alone keeps errors at their line and column', () => {
    const text = `${TARGET}environments:\n  production: { urll: x }\n`.replace(/\n/g, '\r');
    assert.deepEqual(
      errorsOf(text).map((error) => error.split(': environments')[0]),
      ['deploy.yml:7:17'],
    );
  });
});
