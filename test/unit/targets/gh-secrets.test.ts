// gh secret set NAME: the secret's name is a name (gh checks it), its value what the config gives (stdin,
// --body: the value a user templates there is what they store). Where it goes is not: -R/--repo, -o/--org and
// -r/--repos choose the repositories whose workflows read the secret, and a value there would hand it to one
// of its choosing (credential-options.ts). -f/--env-file reads a local file (the file rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccepted,
  assertRefused,
  checkedOnceRendered,
  renderArgv,
} from '../../helpers/command-checks.ts';

test("gh secret set: the secret's name and its body are accepted, the name checked once rendered as an argument", () => {
  for (const argv of [
    ['gh', 'secret', 'set', '{{x}}', '--body', 'fixed'],
    ['gh', 'secret', 'set', 'DEPLOY_{{x}}'],
    ['gh', 'secret', 'set', 'DEPLOY_TOKEN', '--body', '{{x}}'],
    ['gh', 'secret', 'set', 'DEPLOY_TOKEN', '-b{{x}}', '--env', '{{x}}'],
    ['gh', 'secret', 'set', 'DEPLOY_TOKEN', '-R', 'org/app', '--body', '{{x}}'],
    ['gh', 'secret', 'list', '-R', '{{x}}'],
  ])
    assertAccepted(argv);
  // A name that would be read as an option (--env-file=…, -f…: a file read and stored) fails when rendered.
  for (const value of ['--env-file=/proc/self/environ', '-f/proc/self/environ'])
    assert.throws(() => renderArgv(['gh', 'secret', 'set', '{{x}}'], value), /starts with "-"/);
  assert.doesNotThrow(() => renderArgv(['gh', 'secret', 'set', '{{x}}'], 'DEPLOY_KEY'));
});

test('gh secret set: the repository, organization or repositories it goes to take no template', () => {
  const WHERE =
    /is in the (repository|organization|repositories) gh secret set (stores the secret in|shares the secret with), whose workflows read it .*: its value would choose who gh acts as or where it sends its credentials/;
  for (const argv of [
    ['gh', 'secret', 'set', 'TOKEN', '--repo', '{{x}}', '--body', 'v'],
    ['gh', 'secret', 'set', 'TOKEN', '-R', 'org/{{x}}'],
    ['gh', 'secret', 'set', 'TOKEN', '-Rorg/{{x}}'],
    ['gh', 'secret', 'set', 'TOKEN', '--org={{x}}', '--visibility', 'all'],
    ['gh', 'secret', 'set', 'TOKEN', '-o', '{{x}}'],
    ['gh', 'secret', 'set', 'TOKEN', '--org', 'org', '--repos', 'app,{{x}}'],
    ['gh', '-R', '{{x}}', 'secret', 'set', 'TOKEN'],
  ])
    assertRefused(argv, WHERE);
});

test('gh secret set -f/--env-file reads a local file: the file rule', () => {
  const FILE = /the local file gh secret set --env-file reads and sends/;
  assertRefused(['gh', 'secret', 'set', '-f', '{{x}}'], FILE);
  assertRefused(['gh', 'secret', 'set', '--env-file={{x}}'], FILE);
  checkedOnceRendered(
    ['gh', 'secret', 'set', '-f', 'env/{{x}}.env'],
    ['../../proc/self/environ', 'a/b'],
    ['prod'],
    FILE,
  );
});
