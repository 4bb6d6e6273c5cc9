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
