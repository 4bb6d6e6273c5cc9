// README's command-line section and `--help` agree: every command --help lists is in the section, and every
// option the section, or any line or code span of README and docs/*.md, shows is one its command accepts.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { repoRoot } from '../../helpers/cli.ts';

async function help(argv: string[]): Promise<string> {
  let out = '';
  await main([...argv, '--help'], { out: (t) => void (out += t), err: () => undefined });
  return out;
}

/** The `deploy-action ...` lines of README's "The command-line tool" code block, without their comments. */
async function readmeLines(): Promise<string[]> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The command-line tool'));
  const block = /```sh\n([^]*?)```/.exec(section)?.[1];
  assert.ok(block, 'README has the command-line block');
  return block
    .split('\n')
    .filter((line) => line.startsWith('deploy-action '))
    .map((line) => line.replace(/\s+#.*$/, ''));
}

test('README shows every command --help lists', async () => {
  const listed = [...(await help([])).matchAll(/^ {2}([a-z-]+) \[options\]/gm)].map((m) => m[1]!);
  const shown = new Set((await readmeLines()).flatMap((line) => line.split(/\s+/)[1]!.split('|')));
  assert.deepEqual(
    listed.filter((command) => !shown.has(command)),
    [],
  );
});

test('every option README shows is accepted by its command', async () => {
  for (const line of await readmeLines()) {
    const commands = line.split(/\s+/)[1]!.split('|');
    const helps = await Promise.all(commands.map((command) => help([command])));
    for (const option of line.match(/(?<=[\s[])--?[a-z][a-z-]*/g) ?? [])
      assert.ok(
        helps.some((text) => new RegExp(`(?:^|[\\s,])${option}(?:[\\s,]|$)`, 'm').test(text)),
        `${commands.join('|')} does not accept ${option} (README: ${line})`,
      );
  }
});

test('--help names what README says the CLI does: its own --version, and reconcile starting due `run --at`', async () => {
  // `deploy-action --version` works (README), but the top-level help listed only -h.
  const top = await help([]);
  assert.match(top, /^ {2}-V, --version\s+print deploy-action's own version/m, top);
  let out = '';
  assert.equal(await main(['-V'], { out: (t) => void (out += t), err: () => undefined }), 0);
  assert.match(out, /^deploy-action \d+\.\d+\.\d+/);
  // reconcile starts a due scheduled run (README's command list); its help left that out.
  assert.match((await help(['reconcile'])).replace(/\s+/g, ' '), /start due `run --at` runs/);
  assert.match(top.replace(/\s+/g, ' '), /reconcile \[options\] roll back .* start due `run --at` runs/);
});

/** Every `deploy-action <command> ...` of README.md and docs/*.md: code block lines and code spans. */
async function docsLines(): Promise<Array<{ where: string; line: string }>> {
  const files = [
    'README.md',
    ...(await readdir(join(repoRoot, 'docs')))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const found: Array<{ where: string; line: string }> = [];
  for (const file of files) {
    const lines = (await readFile(join(repoRoot, file), 'utf8')).split('\n');
    lines.forEach((text, index) => {
      const where = `${file}:${index + 1}`;
      if (text.startsWith('deploy-action ')) found.push({ where, line: text.replace(/\s+#.*$/, '') });
      for (const [, span] of text.matchAll(/`(deploy-action [a-z][^`]*)`/g))
        found.push({ where, line: span! });
    });
  }
  return found;
}

test('every option the docs show for a command is accepted by it', async () => {
  const listed = new Set([...(await help([])).matchAll(/^ {2}([a-z-]+) \[options\]/gm)].map((m) => m[1]!));
  const helps = new Map<string, string>();
  const wrong: string[] = [];
  let checked = 0;
  for (const { where, line } of await docsLines()) {
    const commands = line.split(/\s+/)[1]!.split('|');
    if (!commands.every((command) => listed.has(command))) continue; // `deploy-action --version`, prose
    checked++;
    for (const command of commands) if (!helps.has(command)) helps.set(command, await help([command]));
    for (const option of line.match(/(?<=[\s[])--?[a-z][a-z-]*/g) ?? [])
      if (
        !commands.some((command) =>
          new RegExp(`(?:^|[\\s,])${option}(?:[\\s,]|$)`, 'm').test(helps.get(command)!),
        )
      )
        wrong.push(`${where}: ${commands.join('|')} does not accept ${option} (${line})`);
  }
  assert.ok(checked > 20, `found ${checked} command lines in the docs`);
  assert.deepEqual(wrong, []);
});
