// The server or repository git talks to (git-remotes.ts): the repository clone, fetch, pull, push and ls-remote
// name, the URL remote add / set-url and submodule add record, and the settings choosing a remote's URL, the
// proxy or the certificates trusted. A server of the value's choosing would get the repository and the runner's
// credentials for it, or serve the code deployed; a value in the last part of the path after a fixed host is
// checked once rendered to be one plain name.
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptRefused,
  checkedOnceRendered,
  SOURCE,
} from '../../helpers/command-checks.ts';

test('git: a template choosing the repository (its host, a remote name, a path before "/") is refused', () => {
  for (const argv of [
    ['git', 'push', 'https://{{x}}/repo.git'],
    ['git', 'push', 'https://github.com/{{x}}/repo.git', 'main'],
    ['git', 'push', '{{x}}', 'main'],
    ['git', 'push', '--force', '{{x}}'],
    ['git', 'push', '--repo', '{{x}}'],
    ['git', 'push', '--repo=https://{{x}}/r.git'],
    ['git', 'push', 'https://ci:{{x}}@github.com/org/app.git'],
    ['git', 'clone', '{{x}}'],
    ['git', 'clone', '--depth', '1', '-b', 'main', 'https://{{x}}.example.com/app.git', 'app'],
    ['git', 'clone', 'git@{{x}}:org/app.git'],
    ['git', 'clone', 'file:///srv/{{x}}.git'],
    ['git', 'clone', 'ext::ssh -o x=y {{x}}'],
    ['git', 'fetch', '{{x}}'],
    ['git', 'fetch', '--depth', '1', '{{x}}', 'main'],
    ['git', 'pull', '{{x}}', 'main'],
    ['git', 'pull', '-X', 'theirs', 'https://{{x}}/app.git'],
    ['git', 'ls-remote', '{{x}}'],
    ['git', 'remote', 'add', 'origin', '{{x}}'],
    ['git', 'remote', 'add', '-t', 'main', 'deploy', 'https://{{x}}/app.git'],
    ['git', 'remote', 'set-url', 'origin', '{{x}}'],
    ['git', 'remote', 'set-url', '--push', 'origin', 'git@github.com:{{x}}/app.git'],
    ['git', 'submodule', 'add', '{{x}}', 'vendor/lib'],
    ['git', '-C', 'site', 'push', 'https://{{x}}/site.git'],
  ])
    assertRefused(argv, SOURCE);
  assertRefused(['git', 'push', '{{x}}'], /the repository git push sends to/);
  assertRefused(['git', 'clone', '{{x}}'], /the repository git clone copies/);
  assertScriptRefused('sudo -u deploy git push {{x}} main', SOURCE);
  assertScriptRefused('cd site && git remote add deploy "$BASE/{{x}}"', SOURCE);
});

test("git: settings choosing the server, proxy or certificates take no template (-c, clone's --config, git config)", () => {
  for (const argv of [
    ['git', '-c', 'http.proxy={{x}}', 'push'],
    ['git', '-c', 'https.proxy=http://{{x}}:3128', 'fetch'],
    ['git', '-c', 'http.sslVerify={{x}}', 'fetch'],
    ['git', '-c', 'http.sslCAInfo=certs/{{x}}.pem', 'fetch'],
    ['git', '-c', 'http.https://github.com/.proxy={{x}}', 'fetch'],
    ['git', '-c', 'http.extraHeader=X-Env: {{x}}', 'fetch'],
    ['git', '-c', 'http.curloptResolve=github.com:443:{{x}}', 'fetch'],
    ['git', '-c', 'remote.origin.url={{x}}', 'fetch'],
    ['git', '-c', 'url.https://mirror.example.com/.insteadOf={{x}}', 'fetch'],
    ['git', 'clone', '-c', 'http.proxy={{x}}', 'https://github.com/org/app.git'],
    ['git', 'clone', '--config=remote.origin.pushurl={{x}}', 'https://github.com/org/app.git'],
    ['git', 'config', 'remote.origin.url', '{{x}}'],
    ['git', 'config', '--global', 'http.proxy', '{{x}}'],
    ['git', 'config', 'set', 'remote.deploy.pushurl', '{{x}}'],
    ['git', 'config', '-f', '.gitmodules', 'submodule.lib.url', '{{x}}'],
  ])
    assertRefused(argv, SOURCE);
  assertRefused(
    ['git', 'clone', '--config=http.proxy={{x}}', 'https://h/r.git'],
    /git clone --config http\.proxy/,
  );
  // Other settings stay data.
  assertAccepted(['git', '-c', 'user.name=deploy-{{x}}', 'commit', '-m', 'release {{x}}']);
  assertAccepted(['git', 'config', 'user.email', '{{x}}@example.com']);
});

test('git: a value in the last part of the path after a fixed host is checked once rendered to be one plain name', () => {
  const message = /is in the (repository|URL) git .* must make one plain name .* another owner's repository/;
  for (const argv of [
    ['git', 'clone', 'https://github.com/org/{{x}}.git'],
    ['git', 'clone', '--depth', '1', 'https://github.com/org/app-{{x}}.git', 'app'],
    ['git', 'push', 'git@github.com:org/app-{{x}}.git', 'HEAD:main'],
    ['git', 'fetch', 'ssh://git@git.example.com:2222/deploy/{{x}}', 'main'],
    ['git', 'remote', 'add', 'deploy', 'https://git.example.com/sites/{{x}}.git'],
  ])
    checkedOnceRendered(
      argv,
      ['evil/app', '../evil', 'x/../../y', 'a b', 'x?y=1'],
      ['app', 'v1.2.3', 'my_site'],
      message,
    );
  // Branches, tags and the directory cloned into stay data (the directory is the file rule's).
  assertAccepted(['git', 'fetch', 'origin', 'refs/tags/v{{x}}']);
  assertAccepted(['git', 'clone', '--branch', '{{x}}', 'https://github.com/org/app.git']);
  assertAccepted(['git', 'clone', '--depth', '{{x}}', 'https://github.com/org/app.git']);
  assertAccepted(['git', 'remote', 'set-url', '--delete', 'origin', '{{x}}']);
});

test("git push: a value in a refspec is checked once rendered to keep one ref's path", () => {
  const message = /the refspec git push pushes, .* must keep it one ref's path .*":main" deletes it/;
  for (const argv of [
    ['git', 'push', 'origin', '{{x}}'],
    ['git', 'push', 'origin', 'HEAD:{{x}}'],
    ['git', 'push', '--force-with-lease', 'origin', 'release-{{x}}'],
    ['git', 'push', 'origin', 'main', 'refs/tags/v{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      [':main', '+HEAD:main', 'x:refs/tags/v1', 'a..b', '*', 'a b'],
      ['main', 'feature/login', '1.2.3'],
      message,
    );
});

test("git's variables turning the certificate check off or choosing its proxy's authorities take no template", () => {
  for (const script of [
    'GIT_SSL_NO_VERIFY={{x}} git push origin main',
    'export GIT_PROXY_SSL_CAINFO=certs/{{x}}.pem; git fetch origin',
  ])
    assertScriptRefused(
      script,
      /which programs read to choose the certificates they trust, or whether they check them/,
    );
});
