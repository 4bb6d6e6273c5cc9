// Templates inside substitutions of a shell script (`shell: true`, or the script of `bash -c`):
// - process substitution: what a command writes into >(…) is the standard input of the inside, so when the
//   inside runs it as code (>(bash), >(python3)) no template may reach it, from the command's words or from
//   what is piped into it; <(…) is a file: as the script a shell loads (bash <(…), source <(…)) or as the input
//   redirected into a shell (bash < <(…)) its inside takes no template; the inside follows every rule of a
//   command (options, code, what runs);
// - command substitution: $(…)'s output becomes words of the command, and no check of a value can see it. A
//   template inside is refused when that output is split into words (unquoted), starts an argument where the
//   program still reads options, or goes where a value must be one plain word (ssh's remote command); "$(…)"
//   after --, in an assignment or as an option's attached value is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';
import { workdir, commandDefaults as defaults } from '../../helpers/command-workdir.ts';

// [script, reason, message]
const REFUSED: Array<[string, string, RegExp]> = [
  // Process substitution read as code.
  ['printf %s {{x}} | tee >(bash) >/dev/null', 'stdin_code', /piped into >\(bash\), which runs it as code/],
  [
    'printf %s {{x}} > >(sh)',
    'stdin_code',
    /is in what printf writes into a process substitution read as code \(>\(sh …\)\)/,
  ],
  ['cat <<EOF > >(python3)\n{{x}}\nEOF', 'stdin_code', /piped into python3, which runs it as code/],
  ['printf %s {{x}} | { tee >(sh); }', 'stdin_code', /piped into >\(sh\)/],
  [
    'bash <(printf %s {{x}})',
    'chooses',
    /the file bash loads and runs as code \(<\(printf %s \{\{x\}\}\)\): what <\(…\) writes is that code/,
  ],
  [
    'source <(printf %s {{x}})',
    'chooses',
    /the file source reads and runs .*what <\(…\) writes is that code/,
  ],
  // An option's value glued to <(…), with "=" or without: the same reason.
  ['kubectl apply -f<(echo {{x}})', 'chooses', /\(-f<\(echo \{\{x\}\}\)\): what <\(…\) writes is that code/],
  [
    'kubectl apply -f=<(echo {{x}})',
    'chooses',
    /\(-f=<\(echo \{\{x\}\}\)\): what <\(…\) writes is that code/,
  ],
  [
    'bash < <(printf %s {{x}})',
    'stdin_code',
    /is inside <\(…\) redirected into bash, which runs what it reads as code/,
  ],
  // The inside of a process substitution follows the rules of any command.
  ['diff <(python3 -c {{x}}) expected', 'code', /is inside the code "python3 -c" runs/],
  ['diff <({{x}} list) expected', 'chooses', /the word naming the program/],
  ['tee >(sudo {{x}}) </dev/null', 'chooses', /the program sudo runs/],
  // Command substitution.
  [
    'git checkout $(printf %s {{x}})',
    'substitution',
    /is inside \$\(…\) without double quotes: its output is split into words and expanded as a glob, so the value would choose how many words git gets and which; write "\$\(…\)" in double quotes/,
  ],
  ['kubectl get pods $(printf %s {{x}})', 'substitution', /without double quotes/],
  ['kubectl $(printf %s {{x}})', 'chooses', /the subcommand kubectl runs/],
  [
    'git checkout "$(printf %s {{x}})"',
    'substitution',
    /is inside \$\(…\) at the start of an argument of git: its output could start with "-".*put -- before it/,
  ],
  ['git checkout "$(true)$(printf %s {{x}})"', 'substitution', /at the start of an argument of git/],
  ['sudo -u app git checkout "$(printf %s {{x}})"', 'substitution', /at the start of an argument of sudo/],
  [
    'ssh app1 "deploy $(printf %s {{x}})"',
    'substitution',
    /whose output goes into the command ssh runs through the remote host's shell, where a value must be one plain word/,
  ],
  ['for v in $(printf %s {{x}}); do echo "$v"; done', 'substitution', /without double quotes/],
  ['"$(printf %s {{x}})" deploy', 'chooses', /the word naming the program/],
  ['sh -c "deploy $(printf %s {{x}})"', 'code', /inside the script of "sh -c"/],
];

test('a template inside a substitution is refused where its output or input escapes the rules, with the reason and the safe form', async (t) => {
  const dir = workdir(t, 'substitutions');
  for (const [script, reason, message] of REFUSED) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (analysis.ok) continue;
    assert.equal(analysis.problems[0]!.reason, reason, `${script}: ${analysis.problems[0]!.message}`);
    assert.match(analysis.problems[0]!.message, /^\{\{x\}\} \(character \d+\) /, script);
    assert.match(analysis.problems[0]!.message, message, script);
    // The same script run by bash from an argv command.
    const argv = argvShellProblems(['bash', '-c', script]);
    assert.match(argv[0] ?? '', message, `bash -c ${script}`);
    // At its field in the config, and before anything runs.
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: ${JSON.stringify({ run: script, shell: true })}\nenvironments:\n  production:\n    variables: { x: a }\n`,
      'deploy.yml',
    );
    assert.equal(parsed.ok, false, script);
    if (!parsed.ok)
      assert.ok(
        parsed.errors.some((e) => e.path === 'target.commands.deploy.run' && message.test(e.message)),
        JSON.stringify(parsed.errors),
      );
    const command = resolveCommand(['bash', '-c', `touch RAN; ${script}`], 'deploy', defaults(dir));
    const error = await runCommand(command, { x: 'touch PWNED' }).then(
      () => assert.fail(`${script} ran`),
      (e: unknown) => e as CommandFailed,
    );
    assert.equal(error.reasonCode, 'template', error.message);
    assert.match(error.message, message);
  }
  assert.deepEqual(readdirSync(dir), [], 'a command ran');
});

test('the payloads those forms would have run stay data in the forms that are accepted', async (t) => {
  const dir = workdir(t, 'substitutions');
  writeFileSync(join(dir, 'show.sh'), '#!/bin/sh\nprintf "%s|" "$@"\n');
  chmodSync(join(dir, 'show.sh'), 0o755);
  const x = '-x $(touch PWNED) `touch PWNED` ;touch PWNED *';
  const accepted: Array<[string, string]> = [
    // "$(…)" after --, as an attached option value, in an assignment, as an operand that is never an option.
    ['./show.sh -- "$(printf %s {{x}})"', `--|${x}|`],
    ['./show.sh --ref="$(printf %s {{x}})"', `--ref=${x}|`],
    ['v="$(printf %s {{x}})"; ./show.sh -- "$v"', `--|${x}|`],
    ['export V=$(printf %s {{x}}); ./show.sh -- "$V"', `--|${x}|`],
    ['printf "%s|" "$(printf %s {{x}})"', `${x}|`],
    // A process substitution read as data, with the value from inside it and from the command that feeds it.
    ['./show.sh -- "$(cat <(printf %s {{x}}))"', `--|${x}|`],
    ['./show.sh -- "$(printf %s {{x}} | tee >(cat >/dev/null))"', `--|${x}|`],
  ];
  for (const [script, expected] of accepted) {
    const analysis = analyzeShellTemplate(script);
    assert.ok(analysis.ok, `${script}: ${analysis.ok ? '' : analysis.problems[0]!.message}`);
    const result = await runCommand(resolveCommand(['bash', '-c', script], 'deploy', defaults(dir)), { x });
    assert.equal(result.stdout, expected, script);
  }
  assert.deepEqual(readdirSync(dir), ['show.sh'], 'a payload ran');
});

test('words after a process substitution belong to the command it is in', async (t) => {
  // `wc <(…) {{x}}` was read as a new command from the "(": {{x}} was taken for a program and never checked as
  // an argument of wc, so a value starting with "-" reached it as an option. (`cat <(…) {{x}}` is refused when
  // the config loads: cat prints the file the value names, file-writes.test.ts.)
  const dir = workdir(t, 'substitutions');
  const command = resolveCommand(['bash', '-c', 'wc <(true) {{x}}'], 'deploy', defaults(dir));
  const error = await runCommand(command, { x: '--version' }).then(
    () => assert.fail('wc got an option from the value'),
    (e: unknown) => e as CommandFailed,
  );
  assert.match(error.message, /the value of \{\{x\}\} starts with "-" and is a whole argument of wc/);
  // Inside it, the words of a command are checked as anywhere else.
  const inside = resolveCommand(['bash', '-c', 'diff <(git show {{x}}) expected'], 'deploy', defaults(dir));
  const option = await runCommand(inside, { x: '--output=PWNED' }).then(
    () => assert.fail('git got an option from the value'),
    (e: unknown) => e as CommandFailed,
  );
  assert.match(option.message, /the value of \{\{x\}\} starts with "-" and is a whole argument of git/);
  assert.deepEqual(readdirSync(dir), []);
  assert.ok(analyzeShellTemplate('diff <(printf %s {{x}}) <(printf %s {{y}}) && echo {{x}}').ok);
});

test('the <(…) message is for a template inside the <(…) of a word read as code or config, none other', () => {
  const messages = (script: string) => {
    const analysis = analyzeShellTemplate(script);
    return analysis.ok ? [] : analysis.problems.map((p) => p.message);
  };
  for (const [script, message] of [
    ['docker -H<(echo {{x}}) ps', /which docker -H chooses .*: its value would choose the engine/],
    ['kubectl apply -f<(echo a){{x}}', /\(-f<\(echo a\)\{\{x\}\}\): its value would choose what is deployed/],
  ] as Array<[string, RegExp]>) {
    const found = messages(script);
    assert.equal(found.length, 1, script);
    assert.match(found[0]!, message);
    assert.doesNotMatch(found[0]!, /what <\(…\) writes is that code/);
  }
  for (const script of ['kubectl apply -f<(echo {{x}})', 'bash <(printf %s {{x}})'])
    assert.match(messages(script).join('\n'), /what <\(…\) writes is that code/, script);
});
