// README's table of the App's commands shows every command the App parses, with every option it takes
// (app/commands/parse.ts, whose usage lines /help prints), and no page of the docs writes an option a command
// does not take.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CommandKind } from '../../../app/commands/command.ts';
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

/** Every `/command ...` code span of README.md and docs/*.md, with where it is. */
async function commandSpans(): Promise<Array<{ where: string; command: CommandKind; text: string }>> {
  const files = [
    'README.md',
    ...(await readdir(join(repoRoot, 'docs')))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const spans: Array<{ where: string; command: CommandKind; text: string }> = [];
  for (const file of files) {
    const lines = (await readFile(join(repoRoot, file), 'utf8')).split('\n');
    lines.forEach((line, index) => {
      for (const [, text, name] of line.matchAll(/`(\/([a-z-]+)(?:\s[^`]*)?)`/g)) {
        const command = COMMAND_NAMES.find((known) => known === name);
        if (command) spans.push({ where: `${file}:${index + 1}`, command, text: text! });
      }
    });
  }
  return spans;
}

test('every option the docs write after an App command is one the command takes', async () => {
  const spans = await commandSpans();
  assert.ok(spans.length > 100, `found ${spans.length} commands in the docs`);
  const wrong: string[] = [];
  for (const { where, command, text } of spans)
    for (const option of text.match(/(?<=\s|\[)--[a-z][a-z-]*/g) ?? [])
      if (!new RegExp(`${option}(?![a-z-])`).test(usage(command)))
        wrong.push(`${where}: ${text} (/${command} takes no ${option})`);
  assert.deepEqual(wrong, []);
});
