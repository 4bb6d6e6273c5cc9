// What xargs reads becomes arguments of the program it runs, cut at blanks and newlines, its quotes and
// backslashes read (one item per line with -I; only the delimiter cuts with -0/-d). A value piped or
// here-stringed into xargs is checked once rendered to be one argument that does not start with "-", as a
// value written as the argument is: `echo {{pods}} | xargs kubectl delete pod` given `--all` deleted every pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { renderArgvCommand } from '../../../src/targets/shell-script.ts';
import {
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  scriptCheckedOnceRendered,
} from '../../helpers/command-checks.ts';

const render = (script: string, x: string) => renderShellScript(script, { x });

test('a value fed to xargs is one argument of its program, not an option', () => {
  const fed = [
    'echo {{x}} | xargs -n1 kubectl delete pod',
    'printf "%s\\n" {{x}} | xargs kubectl delete pod',
    'xargs kubectl delete pod <<< {{x}}',
    'echo "{{x}}" | tr , "\\n" | xargs -r kubectl delete pod',
    'v={{x}}; echo "$v" | xargs kubectl delete pod',
    'v=pod-{{x}}; echo "$v" | xargs kubectl delete pod',
    'xargs kubectl delete pod <<EOF\n{{x}}\nEOF',
    'cat <<EOF | xargs kubectl delete pod\n{{x}}\nEOF',
    'v={{x}}; xargs kubectl delete pod <<EOF\n$v\nEOF',
  ];
  for (const script of fed)
    scriptCheckedOnceRendered(
      script,
      [
        [
          '--all',
          /\{\{x\}\} is fed to xargs, which makes it an argument of kubectl: it starts with "-"|would cut it into several arguments/,
        ],
        ['web-1 --all', /would cut it into several arguments of kubectl/],
        ["web-1'", /or read its quotes/],
      ],
      ['web-1'],
    );
  // `v=pod-{{x}}`: the value is not first, yet it is checked on its own (which part starts the item is not known).
  assert.throws(
    () => render('v=pod-{{x}}; echo "$v" | xargs ./deploy.sh', 'a b'),
    /several arguments of deploy.sh/,
  );
});

test('-I reads one item per line: blanks stay; -0 and -d: only line breaks and a leading "-" matter', () => {
  const lines = 'echo {{x}} | xargs -I{} ./notify.sh "deployed {}"';
  assert.doesNotThrow(() => render(lines, 'version 1.2 of web'));
  assert.throws(() => render(lines, 'a\nb'), /may hold no line break, quote or backslash/);
  assert.throws(() => render(lines, '-x'), /starts with "-"/);
  const nul = 'printf "%s" {{x}} | xargs -0 -n1 ./deploy.sh';
  assert.doesNotThrow(() => render(nul, "it's a b"));
  assert.throws(() => render(nul, 'a\nb'), /may hold no line break/);
  // -n10 is not -0: blanks still cut items.
  assert.throws(() => render('echo {{x}} | xargs -n10 ./deploy.sh', 'a b'), /may hold no blank/);
});

test('in a script an argv command runs (sh -c), the same check', () => {
  const argv = ['sh', '-c', 'echo {{x}} | xargs kubectl delete pod'];
  const rendered = (x: string) => renderArgvCommand(argv, { x }, (word) => word.replaceAll('{{x}}', x));
  assert.throws(() => rendered('--all'), /starts with "-"/);
  assert.doesNotThrow(() => rendered('web-1'));
});

test('a variable holding more than templates and fixed text, fed to xargs: refused at load', () => {
  assertScriptRefused(
    'v="$(cat pods.txt) {{x}}"; echo "$v" | xargs kubectl delete pod',
    /\$v \(character \d+\) holds \{\{x\}\}, set at character 1; it reaches xargs, which makes what it reads arguments of kubectl: what it holds besides templates is not known/,
  );
});

test('xargs with fixed input, or running no program (a trim), is left as it was', () => {
  for (const script of [
    'ls pods | xargs -n1 kubectl delete pod',
    'git ls-files | xargs prettier --check',
    'VERSION=$(echo {{x}} | xargs); ./deploy.sh "$VERSION"',
  ])
    assertScriptAccepted(script);
  assert.doesNotThrow(() => render('VERSION=$(echo {{x}} | xargs); ./deploy.sh "$VERSION"', ' 1.2 '));
});

test("-I's string in an image's tag: accepted, what xargs reads checked once rendered as the image rule does", () => {
  const fed = [
    'echo {{x}} | xargs -I{} docker push registry.example.com/app:{}',
    'xargs -I{} docker run --rm app:{} <<< {{x}}',
    'v={{x}}; echo "$v" | xargs -I{} sudo docker push registry.example.com/app:{}',
  ];
  for (const script of fed) {
    assertScriptAccepted(script);
    for (const value of ['x y', 'evil.example.com/app', '1@sha256:ab', 'a:b'])
      assert.throws(
        () => render(script, value),
        /\{\{x\}\} is fed to xargs, which puts it in "[^"]*app:\{\{x\}\}": \{\{x\}\} is in the tag of the image docker (push pushes|run runs)/,
        `${script} with ${value}`,
      );
    assert.throws(() => render(script, '-x'), /it starts with "-"/, script);
    assert.doesNotThrow(() => render(script, '1.2.3'), script);
  }
  // Where the value would be the whole image or its registry, or where the written-out command is refused or
  // checked another way (a volume's name): refused when the config loads, as before.
  for (const script of [
    'echo {{x}} | xargs -I{} docker push {}',
    'echo {{x}} | xargs -i docker push {}',
    'echo {{x}} | xargs -I{} docker push {}.example.com/app:1',
    'echo {{x}} | xargs -I{} docker run -v {}:/data app',
    'echo {{x}} | xargs -I{} sudo {}',
    "echo {{x}} | xargs -I{} sh -c 'echo {}'",
  ])
    assertScriptRefused(
      script,
      /piped into xargs, which would make it the program, subcommand or script xargs runs/,
    );
});

// Where the command written out checks the value once rendered in other ways (helm --set, a context, an image
// with a command after it), what xargs reads gets those checks, or is refused when no check of it can make
// them; the same through xargs -a <(…).
test('what xargs reads gets the checks of the command written out, or is refused', () => {
  for (const script of [
    'echo {{x}} | xargs -I{} helm upgrade app ./chart --set image.tag={}',
    'xargs -I{} helm upgrade app ./chart --set image.tag={} <<< {{x}}',
    'xargs -I{} helm upgrade app ./chart --set image.tag={} <<EOF\n{{x}}\nEOF',
    'v={{x}}; echo "$v" | xargs -I{} helm upgrade app ./chart --set image.tag={}',
    'xargs -a <(echo {{x}}) -I{} helm upgrade app ./chart --set image.tag={}',
  ])
    assertScriptRefused(
      script,
      /reaches xargs, which makes what it reads an argument of helm where a value written/,
    );
  for (const [script, bad] of [
    ['echo {{x}} | xargs -I{} kubectl -n {} apply -f k8s/', 'a/b'],
    ['xargs -a <(echo {{x}}) -I{} kubectl -n {} apply -f k8s/', 'a/b'],
    ['echo {{x}} | xargs -I{} docker run --rm app:{} ./migrate.sh', '5000/evil'],
    ['xargs -a <(echo {{x}}) -I{} docker run --rm app:{} ./migrate.sh', '5000/evil'],
  ] as const) {
    assertScriptAccepted(script);
    assert.throws(() => render(script, bad), /\{\{x\}\}/, script);
    assert.doesNotThrow(() => render(script, 'prod-1'), script);
  }
});

test("a value in xargs' own options is refused: it chooses where what xargs reads lands", () => {
  assertScriptRefused(
    'echo {{x}} | xargs -I {{y}} docker run app:{{y}}',
    /\{\{y\}\} \(character \d+\) is in an option of xargs \(\{\{y\}\}\), which chooses where what xargs reads lands/,
  );
  assertScriptRefused('xargs -I{{y}} ./deploy.sh web <<< {{x}}', /is in an option of xargs \(-I\{\{y\}\}\)/);
  assertScriptRefused('ls | xargs -d {{y}} ./deploy.sh', /is in an option of xargs/);
  // -a's file has the file rule: after a fixed directory, one plain name once rendered.
  assertScriptAccepted('xargs -a lists/{{x}}.txt ./deploy.sh');
});

// GNU parallel runs its command with each item (after :::, or a line of its standard input) in place of {} or
// appended, quoted for the shell: where an item would be the program or code, or land where no check of an
// item can make the command's checks, a value there is refused; elsewhere it is one argument, checked so.
test("GNU parallel's items: refused where they would run, checked once rendered elsewhere", () => {
  for (const script of [
    'parallel sh -c ::: {{x}}',
    'parallel sh -c {} ::: {{x}}',
    'echo {{x}} | parallel sh -c {}',
    'parallel ssh host {} ::: {{x}}',
    'parallel git -C {} status ::: {{x}}',
  ])
    assertScriptRefused(script, /parallel/);
  assertScriptRefused(
    'parallel helm upgrade app ./chart --set image.tag={} ::: {{x}}',
    /is an item of parallel, which makes what it reads an argument of helm where a value written/,
  );
  const script = 'parallel kubectl delete pod ::: {{x}}';
  assertScriptAccepted(script);
  assert.throws(() => render(script, '--all'), /starts with "-"/);
  assert.doesNotThrow(() => render(script, 'web 1'), 'one item, one argument: parallel quotes it');
  assertScriptAccepted('parallel -j4 ./deploy.sh ::: web api worker');
});

// sem (GNU parallel --semaphore) joins its command's words into one line a shell runs, as parallel does: a value
// there is code. Its own options (--id, -j, --fg, --wait, --timeout) take no program.
test('sem and parallel --semaphore hand their command to a shell: a value there is refused', () => {
  for (const script of [
    'sem ./deploy.sh {{x}}',
    'sem --id deploy -j 2 --fg ./deploy.sh {{x}}',
    'sem --timeout 60 ./deploy.sh {{x}}',
    'sem --fg {{x}}',
    'sudo sem ./deploy.sh {{x}}',
    'v={{x}}; sem ./deploy.sh "$v"',
    'parallel --semaphore ./deploy.sh {{x}}',
    'parallel --sem --id a ./deploy.sh ::: {{x}}',
  ])
    assertScriptRefused(
      script,
      /is inside the command "(sem|parallel)" hands to a shell: that shell would run code in its value; (sem|parallel --semaphore) joins its command's words into that line/,
    );
  assertRefused(['sem', '--id', 'deploy', './deploy.sh', '{{x}}'], /"sem" hands to a shell/);
  for (const script of [
    'sem --id deploy --fg ./deploy.sh',
    'sem -j 2 ./deploy.sh; sem --wait',
    'sem --id deploy \'./deploy.sh "$DEPLOY_X"\'; echo {{x}}',
  ])
    assertScriptAccepted(script);
});

// What parallel reads on its standard input is its items, one a line, each quoted: checked once rendered as an
// item after ::: is (one argument, not an option).
test("parallel's items read on standard input: checked once rendered as those after ::: are", () => {
  for (const script of [
    'echo {{x}} | parallel kubectl delete pod',
    'parallel kubectl delete pod <<< {{x}}',
    'v={{x}}; echo "$v" | parallel -j2 kubectl delete pod {}',
  ])
    scriptCheckedOnceRendered(
      script,
      [
        ['--all', /\{\{x\}\} is fed to parallel, which makes it an argument of kubectl: it starts with "-"/],
        ['a\nb', /may hold no line break/],
      ],
      ['web 1'],
    );
  assertScriptRefused(
    'echo {{x}} | parallel helm upgrade app ./chart --set image.tag={}',
    /is an item of parallel, which makes what it reads an argument of helm where a value written/,
  );
});

// parallel -a FILE reads its items from FILE: the file rule, as xargs -a's; with no command, each line runs.
test("parallel -a's file is a file read: refused or checked as xargs -a's", () => {
  for (const script of [
    'parallel -a {{x}} kubectl delete pod',
    'parallel --arg-file={{x}} ./deploy.sh',
    'parallel -a{{x}} ./deploy.sh',
    'parallel -j2 --arg-file {{x}} ./deploy.sh {}',
  ])
    assertScriptRefused(
      script,
      /\{\{x\}\} \(character \d+\) is in the name of the local file parallel -a hands the lines of to the program it runs, as its arguments/,
    );
  assertScriptRefused(
    'parallel -a {{x}}',
    /with no command, parallel runs each line of the file -a names as a command/,
  );
  const script = 'parallel -a lists/{{x}}.txt ./deploy.sh';
  assertScriptAccepted(script);
  assert.throws(() => render(script, '../../etc/passwd'), /\{\{x\}\}/);
  assert.doesNotThrow(() => render(script, 'web'));
});

// xargs -a FILE (parallel -a FILE) reads its items from FILE, and leaves its standard input to the program it
// runs: a value fed there is no item; refused only where that program reads it, or is chosen by FILE's lines.
test('xargs -a and parallel -a leave their standard input to the program: refused only where it is read', () => {
  for (const script of [
    'echo {{x}} | xargs -a list rm',
    'echo {{x}} | xargs -ra list rm',
    'echo {{x}} | xargs --arg-file=list ./deploy.sh',
    'echo {{x}} | parallel -a list rm',
  ])
    assertScriptAccepted(script);
  for (const script of [
    'echo {{x}} | xargs -a list kubectl apply -f -',
    'echo {{x}} | xargs --arg-file list cat /dev/stdin',
    'echo {{x}} | parallel -a list kubectl apply -f -',
  ])
    assertScriptRefused(
      script,
      /gives to (the program it runs|its first job) \((kubectl|cat)\), and (kubectl|cat) reads it as the file "(-|\/dev\/stdin)"/,
    );
  assertScriptRefused(
    'echo {{x}} | xargs -a list sudo',
    /which xargs -a gives to the program it runs, chosen by its items \(the lines of the file -a names\)/,
  );
  assertScriptRefused('echo {{x}} | xargs -a list sh', /piped into sh, which runs it as code/);
  assertScriptRefused('echo {{x}} | xargs -a list tar -cf a.tar -T -', /tar -T - reads as the names/);
  // -a - (or /dev/stdin) is standard input: its items, as without -a.
  assertScriptRefused('echo {{x}} | xargs -a - rm', /where rm deletes or moves away a local file/);
});

test('xargs -a on the line ssh runs: the same, for the remote program', () => {
  assertScriptAccepted("ssh host 'echo {{x}} | xargs -a list rm'");
  assertScriptRefused(
    "ssh host 'echo {{x}} | xargs -a list kubectl apply -f -'",
    /feeds to xargs \(echo \{\{x\}\} \| xargs -a list kubectl apply -f -\), which xargs -a gives to the program it runs \(kubectl\), and kubectl reads it as the file "-": .*a config of the remote host's tools/,
  );
});

// parallel --pipe cuts its standard input into blocks its jobs read on theirs: no items, the same rule as -a's.
test('parallel --pipe gives its standard input to its jobs: refused only where they read it', () => {
  for (const script of ['echo {{x}} | parallel --pipe ./deploy.sh', 'echo {{x}} | parallel --pipe wc -l'])
    assertScriptAccepted(script);
  assertScriptRefused(
    'echo {{x}} | parallel --pipe kubectl apply -f -',
    /which parallel --pipe cuts into blocks and gives to its jobs \(kubectl\), and kubectl reads it as the file "-"/,
  );
  assertScriptRefused(
    'echo {{x}} | parallel --pipe sh',
    /which parallel --pipe cuts into blocks and gives to its jobs \(sh\), which runs it as code/,
  );
});

// parallel's and sem's own options (and their values) come before the command they hand a shell: what that
// command runs is read after them (a relative ./deploy.sh is found in the directory a cd changed to).
test("sem's and parallel's options do not hide the program their command runs", () => {
  for (const script of [
    'cd {{x}} && sem --id deploy --fg ./deploy.sh',
    'cd {{x}} && sem -j 2 --timeout 60 ./deploy.sh',
    'cd {{x}} && parallel -j2 ./deploy.sh ::: a b',
    'cd {{x}} && parallel -j 2 -- ./deploy.sh ::: a b',
  ])
    assertScriptRefused(script, /is in the directory cd changes to, and a later command \((sem|parallel) /);
  assertScriptAccepted('cd {{x}} && sem -j 2 /opt/deploy/run.sh');
});

// xargs -a list ssh: the lines of the list complete the command (the host), which then names no remote command:
// the remote host's shell reads its commands on standard input, which is what is fed to xargs. (xargs's items
// choose ssh's host too, which takes no template: the refusal may say either.)
test('xargs -a and parallel -a into a program their items leave with no code operand: what is fed is code', () => {
  for (const script of [
    'echo {{x}} | xargs -a list ssh',
    'echo {{x}} | xargs -a list ssh -T',
    'echo {{x}} | xargs --arg-file=list -r ssh',
    'echo {{x}} | parallel -a list ssh',
    "ssh jump 'echo {{x}} | xargs -a list ssh'",
  ])
    assertScriptRefused(
      script,
      /which runs it as code once its items are its arguments \(ssh (-T )?item: with no remote command|which (xargs -a gives to the program it runs|parallel -a gives to its first job), chosen by its items[^]*it may run it as code/,
    );
  for (const script of ['echo {{x}} | xargs -a list rm', 'echo {{x}} | parallel -a list rm'])
    assertScriptAccepted(script);
});

// parallel :::: - and -a - (--arg-file -, /dev/stdin) read items on standard input, as with no ::: at all.
test('parallel :::: - and -a - read their items on standard input: code refused, arguments checked', () => {
  for (const script of [
    'echo {{x}} | parallel sh -c :::: -',
    'echo {{x}} | parallel -a - sh -c',
    'echo {{x}} | parallel --arg-file=/dev/stdin sh -c',
  ])
    assertScriptRefused(
      script,
      /piped into parallel, which parallel puts in its command where it would be the program/,
    );
  assertScriptRefused(
    'echo {{x}} | parallel rm :::: -',
    /piped into parallel, which parallel puts after "rm"/,
  );
  for (const script of [
    'echo {{x}} | parallel kubectl delete pod :::: -',
    'echo {{x}} | parallel --arg-file - kubectl delete pod',
    'echo {{x}} | parallel kubectl delete pod :::: - ::: a',
  ])
    scriptCheckedOnceRendered(
      script,
      [['--all', /fed to parallel, which makes it an argument of kubectl/]],
      ['web-1'],
    );
});

// parallel --pipe --cat (--fifo) writes each block to a file (a fifo) its command names by {}: kubectl apply -f {}
// reads the value as a manifest.
test('parallel --pipe --cat and --fifo: the block is a file the command names by {}', () => {
  for (const script of [
    'echo {{x}} | parallel --pipe --cat kubectl apply -f {}',
    'echo {{x}} | parallel --pipe --fifo kubectl apply -f {}',
    'echo {{x}} | parallel --cat --pipe kubectl apply -f {.}',
    'echo {{x}} | parallel --pipe --cat -I @ kubectl apply -f @',
  ])
    assertScriptRefused(
      script,
      /gives to its jobs \(kubectl\) as a file \(--cat, --fifo\) that kubectl is given as/,
    );
  assertScriptAccepted('echo {{x}} | parallel --pipe --cat ./deploy.sh');
});

// --plus and --tee take no value (parallel(1)): read as taking one they hid the --pipe after them. Long options
// are read as parallel's Getopt::Long reads them: any prefix naming one option alone, in any letter case.
test("parallel's --plus and --tee are flags, and a prefix of --pipe, --pipepart or --cat is that option", () => {
  for (const script of [
    'echo {{x}} | parallel --plus --pipe kubectl apply -f -',
    'echo {{x}} | parallel --tee --pipe kubectl apply -f - ::: a',
    'echo {{x}} | parallel --spr kubectl apply -f -',
    'echo {{x}} | parallel --PIPE kubectl apply -f -',
  ])
    assertScriptRefused(
      script,
      /parallel --pipe cuts into blocks and gives to its jobs \(kubectl\), and kubectl reads it as the file "-"/,
    );
  assertScriptRefused('echo {{x}} | parallel --pipep sh', /gives to its jobs \(sh\), which runs it as code/);
  assertScriptRefused('echo {{x}} | parallel --pipe --ca kubectl apply -f {}', /as a file \(--cat, --fifo\)/);
  assertScriptRefused(
    'parallel --ARG-FILE <(echo {{x}}) sh -c',
    /whose lines parallel -a reads as its items/,
  );
  const script = 'echo {{x}} | parallel --plus kubectl delete pod';
  assertScriptAccepted(script);
  assert.throws(() => render(script, '--all'), /fed to parallel, which makes it an argument of kubectl/);
  assertScriptAccepted('parallel -j4 --plus ./deploy.sh ::: a b c');
});

// xargs -d X and parallel -d X cut what they read at X: a value holding X would be several arguments
// (web-1,--all: a second one that is an option). parallel --colsep (-C) cuts each item again at a regular
// expression, which no check follows: a value fed there is refused.
test('a value fed to xargs -d or parallel -d is checked against that delimiter; --colsep takes none', () => {
  for (const script of [
    'printf %s {{x}} | xargs -d , kubectl delete pod',
    'printf %s {{x}} | xargs --delimiter=, kubectl delete pod',
    "printf %s {{x}} | xargs -d '\\x2c' kubectl delete pod",
    'echo {{x}} | parallel -d , kubectl delete pod',
    'echo {{x}} | parallel --delimiter , kubectl delete pod',
    'parallel -d , -a <(echo {{x}}) kubectl delete pod',
  ])
    scriptCheckedOnceRendered(
      script,
      [
        [
          'web-1,--all',
          /which would cut it into several arguments of kubectl at its delimiter "," \(-d\): it may not hold that character/,
        ],
      ],
      ['web-1'],
    );
  for (const script of [
    'parallel --colsep , kubectl delete pod ::: {{x}}',
    'parallel -C " " kubectl delete pod ::: {{x}}',
    'echo {{x}} | parallel --colsep , kubectl delete pod',
    'parallel -a <(echo {{x}}) -C , kubectl delete pod',
    'parallel -C , kubectl delete pod <<EOF\n{{x}}\nEOF',
  ])
    assertScriptRefused(script, /whose --colsep \(-C\) cuts each item into several arguments of kubectl/);
  assertScriptAccepted('parallel -j4 ./deploy.sh ::: a b c');
  assertScriptAccepted('echo {{x}} | xargs kubectl delete pod');
});

// What parallel reads from a here-document, from < <(…) or from a :::: <(…) file is its items, as piped; and
// what xargs reads from < <(…).
test('a here-document, < <(…) or :::: <(…) fed to parallel (and < <(…) to xargs) is checked as items', () => {
  for (const script of [
    'parallel kubectl delete pod <<EOF\n{{x}}\nEOF',
    'parallel kubectl delete pod < <(echo {{x}})',
    'xargs kubectl delete pod < <(echo {{x}})',
    'parallel kubectl delete pod :::: <(echo {{x}}) ::: a',
  ])
    scriptCheckedOnceRendered(
      script,
      [['--all', /it starts with "-", which kubectl would read as an option/]],
      ['web-1'],
    );
  assertScriptRefused(
    'parallel rm <<EOF\n{{x}}\nEOF',
    /in a here-document fed to parallel, which parallel puts after "rm"/,
  );
  assertScriptRefused(
    'parallel sh -c < <(echo {{x}})',
    /redirected into parallel, which parallel puts in its command where it would be the program/,
  );
});

// What ssh reads on its standard input is what the remote xargs or parallel reads: items of the remote program.
test('a value fed to ssh and read by xargs or parallel on the remote line is checked as items', () => {
  for (const script of [
    "ssh host 'xargs kubectl delete pod' <<< {{x}}",
    "echo {{x}} | ssh host 'xargs kubectl delete pod'",
    "echo {{x}} | ssh host 'parallel kubectl delete pod'",
    'ssh host xargs kubectl delete pod <<EOF\n{{x}}\nEOF',
  ])
    scriptCheckedOnceRendered(
      script,
      [['--all', /it starts with "-", which kubectl would read as an option/]],
      ['web-1'],
    );
  const delimited = "ssh host 'parallel -d , kubectl delete pod' <<< {{x}}";
  assert.throws(() => render(delimited, 'web-1,--all'), /at its delimiter "," \(-d\)/);
  assertScriptAccepted("echo {{x}} | ssh host 'cat > /tmp/x'");
});

// GNU xargs reads a long option by any unique prefix of its name (getopt_long), its required value attached
// (--del=,) or the next word (--del ,): --repl=@ is --replace=@, --arg is --arg-file, --del is --delimiter.
// --replace, --eof and --max-lines take theirs attached only. A prefix of several (--ma) is an error in xargs.
test("xargs' long options are read by any unique prefix, as GNU xargs reads them", () => {
  assertScriptRefused('echo {{x}} | xargs --repl=@ sh -c "echo got @"', /piped into xargs/);
  assertScriptRefused('echo {{x}} | xargs --rep sh -c "echo got {}"', /piped into xargs/);
  for (const script of [
    'echo {{x}} | xargs --arg-file=hosts.txt ssh',
    'echo {{x}} | xargs --arg=hosts.txt ssh',
    'echo {{x}} | xargs --arg hosts.txt ssh',
    'echo {{x}} | xargs --a hosts.txt kubectl apply -f -',
  ])
    assertScriptRefused(script, /xargs -a gives to the program it runs/);
  for (const script of [
    'printf %s {{x}} | xargs --del=, kubectl delete pod',
    'printf %s {{x}} | xargs --delim , kubectl delete pod',
    'printf %s {{x}} | xargs --delim=, kubectl delete pod',
    "echo {{x}} | ssh host 'xargs --del=, kubectl delete pod'",
  ])
    scriptCheckedOnceRendered(
      script,
      [
        [
          'web-1,--all',
          /several arguments of kubectl at its delimiter "," \(-d\): it may not hold that character/,
        ],
      ],
      ['web-1'],
    );
  assert.doesNotThrow(() => render('printf %s {{x}} | xargs --nu ./deploy.sh', 'a b'));
  // Accepted, what is fed checked once rendered as without the option.
  for (const script of [
    'echo {{x}} | xargs --no-run-if-empty kubectl delete pod',
    'echo {{x}} | xargs --no kubectl delete pod',
    // --eof takes no next word: kubectl is the program.
    'echo {{x}} | xargs --eof kubectl delete pod',
    'echo {{x}} | xargs --max-args 1 kubectl delete pod',
  ])
    scriptCheckedOnceRendered(
      script,
      [['--all', /it starts with "-", which kubectl would read as an option/]],
      ['web-1'],
    );
  for (const script of [
    'echo {{x}} | xargs --max-args=1 ./deploy.sh',
    'echo {{x}} | xargs --max-a 1 ./deploy.sh',
  ])
    scriptCheckedOnceRendered(script, [['a b', /several arguments of deploy.sh/]], ['web-1']);
});
