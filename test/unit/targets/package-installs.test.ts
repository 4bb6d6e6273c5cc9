// An install runs code the package chose (install scripts, setup.py, a gem's extensions, a build script), and a
// package spec picks any package, a git repository, a URL or a path: a value as the spec, or as an option that
// picks where packages come from, is refused; a version appended to a fixed name (`app@{{version}}`,
// `app=={{version}}`) is accepted, and its value must be version-shaped when the command runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
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
  [['pip', 'install', '{{x}}'], /\(app==\{\{x\}\}\), which must then be a version/],
  [['pip3', 'install', '-U', '--user', '{{x}}'], SPEC],
  [['python3', '-m', 'pip', 'install', '{{x}}'], /in the package pip install fetches/],
  [['uv', 'pip', 'install', '{{x}}'], /in the package uv pip install fetches/],
  [['uv', 'add', '{{x}}'], SPEC],
  [['pipx', 'install', '{{x}}'], SPEC],
  [['gem', 'install', '{{x}}'], /\(app:\{\{x\}\}\)/],
  [['go', 'install', '{{x}}'], /\(app@\{\{x\}\}\)/],
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
  for (const good of ['1.2.3', 'v1.2.3', '1.2.3-beta.1+build.5', '2024.1'])
    assert.doesNotThrow(() => renderShellScript('npm install app@{{x}} && ./deploy.sh', { x: good }));
});

test('a variable that is not the template alone cannot be checked as a version: write the template there', () => {
  assertScriptRefused(
    'read -r v <<< {{x}}; npm install "app@$v"',
    /the version of a package an install fetches, where a value must be one plain word/,
  );
});
