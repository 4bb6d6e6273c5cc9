// Files a command writes, deletes, changes the rights of, or prints (file-writes.ts): a value naming one would
// choose a file of the runner to overwrite (../../.bashrc, .git/hooks/pre-commit, /etc/cron.d/x: code that runs
// later), destroy, or show (/proc/self/environ holds the job's secrets). A template that names the file, or starts
// its name, is refused when the config loads; one after a fixed directory or text must be one plain name once
// rendered. Redirections are the shell's: they exist in `shell: true` scripts (and in a shell an argv command
// starts), tools in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  renderArgv,
} from '../../helpers/command-checks.ts';

const WRITES = /is in the name of the local file the redirection "[^"]+" writes/;
const READS_IN = /is in the name of the local file the redirection "[^"]+" reads into the standard input/;
/** Values no file's name after a fixed directory may take once rendered. */
const HOSTILE = ['..', '../x', '/etc/x', 'a/b', '../../.bashrc', '.git/hooks/pre-commit'];
/** The same, in a name with fixed text around the value (where ".." is a plain name: app-...tgz). */
const IN_NAME = HOSTILE.filter((value) => value !== '..');
const URL_PART =
  /the value of \{\{x\}\} holds "[^"]+" in the URL of (curl -O|wget) \(.*\), outside the last part of its path, which names the local file it writes/;
const PATH_PART =
  /the value of \{\{x\}\} (\(through \$\w+, set from it\) )?(is part of the name of|is empty, and is a whole part of the path)/;

test('a template naming the file of a redirection (or starting its name) is refused when the config loads', () => {
  for (const script of [
    'echo hi > {{x}}',
    'echo hi > "{{x}}"',
    "echo hi > '{{x}}'",
    'echo hi >> {{x}}',
    'echo hi >| {{x}}',
    'echo hi &> {{x}}',
    'echo hi &>> {{x}}',
    'echo hi >& {{x}}',
    'echo hi 2> {{x}}',
    'echo hi 2>>{{x}}',
    'echo hi 1>"./{{x}}"',
    'echo hi > ../{{x}}',
    'echo hi > /{{x}}',
    'exec > {{x}}',
    'exec 3> {{x}}',
    '> {{x}}',
    ': > {{x}}',
    'cat > {{x}} <<EOF\nhello\nEOF',
    './deploy.sh 2>&1 | cat > {{x}}',
    'if true; then echo hi; fi > {{x}}',
    '{ echo a; echo b; } >> {{x}}',
    'sudo ./deploy.sh > {{x}}',
    'echo hi <> {{x}}',
  ])
    assertScriptRefused(script, WRITES);
  // Input: the file is read into the command, which may send it, store it or print it.
  for (const script of [
    'gh secret set TOKEN < {{x}}',
    'gh secret set TOKEN <"{{x}}"',
    'curl -fsS -d @- https://h.example.com/ < {{x}}',
    'while read -r line; do echo "$line"; done < {{x}}',
    'kubectl apply -f - 0< ./{{x}}',
    'cat <&0 < {{x}}',
  ])
    assertScriptRefused(script, READS_IN);
  // Through a variable set from the template, as file-reads.ts reads it.
  assertScriptRefused('f={{x}}; echo hi > "$f"', WRITES);
  assertScriptRefused('f=logs/{{x}}; echo hi > $f', WRITES);
  assertScriptRefused('f={{x}}; gh secret set T < "$f"', READS_IN);
  // The redirections that name no file from a value stay accepted.
  for (const script of [
    'echo {{x}} > /dev/null',
    './deploy.sh {{x}} > deploy.log 2>&1',
    './deploy.sh {{x}} >&2',
    './deploy.sh {{x}} 2>/dev/null <&-',
    'echo "version={{x}}" >> "$GITHUB_OUTPUT"',
    'echo hi > "logs/deploy-{{x}}.log"',
    'echo hi >> logs/{{x}}.log',
    'echo hi > /tmp/deploy-{{x}}',
    'echo hi &> "logs/{{x}}.log"',
    'gh secret set TOKEN < "secrets/{{x}}.txt"',
    // A here-string and a here-document are the command's input, not files.
    'gh secret set TOKEN <<< "{{x}}"',
    'cat <<EOF\nversion: {{x}}\nEOF',
    // A process substitution is a pipe the shell names.
    'diff <(echo {{x}}) expected.txt',
    './deploy.sh {{x}} > >(tee deploy.log)',
    // echo and printf print their words: none is a file.
    'echo {{x}} /etc/passwd',
    'printf "%s\\n" {{x}} rm cp',
  ])
    assertScriptAccepted(script);
  // After an expansion not known here, which may be empty: the value could start the name.
  assertScriptRefused(
    'echo hi > "$DIR/{{x}}"',
    /comes with \$DIR in an argument where the redirection ">" writes/,
  );
});

test("a value in a redirection's file after a fixed directory must be one plain name once rendered", () => {
  for (const script of [
    'echo hi > "logs/{{x}}"',
    'echo hi >> /srv/releases/{{x}}/notes',
    'wc -l < "config/{{x}}"',
  ]) {
    assertScriptAccepted(script);
    for (const value of HOSTILE)
      assert.throws(() => renderShellScript(script, { x: value }), PATH_PART, `${script} with ${value}`);
    // Empty or ".", it is no name: the path written is the directory itself (read, it fails to open).
    for (const value of script.includes('<') ? [] : ['', '.'])
      assert.throws(() => renderShellScript(script, { x: value }), PATH_PART, `${script} with ${value}`);
    for (const value of ['production', 'v1.2.3', '-x', 'a..b'])
      assert.doesNotThrow(() => renderShellScript(script, { x: value }), `${script} with ${value}`);
  }
  // In a name with fixed text around it, an empty value leaves a name.
  assert.doesNotThrow(() => renderShellScript('echo hi > "logs/deploy-{{x}}.log"', { x: '' }));
  assert.throws(() => renderShellScript('echo hi > "logs/deploy-{{x}}.log"', { x: 'a/../../x' }), PATH_PART);
  // Through a variable holding the template after fixed text.
  const via = 'f={{x}}; echo hi > "logs/$f.log"';
  assertScriptAccepted(via);
  assert.throws(() => renderShellScript(via, { x: '../../.bashrc' }), PATH_PART);
  assert.doesNotThrow(() => renderShellScript(via, { x: 'prod' }));
});

test('a template naming a file a tool writes, deletes, changes or prints is refused when the config loads', () => {
  const forms: Array<[string[], string]> = [
    [['tee', '{{x}}'], 'tee writes'],
    [['tee', '-a', 'deploy.log', '{{x}}'], 'tee writes'],
    [['cp', 'dist/app.tgz', '{{x}}'], 'cp writes'],
    [['cp', '-r', 'dist', '/{{x}}'], 'cp writes'],
    [['cp', '-t', '{{x}}', 'dist/app.tgz'], 'cp -t writes'],
    [['cp', '--target-directory={{x}}', 'dist/app.tgz'], 'cp -t writes'],
    [['cp', '--target={{x}}', 'dist/app.tgz'], 'cp -t writes'],
    [['cp', '-vt{{x}}', 'dist/app.tgz'], 'cp -t writes'],
    [['cp', '-S', '.bak', 'a', '{{x}}'], 'cp writes'],
    [['mv', 'a', '{{x}}'], 'mv writes'],
    [['mv', '{{x}}', '/tmp/trash/'], 'mv deletes or moves away'],
    [['install', '-m', '0755', 'bin/app', '{{x}}'], 'install writes'],
    [['install', '-d', '{{x}}'], 'install -d writes'],
    [['ln', '-sf', '/srv/app', '{{x}}'], 'ln writes'],
    [['dd', 'if=dist/app.img', 'of={{x}}'], 'dd of= writes'],
    [['dd', 'if={{x}}', 'of=/tmp/out'], "dd if= prints to the job's log"],
    [['rm', '-rf', '{{x}}'], 'rm deletes or moves away'],
    [['rm', '-f', '--', '{{x}}'], 'rm deletes or moves away'],
    [['rmdir', '{{x}}'], 'rmdir deletes'],
    [['shred', '-n', '3', '-u', '{{x}}'], 'shred deletes'],
    [['truncate', '-s', '0', '{{x}}'], 'truncate writes'],
    [['touch', '-d', 'now', '{{x}}'], 'touch writes'],
    [['mkdir', '-p', '-m', '700', '{{x}}'], 'mkdir writes'],
    [['chmod', '777', '{{x}}'], 'chmod changes the rights or owner of'],
    [['chmod', '-R', 'u+x', '{{x}}'], 'chmod changes'],
    [['chmod', '-w', '{{x}}'], 'chmod changes'],
    [['chmod', '--reference=a', '{{x}}'], 'chmod changes'],
    [['chown', 'app:app', '{{x}}'], 'chown changes'],
    [['chgrp', '-R', 'app', '{{x}}'], 'chgrp changes'],
    [['curl', '-fsSo', '{{x}}', 'https://h.example.com/app.tgz'], 'curl -o writes'],
    [['curl', '--output', '{{x}}', 'https://h.example.com/'], 'curl --output writes'],
    [['curl', '--output-dir', '{{x}}', '-O', 'https://h.example.com/a'], 'curl --output-dir writes'],
    [['curl', '-D', '{{x}}', 'https://h.example.com/'], 'curl -D writes'],
    [['curl', '--dump-header={{x}}', 'https://h.example.com/'], 'curl --dump-header writes'],
    [['curl', '-c', '{{x}}', 'https://h.example.com/'], 'curl -c writes'],
    [['curl', '--cookie-jar', '{{x}}', 'https://h.example.com/'], 'curl --cookie-jar writes'],
    [['curl', '--trace', '{{x}}', 'https://h.example.com/'], 'curl --trace writes'],
    [['curl', '--trace-ascii', '{{x}}', 'https://h.example.com/'], 'curl --trace-ascii writes'],
    [['curl', '--stderr', '{{x}}', 'https://h.example.com/'], 'curl --stderr writes'],
    [['curl', '--libcurl', '{{x}}', 'https://h.example.com/'], 'curl --libcurl writes'],
    [['curl', '--etag-save', '{{x}}', 'https://h.example.com/'], 'curl --etag-save writes'],
    [['wget', '-O', '{{x}}', 'https://h.example.com/'], 'wget -O writes'],
    [['wget', '-qO{{x}}', 'https://h.example.com/'], 'wget -O writes'],
    [['wget', '--output-document={{x}}', 'https://h.example.com/'], 'wget --output-document writes'],
    [['wget', '--output-doc', '{{x}}', 'https://h.example.com/'], 'wget --output-document writes'],
    [['wget', '-o', '{{x}}', 'https://h.example.com/'], 'wget -o writes'],
    [['wget', '-a', '{{x}}', 'https://h.example.com/'], 'wget -a writes'],
    [['wget', '-P', '{{x}}', 'https://h.example.com/'], 'wget -P writes'],
    [['wget', '--directory-prefix={{x}}', 'https://h.example.com/'], 'wget --directory-prefix writes'],
    [['wget', '--save-cookies', '{{x}}', 'https://h.example.com/'], 'wget --save-cookies writes'],
    [['tar', '-xzf', 'app.tgz', '-C', '{{x}}'], 'tar -C writes'],
    [['tar', '--directory={{x}}', '-xf', 'app.tgz'], 'tar -C writes'],
    [['tar', '-czf', '{{x}}', 'dist'], 'tar -f writes'],
    [['tar', 'czf', '{{x}}', 'dist'], 'tar -f writes'],
    [['tar', '--create', '--file={{x}}', 'dist'], 'tar -f writes'],
    [['tar', '-xf', '{{x}}'], 'tar -f extracts'],
    [['tar', '-czf', 'out.tgz', '-C', '{{x}}', '.'], 'tar -C archives'],
    [['unzip', '-o', 'app.zip', '-d', '{{x}}'], 'unzip -d writes'],
    [['git', 'clone', 'https://github.com/o/r.git', '{{x}}'], 'git clone writes'],
    [
      ['git', 'clone', '--depth', '1', '-b', 'main', 'https://github.com/o/r.git', '/{{x}}'],
      'git clone writes',
    ],
    [
      ['git', '-c', 'x.y=z', 'clone', '--separate-git-dir={{x}}', 'https://github.com/o/r.git', 'r'],
      'git clone --separate-git-dir writes',
    ],
    [['sed', '-i', 's/VERSION/1/', '{{x}}'], 'sed -i writes'],
    [['sed', '-i.bak', '-e', 's/a/b/', '{{x}}'], 'sed -i writes'],
    [['sed', '-Ei', 's/a/b/', '{{x}}'], 'sed -i writes'],
    [['sed', '--in-place', 's/a/b/', '{{x}}'], 'sed -i writes'],
    [['sed', 's/a/b/', '{{x}}'], "sed prints to the job's log"],
    [['sort', '-o', '{{x}}', 'list.txt'], 'sort -o writes'],
    [['sort', '-u', '--output={{x}}', 'list.txt'], 'sort -o writes'],
    [['openssl', 'req', '-new', '-key', 'k.pem', '-out', '{{x}}'], 'openssl -out writes'],
    [['openssl', 'genrsa', '-out', '{{x}}', '2048'], 'openssl -out writes'],
    [['ssh-keygen', '-t', 'ed25519', '-N', '', '-f', '{{x}}'], 'ssh-keygen -f writes'],
    [['gpg', '--batch', '-o', '{{x}}', '--decrypt', 'secrets.gpg'], 'gpg --output writes'],
    [['gpg', '--output={{x}}', '--decrypt', 'secrets.gpg'], 'gpg --output writes'],
    [['xxd', 'app.bin', '{{x}}'], 'xxd writes'],
    // Copy tools: their local destination (file-reads.ts knows which operands are remote).
    [['scp', 'deploy@host:/srv/app.tgz', '{{x}}'], 'scp writes'],
    [['rsync', '-a', 'host:/srv/', './{{x}}'], 'rsync writes'],
    [['docker', 'cp', 'app:/app/out', '{{x}}'], 'docker cp writes'],
    [['kubectl', 'cp', 'ns/pod:/tmp/dump', '{{x}}'], 'kubectl cp writes'],
    [['aws', 's3', 'cp', 's3://bucket/app.zip', '{{x}}'], 'aws s3 cp writes'],
    [['gsutil', 'cp', 'gs://bucket/app.zip', '{{x}}'], 'gsutil cp writes'],
    [['rclone', 'copy', 'remote:bucket/', '{{x}}'], 'rclone copy writes'],
    // Printed to the job's log, or into a pipe.
    [['cat', '{{x}}'], 'cat prints'],
    [['cat', '-A', '--', '{{x}}'], 'cat prints'],
    [['head', '-n', '5', '{{x}}'], 'head prints'],
    [['tail', '-n5', '{{x}}'], 'tail prints'],
    [['less', '{{x}}'], 'less prints'],
    [['base64', '-w0', '{{x}}'], 'base64 prints'],
    [['xxd', '-p', '{{x}}'], 'xxd prints'],
    [['od', '-An', '-tx1', '{{x}}'], 'od prints'],
    [['strings', '-n', '8', '{{x}}'], 'strings prints'],
    // Behind wrappers.
    [['sudo', 'tee', '{{x}}'], 'tee writes'],
    [['sudo', '-u', 'deploy', 'cp', 'app.tgz', '{{x}}'], 'cp writes'],
    [['env', 'A=1', 'rm', '-rf', '{{x}}'], 'rm deletes'],
    [['timeout', '10', 'cat', '{{x}}'], 'cat prints'],
    [['nice', '-n', '5', 'chmod', '600', '{{x}}'], 'chmod changes'],
  ];
  for (const [argv, how] of forms)
    assertRefused(
      argv,
      new RegExp(`is in the name of the local file ${how.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  // Through a variable set from the template (shell).
  assertScriptRefused('f={{x}}; cp app.tgz "$f"', /is in the name of the local file cp writes/);
  assertScriptRefused('d={{x}}; rm -rf "$d"', /is in the name of the local file rm deletes/);
  assertScriptRefused('f={{x}}; cat $f', /is in the name of the local file cat prints/);
  // A copy tool's remote destination, a subcommand named like a writer, and data stay accepted.
  for (const argv of [
    ['scp', 'dist/app.tgz', 'deploy@host:/srv/{{x}}/'],
    ['rsync', '-a', 'dist/', 'host:/srv/releases/{{x}}/'],
    ['aws', 's3', 'cp', 'dist/app.zip', 's3://bucket/{{x}}/app.zip'],
    ['gsutil', 'cp', 'dist/app.zip', 'gs://bucket/{{x}}/'],
    ['kubectl', 'cp', 'app.tgz', 'prod/pod-{{x}}:/tmp/'],
    ['helm', 'install', 'app-{{x}}', './chart'],
    ['npm', 'install', 'app@{{x}}'],
    ['git', 'clone', '--branch', '{{x}}', 'https://github.com/o/r.git', 'checkout'],
    ['git', 'tag', '{{x}}'],
    ['curl', '-fsS', '-o', '/dev/null', 'https://h.example.com/{{x}}'],
    ['curl', '-fsSO', 'https://h.example.com/releases/{{x}}/app.tgz'],
    ['wget', '-q', '-O', 'page.html', 'https://h.example.com/{{x}}'],
    ['tar', '-czf', 'dist/app.tgz', '--transform', 's,^,{{x}}/,', 'build'],
    ['sed', '-i', 's/VERSION/{{x}}/', 'config.yaml'],
    ['echo', 'rm', '-rf', '{{x}}'],
    ['printf', '%s\\n', 'cat', '{{x}}'],
    ['sort', '-t', ',', '-k', '2', 'list.csv'],
    ['openssl', 'req', '-subj', '/CN={{x}}', '-out', 'req.pem'],
    ['chmod', '755', 'bin/deploy'],
    ['cp', 'dist/app-{{x}}.tgz', 'releases/'],
  ])
    assertAccepted(argv);
  // The remote path's own rule still applies to a remote destination.
  assert.throws(
    () => renderArgv(['scp', 'dist/app.tgz', 'deploy@host:/srv/{{x}}/'], 'a;touch PWNED'),
    /remote/,
  );
  // After an expansion not known here, which may be empty: the value could start the name.
  assertScriptRefused(
    'rm -rf "$BASE{{x}}"',
    /comes with \$BASE in an argument where rm deletes or moves away a local file/,
  );
});

test('a value in a file name after a fixed directory is checked once rendered, in argv and shell alike', () => {
  const cases: Array<[string[], string[]]> = [
    [
      ['cp', 'app.tgz', '/srv/releases/{{x}}/'],
      ['production', 'v1.2.3', '-x'],
    ],
    [
      ['cp', 'app.tgz', 'dist/app-{{x}}.tgz'],
      ['1.2.3', '-x'],
    ],
    [['tee', '-a', 'logs/{{x}}.log'], ['prod']],
    [['rm', '-rf', '/srv/releases/{{x}}'], ['v1.2.3']],
    [['mkdir', '-p', '/srv/releases/{{x}}'], ['v1.2.3']],
    [['ln', '-sfn', '/srv/releases/v1', '/srv/current-{{x}}'], ['blue']],
    [['chmod', '600', 'secrets/{{x}}.env'], ['prod']],
    [['curl', '-fsSo', 'dist/app-{{x}}.tgz', 'https://h.example.com/app.tgz'], ['1.2.3']],
    [['wget', '-O', 'dist/app-{{x}}.tgz', 'https://h.example.com/app.tgz'], ['1.2.3']],
    [['tar', '-xzf', 'app.tgz', '-C', '/srv/releases/{{x}}'], ['1.2.3']],
    [['tar', '-czf', 'dist/app-{{x}}.tgz', 'build'], ['1.2.3']],
    [['unzip', 'app.zip', '-d', '/srv/releases/{{x}}'], ['1.2.3']],
    [['git', 'clone', 'https://github.com/o/r.git', 'checkouts/{{x}}'], ['main']],
    [['sed', '-i', 's/a/b/', 'config/{{x}}.yaml'], ['prod']],
    [['cat', 'notes/{{x}}.md'], ['v1.2.3']],
    [['scp', 'host:/srv/app.tgz', 'dist/{{x}}.tgz'], ['1.2.3']],
    [['aws', 's3', 'cp', 's3://bucket/app.zip', 'dist/{{x}}.zip'], ['1.2.3']],
    [['sudo', 'tee', '/etc/app/{{x}}.conf'], ['prod']],
  ];
  for (const [argv, good] of cases) {
    // ".." is a plain name inside a longer one (app-...tgz); a whole part of the path, it leaves the directory.
    const whole = argv.some((word) => /(^|\/)\{\{x\}\}(\/|$)/.test(word));
    checkedOnceRendered(argv, whole ? HOSTILE : HOSTILE.filter((v) => v !== '..'), good, PATH_PART);
  }
  // Where the value is a whole part of the path, empty or "." names the directory itself.
  for (const argv of [
    ['rm', '-rf', '/srv/releases/{{x}}'],
    ['cp', 'app.tgz', '/srv/releases/{{x}}/'],
    ['tar', '-xzf', 'app.tgz', '-C', '/srv/releases/{{x}}'],
  ])
    checkedOnceRendered(argv, ['', '.', '..'], ['v1'], PATH_PART);
  // Through a variable holding it after fixed text.
  const via = 'V={{x}}; rm -rf "/srv/releases/$V"';
  assertScriptAccepted(via);
  for (const value of ['../..', 'a/b', '/etc'])
    assert.throws(() => renderShellScript(via, { x: value }), PATH_PART, value);
  assert.doesNotThrow(() => renderShellScript(via, { x: 'v1.2.3' }));
});

test('on the line ssh runs, a file a program writes or deletes on the remote host is checked the same way', () => {
  for (const argv of [
    ['ssh', 'deploy@host', 'rm -rf {{x}}'],
    ['ssh', 'deploy@host', 'cp /tmp/app.tgz {{x}}'],
    ['ssh', 'deploy@host', 'sudo', 'tee', '{{x}}'],
    ['ssh', 'deploy@host', 'cat', '{{x}}'],
  ])
    assertRefused(argv, /is in the name of the file (rm|cp|tee|cat) [^(]+ on the remote host/);
  // Through a remote variable: not checked, refused.
  assertRefused(
    ['ssh', 'deploy@host', 'd={{x}}; rm -rf /srv/$d'],
    /reaches, through the remote variable \$d set from it, where rm deletes or moves away a file on the remote host/,
  );
  // After a fixed directory: one plain name once rendered.
  checkedOnceRendered(
    ['ssh', 'deploy@host', 'rm -rf /srv/releases/{{x}}'],
    ['..', 'a/b', ''],
    ['v1.2.3'],
    /the value of \{\{x\}\} (is part of the name of|is empty, and is a whole part of the path) .*rm deletes or moves away on the remote host/,
  );
});

test('on the line ssh runs, the file of a redirection is checked as in a script: a file of the remote host', () => {
  for (const [argv, message] of [
    [['ssh', 'deploy@host', 'echo hi > {{x}}'], /the redirection ">" writes on the remote host/],
    [['ssh', 'deploy@host', './deploy.sh 2>> {{x}}'], /the redirection "2>>" writes on the remote host/],
    [['ssh', 'deploy@host', 'echo', 'hi', '>', '{{x}}'], /the redirection ">" writes on the remote host/],
    [['ssh', 'deploy@host', 'echo hi >| ../{{x}}'], /the redirection ">\|" writes on the remote host/],
    [
      ['ssh', 'deploy@host', 'gh secret set T < {{x}}'],
      /the redirection "<" reads into the standard input of the command \(gh\) on the remote host/,
    ],
    [
      ['ssh', 'deploy@host', 'v={{x}}; echo hi > $v'],
      /through the remote variable \$v set from it, where the redirection ">" writes a file on the remote host/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // After a fixed directory: one plain name once rendered; descriptors, here-strings and fixed files stay.
  checkedOnceRendered(
    ['ssh', 'deploy@host', 'echo hi > /srv/logs/{{x}}.log'],
    ['../../.bashrc', 'a/b'],
    ['v1.2.3'],
    /the value of \{\{x\}\} is part of the name of the file the redirection ">" writes on the remote host/,
  );
  for (const argv of [
    ['ssh', 'deploy@host', './deploy.sh {{x}} >&2 2>/dev/null'],
    ['ssh', 'deploy@host', 'cat > /tmp/release.txt <<< {{x}}'],
    ['ssh', 'deploy@host', './deploy.sh {{x}} > /var/log/deploy.log 2>&1'],
  ])
    assertAccepted(argv);
});

test("cp's and install's sources (copied where the job reads or sends them) and ln's targets are checked the same way", () => {
  for (const [argv, how] of [
    [['cp', '{{x}}', 'dist/'], 'cp copies'],
    [['cp', '-r', '/{{x}}', 'public/'], 'cp copies'],
    [['cp', '-t', 'dist', '{{x}}'], 'cp copies'],
    [['install', '-m', '0755', '{{x}}', '/usr/local/bin/app'], 'install copies'],
    [['ln', '-s', '{{x}}', 'current'], 'ln links to'],
    [['ln', '-sfn', '../{{x}}', 'current'], 'ln links to'],
    [['sudo', 'cp', './{{x}}', '/etc/app/'], 'cp copies'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  // After a fixed directory: one plain name once rendered (ln's target given ".." would point above it).
  checkedOnceRendered(
    ['ln', '-sfn', '/srv/releases/{{x}}', '/srv/current'],
    ['..', '../..', 'a/b', ''],
    ['v1.2.3'],
    PATH_PART,
  );
  checkedOnceRendered(
    ['cp', 'config/{{x}}.yaml', 'config.yaml'],
    ['../../../proc/self/environ', 'a/b'],
    ['production'],
    PATH_PART,
  );
  for (const argv of [
    ['cp', 'dist/app.tgz', 'releases/'],
    ['ln', '-sfn', 'releases/v1', 'current'],
    ['install', '-d', '-m', '0755', '/srv/app'],
  ])
    assertAccepted(argv);
});

test("grep's, diff's and jq's files are printed (their matching lines, differences, JSON): the same rule", () => {
  for (const [argv, how] of [
    [['grep', '-r', '.', '{{x}}'], 'grep prints'],
    [['grep', '-e', 'token', '--', '{{x}}'], 'grep prints'],
    [['egrep', '-v', '^#', '/{{x}}'], 'egrep prints'],
    [['diff', '-u', 'expected.txt', '{{x}}'], 'diff prints'],
    [['jq', '-r', '.version', '{{x}}'], 'jq prints'],
    [['jq', '-f', 'filter.jq', '{{x}}'], 'jq prints'],
    [['jq', '-n', '--rawfile', 's', '{{x}}', '$s'], 'jq --rawfile prints'],
    [['sudo', 'grep', 'x', '{{x}}'], 'grep prints'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(
    ['grep', '-c', 'ERROR', 'logs/{{x}}.log'],
    ['../../x', 'a/b'],
    ['production'],
    PATH_PART,
  );
  // A pattern, a jq filter's argument or --args are not files.
  for (const argv of [
    ['grep', '-q', '{{x}}', 'CHANGELOG.md'],
    ['grep', '-e', '{{x}}', 'CHANGELOG.md'],
    ['jq', '--arg', 'v', '{{x}}', '.version = $v', 'package.json'],
    ['jq', '-n', '$ARGS', '--args', '{{x}}'],
    ['diff', '-u', 'a.txt', 'b.txt'],
  ])
    assertAccepted(argv);
});

test("find's starting points, its -delete/-exec patterns and its -fprint files: the same rule", () => {
  for (const [argv, how] of [
    [['find', '{{x}}', '-delete'], 'find -delete deletes or moves away'],
    [['find', '/{{x}}', '-name', '*.log', '-delete'], 'find -delete deletes'],
    [['find', '-L', '{{x}}', '-mtime', '+7', '-delete'], 'find -delete deletes'],
    [['find', 'dist', '-name', '{{x}}', '-delete'], 'find -name \\(with -delete\\) deletes'],
    [['find', 'dist', '-path', './{{x}}', '-delete'], 'find -path \\(with -delete\\) deletes'],
    [['find', 'dist', '-regex', '.*/app-{{x}}', '-delete'], 'find -regex \\(with -delete\\) deletes'],
    [['find', '{{x}}', '-exec', 'rm', '-f', '{}', '+'], 'find -exec hands to the program its -exec runs'],
    [['find', '{{x}}', '-type', 'f', '-execdir', 'cat', '{}', ';'], 'find -execdir hands'],
    [['find', 'dist', '-iname', '{{x}}', '-exec', 'rm', '{}', ';'], 'find -iname \\(with -exec\\) hands'],
    // Without an action: a value such as "-delete" would be read as the expression.
    [['find', '{{x}}', '-type', 'f'], 'find searches'],
    [['find', '.', '-name', '*.log', '-fprint', '{{x}}'], 'find -fprint writes'],
    [['find', '.', '-fprintf', '{{x}}', '%p\\n'], 'find -fprintf writes'],
    [['find', '.', '-fls', '/{{x}}'], 'find -fls writes'],
    [['sudo', 'find', '{{x}}', '-delete'], 'find -delete deletes'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  // After a fixed directory or text: one plain name once rendered (a "*" would match every file).
  checkedOnceRendered(
    ['find', '/srv/releases/{{x}}', '-delete'],
    ['', '.', '..', 'a/b', '../..'],
    ['v1.2.3'],
    PATH_PART,
  );
  checkedOnceRendered(
    ['find', 'dist', '-name', 'app-{{x}}.tgz', '-delete'],
    ['*', '?', '[a-z]*', 'a/b'],
    ['1.2.3'],
    PATH_PART,
  );
  checkedOnceRendered(['find', '.', '-fprint', 'logs/{{x}}.txt'], ['../../x', 'a/b'], ['prod'], PATH_PART);
  for (const argv of [
    ['find', 'dist', '-name', '*.map', '-delete'],
    ['find', '.', '-type', 'f', '-name', '*.sh', '-exec', 'chmod', '+x', '{}', '+'],
    ['find', 'releases', '-maxdepth', '1', '-mtime', '+30', '-exec', 'rm', '-rf', '{}', '+'],
    // Without -delete or -exec, a pattern only lists names.
    ['find', 'dist', '-name', '{{x}}'],
    ['find', 'dist', '-newer', 'stamp', '-print'],
  ])
    assertAccepted(argv);
  // The program -exec runs is read as itself: its operands are its files.
  assertRefused(['find', 'dist', '-exec', 'rm', '{{x}}', ';'], /the local file rm deletes/);
});

test('docker/podman save and export -o, helm package/pull -d and --untardir write their files: the same rule', () => {
  for (const [argv, how] of [
    [['docker', 'save', '-o', '{{x}}', 'app:1'], 'docker save -o writes'],
    [['docker', 'save', '--output={{x}}', 'app:1'], 'docker save -o writes'],
    [['docker', 'image', 'save', '-o', '/{{x}}', 'app:1'], 'docker save -o writes'],
    [['docker', '--context', 'prod', 'save', '-o', '{{x}}', 'app:1'], 'docker save -o writes'],
    [['docker', 'export', '-o', '{{x}}', 'app'], 'docker export -o writes'],
    [['docker', 'container', 'export', '--output', '{{x}}', 'app'], 'docker export -o writes'],
    [['podman', 'save', '-o={{x}}', 'app:1'], 'podman save -o writes'],
    [['podman', 'save', '--format', 'oci-archive', '-o{{x}}', 'app:1'], 'podman save -o writes'],
    [['nerdctl', 'save', '-o', '{{x}}', 'app:1'], 'nerdctl save -o writes'],
    [['helm', 'package', './chart', '-d', '{{x}}'], 'helm package -d writes'],
    [['helm', 'package', './chart', '--destination={{x}}'], 'helm package -d writes'],
    [['helm', 'pull', 'repo/app', '-d', '{{x}}'], 'helm pull -d writes'],
    [['helm', 'pull', 'repo/app', '--untar', '--untardir', '{{x}}'], 'helm pull --untardir writes'],
    [['helm', 'fetch', 'repo/app', '--untardir={{x}}'], 'helm fetch --untardir writes'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['docker', 'save', '-o', 'dist/app-{{x}}.tar', 'app'], IN_NAME, ['1.2.3'], PATH_PART);
  checkedOnceRendered(['helm', 'package', './chart', '-d', 'dist/{{x}}'], HOSTILE, ['prod'], PATH_PART);
  for (const argv of [
    ['docker', 'save', '-o', 'app.tar', 'app:{{x}}'],
    ['docker', 'save', 'app:{{x}}'],
    ['docker', 'export', '-o', 'app.tar', 'app-{{x}}'],
    ['helm', 'package', './chart', '--version', '{{x}}', '--app-version', '{{x}}', '-d', 'dist'],
    ['helm', 'pull', 'repo/app', '--version', '{{x}}', '--untar', '--untardir', 'charts'],
  ])
    assertAccepted(argv);
});

test("zip's archive and files, tar's files when it creates, unzip's archive, gzip's files: the same rule", () => {
  for (const [argv, how] of [
    [['zip', '{{x}}', 'build/app.js'], 'zip writes'],
    [['zip', '-r', '/{{x}}', 'build'], 'zip writes'],
    [['zip', '-r', 'dist/app.zip', '{{x}}'], 'zip packs into its archive'],
    [['zip', '-r', 'dist/app.zip', 'build', '../{{x}}'], 'zip packs into its archive'],
    [['zip', '-r', '-O', '{{x}}', 'dist/app.zip', 'build'], 'zip -O writes'],
    [['tar', '-czf', 'dist/app.tgz', '{{x}}'], 'tar packs into its archive'],
    [['tar', 'czf', 'dist/app.tgz', 'build', '{{x}}'], 'tar packs into its archive'],
    [['tar', '--create', '-f', 'out.tar', '-C', '/srv', '{{x}}'], 'tar packs into its archive'],
    [['unzip', '-o', '{{x}}'], 'unzip extracts'],
    [['unzip', '-q', '{{x}}', '-d', 'out'], 'unzip extracts'],
    [['gzip', '{{x}}'], 'gzip replaces'],
    [['gzip', '-9', '--', '{{x}}'], 'gzip replaces'],
    [['gunzip', '-f', '{{x}}'], 'gunzip replaces'],
    [['bzip2', '{{x}}'], 'bzip2 replaces'],
    [['xz', '-T0', '{{x}}'], 'xz replaces'],
    [['gzip', '-c', '{{x}}'], "gzip prints to the job's log"],
    [['zcat', '{{x}}'], 'zcat prints'],
    [['xzcat', '/{{x}}'], 'xzcat prints'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['zip', '-r', 'dist/app-{{x}}.zip', 'build'], IN_NAME, ['1.2.3'], PATH_PART);
  checkedOnceRendered(['tar', '-czf', 'out.tgz', 'build/{{x}}'], HOSTILE, ['prod'], PATH_PART);
  checkedOnceRendered(['gzip', '-9', 'dist/app-{{x}}.tar'], IN_NAME, ['1.2.3'], PATH_PART);
  for (const argv of [
    ['zip', '-r', 'dist/app.zip', 'build', '-x', '*.map', '{{x}}.tmp'],
    ['zip', '-d', 'dist/app.zip', '{{x}}'],
    ['tar', '-xzf', 'app.tgz', '{{x}}'],
    ['tar', '-czf', 'dist/app.tgz', '--transform', 's,^,{{x}}/,', 'build'],
    ['unzip', '-o', 'app.zip', '{{x}}', '-d', 'out'],
    ['gzip', '-9', 'dist/app.tar'],
  ])
    assertAccepted(argv);
});

test("curl -O names the file after the URL's last part: a template starting it is refused, elsewhere checked", () => {
  for (const argv of [
    ['curl', '-O', 'https://h.example.com/{{x}}'],
    ['curl', '-fsSLO', '{{x}}'],
    ['curl', '--remote-name', 'https://h.example.com/dl/{{x}}.tgz'],
    ['curl', '--remote-name-all', 'https://h.example.com/{{x}}?raw=1'],
    ['curl', '-O', '--url', 'https://h.example.com/a/{{x}}'],
    ['curl', '-O', 'https://{{x}}'],
  ])
    assertRefused(argv, /is in the name of the local file curl -O writes \(curl names the file after/);
  // An expansion before it, which may be empty, does not make it fixed text.
  assertScriptRefused(
    'curl -fsSO "https://h.example.com/dl/$SUB{{x}}"',
    /is in the name of the local file curl -O writes/,
  );
  // Elsewhere in the URL, a "/", "?" or "#" in the value would choose the last part (x/Makefile? names
  // Makefile), and so would a "\\" (curl reads it as a "/" there), a "%" or a space: checked once rendered to
  // hold none. What else a host, a port or a directory holds is fine there (host:8443, user@host, [::1]:8080).
  checkedOnceRendered(
    ['curl', '-fsSO', 'https://h.example.com/releases/{{x}}/app.tgz'],
    ['x/Makefile?', 'a/.bashrc#', '../../x', 'a?b', 'a\\b', 'a%2Fb', 'a b'],
    ['v1.2.3', 'release:1', 'a@b', 'a=b&c'],
    URL_PART,
  );
  checkedOnceRendered(
    ['curl', '-fsSLO', 'https://{{x}}/dl/app.tgz'],
    ['evil.example.com/Makefile?', 'h.example.com/.npmrc#', 'h#'],
    ['h.example.com', 'h.example.com:8443', 'user@h.example.com', '[::1]:8080', '10.0.0.1'],
    URL_PART,
  );
  checkedOnceRendered(
    ['curl', '-fsSO', 'https://h.example.com/dl/app.tgz?v={{x}}'],
    ['a/../../conftest.py', 'a#/x', 'a b'],
    ['1.2.3', 'a=b&c=d'],
    URL_PART,
  );
  // In the last part after fixed text: one plain name, as in any file's name (here also in a directory).
  checkedOnceRendered(
    ['curl', '-fsSLO', 'https://h.example.com/dl/v{{x}}/app_{{x}}_linux.tgz'],
    ['1/../../x', 'a/b'],
    ['1.2.3'],
    new RegExp(`${URL_PART.source}|${PATH_PART.source}`),
  );
  // -J: the server names the file (Content-Disposition), so a value anywhere in the URL, which picks the server
  // or what it serves, picks the name: refused.
  for (const argv of [
    ['curl', '-OJ', 'https://h.example.com/dl/app.tgz?v={{x}}'],
    ['curl', '-fsSL', '-O', '--remote-header-name', 'https://{{x}}/dl/app.tgz'],
    ['curl', '-J', '-O', 'https://h.example.com/releases/{{x}}/app.tgz'],
  ])
    assertRefused(argv, /curl -J: the server names the file, by its Content-Disposition header/);
  for (const argv of [
    ['curl', '-O', 'https://example.com/fixed.tgz'],
    ['curl', '-fsS', 'https://h.example.com/{{x}}'],
    ['curl', '-fsSo', 'app.tgz', 'https://h.example.com/{{x}}'],
    ['curl', '-fsSJo', 'app.tgz', 'https://h.example.com/{{x}}'],
    ['curl', '-OJ', 'https://h.example.com/dl/app.tgz'],
  ])
    assertAccepted(argv);
});

test("wget names the file after the URL's last part unless -O names it: the rule of curl -O", () => {
  for (const argv of [
    ['wget', 'https://h.example.com/path/{{x}}'],
    ['wget', '-q', 'https://h.example.com/{{x}}.tgz'],
    ['wget', '-nv', '--tries', '3', 'https://h.example.com/{{x}}'],
    // -P only fixes the directory: the value still names the file in it.
    ['wget', '-P', 'downloads', 'https://h.example.com/{{x}}'],
    ['wget', '--directory-prefix=dl', 'https://h.example.com/dl/{{x}}'],
    ['wget', '{{x}}'],
  ])
    assertRefused(
      argv,
      /is in the name of the local file wget writes \(wget names the file after the last part/,
    );
  checkedOnceRendered(
    ['wget', '-q', 'https://h.example.com/dl/app-{{x}}.tgz'],
    ['a/b', '../../x', 'x/../conftest.py'],
    ['1.2.3', '..'],
    PATH_PART,
  );
  checkedOnceRendered(
    ['wget', '-q', 'https://{{x}}/dl/app.tgz'],
    ['evil.example.com/Makefile?', 'h/.npmrc#'],
    ['h.example.com:8443', 'user@h.example.com'],
    URL_PART,
  );
  // wget adds the query to the name with its "/" escaped (hook?v=a%2Fb): a value there names no other file,
  // where curl -O (before 8.1, which names the file after the last "/" of the whole URL) is checked.
  checkedOnceRendered(
    ['wget', '-q', 'https://h.example.com/dl/app.tgz?v={{x}}'],
    [],
    ['1.2.3', 'a/../../x', '/proc/self/environ', 'a#b'],
    URL_PART,
  );
  // The server, the redirect or the site's links name the files: a value anywhere in the URL is refused.
  for (const [argv, why] of [
    [
      ['wget', '--content-disposition', 'https://h.example.com/dl?v={{x}}'],
      /wget --content-disposition: the server names/,
    ],
    [['wget', '--trust-server-names', 'https://h.example.com/dl/{{x}}/app.tgz'], /wget --trust-server-names/],
    [['wget', '-r', '-np', 'https://h.example.com/docs/v{{x}}/'], /a recursive wget/],
    [['wget', '-qm', 'https://{{x}}/'], /a recursive wget/],
    [['wget', '--mirror', 'https://h.example.com/{{x}}/index.html'], /a recursive wget/],
    [['wget', '-x', 'https://h.example.com/{{x}}/app.tgz'], /a recursive wget/],
    // The same options as wgetrc commands (-e, --execute): a command's name in any case, with or without _ or -.
    [
      ['wget', '-e', 'content_disposition=on', 'https://h.example.com/dl/{{x}}/a'],
      /wget --content-disposition: the server names/,
    ],
    [
      ['wget', '-e', 'contentdisposition=on', 'https://h.example.com/dl/{{x}}/a'],
      /wget --content-disposition: the server names/,
    ],
    [
      ['wget', '-qe', 'Content-Disposition = yes', 'https://h.example.com/dl/{{x}}/a'],
      /wget --content-disposition: the server names/,
    ],
    [
      ['wget', '--execute=trust_server_names=on', 'https://h.example.com/dl/{{x}}/a'],
      /wget --trust-server-names/,
    ],
    [['wget', '-e', 'recursive=on', 'https://h.example.com/dl/{{x}}/a'], /a recursive wget/],
    [['wget', '--exe', 'mirror=1', 'https://h.example.com/dl/{{x}}/a'], /a recursive wget/],
    [['wget', '-edirstruct=on', 'https://h.example.com/dl/{{x}}/a'], /a recursive wget/],
    [['wget', '-e', 'page_requisites=on', 'https://h.example.com/dl/{{x}}/a'], /a recursive wget/],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, why);
  // --default-page names the file written for a URL ending in "/".
  assertRefused(
    ['wget', '--default-page={{x}}', 'https://h.example.com/a/'],
    /is in the name of the local file wget --default-page writes/,
  );
  assertRefused(
    ['wget', '--def', '{{x}}', 'https://h.example.com/a/'],
    /is in the name of the local file wget --default-page writes/,
  );
  for (const argv of [
    ['wget', '-O', 'app.tgz', 'https://h.example.com/{{x}}'],
    ['wget', '-qO-', 'https://h.example.com/{{x}}'],
    ['wget', '--output-document=app.tgz', '--content-disposition', 'https://h.example.com/dl?v={{x}}'],
    ['wget', '-q', 'https://h.example.com/releases/{{x}}/app.tgz'],
    ['wget', '--header', 'X-Version: {{x}}', 'https://h.example.com/app.tgz'],
    ['wget', '--no-content-disposition', 'https://h.example.com/dl/{{x}}/app.tgz'],
    ['wget', '-e', 'robots=off', 'https://h.example.com/dl/{{x}}/app.tgz'],
    ['wget', '-e', 'content_disposition=off', 'https://h.example.com/dl/{{x}}/app.tgz'],
    ['wget', '-O', 'a.tgz', 'https://h.example.com/{{x}}/a.tgz'],
  ])
    assertAccepted(argv);
});

test('aria2c: its URLs name no file unless -o does and it follows no torrent nor metalink; its files follow the rule', () => {
  for (const [argv, why] of [
    [['aria2c', 'https://h.example.com/dl/{{x}}.tgz'], /aria2c without -o: the server names the file/],
    [['aria2c', '-d', 'dl', 'https://{{x}}/app.tgz'], /aria2c without -o/],
    [
      ['aria2c', '-o', 'app.tgz', 'https://h.example.com/{{x}}/app.tgz'],
      /a torrent or a metalink the server answers with/,
    ],
    [
      ['aria2c', '-o', 'app.tgz', '--follow-torrent=false', 'https://h.example.com/{{x}}/app.tgz'],
      /aria2c without --follow-metalink=false/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, why);
  for (const [argv, how] of [
    [['aria2c', '-o', '{{x}}', 'https://h.example.com/app.tgz'], 'aria2c --out writes'],
    [['aria2c', '--dir={{x}}', '-o', 'a', 'https://h.example.com/app.tgz'], 'aria2c --dir writes'],
    [['aria2c', '-l', '/{{x}}', 'https://h.example.com/app.tgz'], 'aria2c --log writes'],
    [['aria2c', '-i', '{{x}}'], 'aria2c --input-file reads its downloads from'],
    [['aria2c', '--torrent-file={{x}}'], 'aria2c --torrent-file reads its downloads from'],
    [['aria2c', '-M', '../{{x}}'], 'aria2c --metalink-file reads its downloads from'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  assertRefused(
    ['aria2c', '--on-download-complete', '{{x}}', 'https://h.example.com/app.tgz'],
    /aria2c --on-download-complete runs as a command/,
  );
  const fixed = ['aria2c', '-o', 'app.tgz', '--follow-torrent=false', '--follow-metalink=false'];
  assertAccepted([...fixed, 'https://h.example.com/releases/{{x}}/app.tgz']);
  // aria2c takes an option's last value: a later --follow-torrent=true (or alone, or a unique prefix of it)
  // follows again.
  for (const [later, option] of [
    ['--follow-torrent=true', '--follow-torrent'],
    ['--follow-metalink', '--follow-metalink'],
    ['--follow-t=mem', '--follow-torrent'],
    ['--follow-metal=true', '--follow-metalink'],
  ] as Array<[string, string]>)
    assertRefused(
      [...fixed, later, 'https://h.example.com/releases/{{x}}/app.tgz'],
      new RegExp(`aria2c without ${option}=false \\(its last value counts\\): a torrent or a metalink`),
    );
  assertAccepted([
    'aria2c',
    '-o',
    'app.tgz',
    '--follow-torrent=true',
    '--follow-metalink=false',
    '--follow-torrent=false',
    'https://h.example.com/releases/{{x}}/app.tgz',
  ]);
  assertAccepted(['aria2c', '-d', 'dl', '-o', 'app.tgz', 'https://h.example.com/app.tgz']);
  checkedOnceRendered(
    ['aria2c', '-o', 'app-{{x}}.tgz', 'https://h.example.com/app.tgz'],
    IN_NAME,
    ['1.2.3'],
    PATH_PART,
  );
  checkedOnceRendered(['aria2c', '-i', 'lists/{{x}}.txt'], IN_NAME, ['prod'], PATH_PART);
});

test("awk's files after its program are printed: the same rule", () => {
  for (const [argv, how] of [
    [['awk', '{print}', '{{x}}'], 'awk prints'],
    [['awk', '-F:', '{print $1}', '/{{x}}'], 'awk prints'],
    [['gawk', '-e', 'BEGIN{}', '{{x}}'], 'gawk prints'],
    [['awk', '-v', 'a=1', '--', '{print}', 'x', '{{x}}'], 'awk prints'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['awk', '{print $2}', 'data/{{x}}.csv'], IN_NAME, ['prod'], PATH_PART);
  for (const argv of [
    ['awk', '-v', 'v={{x}}', '{print $1, v}', 'data.txt'],
    ['awk', '{print v}', 'v={{x}}', 'data.txt'],
  ])
    assertAccepted(argv);
});

test("chmod's mode, chown's owner and chgrp's group: a template starting one is refused, after fixed text checked", () => {
  for (const [argv, what] of [
    [['chmod', '{{x}}', 'deploy.sh'], 'the mode chmod gives its files'],
    [['chmod', '-R', '{{x}}', 'dist'], 'the mode chmod gives its files'],
    [['sudo', 'chmod', '{{x}}', '/srv/app/bin/app'], 'the mode chmod gives its files'],
    [['chown', '{{x}}', '/srv/app'], 'the owner chown gives its files'],
    [['chown', '-R', '{{x}}:app', '/srv/app'], 'the owner chown gives its files'],
    [['chgrp', '{{x}}', '/srv/app'], 'the group chgrp gives its files'],
    // install's and mkdir's -m/--mode, -o/--owner, -g/--group.
    [
      ['sudo', 'install', '-m', '{{x}}', 'bin/app', '/usr/local/bin/app'],
      'the mode install -m gives its files',
    ],
    [['install', '--mode={{x}}', 'bin/app', '/usr/local/bin/app'], 'the mode install -m gives its files'],
    [['install', '-d', '-o', '{{x}}', '/srv/app'], 'the owner install -o gives its files'],
    [['install', '-g{{x}}', 'a', 'b'], 'the group install -g gives its files'],
    [['mkdir', '-pm', '{{x}}', '/srv/app'], 'the mode mkdir -m gives its files'],
  ] as Array<[string[], string]>)
    assertRefused(
      argv,
      new RegExp(
        `\\{\\{x\\}\\} (\\(character \\d+\\) )?is ${what} \\([^)]*\\), or starts it: its value would choose`,
      ),
    );
  assertScriptRefused('m={{x}}; chmod "$m" deploy.sh', /is the mode chmod gives its files/);
  assertRefused(['ssh', 'deploy@host', 'chmod {{x}} /srv/app/run'], /is the mode chmod gives its files/);
  // After fixed text: once rendered, no set-user-ID, set-group-ID or sticky bit, no write for others, no copy of
  // another class's rights, nothing but a mode.
  const MODE = /the value of \{\{x\}\} makes the mode chmod gives its files "[^"]*" once rendered/;
  checkedOnceRendered(
    ['chmod', '0{{x}}', 'deploy.sh'],
    ['4755', '2755', '1777', '777', '666', '7777', 'x', '755 /', '-R'],
    ['755', '644', '600', '775', '700'],
    MODE,
  );
  checkedOnceRendered(
    ['chmod', 'u+{{x}}', 'deploy.sh'],
    ['s', 'xs', 'x,o+w', 'x,a+w', 'x,+w', 'x,go=u', '755', 'x y'],
    ['x', 'rwx', 'rX', 'x,go-w', 'x,o-rwx'],
    MODE,
  );
  // chown OWNER[:GROUP]: one plain name or number each, at most one ":"; chgrp GROUP: one, no ":".
  checkedOnceRendered(
    ['chown', 'deploy:{{x}}', '/srv/app'],
    ['a:b', '-R', 'a b', 'a/b', '--from=root'],
    ['app', 'app-prod', '1001', ''],
    /the value of \{\{x\}\} makes the owner chown gives its files/,
  );
  checkedOnceRendered(
    ['install', '-m', '0{{x}}', 'bin/app', '/usr/local/bin/app'],
    ['4755', '777'],
    ['755'],
    /the value of \{\{x\}\} makes the mode install -m gives its files "[^"]*" once rendered/,
  );
  checkedOnceRendered(
    ['chgrp', 'app-{{x}}', '/srv/app'],
    ['a:b', 'a b', 'x/y'],
    ['prod'],
    /the value of \{\{x\}\} makes the group chgrp gives its files/,
  );
  // Through a variable after fixed text: the value alone (where it lands is not known).
  const via = 'm={{x}}; chmod "u+$m" deploy.sh';
  assertScriptAccepted(via);
  for (const value of ['s', 'w', '7'])
    assert.throws(
      () => renderShellScript(via, { x: value }),
      /the value of \{\{x\}\} \(through \$m, set from it\) holds .* where \$m is in the mode chmod gives/,
      value,
    );
  assert.doesNotThrow(() => renderShellScript(via, { x: 'x' }));
  for (const argv of [
    ['chmod', '+x', 'deploy.sh'],
    ['chmod', '-R', 'go-w', 'dist'],
    ['chmod', '0755', 'releases/{{x}}/bin/app'],
    ['chown', '-R', 'deploy:deploy', '/srv/releases/{{x}}'],
    ['chgrp', 'deploy', 'dist/app-{{x}}.tgz'],
    ['chmod', '--reference=deploy.sh', 'bin/app-{{x}}'],
    ['install', '-D', '-m', '0755', 'bin/app', '/srv/releases/{{x}}/bin/app'],
    ['mkdir', '-p', '-m', '700', '/srv/releases/{{x}}'],
  ])
    assertAccepted(argv);
});

test('go build -o, gh release/run download -D/-O, git archive -o and bundle create, sponge, yq: the same rule', () => {
  for (const [argv, how] of [
    [['go', 'build', '-o', '{{x}}', './cmd/app'], 'go build -o writes'],
    [['go', 'build', '-ldflags', '-s -w', '-o=/{{x}}', '.'], 'go build -o writes'],
    [['go', 'test', '-c', '-o', '{{x}}', './pkg'], 'go test -o writes'],
    [['gh', 'release', 'download', 'v1', '-D', '{{x}}'], 'gh release download -D writes'],
    [['gh', 'release', 'download', 'v1', '--output={{x}}', '-p', 'app.tgz'], 'gh release download -O writes'],
    [['gh', 'run', 'download', '123', '--dir', '{{x}}'], 'gh run download -D writes'],
    [['git', 'archive', '--format=tar.gz', '-o', '{{x}}', 'HEAD'], 'git archive -o writes'],
    [['git', 'archive', '--add-file={{x}}', '-o', 'a.tgz', 'HEAD'], 'git archive --add-file packs'],
    [['git', 'bundle', 'create', '{{x}}', 'main'], 'git bundle create writes'],
    [['sponge', '{{x}}'], 'sponge writes'],
    [['yq', '-i', '.a = 1', '{{x}}'], 'yq -i writes'],
    [['yq', '.version', '/{{x}}'], 'yq prints'],
    [['yq', 'eval', '.version', '{{x}}'], 'yq prints'],
    [['yq', 'e', '-i', '.a = 1', '{{x}}'], 'yq -i writes'],
    [['chmod', '--reference={{x}}', 'deploy.sh'], 'chmod --reference copies the rights or owner of'],
    [['chown', '--reference', '{{x}}', 'deploy.sh'], 'chown --reference copies'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['go', 'build', '-o', 'bin/app-{{x}}', './cmd/app'], IN_NAME, ['1.2.3'], PATH_PART);
  checkedOnceRendered(['gh', 'release', 'download', 'v1', '-D', 'dist/{{x}}'], HOSTILE, ['prod'], PATH_PART);
  for (const argv of [
    ['go', 'build', '-ldflags', '-X main.version={{x}}', '-o', 'bin/app', './cmd/app'],
    ['gh', 'release', 'download', 'v{{x}}', '-D', 'dist', '-p', 'app-{{x}}.tgz'],
    ['git', 'archive', '--prefix=app-{{x}}/', '-o', 'dist/app.tgz', 'HEAD'],
    ['docker', 'build', '-t', 'app:{{x}}', '--iidfile', 'image-id.txt', '.'],
    ['yq', '-i', '.version = env(VERSION)', 'chart/Chart.yaml'],
    ['yq', 'eval', '.version', 'chart/Chart.yaml'],
    ['yq', 'ea', '. as $item ireduce ({}; . * $item)', 'a.yaml', 'b.yaml'],
  ])
    assertAccepted(argv);
});

test("npm/pnpm/yarn pack's tarball, cargo's target and install directories, gawk's profile, dump and pretty-print: the same rule", () => {
  for (const [argv, how] of [
    [['npm', 'pack', '--pack-destination', '{{x}}'], 'npm pack --pack-destination writes'],
    [['npm', 'pack', '--pack-destination=/{{x}}'], 'npm pack --pack-destination writes'],
    [['npm', '--pack-destination', '{{x}}', 'pack', './pkg'], 'npm pack --pack-destination writes'],
    [['pnpm', 'pack', '--pack-destination', '{{x}}'], 'pnpm pack --pack-destination writes'],
    [['yarn', 'pack', '--filename', '{{x}}'], 'yarn pack --filename writes'],
    [['yarn', 'pack', '-o', '{{x}}'], 'yarn pack --out writes'],
    [['yarn', 'pack', '--out={{x}}'], 'yarn pack --out writes'],
    [['cargo', 'build', '--release', '--target-dir', '{{x}}'], 'cargo --target-dir writes'],
    [['cargo', 'test', '--target-dir={{x}}'], 'cargo --target-dir writes'],
    [['cargo', '--target-dir', '../{{x}}', 'build'], 'cargo --target-dir writes'],
    [['cargo', 'build', '--artifact-dir', '{{x}}'], 'cargo --artifact-dir writes'],
    [['cargo', 'install', '--path', '.', '--root', '{{x}}'], 'cargo install --root writes'],
    [['gawk', '--profile={{x}}', '{print}', 'data.txt'], 'gawk --profile writes'],
    [['gawk', '--prof={{x}}', '{print}', 'data.txt'], 'gawk --profile writes'],
    [['gawk', '-p{{x}}', '{print}', 'data.txt'], 'gawk -p writes'],
    [['awk', '--dump-variables={{x}}', '{print}', 'data.txt'], 'awk --dump-variables writes'],
    [['gawk', '-Sd{{x}}', '{print}', 'data.txt'], 'gawk -d writes'],
    [['gawk', '--pretty-print=/{{x}}', '{print}', 'data.txt'], 'gawk --pretty-print writes'],
    [['gawk', '-v', 'a=1', '-o{{x}}', '{print}', 'data.txt'], 'gawk -o writes'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['npm', 'pack', '--pack-destination', 'dist/{{x}}'], HOSTILE, ['prod'], PATH_PART);
  checkedOnceRendered(['cargo', 'build', '--target-dir', 'target/{{x}}'], HOSTILE, ['prod'], PATH_PART);
  checkedOnceRendered(['gawk', '--profile=prof/{{x}}.out', '{print}', 'a'], IN_NAME, ['prod'], PATH_PART);
  for (const argv of [
    ['npm', 'pack', '--pack-destination', 'dist'],
    ['npm', 'version', '{{x}}', '--no-git-tag-version'],
    ['cargo', 'build', '--release', '--target-dir', 'target/ci'],
    ['cargo', 'run', '--release', '--', '--target-dir', '{{x}}'],
    ['gawk', '--profile', '-v', 'v={{x}}', '{print v}', 'data.txt'],
    ['gawk', '-p', '-v', 'v={{x}}', '{print v}', 'data.txt'],
    ['gawk', '-v', 'p={{x}}', '{print p}', 'data.txt'],
  ])
    assertAccepted(argv);
});

test("gawk's -i/--include and -l/--load load code, and -D/--debug=FILE runs debugger commands: a template there is refused", () => {
  for (const argv of [
    ['gawk', '-i', '{{x}}', '{print}', 'data.txt'],
    ['gawk', '--include={{x}}', '{print}', 'data.txt'],
    ['gawk', '-i', 'lib/{{x}}.awk', '{print}', 'data.txt'],
    ['gawk', '-l', '{{x}}', '{print}', 'data.txt'],
    ['gawk', '--load', 'ext/{{x}}.so', '{print}', 'data.txt'],
    ['gawk', '-D{{x}}', '{print}', 'data.txt'],
    ['gawk', '--debug={{x}}', '{print}', 'data.txt'],
    // getopt_long takes any unique prefix of a long option (and gawk -W NAME as --NAME): --inc is --include.
    ['gawk', '--inc={{x}}', '1'],
    ['gawk', '--de={{x}}', '1'],
    ['gawk', '--lo', '{{x}}', '1'],
    ['gawk', '--exec={{x}}'],
    ['gawk', '--ex={{x}}'],
    ['gawk', '--fi={{x}}'],
    ['gawk', '--fil', '{{x}}', 'data.txt'],
    ['gawk', '-Winclude={{x}}', '1'],
    ['gawk', '-W', 'exec', '{{x}}'],
    ['gawk', '-W', 'exec={{x}}'],
    ['gawk', '-bW', 'inc={{x}}', '1'],
  ])
    assertRefused(argv, /is in the file gawk loads and runs as code/);
  for (const argv of [
    ['gawk', '--sou={{x}}'],
    ['gawk', '--source', 'BEGIN{print "{{x}}"}'],
    ['gawk', '-W', 'source={{x}}'],
    ['gawk', '-Wsou={{x}}'],
  ])
    assertRefused(argv, /is inside the code "gawk --source" runs/);
  assertRefused(['gawk', '--prof={{x}}', '1'], /is in the name of the local file gawk --profile writes/);
  assertRefused(
    ['gawk', '-Wpretty={{x}}', '1'],
    /is in the name of the local file gawk --pretty-print writes/,
  );
  assertRefused(['gawk', '-o{{x}}', '1'], /is in the name of the local file gawk -o writes/);
  for (const argv of [
    ['gawk', '-f', 'prog.awk', 'data/{{x}}.txt'],
    ['gawk', '--field-sep=,', '-v', 'v={{x}}', '{print v}', 'data.txt'],
    ['gawk', '--fie', ':', '-v', 'v={{x}}', '{print v}', 'data.txt'],
    ['gawk', '--lint', '--posix', '-v', 'v={{x}}', '{print v}', 'data.txt'],
  ])
    assertAccepted(argv);
  // The program operand still follows them: a template in it is refused as awk code, data after it accepted.
  assertRefused(['gawk', '-i', 'lib.awk', '{print "{{x}}"}', 'data.txt'], /gawk program/);
  assertAccepted(['gawk', '-i', 'lib.awk', '-v', 'v={{x}}', '{print v}', 'data.txt']);
});

// chown --from=OWNER[:GROUP] names no file: it is the owner the files chown changes must have, an owner as
// chown's own (the same check), never a file.
test('chown --from takes an owner: a template starting it is refused, after fixed text checked once rendered', () => {
  for (const argv of [
    ['chown', '--from={{x}}', 'deploy', '/srv/app'],
    ['chown', '--from', '{{x}}', 'deploy', '/srv/app'],
    ['chown', '-R', '--from={{x}}:app', 'deploy', '/srv/app'],
  ])
    assertRefused(
      argv,
      /\{\{x\}\} (\(character \d+\) )?is the current owner chown --from matches .*, or starts it/,
    );
  checkedOnceRendered(
    ['chown', '--from=deploy:{{x}}', 'app', '/srv/app'],
    ['a:b', '-R', 'a b', 'a/b', 'a,b', '--reference=x'],
    ['app', 'app-prod', '1001', ''],
    /the value of \{\{x\}\} makes the current owner chown --from matches "[^"]*" once rendered/,
  );
  // The files after it are still the files it changes.
  assertRefused(
    ['chown', '--from=root', 'deploy', '{{x}}'],
    /is in the name of the local file chown changes/,
  );
  assertAccepted(['chown', '--from=root:root', 'deploy:deploy', '/srv/releases/{{x}}']);
});

test('zstd, 7z, patch and split: their archives, outputs, inputs and patches follow the same rule', () => {
  for (const [argv, how] of [
    [['zstd', '-19', '{{x}}'], 'zstd packs into its archive'],
    [['zstd', '--rm', '{{x}}'], 'zstd replaces'],
    [['zstd', 'dist/app.tar', '-o', '{{x}}'], 'zstd -o writes'],
    [['zstd', '-d', '--output-dir-flat', '{{x}}', 'a.zst'], 'zstd --output-dir-flat writes'],
    [['zstdcat', '{{x}}'], 'zstdcat prints'],
    [['7z', 'a', '{{x}}', 'dist'], '7z a writes'],
    [['7z', 'a', 'dist/app.7z', '{{x}}'], '7z a packs into its archive'],
    [['7z', 'x', '{{x}}'], '7z x extracts'],
    [['7z', 'x', 'app.7z', '-o{{x}}'], '7z -o writes'],
    [['patch', '-p1', '-i', '{{x}}'], 'patch -i applies'],
    [['patch', '-p1', '--input={{x}}'], 'patch -i applies'],
    [['patch', 'config.yaml', '{{x}}'], 'patch applies'],
    [['patch', '{{x}}', 'fix.patch'], 'patch writes'],
    [['patch', '-p1', '-d', '{{x}}', '-i', 'fix.patch'], 'patch -d writes'],
    [['split', '-b', '1M', '{{x}}', 'part-'], 'split copies'],
    [['split', '-b', '1M', 'dist/app.tgz', '{{x}}'], 'split writes'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['7z', 'x', 'app.7z', '-o/srv/releases/{{x}}'], HOSTILE, ['v1.2.3'], PATH_PART);
  checkedOnceRendered(['patch', '-p1', '-i', 'patches/{{x}}.patch'], IN_NAME, ['prod'], PATH_PART);
  for (const argv of [
    ['zstd', '-19', '-T0', 'dist/app.tar', '-o', 'dist/app-{{x}}.tar.zst'],
    ['7z', 'a', '-p{{x}}', 'dist/app.7z', 'build'],
    ['patch', '-p1', '-i', 'fix.patch'],
    ['split', '-b', '1M', 'dist/app.tgz', 'dist/app-{{x}}.part-'],
  ])
    assertAccepted(argv);
});

test('text filters print their files (cut, paste, comm, join, fold, fmt, expand, rev, cmp, uniq, iconv, openssl -in)', () => {
  for (const [argv, how] of [
    [['cut', '-c1-', '{{x}}'], 'cut prints'],
    [['cut', '-d', ':', '-f', '1', '/{{x}}'], 'cut prints'],
    [['paste', '-d', ',', 'a.txt', '{{x}}'], 'paste prints'],
    [['comm', '-3', 'a.txt', '{{x}}'], 'comm prints'],
    [['join', '-t', ',', 'a.csv', '{{x}}'], 'join prints'],
    [['fold', '-w', '80', '{{x}}'], 'fold prints'],
    [['fmt', '{{x}}'], 'fmt prints'],
    [['expand', '-t', '4', '{{x}}'], 'expand prints'],
    [['rev', '{{x}}'], 'rev prints'],
    [['cmp', '-l', 'a.bin', '{{x}}'], 'cmp prints'],
    [['uniq', '{{x}}'], 'uniq prints'],
    [['uniq', '-c', 'list.txt', '{{x}}'], 'uniq writes'],
    [['iconv', '-f', 'latin1', '-t', 'utf-8', '{{x}}'], 'iconv prints'],
    [['iconv', '-f', 'latin1', '-t', 'utf-8', '-o', '{{x}}', 'a.txt'], 'iconv -o writes'],
    [['openssl', 'base64', '-in', '{{x}}'], 'openssl -in prints'],
    [['openssl', 'rsa', '-in', '/{{x}}', '-noout', '-text'], 'openssl -in prints'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['cut', '-d', ',', '-f', '2', 'data/{{x}}.csv'], IN_NAME, ['prod'], PATH_PART);
  for (const argv of [
    ['cut', '-d', '{{x}}', '-f', '1', 'list.txt'],
    ['openssl', 'x509', '-in', 'certs/{{x}}.pem', '-noout', '-enddate'],
    ['join', '-t', ',', 'a.csv', 'b.csv'],
  ])
    assertAccepted(argv);
});

test("xargs -a's file (its lines become the program's arguments) and gpg --decrypt's files: the same rule", () => {
  for (const [argv, how] of [
    [['xargs', '-a', '{{x}}', 'echo'], 'xargs -a hands the lines of to the program it runs'],
    [['xargs', '--arg-file={{x}}', 'rm', '-f'], 'xargs -a hands'],
    [['xargs', '-ra/{{x}}', 'echo'], 'xargs -a hands'],
    [['gpg', '--batch', '-d', '{{x}}'], "gpg --decrypt prints to the job's log"],
    [['gpg', '--decrypt', '/{{x}}'], 'gpg --decrypt prints'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how}`));
  checkedOnceRendered(['xargs', '-a', 'lists/{{x}}.txt', 'echo'], IN_NAME, ['prod'], PATH_PART);
  for (const argv of [
    ['xargs', '-n', '1', '-a', 'hosts.txt', './deploy.sh', '{{x}}'],
    // A key's name or id is no file (gpg --recv-keys {{x}} is refused as a source of trust: deploy-sources.ts).
    ['gpg', '--batch', '--list-keys', '{{x}}'],
    ['gpg', '--batch', '-o', 'secrets.env', '-d', 'secrets/{{x}}.gpg'],
  ])
    assertAccepted(argv);
});

test('a redirection reads past any blanks and continued lines to its file', () => {
  for (const script of [
    'echo hi >            {{x}}',
    'echo hi >\t\t{{x}}',
    'echo hi > \\\n \\\n {{x}}',
    'sh <            {{x}}.sh',
    'sh < \\\n   scripts/{{x}}.sh',
  ])
    assertScriptRefused(script, /is in the name of the (local )?file the redirection "[<>]"/);
  // A continued line between words is a blank, not a word: the option still takes its value.
  assertScriptRefused(
    'docker run \\\n  -v /srv/{{x}}:/app \\\n  img',
    /is in the host path docker run -v mounts/,
  );
  assertScriptAccepted('kubectl apply \\\n  -f k8s/app.yaml && echo {{x}}');
});
