// The line ssh runs remotely is read as the remote user's shell reads it: ssh joins its words with spaces, and
// that shell parses quotes, backslashes, comments, operators, $(…) and `…`, reserved words and its own variables.
// A template that ends up in a program's place there, or in code, is refused however the quoting was arranged;
// one the remote shell reads as a quoted argument is accepted (its value is still checked to be a plain word).
import { test } from 'node:test';
import { assertAccepted, assertRefused, assertScriptAccepted } from '../../helpers/command-checks.ts';

test('a template the remote shell would run is refused, whatever the quoting around it', () => {
  const refused: Array<[string[], RegExp]> = [
    // Command substitutions on the remote host: their inside is a command.
    [['ssh', 'app1', 'echo `{{x}}`'], /the program, on the remote host/],
    [['ssh', 'app1', 'echo "$({{x}})"'], /the program, on the remote host/],
    [['ssh', 'app1', 'echo', '$(', '{{x}}', ')'], /the program, on the remote host/],
    // Reserved words keep the next word a program.
    [['ssh', 'app1', 'if true; then {{x}}; fi'], /the program, on the remote host/],
    [['ssh', 'app1', 'while', 'true;', 'do', '{{x}};', 'done'], /the program, on the remote host/],
    // A remote variable set from a template.
    [
      ['ssh', 'app1', 'v={{x}}; $v'],
      /the program, on the remote host \(through the remote variable \$v, set from it\)/,
    ],
    [['ssh', 'app1', 'export v={{x}}; sudo "$v"'], /the program sudo runs, on the remote host/],
    [
      ['ssh', 'app1', 'v={{x}}', ';', 'bash', '"$v"'],
      /the file bash loads and runs as code, on the remote host/,
    ],
    [['ssh', 'app1', 'for h in {{x}}; do $h; done'], /the program, on the remote host/],
    [['ssh', 'app1', 'v={{x}}; eval "$v"'], /the code "eval" runs on the remote host/],
    // A variable the value names, and variables that load code, on the remote host.
    [
      ['ssh', 'app1', 'echo ${{{x}}}'],
      /a \$\{…\} of the remote line, which reads the variable the value names/,
    ],
    [['ssh', 'app1', 'LD_PRELOAD={{x}} ./deploy.sh'], /the variable LD_PRELOAD/],
    // A quote closed in another word of ssh's: the remote shell reads the joined line.
    [['ssh', 'app1', "echo 'a'", '{{x}}', '|', 'sh'], /feeds to sh, which runs it as code/],
    [['ssh', 'app1', 'echo "a', 'b";', '{{x}}'], /the program, on the remote host/],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
});

test('a template the remote shell reads as a quoted argument stays accepted', () => {
  for (const spec of [
    ['ssh', 'app1', 'echo "a; {{x}}"'],
    ['ssh', 'app1', "echo 'a && {{x}}'"],
    ['ssh', 'app1', 'echo a\\;{{x}}'],
    ['ssh', 'app1', "echo '", '; {{x}}', "'"],
    ['ssh', 'app1', 'cd /srv && ./deploy.sh {{x}}'],
    ['ssh', 'app1', 'VERSION={{x}} ./deploy.sh'],
    ['ssh', 'app1', 'while true; do ./deploy.sh {{x}}; done'],
    ['ssh', 'app1', 'cat > /tmp/{{x}}.txt # {{x}} as a comment'],
  ])
    assertAccepted(spec);
  assertScriptAccepted(`ssh app1 "echo 'a; {{x}}'"`);
});

test('a substitution on the remote line is part of its word: the command around it goes on after it', () => {
  for (const spec of [
    ['ssh', 'host', 'echo "$(date) {{version}}" >> log'],
    ['ssh', 'host', 'docker tag app:$(cat cur) app:{{version}}'],
    ['ssh', 'host', 'echo `date` {{version}}'],
    ['ssh', 'host', './compare.sh <(cat a) b {{version}}'],
    ['ssh', 'host', 'echo $((1 + 2)) {{version}}'],
  ])
    assertAccepted(spec);
});

test("a substitution's output, a process substitution and remote variables set otherwise than v= carry the value", () => {
  const refused: Array<[string[], RegExp]> = [
    [['ssh', 'host', 'eval "$(echo {{x}})"'], /the code "eval" runs on the remote host/],
    [['ssh', 'host', '$(echo {{x}}) deploy'], /the program, on the remote host/],
    [['ssh', 'host', 'cat >({{x}})'], /the program, on the remote host/],
    [['ssh', 'host', 'cat <({{x}})'], /the program, on the remote host/],
    [
      ['ssh', 'host', 'set -- {{x}}; $1'],
      /the program, on the remote host \(through the remote variable \$1/,
    ],
    [['ssh', 'host', 'set -- a {{x}}; "$@"'], /the program, on the remote host/],
    [
      ['ssh', 'host', 'read v <<< {{x}}; $v'],
      /the program, on the remote host \(through the remote variable \$v/,
    ],
    [
      ['ssh', 'host', 'v=$(echo {{x}}); $v'],
      /the program, on the remote host \(through the remote variable \$v/,
    ],
    [
      ['ssh', 'host', 'v=`echo {{x}}`; bash "$v"'],
      /the file bash loads and runs as code, on the remote host/,
    ],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
});
