// Launchers that run the program given after their own options and operands (privilege droppers, package
// runners, sandboxes, session and display wrappers, busybox's applet, bash's coproc): a value where that
// program goes would choose what runs, so it is refused whatever it is; a value as an option's value, as the
// user operand, or as an argument of the program stays allowed. Each launcher's options follow its manual.
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

const REFUSED: Array<[string[], RegExp]> = [
  [['gosu', 'app', '{{x}}'], /the program gosu runs/],
  [['gosu', '{{env}}', '{{x}}', 'deploy'], /the program gosu runs \(\{\{x\}\}\)/],
  [['su-exec', 'app:app', '{{x}}'], /the program su-exec runs/],
  [['s6-setuidgid', 'app', '{{x}}'], /the program s6-setuidgid runs/],
  [['chpst', '-u', 'app', '-/', '/srv', '{{x}}'], /the program chpst runs/],
  [['chpst', '-v', '-uapp', '{{x}}'], /the program chpst runs/],
  [['setpriv', '--reuid=1000', '--regid', '1000', '--init-groups', '{{x}}'], /the program setpriv runs/],
  [['setpriv', '--nnp', '--', '{{x}}'], /the program setpriv runs/],
  [['pkexec', '--user', 'app', '{{x}}'], /the program pkexec runs/],
  [['busybox', '{{x}}', '-c', 'a'], /the program busybox runs/],
  [['dbus-run-session', '--config-file', 'x.conf', '--', '{{x}}'], /the program dbus-run-session runs/],
  [['dbus-run-session', '--dbus-daemon', '{{x}}', 'app'], /the program dbus-run-session --dbus-daemon runs/],
  [['xvfb-run', '-a', '-s', '-screen 0 1x1x8', '{{x}}'], /the program xvfb-run runs/],
  [['xvfb-run', '--server-num', '5', 'python3', '{{x}}'], /the file python3 loads and runs as code/],
  [['uvx', '{{x}}'], /the program uvx runs/],
  [['uvx', '--python', '3.12', '{{x}}', '--help'], /the program uvx runs/],
  [['uvx', '--from', '{{x}}', 'tool'], /the program uvx --from runs/],
  [['uvx', '--with={{x}}', 'tool'], /the program uvx --with runs/],
  [['uv', 'tool', 'run', '{{x}}'], /the program uv run runs/],
  [['pipx', 'run', '--spec', '{{x}}', 'tool'], /the program pipx --spec runs/],
  [['expect', '-c', 'spawn ssh {{x}}'], /inside the code "expect -c" runs.*\[lindex \$argv 0\]/],
  [['expect', '-f', '{{x}}'], /the file expect loads and runs as code/],
  [['expect', '{{x}}.exp'], /the file expect loads and runs as code/],
  // Through other wrappers.
  [['sudo', '-u', 'app', 'gosu', 'app', '{{x}}'], /the program gosu runs/],
  [['timeout', '10', 'xvfb-run', 'busybox', '{{x}}'], /the program busybox runs/],
];

const ACCEPTED: string[][] = [
  ['gosu', '{{env}}', './deploy.sh', '--', '{{x}}'],
  ['su-exec', 'app', './deploy.sh', '--', '{{x}}'],
  ['chpst', '-u', '{{env}}', './deploy.sh', '--', '{{x}}'],
  ['setpriv', '--reuid={{port}}', './deploy.sh', '--', '{{x}}'],
  ['pkexec', '--user', '{{env}}', './deploy.sh', '--', '{{x}}'],
  ['busybox', 'wget', '-O', 'out', '--', '{{x}}'],
  ['xvfb-run', '-a', './e2e.sh', '--', '{{x}}'],
  ['dbus-run-session', '--', './deploy.sh', '--', '{{x}}'],
  ['uvx', 'ruff', 'check', '--', '{{x}}'],
  ['expect', 'deploy.exp', '--', '{{x}}'],
];

test('a launcher with a value in the place of the program it runs is refused, naming the launcher', () => {
  for (const [spec, message] of REFUSED) assertRefused(spec, message);
});

test('a launcher whose program is fixed takes values as its options, its user and the program arguments', () => {
  for (const spec of ACCEPTED) assertAccepted(spec);
});

test("bash's coproc runs the command after it, or the compound command after its name", () => {
  assertScriptRefused('coproc {{x}}', /the program coproc runs|the word naming the program/);
  assertScriptRefused('coproc worker { {{x}} --now; }', /the word naming the program/);
  assertScriptRefused('coproc { "{{x}}"; }', /the word naming the program/);
  assertScriptRefused('coproc worker ( {{x}} )', /the word naming the program/);
  assertScriptAccepted('coproc worker { ./tail.sh -- {{x}}; }');
  assertScriptAccepted('coproc ./tail.sh -- {{x}}');
});

test('uv tool is a level of subcommands: a value there is refused, run and uvx after it run the program given', () => {
  assertRefused(['uv', 'tool', '{{x}}'], /the subcommand uv tool runs/);
  assertRefused(['uv', 'tool', '--quiet', '{{x}}', 'ruff'], /the subcommand uv tool runs/);
  assertRefused(['uv', 'tool', 'run', '{{x}}'], /the program uv run runs/);
  assertRefused(['uv', 'tool', 'uvx', '{{x}}'], /the program uv uvx runs/);
  assertAccepted(['uv', 'tool', 'run', 'ruff', 'check', '--', '{{x}}']);
  assertAccepted(['uv', 'tool', 'uvx', 'ruff', 'check', '--', '{{x}}']);
  assertAccepted(['uv', 'tool', 'list']);
});

test('a value never chooses the subcommand of a tool whose run subcommand runs the words after it', () => {
  // `uv {{x}} deploy.py` with the value `run` runs deploy.py; the same for poetry, pdm, hatch, pipx, bundle…
  for (const spec of [
    ['uv', '{{x}}'],
    ['uv', '{{x}}', 'deploy.py'],
    ['uv', '--directory', 'app', '{{x}}', 'deploy.py'],
    ['poetry', '{{x}}', 'deploy'],
    ['poetry', '-C', 'app', '{{x}}', 'deploy'],
    ['pipenv', '{{x}}', 'deploy'],
    ['pdm', '-p', 'app', '{{x}}', 'deploy'],
    ['hatch', '{{x}}', 'deploy'],
    ['rye', '{{x}}', 'deploy'],
    ['pixi', '{{x}}', 'deploy'],
    ['pipx', '{{x}}', 'deploy'],
    ['bundle', '{{x}}', 'cap'],
  ])
    assertRefused(spec, new RegExp(`the subcommand ${spec[0]} runs`));
  assertAccepted(['uv', 'run', 'deploy.py', '--', '{{x}}']);
  assertAccepted(['poetry', 'run', 'deploy', '--version', '{{x}}']);
  assertAccepted(['hatch', '-e', 'prod', 'run', 'deploy', '--', '{{x}}']);
  assertScriptAccepted('uv run deploy.py -- {{x}}');
});
