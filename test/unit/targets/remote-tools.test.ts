// Tools that run a command line on remote hosts (ansible -a, gcloud compute ssh --command, aws ssm send-command
// --parameters, az vm run-command --scripts, salt cmd.run) quote nothing for the remote side: a template there is
// refused, naming the tool and its option; a value as a host, a zone, an instance or a module's fixed argument
// elsewhere stays accepted.
import { test } from 'node:test';
import { assertAccepted, assertRefused } from '../../helpers/command-checks.ts';

const REFUSED: Array<[string[], RegExp]> = [
  [
    ['ansible', 'all', '-a', '{{x}}'],
    /\{\{x\}\}( \(character \d+\))? is inside the value of "ansible -a", a command that is run/,
  ],
  [['ansible', 'web', '-m', 'shell', '-a', 'deploy {{x}}'], /"ansible -a"/],
  [['ansible', 'web', '-m', 'copy', '--args=src=a dest=/srv/{{x}}'], /"ansible -a"/],
  [['ansible', 'web', '-a{{x}}'], /"ansible -a"/],
  [
    ['gcloud', 'compute', 'ssh', 'vm', '--command', '{{x}}'],
    /"gcloud compute ssh --command".*the remote shell runs it/,
  ],
  [['gcloud', 'compute', 'ssh', 'vm', '--command=./deploy.sh {{x}}'], /"gcloud compute ssh --command"/],
  [['gcloud', 'compute', 'ssh', 'vm', '--', './deploy.sh', '{{x}}'], /"gcloud compute ssh --"/],
  [
    ['aws', 'ssm', 'send-command', '--document-name', 'AWS-RunShellScript', '--parameters', 'commands={{x}}'],
    /"aws ssm send-command --parameters"/,
  ],
  [
    ['aws', 'ssm', 'send-command', '--parameters={"commands":["deploy {{x}}"]}'],
    /"aws ssm send-command --parameters"/,
  ],
  [
    [
      'az',
      'vm',
      'run-command',
      'invoke',
      '-g',
      'rg',
      '-n',
      'vm',
      '--command-id',
      'RunShellScript',
      '--scripts',
      'cd /srv',
      './deploy.sh {{x}}',
    ],
    /"az vm run-command --scripts"/,
  ],
  [['salt', '*', 'cmd.run', '{{x}}'], /"salt cmd.run".*the minions run it/],
  [['salt', '-G', 'os:Ubuntu', 'cmd.run', 'deploy {{x}}'], /"salt cmd.run"/],
  [['salt', '-t', '30', '*', 'cmd.script', 'salt://deploy.sh', 'args={{x}}'], /"salt cmd.script"/],
  [['salt-call', 'cmd.shell', '{{x}}'], /"salt cmd.shell"/],
  [['salt', '*', '{{x}}', 'ls'], /"salt FUNCTION".*would choose the execution function/],
];

const ACCEPTED: string[][] = [
  ['ansible', '{{env}}', '-m', 'ping'],
  ['ansible-playbook', 'deploy.yml', '-l', '{{env}}'],
  ['gcloud', 'compute', 'ssh', 'vm-{{env}}', '--zone', '{{x}}', '--command', 'uptime'],
  ['aws', 'ssm', 'send-command', '--instance-ids', '{{x}}', '--document-name', 'Deploy'],
  ['az', 'vm', 'run-command', 'invoke', '-g', '{{env}}', '-n', 'vm', '--scripts', 'uptime'],
  ['salt', '{{env}}', 'test.ping'],
  ['salt', '*', 'pkg.version', '{{x}}'],
];

test('a value in the command a remote execution tool runs is refused, naming the tool and its option', () => {
  for (const [spec, message] of REFUSED) assertRefused(spec, message);
});

test('a value elsewhere in such a tool stays accepted', () => {
  for (const spec of ACCEPTED) assertAccepted(spec);
});
