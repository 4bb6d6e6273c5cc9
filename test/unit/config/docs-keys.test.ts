// Every key a config may set is named in the docs: a key only the schema knows is one a reader never learns
// of. The keys are those of schema/deploy.schema.json (generated from the zod schema and checked fresh by
// json-schema.test.ts); a key counts as named when README.md or a docs/*.md page writes it as code, in
// `backticks` or in a fenced block (`docs/config.md` lists them all).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/cli.ts';

/** Every property name anywhere in a JSON Schema. */
function propertyNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) propertyNames(item, into);
  else if (node && typeof node === 'object') {
    const { properties } = node as { properties?: unknown };
    if (properties && typeof properties === 'object' && !Array.isArray(properties))
      for (const name of Object.keys(properties)) into.add(name);
    for (const value of Object.values(node)) propertyNames(value, into);
  }
  return into;
}

/** What the docs write as code: inline `spans` and fenced blocks. */
async function docsCode(): Promise<string> {
  const files = [
    'README.md',
    ...(await readdir(join(repoRoot, 'docs')))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const texts = await Promise.all(files.map((file) => readFile(join(repoRoot, file), 'utf8')));
  return texts
    .flatMap((text) => [...text.matchAll(/```[^]*?```|`[^`\n]+`/g)].map((match) => match[0]))
    .join('\n');
}

const named = (code: string, key: string) =>
  new RegExp(`(?:^|[^\\w-])${key.replace(/[-]/g, '\\-')}(?:[^\\w-]|$)`, 'm').test(code);

test('every key of the config schema is named in the docs', async () => {
  const schema: unknown = JSON.parse(await readFile(join(repoRoot, 'schema/deploy.schema.json'), 'utf8'));
  const keys = propertyNames(schema);
  assert.ok(keys.has('environments') && keys.has('max_gzip'), 'the schema walk finds nested keys');
  const code = await docsCode();
  assert.deepEqual(
    [...keys].filter((key) => !named(code, key)),
    [],
  );
});

test('a key in prose only, or as part of a longer name, is not named', () => {
  assert.equal(named('`down_check: none`', 'down_check'), true);
  assert.equal(named('```yaml\ngates:\n  migrations: { down_check: none }\n```', 'down_check'), true);
  assert.equal(named('`down_checks`', 'down_check'), false);
  assert.equal(named('`max-gzip`', 'max'), false);
});
