// Tools that run a command line on remote hosts (ansible -a, gcloud compute ssh --command, aws ssm send-command
// --parameters, az vm run-command --scripts, salt cmd.run) quote nothing for the remote side: a template there is
// refused, naming the tool and its option; a value as a host, a zone, an instance or a module's fixed argument
// elsewhere stays accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptRefused,
  checkedOnceRendered,
} from '../../helpers/command-checks.ts';

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
  // gcloud splits --ssh-flag into ssh options, attached (--ssh-flag=…) or apart.
  [
    ['gcloud', 'compute', 'ssh', 'vm', '--ssh-flag=-oProxyCommand={{x}}'],
    /"gcloud compute ssh --ssh-flag".*-oProxyCommand/,
  ],
  [['gcloud', 'compute', 'ssh', 'vm', '--ssh-flag', '-p {{x}}'], /"gcloud compute ssh --ssh-flag"/],
  [['gcloud', 'compute', 'ssh', 'vm', '--ssh-flag={{x}}'], /"gcloud compute ssh --ssh-flag"/],
  // aws --cli-input-json/yaml set every option of the operation, or name the file they come from.
  [
    ['aws', 'ssm', 'send-command', '--cli-input-json', '{"Parameters":{"commands":["{{x}}"]}}'],
    /"aws --cli-input-json".*sets any of the operation's options/,
  ],
  [['aws', 'ssm', 'send-command', '--cli-input-json=file://{{x}}'], /"aws --cli-input-json"/],
  [['aws', 'ecs', 'run-task', '--cli-input-yaml', 'file://{{x}}.yaml'], /"aws --cli-input-yaml"/],
  // salt: a compound call runs each function of the list; more functions that run code.
  [['salt', '*', 'test.ping,cmd.run', '', '{{x}}'], /"salt cmd.run"/],
  [['salt', '*', 'test.ping,{{x}}', '', 'ls'], /"salt FUNCTION"/],
  [['salt', '*', 'state.template_str', '{{x}}'], /"salt state.template_str"/],
  [['salt', '*', 'state.sls_id', 'deploy', '{{x}}'], /"salt state.sls_id"/],
  [['salt', '*', 'state.single', 'cmd.run', 'name={{x}}'], /"salt state.single"/],
  [['salt', '*', 'cmd.exec_code', 'python3', '{{x}}'], /"salt cmd.exec_code"/],
  [['salt', '*', 'cmd.run_bg', '{{x}}'], /"salt cmd.run_bg"/],
  [['salt', '*', 'cmd.powershell', '{{x}}'], /"salt cmd.powershell"/],
  [['salt', '*', 'cmd.retcode', '{{x}}'], /"salt cmd.retcode"/],
  [['salt', '*', 'publish.publish', '*', 'cmd.run', '{{x}}'], /"salt publish.publish"/],
  [['salt-call', 'state.apply', '{{x}}'], /"salt state.apply".*would choose the states that run/],
  // ansible: -a at the end of a cluster of flags, a unique prefix of --args, the module and its path.
  [['ansible', 'all', '-m', 'shell', '-ba', '{{x}}'], /"ansible -a"/],
  [['ansible', 'all', '-bKa{{x}}'], /"ansible -a"/],
  [['ansible', 'all', '-m', 'shell', '--arg', '{{x}}'], /"ansible -a"/],
  [['ansible', 'all', '--ar={{x}}'], /"ansible -a"/],
  [['ansible', 'all', '-m', '{{x}}', '-a', 'ls'], /"ansible -m".*would choose the module/],
  [['ansible', 'all', '--module-n={{x}}', '-a', 'ls'], /"ansible --module-name"/],
  [['ansible', 'all', '-M', '{{x}}', '-m', 'deploy'], /"ansible --module-path"|"ansible -M"/],
  // More tools that run a command line in a container or a cluster.
  [
    ['aws', 'ecs', 'execute-command', '--cluster', 'c', '--task', 't', '--interactive', '--command', '{{x}}'],
    /"aws ecs execute-command --command".*the container runs it/,
  ],
  [
    ['az', 'container', 'exec', '-g', 'rg', '-n', 'app', '--exec-command', './deploy.sh {{x}}'],
    /"az container exec --exec-command"/,
  ],
  [
    ['az', 'aks', 'command', 'invoke', '-g', 'rg', '-n', 'k8s', '--command', 'kubectl rollout restart {{x}}'],
    /"az aks command invoke --command"/,
  ],
  [['kubectl', 'debug', 'pod', '--image=busybox', '--', '{{x}}'], /the program kubectl debug runs/],
  // What a VM runs at boot: a value anywhere in gcloud's metadata list can add startup-script.
  [
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--metadata', 'version={{x}}'],
    /"gcloud compute --metadata".*startup-script/,
  ],
  [
    ['gcloud', 'compute', 'instances', 'add-metadata', 'vm', '--metadata-from-file=startup-script={{x}}'],
    /"gcloud compute --metadata-from-file"/,
  ],
  [['aws', 'ec2', 'run-instances', '--user-data', 'echo {{x}}'], /"aws ec2 run-instances --user-data"/],
  [['az', 'vm', 'create', '-n', 'vm', '--custom-data', '{{x}}'], /"az vm create --custom-data"/],
  // What a VM extension, a launch template or a scale set runs on the VMs.
  [
    [
      ...['az', 'vm', 'extension', 'set', '-g', 'rg', '--vm-name', 'vm', '--name', 'CustomScript'],
      ...['--publisher', 'Microsoft.Azure.Extensions', '--settings', '{"commandToExecute":"./d.sh {{x}}"}'],
    ],
    /"az vm extension set --settings".*commandToExecute/,
  ],
  [
    ['az', 'vmss', 'extension', 'set', '-n', 'CustomScript', '--protected-settings={"a":"{{x}}"}'],
    /"az vmss extension set --protected-settings"/,
  ],
  [
    ['aws', 'ec2', 'create-launch-template', '--launch-template-data', '{"UserData":"{{x}}"}'],
    /"aws ec2 create-launch-template --launch-template-data".*UserData/,
  ],
  [
    ['aws', 'ec2', 'create-launch-template-version', '--launch-template-data={"ImageId":"{{x}}"}'],
    /"aws ec2 create-launch-template-version --launch-template-data"/,
  ],
  [
    ['aws', 'ec2', 'modify-instance-attribute', '--instance-id', 'i', '--user-data', '{{x}}'],
    /"aws ec2 modify-instance-attribute --user-data"/,
  ],
  [['az', 'vmss', 'create', '-n', 's', '--custom-data', '{{x}}'], /"az vmss create --custom-data"/],
  [['az', 'vmss', 'update', '-n', 's', '--custom-data={{x}}'], /"az vmss update --custom-data"/],
  [['az', 'vm', 'update', '-n', 'vm', '--user-data', '{{x}}'], /"az vm update --user-data"/],
  // gcloud splits --scp-flag into scp options (-S runs a program); --container goes unquoted into the remote line.
  [['gcloud', 'compute', 'scp', '--scp-flag=-S{{x}}', 'a', 'vm:b'], /"gcloud compute scp --scp-flag".*-S/],
  [['gcloud', 'compute', 'scp', '--scp-flag', '-o {{x}}', 'a', 'vm:b'], /"gcloud compute scp --scp-flag"/],
  [['gcloud', 'compute', 'ssh', 'vm', '--container', '{{x}}'], /"gcloud compute ssh --container".*unquoted/],
  [['gcloud', 'compute', 'ssh', 'vm', '--container={{x}}'], /"gcloud compute ssh --container"/],
];

const ACCEPTED: string[][] = [
  ['ansible', '{{env}}', '-m', 'ping'],
  ['ansible-playbook', 'deploy.yml', '-l', '{{env}}'],
  ['gcloud', 'compute', 'ssh', 'vm-{{env}}', '--zone', '{{x}}', '--command', 'uptime'],
  ['aws', 'ssm', 'send-command', '--instance-ids', '{{x}}', '--document-name', 'Deploy'],
  ['az', 'vm', 'run-command', 'invoke', '-g', '{{env}}', '-n', 'vm', '--scripts', 'uptime'],
  ['salt', '{{env}}', 'test.ping'],
  ['salt', '*', 'pkg.version', '{{x}}'],
  ['salt', '*', 'test.ping,pkg.version', '', '{{x}}'],
  ['salt', '*', 'state.apply', 'deploy', 'pillar={"version": "{{x}}"}'],
  ['gcloud', 'compute', 'ssh', 'vm-{{env}}', '--ssh-flag=-vvv', '--zone={{x}}'],
  ['aws', 'ssm', 'send-command', '--cli-input-json', 'file://send.json', '--instance-ids', '{{x}}'],
  ['aws', 'ecs', 'execute-command', '--cluster', '{{env}}', '--task', '{{x}}', '--command', '/deploy.sh'],
  ['az', 'container', 'exec', '-g', 'rg', '-n', '{{x}}', '--exec-command', '/deploy.sh'],
  ['az', 'aks', 'command', 'invoke', '-g', '{{env}}', '-n', 'k8s', '--command', 'kubectl get pods'],
  ['ansible', '{{env}}', '-b', '-m', 'ping', '--limit', '{{x}}'],
  ['ansible', 'all', '-bK', '-e', 'version={{x}}', '-m', 'ping'],
  ['gcloud', 'compute', 'instances', 'create', 'vm-{{x}}', '--zone', '{{env}}', '--metadata', 'a=b'],
  [
    'aws',
    'ec2',
    'run-instances',
    '--image-id',
    'ami-0123',
    '--instance-type',
    '{{x}}',
    '--user-data',
    'file://boot.sh',
  ],
  ['az', 'vm', 'create', '-n', 'vm-{{x}}', '--custom-data', 'cloud-init.yml'],
  ['az', 'vm', 'extension', 'set', '--vm-name', '{{x}}', '-n', 'CustomScript', '--settings', '@s.json'],
  [
    'aws',
    'ec2',
    'create-launch-template',
    '--launch-template-name',
    't-{{x}}',
    '--launch-template-data',
    'file://t.json',
  ],
  ['az', 'vmss', 'update', '-n', '{{x}}', '--custom-data', 'cloud-init.yml'],
  ['gcloud', 'compute', 'scp', '--zone', '{{x}}', '--scp-flag=-C', 'a', 'vm:b'],
  ['gcloud', 'compute', 'ssh', 'vm-{{x}}', '--container', 'app'],
];

test('a value in the command a remote execution tool runs is refused, naming the tool and its option', () => {
  for (const [spec, message] of REFUSED) assertRefused(spec, message);
});

test('a value elsewhere in such a tool stays accepted', () => {
  for (const spec of ACCEPTED) assertAccepted(spec);
});

test("az's generic update: a template in a property path, or in the value of a property that is run, is refused; other values are checked as JSON once rendered", () => {
  const refused =
    /is inside the value of "az [^"]*--(set|add|remove)".*the path chooses which property of the resource is set/;
  for (const spec of [
    ['az', 'vm', 'update', '-g', 'rg', '-n', 'vm', '--set', 'userData={{x}}'],
    ['az', 'vm', 'update', '-g', 'rg', '-n', 'vm', '--set', 'osProfile.customData={{x}}'],
    ['az', 'vm', 'update', '-g', 'rg', '-n', 'vm', '--set', 'tags.a=1', 'UserData=x{{x}}'],
    [
      'az',
      'vmss',
      'update',
      '-g',
      'rg',
      '-n',
      's',
      '--set',
      'virtualMachineProfile.extensionProfile.extensions[0].settings.commandToExecute={{x}}',
    ],
    [
      'az',
      'vmss',
      'update',
      '-g',
      'rg',
      '-n',
      's',
      '--set',
      'virtualMachineProfile.extensionProfile.extensions[0].protectedSettings={{x}}',
    ],
    [
      'az',
      'containerapp',
      'update',
      '-g',
      'rg',
      '-n',
      'a',
      '--set',
      'properties.template.containers[0].command={{x}}',
    ],
    ['az', 'resource', 'update', '--ids', 'x', '--set', 'properties.siteConfig.appCommandLine={{x}}'],
    ['az', 'resource', 'update', '--ids', 'x', '--set=properties.startupCommand={{x}}'],
    ['az', 'vm', 'update', '-g', 'rg', '-n', 'vm', '--set', '{{x}}=1'],
    ['az', 'vm', 'update', '-g', 'rg', '-n', 'vm', '--set', 'tags.{{x}}=1'],
    [
      'az',
      'containerapp',
      'update',
      '-g',
      'rg',
      '-n',
      'a',
      '--add',
      'properties.template.containers[0].args',
      '{{x}}',
    ],
    ['az', 'resource', 'update', '--ids', 'x', '--add', 'properties.{{x}}', 'a'],
    ['az', 'resource', 'update', '--ids', 'x', '--add', 'properties.list', '{{x}}=1'],
    ['az', 'resource', 'update', '--ids', 'x', '--add', 'properties.list', 'script={{x}}'],
    ['az', 'resource', 'update', '--ids', 'x', '--remove', 'properties.{{x}}'],
  ])
    assertRefused(spec, refused);
  assertScriptRefused('P=userData; az vm update -g rg -n vm --set "$P={{x}}"', refused);
  assertRefused(
    ['az', 'webapp', 'config', 'set', '-g', 'rg', '-n', 'app', '--startup-file', '{{x}}'],
    /az config set --startup-file.*the app runs it as its startup command line/,
  );
  assertRefused(
    ['az', 'webapp', 'create', '-g', 'rg', '-n', 'app', '-p', 'plan', '--startup-file={{x}}'],
    /--startup-file/,
  );
  // A value of a data property stays accepted, and is checked once rendered: az parses it as JSON, and an
  // object or a list could add properties such as userData.
  const specs = [
    ['az', 'vm', 'update', '-g', 'rg', '-n', 'vm', '--set', 'tags.version={{x}}', 'tags.env=prod'],
    ['az', 'resource', 'update', '--ids', 'x', '--set', 'properties.osProfile={{x}}'],
    ['az', 'resource', 'update', '--ids', 'x', '--add', 'properties.list', '{{x}}'],
    ['az', 'resource', 'update', '--ids', 'x', '--add', 'properties.list', 'version={{x}}'],
  ];
  for (const spec of specs) {
    assertAccepted(spec);
    for (const bad of ['{"userData": "x"}', '{"a":1}', '[1,2]', 'a b'])
      assert.throws(
        () => renderArgvCommand(spec, { x: bad }, (t) => t.replaceAll('{{x}}', bad)),
        (e: unknown) =>
          e instanceof TemplateError &&
          /a value of az's --(set|add), which az parses as JSON/.test(e.message),
        `${JSON.stringify(spec)} with ${bad}`,
      );
    assert.doesNotThrow(() => renderArgvCommand(spec, { x: '1.2.3' }, (t) => t.replaceAll('{{x}}', '1.2.3')));
  }
  assert.throws(
    () => renderShellScript('az vm update -g rg -n vm --set tags.version={{x}}', { x: '{"userData":"x"}' }),
    TemplateError,
  );
});

test('fly: the command a machine runs (ssh console -C, machine exec, update -C/--entrypoint, clone --override-cmd) is refused; the app, machine and region accepted', () => {
  for (const [spec, message] of [
    [
      ['fly', 'ssh', 'console', '-a', 'app', '-C', 'echo {{x}}'],
      /"fly ssh console -C", a command that is run/,
    ],
    [['flyctl', 'ssh', 'console', '--command', '{{x}}'], /"flyctl ssh console --command"/],
    [['fly', 'ssh', 'console', '--command=./deploy.sh {{x}}'], /"fly ssh console --command"/],
    [['fly', 'ssh', 'console', '-C{{x}}'], /"fly ssh console -C"/],
    [['fly', 'console', '-C', 'bin/rails {{x}}'], /"fly console -C"/],
    [['fly', 'console', '--entrypoint', '{{x}}'], /"fly console --entrypoint".*fly splits it/],
    [['fly', 'machine', 'exec', '148e', 'ls {{x}}'], /"fly machine exec COMMAND"/],
    [['fly', 'machine', 'exec', '{{x}}'], /"fly machine exec COMMAND"/],
    [['fly', 'm', 'exec', '-a', 'app', '--timeout', '30', '148e', '{{x}}'], /"fly m exec COMMAND"/],
    [['fly', 'machine', 'update', '148e', '-C', 'app serve {{x}}'], /"fly machine update -C".*fly splits it/],
    [['fly', 'machines', 'update', '148e', '--command={{x}}'], /"fly machines update --command"/],
    [['fly', 'machine', 'update', '148e', '--entrypoint', '{{x}} -c'], /"fly machine update --entrypoint"/],
    [
      ['fly', 'machine', 'run', 'registry.fly.io/app:1', '--shell', '--command', '{{x}}'],
      /"fly machine run --command"/,
    ],
    [['fly', 'machine', 'clone', '148e', '--override-cmd', '{{x}}'], /"fly machine clone --override-cmd"/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const spec of [
    ['fly', 'ssh', 'console', '-a', 'app-{{x}}', '-r', '{{x}}', '--machine', '{{x}}', '-C', 'uptime'],
    ['fly', 'machine', 'exec', '{{x}}', 'ls /app'],
    ['fly', 'machine', 'exec', '-a', 'app-{{x}}', '148e', 'uptime'],
    ['fly', 'machine', 'update', '{{x}}', '-C', 'app serve', '--vm-memory', '512'],
    ['fly', 'machine', 'clone', '{{x}}', '--region', '{{x}}'],
    ['fly', 'status', '-a', 'app-{{x}}'],
  ])
    assertAccepted(spec);
});

test('heroku run: the command the dyno runs is refused in any word (heroku joins them into a line its shell runs); the app and dyno size accepted', () => {
  for (const argv of [
    ['heroku', 'run', '{{x}}'],
    ['heroku', 'run', '-a', 'app', 'echo {{x}}'],
    ['heroku', 'run', '-a', 'app', './deploy.sh', '{{x}}'],
    ['heroku', 'run', '-s', 'standard-2x', '--', './deploy.sh', '-a', '{{x}}'],
    ['heroku', 'run:detached', '-a', 'app', './migrate.sh', '{{x}}'],
    ['heroku', 'run:inside', 'web.1', './x', '{{x}}'],
  ])
    assertRefused(
      argv,
      /is inside the value of "heroku run(:detached|:inside)? COMMAND", a command that is run: heroku joins its words/,
    );
  for (const argv of [
    ['heroku', 'run', '-a', 'app-{{x}}', '-s', 'standard-2x', './migrate.sh'],
    ['heroku', 'run:inside', 'web.{{x}}', './x'],
    ['heroku', 'ps', '-a', '{{x}}'],
  ])
    assertAccepted(argv);
});

test("mosh: its host is ssh's, and what it runs takes no template (--ssh, --server, --client, the remote program)", () => {
  for (const [argv, why] of [
    [['mosh', '{{x}}'], /is in the host mosh logs in to/],
    [['mosh', 'deploy@{{x}}', './deploy.sh'], /is in the host mosh logs in to/],
    [['mosh', '{{x}}@h'], /is in the user mosh logs in as/],
    [['mosh', '--ssh=ssh -p {{x}}', 'h'], /mosh splits it into the command it reaches the host with/],
    [['mosh', '--ssh', '{{x}}', 'h'], /mosh splits it into the command it reaches the host with/],
    [['mosh', '--serv={{x}}', 'h'], /the remote host's shell runs it as the command that starts mosh-server/],
    [['mosh', '--client', '{{x}}', 'h'], /mosh runs it as its client program here/],
    [['mosh', 'h', '{{x}}'], /mosh-server runs its first word as the program on the host/],
    [['mosh', 'h', '--', '{{x}}', 'a'], /mosh-server runs its first word as the program on the host/],
    [['mosh', 'h', 'sh', '--ssh={{x}}'], /mosh splits it into the command it reaches the host with/],
  ] as const)
    assertRefused([...argv], why);
  // The program's arguments (quoted for the remote shell by mosh) and the port are data; a value in the host's
  // first label is checked once rendered.
  assertAccepted(['mosh', '-p', '{{x}}', 'deploy@web1', '--', './deploy.sh', '{{x}}']);
  checkedOnceRendered(
    ['mosh', 'deploy@web-{{x}}.internal', './deploy.sh'],
    ['evil.example', 'a@b', 'a b'],
    ['blue', 'web-1'],
    /must make one DNS-1123 label/,
  );
});
