// Mistakes platform teams make when writing .github/deploy.yml by hand: each is refused at the place it is
// made, with what was wrong and what is allowed, or read as its author meant it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolvePolicy } from '../../../src/policy/resolve.ts';

/** The formatted errors for a config text, or a failed assertion when it loads. */
function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const TARGET = ['target:', '  commands:', '    deploy: ./deploy.sh {{version}}'].join('\n');

describe('YAML traps', () => {
  it('a lone "*" or "&" is named as the alias or anchor it starts, with the quoted form', () => {
    const text = `${TARGET}
environments:
  production:
    approvals:
      deployers: [*]
      approvers: &
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:7:19: environments.production.approvals.deployers[0]: "*" here starts a YAML alias (*name) with no name; to write the character itself, quote it: "*"',
      'deploy.yml:8:18: environments.production.approvals.approvers: "&" here starts a YAML anchor (&name) with no name; to write the character itself, quote it: "&"',
    ]);
  });

  const template =
    'a value that starts with "{{" is a mapping in YAML, not text: put the whole value in quotes ("{{version}} ...")';

  it('a template at the start of an unquoted value is named as one, not as a mapping key', () => {
    // Was "a key must be a plain value, not a mapping or a list" and "Unexpected scalar at node end".
    assert.deepEqual(
      errorsOf('target:\n  commands:\n    deploy: {{version}}\nenvironments:\n  production: {}\n'),
      [`deploy.yml:3:14: target.commands.deploy: ${template}`],
    );
    assert.deepEqual(
      errorsOf('target:\n  commands:\n    deploy: [./d.sh, {{version}}]\nenvironments:\n  production: {}\n'),
      [`deploy.yml:3:23: target.commands.deploy[1]: ${template}`],
    );
    assert.deepEqual(errorsOf(`${TARGET}\n    health: {{base}}/health\nenvironments:\n  production: {}\n`), [
      `deploy.yml:4:21: target.commands.health: ${template}`,
    ]);
    // Quoted, it is the template it looks like.
    assert.equal(
      parseConfig(
        'target:\n  commands:\n    deploy: [./d.sh, "{{version}}"]\nenvironments:\n  production: {}\n',
        'deploy.yml',
      ).ok,
      true,
    );
  });

  it('a template outside quotes inside { ... } is named once, not as a dozen YAML token errors', () => {
    // Was 12 errors ("Unexpected flow-map-start at node end", "Unexpected scalar token in YAML stream", ...)
    // through the next line, none naming the template.
    const text = `environments:
  production:
    strategy: canary
    target: { commands: { deploy: ./d.sh, set_weight: ./w.sh {{weight}} } }
  staging: { strategy: canary }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:4:62: environments.production.target.commands.set_weight: inside { ... } or [ ... ], a "{{" outside quotes is read by YAML as a mapping, not text: put the value in quotes (deploy: "./deploy.sh {{version}}")',
    ]);
    // A "{{" in quotes or in a comment is not the cause of a YAML error on its line.
    assert.deepEqual(
      errorsOf(`${TARGET}\nenvironments:\n  production: { url: "https://{{slot}}" ] # {{x}}\n`).map((e) =>
        e.includes('{{'),
      ),
      [false],
    );
  });

  it('a ": " inside an unquoted value is named at the field, with the quoted form', () => {
    // Was 'target.commands.smoke["echo note"]: Nested mappings are not allowed in compact mappings'.
    assert.deepEqual(errorsOf(`${TARGET}\n    smoke: echo note: done\nenvironments:\n  production: {}\n`), [
      'deploy.yml:4:12: target.commands.smoke: a ": " (a colon and a space) inside this value starts a mapping in YAML: put the whole value in quotes',
    ]);
  });

  it('a top-level x- key holds an anchor (the docker-compose convention); elsewhere, where it may go is said', () => {
    const text = `${TARGET}
x-common: &common
  monitor: 10m
  health: http://127.0.0.1:8080/health
x-notes: [anything, { at: all }]
environments:
  production: *common
`;
    const loaded = parseConfig(text, 'deploy.yml');
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.map(formatConfigError).join('\n'));
    assert.equal(loaded.config.environments.production!.health, 'http://127.0.0.1:8080/health');
    assert.ok(!('x-common' in loaded.config) && !('x-notes' in loaded.config));
    // Was 'unknown key "x-common": did you mean "target"?'. A top-level key without the prefix says to add it.
    assert.deepEqual(errorsOf(text.replace('x-common:', 'common:')), [
      'deploy.yml:4:1: common: unknown key "common" (allowed here: version, preset, state_dir, target, strategies, environments, gates, analysis, approvals, reconcile, notifications); to keep a value here only to hold a YAML anchor (&common), start its key with "x-" (x-common): deploy-action ignores top-level keys starting with "x-"',
    ]);
    // Below the top level, an x- key is no extension key: it is named as allowed only at the top level.
    assert.deepEqual(
      errorsOf(`${TARGET}\nenvironments:\n  production:\n    x-base: &base 1\n    strategy: direct\n`),
      [
        'deploy.yml:6:5: environments.production.x-base: unknown key "x-base": keys starting with "x-" (your own, such as one holding a YAML anchor) are allowed only at the top level of the file (allowed here: url, production, strategy, staging, target, health, smoke, ready_timeout, pre_deploy_health, validation_window, monitor, monitor_interval, hooks, variables, gates, analysis, approvals, control, on_orphan, notifications)',
      ],
    );
    // Where it is first used, the anchor works too.
    const used = `${TARGET}
environments:
  staging: &common
    strategy: direct
  production: *common
`;
    assert.equal(parseConfig(used, 'deploy.yml').ok, true);
  });

  it('an empty list of health checks is named as that, not as an argv without a program', () => {
    // Was 'an argv list needs at least the program', at both places.
    const message =
      'an empty list of health checks checks nothing: list at least one (an http(s) URL, an HTTP check { url, ... } or a command), or leave "health" out';
    assert.deepEqual(errorsOf(`${TARGET}\n    health: []\nenvironments:\n  production:\n    health: []\n`), [
      `deploy.yml:4:13: target.commands.health: ${message}`,
      `deploy.yml:7:13: environments.production.health: ${message}`,
    ]);
    // An empty argv where a command is expected keeps its own message.
    assert.deepEqual(errorsOf(`${TARGET}\n    smoke: []\nenvironments:\n  production: {}\n`), [
      'deploy.yml:4:12: target.commands.smoke: an argv list needs at least the program',
    ]);
  });
});

describe('numbers out of range', () => {
  it('a huge whole number is refused once, by the field’s own bound, not also by 2^53', () => {
    const text = `${TARGET}
environments:
  production:
    strategy: { type: rolling, instances: 99999999999999999999 }
    approvals: { required: -1e30 }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:43: environments.production.strategy.instances: must be at most 10000, got 100000000000000000000',
      'deploy.yml:7:28: environments.production.approvals.required: must be at least 0, got -1e+30',
    ]);
  });
});

describe('look-alike characters', () => {
  it('a key that reads right but holds a non-ASCII or invisible character names the character and where it is', () => {
    const text = `${TARGET}
environments:
  production:
    str\u0430tegy: canary
    monitor\u200b: 1h
  prod\u03c5ction: {}
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:5: environments.production["str\u0430tegy"]: unknown key "str\u0430tegy" (character 4 is U+0430, not ASCII): did you mean "strategy"? (allowed here: url, production, strategy, staging, target, health, smoke, ready_timeout, pre_deploy_health, validation_window, monitor, monitor_interval, hooks, variables, gates, analysis, approvals, control, on_orphan, notifications)',
      // An invisible one (a name copied from a job summary) is shown as its escape, and what the key reads without it.
      'deploy.yml:7:5: environments.production["monitor\\u200b"]: unknown key: the name "monitor\\u200b" contains an invisible character (U+200B) at position 8, probably copied from a job summary, which breaks long names with one: without it, it reads "monitor" (allowed here: url, production, strategy, staging, target, health, smoke, ready_timeout, pre_deploy_health, validation_window, monitor, monitor_interval, hooks, variables, gates, analysis, approvals, control, on_orphan, notifications)',
      'deploy.yml:8:3: environments["prod\u03c5ction"]: invalid key "prod\u03c5ction" (character 5 is U+03C5, not ASCII): environment names use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });
});

describe('approvals.requires that could never be met', () => {
  it('refuses environments that require each other, at the first one’s entry', () => {
    const text = `${TARGET}
environments:
  a:
    approvals: { requires: b }
  b:
    approvals: { requires: [a] }
  production:
    approvals: { requires: [a, canary] }
  canary:
    approvals: { requires: production }
`;
    assert.deepEqual(errorsOf(text), [
      "deploy.yml:6:28: environments.a.approvals.requires: environments require each other's prior deployment in a cycle: a -> b -> a; none of them could ever deploy a new commit",
      "deploy.yml:10:32: environments.production.approvals.requires[1]: environments require each other's prior deployment in a cycle: production -> canary -> production; none of them could ever deploy a new commit",
    ]);
  });

  it('a top-level requires is for the environments it does not name; naming two of them makes a cycle', () => {
    const text = `${TARGET}
approvals:
  requires: [staging]
environments:
  staging: {}
  production: {}
`;
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(resolvePolicy(result.config, 'staging').requires, []);
    assert.deepEqual(resolvePolicy(result.config, 'production').requires, ['staging']);
    const cycle = `${TARGET}
approvals:
  requires: [staging, qa]
environments:
  staging: {}
  qa: {}
  production: {}
`;
    assert.deepEqual(errorsOf(cycle), [
      "deploy.yml:5:23: approvals.requires[1]: environments require each other's prior deployment in a cycle: staging -> qa -> staging; none of them could ever deploy a new commit",
    ]);
  });

  it('accepts a chain of prior environments, and an environment required by several', () => {
    const text = `${TARGET}
environments:
  dev: {}
  staging:
    approvals: { requires: dev }
  canary:
    approvals: { requires: [dev, staging] }
  production:
    approvals: { requires: [staging, canary] }
`;
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok, JSON.stringify(result));
  });
});

describe('YAML 1.1 readings', () => {
  it('refuses a whole number with a leading zero, which YAML 1.1 tools read as octal', () => {
    const text = `${TARGET}
environments:
  production:
    strategy: { type: rolling, instances: 010 }
    approvals: { required: 02 }
    variables: { build: "0012", n: 0 }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:43: environments.production.strategy.instances: the number 010 has a leading zero: YAML 1.1 tools read it as the octal number 8, this reader as 10: write 10 for the number, or quote it ("010") for text',
      'deploy.yml:7:28: environments.production.approvals.required: the number 02 has a leading zero: write 2 for the number, or quote it ("02") for text',
    ]);
  });

  it('reads yes, no, on, off and 12:30 as the text they are, where text is expected', () => {
    const text = `${TARGET}
environments:
  production:
    variables: { flag: yes, mode: off, at: 12:30 }
    approvals:
      windows: [{ days: [mon], start: 09:00, end: 17:30 }]
`;
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok, JSON.stringify(result));
    const production = result.config.environments.production!;
    assert.deepEqual(production.variables, { flag: 'yes', mode: 'off', at: '12:30' });
    assert.deepEqual(production.approvals?.windows, [{ days: ['mon'], start: '09:00', end: '17:30' }]);
  });
});

describe('canary weights', () => {
  const SET_WEIGHT = `${TARGET}\n    set_weight: ./weight.sh {{slot}} {{weight}}`;

  it('refuses steps written as fractions (0.07 for 7%), which read as 1% of traffic at most', () => {
    const text = `${SET_WEIGHT}
strategies:
  canary:
    steps: [{ weight: 0.07 }, 0.5, 1]
environments:
  production:
    strategy: { type: canary, steps: [0.01, 0.1, 0.5, 1] }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:7:23: strategies.canary.steps[0].weight: weights are percentages of traffic (0 to 100), and no step here is above 1: 0.07 is 0.07% of traffic, not 7%; write the percentages (7, 50, 100)',
      'deploy.yml:10:39: environments.production.strategy.steps[0]: weights are percentages of traffic (0 to 100), and no step here is above 1: 0.01 is 0.01% of traffic, not 1%; write the percentages (1, 10, 50, 100)',
    ]);
  });

  it('accepts a fraction of one percent among larger steps', () => {
    const text = `${SET_WEIGHT}
environments:
  production:
    strategy: { type: canary, steps: [0.5, 1, 5, 25] }
`;
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.environments.production?.strategy, {
      type: 'canary',
      steps: [0.5, 1, 5, 25],
    });
  });
});

describe('deploy windows and freezes', () => {
  it('a malformed time or date is refused once, not also as "must be later than" its partner', () => {
    const text = `${TARGET}
approvals:
  windows:
    - { days: [fri], start: "10", end: "12:00" }
  freezes:
    - { from: 2026-12-24, to: 2026-12-27T00:00, reason: holidays }
    - { from: "2026-12-30T00:00Z", to: "2026-12-29T00:00Z", reason: typo }
environments:
  production: {}
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:29: approvals.windows[0].start: must be a 24-hour time "HH:MM" such as "10:00" ("24:00" for the end of the day)',
      'deploy.yml:8:15: approvals.freezes[0].from: must be an ISO date-time such as "2025-12-24T18:00:00Z", "2025-12-24T18:00+01:00" or "2025-12-24T18:00" (read in the policy time zone)',
      'deploy.yml:9:40: approvals.freezes[1].to: must be later than from',
    ]);
  });
});

describe('health checks', () => {
  it('refuses an HTTP check timeout of 0, which failed every check at once', () => {
    const text = `${TARGET}
    health: { url: "https://app.example.com/health", timeout: 0 }
environments:
  production: {}
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:4:63: target.commands.health.timeout: 0 is too short: at least 1ms here',
    ]);
  });

  it('an empty health check says it is empty and what it can be, in a list of checks too', () => {
    // Was 'must match /^https?:\/\//, got the string ""', and in the list 'health[0]: expected a string, got a
    // mapping' (the list read as one argv command).
    const text = `${TARGET}
environments:
  production:
    health: ""
  staging:
    health: [{ url: "https://app.example.com/health" }, ""]
`;
    const empty =
      'is empty: write an http(s) URL, an HTTP check { url, ... } or a command (exit 0 is healthy)';
    assert.deepEqual(errorsOf(text), [
      `deploy.yml:6:13: environments.production.health: ${empty}`,
      `deploy.yml:8:57: environments.staging.health[1]: ${empty}`,
    ]);
  });

  it('explains a mistake in an HTTP check as one, not as a command missing "run"', () => {
    const text = `${TARGET}
environments:
  production:
    health:
      url: https://app.example.com/health
      expect_status: "200"
      timeout: 5
  staging:
    health: [{ url: "https://staging.example.com/health", timeout: 0s }]
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:8:22: environments.production.health.expect_status: expected a number or a list, got the string "200": write 200 without quotes for a number',
      'deploy.yml:9:16: environments.production.health.timeout: expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), got the number 5: a duration needs its unit, such as "5ms", "5s" or "5m"',
      'deploy.yml:11:68: environments.staging.health[0].timeout: "0s" is too short: at least 1ms here',
    ]);
  });
});

describe('numbers and booleans where text is expected', () => {
  it('names the number as written, and says to quote it', () => {
    const text = `${TARGET}
  env: { REPLICAS: 3, DEBUG: true }
environments:
  production:
    variables: { release: 1.10, size: 1e3 }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:4:20: target.env.REPLICAS: expected a string, got the number 3: put the value in quotes to keep it as text, exactly as written',
      'deploy.yml:4:30: target.env.DEBUG: expected a string, got the boolean true: put the value in quotes to keep it as text, exactly as written',
      'deploy.yml:7:27: environments.production.variables.release: expected a string, got the number 1.10 (read as 1.1): put the value in quotes to keep it as text, exactly as written',
      'deploy.yml:7:39: environments.production.variables.size: expected a string, got the number 1e3 (read as 1000): put the value in quotes to keep it as text, exactly as written',
    ]);
  });
});

describe('durations written another common way', () => {
  it('says the accepted form of "5 m", "5min", "1h 30m", "PT5M", "2 hours" and "0 s"', () => {
    const text = `${TARGET}
environments:
  production:
    monitor: 5 m
    validation_window: 5min
    strategy: { type: canary, pause: 1h 30m, steps: [{ weight: 10, pause: PT5M }] }
    approvals: { expires_after: 2 hours }
    control: { max_wait_in_job: 0 s }
`;
    const use = 'use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0';
    assert.deepEqual(errorsOf(text), [
      `deploy.yml:6:14: environments.production.monitor: invalid duration "5 m" (write "5m"): ${use}`,
      `deploy.yml:7:24: environments.production.validation_window: invalid duration "5min" (write "5m"): ${use}`,
      `deploy.yml:8:38: environments.production.strategy.pause: invalid duration "1h 30m" (write "90m"): ${use}`,
      'deploy.yml:8:75: environments.production.strategy.steps[0].pause: expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), 0, or "manual" (wait for /promote), got the string "PT5M": write "5m"',
      `deploy.yml:9:33: environments.production.approvals.expires_after: invalid duration "2 hours" (write "2h"): ${use}`,
      `deploy.yml:10:33: environments.production.control.max_wait_in_job: invalid duration "0 s" (write "0s"): ${use}`,
    ]);
  });

  it('suggests nothing for what is not clearly a duration', () => {
    const text = `${TARGET}
environments:
  production:
    monitor: soon
    validation_window: "90"
`;
    const use = 'use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0';
    assert.deepEqual(errorsOf(text), [
      `deploy.yml:6:14: environments.production.monitor: invalid duration "soon": ${use}`,
      `deploy.yml:7:24: environments.production.validation_window: invalid duration "90" (a duration needs its unit, such as "90s", "90m" or "90h"): ${use}`,
    ]);
  });

  it('a number or true/false where a duration is expected says so, and the unit a number lacks', () => {
    // Was "expected a string or 0, got the number 600": nothing said the field is a duration or what was missing.
    const text = `${TARGET}
gates:
  tests: { command: npm test, timeout: 600 }
analysis:
  providers: { probe: { type: http, url: "https://app.example.com/" } }
  metrics: { errors: { provider: probe } }
  checks: [{ check: "errors < 5", for: 300 }]
environments:
  production:
    monitor: 3600
    strategy: { type: canary, pause: 0.5, steps: [{ weight: 10, pause: 120 }, 100] }
    control: { max_wait_in_job: -5 }
  staging:
    strategy: { type: blue-green, analysis_before_switch: true }
`;
    const duration =
      'expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d)';
    assert.deepEqual(errorsOf(text), [
      `deploy.yml:5:40: gates.tests.timeout: ${duration}, or 0, got the number 600: a duration needs its unit, such as "600s" or "600m" (the gate blocks when it has not decided by then)`,
      `deploy.yml:9:40: analysis.checks[0].for: ${duration}, or 0, got the number 300: a duration needs its unit, such as "300s", "300m" or "300h" (the condition must be violated this long before it fires (a single spike does not). Default 0)`,
      `deploy.yml:12:14: environments.production.monitor: ${duration}, or 0, got the number 3600: a duration needs its unit, such as "3600s" or "3600m"`,
      `deploy.yml:13:38: environments.production.strategy.pause: ${duration}, or 0, got the number 0.5: a duration needs its unit, such as "0.5s", "0.5m" or "0.5h" (how long each step is analysed unless the step sets its own pause (also the analysis of a "pause: manual" step). A duration up to 1d, 0 for none)`,
      `deploy.yml:13:72: environments.production.strategy.steps[0].pause: ${duration}, 0, or "manual" (wait for /promote), got the number 120: a duration needs its unit, such as "120s" or "120m" (how long the step is analysed before the next; "manual": analyse for the default pause, then wait for one /promote by a deployer)`,
      `deploy.yml:14:33: environments.production.control.max_wait_in_job: ${duration}, or 0, got the number -5: a duration cannot be negative (how long the job itself waits at a manual step, an approval or a pause before it hands the rollout off (the job ends; a /promote or the reconcile run starts a new run). Default 5m, at most 6h; 0 hands off at once)`,
      `deploy.yml:16:59: environments.staging.strategy.analysis_before_switch: ${duration}, or 0, got the boolean true (analyse the idle slot for this long before the switch (with the HTTP prober, which sends its own traffic). Default 0: health checks only)`,
    ]);
  });
});

describe('yes, no, on and off', () => {
  it('where true or false is expected, says YAML 1.2 reads them as text', () => {
    const text = `${TARGET}
  shell: yes
environments:
  production:
    production: On
    approvals: { allow_self_approval: no }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:4:10: target.shell: expected true or false, got the string "yes": YAML 1.2 reads yes as text, not as true; write true or false',
      'deploy.yml:7:17: environments.production.production: expected true or false, got the string "On": YAML 1.2 reads On as text, not as true; write true or false',
      'deploy.yml:8:39: environments.production.approvals.allow_self_approval: expected true or false, got the string "no": YAML 1.2 reads no as text, not as false; write true or false',
    ]);
  });
});

describe('canary weights written as percentages', () => {
  it('says a weight is a number, not "25%"', () => {
    const text = `${TARGET}
    set_weight: ./weight.sh {{slot}} {{weight}}
environments:
  production:
    strategy: { type: canary, steps: ["5%", 25] }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:7:39: environments.production.strategy.steps[0]: expected a number or a mapping, got the string "5%" (a traffic weight in percent, as a number (25, not "25%"), or { weight, pause, approval })',
    ]);
  });
});

describe('analysis names', () => {
  it('a provider or metric named like an object built-in is unknown, not found on the prototype', () => {
    const text = `${TARGET}
    set_weight: ./weight.sh {{slot}} {{weight}}
environments:
  production:
    strategy: canary
    analysis:
      providers:
        prom: { type: prometheus, url: "http://prom:9090" }
      metrics:
        error_rate: { provider: toString, query: "x" }
      checks:
        - check: constructor < 0.01
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:12:33: environments.production.analysis.metrics.error_rate.provider: unknown provider "toString"; defined: prom',
      'deploy.yml:14:11: environments.production.analysis.checks[0]: check uses metric "constructor", which is not defined in analysis.metrics',
    ]);
  });
});

describe('an empty value where a mapping is expected', () => {
  it('says to write {}', () => {
    const text = `${TARGET}
environments:
  production:
  staging: {}
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:5:3: environments.production: expected a mapping, got an empty value: write {} for an empty mapping',
    ]);
  });
});

describe('a misspelt required key', () => {
  it('is one error, the unknown key with its suggestion, not also "missing required key"', () => {
    const text = `${TARGET}
enviroments:
  production: {}
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:4:1: enviroments: unknown key "enviroments": did you mean "environments"? (allowed here: version, preset, state_dir, target, strategies, environments, gates, analysis, approvals, reconcile, notifications)',
    ]);
  });

  it('still says a required key is missing when no unknown key stands for it', () => {
    const text = `${TARGET}
environments:
  production:
    hooks:
      on_rollback:
        - { name: flags, command: ./flags.sh off }
        - { name: config }
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:8:11: environments.production.hooks.on_rollback[0]: missing required key "run"',
      'deploy.yml:8:26: environments.production.hooks.on_rollback[0].command: unknown key "command": a level\'s command is written run: (run: "./flags off new-checkout") (allowed here: name, run, verify)',
      'deploy.yml:9:11: environments.production.hooks.on_rollback[1]: missing required key "run"',
    ]);
  });
});

describe('a key written where it does not belong (rollback levels: semantics.test.ts)', () => {
  it('keeps the plain message for a key with no hint, and the hint for that schema only', () => {
    const text = `${TARGET}
environments:
  production:
    hooks:
      timeout: 1m
`;
    const errors = errorsOf(text);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /hooks\.timeout: unknown key "timeout" \(allowed here: /);
  });
});

describe('analysis settings that could never work', () => {
  it('refuses a timeout of 0 and a range of no time, which fail every interval', () => {
    const text = `${TARGET}
environments:
  production:
    analysis:
      providers:
        prom: { type: prometheus, url: http://127.0.0.1:9090, timeout: 0 }
        probe: { type: http, url: http://127.0.0.1:8080/, timeout: 0 }
      metrics:
        error_rate: { provider: prom, query: x, range: { window: 0, step: 0 } }
`;
    const errors = errorsOf(text);
    for (const path of [
      'environments.production.analysis.providers.prom.timeout',
      'environments.production.analysis.providers.probe.timeout',
      'environments.production.analysis.metrics.error_rate.range.window',
      'environments.production.analysis.metrics.error_rate.range.step',
    ])
      assert.ok(
        errors.some((e) => e.includes(`${path}: `) && /at least 1ms/.test(e)),
        `${path}:\n${errors.join('\n')}`,
      );
  });

  it('refuses checks the metric can never hold, which would roll back every deployment', () => {
    const refused = [
      'error_rate < 0',
      'p95 < 0x baseline',
      'success_rate > 100%',
      'error_rate >= 1.5',
      'requests < 0',
    ];
    for (const check of refused) {
      const text = `${TARGET}
environments:
  production:
    analysis:
      checks:
        - check: "${check}"
`;
      assert.match(
        errorsOf(text).join('\n'),
        new RegExp(
          `checks\\[0\\]\\.check: check "${check.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" can never hold: `,
        ),
        check,
      );
    }
    // What can hold is accepted, and a metric the name says nothing about is judged as written.
    for (const check of ['health >= 1', 'error_rate <= 0', 'success_rate > 99%', 'queue_depth < 0']) {
      const text = `${TARGET}
environments:
  production:
    analysis:
      providers: { script: { type: command, run: ./metrics.sh } }
      metrics:
        health: { provider: script }
        error_rate: { provider: script }
        success_rate: { provider: script }
        queue_depth: { provider: script }
      checks:
        - check: "${check}"
`;
      const result = parseConfig(text, 'deploy.yml');
      assert.ok(
        result.ok,
        `${check}: ${JSON.stringify(result.ok ? '' : result.errors.map(formatConfigError))}`,
      );
    }
  });
});

describe('a health URL whose host is {{instances}}', () => {
  // {{instances}} is the batch's instances joined by commas, and in verify and the monitor window every
  // instance: "http://{{instances}}.fleet/health" became http://web-1%2Cweb-2.fleet/health, no host at all, so
  // every deployment of more than one instance failed its verify and was rolled back.
  const fleet = (instances: string, url: string) => `target:
  commands:
    deploy: ./roll.sh {{instances}} {{version}}
    health: { url: "${url}" }
environments:
  production:
    strategy: { type: rolling, instances: ${instances} }
`;
  it('is refused for more than one instance, with what to write instead', () => {
    assert.deepEqual(errorsOf(fleet('[web-1, web-2]', 'http://{{ instances }}.fleet.internal/health')), [
      'deploy.yml:4:20: target.commands.health.url: {{instances}} is the instances joined by commas (web-1,web-2 of environment "production" in verify and the monitor window, every instance): in the host of a URL it names no server, so every check would fail; check each instance with a command (health: ./check.sh {{instances}}), or put {{instances}} in the path or query of one address',
    ]);
    assert.equal(
      errorsOf(fleet('3', 'https://user@{{instances}}:8443/health')).length,
      1,
      'a count of instances, and a host after user info and before a port',
    );
  });
  it('is accepted for one instance, and in the path or query', () => {
    for (const text of [
      fleet('[web-1]', 'http://{{instances}}.fleet.internal/health'),
      fleet('[web-1, web-2]', 'http://lb.internal/health?instances={{instances}}'),
      fleet('[web-1, web-2]', 'http://lb.internal/{{instances}}/health'),
    ])
      assert.ok(parseConfig(text, 'deploy.yml').ok, text);
  });
  it("says which environment it is judged for when the URL is a shared target's", () => {
    // Two rolling environments sharing the target were two errors at the same place that named neither.
    const errors = errorsOf(
      fleet('[web-1, web-2]', 'http://{{instances}}.fleet.internal/health').replace(
        'environments:\n',
        'environments:\n  staging:\n    strategy: { type: rolling, instances: [s-1, s-2] }\n',
      ),
    );
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /\(s-1,s-2 of environment "staging" in verify/);
    assert.match(errors[1]!, /\(web-1,web-2 of environment "production" in verify/);
  });
  it("is not judged in an environment whose own health checks replace the target's", () => {
    // The shared target's URL serves the one-instance environment; the fleet has its own health, which replaces
    // the target's (docs/config.md), so the target's URL is never checked there. It was refused all the same.
    const text = `target:
  commands:
    deploy: ./roll.sh {{instances}} {{version}}
    health: { url: "http://{{instances}}.fleet.internal/health" }
environments:
  canary-box:
    strategy: { type: rolling, instances: [web-1] }
  production:
    strategy: { type: rolling, instances: [web-1, web-2, web-3] }
    health: { url: "http://lb.internal/health" }
`;
    const loaded = parseConfig(text, 'deploy.yml');
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    // Still refused where the target's check is the one run.
    assert.equal(errorsOf(text.replace('    health: { url: "http://lb.internal/health" }\n', '')).length, 1);
  });
});

describe('a secret written where the name of its variable goes (url for url_env)', () => {
  // A webhook's URL written under "url" was two errors, an unknown key with no suggestion and a missing
  // "url_env", neither saying that the config takes the variable's name, never the secret. A Slack channel's
  // "webhook_url" was also "needs token_env or webhook_url_env" beside it.
  it('is one error at the key, saying to name the variable, without echoing the value', () => {
    const errors = errorsOf(`${TARGET}
environments:
  production: {}
notifications:
  channels:
    audit: { type: webhook, url: "https://hooks.example.com/x?token=hunter2hunter2", secret_env: AUDIT_SECRET }
    ops: { type: slack, webhook_url: "https://hooks.slack.com/services/T0/B0/hunter2hunter2" }
`);
    assert.deepEqual(
      errors.map((line) => line.replace(/ \(allowed here: .*\)$/, '')),
      [
        'deploy.yml:8:29: notifications.channels.audit.url: unknown key "url": the config takes the name of the environment variable holding it, as "url_env" (its value never belongs in the repository)',
        'deploy.yml:9:25: notifications.channels.ops.webhook_url: unknown key "webhook_url": the config takes the name of the environment variable holding it, as "webhook_url_env" (its value never belongs in the repository)',
      ],
    );
    assert.ok(errors.every((line) => !line.includes('hunter2')));
  });

  it('a Slack channel with neither written still says it needs one of them', () => {
    assert.deepEqual(
      errorsOf(`${TARGET}
environments:
  production: {}
notifications:
  channels:
    ops: { type: slack, channel: C0123 }
`),
      [
        'deploy.yml:8:10: notifications.channels.ops: needs token_env (a bot token, with channel) or webhook_url_env (an incoming webhook)',
      ],
    );
  });
});
