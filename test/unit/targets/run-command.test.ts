import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../../../src/config/resolve.ts';
import {
  CommandFailed,
  describeCommand,
  MAX_KEPT_STDOUT,
  MAX_LINE_CHARS,
  runCommand,
  type OutputLine,
} from '../../../src/targets/run-command.ts';
import type { CommandSpec } from '../../../src/config/schema.ts';
import { CUT_WORD_MAX } from '../../../src/targets/output-lines.ts';

const node = process.execPath;
const defaults = { shell: false, timeoutMs: 10_000, env: {} };
const cmd = (spec: CommandSpec, overrides: Partial<typeof defaults> = {}) =>
  resolveCommand(spec, 'target.commands.deploy', { ...defaults, ...overrides });

// Prints its argv as JSON, so a test sees exactly what arrived.
const echoArgs = `process.stdout.write(JSON.stringify(process.argv.slice(1)))`;

const hostile = [
  'v1$(touch PWNED)',
  'v1; touch PWNED',
  'v1 && touch PWNED',
  '`touch PWNED`',
  'v1\' "x',
  'a b\nc',
  '$HOME',
  '*',
];

test('templated values reach an argv command as literal single arguments', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inject-'));
  try {
    for (const version of hostile) {
      const result = await runCommand(
        cmd([node, '-e', echoArgs, '--', '{{version}}', 'at-{{slot}}'], { cwd: dir } as never),
        { version, slot: 'blue' },
      );
      assert.deepEqual(JSON.parse(result.stdout), [version, 'at-blue']);
    }
    // A string command is split before substitution: the value stays one argument.
    const split = await runCommand(cmd(`${node} -e "${echoArgs}" -- {{version}}`), {
      version: 'v1; rm -rf x',
    });
    assert.deepEqual(JSON.parse(split.stdout), ['v1; rm -rf x']);
    assert.equal(existsSync(join(dir, 'PWNED')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with shell: true, templated values are quoted and never interpreted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inject-sh-'));
  try {
    for (const version of hostile) {
      const out = join(dir, 'out');
      const command = cmd({ run: `printf '%s' {{version}} > ${out}`, shell: true });
      await runCommand(command, { version });
      assert.equal(readFileSync(out, 'utf8'), version);
    }
    assert.equal(existsSync(join(dir, 'PWNED')), false);
    assert.equal(existsSync('PWNED'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('values are also exported as DEPLOY_* environment variables', async () => {
  const result = await runCommand(
    cmd([node, '-e', 'process.stdout.write(process.env.DEPLOY_VERSION + "|" + process.env.DEPLOY_SLOT)']),
    { version: 'v$(x)', slot: 'green' },
  );
  assert.equal(result.stdout, 'v$(x)|green');
});

test('a non-zero exit names the command, the program and the exit code, with the output tail', async () => {
  const failing = cmd([node, '-e', 'console.error("disk full"); process.exit(3)']);
  await assert.rejects(runCommand(failing, {}), (error: CommandFailed) => {
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.exitCode, 3);
    assert.equal(error.reasonCode, 'exit');
    assert.match(error.message, /target\.commands\.deploy .* exited with code 3: disk full$/);
    assert.deepEqual(error.tail, ['disk full']);
    return true;
  });
});

test('a missing program and an unknown template value are clear failures', async () => {
  await assert.rejects(
    runCommand(cmd('./no-such-program-here'), {}),
    /cannot run "\.\/no-such-program-here": program not found/,
  );
  await assert.rejects(runCommand(cmd('echo {{slot}}'), {}), /\{\{slot\}\} has no value here/);
});

// The program never exits by itself: the run can only end because the 300 ms timeout stopped it (without it,
// the test's own timeout is the backstop). On a busy machine the program may not even have started its script
// within 300 ms, so it is found again by a marker in its command line, not by a pid it prints.
test('a command that runs too long is stopped and reported as a timeout', { timeout: 60_000 }, async () => {
  const marker = `run-command-timeout-${process.pid}-${Date.now()}`;
  const slow = resolveCommand([node, '-e', 'setInterval(() => {}, 1000)', marker], 'target.commands.health', {
    ...defaults,
    timeoutMs: 300,
  });
  await assert.rejects(runCommand(slow, {}), (error: CommandFailed) => {
    assert.ok(error instanceof CommandFailed);
    assert.equal(error.reasonCode, 'timeout');
    assert.match(error.message, /timed out after/);
    return true;
  });
  assert.deepEqual(processesWith(marker), [], 'the program was stopped');
});

/** The pids whose command line holds `marker` (Linux /proc; none elsewhere). */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of existsSync('/proc') ? readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

test('output is streamed line by line with the command label', async () => {
  const lines: OutputLine[] = [];
  await runCommand(
    cmd([node, '-e', 'console.log("one"); console.error("two"); console.log("three")']),
    {},
    { label: 'deploy', onOutput: (l) => lines.push(l) },
  );
  assert.deepEqual(
    lines.filter((l) => l.stream === 'stdout').map((l) => l.line),
    ['one', 'three'],
  );
  assert.deepEqual(
    lines.find((l) => l.stream === 'stderr'),
    { source: 'deploy', stream: 'stderr', line: 'two' },
  );
});

test('describeCommand shows each argument as it will be passed, in POSIX shell quoting', () => {
  assert.equal(
    describeCommand(cmd('./deploy.sh {{version}} --slot {{slot}}'), { version: 'v1 beta', slot: 'blue' }),
    "./deploy.sh 'v1 beta' --slot blue",
  );
  // Pasted into a shell, JSON quoting ("v1$(touch x)") would run the substitution; single quotes do not.
  assert.equal(
    describeCommand(cmd(['./deploy.sh', '{{version}}']), { version: `v1$(touch x) "it's"` }),
    `./deploy.sh 'v1$(touch x) "it'\\''s"'`,
  );
  assert.equal(
    describeCommand(cmd({ run: './deploy.sh "{{version}}" && ./notify.sh', shell: true }), {
      version: "v'1",
    }),
    `DEPLOY_VERSION='v'\\''1' bash -c './deploy.sh "\${DEPLOY_VERSION}" && ./notify.sh'`,
  );
});

test('a command that prints far more than a result keeps: every line still streams, stdout keeps a bounded start and the last line', async () => {
  // 5 MiB of log lines, then an answer on the last line.
  const script =
    "const line = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 5 * 1024; i++) process.stdout.write(line); process.stdout.write('green v2\\n');";
  let streamed = 0;
  const result = await runCommand(
    cmd([node, '-e', script]),
    {},
    { onOutput: (line) => void (line.stream === 'stdout' && streamed++) },
  );
  assert.equal(streamed, 5 * 1024 + 1, 'every line reaches onOutput');
  assert.equal(result.stdoutCut, true);
  assert.ok(result.stdout.length <= MAX_KEPT_STDOUT, `kept ${result.stdout.length} characters`);
  assert.ok(result.stdout.length > MAX_KEPT_STDOUT - 1024, 'the start is kept up to the bound');
  assert.equal(result.lastStdoutLine, 'green v2');

  const small = await runCommand(cmd([node, '-e', "console.log('a'); console.log('b')"]), {});
  assert.deepEqual([small.stdout, small.stdoutCut, small.lastStdoutLine], ['a\nb', false, 'b']);
});

test('a shell: true script runs in bash, the shell its checks read: dash would run the value of [[ {{x}} || … ]]', async () => {
  // In dash (/bin/sh on Debian and Ubuntu) [[ is not a command, so || runs "$DEPLOY_X" == latest ]]: the value
  // is the program. The script is accepted because bash, which runs it, reads [[ … || … ]] as one test.
  const dir = mkdtempSync(join(tmpdir(), 'bash-'));
  try {
    const evil = join(dir, 'evil');
    writeFileSync(evil, '#!/bin/sh\necho PWNED\n', { mode: 0o755 });
    const script = 'if [[ -z "{{x}}" || "{{x}}" == "latest" ]]; then echo default; else echo other; fi';
    const result = await runCommand(cmd({ run: script, shell: true }, { cwd: dir } as never), { x: evil });
    assert.equal(result.stdout.trim(), 'other');
    assert.doesNotMatch(result.stdout, /PWNED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command printing a huge line with no line break costs bounded memory: the line is cut, its rest counted', async () => {
  // readline kept the whole line: 700 MB printed with no break grew the process by 1.9 GB and ended the run
  // with an internal error (RangeError: Invalid string length). 8 MiB shows the bound without that cost.
  const size = 8 * 1024 * 1024;
  const script = `const chunk = 'y'.repeat(65536); for (let i = 0; i < ${size / 65536}; i++) process.stdout.write(chunk); process.stdout.write('\\nlast line\\n'); process.exitCode = 3;`;
  const lines: OutputLine[] = [];
  const failure = await runCommand(
    cmd([node, '-e', script]),
    {},
    { onOutput: (l) => void lines.push(l) },
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(failure instanceof CommandFailed);
  assert.equal(failure.exitCode, 3);
  assert.deepEqual(
    lines.map((l) => l.line.length <= MAX_LINE_CHARS + 64),
    [true, true],
    'each streamed line is bounded',
  );
  assert.ok(lines[0]!.line.startsWith('y'.repeat(1000)));
  // No word break in it: the last CUT_WORD_MAX characters kept are dropped too (output-lines.ts wordSafeEnd).
  assert.match(
    lines[0]!.line,
    new RegExp(`… \\[${size - MAX_LINE_CHARS + CUT_WORD_MAX} more characters not kept\\]$`),
  );
  assert.equal(lines[1]!.line, 'last line');
  assert.ok(failure.tail.every((l) => l.length <= MAX_LINE_CHARS + 64));
});
