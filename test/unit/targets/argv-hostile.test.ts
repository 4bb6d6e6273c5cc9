// Every path that runs a program with templated arguments and no shell (a target's argv list, a target's
// command string, the analysis command provider's list and string) gets each odd value as exactly one argument,
// byte for byte: spaces, quotes, $(…), backticks, newlines, globs, a leading dash, an empty string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { CommandFailed, runCommand } from '../../../src/targets/run-command.ts';
import { runHealthChecks } from '../../../src/pipeline/health.ts';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { printedArgv, writeArgvPrinter } from '../../helpers/argv-printer.ts';

const ODD = [
  '',
  ' ',
  'two words',
  '--force',
  '-rf',
  '--output=/etc/passwd',
  '-',
  '--',
  "it's",
  'say "hi"',
  '$(touch PWNED)',
  '`touch PWNED`',
  '${IFS}touch${IFS}PWNED',
  '$HOME ~ ~root',
  '*',
  '[a-z]?',
  'a;touch PWNED',
  'a|touch PWNED',
  'a&&touch PWNED',
  '>PWNED',
  'line\nbreak',
  'cr\r\nlf',
  'tab\there',
  'back\\slash\\',
  '{{version}}',
  'ünï 🚀 \u202e',
  'x'.repeat(10_000),
];

const node = process.execPath;
// Node only where nothing runs (the command is refused first); a program that runs is /bin/sh with a script:
// a node process per value cost ~0.1 s of CPU, most of this file's.
/** Prints {"ok":1} when it was given exactly `-- $EXPECTED`, else {"ok":0}. */
const CHECK_ARGV = `if [ "$#" -eq 2 ] && [ "$1" = -- ]; then case "$2" in "$EXPECTED") ok=1 ;; *) ok=0 ;; esac; else ok=0; fi
printf '{"ok":%s}\\n' "$ok"
`;

/** Writes the two scripts into `dir`. */
function scripts(dir: string): { print: string; check: string } {
  const print = writeArgvPrinter(dir);
  const check = join(dir, 'check-argv.sh');
  writeFileSync(check, CHECK_ARGV);
  return { print, check };
}

test('a target command gets each value as one argument, from an argv list or a command string', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'argv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { print } = scripts(dir);
  const defaults = { shell: false, timeoutMs: 10_000, env: {}, cwd: dir };
  // "--" first: a value starting with "-" is refused as a whole argument where options are still read.
  const list = resolveCommand(['/bin/sh', print, '--', '{{version}}', 'v={{version}}'], 'deploy', defaults);
  const line = resolveCommand(`/bin/sh ${print} -- {{version}} v={{version}}`, 'deploy', defaults);
  for (const command of [list, line])
    for (const version of ODD) {
      const result = await runCommand(command, { version });
      assert.deepEqual(printedArgv(result.stdout), ['--', version, `v=${version}`], JSON.stringify(version));
    }
  assert.equal(existsSync(join(dir, 'PWNED')), false);
});

test('the analysis command provider gets each value as one argument, from a list or a string', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'argv-provider-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { check } = scripts(dir);
  for (const run of [['/bin/sh', check, '--', '{{version}}'], `/bin/sh ${check} -- {{version}}`])
    for (const version of ODD) {
      const provider = createCommandProvider('cmd', {
        type: 'command',
        run,
        cwd: dir,
        env: { EXPECTED: version },
        retries: 0,
      });
      const read = await provider.read({
        side: 'canary',
        vars: { version },
        metrics: [{ name: 'ok', config: { provider: 'cmd' } }],
        intervalMs: 1000,
        signal: AbortSignal.timeout(10_000),
      });
      assert.deepEqual(read, { values: { ok: 1 }, errors: [] }, JSON.stringify(version));
    }
  assert.equal(existsSync(join(dir, 'PWNED')), false);
});

test('a command the system cannot start (an argument too long: E2BIG) fails with a short message, not the command line', async () => {
  const command = resolveCommand([node, '-e', '0', '{{version}}'], 'deploy', {
    shell: false,
    timeoutMs: 10_000,
    env: {},
  });
  const error = await runCommand(command, { version: 'y'.repeat(200_000) }).then(
    () => assert.fail('expected a CommandFailed'),
    (e: unknown) => e as Error & { reasonCode?: string },
  );
  assert.equal(error.reasonCode, 'spawn');
  assert.ok(
    error.message.length <= 600,
    `${error.message.length} characters: ${error.message.slice(0, 200)}`,
  );
  assert.match(error.message, /^deploy: cannot run ".+": /);
});

test('a value holding a NUL fails the command clearly, naming the variable, whether the command uses it or not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'argv-nul-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const touch = `require('node:fs').writeFileSync('ran', '')`;
  for (const shell of [false, true]) {
    const command = resolveCommand(
      shell ? `${node} -e "${touch}" -- {{version}}` : [node, '-e', touch, '--', '{{version}}'],
      'deploy',
      { shell, timeoutMs: 10_000, env: {}, cwd: dir },
    );
    for (const values of [{ version: 'v2\0--force' }, { version: 'v2', previous_version: 'v1\0x' }]) {
      const error = await runCommand(command, values).then(
        () => assert.fail(`ran with ${JSON.stringify(values)}`),
        (e: unknown) => e as Error & { reasonCode?: string },
      );
      assert.ok(error instanceof CommandFailed, `${error.name}: ${error.message}`);
      assert.equal(error.reasonCode, 'template');
      const name = values.version.includes('\0') ? 'version' : 'previous_version';
      assert.equal(
        error.message,
        `deploy: the value of {{${name}}} holds a NUL character, which no program can be given (as an argument or in its environment)`,
      );
    }
  }
  assert.equal(existsSync(join(dir, 'ran')), false);
  // A health check command: a failed check with that reason, not an internal error, and not retried.
  const check = resolveCommand([node, '-e', touch, '{{version}}'], 'health', {
    shell: false,
    timeoutMs: 10_000,
    env: {},
    cwd: dir,
  });
  const result = await runHealthChecks(
    [{ kind: 'command', source: 'health', command: check, retries: 3, intervalMs: 1 }],
    { version: 'v2\0' },
    {},
  );
  assert.deepEqual(result, {
    ok: false,
    detail:
      'health: the value of {{version}} holds a NUL character, which no program can be given (as an argument or in its environment)',
    // No later try can pass: a readiness wait does not wait for it.
    final: true,
  });
});
