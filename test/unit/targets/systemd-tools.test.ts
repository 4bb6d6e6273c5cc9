// Where systemd's tools act takes no template, as systemctl's -H/-M/--root/--image (systemd-tools.ts): -H/--host
// (another machine over ssh, with the runner's keys), -M/--machine (a container, or root@.host), --root/--image
// (the tree whose files are read or written), journalctl's and coredumpctl's -D/--directory and --file, busctl
// --address (unixexec:path= runs a program) and coredumpctl's debugger. Options are read as getopt_long reads them
// (any unique prefix, clusters, after operands); the option names and arities were checked against systemd 252's
// binaries (--NAME=x --bad), and machinectl's and coredumpctl's against their source.
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  checkedOnceRendered,
  CREDENTIAL,
  SOURCE,
} from '../../helpers/command-checks.ts';

test('the systemd tools acting over the bus: -H/--host and -M/--machine take no template', () => {
  for (const tool of [
    'busctl',
    'loginctl',
    'machinectl',
    'hostnamectl',
    'timedatectl',
    'localectl',
    'systemd-run',
    'systemd-analyze',
    'systemd-mount',
  ]) {
    for (const argv of [
      [tool, '-H', '{{x}}', 'status'],
      [tool, '--host={{x}}', 'status'],
      [tool, '--ho', 'deploy@{{x}}', 'status'],
    ])
      assertRefused(argv, new RegExp(`the host ${tool} (-H|--host) acts on over ssh`));
    for (const argv of [
      [tool, '-M', '{{x}}', 'status'],
      [tool, '--machine={{x}}', 'status'],
    ])
      assertRefused(argv, new RegExp(`the container or user ${tool} (-M|--machine) acts on`));
    // The host is ssh's destination: refused as ssh's is (who acts, where the keys go), -M as a source.
    assertRefused([tool, '-H', '{{x}}', 'status'], CREDENTIAL);
    assertRefused([tool, '-M', '{{x}}', 'status'], SOURCE);
    assertAccepted([tool, '-H', 'deploy@web1', 'status']);
  }
  // Clusters and options after operands, as getopt_long reads them.
  assertRefused(['loginctl', '-aH', '{{x}}', 'list-sessions'], /the host loginctl -H/);
  assertRefused(['loginctl', 'terminate-user', 'app', '-H{{x}}'], /the host loginctl -H/);
  assertRefused(['journalctl', '-u', 'app', '-M', '{{x}}'], /the container or user journalctl -M/);
  assertRefused(['systemd-cgls', '-M', '{{x}}'], /the container or user systemd-cgls -M/);
  assertRefused(['systemd-cgtop', '--mach={{x}}'], /the container or user systemd-cgtop --machine/);
  // systemd-run's options end at the program it runs: a -H there is the program's.
  assertAccepted(['systemd-run', '--wait', './deploy.sh', '-H', '{{x}}']);
  // A value taken by another option is not -H's: loginctl -p H, journalctl -n.
  assertAccepted(['loginctl', '-pH', 'show-user', '{{x}}']);
  assertAccepted(['journalctl', '-u', 'app', '-n', '{{x}}']);
});

test('the tree or disk image a systemd tool reads or writes, and the journal read, take no template', () => {
  for (const [argv, why] of [
    [
      ['journalctl', '--root={{x}}', '-u', 'app'],
      /journalctl --root, the directory tree whose journal it reads/,
    ],
    [['journalctl', '--image', '{{x}}'], /journalctl --image, the disk image whose journal it reads/],
    [['journalctl', '-D', '{{x}}', '-u', 'app'], /journalctl -D, the journal directory it reads/],
    [['journalctl', '--dir={{x}}'], /journalctl --directory, the journal directory it reads/],
    [['journalctl', '--file', '/var/log/{{x}}'], /journalctl --file, the journal files it reads/],
    // The namespace read: another service's logs, or "*": every namespace's.
    [
      ['journalctl', '--namespace', '{{x}}', '-u', 'app'],
      /the journal namespace journalctl --namespace reads/,
    ],
    [['journalctl', '--names=app-{{x}}'], /the journal namespace journalctl --namespace reads/],
    [['coredumpctl', '-D', '{{x}}', 'list'], /coredumpctl -D, the journal directory/],
    [['coredumpctl', '--root', '{{x}}', 'list'], /coredumpctl --root, the directory tree/],
    [
      ['systemd-analyze', '--root={{x}}', 'verify', 'app.service'],
      /systemd-analyze --root, the directory tree/,
    ],
  ] as const)
    assertRefused([...argv], new RegExp(`${why.source}[^]*${SOURCE.source}`));
  for (const [argv, why] of [
    [
      ['systemd-tmpfiles', '--root={{x}}', '--create'],
      /systemd-tmpfiles --root, the directory tree whose files/,
    ],
    [['systemd-sysusers', '--image', '{{x}}'], /systemd-sysusers --image, the disk image whose users/],
    [['systemd-firstboot', '--root', '{{x}}', '--hostname', 'web'], /systemd-firstboot --root/],
    [['systemd-sysext', '--root={{x}}', 'merge'], /systemd-sysext --root/],
    [['systemd-repart', '--root', '{{x}}', '/dev/vda'], /systemd-repart --root/],
    [['bootctl', '--image={{x}}', 'install'], /bootctl --image, the disk image whose boot loader/],
    [['bootctl', '--esp-path', '/boot/{{x}}', 'install'], /bootctl --esp-path, the partition/],
  ] as const)
    assertRefused([...argv], new RegExp(`${why.source}[^]*what runs is read from there`));
  // The units, lines and times shown stay data.
  assertAccepted(['journalctl', '-u', 'app-{{x}}.service', '--since', '{{x}}', '-n', '100']);
  assertAccepted(['systemd-firstboot', '--root', '/mnt', '--hostname', 'web-{{x}}']);
});

test('busctl --address and coredumpctl --debugger choose what runs', () => {
  assertRefused(
    ['busctl', '--address={{x}}', 'tree'],
    /busctl --address, the bus it connects to[^]*code that runs/,
  );
  assertRefused(['busctl', '--addr', '{{x}}', 'tree'], /busctl --address/);
  assertRefused(
    ['coredumpctl', '--debugger', '{{x}}', 'debug'],
    /coredumpctl --debugger runs[^]*which program runs/,
  );
  assertRefused(
    ['coredumpctl', '-A', '{{x}}', 'debug'],
    /coredumpctl -A, the arguments its debugger runs with/,
  );
  assertAccepted(['busctl', 'call', 'org.example.App', '/app', 'org.example.App', 'Deploy', 's', '{{x}}']);
});

test('machinectl shell/login take no template in the machine or user, pull-raw/pull-tar none in the URL', () => {
  for (const argv of [
    ['machinectl', 'shell', '{{x}}', '/bin/true'],
    ['machinectl', '-q', 'shell', 'deploy@{{x}}'],
    ['machinectl', 'login', '{{x}}'],
  ])
    assertRefused(argv, /the container and user machinectl (shell|login) runs a shell in/);
  assertRefused(
    ['machinectl', 'pull-raw', '{{x}}', 'app'],
    /the URL of the image machinectl pull-raw downloads/,
  );
  assertAccepted(['machinectl', 'shell', 'app', '/srv/deploy.sh', '{{x}}']);
});

test('portablectl: -H/-M, the image attach and reattach attach, --extension and --profile take no template', () => {
  assertRefused(['portablectl', '-H', '{{x}}', 'list'], /the host portablectl -H acts on over ssh/);
  assertRefused(
    ['portablectl', 'attach', '--now', '{{x}}'],
    /the portable image portablectl attach attaches/,
  );
  assertRefused(['portablectl', 'reattach', '/srv/images/{{x}}.raw'], /portablectl reattach attaches/);
  assertRefused(['portablectl', 'attach', '--extension={{x}}', 'app.raw'], /portablectl --extension/);
  assertRefused(['portablectl', 'attach', '-p', '{{x}}', 'app.raw'], /the profile portablectl -p gives/);
  assertAccepted(['portablectl', 'attach', '--now', '/srv/images/app.raw', 'app']);
});

test("-H's host follows ssh's rule: its user and whole host refused, a value in its first label checked once rendered", () => {
  for (const [argv, why] of [
    [['systemctl', '-H', '{{x}}@web1', 'restart', 'app'], /is in the user systemctl logs in as/],
    [['systemctl', '-H', 'web-{{x}}.com', 'restart', 'app'], /is in the host systemctl -H acts on over ssh/],
    [['systemctl', '-H', 'web1/{{x}}', 'restart', 'app'], /after its host \(a port, or \/CONTAINER/],
    [['busctl', '--host=web1:{{x}}', 'status'], /after its host/],
  ] as const)
    assertRefused([...argv], new RegExp(`${why.source}[^]*${CREDENTIAL.source}`));
  for (const argv of [
    ['systemctl', '-H', 'web-{{x}}.internal', 'restart', 'app'],
    ['systemctl', '--host=deploy@web-{{x}}.internal', 'restart', 'app'],
    ['systemctl', '--ho', 'web-{{x}}.internal:2222', 'restart', 'app'],
    ['loginctl', '-aHweb-{{x}}.internal', 'list-sessions'],
    ['machinectl', '-H', '{{x}}.example.com', 'list'],
  ])
    checkedOnceRendered(
      argv,
      ['evil.example', 'a@b', '-oProxyCommand=id', 'a b', ''],
      ['blue', 'web-1'],
      /acts on over ssh .*, which is .* once rendered: a value there must make one DNS-1123 label/,
    );
});
