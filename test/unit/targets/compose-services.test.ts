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
