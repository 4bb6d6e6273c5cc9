// README's "Start it" step names every environment variable the App's settings read (app/config.ts): a
// variable only the code knows is a setting no operator finds.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/cli.ts';

test('README names every variable app/config.ts reads', async () => {
  const [source, readme] = await Promise.all([
    readFile(join(repoRoot, 'app/config.ts'), 'utf8'),
    readFile(join(repoRoot, 'README.md'), 'utf8'),
  ]);
  const read = new Set([...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]!));
  assert.ok(read.has('APP_ID') && read.has('WEBHOOK_SECRET'), 'the settings are found');
  assert.deepEqual(
    [...read].filter((name) => !readme.includes(`\`${name}\``)),
    [],
  );
});
