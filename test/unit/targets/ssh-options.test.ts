// ssh's options as OpenSSH reads them: blanks before an -o option's name are skipped (-o " ProxyCommand=…" is
// ProxyCommand), and the jump hosts of -J / ProxyJump are pasted into a command a shell runs. A value there is
// refused, for ssh, scp and sftp, however the option is written.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

test('an ssh -o option written after blanks is read as the option it names', () => {
  for (const [script, why] of [
    ['ssh -o " ProxyCommand={{x}}" h true', /runs ProxyCommand through a shell/],
    ['scp -o " ProxyCommand={{x}}" a h:/b', /runs ProxyCommand through a shell/],
    ['sftp -o "\tProxyCommand={{x}}" h', /runs ProxyCommand through a shell/],
    ['env ssh -o "  LocalCommand={{x}}" h true', /runs LocalCommand through a shell/],
    ['ssh -o " StrictHostKeyChecking {{x}}" h true', /whether the host's key is checked/],
    ['ssh -o " {{x}}" h', /would name the option/],
    // The options running a local command, however the value sits in it.
    ['ssh -o KnownHostsCommand={{x}} h true', /runs KnownHostsCommand through a shell/],
    ['ssh -oKnownHostsCommand="/bin/echo {{x}}" h true', /runs KnownHostsCommand through a shell/],
    ['ssh -o "ProxyCommand nc {{x}} 22" h true', /runs ProxyCommand through a shell/],
    [
      'ssh -o PermitLocalCommand=yes -o LocalCommand="echo {{x}}" h true',
      /runs LocalCommand through a shell/,
    ],
    ['ssh -o " IdentityFile={{x}}" h true', /IdentityFile/],
    ['ssh -o " UserKnownHostsFile {{x}}" h true', /UserKnownHostsFile/],
  ] as const)
    assertScriptRefused(script, why);
  // Fixed options, and a value in a key file's name after a fixed directory, stay accepted.
  for (const script of [
    'ssh -o " StrictHostKeyChecking=accept-new" deploy@h "sudo systemctl restart app"',
    'ssh -o " IdentityFile=keys/{{x}}" h true',
  ])
    assertScriptAccepted(script);
});

test('the jump hosts of ssh -J and -o ProxyJump take no template: ssh pastes them into a shell command', () => {
  const why = /pastes the jump hosts into a command its shell runs|runs ProxyJump through a shell/;
  for (const script of [
    'ssh -J {{x}} h true',
    'ssh -J bastion,{{x}} h true',
    'ssh -vJ {{x}} h true',
    'ssh -J{{x}} h true',
    'ssh -oProxyJump={{x}} h',
    'ssh -o "ProxyJump {{x}}" h',
    'scp -J {{x}} a h:/b',
    'scp -qJ {{x}} a h:/b',
    'sftp -J {{x}} h',
    'sudo -E ssh -J {{x}} h true',
    'timeout 5 ssh -J {{x}} h true',
  ])
    assertScriptRefused(script, why);
  for (const script of [
    'ssh -J bastion.example.com deploy@h ./deploy.sh {{x}}',
    'scp -J bastion dist/app-{{x}}.tgz deploy@h:/srv/',
  ])
    assertScriptAccepted(script);
});

test('the algorithms protecting an ssh connection take no template: -c, -o Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms', () => {
  const why = /its value would choose the algorithms that protect the connection/;
  for (const script of [
    'ssh -c {{x}} h true',
    'ssh -Cc{{x}} h true',
    'ssh h -c {{x}} true',
    'scp -c {{x}} a h:/b',
    'sftp -c {{x}} h',
    'ssh -o Ciphers={{x}} h true',
    'ssh -o "MACs {{x}}" h true',
    'ssh -oKexAlgorithms=+{{x}} h true',
    'scp -o HostKeyAlgorithms={{x}} a h:/b',
  ])
    assertScriptRefused(script, why);
  // Fixed algorithms, and -c in the remote command, stay accepted.
  assertScriptAccepted('ssh -c aes256-gcm@openssh.com h ./deploy.sh {{x}}');
  assertScriptAccepted('ssh h ./deploy.sh -c {{x}}');
});

test("ssh-copy-id is read as ssh: its host, user and -o options, the key file, and -t's remote path", () => {
  for (const [script, why] of [
    ['ssh-copy-id {{x}}', /is in the host ssh-copy-id installs the key on/],
    ['ssh-copy-id -i ~/.ssh/deploy.pub {{x}}@h', /is in the user ssh-copy-id logs in as/],
    ['ssh-copy-id -o ProxyCommand={{x}} h', /runs ProxyCommand through a shell/],
    ['ssh-copy-id -o "HostName {{x}}" h', /the host ssh-copy-id -o HostName connects to/],
    ['ssh-copy-id -i {{x}} h', /the local file ssh-copy-id -i/],
    ['ssh-copy-id -F {{x}} h', /the local file ssh-copy-id -F reads its options from/],
    ['ssh-copy-id -t {{x}} h', /ssh-copy-id pastes it into the script the remote host's shell runs/],
  ] as const)
    assertScriptRefused(script, why);
  assertScriptAccepted('ssh-copy-id -p {{x}} -i ~/.ssh/deploy.pub deploy@web-{{x}}.internal');
});
