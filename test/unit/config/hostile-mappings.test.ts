// A mapping in YAML may have keys named like Object.prototype's methods (`toString: x`, `valueOf: x`): as
// data they are keys like any other, but an object holding them cannot be turned into text or a number
// (String() and template literals throw a TypeError). Every value of configs that use most of the schema is
// replaced, one at a time, by such a mapping: the config is refused with located messages (or loaded where a
// mapping is allowed there), and the loader never throws.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../../src/config/load.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';
import { valuePaths, withValueAt } from '../../helpers/value-paths.ts';

const MINIMAL = parse(readFileSync('test/fixtures/config/minimal.yml', 'utf8'));

/**
 * The configs: the demo's, the fixtures', and every config example of the docs (a fragment completed with
 * the minimal fixture's target and environment), so a field the docs show is covered when it is added.
 */
function configs(): { name: string; doc: Record<string, unknown> }[] {
  const found: { name: string; doc: Record<string, unknown> }[] = [];
  const files = [
    'examples/demo/deploy.yml',
    'test/fixtures/config/policy.yml',
    'test/fixtures/config/shared-analysis-fresh-baseline.yml',
  ];
  for (const file of files) found.push({ name: file, doc: parse(readFileSync(file, 'utf8')) });
  const pages = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const page of pages) {
    let n = 0;
    for (const block of readFileSync(page, 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      let doc: unknown;
      try {
        doc = parse(block[1]!);
      } catch {
        continue;
      }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) continue;
      const completed: Record<string, unknown> = {
        environments: structuredClone(MINIMAL.environments),
        ...doc,
      };
      const envs = Object.values(completed.environments as Record<string, { target?: unknown } | null>);
      if (!completed.target && envs.some((env) => !env?.target))
        completed.target = structuredClone(MINIMAL.target);
      n++;
      if (parseConfig(stringify(completed), 'deploy.yml').ok)
        found.push({ name: `${page} example ${n}`, doc: completed });
    }
  }
  return found;
}

const HOSTILE: Record<string, unknown>[] = [
  { toString: 'rollback' },
  { valueOf: 'x', toString: 'y' },
  { toString: { nested: 1 } },
  { toJSON: 'x', constructor: 'y' },
];

/** Every path to a value (mapping values and list items) in a parsed document. */

const CONFIGS = configs();

test('the configs cover the demo, the fixtures and the docs examples', () => {
  assert.ok(CONFIGS.length >= 10, CONFIGS.map((c) => c.name).join(', '));
  assert.ok(
    CONFIGS.some((c) => JSON.stringify(c.doc).includes('"channels"')),
    'a config with notification channels',
  );
});

for (const { name, doc } of CONFIGS)
  test(`${name}: each value replaced by a mapping with Object.prototype names as keys is refused or loaded, never a crash`, () => {
    assert.ok(parseConfig(stringify(doc), 'deploy.yml').ok, `${name} is valid as it is`);
    let refused = 0;
    let checked = 0;
    for (const path of valuePaths(doc))
      for (const hostile of HOSTILE) {
        const text = stringify(withValueAt(doc, path, hostile));
        const where = `${path.join('.')} = ${JSON.stringify(hostile)}`;
        let result: ReturnType<typeof parseConfig>;
        assert.doesNotThrow(() => {
          result = parseConfig(text, 'deploy.yml');
        }, where);
        checked++;
        if (!result!.ok) {
          refused++;
          assert.ok(result!.errors.length > 0, where);
          for (const error of result!.errors) assert.ok(error.line >= 1 && error.message.length > 0, where);
          continue;
        }
        for (const name of Object.keys(result!.config.environments))
          try {
            planDeployment(result!.config, name, '1.2.3');
          } catch (error) {
            // A config that loads may still not resolve for one environment: said, not a crash.
            assert.equal((error as Error).name, 'ResolveError', `${where}: ${(error as Error).stack}`);
          }
      }
    assert.ok(checked >= 4 && refused > 0, `${checked} checked, ${refused} refused`);
  });
