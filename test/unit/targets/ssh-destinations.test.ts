// The host ssh, scp, sftp and rsync connect to gets the commands and what is sent, and the runner's ssh keys log
// in there: a value in it is refused as a database client's host is (kind 'credential'), but in its first label
// after a fixed prefix or before a fixed domain, checked once rendered to be one DNS label. The user (user@, ssh
// -l, -o User=) and -o HostName are refused; ssh's forwards (-L, -R, -D, -W, -o LocalForward…) too, as where
// what is sent goes (ssh-destinations.ts).
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptRefused,
  checkedOnceRendered,
  scriptCheckedOnceRendered,
} from '../../helpers/command-checks.ts';

const CREDENTIAL =
  /its value would choose who (ssh|scp|sftp|rsync) acts as or where it sends its credentials/;
const SOURCE = /its value would choose where what is deployed comes from or goes/;
const LABEL = /must make one DNS-1123 label/;

test('the host ssh logs in to takes no template, but in its first label after a fixed prefix', () => {
  for (const argv of [
    ['ssh', '{{x}}', './deploy.sh'],
    ['ssh', 'deploy@{{x}}', './deploy.sh'],
    ['ssh', '-p', '2222', 'deploy@{{x}}'],
    ['ssh', '--', '{{x}}', 'true'],
    ['ssh', 'ssh://deploy@{{x}}:2222', 'true'],
    ['ssh', '10.0.{{x}}.5', 'true'],
    ['ssh', 'web-{{x}}.com', 'true'],
    ['sudo', '-u', 'deploy', 'ssh', '{{x}}', 'true'],
  ])
    assertRefused(
      argv,
      new RegExp(`is in the host ssh logs in to, which gets the commands[^]*${CREDENTIAL.source}`),
    );
  assertRefused(
    ['ssh', '{{x}}', 'true'],
    /put the value in its first label after a fixed prefix \(web-\{\{x\}\}\.internal\)/,
  );
  // Through a variable, and on the remote host's line (ssh jump ssh {{x}}).
  assertScriptRefused('H={{x}}; ssh "$H" ./deploy.sh', /\$H .* is in the host ssh logs in to/);
  assertScriptRefused('ssh jump ssh {{x}} true', /is in the host ssh logs in to/);
  for (const argv of [
    ['ssh', 'web-{{x}}.internal', './deploy.sh'],
    ['ssh', 'deploy@web-{{x}}.internal', './deploy.sh', 'v1'],
    ['ssh', '{{x}}.example.com', 'true'],
  ])
    checkedOnceRendered(
      argv,
      ['evil.example', 'a@b', '-oProxyCommand=id', 'a b', ''],
      ['blue', 'web-1'],
      LABEL,
    );
  // The port and the remote command's arguments stay data.
  assertAccepted(['ssh', '-p', '{{x}}', 'deploy@web1', './deploy.sh', '{{x}}']);
});

test('the user ssh logs in as and -o HostName take no template', () => {
  for (const [argv, why] of [
    [['ssh', '{{x}}@web1', 'true'], /the user ssh logs in as/],
    [['ssh', '-l', '{{x}}', 'web1', 'true'], /the user ssh -l logs in as/],
    [['ssh', '-l{{x}}', 'web1', 'true'], /the user ssh -l logs in as/],
    [['ssh', '-o', 'User={{x}}', 'web1'], /the user ssh -o User logs in as/],
    [['ssh', '-o', 'HostName {{x}}', 'web1'], /the host ssh -o HostName connects to/],
    [['scp', '-o', 'Hostname={{x}}', 'a', 'web1:/b'], /the host scp -o HostName connects to/],
    [['ssh', 'web1', '-o', 'User={{x}}', 'true'], /the user ssh -o User logs in as/],
    [['ssh', '-o', 'SendEnv={{x}}', 'web1'], /which of the job's variables ssh -o SendEnv sends/],
    [['ssh', '-o', 'CanonicalDomains={{x}}', 'web1'], /the domain ssh -o CanonicalDomains completes/],
  ] as const)
    assertRefused([...argv], new RegExp(`${why.source}[^]*${CREDENTIAL.source}`));
});

test('ssh -o SetEnv takes no template: a name, or a space in a value, sets another variable on the host', () => {
  for (const argv of [
    ['ssh', '-o', 'SetEnv={{x}}', 'web1'],
    ['ssh', '-o', 'SetEnv VERSION={{x}}', 'web1'],
  ])
    assertRefused(argv, /the variables ssh -o SetEnv sets on the host[^]*code that runs/);
  assertAccepted(['ssh', '-o', 'SendEnv=DEPLOY_VERSION', 'web1', './deploy.sh', '{{x}}']);
});

test("ssh's forwards take no template: -L, -R, -D, -W and -o LocalForward, RemoteForward, DynamicForward", () => {
  for (const [argv, why] of [
    [['ssh', '-L', '{{x}}', 'web1'], /the forward ssh -L opens/],
    [['ssh', '-L', '8080:{{x}}:80', 'web1'], /the forward ssh -L opens/],
    [['ssh', '-NL{{x}}', 'web1'], /the forward ssh -L opens/],
    [['ssh', '-R', '{{x}}', 'web1'], /the forward ssh -R opens .*cloud metadata/],
    [['ssh', '-D', '{{x}}', 'web1'], /the SOCKS proxy ssh -D opens/],
    [['ssh', '-W', '{{x}}:22', 'jump'], /where ssh -W connects/],
    [['ssh', 'web1', '-R', '{{x}}', 'true'], /the forward ssh -R opens/],
    [['ssh', '-o', 'RemoteForward={{x}}', 'web1'], /the forward ssh -o RemoteForward opens/],
    [['ssh', '-o', 'LocalForward 8080 {{x}}:80', 'web1'], /the forward ssh -o LocalForward opens/],
  ] as const)
    assertRefused([...argv], new RegExp(`${why.source}[^]*${SOURCE.source}`));
  assertAccepted(['ssh', '-L', '8080:localhost:80', 'web1', './deploy.sh', '{{x}}']);
});

test('the host of scp, sftp and rsync remote operands takes no template, but in its first label', () => {
  for (const [argv, why] of [
    [['scp', 'dist/app.tgz', '{{x}}:/srv/'], /the host scp copies to or from/],
    [['scp', 'dist/app.tgz', 'deploy@{{x}}:/srv/'], /the host scp copies to or from/],
    [['scp', '{{x}}:/var/log/app.log', 'logs/'], /the host scp copies to or from/],
    [['scp', 'dist/app.tgz', 'scp://{{x}}:2222//srv/'], /the host scp copies to or from/],
    [['rsync', '-az', 'dist/', 'deploy@{{x}}:/srv/'], /the host rsync copies to or from/],
    [
      ['rsync', '-a', '--rsync-path', 'sudo rsync', 'dist/', '{{x}}:/srv/'],
      /the host rsync copies to or from/,
    ],
    [['rsync', '-a', 'dist/', '{{x}}::releases/'], /the host rsync copies to or from .*the rsync daemon/],
    [['rsync', '-a', 'dist/', 'rsync://{{x}}/releases/'], /the rsync daemon/],
    [['sftp', '{{x}}'], /the host sftp connects to/],
    [['sftp', '-b', 'batch.txt', 'deploy@{{x}}:/srv'], /the host sftp connects to/],
  ] as const)
    assertRefused([...argv], new RegExp(`${why.source}[^]*${CREDENTIAL.source}`));
  assertRefused(['scp', 'a', '{{x}}@web1:/srv/'], /the user scp logs in as/);
  for (const argv of [
    ['scp', 'dist/app.tgz', 'deploy@web-{{x}}.internal:/srv/{{x}}/'],
    ['rsync', '-a', 'dist/', 'web-{{x}}.internal:/srv/'],
    ['sftp', 'deploy@web-{{x}}.internal'],
  ])
    checkedOnceRendered(argv, ['evil.example', 'a:b', '/etc'], ['blue', 'web-1'], LABEL);
  // The remote path stays checked as before (remote-paths.test.ts), and a fixed host takes none.
  assertAccepted(['scp', 'dist/app.tgz', 'deploy@web1:/srv/{{x}}/']);
  assertAccepted(['rsync', '-a', 'dist/', 'web1:/srv/releases/{{x}}/']);
});

// autossh hands its words to ssh (but for its own -M PORT), and sshpass runs the program after its options: both
// were read as unknown programs, so autossh's remote command reached the remote shell unchecked
// (autossh -M 0 host "./deploy.sh {{x}}" given "a;id" ran id there) and sshpass {{x}} ran any program.
test('autossh is read as ssh (its -M PORT besides) and sshpass as a wrapper of the program it runs', () => {
  for (const [argv, why] of [
    [['autossh', '-M', '0', '{{x}}'], /is in the host ssh logs in to/],
    [['autossh', '-M', '20000', '-N', '-R', '{{x}}', 'host'], /the forward ssh -R opens/],
    [['autossh', '-M', '0', '-o', 'ProxyCommand={{x}}', 'host'], /ssh runs ProxyCommand through a shell/],
    [['sshpass', '-e', 'ssh', '{{x}}', 'true'], /is in the host ssh logs in to/],
    [['sshpass', '-p', 'pw', 'scp', 'a', '{{x}}:/srv/'], /is in the host scp copies to or from/],
    [['sshpass', '{{x}}'], /the program sshpass runs[^]*which program runs/],
  ] as const)
    assertRefused([...argv], why);
  for (const argv of [
    ['autossh', '-M', '0', 'host', './deploy.sh {{x}}'],
    ['sshpass', '-e', 'ssh', 'host', './deploy.sh', '{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['a;id', '$(id)'],
      ['v1.2'],
      /the command ssh runs through the remote host's shell/,
    );
  checkedOnceRendered(['autossh', '-M0', '-f', '-N', 'web-{{x}}.internal'], ['a.b'], ['blue'], LABEL);
});

test("a host held by a variable set from fixed text and templates follows the host's rule, checked once rendered", () => {
  // (scp's and rsync's remote path, the value also in the word they read as the remote path, may refuse it first.)
  const bad = /must make one DNS-1123 label|the remote host's shell/;
  const refused = ['evil.example', 'a@b', '-oProxyCommand=id', 'a b', ''].map((v) => [v, bad] as const);
  for (const script of [
    'H=web-{{x}}.internal; ssh "$H" ./deploy.sh',
    'H=web-{{x}}.internal; ssh "deploy@${H}" ./deploy.sh',
    'export H={{x}}.example.com; ssh -p 2222 "$H" true',
    'H=web-{{x}}.internal; scp app.tar "$H":/srv/',
    'H=web-{{x}}.internal; rsync -a dist/ "$H":/srv/',
    'H=redis-{{x}}.internal; redis-cli -h "$H" ping',
    'H=db-{{x}}.internal; psql -h "$H" -c "select 1"',
    'H=db-{{x}}.internal; mysql -h "$H" -e "select 1"',
    // The other ssh destinations read by ssh-destinations.ts.
    'H=web-{{x}}.internal; mosh "$H" ./deploy.sh',
    'H=web-{{x}}.internal; ssh-copy-id "deploy@$H"',
    'H=web-{{x}}.internal; systemctl --host="$H" restart app',
  ])
    scriptCheckedOnceRendered(script, refused, ['blue', 'web-1']);
  // Where the word as written would be refused, so is the variable: a whole host, a domain of one public label,
  // text not known (another variable, two assignments, read), or the variable beside another value.
  for (const script of [
    'H={{x}}; ssh "$H" ./deploy.sh',
    'H=$X{{x}}; ssh "$H" ./deploy.sh',
    'H=web-{{x}}.com; ssh "$H" true',
    'H=web-{{x}}-{{env}}.internal; ssh "$H" true',
    'if [ -n "$A" ]; then H=web-{{x}}.internal; else H={{x}}; fi; ssh "$H" true',
    'H=web-{{x}}.internal; read -r H; ssh "$H" true',
    'H=web-{{x}}.internal; ssh "$H{{env}}" true',
    'H=web-{{x}}.internal; ssh "$H$X" true',
    'H=web-{{x}}.internal; ssh "${H%.internal}.evil.com" true',
  ])
    assertScriptRefused(script, /\$H .* is in the host ssh logs in to/);
  assertScriptRefused('H={{x}}; redis-cli -h "$H" ping', /\$H .* is in the host redis-cli -h connects to/);
  assertScriptRefused('H={{x}}; psql -h "$H" -c "select 1"', /\$H .* is in the host psql -h connects to/);
});
