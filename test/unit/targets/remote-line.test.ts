// The line ssh runs remotely is read as the remote user's shell reads it: ssh joins its words with spaces, and
// that shell parses quotes, backslashes, comments, operators, $(…) and `…`, reserved words and its own variables.
// A template that ends up in a program's place there, or in code, is refused however the quoting was arranged;
// one the remote shell reads as a quoted argument is accepted (its value is still checked to be a plain word).
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

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

test('what the remote line feeds to xargs, a curl config, sftp or a list of files is refused: it names a file of the remote host', () => {
  const remote = "what the command ssh runs through the remote host's shell feeds to";
  const refused: Array<[string[], RegExp]> = [
    [
      ['ssh', 'host', 'echo {{x}} | xargs rm'],
      new RegExp(
        `\\{\\{x\\}\\}(?: \\(character \\d+\\))? is in ${remote} xargs \\(echo \\{\\{x\\}\\} \\| xargs rm\\), which xargs puts after "rm" as its last arguments, where rm deletes .* a file on the remote host: the value would choose a file or directory of the remote host`,
      ),
    ],
    [
      ['ssh', 'host', 'echo {{x}} | xargs curl -d'],
      /feeds to xargs .*where curl -d may read a file on the remote host/,
    ],
    [['ssh', 'host', 'echo {{x}} | xargs -I{} cp app.tgz {}'], /feeds to xargs .*in place of \{\} in "\{\}"/],
    [['ssh', 'host', 'xargs rm <<< {{x}}'], /feeds to xargs \(xargs rm <<< \{\{x\}\}\)/],
    [['ssh', 'host', 'xargs rm < <(echo {{x}})'], /feeds to xargs/],
    [
      ['ssh', 'host', 'v={{x}}; echo "$v" | xargs rm'],
      /\{\{x\}\}(?: \(character \d+\))? \(through the remote variable \$v, set from it\) is in .* feeds to xargs/,
    ],
    [
      ['ssh', 'host', 'curl -K - <<< {{x}}'],
      new RegExp(
        `\\{\\{x\\}\\}(?: \\(character \\d+\\))? is in ${remote} curl \\(curl -K - <<< \\{\\{x\\}\\}\\), which curl reads as its config \\(curl -K\\): .*upload-file = /etc/passwd sends a file of the remote host`,
      ),
    ],
    [
      ['ssh', 'host', 'echo "url = {{x}}" | curl --config - https://h'],
      /feeds to curl .*reads as its config/,
    ],
    [
      ['ssh', 'host', 'sftp -b - other <<< "put {{x}}"'],
      /feeds to sftp .*put FILE sends a file of the remote host, get writes one, !COMMAND runs a command in the remote host's shell/,
    ],
    [['ssh', 'host', 'sftp other <<EOF\nput dist/{{x}}\nEOF'], /feeds to sftp .*reads as its commands/s],
    [
      ['ssh', 'host', 'echo {{x}} | rsync -a --files-from=- . other:/srv/'],
      /feeds to rsync .*rsync --files-from - reads as the names of the files it sends, one a line: the value would choose files of the remote host/,
    ],
    [
      ['ssh', 'host', 'tar -czf a.tgz -T - <<< {{x}}'],
      /feeds to tar .*tar -T - reads as the names of the files it archives/,
    ],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
});

test('a value given to a program the remote line names by an expansion is refused: which program runs is not known', () => {
  const refused: Array<[string[], RegExp]> = [
    [
      ['ssh', 'host', 'c=curl; $c -d @{{x}} https://h'],
      /\{\{x\}\}(?: \(character \d+\))? is an argument of \$c in the command ssh runs through the remote host's shell \(c=curl; \$c -d @\{\{x\}\} https:\/\/h\), a program named by an expansion: .*send a file of the remote host/,
    ],
    [['ssh', 'host', 'c=curl; "$c" -T {{x}} https://h'], /is an argument of \$c/],
    [['ssh', 'host', '$(command -v curl) -d @{{x}} https://h'], /is an argument of \$\(command -v curl\)/],
    [['ssh', 'host', 'c=curl; echo {{x}} | $c -K -'], /feeds to \$c .*a program named by an expansion/],
    [['ssh', 'host', 'c=../../usr/bin/curl; $c -d @{{x}} https://h'], /is an argument of \$c/],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
});

test("a shell's here-string or < <(…) on the remote line is code it runs: a value there is refused", () => {
  assertRefused(['ssh', 'host', 'sh <<< {{x}}'], /what the remote line feeds to sh, which runs it as code/);
  assertRefused(['ssh', 'host', 'bash <<< "echo {{x}}"'], /feeds to bash, which runs it as code/);
  assertRefused(['ssh', 'host', 'bash < <(echo {{x}})'], /feeds to bash, which runs it as code/);
});

test('what a command of the remote line writes into >(…) is read there as from a pipe', () => {
  assertRefused(
    ['ssh', 'host', 'echo {{x}} | tee >(sh)'],
    /what the remote line feeds to sh, which runs it as code/,
  );
  assertRefused(['ssh', 'host', 'echo {{x}} | tee >(xargs rm)'], /feeds to xargs .*where rm deletes/);
  for (const spec of [
    ['ssh', 'host', './build.sh {{x}} > >(tee build.log)'],
    ['ssh', 'host', './build.sh {{x}} 2> >(logger -t deploy)'],
  ])
    assertAccepted(spec);
});

test('common remote lines with a value, and pipes into xargs or curl carrying none, stay accepted', () => {
  for (const spec of [
    ['ssh', 'host', 'cd /srv/app && ./deploy.sh {{x}}'],
    ['ssh', 'host', 'docker pull registry/app:{{x}}'],
    ['ssh', 'host', 'ls /srv | xargs -n1 echo'],
    ['ssh', 'host', 'ls /srv/releases | xargs -n1 echo {{x}}'],
    ['ssh', 'host', 'echo {{x}} | xargs -n1 ./deploy.sh'],
    ['ssh', 'host', 'docker pull app:{{x}} && docker images -q | xargs docker rmi'],
    ['ssh', 'host', 'curl -K /etc/deploy.curlrc https://h/{{x}}'],
    ['ssh', 'host', 'grep -q {{x}} /srv/releases.txt'],
    ['ssh', 'host', 'cmd=./deploy.sh; $cmd {{x}}'],
    ['ssh', 'host', 'tar -czf /tmp/app-{{x}}.tgz -T /srv/files.txt'],
  ])
    assertAccepted(spec);
});

test("what ssh reads on its standard input is the remote command's: fed to such a reader there, a value is refused", () => {
  const gives = "which the command ssh runs through the remote host's shell gives to";
  const refused: Array<[string, RegExp]> = [
    [
      "echo {{x}} | ssh host 'xargs rm'",
      new RegExp(
        `\\{\\{x\\}\\} \\(character 6\\) is in the output of a command piped into ssh, ${gives} xargs there, which xargs puts after "rm" as its last arguments, where rm deletes .* a file on the remote host`,
      ),
    ],
    ["echo {{x}} | ssh host 'cd /srv && xargs rm'", new RegExp(`piped into ssh, ${gives} xargs there`)],
    [
      "ssh host 'curl -K -' <<< {{x}}",
      new RegExp(`is in a here-string fed to ssh, ${gives} curl there, which curl reads as its config`),
    ],
    ["ssh host 'tar -czf - -T -' <<< {{x}}", /fed to ssh, .* gives to tar there, which tar -T - reads/],
    ["ssh host 'sftp other' <<EOF\nput {{x}}\nEOF", /here-document fed to ssh, .* gives to sftp there/],
    [
      "echo {{x}} | ssh host 'c=curl; $c -K -'",
      /piped into ssh, .* gives to \$c there, a program named by an expansion/,
    ],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
  for (const script of [
    'echo {{x}} | ssh host ./deploy.sh',
    "ssh host 'xargs -n1 ./deploy.sh' <<< {{x}}",
    "ssh host 'xargs rm < /srv/old.list' <<< {{x}}",
    "ssh host 'ls /srv/old | xargs rm' <<< {{x}}",
  ])
    assertScriptAccepted(script);
});
