// The gates as the docs name them and as the registry has them: docs/gates-report.md's `gates` row gives the
// order of the report (the registry's, whatever the config's), and README's gate table has a row for each. A
// gate added to the registry alone is one a reader of the report's shape never learns of.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GATE_NAMES } from '../../../src/gates/registry.ts';
import { repoRoot } from '../../helpers/cli.ts';

test("docs/gates-report.md gives the report's gates in the registry's order", async () => {
  const text = await readFile(join(repoRoot, 'docs/gates-report.md'), 'utf8');
  const row = text.split('\n').find((line) => line.startsWith('| `gates` |'));
  assert.ok(row, 'docs/gates-report.md has the `gates` row');
  const order = /in this order[^:]*:([^(]*)\(/.exec(row)?.[1];
  assert.ok(order, 'the row lists the order');
  assert.deepEqual(
    [...order.matchAll(/`([a-z]+)`/g)].map((match) => match[1]),
    GATE_NAMES,
  );
});

test("README's gate table has a row for every gate", async () => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quality gates'), readme.indexOf('## Metric analysis'));
  const rows = [...section.matchAll(/^\| `([a-z]+)` \|/gm)].map((match) => match[1]);
  assert.deepEqual(rows, GATE_NAMES);
});
