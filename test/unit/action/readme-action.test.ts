// README's section on the Action and action.yml agree: every input and output action.yml declares is named in
// README's list, and the outcome codes table lists exactly the codes a deployment can end with.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { OUTCOME_CODES } from '../../../src/pipeline/events.ts';
import { repoRoot } from '../../helpers/cli.ts';

const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
const action = parse(await readFile(join(repoRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, { description: string }>;
};

/** README's "Inputs (...): ... Outputs: ... `action.yml` documents each." paragraph, split in two. */
function listed(): { inputs: string; outputs: string } {
  const start = readme.indexOf('Inputs (all optional');
  const end = readme.indexOf('`action.yml` documents each.', start);
  assert.ok(start >= 0 && end > start, 'README has the inputs and outputs paragraph');
  const paragraph = readme.slice(start, end);
  const split = paragraph.indexOf('Outputs:');
  return { inputs: paragraph.slice(0, split), outputs: paragraph.slice(split) };
}

const named = (text: string, name: string) => text.includes(`\`${name}\``);

test('README names every input and output action.yml declares', () => {
  const { inputs, outputs } = listed();
  assert.deepEqual(
    Object.keys(action.inputs).filter((name) => !named(inputs, name)),
    [],
    'inputs missing from README',
  );
  assert.deepEqual(
    Object.keys(action.outputs).filter((name) => !named(outputs, name)),
    [],
    'outputs missing from README',
  );
});

test('README "Outcome codes" lists every outcome code, and no other', () => {
  const section = readme.slice(readme.indexOf('### Outcome codes'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| code |')));
  const codes = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]!);
  assert.deepEqual([...codes].sort(), [...OUTCOME_CODES].sort());
});

test("action.yml's status output names every status a run can end with", () => {
  const statuses = [
    'succeeded',
    'failed',
    'rolled_back',
    'cancelled',
    'blocked',
    'paused',
    'waiting',
    'planned',
  ];
  const description = action.outputs.status!.description;
  assert.deepEqual(
    statuses.filter((status) => !named(description, status)),
    [],
  );
  // The table's statuses are statuses.
  const section = readme.slice(readme.indexOf('### Outcome codes'));
  for (const match of section
    .slice(0, section.indexOf('\n\n', section.indexOf('| code |')))
    .matchAll(/^\| `[a-z_]+` \| ([^|]+) \|/gm))
    for (const status of match[1]!.match(/[a-z_]+/g) ?? [])
      assert.ok(statuses.includes(status), `README's outcome table names an unknown status ${status}`);
});
