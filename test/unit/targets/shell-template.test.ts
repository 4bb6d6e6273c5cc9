// `shell: true` commands against hostile values: every variable kind, in every quoting context, through a real
// /bin/sh and a real program that prints the argv it received. Property-style: values are drawn from a hostile
// alphabet by a seeded PRNG (PROPERTY_SEED and PROPERTY_RUNS reproduce or extend a run); a failure names the
// seed, the script and the values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { deploymentPayloadSchema } from '../../../src/github/deployment-payload.ts';
import { shellCommandLine, shellQuote } from '../../../src/targets/command-line.ts';
import { describeCommand, runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import { analyzeShellTemplate } from '../../../src/targets/shell-script.ts';
import type { TemplateValues } from '../../../src/targets/template.ts';
import { printedArgv, writeArgvPrinter } from '../../helpers/argv-printer.ts';

const SEED = Number(process.env.PROPERTY_SEED ?? 20_240_612);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters and fragments a shell treats specially, payloads that leave a file behind if they ever run,
// option look-alikes, here-document and template look-alikes, and non-ASCII text.
const HOSTILE = [
  ...`'"$\`;&|\n\r\t\\(){}[]*?~#!<>=% -`,
  '$(touch PWNED)',
  '`touch PWNED`',
  "'; touch PWNED; '",
  '"; touch PWNED; "',
  '\ntouch PWNED\n',
  '&& touch PWNED',
  '| touch PWNED',
  "$'\\x41'",
  '${IFS}',
  '$HOME',
  '$((1+1))',
  '--help',
  '--import=data:text/javascript,1',
  '\nEOF\n',
  '{{version}}',
  '\\',
  "\\'",
  'é',
  '日本',
  '🚀',
  '\u202e',
  'a',
  'v1.2',
];
const VERSION_CHARS = [...'abcv0123456789._+-'];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function hostileValue(random: () => number): string {
  let value = random() < 0.25 ? '-' : '';
  const length = 1 + Math.floor(random() * 8);
  for (let i = 0; i < length; i++) value += pick(random, HOSTILE);
  return value;
}

/** Half of the versions use only version characters, so some pass the rule and reach the shell. */
function versionValue(random: () => number): string {
  if (random() < 0.5) return hostileValue(random);
  const length = Math.floor(random() * 10);
  let value = '';
  for (let i = 0; i < length; i++) value += pick(random, VERSION_CHARS);
  return value;
}

// The oracles, written out from the documented rules (not imported), to check the real validators against.
const versionAllowed = (v: string) =>
  v.length >= 1 && v.length <= 128 && /^[A-Za-z0-9_.+-]+$/.test(v) && !v.startsWith('-');
const parameterAllowed = (v: string) => v.length <= 500 && !/\p{Cc}/u.test(v) && !v.startsWith('-');

/** Variables of every kind a command can see, and where its value comes from. */
const VARIABLES = [
  { name: 'version', kind: 'version' },
  { name: 'previous_version', kind: 'version' },
  { name: 'target_host', kind: 'param' }, // a deployment parameter (/deploy production | target_host=…)
  { name: 'environment', kind: 'free' },
  { name: 'ref', kind: 'free' },
  { name: 'sha', kind: 'free' },
  { name: 'my_variable', kind: 'free' }, // the config's own `variables:`
] as const;

// Each context: how a template is written in the script, and the word the program must receive.
const CONTEXTS: Array<{ name: string; write: (t: string) => string; expect: (v: string) => string }> = [
  { name: 'bare', write: (t) => t, expect: (v) => v },
  { name: 'double quotes', write: (t) => `"pre ${t} post"`, expect: (v) => `pre ${v} post` },
  { name: 'single quotes', write: (t) => `'pre ${t} post'`, expect: (v) => `pre ${v} post` },
  { name: 'mixed word', write: (t) => `x${t}"y"'z'`, expect: (v) => `x${v}yz` },
];

function setup() {
  const tools = mkdtempSync(join(tmpdir(), 'shell-tools-'));
  const work = mkdtempSync(join(tmpdir(), 'shell-work-'));
  const printer = writeArgvPrinter(tools);
  const program = `/bin/sh ${shellQuote(printer)}`;
  return {
    program,
    printer,
    work,
    cleanup: () => {
      rmSync(tools, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * A line pasted into a plain /bin/sh: no templates, none of the DEPLOY_* variables runCommand exports. Its
 * stdin is not a socket: bash (which a printed script line runs) given a socket as stdin takes itself for a
 * remote shell and sources ~/.bashrc, which is not plain and, where that file is heavy, cost ~0.8 s of CPU
 * per line.
 */
const pasteIntoShell = (line: string, cwd: string) =>
  execFileSync('/bin/sh', ['-c', line], {
    cwd,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const shellCommand = (run: string, cwd: string) =>
  resolveCommand({ run, shell: true }, 'target.commands.deploy', {
    shell: false,
    timeoutMs: 20_000,
    env: {},
    cwd,
  });

test('property: every variable in every quoting context reaches the program as its literal value, or is refused', async (t) => {
  const env = setup();
  t.after(env.cleanup);
  const random = mulberry32(SEED);
  let checked = 0;
  let refused = 0;
  for (let run = 0; run < RUNS; run++) {
    const values: TemplateValues = {};
    const accepted: string[] = [];
    for (const variable of VARIABLES) {
      const value = variable.kind === 'version' ? versionValue(random) : hostileValue(random);
      if (variable.kind === 'version') {
        const parsed = deploymentPayloadSchema.safeParse({ version: value });
        assert.equal(parsed.success, versionAllowed(value), `version ${JSON.stringify(value)}`);
        if (!parsed.success) {
          refused++;
          continue;
        }
      }
      if (variable.kind === 'param') {
        const parsed = deploymentPayloadSchema.safeParse({ params: { [variable.name]: value } });
        assert.equal(parsed.success, parameterAllowed(value), `parameter ${JSON.stringify(value)}`);
        if (!parsed.success) {
          refused++;
          continue;
        }
      }
      if (value.startsWith('-')) {
        // A value that would start an argument is never passed where it reads as an option: refused.
        const bare = shellCommand(`${env.program} {{${variable.name}}}`, env.work);
        const error = await runCommand(bare, { [variable.name]: value }).then(
          () => assert.fail(`${variable.name} ${JSON.stringify(value)} ran as an argument`),
          (e: unknown) => e as CommandFailed,
        );
        assert.equal(error.reasonCode, 'template', error.message);
        assert.match(error.message, /starts with "-" .* would read it as an option/);
        refused++;
        continue;
      }
      values[variable.name] = value;
      accepted.push(variable.name);
    }
    if (accepted.length === 0) continue;

    // Every accepted variable in every context: as arguments, after "--" and inside "$(…)" (there after "--":
    // its output could start with "-" where the program still reads options, which is refused).
    const words = (names: string[]) =>
      names.flatMap((name) => CONTEXTS.map((c) => c.write(`{{${name}}}`))).join(' ');
    const expected = (names: string[]) =>
      names.flatMap((name) => CONTEXTS.map((c) => c.expect(values[name]!)));
    const script = `${env.program} ${words(accepted)} -- "$(${env.program} ${words(accepted)})" ${words(accepted)}`;
    const context = `seed ${SEED}, run ${run}: ${script}\nvalues ${JSON.stringify(values)}`;

    const result = await runCommand(shellCommand(script, env.work), values);
    const argv = printedArgv(result.stdout);
    const n = accepted.length * CONTEXTS.length;
    assert.deepEqual(argv.slice(0, n), expected(accepted), `arguments: ${context}`);
    assert.equal(argv[n], '--', context);
    assert.deepEqual(printedArgv(argv[n + 1]!), expected(accepted), `inside $(…): ${context}`);
    assert.deepEqual(argv.slice(n + 2), expected(accepted), `after --: ${context}`);
    assert.deepEqual(readdirSync(env.work), [], `a payload ran: ${context}`);
    checked += 3 * n;
  }
  // The property must have exercised both outcomes, or it proved nothing.
  assert.ok(checked > RUNS * 20, `only ${checked} value/context pairs checked`);
  assert.ok(refused > 0, 'no value was refused: the validators were never exercised');
});

test('property: what describeCommand prints, run by a shell, does exactly what running the command does', async (t) => {
  const env = setup();
  t.after(env.cleanup);
  const random = mulberry32(SEED + 1);
  for (let run = 0; run < Math.max(3, Math.ceil(RUNS / 5)); run++) {
    const values: TemplateValues = {
      version: 'v1.2',
      // {{ref}} fills an argument: a value starting with "-" is refused there (checked below).
      ref: hostileValue(random).replace(/^-/, '+'),
      my_variable: hostileValue(random),
    };
    const argvCommand = resolveCommand(
      ['/bin/sh', env.printer, '{{ref}}', 'x-{{my_variable}}', '--', '{{version}}'],
      'target.commands.deploy',
      { shell: false, timeoutMs: 20_000, env: {}, cwd: env.work },
    );
    const scriptCommand = shellCommand(
      `${env.program} {{ref}} "x-{{my_variable}}" '{{version}}' && echo done`,
      env.work,
    );
    for (const command of [argvCommand, scriptCommand]) {
      const printed = describeCommand(command, values);
      const direct = await runCommand(command, values);
      const pasted = pasteIntoShell(printed, env.work);
      assert.equal(pasted.trimEnd(), direct.stdout, `seed ${SEED + 1}: ${printed}`);
      assert.throws(
        () => describeCommand(command, { ...values, ref: '-oProxyCommand=touch PWNED' }),
        /the value of \{\{ref\}\} starts with "-"/,
      );
    }
    assert.deepEqual(readdirSync(env.work), []);
  }
});

test('shellCommandLine quotes for POSIX sh: a shell reads back exactly the same words', (t) => {
  const env = setup();
  t.after(env.cleanup);
  const random = mulberry32(SEED + 2);
  const argv = [
    '',
    'plain-word_1.2:3,4@5%6+7/8',
    'a=b',
    ...Array.from({ length: 12 }, () => hostileValue(random)),
  ];
  const line = shellCommandLine(['/bin/sh', env.printer, ...argv]);
  assert.deepEqual(printedArgv(pasteIntoShell(line, env.work)), argv);
  // No JSON-style quoting: "…" would let $(…) and backticks run when pasted.
  assert.equal(shellQuote('v1$(touch x)'), `'v1$(touch x)'`);
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellCommandLine(['a=b', 'c=d']), `'a=b' c=d`);
});

test('templates where no quoting can protect a value are refused, with the offset and the safe form', () => {
  const refused: Array<[string, string, RegExp]> = [
    [
      'deploy.sh `echo {{version}}`',
      'backticks',
      /\(character 17\) is inside backticks.*write \$\(…\) instead/,
    ],
    ['echo "`echo {{ref}}`"', 'backticks', /\{\{ref\}\} \(character 13\)/],
    ['echo ${TAG:-{{version}}}', 'parameter_expansion', /inside \$\{…\}.*"\$DEPLOY_VERSION"/],
    ['echo $(( {{version}} + 1 ))', 'arithmetic', /inside \$\(\(…\)\).*only weight/],
    ['if (( {{version}} > 1 )); then :; fi', 'arithmetic', /\(character 7\).*\(\(…\)\)/],
    ['echo $[ {{ref}} ]', 'arithmetic', /\{\{ref\}\}/],
    ['cat <<EOF\n$(echo {{version}})\nEOF', 'heredoc_substitution', /"\$DEPLOY_VERSION" there/],
    ['echo ${{version}}', 'after_dollar', /follows a "\$"/],
    ['echo \\{{version}}', 'after_backslash', /follows a backslash/],
    ['echo "\\{{version}}"', 'after_backslash', /follows a backslash/],
    ["cat <<'EOF'\n{{version}}\nEOF", 'quoted_heredoc', /quoted here-document.*<<EOF/],
    ['cat <<{{version}}\nx\n', 'heredoc_delimiter', /here-document delimiter/],
    ["echo 'open {{version}}", 'unterminated', /unterminated/],
    ['echo "$(echo {{version}}"', 'unterminated', /unterminated/],
  ];
  for (const [script, reason, message] of refused) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (analysis.ok) continue;
    assert.equal(analysis.problems[0]!.reason, reason, script);
    assert.match(analysis.problems[0]!.message, message, script);
  }
});

test('the contexts the lexer must tell apart: comments, case patterns, here-documents, nesting', () => {
  const contexts = (script: string) => {
    const analysis = analyzeShellTemplate(script);
    assert.ok(analysis.ok, script);
    return analysis.sites.map((site) => `${site.name}:${site.context}`);
  };
  // A quote in a comment opens nothing.
  assert.deepEqual(contexts("# it's here\necho {{version}}"), ['version:bare']);
  assert.deepEqual(contexts('echo a#{{version}}'), ['version:bare']);
  // `)` of a case pattern does not end the $(…).
  assert.deepEqual(contexts('x="$(case a in a) echo {{version}};; esac)" echo "{{slot}}"'), [
    'version:bare',
    'slot:double',
  ]);
  assert.deepEqual(contexts(`echo "$(printf '%s' "{{version}}" '{{slot}}')"`), [
    'version:double',
    'slot:single',
  ]);
  assert.deepEqual(contexts("cat <<EOF\n{{version}} don't\nEOF\necho '{{slot}}'"), [
    'version:heredoc',
    'slot:single',
  ]);
  assert.deepEqual(contexts('echo $(( {{weight}} * 2 )) ${HOME} {{slot}}'), [
    'weight:arithmetic',
    'slot:bare',
  ]);
  assert.deepEqual(contexts('(( {{batch}} < {{batches}} )) && ( (echo {{slot}}) )'), [
    'batch:arithmetic',
    'batches:arithmetic',
    'slot:bare',
  ]);
  assert.deepEqual(contexts('echo "${HOME}" "{{slot}}" \\"{{version}}'), ['slot:double', 'version:bare']);
});

test('a refused template fails the command before anything runs', async (t) => {
  const env = setup();
  t.after(env.cleanup);
  for (const script of ['touch RAN; echo `echo {{version}}`', 'touch RAN; echo $(( {{weight}} ))']) {
    await assert.rejects(
      runCommand(shellCommand(script, env.work), { version: 'v1', weight: '5; touch PWNED' }),
      (error: CommandFailed) => {
        assert.equal(error.reasonCode, 'template');
        assert.match(error.message, /^target\.commands\.deploy: \{\{(version|weight)\}\}/);
        return true;
      },
    );
  }
  assert.deepEqual(readdirSync(env.work), []);
});

test('numeric variables work inside $((…)); a here-document body gets the literal value', async (t) => {
  const env = setup();
  t.after(env.cleanup);
  const arithmetic = await runCommand(shellCommand('echo $(( {{weight}} * 2 ))', env.work), { weight: '25' });
  assert.equal(arithmetic.stdout, '50');
  const hostile = 'x\nEOF\ntouch PWNED\n$(touch PWNED) `touch PWNED` \'q" \\';
  const heredoc = await runCommand(
    shellCommand(`${env.program} -- "$(cat <<EOF\n{{version}}\nEOF\n)"`, env.work),
    { version: hostile },
  );
  assert.deepEqual(printedArgv(heredoc.stdout), ['--', hostile]);
  assert.deepEqual(readdirSync(env.work), []);
});
