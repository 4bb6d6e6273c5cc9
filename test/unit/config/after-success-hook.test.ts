// hooks.after_success in deploy.yml: what it accepts and resolves to, and the one-line error (file, position,
// path, what to write) for each way of getting it wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';

const config = (hook: string) =>
  `target:
  commands:
    deploy: ./deploy.sh {{version}}
environments:
  production:
    hooks:
      after_success:
${hook}`;

function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('hooks.after_success', () => {
  it('resolves to its delay in milliseconds and its command, as any hook (argv, no shell unless asked)', () => {
    const result = parseConfig(
      config(
        '        after: 24h\n        run: npm run migrate:cleanup -- --env={{environment}}\n        timeout: 30m\n',
      ),
      'deploy.yml',
    );
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    const hook = resolveEnvironment(result.config, 'production').hooks.afterSuccess;
    assert.equal(hook?.afterMs, 24 * 3_600_000);
    assert.deepEqual(hook?.command.argv, ['npm', 'run', 'migrate:cleanup', '--', '--env={{environment}}']);
    assert.equal(hook?.command.shell, false);
    assert.equal(hook?.command.timeoutMs, 30 * 60_000);
    assert.equal(hook?.command.source, 'environments.production.hooks.after_success');
  });

  it('a delay of 30 days is allowed (compared with the record, never a timer)', () => {
    const result = parseConfig(config('        after: 30d\n        run: ./cleanup.sh\n'), 'deploy.yml');
    assert.ok(result.ok);
    assert.equal(
      resolveEnvironment(result.config, 'production').hooks.afterSuccess?.afterMs,
      30 * 86_400_000,
    );
  });

  const bad: Array<[string, string, string]> = [
    [
      'a duration written in words',
      '        after: 24 hours\n        run: ./cleanup.sh\n',
      'deploy.yml:8:16: environments.production.hooks.after_success.after: invalid duration "24 hours" (write "1d")',
    ],
    [
      'shorter than a minute',
      '        after: 30s\n        run: ./cleanup.sh\n',
      'deploy.yml:8:16: environments.production.hooks.after_success.after: "30s" is too short: at least 1m here',
    ],
    [
      'longer than 30 days',
      '        after: 31d\n        run: ./cleanup.sh\n',
      'deploy.yml:8:16: environments.production.hooks.after_success.after: "31d" is too long',
    ],
    [
      // Neither "or 0" (0 is refused here) nor "3600h" (past 30 days) is offered.
      'a number without its unit',
      '        after: 3600\n        run: ./cleanup.sh\n',
      'deploy.yml:8:16: environments.production.hooks.after_success.after: expected a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), got the number 3600: a duration needs its unit, such as "3600s" or "3600m" (',
    ],
    [
      'a quoted number without its unit',
      '        after: "30"\n        run: ./cleanup.sh\n',
      'deploy.yml:8:16: environments.production.hooks.after_success.after: invalid duration "30" (a duration needs its unit, such as "30m" or "30h"): use a number followed by ms, s, m, h or d',
    ],
    [
      'no delay',
      '        run: ./cleanup.sh\n',
      'deploy.yml:8:9: environments.production.hooks.after_success: missing required key "after"',
    ],
    [
      'no command',
      '        after: 24h\n',
      'deploy.yml:8:9: environments.production.hooks.after_success: missing required key "run"',
    ],
    [
      'the delay under another name',
      '        delay: 24h\n        run: ./cleanup.sh\n',
      'environments.production.hooks.after_success.delay: unknown key "delay": the delay is written after: (after: 24h) (allowed here: after, run, shell, timeout, cwd, env)',
    ],
    [
      // Set for the strategy's steps only: it failed a day later, when the hook ran, and was never retried.
      'a value only a strategy step has',
      '        after: 24h\n        run: ./cleanup.sh {{slot}}\n',
      "deploy.yml:9:14: environments.production.hooks.after_success.run: {{slot}} has no value in hooks.after_success: it is set for each step of the strategy (the target's commands), and hooks and smoke run outside them",
    ],
    [
      'an unknown key',
      '        after: 24h\n        run: ./cleanup.sh\n        retries: 2\n',
      'deploy.yml:10:9: environments.production.hooks.after_success.retries: unknown key "retries" (allowed here: after, run, shell, timeout, cwd, env)',
    ],
  ];
  for (const [name, hook, expected] of bad)
    it(`refused: ${name}`, () => {
      const errors = errorsOf(config(hook));
      assert.ok(
        errors.some((e) => e.includes(expected)),
        `expected an error containing:\n  ${expected}\ngot:\n  ${errors.join('\n  ')}`,
      );
    });

  it('a plain command is not a delayed hook: it says where the delay goes', () => {
    const errors = errorsOf(
      config('        ./cleanup.sh\n').replace('after_success:\n        ', 'after_success: '),
    );
    assert.ok(
      errors.some((e) =>
        e.includes(
          'environments.production.hooks.after_success: expected a mapping with the delay and the command, such as { after: 24h, run: "npm run migrate:cleanup" }, got the string "./cleanup.sh"',
        ),
      ),
      errors.join('\n'),
    );
  });
});

describe('hooks and smoke', () => {
  it('refuse the values only a strategy step has, which they never get (a deployment failed on them, after the switch for smoke)', () => {
    const text = `target:
  commands:
    deploy: ./deploy.sh {{version}} {{slot}}
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
    current: ./current.sh
environments:
  production:
    strategy: canary
    smoke: ./smoke.sh {{slot}}
    hooks:
      backup: ./backup.sh {{stable_slot}} {{version}}
      migrate: [./migrate.sh, "{{weight}}"]
      on_success: ./done.sh {{stable_weight}}
      on_rollback: [{ name: flag, run: "./flag-off.sh {{instance_count}}" }]
`;
    const errors = errorsOf(text);
    assert.deepEqual(
      errors.map((e) =>
        /^deploy\.yml:\d+:\d+: (\S+): (\{\{\w+\}\}) has no value in /.exec(e)?.slice(1).join(' '),
      ),
      [
        'environments.production.smoke {{slot}}',
        'environments.production.hooks.migrate[1] {{weight}}',
        'environments.production.hooks.on_success {{stable_weight}}',
        'environments.production.hooks.on_rollback[0].run {{instance_count}}',
      ],
      errors.join('\n'),
    );
    assert.match(errors[0]!, /in the smoke command: .*\{\{stable_slot\}\}: the live slot/);
  });
});
