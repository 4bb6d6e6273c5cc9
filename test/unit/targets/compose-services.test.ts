// A compose command's services (docker compose build/up/pull/push/… SERVICE…, run/exec SERVICE …) are services of
// the compose file written in the config, by their names: a value there is accepted and checked once rendered to
// be one plain name, not refused as a build context (compose-services.ts).
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  checkedOnceRendered,
  scriptCheckedOnceRendered,
} from '../../helpers/command-checks.ts';

const SERVICE =
  /is in the service (docker compose|docker-compose|podman compose) [a-z]+ names \(a service of the compose file, by its name\), which is .* once rendered: a value there must make one plain name/;
const BAD = ['a b', '-x', '--build-arg=X=1', 'a/b', '.a', 'a:b', ''];
const GOOD = ['web', 'api_2', 'worker.v2'];

test('the services of docker compose build, up, pull, push, run and exec are checked once rendered', () => {
  for (const argv of [
    ['docker', 'compose', 'build', '{{x}}'],
    ['docker', 'compose', 'build', '--no-cache', 'api', '{{x}}'],
    ['docker-compose', 'build', '{{x}}'],
    ['docker', 'compose', '-f', 'compose.yml', 'up', '-d', '{{x}}'],
    ['docker', 'compose', 'up', '--scale', 'web=2', '{{x}}'],
    ['docker', 'compose', 'pull', '{{x}}'],
    ['docker', 'compose', 'push', '{{x}}'],
    ['docker', 'compose', 'run', '--rm', '{{x}}', './migrate'],
    ['docker', 'compose', 'exec', '-T', '{{x}}', 'true'],
    ['docker-compose', 'up', '-d', '{{x}}'],
    ['podman', 'compose', 'up', '{{x}}'],
  ])
    checkedOnceRendered(argv, BAD, GOOD, SERVICE);
  checkedOnceRendered(['docker', 'compose', 'up', '-d', 'app-{{x}}'], ['a b', 'a/b'], ['web', '-x'], SERVICE);
  scriptCheckedOnceRendered('docker compose up -d "{{x}}"', [['a b', SERVICE]], GOOD);
});

test("docker compose build's operand is a service, not a build context; its options keep their rules", () => {
  // The values of its options are not services: data, or refused by their own rules.
  assertAccepted(['docker', 'compose', 'build', '--build-arg', 'V={{x}}', 'app']);
  assertAccepted(['docker', 'compose', 'up', '--scale', 'web={{x}}']);
  assertRefused(['docker', 'compose', 'build', '--builder', '{{x}}'], /docker compose build --builder/);
  assertRefused(['docker', 'compose', '-f', '{{x}}', 'build', 'app'], /the value of docker compose -f/);
  // docker build's operand stays its context.
  assertRefused(['docker', 'build', '{{x}}'], /the build context docker build runs the Dockerfile of/);
});

test("compose's -f is its file before the subcommand only: logs -f is --follow and rm -f --force, whose operand is a service", () => {
  // Global options come before the subcommand (compose reads none after it): there -f is the subcommand's own.
  for (const argv of [
    ['docker', 'compose', 'logs', '-f', '{{x}}'],
    ['docker', 'compose', 'logs', '--follow', '{{x}}'],
    ['docker', 'compose', 'logs', '-t', '-f', '--tail', '100', '{{x}}'],
    ['docker', 'compose', 'rm', '-f', '{{x}}'],
    ['docker', 'compose', 'rm', '--force', '{{x}}'],
    ['docker', 'compose', 'rm', '-fsv', '{{x}}'],
    // A letter is the subcommand's: logs -t is --timestamps, stop -t --timeout (which takes the 10).
    ['docker', 'compose', 'logs', '-t', '{{x}}'],
    ['docker', 'compose', 'stop', '-t', '10', '{{x}}'],
    ['docker', 'compose', '-f', 'compose.yml', '-p', 'app', 'logs', '-f', '{{x}}'],
    ['docker', 'compose', '--env-file', '.env', '--profile', 'web', 'rm', '-f', '{{x}}'],
    ['docker-compose', 'logs', '-f', '{{x}}'],
    ['docker-compose', '-f', 'compose.yml', 'rm', '-f', '{{x}}'],
    ['podman', 'compose', 'logs', '-f', '{{x}}'],
  ])
    // A value that would be an option there (--no-color, -f) is refused when the command runs.
    checkedOnceRendered(argv, [...BAD, '--no-color', '-f', '--file=evil.yml'], GOOD, SERVICE);
  assertAccepted(['nerdctl', 'compose', 'logs', '-f', '{{x}}']);
  scriptCheckedOnceRendered('docker compose logs -f "{{x}}"', [['--no-color', SERVICE]], GOOD);
});

test("compose's own -f, --file and --project-directory before its subcommand stay refused, however written", () => {
  const FILE = /the value of (docker compose|docker-compose|podman compose) (-f|--file|--project-directory)/;
  for (const argv of [
    ['docker', 'compose', '-f', '{{x}}', 'logs', '-f', 'web'],
    ['docker', 'compose', '--file', '{{x}}', 'rm', '-f', 'web'],
    ['docker', 'compose', '--file=compose.{{x}}.yml', 'logs', 'web'],
    ['docker', 'compose', '-fcompose.{{x}}.yml', 'logs', 'web'],
    ['docker', 'compose', '--project-directory', '{{x}}', 'logs', '-f', 'web'],
    ['docker', 'compose', '-p', 'app', '--env-file', '.env', '-f', '{{x}}', 'up', '-d'],
    // -p's value is a word that names a subcommand: still -p's value.
    ['docker', 'compose', '-p', 'logs', '-f', '{{x}}', 'up'],
    // After an option not known here, whose value the next word may be, the subcommand is not taken to begin.
    ['docker', 'compose', '--some-option', 'value', '-f', '{{x}}', 'up'],
    ['docker-compose', '-f', '{{x}}', 'logs', '-f', 'web'],
    ['docker-compose', '--log-level', 'debug', '-f', '{{x}}', 'rm', '-f', 'web'],
    ['podman', 'compose', '-f', '{{x}}', 'logs', '-f', 'web'],
  ])
    assertRefused(argv, FILE);
});

test("docker compose watch is compose's subcommand, whose operands are services, not the program watch (sh -c)", () => {
  for (const argv of [
    ['docker', 'compose', 'watch', '{{x}}'],
    ['docker', 'compose', 'watch', '--no-up', '{{x}}'],
    ['docker', '--context', 'ci', 'compose', '-f', 'compose.yml', 'watch', '{{x}}'],
    ['docker-compose', 'watch', '{{x}}'],
  ])
    checkedOnceRendered(argv, BAD, GOOD, SERVICE);
  // The program watch, in the container or after a word compose does not read as its subcommand, still is.
  const WATCH = /inside the command "watch" hands to a shell/;
  assertRefused(['docker', 'compose', 'exec', 'web', 'watch', '{{x}}'], WATCH);
  assertRefused(['docker', 'compose', 'run', '--rm', 'web', 'watch', '{{x}}'], WATCH);
  assertRefused(['docker', 'compose', '-p', 'watch', 'up', 'watch', '{{x}}'], WATCH);
  assertRefused(['sudo', 'watch', '{{x}}'], WATCH);
});

test("compose's other subcommands naming services (config, images, events, stats, wait, volumes, port, attach, export, commit) check them too", () => {
  for (const argv of [
    ['docker', 'compose', 'config', '{{x}}'],
    ['docker', 'compose', 'config', '--services', '--no-interpolate', '{{x}}'],
    ['docker', 'compose', 'images', '-q', '{{x}}'],
    ['docker', 'compose', 'events', '--json', '{{x}}'],
    ['docker', 'compose', 'stats', '--no-stream', '{{x}}'],
    ['docker', 'compose', 'wait', '--down-project', '{{x}}'],
    ['docker', 'compose', 'volumes', '{{x}}'],
    ['docker', 'compose', 'port', '{{x}}', '80'],
    ['docker', 'compose', 'port', '--protocol', 'udp', '{{x}}', '53'],
    ['docker', 'compose', 'attach', '--no-stdin', '{{x}}'],
    ['docker', 'compose', 'export', '{{x}}'],
    ['docker', 'compose', 'commit', '-p', '{{x}}', 'app:snapshot'],
    ['docker-compose', 'images', '{{x}}'],
    ['podman', 'compose', 'port', '{{x}}', '80'],
  ])
    checkedOnceRendered(argv, BAD, GOOD, SERVICE);
  // Only the first operand of port is a service: the port after it is not one.
  checkedOnceRendered(['docker', 'compose', 'port', 'web', '{{x}}'], [], ['80', '8080/tcp'], SERVICE);
});

test("a container runner's Go template (--format, inspect -f) takes no template: code in Go's template language", () => {
  const GO = /is inside the code "[a-z -]+ (--format|-f)" runs: .*a Go template chooses what/;
  for (const argv of [
    ['docker', 'compose', 'ps', '--format', '{{x}}'],
    ['docker', 'compose', '-p', 'app', 'ps', '--format={{x}}'],
    ['docker', 'compose', 'images', '--format', 'table {{.ID}} {{x}}'],
    ['docker', 'compose', 'stats', '--no-stream', '--format', '{{x}}'],
    ['docker-compose', 'ps', '--format', '{{x}}'],
    ['podman', 'compose', 'ps', '--format', '{{x}}'],
    ['docker', 'ps', '--format', '{{x}}'],
    ['docker', 'inspect', '-f', '{{x}}', 'web'],
    ['docker', 'container', 'inspect', '-f{{x}}', 'web'],
    ['docker', 'buildx', 'imagetools', 'inspect', '--format', '{{x}}', 'app:1'],
    ['podman', 'ps', '--format={{x}}'],
    ['nerdctl', 'images', '--format', '{{x}}'],
  ])
    assertRefused(argv, GO);
  // A Go template written in the config, and a container's own command's --format, stay accepted.
  assertAccepted(['docker', 'compose', 'ps', '--format', '{{.Name}} {{.State}}']);
  assertAccepted(['docker', 'inspect', '-f', '{{.State.Health.Status}}', 'web-{{x}}']);
  assertAccepted(['docker', 'ps', '--filter', 'name={{x}}', '--format', '{{.ID}}']);
  assertAccepted(['docker', 'run', '--rm', 'alpine:3', 'date', '--format', '{{x}}']);
  assertAccepted(['docker', 'compose', 'exec', 'web', 'tool', '--format', '{{x}}']);
});

test('docker compose config -o and export -o write a file: the file rule', () => {
  const WRITE =
    /in the name of the local file (docker compose|docker-compose|podman compose) (config|export) -o writes/;
  assertRefused(['docker', 'compose', 'config', '-o', '{{x}}'], WRITE);
  assertRefused(['docker', 'compose', '-f', 'compose.yml', 'config', '--output={{x}}'], WRITE);
  assertRefused(['docker-compose', 'config', '-o', '{{x}}'], WRITE);
  assertRefused(['podman', 'compose', 'config', '-o', '{{x}}'], WRITE);
  assertRefused(['docker', 'compose', 'export', '-o', '{{x}}', 'web'], WRITE);
  assertAccepted(['docker', 'compose', 'config', '-o', 'dist/compose.yml']);
  assertAccepted(['docker', 'compose', 'config', '--format', 'json', '{{x}}']);
});

test('the image docker compose commit writes and the repository compose publish pushes take the image rule', () => {
  const IMAGE =
    /is in the image (docker compose|docker-compose) (commit names|publish pushes), where the value would be the whole image or the start of its name/;
  for (const argv of [
    ['docker', 'compose', 'commit', 'web', '{{x}}'],
    ['docker', 'compose', 'commit', '-p', '-m', 'snapshot', 'web', '{{x}}/app'],
    ['docker', 'compose', 'commit', '--index', '1', 'web', '{{x}}:v1'],
    ['docker', 'compose', 'publish', '{{x}}'],
    ['docker', 'compose', '-f', 'compose.yml', 'publish', '-y', '--with-env', '{{x}}'],
    ['docker', 'compose', 'publish', '--oci-version', '1.1', '{{x}}/stack:latest'],
    ['docker-compose', 'publish', '{{x}}'],
  ])
    assertRefused(argv, IMAGE);
  // The tag is checked once rendered, as docker commit's and docker push's; what commit -c applies is a program.
  const TAG = /is in the tag of the image docker compose (commit names|publish pushes)/;
  checkedOnceRendered(
    ['docker', 'compose', 'commit', 'web', 'reg.example.com/app:{{x}}'],
    ['a/b', 'x@sha256:1'],
    ['v1.2'],
    TAG,
  );
  checkedOnceRendered(
    ['docker', 'compose', 'publish', 'reg.example.com/stack:{{x}}'],
    ['a/b'],
    ['v1.2'],
    TAG,
  );
  assertRefused(
    ['docker', 'compose', 'commit', '-c', 'CMD {{x}}', 'web', 'app:v1'],
    /docker compose commit -c sets/,
  );
  assertAccepted(['docker', 'compose', 'commit', '-m', 'deploy {{x}}', 'web', 'app:v1']);
});
