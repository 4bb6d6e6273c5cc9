import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigLoadError, formatConfigError } from '../../../src/config/errors.ts';
import { loadConfigFile, parseConfig } from '../../../src/config/load.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'config');

/** The formatted errors for a config text, or a failed assertion when it loads. */
function errorsOf(text: string): string[] {
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const TARGET = ['target:', '  commands:', '    deploy: ./deploy.sh {{version}}'].join('\n');

describe('parseConfig: a valid config', () => {
  it('loads a minimal config of a few lines', () => {
    const result = parseConfig(`${TARGET}\nenvironments:\n  production: {}\n`, 'deploy.yml');
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.environments, { production: {} });
    assert.equal(result.config.target?.commands.deploy, './deploy.sh {{version}}');
  });

  it('returns durations in milliseconds and keeps strategy objects', () => {
    const text = `${TARGET}
    set_weight: ./weight.sh {{slot}} {{weight}}
environments:
  production:
    monitor: 5m
    strategy:
      type: canary
      steps: [10, { weight: 50, pause: 30s }]
`;
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok, JSON.stringify(result));
    const production = result.config.environments.production!;
    assert.equal(production.monitor, 300_000);
    assert.deepEqual(production.strategy, { type: 'canary', steps: [10, { weight: 50, pause: 30_000 }] });
  });
});

describe('parseConfig: YAML syntax errors', () => {
  it('reports a duplicate key where the second one is', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production: {}\n  production: {}\n`), [
      'deploy.yml:6:3: environments.production: duplicate key "production": each key may appear only once in a mapping',
    ]);
  });

  it('reports a tab used for indentation', () => {
    assert.deepEqual(errorsOf('environments:\n\tproduction: {}\n'), [
      'deploy.yml:2:1: tabs are not allowed for indentation in YAML: indent with spaces',
    ]);
  });

  it('reports bad indentation', () => {
    assert.deepEqual(errorsOf('environments:\n    production: {}\n  staging: {}\n'), [
      'deploy.yml:3:1: All mapping items must start at the same column',
    ]);
  });

  it('reports an unclosed quote', () => {
    const [error] = errorsOf('environments:\n  production:\n    url: "https://example.com\n');
    assert.match(error!, /^deploy\.yml:4:1: .*Missing closing "quote/);
  });
});

describe('parseConfig: the shape of the file', () => {
  it('rejects an empty file at 1:1', () => {
    assert.deepEqual(errorsOf(''), [
      'deploy.yml:1:1: the file is empty: it needs at least an "environments" mapping',
    ]);
    assert.deepEqual(errorsOf('# nothing yet\n'), [
      'deploy.yml:1:1: the file is empty: it needs at least an "environments" mapping',
    ]);
  });

  it('rejects a top-level list and a top-level scalar at 1:1', () => {
    assert.deepEqual(errorsOf('- production\n'), [
      'deploy.yml:1:1: the top level must be a mapping of keys (version, target, environments, ...), not a list',
    ]);
    assert.deepEqual(errorsOf('production\n'), [
      'deploy.yml:1:1: the top level must be a mapping of keys (version, target, environments, ...), not a single value',
    ]);
  });
});

describe('parseConfig: schema errors', () => {
  it('says what type was expected and what was found', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    production: "yes"\n`), [
      'deploy.yml:6:17: environments.production.production: expected true or false, got the string "yes": YAML 1.2 reads yes as text, not as true; write true or false',
    ]);
  });

  it('reports an unknown top-level key with a suggestion and the allowed keys', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenviroments:\n  production: {}\n`), [
      'deploy.yml:4:1: enviroments: unknown key "enviroments": did you mean "environments"? ' +
        '(allowed here: version, preset, state_dir, target, strategies, environments, gates, analysis, approvals, reconcile, notifications)',
    ]);
  });

  it('reports a nested unknown key at the key, with a suggestion', () => {
    const [error, ...rest] = errorsOf(`${TARGET}\nenvironments:\n  production:\n    stratgy: canary\n`);
    assert.equal(rest.length, 0);
    assert.match(
      error!,
      /^deploy\.yml:6:5: environments\.production\.stratgy: unknown key "stratgy": did you mean "strategy"\? \(allowed here: url, production, strategy, /,
    );
  });

  it('gives no suggestion for a key that resembles nothing', () => {
    const [error] = errorsOf(`${TARGET}\nenvironments:\n  production:\n    colour: blue\n`);
    assert.match(
      error!,
      /^deploy\.yml:6:5: environments\.production\.colour: unknown key "colour" \(allowed here: /,
    );
  });

  it('reports a missing required field at the mapping that lacks it', () => {
    const text = 'environments:\n  production:\n    target:\n      commands:\n        switch: ./switch.sh\n';
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:5:9: environments.production.target.commands: missing required key "deploy"',
    ]);
  });

  it('lists the allowed values of an enum, with a suggestion', () => {
    assert.deepEqual(errorsOf(`${TARGET}\npreset: fats\nenvironments:\n  production: {}\n`), [
      'deploy.yml:4:9: preset: expected one of "seeds" or "fast", got the string "fats": did you mean "fast"?',
    ]);
  });

  it('explains a strategy name that is not one', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    strategy: canery\n`), [
      'deploy.yml:6:15: environments.production.strategy: expected "direct", "rolling", "blue-green", "canary" ' +
        'or a mapping, got the string "canery": did you mean "canary"?',
    ]);
  });

  it('explains a bad duration', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    monitor: 5 minutes\n`), [
      'deploy.yml:6:14: environments.production.monitor: invalid duration "5 minutes" (write "5m"): use a number followed by ' +
        'ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    monitor: 5\n`), [
      'deploy.yml:6:14: environments.production.monitor: expected a duration such as "30s", "5m", "1h" or "1h30m" ' +
        '(numbers followed by ms, s, m, h or d), or 0, got the number 5: a duration needs its unit, such as "5s", "5m" or "5h"',
    ]);
  });

  it('explains the branch of a union the value was meant for', () => {
    const text = `${TARGET}
environments:
  production:
    strategy:
      type: canary
      steps: [10, { weight: 150 }]
      max_hold: 3
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:8:29: environments.production.strategy.steps[1].weight: must be at most 100, got 150',
      'deploy.yml:9:7: environments.production.strategy.max_hold: unknown key "max_hold": did you mean "max_holds"? ' +
        '(allowed here: slots, steps, pause, max_holds, scale_down_delay, baseline, baseline_slot, type)',
    ]);
  });

  it('names the allowed strategy types when the type is wrong or missing', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    strategy: { type: canari }\n`), [
      'deploy.yml:6:23: environments.production.strategy.type: expected one of "direct", "rolling", "blue-green" ' +
        'or "canary", got the string "canari": did you mean "canary"?',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    strategy: { steps: [10] }\n`), [
      'deploy.yml:6:15: environments.production.strategy: missing required key "type" ' +
        '(one of "direct", "rolling", "blue-green" or "canary")',
    ]);
  });

  it('points at the key of an empty value', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  production:\n    strategy:\n`), [
      'deploy.yml:6:5: environments.production.strategy: expected "direct", "rolling", "blue-green", "canary" ' +
        'or a mapping, got an empty value',
    ]);
  });

  it('rejects an environment name it cannot use, at the name', () => {
    assert.deepEqual(errorsOf(`${TARGET}\nenvironments:\n  "prod env": {}\n`), [
      'deploy.yml:5:3: environments["prod env"]: invalid key "prod env": environment names use letters, digits, ' +
        '".", "_" and "-", starting with a letter or digit',
    ]);
  });

  it("rejects an environment name longer than GitHub's 255 characters, at the name", () => {
    const long = `p${'r'.repeat(255)}`;
    const errors = errorsOf(`${TARGET}\nenvironments:\n  ${long}: {}\n  ${'s'.repeat(255)}: {}\n`);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0]!,
      /^deploy\.yml:5:3: environments\["prr+\.\.\."\]: invalid key .*: environment names are at most 255 characters \(GitHub's limit\)$/,
    );
    // The key is cut short, in the path and quoted (line and column locate it): one longer than any name
    // GitHub takes could be of any length.
    const quoted = /invalid key "(pr+\.\.\.)"/.exec(errors[0]!);
    assert.ok(quoted && quoted[1]!.length <= 80, errors[0]);
    assert.ok(errors[0]!.length < 300, errors[0]);
  });

  it('reports several errors at once, sorted by position', () => {
    const text = `environments:
  staging:
    monitor: 5
  production:
    stratgy: canary
    url: 3
version: 2
`;
    const errors = errorsOf(text);
    assert.deepEqual(
      errors.map((error) => error.split(': ')[0]),
      ['deploy.yml:3:14', 'deploy.yml:5:5', 'deploy.yml:6:10', 'deploy.yml:7:10'],
    );
    assert.match(errors[0]!, /environments\.staging\.monitor: expected a duration such as/);
    assert.match(errors[1]!, /environments\.production\.stratgy: unknown key/);
    assert.match(errors[2]!, /environments\.production\.url: expected a string, got the number 3/);
    assert.equal(errors[3], 'deploy.yml:7:10: version: expected 1, got the number 2');
  });

  it('locates errors inside aliased YAML at the anchor', () => {
    const text = `${TARGET}
environments:
  staging: &common
    monitor: soon
  production: *common
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:14: environments.production.monitor: invalid duration "soon": use a number followed by ms, s, ' +
        'm, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
      'deploy.yml:6:14: environments.staging.monitor: invalid duration "soon": use a number followed by ms, s, ' +
        'm, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
  });
});

describe('parseConfig: YAML features', () => {
  it('explains that merge keys are not supported', () => {
    const text = `${TARGET}\nenvironments:\n  production:\n    <<: { monitor: 5m }\n`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:6:5: environments.production["<<"]: YAML merge keys ("<<") are not supported: repeat the keys, ' +
        'or reuse a whole value with an alias (*name)',
    ]);
  });
});

describe('loadConfigFile', () => {
  it('loads a file from disk', async () => {
    const config = await loadConfigFile(join(FIXTURES, 'minimal.yml'));
    assert.deepEqual(Object.keys(config.environments), ['production']);
  });

  it('throws every problem at once, one formatted error per line', async () => {
    const file = join(FIXTURES, 'several-errors.yml');
    const error = await loadConfigFile(file).then(
      () => assert.fail('expected a ConfigLoadError'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof ConfigLoadError);
    assert.deepEqual(
      error.errors.map((e) => [e.line, e.column, e.path]),
      [
        [5, 5, 'target.commands.set_wieght'],
        [8, 5, 'environments.production.stratgy'],
        [9, 14, 'environments.production.monitor'],
      ],
    );
    assert.equal(error.message, error.errors.map(formatConfigError).join('\n'));
    assert.match(error.message.split('\n')[0]!, /several-errors\.yml:5:5: .*did you mean "set_weight"\?/);
  });

  it('says a link to a missing file is one, and where it points', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'config-link-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const link = join(dir, 'deploy.yml');
    symlinkSync('configs/deploy.yml', link);
    // Before: "config file not found: create it", beside a deploy.yml that is there, as a link.
    await assert.rejects(loadConfigFile(link), (error: unknown) => {
      assert.ok(error instanceof ConfigLoadError);
      assert.equal(
        error.message,
        `${link}: is a symbolic link to "configs/deploy.yml" (${join(dir, 'configs/deploy.yml')}), which does not ` +
          "exist: create that file, point the link at the config, or name the config file itself (--config, or the action's config input)",
      );
      return true;
    });
    // A link to a link to nothing says so; an absolute target is shown once.
    const absolute = join(dir, 'gone.yml');
    symlinkSync(absolute, join(dir, 'second.yml'));
    symlinkSync(join(dir, 'second.yml'), join(dir, 'first.yml'));
    await assert.rejects(loadConfigFile(join(dir, 'first.yml')), (error: unknown) => {
      assert.match(
        (error as Error).message,
        new RegExp(
          `is a symbolic link to "${join(dir, 'second.yml')}", itself a link that leads to no file: `,
        ),
      );
      return true;
    });
    await assert.rejects(loadConfigFile(join(dir, 'second.yml')), (error: unknown) => {
      assert.match(
        (error as Error).message,
        new RegExp(`is a symbolic link to "${absolute}", which does not exist`),
      );
      return true;
    });
  });

  it('names the path of a missing file', async () => {
    const file = join(FIXTURES, 'does-not-exist.yml');
    await assert.rejects(loadConfigFile(file), (error: unknown) => {
      assert.ok(error instanceof ConfigLoadError);
      assert.equal(error.errors.length, 1);
      // It says how to name another file: schema/deploy.schema.json, which it named, is not in the user's repository.
      assert.equal(
        error.message,
        `${file}: config file not found: create it (a few lines are enough: "Configure" in deploy-action's README) or name another file (--config, or the action's config input)`,
      );
      return true;
    });
  });
});
