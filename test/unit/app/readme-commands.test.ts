// README's table of the App's commands shows every command the App parses, with every option it takes
// (app/commands/parse.ts, whose usage lines /help prints).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMAND_NAMES, usage } from '../../../app/commands/parse.ts';
import { repoRoot } from '../../helpers/cli.ts';

/** The command column of the first table under "## The GitHub App". */
async function readmeCommands(): Promise<string> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The GitHub App'));
  const table = section.slice(
    section.indexOf('| command |'),
    section.indexOf('\n\n', section.indexOf('| command |')),
  );
  assert.ok(table.length > 0, "README has the App's command table");
  return table
    .split('\n')
    .map((row) => row.split(/(?<!\\)\|/)[1] ?? '')
    .join('\n');
}

test("README's App table shows every command and option the App parses", async () => {
  const rows = (await readmeCommands()).split('\n');
  const missing: string[] = [];
  for (const name of COMMAND_NAMES) {
    // The row (or rows) naming the command; its options must be shown there.
    const own = rows.filter((row) => new RegExp(`\`/${name}[\\s\`]`).test(row)).join('\n');
    if (!own) missing.push(`/${name}`);
    for (const option of usage(name).match(/--[a-z-]+/g) ?? [])
      if (own && !own.includes(option)) missing.push(`/${name} ${option}`);
  }
  assert.deepEqual(missing, []);
});
