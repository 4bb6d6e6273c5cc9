// The refusal of a template choosing the file or directory a deploy or build tool reads says what that file is:
// ansible's playbook, inventory and modules ('playbook'), a container build's context, Dockerfile or bake file
// ('build'), and the compose, helmfile or skaffold file deployed ('deployed'), not a package.json project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvShellProblems } from '../../../src/targets/shell-script.ts';
import { assertRefused } from '../../helpers/command-checks.ts';

const PROJECT = /the project whose scripts, dependencies and build code run|package\.json/;

test('ansible: the playbook, inventory, vault password file and modules are refused as what ansible runs', () => {
  for (const argv of [
    ['ansible-playbook', '{{x}}'],
    ['ansible-playbook', '-i', '{{x}}', 'deploy.yml'],
    ['ansible-playbook', '--vault-password-file={{x}}', 'deploy.yml'],
    ['ansible-playbook', '-M', '{{x}}', 'deploy.yml'],
    ['ansible', '-i', '{{x}}', 'all', '-m', 'ping'],
  ]) {
    assertRefused(argv, /its value would choose the playbook, inventory or modules that run/);
    assert.doesNotMatch(argvShellProblems(argv).join('\n'), PROJECT, argv.join(' '));
  }
});

test("a container build's context, Dockerfile and bake file are refused as what is built", () => {
  for (const argv of [
    ['docker', 'build', '{{x}}'],
    ['docker', 'build', '-f', '{{x}}', '.'],
    ['docker', 'buildx', 'build', '--file={{x}}', '.'],
    ['podman', 'build', '-f', 'docker/{{x}}', '.'],
    ['docker', 'buildx', 'bake', '-f', '{{x}}'],
  ]) {
    assertRefused(argv, /its value would choose what is built \(the Dockerfile whose RUN steps run/);
    assert.doesNotMatch(argvShellProblems(argv).join('\n'), PROJECT, argv.join(' '));
  }
});

test('the compose, helmfile and skaffold file are refused as what is deployed', () => {
  for (const argv of [
    ['docker', 'compose', '-f', '{{x}}', 'up', '-d'],
    ['docker', 'compose', '--project-directory', '{{x}}', 'up'],
    ['docker-compose', '-f', '{{x}}', 'up'],
    ['helmfile', '-f', '{{x}}', 'apply'],
    ['helmfile', '--file={{x}}', 'sync'],
    ['skaffold', 'run', '-f', '{{x}}'],
  ]) {
    assertRefused(argv, /its value would choose what is deployed/);
    assert.doesNotMatch(argvShellProblems(argv).join('\n'), PROJECT, argv.join(' '));
  }
  assertRefused(
    ['docker', 'compose', '-f', '{{x}}', 'up'],
    /the value of docker compose -f, .*compose\.production\.yml/,
  );
});
