// gh codespace ssh runs a command on the codespace as ssh does (its operands, or the words after its `--` and
// ssh's options there, joined into a line the codespace's shell reads); gh codespace cp copies as scp does
// ("remote:PATH" the codespace's, handed to its shell with --expand). Their words are judged by ssh's and scp's
// rules, gh's own options as gh's (programs.ts' codespaceSshWords).
import { test } from 'node:test';
import { assertAccepted, assertRefused, checkedOnceRendered } from '../../helpers/command-checks.ts';

test("gh codespace ssh's command is judged as ssh's remote command", () => {
  const PROGRAM = /is in the program, on the remote host/;
  for (const argv of [
    ['gh', 'codespace', 'ssh', '{{x}}'],
    ['gh', 'cs', 'ssh', '{{x}}'],
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', '{{x}}', '--version'],
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', '--', '{{x}}'],
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', '--', '-t', '{{x}}'],
    ['gh', 'codespace', 'ssh', '--codespace=app-cs', '-d', '--', '-o', 'LogLevel=quiet', '{{x}}'],
    ['sudo', 'gh', 'codespace', 'ssh', '-c', 'app-cs', 'cd /srv && {{x}}'],
  ])
    assertRefused(argv, PROGRAM);
  // An argument of a fixed remote program is checked once rendered, as in ssh's line.
  const REMOTE = /is in the command ssh runs through the remote host's shell, and its value holds/;
  for (const argv of [
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', './deploy.sh', '{{x}}'],
    ['gh', 'cs', 'ssh', '-c', 'app-cs', '--', '-t', './deploy.sh', '{{x}}'],
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', 'echo {{x}}'],
  ])
    checkedOnceRendered(argv, ['$(id)', 'a;id', 'a b', '`id`'], ['v1.2.3'], REMOTE);
});

test("gh codespace ssh's options: ssh's after its `--` keep their rules, gh's are gh's", () => {
  assertRefused(
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', '--', '-o', 'ProxyCommand={{x}}', 'true'],
    /ssh -o ProxyCommand/,
  );
  assertRefused(
    ['gh', 'codespace', 'ssh', '-c', 'app-cs', '--', '-i', '{{x}}', 'true'],
    /the local file ssh -i logs in with/,
  );
  // --profile: the ssh destination it connects to instead; --debug-file: the log it writes.
  assertRefused(
    ['gh', 'codespace', 'ssh', '--profile', '{{x}}', 'true'],
    /the host gh codespace ssh --profile connects to/,
  );
  assertRefused(['gh', 'codespace', 'ssh', '--debug-file', '{{x}}', 'true'], /ssh --debug-file writes/);
  // The codespace is a name (-c), as is the repository selecting it (-R, not ssh's forward): accepted.
  for (const argv of [
    ['gh', 'codespace', 'ssh', '-c', '{{x}}', '--', 'true'],
    ['gh', 'codespace', 'ssh', '-R', 'org/{{x}}', 'true'],
    ['gh', 'codespace', 'ssh', '-c', 'app-{{x}}', './deploy.sh'],
  ])
    assertAccepted(argv);
});

test("gh codespace's other subcommands: a codespace's name stays a name", () => {
  for (const argv of [
    ['gh', 'codespace', 'list'],
    ['gh', 'codespace', 'stop', '-c', '{{x}}'],
    ['gh', 'codespace', 'delete', '-c', 'app-{{x}}', '--force'],
    ['gh', 'codespace', 'view', '-c', '{{x}}'],
    ['gh', 'codespace', 'logs', '-c', '{{x}}'],
    ['gh', 'codespace', 'ports', 'forward', '8080:{{x}}', '-c', 'app-cs'],
  ])
    assertAccepted(argv);
});

test('gh codespace cp reads and writes local files as scp does, and --expand hands remote paths to a shell', () => {
  assertRefused(
    ['gh', 'codespace', 'cp', '{{x}}', 'remote:/srv/'],
    /the local file gh codespace cp reads and sends/,
  );
  assertRefused(
    ['gh', 'cs', 'cp', '-r', 'remote:/srv/logs', '{{x}}'],
    /the local file gh (codespace|cs) cp writes/,
  );
  assertRefused(
    ['gh', 'codespace', 'cp', '--', '-o', 'ProxyCommand={{x}}', 'dist/app.tgz', 'remote:/srv/'],
    /"gh codespace cp -- -o ProxyCommand"/,
  );
  assertRefused(['gh', 'codespace', 'cp', '--', '-S', '{{x}}', 'a', 'remote:b'], /gh codespace cp -- -S/);
  // --expand: the codespace's shell expands the remote path, so a value there is checked once rendered.
  checkedOnceRendered(
    ['gh', 'codespace', 'cp', '-e', 'dist/app.tgz', 'remote:/srv/{{x}}/'],
    ['$(id)', '`id`', 'a b', 'a;b'],
    ['v1.2.3'],
    /which gh codespace cp --expand hands to the codespace's shell/,
  );
  // Without it gh quotes the path for that shell: a file of the codespace, by its name.
  checkedOnceRendered(
    ['gh', 'codespace', 'cp', '-c', 'app-cs', 'dist/app.tgz', 'remote:/srv/{{x}}/'],
    [],
    ['v1.2.3', '$(id)'],
    /never/,
  );
});
