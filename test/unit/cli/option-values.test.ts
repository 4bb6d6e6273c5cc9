// Every option of every command that takes a value, read from the commands' own --help (so an option added
// later is covered too): an empty value, a value that is another option (`-e --json`, `--base
// --output=FILE`) and an option given twice (where the last would silently win) are refused before anything
// runs, with an error on stderr that names the option, the bad-input exit code and nothing on stdout.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { ANALYZE_EXIT_CODES } from '../../../src/analysis/exit-codes.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** The subcommands `deploy-action --help` lists. */
async function commands(): Promise<string[]> {
  const help = (await cli(['--help'])).out;
  const list = help.slice(help.indexOf('Commands:'));
  return [...list.matchAll(/^ {2}([a-z-]+) \[options\]/gm)].map((m) => m[1]!);
}

/** A command's options that take a value: [flag as written in --help, long name, repeatable]. */
async function valueOptions(command: string): Promise<Array<{ flags: string; long: string; many: boolean }>> {
  const help = (await cli([command, '--help'])).out;
  return [...help.matchAll(/^ {2}((?:-\w, )?(--[a-z-]+) <([^>]+)>)/gm)].map((m) => ({
    flags: m[1]!,
    long: m[2]!,
    // `<names>`: repeatable by design (-e a -e b, or -e a,b).
    many: m[3] === 'names',
  }));
}

/** A value each option accepts, so that only the repetition is wrong. */
const GOOD: Record<string, string> = {
  '--strategy': 'direct',
  '--version': 'v1',
  '--at': new Date(Date.now() + 86_400_000).toISOString(),
  '--repository': 'o/r',
  '--since': '30d',
  '--sha': 'abc1234',
  '--interval': '30s',
};

const badInputCode = (command: string) =>
  command === 'analyze' ? ANALYZE_EXIT_CODES['bad-input'] : EXIT_CODES.invalidOrBlocked;

test('--help lists every command, and each command has options that take values', async () => {
  const names = await commands();
  assert.ok(names.length >= 13, names.join(' '));
  for (const name of ['run', 'reconcile', 'abort', 'status', 'metrics', 'state-key'])
    assert.ok(names.includes(name));
  for (const name of names) assert.ok((await valueOptions(name)).length > 0, name);
});

test('an empty value, a value that is an option, an option given twice: refused, naming the option', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'option-values-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Had anything run, it would have written here (state, schedules, recordings) or read this config.
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production: {}\n`,
  );
  let checked = 0;
  for (const command of await commands()) {
    for (const option of await valueOptions(command)) {
      const good = GOOD[option.long] ?? 'production';
      const cases: Array<[string, string[]]> = [
        ['empty', [option.long, '']],
        ['blank', [option.long, '  ']],
        ['another option', [option.long, '--json']],
        ['a short option', [option.long, '-e']],
        ['an option with a value', [option.long, '--output=/tmp/x']],
      ];
      if (!option.many) cases.push(['given twice', [option.long, good, option.long, good]]);
      for (const [what, args] of cases) {
        const argv = [command, ...args];
        const result = await cli(argv);
        const label = `${argv.join(' ')} (${what})`;
        assert.equal(result.code, badInputCode(command), `${label}: ${result.err}`);
        assert.equal(result.out, '', `${label}: nothing on stdout`);
        assert.ok(result.err.includes(option.flags), `${label}: names ${option.flags}: ${result.err}`);
        assert.match(
          result.err,
          what === 'given twice' ? /more than once/ : /is empty|starts with "-"/,
          label,
        );
        assert.doesNotMatch(result.err, /\n\s+at /, `${label}: no stack trace`);
        checked++;
      }
    }
  }
  assert.ok(checked > 100, `${checked} command lines checked`);
  assert.deepEqual(readdirSync(dir), ['deploy.yml'], 'nothing ran');
});

test('free text that starts with a dash but is no option (a reason "-5% conversion") is a value', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'option-values-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production: {}\n`,
  );
  for (const reason of ['-5% conversion', '- dropped orders', '-1'])
    for (const argv of [
      ['abort', '-e', 'production', '--reason', reason, '-c', config],
      ['abort', '-e', 'production', `--reason=${reason}`, '-c', config],
    ]) {
      const result = await cli(argv);
      // No rollout is in progress: the command ran (and said so), its reason was taken.
      assert.doesNotMatch(result.err, /--reason <text>|starts with "-"/, `${argv.join(' ')}: ${result.err}`);
      assert.match(result.out + result.err, /no rollout/i, argv.join(' '));
    }
});

test('a comma list of environments with an empty or option-like name is refused', async () => {
  for (const command of ['reconcile', 'metrics'])
    for (const value of ['production,', ',production', 'production,,staging', 'production,--json']) {
      const result = await cli([command, '-e', value]);
      assert.equal(result.code, EXIT_CODES.invalidOrBlocked, `${command} -e ${value}`);
      assert.equal(result.out, '');
      assert.match(result.err, /-e, --environment <names>.*an environment name in/);
    }
});

test('--help on every command exits 0 with its usage on stdout and nothing on stderr', async () => {
  for (const command of await commands()) {
    for (const help of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
      const result = await cli(help);
      assert.equal(result.code, EXIT_CODES.success, help.join(' '));
      assert.match(result.out, new RegExp(`^Usage: deploy-action ${command} \\[options\\]`), help.join(' '));
      assert.equal(result.err, '', help.join(' '));
    }
  }
});

test('a misspelt command is refused (exit 2, stdout empty) and the right one suggested', async () => {
  for (const command of await commands()) {
    const typo = command.length > 4 ? command.slice(0, -1) : `${command}x`;
    const result = await cli([typo]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, typo);
    assert.equal(result.out, '', typo);
    assert.match(
      result.err,
      new RegExp(`unknown command '${typo}'\\n\\(Did you mean ${command}\\?\\)`),
      typo,
    );
  }
});

test('--sha takes a commit SHA only (it is recorded with the rollout and sent with its requests)', async () => {
  for (const command of ['plan', 'run', 'gates'])
    for (const sha of ['zz', 'abc12', 'HEAD', 'main', '$(id)', 'a'.repeat(65), 'abc1234 ']) {
      const result = await cli([command, '--sha', sha]);
      assert.equal(result.code, EXIT_CODES.invalidOrBlocked, `${command} --sha ${sha}`);
      assert.equal(result.out, '');
      assert.match(result.err, /option '--sha <sha>' argument .* is not a commit SHA \(7 to 64 hex digits\)/);
    }
});

test('a short option written with "=" (-e=production) is refused, naming the option and both right forms', async () => {
  let checked = 0;
  for (const command of await commands())
    for (const option of await valueOptions(command)) {
      const short = /^(-\w), /.exec(option.flags)?.[1];
      if (!short) continue;
      const argv = [command, `${short}=${GOOD[option.long] ?? 'production'}`];
      // Before: read as the value "=production" (an unknown environment, a config file "=deploy.yml" not found).
      const result = await cli(argv);
      assert.equal(result.code, badInputCode(command), `${argv.join(' ')}: ${result.err}`);
      assert.equal(result.out, '', argv.join(' '));
      assert.ok(result.err.includes(option.flags), `${argv.join(' ')}: ${result.err}`);
      assert.match(result.err, /starts with "=": a short option takes its value after a space or attached/);
      checked++;
    }
  assert.ok(checked >= 20, `${checked} command lines checked`);
});

test('free text may start with "=": abort --reason "== canary 5xx ==" is read, not refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'option-values-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    'target:\n  commands:\n    deploy: ./deploy.sh {{version}}\nenvironments:\n  production: {}\n',
  );
  const argv = [
    'abort',
    '-e',
    'production',
    '--reason',
    '== canary 5xx ==',
    '-c',
    config,
    '--state-dir',
    dir,
  ];
  // Before: refused as a short option's "=" (exit 2), although --reason has no short form.
  const result = await cli(argv);
  assert.doesNotMatch(result.err, /starts with "="/);
  assert.doesNotMatch(result.err, /--reason/);
  // Read, and the command went on to find no rollout to abort.
  assert.match(result.err, /no_rollout: no rollout of production is in progress/);
});

test('--state-dir naming a file is refused before anything runs, on every command that takes it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'option-values-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'state');
  writeFileSync(file, 'a file\n');
  let checked = 0;
  for (const command of await commands())
    if ((await valueOptions(command)).some((option) => option.long === '--state-dir')) {
      // Before: `run` failed with exit 1 (state_refused, "move the file away"), `status` too with exit 2.
      const result = await cli([command, '--state-dir', file]);
      assert.equal(result.code, EXIT_CODES.invalidOrBlocked, `${command}: ${result.err}`);
      assert.equal(result.out, '', command);
      assert.match(result.err, /--state-dir <dir>.* is a file, not a directory/, command);
      // Under the file: nothing can be made there either. Before: let through, every record "cannot be read".
      const under = await cli([command, '--state-dir', join(file, 'sub')]);
      assert.equal(under.code, EXIT_CODES.invalidOrBlocked, `${command}: ${under.err}`);
      assert.equal(under.out, '', command);
      assert.match(under.err, /--state-dir <dir>.* is under ".*state", a file: /, command);
      checked++;
    }
  assert.ok(checked >= 8, `${checked} commands`);
  assert.equal(readFileSync(file, 'utf8'), 'a file\n');
});

test('--help marks each required option, and only those: the ones a bare command asks for', async () => {
  let required = 0;
  for (const command of await commands()) {
    const help = (await cli([command, '--help'])).out;
    const marked = [
      ...help.matchAll(/^ {2}((?:-\w, )?--[a-z-]+(?: <[^>]+>)?) .*?(?:\n {4,}.*?)*\(required\)$/gm),
    ].map((m) => m[1]!);
    // Before: no option said so ("-e, --environment <name>  the environment to deploy to").
    // A config that is not there: a command that asks for nothing stops at it, having run nothing.
    const noConfig = help.includes('--config <file>')
      ? ['--config', join(tmpdir(), 'none', 'deploy.yml')]
      : [];
    const bare = await cli([command, ...noConfig]);
    const asked = /required option '([^']+)' not specified/.exec(bare.err)?.[1];
    if (asked === undefined) assert.deepEqual(marked, [], command);
    else assert.ok(marked.includes(asked), `${command}: ${asked} not marked in\n${help}`);
    required += marked.length;
  }
  assert.ok(required >= 10, `${required} required options`);
});

test('run --record naming a directory, or a file in a directory that is not there, is refused before anything runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'option-values-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production: {}\n`,
  );
  // Before: accepted; written while the analysis ran, whose failure then rolled the release back.
  for (const [record, why] of [
    [dir, /is a directory: name the file/],
    [join(dir, 'missing', 'r.ndjson'), /cannot be written: ".*missing" does not exist/],
    [join(config, 'r.ndjson'), /cannot be written: ".*deploy\.yml" is not a directory/],
  ] as const) {
    const result = await cli(['run', '-e', 'production', '-v', 'v1', '-c', config, '--record', record]);
    assert.equal(result.code, EXIT_CODES.invalidOrBlocked, result.err);
    assert.match(result.err, /option '--record <file>' argument/);
    assert.match(result.err, why);
  }
  assert.deepEqual(readdirSync(dir), ['deploy.yml'], 'nothing ran');
});
