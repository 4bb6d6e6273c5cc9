// A mapping in YAML may have keys named like Object.prototype's methods (`toString: x`, `valueOf: x`): as
// data they are keys like any other, but an object holding them cannot be turned into text or a number
// (String() and template literals throw a TypeError). Every value of configs that use most of the schema is
// replaced, one at a time, by such a mapping: the config is refused with located messages (or loaded where a
// mapping is allowed there), and the loader never throws.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../../src/config/load.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';
import { completed, configSnippets } from '../../helpers/doc-snippets.ts';
import { valuePaths, withValueAt } from '../../helpers/value-paths.ts';

/**
 * The configs: the demo's, the fixtures', and every config snippet of the docs, completed as
 * docs-snippets.test.ts loads them (each loads there), so a field the docs show is covered when it is added.
 */
async function configs(): Promise<{ name: string; doc: Record<string, unknown> }[]> {
  const found: { name: string; doc: Record<string, unknown> }[] = [];
  const files = [
    'examples/demo/deploy.yml',
    'test/fixtures/config/policy.yml',
    'test/fixtures/config/shared-analysis-fresh-baseline.yml',
  ];
  for (const file of files) found.push({ name: file, doc: parse(readFileSync(file, 'utf8')) });
  for (const { where, text } of await configSnippets())
    found.push({ name: where, doc: parse(completed(text)) });
  return found;
}

const HOSTILE: Record<string, unknown>[] = [
  { toString: 'rollback' },
  { valueOf: 'x', toString: 'y' },
  { toString: { nested: 1 } },
  { toJSON: 'x', constructor: 'y' },
];

/** Every path to a value (mapping values and list items) in a parsed document. */

const CONFIGS = await configs();

test('the configs cover the demo, the fixtures and the docs examples', () => {
  assert.ok(CONFIGS.length >= 10, CONFIGS.map((c) => c.name).join(', '));
  assert.ok(
    CONFIGS.some((c) => JSON.stringify(c.doc).includes('"channels"')),
    'a config with notification channels',
  );
  // Every snippet, none left out as invalid: those showing a canary's manual steps or a target's
  // set_weight alone were skipped while the snippets were completed with the minimal fixture's target.
  for (const page of ['docs/control.md', 'docs/reconcile.md', 'docs/canary-baseline.md'])
    assert.ok(
      CONFIGS.some((c) => c.name.startsWith(`${page}:`)),
      `${page}'s config snippet is among ${CONFIGS.map((c) => c.name).join(', ')}`,
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
