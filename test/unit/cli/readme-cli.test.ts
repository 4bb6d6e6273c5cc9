// README's command-line section and `--help` agree: every command --help lists is in the section, and every
// option the section shows is one its command accepts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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
