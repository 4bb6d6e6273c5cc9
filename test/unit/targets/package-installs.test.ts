// An install runs code the package chose (install scripts, setup.py, a gem's extensions, a build script), and a
// package spec picks any package, a git repository, a URL or a path: a value as the spec, or as an option that
// picks where packages come from, is refused; a version appended to a fixed name (`app@{{version}}`,
// `app=={{version}}`) is accepted, and its value must be version-shaped when the command runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argvShellProblems,
  renderArgvCommand,
  renderShellScript,
} from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

const SPEC =
  /in the package (\w+ )+fetches, whose install or build scripts run \([^)]*\{\{x\}\}[^)]*\): its value would choose the package that is installed/;

const REFUSED: Array<[string[], RegExp]> = [
  [['npm', 'install', '{{x}}'], SPEC],
  [['npm', 'i', '-D', '{{x}}'], SPEC],
  [['npm', '--prefix', 'web', 'install', 'a', '{{x}}'], SPEC],
  [['npm', 'install', 'app@{{x}}-beta'], SPEC],
  [['npm', 'install', '{{x}}@1.0.0'], SPEC],
  [['pnpm', 'add', '{{x}}'], SPEC],
  [['yarn', 'add', '--dev', '{{x}}'], SPEC],
  [['bun', 'add', '{{x}}'], SPEC],
  [['pip', 'install', '{{x}}'], /\(pip install app==\{\{x\}\}\), which must then be a version/],
  [['pip3', 'install', '-U', '--user', '{{x}}'], SPEC],
  [['python3', '-m', 'pip', 'install', '{{x}}'], /in the package pip install fetches/],
  [['uv', 'pip', 'install', '{{x}}'], /in the package uv pip install fetches/],
  [['uv', 'add', '{{x}}'], SPEC],
  [['pipx', 'install', '{{x}}'], SPEC],
  [['gem', 'install', '{{x}}'], /\(gem install app:\{\{x\}\}\)/],
  [['go', 'install', '{{x}}'], /\(go install app@\{\{x\}\}\)/],
  [['go', 'install', 'example.com/{{x}}@latest'], SPEC],
  [['cargo', 'install', '{{x}}'], SPEC],
  [['sudo', 'npm', 'install', '-g', '{{x}}'], SPEC],
  // Where packages come from.
  [
    ['npm', 'install', '--registry', '{{x}}', 'app'],
    /the value of npm install --registry, which chooses where packages come from/,
  ],
  [['pip', 'install', '-r', '{{x}}'], /the value of pip install -r/],
  [['pip', 'install', '--index-url={{x}}', 'app'], /the value of pip install --index-url/],
  [['cargo', 'install', '--git', '{{x}}'], /the value of cargo install --git/],
  [['gem', 'install', 'app', '--source', '{{x}}'], /the value of gem install --source/],
  // A choosing option before the subcommand, whatever the subcommand.
  [['npm', '--registry', 'https://r.example', 'install', '{{x}}'], /in the package npm install fetches/],
  [['npm', '--userconfig', '{{x}}', 'run', 'deploy'], /the value of npm --userconfig/],
  // deno: a package, or a script run later (deno install -g URL).
  [['deno', 'install', '{{x}}'], /in the package deno install fetches/],
  [
    ['deno', 'install', '-g', '-A', '-n', 'app', 'https://x.example/{{x}}.ts'],
    /in the package deno install fetches/,
  ],
  [['deno', 'add', 'npm:{{x}}'], /in the package deno add fetches/],
  [['deno', 'install', '--import-map', '{{x}}', 'main.ts'], /the value of deno install --import-map/],
  // composer
  [['composer', 'require', '{{x}}'], /in the package composer require fetches/],
  [['composer', '-n', 'global', 'require', '{{x}}'], /in the package composer global require fetches/],
  [['composer', 'require', 'vendor/app:{{x}}@dev'], /in the package composer require fetches/],
  [['composer', 'create-project', '{{x}}', 'app'], /in the package composer create-project fetches/],
  // The system's package managers: maintainer scripts run as root.
  [['apt-get', 'install', '-y', '{{x}}'], /in the package apt-get install fetches/],
  [['apt', 'install', '{{x}}'], /in the package apt install fetches/],
  [['apt-get', 'install', 'app/{{x}}'], /in the package apt-get install fetches/],
  [['apt-get', 'install', '-t', '{{x}}', 'app'], /the value of apt-get install -t/],
  [['apt-get', '-o', 'APT::Update::Pre-Invoke::={{x}}', 'update'], /the value of apt-get -o/],
  [['apt-get', 'upgrade', '-oDPkg::Pre-Invoke::={{x}}'], /the value of apt-get upgrade -o/],
  [['yum', 'install', '-y', '{{x}}'], /in the package yum install fetches/],
  [['dnf', 'install', 'app-{{x}}'], /in the package dnf install fetches/],
  [['dnf', '--repofrompath=r,{{x}}', 'upgrade'], /the value of dnf --repofrompath/],
  [['apk', 'add', '--no-cache', '{{x}}'], /in the package apk add fetches/],
  [['apk', 'add', '-X', '{{x}}', 'app'], /the value of apk add -X/],
  [['brew', 'install', '{{x}}'], /in the package brew install fetches/],
  [['brew', 'install', 'app@{{x}}'], /in the package brew install fetches/],
  [['sudo', 'apt-get', 'install', '{{x}}'], /in the package apt-get install fetches/],
  // Flags that take no value, before and after the subcommand; an unknown option's value before it.
  [['apt-get', '-q', 'install', '{{x}}'], /in the package apt-get install fetches/],
  [['apt-get', 'install', '-q', '{{x}}'], /in the package apt-get install fetches/],
  [['zypper', 'install', '-d', '{{x}}'], /in the package zypper install fetches/],
  [['yum', '-d', '2', 'install', '{{x}}'], /in the package yum install fetches/],
];

const ACCEPTED: string[][] = [
  ['npm', 'install', 'app@{{x}}'],
  ['npm', 'install', '@scope/app@{{x}}'],
  ['pnpm', 'add', 'app@{{x}}'],
  ['pip', 'install', 'app=={{x}}'],
  ['python3', '-m', 'pip', 'install', '--user', 'app=={{x}}'],
  ['gem', 'install', 'app', '-v', '{{x}}'],
  ['gem', 'install', 'app:{{x}}'],
  ['go', 'install', 'example.com/cmd/app@{{x}}'],
  ['cargo', 'install', 'app@{{x}}'],
  ['cargo', 'install', 'app', '--version', '{{x}}'],
  ['npm', 'run', 'deploy', '--', '{{x}}'],
  ['npm', 'ci'],
  ['deno', 'add', 'jsr:@std/fs@{{x}}'],
  ['deno', 'install', '-g', '-A', '-n', 'app', 'https://x.example/app.ts', '{{x}}'],
  ['deno', 'run', '-A', 'deploy.ts', '{{x}}'],
  ['composer', 'require', 'vendor/app:{{x}}'],
  ['apt-get', 'install', '-y', 'app={{x}}'],
  ['apt-get', '-y', '-o', 'Dpkg::Options::=--force-confold', 'install', 'app={{x}}'],
  ['apk', 'add', '--no-cache', 'app={{x}}'],
  ['apt-get', 'update'],
  ['brew', 'install', 'app'],
  ['dnf', 'install', '-y', 'app', '--exclude', '{{x}}'],
];

test('a value that chooses the package an install fetches, or where from, is refused', () => {
  for (const [spec, message] of REFUSED) assertRefused(spec, message);
});

test('a version appended to a fixed package name is accepted at load', () => {
  for (const spec of ACCEPTED) assertAccepted(spec);
  assertScriptAccepted('V={{x}}; npm install "app@$V"');
});

test('the appended version must be version-shaped once rendered', () => {
  const refused = (render: () => unknown) =>
    assert.throws(render, (e: unknown) => e instanceof TemplateError && /is not a version/.test(e.message));
  for (const bad of ['npm:evil@1.0.0', 'latest', 'github:a/b', 'file:../x', '1.0 ; x', '../../x', '-1', ''])
    refused(() =>
      renderArgvCommand(['npm', 'install', 'app@{{x}}'], { x: bad }, (t) => t.replace('{{x}}', bad)),
    );
  refused(() => renderShellScript('pip install "app=={{x}}"', { x: '1.0 --index-url=http://x' }));
  refused(() => renderShellScript('V={{x}}; npm install "app@$V"', { x: 'npm:evil@1' }));
  refused(() => renderShellScript('apt-get install -y "app={{x}}"', { x: '1.0 other' }));
  refused(() => renderArgvCommand(['composer', 'require', 'vendor/app:{{x}}'], { x: 'dev-main' }, (t) => t));
  refused(() => renderArgvCommand(['apk', 'add', 'app={{x}}'], { x: '../x.apk' }, (t) => t));
  for (const good of ['1.2.3', 'v1.2.3', '1.2.3-beta.1+build.5', '2024.1'])
    assert.doesNotThrow(() => renderShellScript('npm install app@{{x}} && ./deploy.sh', { x: good }));
  // Debian and Ubuntu versions carry an epoch and tildes: Docker's own install docs pin docker-ce so.
  for (const good of ['5:24.0.7-1~ubuntu.22.04~jammy', '1:2.39.2-1.1', '2.4.57-2~deb12u1'])
    assert.doesNotThrow(() =>
      renderShellScript('apt-get install -y docker-ce={{x}} docker-ce-cli={{x}}', { x: good }),
    );
  for (const bad of ['npm:evil@1', ':1.0', '1:', '1:evil', 'a:1.0', '1:2:3/x'])
    refused(() => renderShellScript('apt-get install -y "app={{x}}"', { x: bad }));
});

test('a variable that is not the template alone cannot be checked as a version: write the template there', () => {
  assertScriptRefused(
    'read -r v <<< {{x}}; npm install "app@$v"',
    /the version of a package an install fetches, where a value must be one plain word/,
  );
});

test('the package file dpkg or rpm installs is refused a template: its maintainer scripts run as root', () => {
  const file = (tool: string) =>
    new RegExp(`in the package file ${tool} installs, whose maintainer scripts run as root`);
  assertRefused(['dpkg', '-i', '{{x}}'], file('dpkg'));
  assertRefused(['sudo', 'dpkg', '--install', '/tmp/app_{{x}}.deb'], file('dpkg'));
  assertRefused(['dpkg', '--root', '/srv', '-i', 'app-{{x}}.deb'], file('dpkg'));
  assertRefused(['rpm', '-Uvh', 'app-{{x}}.rpm'], file('rpm'));
  assertRefused(['rpm', '-i', '{{x}}'], file('rpm'));
  assertRefused(['rpm', '--upgrade', '--nodeps', '{{x}}'], file('rpm'));
  assertScriptRefused('curl -o a.deb https://x/a.deb && sudo dpkg -i "{{x}}"', file('dpkg'));
  // Queries install nothing.
  assertAccepted(['rpm', '-q', 'app-{{x}}']);
  assertAccepted(['dpkg', '-l', '{{x}}']);
  // The tree whose /bin/sh runs the maintainer scripts.
  assertRefused(
    ['dpkg', '-i', '--root', '{{x}}', 'app.deb'],
    /the value of dpkg --root, the tree whose programs run/,
  );
  assertRefused(['rpm', '-ivh', '--root', '{{x}}', 'app.rpm'], /the value of rpm --root/);
});

test('echo and printf run none of their words: an install they print is not checked', () => {
  for (const script of [
    'echo apt-get install app={{x}}',
    'echo "run: npm install app@{{x}}"',
    'printf "%s\\n" pip install app=={{x}}',
  ])
    assert.doesNotThrow(() => renderShellScript(script, { x: 'latest' }), script);
  assert.doesNotThrow(() =>
    renderArgvCommand(['echo', 'npm', 'install', 'app@{{x}}'], { x: 'latest' }, (t) => t),
  );
  for (const spec of [
    ['echo', 'apt-get', 'install', '{{x}}'],
    ['echo', 'sudo', 'dpkg', '-i', '{{x}}'],
    ['printf', '%s\n', 'npm', 'install', '{{x}}'],
  ])
    assertAccepted(spec);
  // The install itself, after the echo, is still checked.
  assertScriptRefused('echo installing; apt-get install -y {{x}}', /in the package apt-get install fetches/);
  assert.throws(
    () => renderShellScript('echo installing && apt-get install -y app={{x}}', { x: 'latest' }),
    /is not a version/,
  );
});

test("zypper's version after =, >= or <= is a pin like apt's; other specs stay refused", () => {
  assertAccepted(['zypper', 'install', 'app={{x}}']);
  assertAccepted(['zypper', '--non-interactive', 'in', 'app>={{x}}']);
  assertScriptAccepted("zypper -n install 'app<={{x}}'");
  assert.throws(
    () => renderArgvCommand(['zypper', 'install', 'app={{x}}'], { x: 'other' }, (t) => t),
    /is not a version/,
  );
  assert.doesNotThrow(() =>
    renderArgvCommand(['zypper', 'install', 'app={{x}}'], { x: '1.2.3-4.1' }, (t) => t),
  );
  assertRefused(['zypper', 'install', 'app-{{x}}'], /in the package zypper install fetches/);
  assertRefused(['zypper', 'install', '{{x}}=1'], /in the package zypper install fetches/);
  assertRefused(['dnf', 'install', 'app={{x}}'], /in the package dnf install fetches/);
});

test('the refusal says how to write the install acceptably for the tool at hand', () => {
  const says: Array<[string[], RegExp]> = [
    [['python3', '-m', 'pip', 'install', '{{x}}'], /version only \(python3 -m pip install app==\{\{x\}\}\)/],
    [['apt-get', 'install', '-y', '{{x}}'], /version only \(apt-get install -y app=\{\{x\}\}\)/],
    [['sudo', 'apk', 'add', '{{x}}'], /version only \(apk add app=\{\{x\}\}\)/],
    [['zypper', 'install', '{{x}}'], /version only \(zypper install app=\{\{x\}\}\)/],
    [['composer', 'require', '{{x}}'], /version only \(composer require vendor\/app:\{\{x\}\}\)/],
    [['deno', 'add', '{{x}}'], /version only \(deno add npm:app@\{\{x\}\}\)/],
    // No version syntax: the package and its version written out, or a command per environment.
    [
      ['dnf', 'install', '{{x}}'],
      /with its version written out, or write a command per environment.*dnf has no version syntax/,
    ],
    [['brew', 'install', 'app@{{x}}'], /brew has no version syntax a value could fill/],
    [
      ['dpkg', '-i', '{{x}}'],
      /name the file in the config \(dpkg -i \/srv\/packages\/app_1\.2\.3\.deb\).*apt-get install -y app=\{\{x\}\}/,
    ],
    [['rpm', '-Uvh', '{{x}}'], /name the file in the config \(rpm -Uvh/],
    // An option choosing where packages come from: its value in the config.
    [
      ['npm', 'install', '--registry', '{{x}}', 'app'],
      /where packages come from.*write that value in the config/,
    ],
  ];
  for (const [spec, message] of says) {
    assertRefused(spec, message);
    assert.doesNotMatch(argvShellProblems(spec).join('\n'), /version only \(app@/, JSON.stringify(spec));
  }
});

test("rpm's macros: a template in a macro's name, in one of rpm's own, or in --eval, --pipe or a macro file is refused at load; a body is checked once rendered", () => {
  for (const program of ['rpm', 'rpmbuild', 'rpmspec', 'rpmsign', 'mock']) {
    for (const [spec, message] of [
      [
        [program, '--define', '{{x}} 1', 'app.spec'],
        new RegExp(`"${program} --define" runs.*write the macro's name in the config`),
      ],
      [[program, '-D', 'a{{x}} 1', 'app.spec'], new RegExp(`"${program} --define" runs`)],
      [
        [program, '--define', '__os_install_post {{x}}', 'app.spec'],
        /--define __os_install_post" runs.*one of rpm's own macros/,
      ],
      [[program, '--define=_buildshell /bin/{{x}}', 'app.spec'], /--define _buildshell" runs/],
      [[program, '-D_topdir {{x}}', 'app.spec'], /--define _topdir" runs/],
      [[program, '--define', 'make_build {{x}}', 'app.spec'], /--define make_build" runs/],
      [[program, '--define', 'optflags -O2 {{x}}', 'app.spec'], /--define optflags" runs/],
      [[program, '--eval', '%{{{x}}}'], new RegExp(`"${program} --eval" runs`)],
      [[program, '-E', '%{version}-{{x}}'], new RegExp(`"${program} --eval" runs`)],
      [[program, '-qa', '--pipe', 'grep {{x}}'], new RegExp(`"${program} --pipe" runs`)],
      [
        [program, '--macros', 'macros/{{x}}', 'app.spec'],
        new RegExp(`the file ${program} loads and runs as code`),
      ],
      [[program, '--rcfile={{x}}', 'app.spec'], new RegExp(`the file ${program} loads and runs as code`)],
      [[program, '--load', '{{x}}', 'app.spec'], new RegExp(`the file ${program} loads and runs as code`)],
    ] as Array<[string[], RegExp]>)
      assertRefused(spec, message);
    for (const spec of [
      [program, '--define', 'version {{x}}', 'app.spec'],
      [program, '-D', 'release {{x}}', 'app.spec'],
      [program, '--define=gitsha {{x}}', 'app.spec'],
      [program, '-Dversion {{x}}', 'app.spec'],
    ])
      assertAccepted(spec);
  }
  // The spec rpmbuild builds (a tarball or source package holding one): its %build runs as a shell script.
  for (const spec of [
    ['rpmbuild', '-ba', '{{x}}.spec'],
    ['rpmbuild', '-bb', 'specs/{{x}}.spec'],
    ['rpmbuild', '-bs', '--target', 'x86_64', '{{x}}.spec'],
    ['rpmbuild', '--define', 'version 1', '-bb', '{{x}}.spec'],
    ['rpmbuild', '-tb', '{{x}}.tar.gz'],
    ['rpmbuild', '-ta', 'app-{{x}}.tar.gz'],
    ['rpmbuild', '-ts', '{{x}}.tgz'],
    ['rpmbuild', '--rebuild', '{{x}}.src.rpm'],
    ['rpmbuild', '--recompile', '/tmp/{{x}}.src.rpm'],
    ['rpmbuild', '-bb', '--', '{{x}}.spec'],
    ['rpmspec', '-P', '{{x}}.spec'],
  ])
    assertRefused(spec, /the file rpm(build|spec) loads and runs as code/);
  assertAccepted(['rpmbuild', '-bb', '--target', 'x86_64', '--define', 'version {{x}}', 'app.spec']);
  assertAccepted(['rpmbuild', '-bb', '--with', '{{x}}', 'app.spec']);
  assertScriptAccepted('V={{x}}; rpmbuild -bb --define "version $V" app.spec');
  assertScriptRefused('N={{x}}; rpmbuild -bb --define "$N 1" app.spec', /\$N .*"rpmbuild --define" runs/);
  // The body: rpm expands % in it (%(…) runs a command), and a space or a newline adds words or spec lines.
  const fails = (render: () => unknown, bad: string) =>
    assert.throws(
      render,
      (e: unknown) =>
        e instanceof TemplateError &&
        e.message.includes(
          `is in the body of an rpm macro definition (--define NAME BODY), and its value holds ${JSON.stringify(bad)}`,
        ),
      bad,
    );
  const argv = ['rpmbuild', '-bb', '--define', 'version {{x}}', 'app.spec'];
  const script = 'rpmbuild -bb --define "version {{x}}" app.spec';
  for (const [value, bad] of [
    ['%(id)', '%'],
    ['1.0 %{lua:os.execute("id")}', ' '],
    ['1\nRequires: evil', '\n'],
    ['1;id', ';'],
  ]) {
    fails(() => renderArgvCommand(argv, { x: value! }, (t) => t.replace('{{x}}', value!)), bad!);
    fails(() => renderShellScript(script, { x: value! }), bad!);
    fails(
      () => renderShellScript('V={{x}}; rpmbuild -bb --define "version $V" app.spec', { x: value! }),
      bad!,
    );
  }
  for (const good of ['1.2.3', '1.2.3~rc1', 'abc123', '20240101+git.abc']) {
    assert.doesNotThrow(() => renderArgvCommand(argv, { x: good }, (t) => t.replace('{{x}}', good)));
    assert.doesNotThrow(() => renderShellScript(script, { x: good }));
  }
  // A query's package stays data.
  assertAccepted(['rpm', '-q', 'app-{{x}}']);
});
