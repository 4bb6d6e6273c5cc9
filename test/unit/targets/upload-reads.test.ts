// Copy and upload tools whose operands are local files they send elsewhere (aws s3 cp, gsutil cp, scp, rsync,
// docker cp, kubectl cp, gh release upload, az storage blob upload --file, httpie's field@FILE): a value naming
// the source would send a file of the runner (its keys, /proc/self/environ with the job's secrets). A template
// that is the source or starts it is refused when the config loads; one after a fixed directory must stay one
// plain name; one before a remote operand's ":" must leave it remote. Destinations and remote sides read no
// local file and stay accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shellCommandLine } from '../../../src/targets/command-line.ts';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  renderArgv,
  renderLine,
} from '../../helpers/command-checks.ts';

const URL = 'https://deploy.example.com/upload';

test('a template that is (or starts) a local file an upload tool sends is refused when the config loads', () => {
  const forms: Array<[string[], string]> = [
    [['scp', '{{x}}', 'deploy@host:/srv/'], 'scp'],
    [['scp', '-r', '-P', '2222', './{{x}}', 'host:'], 'scp'],
    [['scp', '-i', 'deploy_key', 'app.tgz', '{{x}}', 'host:/srv/'], 'scp'],
    [['rsync', '-av', '--delete', '{{x}}', 'host:/srv/app/'], 'rsync'],
    [['rsync', '-e', 'ssh -p 2222', '/{{x}}', 'host:/srv/'], 'rsync'],
    [['rsync', '-a', '--files-from={{x}}', '.', 'host:/srv/'], 'rsync --files-from'],
    [['gcloud', 'compute', 'scp', '--zone', 'europe-west1-b', '{{x}}', 'vm:/tmp/'], 'gcloud compute scp'],
    [['aws', 's3', 'cp', '{{x}}', 's3://bucket/app.zip'], 'aws s3 cp'],
    [['aws', 's3', 'cp', './{{x}}', 's3://bucket/'], 'aws s3 cp'],
    [['aws', '--region', 'eu-west-1', 's3', 'sync', '{{x}}', 's3://bucket/site/'], 'aws s3 sync'],
    [['aws', 's3', 'mv', '--acl', 'private', '{{x}}', 's3://bucket/k'], 'aws s3 mv'],
    [['gsutil', '-m', 'cp', '-r', '{{x}}', 'gs://bucket/'], 'gsutil cp'],
    [['gsutil', 'cp', 'file://{{x}}', 'gs://bucket/'], 'gsutil cp'],
    [['gsutil', '-h', 'Cache-Control:no-cache', 'cp', '-a', 'public-read', '{{x}}', 'gs://b/'], 'gsutil cp'],
    [['gsutil', '-m', 'rsync', '-r', '-x', '.*\\.map$', '{{x}}', 'gs://bucket/site/'], 'gsutil rsync'],
    [['gcloud', 'storage', 'rsync', '-x', '.*\\.map$', '{{x}}', 'gs://bucket/site/'], 'gcloud storage rsync'],
    [['gcloud', 'storage', 'cp', '{{x}}', 'gs://bucket/'], 'gcloud storage cp'],
    [
      ['az', 'storage', 'blob', 'upload', '-c', 'c', '--file', '{{x}}', '--name', 'app.zip'],
      'az storage blob upload --file',
    ],
    [
      ['az', '-o', 'none', 'storage', 'blob', 'upload', '-c', 'c', '-f', '{{x}}', '-n', 'app.zip'],
      'az storage blob upload --file',
    ],
    [
      ['az', 'storage', 'blob', 'upload-batch', '-d', 'c', '--source={{x}}'],
      'az storage blob upload-batch --source',
    ],
    [['az', 'storage', 'blob', 'upload', '--file={{x}}'], 'az storage blob upload --file'],
    [
      ['az', 'storage', 'file', 'upload-batch', '-d', 'share', '-s', './{{x}}'],
      'az storage file upload-batch --source',
    ],
    [['gh', 'release', 'upload', 'v1.2.3', '{{x}}'], 'gh release upload'],
    [['gh', 'release', 'upload', 'v1.2.3', 'dist/app.tgz', '{{x}}#Notes', '--clobber'], 'gh release upload'],
    [['gh', 'release', 'create', 'v1.2.3', '-t', 'Release', '{{x}}'], 'gh release create'],
    [['gh', 'release', 'create', 'v1.2.3', '--notes-file', '{{x}}'], 'gh release create --notes-file'],
    [['gh', 'release', 'create', 'v1.2.3', '-F', '{{x}}'], 'gh release create --notes-file'],
    [['gh', 'gist', 'create', '-d', 'logs', '{{x}}'], 'gh gist create'],
    [['gh', 'pr', 'comment', '42', '--body-file', '{{x}}'], 'gh pr comment --body-file'],
    [['gh', 'issue', 'create', '-t', 'Deploy', '-F', '{{x}}'], 'gh issue create --body-file'],
    [
      ['az', 'webapp', 'deploy', '-g', 'rg', '-n', 'app', '--src-path', '{{x}}', '--type', 'zip'],
      'az webapp deploy --src-path',
    ],
    [
      ['az', 'functionapp', 'deployment', 'source', 'config-zip', '-g', 'rg', '-n', 'f', '--src', './{{x}}'],
      'az functionapp deployment source config-zip --src',
    ],
    [['docker', 'cp', '{{x}}', 'web:/etc/app.conf'], 'docker cp'],
    [['docker', 'container', 'cp', './{{x}}', 'web:/tmp/'], 'docker cp'],
    [['kubectl', 'cp', '{{x}}', 'pod:/tmp/'], 'kubectl cp'],
    [['kubectl', '-n', 'prod', 'cp', '-c', 'app', '{{x}}', 'prod/pod:/tmp/'], 'kubectl cp'],
    [['oc', 'cp', '{{x}}', 'pod:/tmp/'], 'oc cp'],
    [['http', '--form', 'POST', URL, 'file@{{x}}'], 'http'],
    [['http', 'POST', URL, 'notes=@{{x}}'], 'http'],
    [['https', 'PUT', URL, 'config:=@./{{x}}'], 'https'],
    [['http', URL, 'X-Token:@{{x}}'], 'http'],
    [['http', URL, 'q==@{{x}}'], 'http'],
    [['sudo', '-u', 'deploy', 'scp', '{{x}}', 'host:'], 'scp'],
  ];
  for (const [argv, how] of forms)
    assertRefused(
      argv,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? is in the name of the local file ${how} reads and sends`,
      ),
    );
  // Through a shell variable set from the template, or one set any other way.
  assertScriptRefused('f={{x}}; scp "$f" host:/srv/', /is in the name of the local file scp reads and sends/);
  assertScriptRefused(
    'aws s3 cp "$DEPLOY_X" s3://bucket/',
    /is in the name of the local file aws s3 cp reads and sends|is where aws s3 cp may read a local file/,
  );
});

test('a value in a source file name after a fixed directory must be one plain name once rendered', () => {
  const path =
    /the value of \{\{x\}\} is part of the name of the local file .* reads and sends .*(holds "\/"|is "\.\.")/;
  const bad = ['../../../home/runner/.ssh/id_rsa', 'a/b'];
  const good = ['1.2.3', 'production', 'v1.2.3+build.4'];
  const forms: string[][] = [
    ['scp', 'dist/app-{{x}}.tar.gz', 'deploy@host:/srv/'],
    ['rsync', '-av', 'build/{{x}}/', 'host:/srv/app/'],
    ['aws', 's3', 'cp', 'build/{{x}}.zip', 's3://bucket/'],
    ['aws', 's3', 'sync', 'site/{{x}}', 's3://bucket/'],
    ['gsutil', 'cp', 'dist/{{x}}.zip', 'gs://bucket/'],
    ['gcloud', 'storage', 'cp', 'dist/{{x}}.zip', 'gs://bucket/'],
    ['az', 'storage', 'blob', 'upload', '-c', 'c', '--file', 'dist/app-{{x}}.zip', '-n', 'app.zip'],
    ['gh', 'release', 'create', 'v1', 'dist/app-{{x}}.tgz'],
    ['gh', 'release', 'upload', 'v1', 'dist/{{x}}.tgz#App'],
    ['docker', 'cp', 'conf/{{x}}.conf', 'web:/etc/app.conf'],
    ['kubectl', 'cp', 'dist/{{x}}.tgz', 'pod:/tmp/'],
    ['http', '-f', 'POST', URL, 'file@dist/{{x}}.tgz'],
  ];
  for (const argv of forms) checkedOnceRendered(argv, bad, good, path);
  // A whole component: ".." would leave the directory.
  checkedOnceRendered(['rsync', '-av', 'build/{{x}}/', 'host:/srv/'], ['..'], ['.', 'prod'], path);
  checkedOnceRendered(['aws', 's3', 'sync', 'site/{{x}}', 's3://bucket/'], ['..'], ['prod'], path);
});

test('a value before a remote operand\'s ":" must leave it remote, and a value after an item separator not start "@"', () => {
  // scp's colon rule: a "/" before the ":" makes it a local file, which scp would send. The host before the ":"
  // takes no template (ssh-destinations.test.ts) but in its first label after a fixed prefix, checked once
  // rendered to be one DNS label: no "/" then.
  assertRefused(['scp', '{{x}}:/srv/app.tgz', './'], /is in the host scp copies to or from/);
  assertRefused(
    ['rsync', '-a', 'deploy@{{x}}:/var/log/app/', 'logs/'],
    /is in the host rsync copies to or from/,
  );
  checkedOnceRendered(
    ['scp', 'web-{{x}}.internal:/srv/app.tgz', './'],
    ['/home/runner/.ssh/id_rsa', './x', 'a/b'],
    ['web-1', 'blue'],
    /is in the host scp copies to or from .* must make one DNS-1123 label/,
  );
  // docker cp: a first "/" or "." makes it a local file.
  checkedOnceRendered(
    ['docker', 'cp', '{{x}}:/etc/app.conf', './'],
    ['/proc/self/environ', '../../x'],
    ['web', 'app_1'],
    /is in the name of the local file docker cp reads and sends/,
  );
  // httpie: the first separator decides; one ending with "@" reads a file.
  const at = /the value of \{\{x\}\} starts with "@" where https? reads "@FILE" after its separator/;
  checkedOnceRendered(['http', 'POST', URL, 'notes={{x}}'], ['@/proc/self/environ'], ['1.2.3', 'a@b'], at);
  checkedOnceRendered(
    ['http', 'POST', URL, 'X-Version:{{x}}'],
    ['@/etc/passwd', '=@/etc/passwd'],
    ['1.2.3'],
    at,
  );
  checkedOnceRendered(
    ['https', 'POST', URL, '{{x}}'],
    ['f@/etc/passwd', 'a=@/etc/passwd', 'a:=@/etc/passwd'],
    ['a=b', 'X-A:1'],
    /where https reads "@FILE"/,
  );
  // With no method, the operand after the URL is an item; a method and a URL themselves read no file.
  checkedOnceRendered(
    ['http', 'deploy.example.com/api', '{{x}}'],
    ['f@/etc/passwd'],
    ['a=b'],
    /where http reads/,
  );
  assertScriptAccepted('http POST "$DEPLOY_URL" "version={{x}}"');
});

test('destinations, remote sides, tags and labels read no local file: accepted whatever the value', () => {
  const forms: string[][] = [
    ['aws', 's3', 'cp', './dist', 's3://bucket/{{x}}/', '--recursive'],
    ['aws', 's3', 'cp', 's3://bucket/{{x}}/app.zip', './app.zip'],
    ['scp', 'app.tgz', 'host:/srv/{{x}}/'],
    ['scp', '-P', '{{x}}', 'app.tgz', 'deploy@host:/srv/'],
    ['rsync', '-av', '--exclude', '{{x}}', 'dist/', 'host:/srv/'],
    ['gh', 'release', 'create', 'v{{x}}', 'dist/app.tgz'],
    ['gh', 'release', 'create', 'v1', '--notes', 'Release {{x}}', 'dist/app.tgz#App {{x}}'],
    ['gh', 'release', 'upload', 'v{{x}}', 'dist/app.tgz', '--clobber'],
    ['docker', 'cp', 'app.conf', '{{x}}:/etc/app.conf'],
    ['kubectl', 'cp', 'x.tgz', '{{x}}/pod:/tmp/'],
    ['kubectl', 'cp', '{{x}}/pod:/var/log/app.log', './app.log'],
    ['gsutil', 'cp', 'dist/app.zip', 'gs://bucket/{{x}}/'],
    ['gsutil', 'cp', '-a', '{{x}}', 'dist/app.zip', 'gs://bucket/'],
    ['gsutil', 'rsync', '-r', 'gs://bucket/{{x}}/', 'site/'],
    ['az', 'storage', 'blob', 'upload', '-c', 'c', '--file', 'dist/app.zip', '--name', 'app-{{x}}.zip'],
    ['az', 'webapp', 'deploy', '-g', 'rg', '-n', 'app-{{x}}', '--src-path', 'dist/app.zip'],
    ['gh', 'pr', 'comment', '42', '--body', 'Deployed {{x}}'],
    ['http', 'POST', `${URL}/{{x}}`, 'file@dist/app.tgz'],
  ];
  for (const argv of forms) {
    assertAccepted(argv);
    for (const value of ['1.2.3', 'production', 'web-1']) {
      assert.doesNotThrow(() => renderArgv(argv, value), `${argv.join(' ')} with ${value}`);
      assert.doesNotThrow(() => renderLine(argv, value), `${shellCommandLine(argv)} with ${value}`);
    }
  }
  // kubectl cp -n's namespace is no local file either: accepted, checked once rendered as a namespace.
  const namespaced = ['kubectl', 'cp', '-n', '{{x}}', 'x.tgz', 'pod:/tmp/'];
  assertAccepted(namespaced);
  for (const value of ['production', 'web-1'])
    assert.doesNotThrow(() => renderArgv(namespaced, value), value);
  assert.throws(() => renderArgv(namespaced, '1.2.3'), /the namespace kubectl -n chooses/);
});

test('in a shell script, a variable set from a template is checked where an upload tool reads it', () => {
  const scp = 'V={{x}}; scp "dist/app-$V.tgz" deploy@host:/srv/';
  assertScriptAccepted(scp);
  assert.throws(
    () => renderShellScript(scp, { x: '../../x' }),
    /through \$V.*scp reads and sends.*holds "\/"/,
  );
  assert.doesNotThrow(() => renderShellScript(scp, { x: '1.2.3' }));
  // The host before the ":" takes no template, through a variable too (ssh-destinations.test.ts).
  assertScriptRefused('H={{x}}; scp "$H:/srv/app.tgz" ./', /\$H .* is in the host scp copies to or from/);
  const http = 'N={{x}}; http POST https://h.example.com/ "notes=$N"';
  assertScriptAccepted(http);
  assert.throws(
    () => renderShellScript(http, { x: '@/proc/self/environ' }),
    /through \$N.*http reads "@FILE"/,
  );
  assert.doesNotThrow(() => renderShellScript(http, { x: '1.2.3' }));
});

test('the command ssh runs: a file a program reads and sends on the remote host is checked the same way', () => {
  // One word of ssh's, split again by the remote shell.
  assertRefused(
    ['ssh', 'deploy@host', 'curl -fsS -d @{{x}} https://h.example.com/'],
    /\{\{x\}\}( \(character \d+\))? is in the name of the file curl -d reads and sends on the remote host/,
  );
  assertRefused(
    ['ssh', 'deploy@host', 'scp {{x}} backup:/srv/'],
    /is in the name of the file scp reads and sends on the remote host/,
  );
  checkedOnceRendered(
    ['ssh', 'deploy@host', 'curl -fsS -d {{x}} https://h.example.com/'],
    ['@/proc/self/environ', '@/home/deploy/.ssh/id_rsa'],
    ['1.2.3', 'a@b'],
    /the value of \{\{x\}\} starts with "@" where curl -d reads "@FILE" as a file on the remote host/,
  );
  checkedOnceRendered(
    ['ssh', 'deploy@host', 'scp dist/app-{{x}}.tgz backup:/srv/'],
    ['a/../../../etc/shadow'],
    ['1.2.3'],
    /is part of the name of the file scp reads and sends on the remote host .*holds "\/"/,
  );
  // Through a variable of the remote shell, where in the word the value lands is not known: refused.
  assertScriptRefused(
    `ssh deploy@host 'v={{x}}; curl -d $v https://h.example.com/'`,
    /\{\{x\}\}.* reaches, through the remote variable \$v set from it, where curl -d may read a file on the remote host/,
  );
  for (const argv of [
    ['ssh', 'deploy@host', './deploy.sh {{x}}'],
    ['ssh', 'deploy@host', 'curl -fsS -d version={{x}} https://h.example.com/'],
    ['ssh', 'deploy@host', 'scp dist/app.tgz backup:/srv/{{x}}/'],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, '1.2.3'));
  }
  assertScriptAccepted(`ssh deploy@host 'v={{x}}; curl -d "version=$v" https://h.example.com/'`);
});

test('rclone, s3cmd, azcopy, sftp -b, docker compose cp and more az uploads read a local source: refused when a template starts it', () => {
  const forms: Array<[string[], string]> = [
    [['rclone', 'copy', '{{x}}', 'remote:bucket/'], 'rclone copy'],
    [['rclone', '--transfers', '8', 'sync', './{{x}}', 'remote:site/'], 'rclone sync'],
    [['rclone', 'copyto', '--include', '*.zip', '{{x}}', 'remote:b/app.zip'], 'rclone copyto'],
    [['rclone', 'move', '{{x}}', 'remote:b/'], 'rclone move'],
    [['rclone', 'moveto', '{{x}}', 'remote:b/x'], 'rclone moveto'],
    [['rclone', 'bisync', 'remote:b/', '{{x}}'], 'rclone bisync'],
    [['rclone', 'copy', '--files-from', '{{x}}', 'dist/', 'remote:b/'], 'rclone --files-from'],
    [['s3cmd', 'put', '{{x}}', 's3://bucket/'], 's3cmd put'],
    [['s3cmd', '-c', 's3.cfg', 'put', 'a.zip', '{{x}}', 's3://bucket/'], 's3cmd put'],
    [['s3cmd', 'sync', '--acl-public', '{{x}}', 's3://bucket/site/'], 's3cmd sync'],
    [['azcopy', 'copy', '{{x}}', 'https://acct.blob.core.windows.net/c?sv=1'], 'azcopy copy'],
    [
      ['azcopy', 'sync', '--delete-destination', 'true', '{{x}}', 'https://acct.blob.core.windows.net/c'],
      'azcopy sync',
    ],
    [['sftp', '-b', '{{x}}', 'deploy@host'], 'sftp -b'],
    [['sftp', '-qb{{x}}', 'deploy@host'], 'sftp -b'],
    [['docker', 'compose', 'cp', '{{x}}', 'web:/etc/app.conf'], 'docker compose cp'],
    [
      ['docker', 'compose', '-f', 'compose.prod.yml', '-p', 'app', 'cp', './{{x}}', 'web:/tmp/'],
      'docker compose cp',
    ],
    [['docker-compose', 'cp', '{{x}}', 'web:/tmp/'], 'docker-compose cp'],
    [
      ['az', 'storage', 'file', 'upload', '-s', 'share', '--source', '{{x}}', '--path', 'app.zip'],
      'az storage file upload --source',
    ],
    [['az', 'storage', 'blob', 'sync', '-c', 'site', '--source', '{{x}}'], 'az storage blob sync --source'],
    [['az', 'storage', 'blob', 'sync', '-c', 'site', '-s', './{{x}}'], 'az storage blob sync --source'],
    [
      ['az', 'functionapp', 'deploy', '-g', 'rg', '-n', 'f', '--src-path', '{{x}}', '--type', 'zip'],
      'az functionapp deploy --src-path',
    ],
    [
      ['az', 'webapp', 'deployment', 'source', 'config-zip', '-g', 'rg', '-n', 'app', '--src', '{{x}}'],
      'az webapp deployment source config-zip --src',
    ],
  ];
  for (const [argv, how] of forms)
    assertRefused(
      argv,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? is in the name of the local file ${how} reads and sends`,
      ),
    );
  assertScriptRefused('f={{x}}; rclone copy "$f" remote:b/', /local file rclone copy reads and sends/);
});

test('rclone, s3cmd, azcopy, sftp -b and docker compose cp: a value after a fixed directory stays one plain name; remote sides take any', () => {
  const path =
    /the value of \{\{x\}\} is part of the name of the local file .* reads and sends .*(holds "\/"|is "\.\.")/;
  for (const argv of [
    ['rclone', 'copy', 'dist/{{x}}', 'remote:bucket/'],
    ['s3cmd', 'put', 'dist/app-{{x}}.zip', 's3://bucket/'],
    ['azcopy', 'copy', 'dist/{{x}}.zip', 'https://acct.blob.core.windows.net/c/app.zip'],
    ['sftp', '-b', 'batches/{{x}}.txt', 'deploy@host'],
    ['docker', 'compose', 'cp', 'conf/{{x}}.conf', 'web:/etc/app.conf'],
    ['az', 'storage', 'blob', 'sync', '-c', 'site', '-s', 'site/{{x}}'],
  ])
    checkedOnceRendered(argv, ['../../../home/runner/.ssh/id_rsa', 'a/b'], ['1.2.3', 'production'], path);
  // A whole component: ".." would leave the directory.
  checkedOnceRendered(['rclone', 'copy', 'dist/{{x}}', 'remote:b/'], ['..'], ['.', 'prod'], path);
  // rclone's remote:path, as scp's host:path: a value before the ":" must leave it remote (":local:" is local).
  checkedOnceRendered(
    ['rclone', 'copy', '{{x}}:bucket/app.zip', './'],
    ['/home/runner/.ssh', ':local', 'a/b'],
    ['s3-prod', 'remote'],
    /(is in|is part of) the name of the local file rclone copy reads and sends/,
  );
  const forms: string[][] = [
    ['rclone', 'copy', 'dist/', 'remote:bucket/{{x}}/'],
    ['rclone', 'sync', '--include', '{{x}}', 'dist/', 'remote:site/'],
    ['rclone', 'copy', 'remote:bucket/{{x}}/', './download/'],
    ['s3cmd', 'put', 'dist/app.zip', 's3://bucket/{{x}}/'],
    ['s3cmd', 'sync', 's3://bucket/{{x}}/', 'backup/'],
    ['azcopy', 'copy', 'dist/', 'https://acct.blob.core.windows.net/site/{{x}}/', '--recursive'],
    ['azcopy', 'copy', 'https://acct.blob.core.windows.net/c/{{x}}.zip', './app.zip'],
    ['docker', 'compose', 'cp', 'app.conf', '{{x}}:/etc/app.conf'],
    [
      'az',
      'storage',
      'file',
      'upload',
      '-s',
      'share-{{x}}',
      '--source',
      'dist/app.zip',
      '--path',
      'app-{{x}}.zip',
    ],
    ['az', 'storage', 'blob', 'sync', '-c', '{{x}}', '-s', 'site/'],
    ['sftp', '-b', 'batch.txt', '-P', '{{x}}', 'deploy@host'],
  ];
  for (const argv of forms) {
    assertAccepted(argv);
    for (const value of ['1.2.3', 'production', 'web-1'])
      assert.doesNotThrow(() => renderArgv(argv, value), `${argv.join(' ')} with ${value}`);
  }
});

test("httpie's bare @FILE operand sends the file as the body: refused when a template starts it, checked after a fixed directory", () => {
  for (const argv of [
    ['http', 'POST', URL, '@{{x}}'],
    ['http', URL, '@./{{x}}'],
    ['https', '--form', 'PUT', URL, '@{{x}}'],
  ])
    assertRefused(
      argv,
      /\{\{x\}\}( \(character \d+\))? is in the name of the local file https? reads and sends/,
    );
  checkedOnceRendered(
    ['http', 'POST', URL, '@payloads/{{x}}.json'],
    ['../../proc/self/environ', 'a/b'],
    ['production'],
    /is part of the name of the local file http reads and sends/,
  );
  checkedOnceRendered(
    ['http', 'POST', URL, '{{x}}'],
    ['@/proc/self/environ'],
    ['version=1.2.3'],
    /starts with "@" where http reads "@FILE"/,
  );
});

test('gh secret/variable set --env-file, gh workflow run -F KEY=@FILE and az acr build SOURCE read a local file they send', () => {
  for (const [argv, how] of [
    [['gh', 'secret', 'set', '-f', '{{x}}'], 'gh secret set --env-file'],
    [['gh', 'variable', 'set', '--env-file={{x}}', '-R', 'o/r'], 'gh variable set --env-file'],
    [['gh', 'workflow', 'run', 'deploy.yml', '-F', 'config=@{{x}}'], 'gh workflow run -F'],
    [['gh', 'workflow', 'run', 'deploy.yml', '--field', 'config=@./{{x}}'], 'gh workflow run -F'],
    [['gh', 'workflow', '-R', 'o/r', 'run', 'deploy.yml', '-F', 'config=@{{x}}'], 'gh workflow run -F'],
    [['az', 'acr', 'build', '-r', 'registry', '-t', 'app:1', '{{x}}'], 'az acr build'],
    [['az', 'acr', 'run', '-r', 'registry', '--cmd', 'echo hi', '{{x}}'], 'az acr run'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how} reads and sends`));
  checkedOnceRendered(
    ['gh', 'workflow', 'run', 'deploy.yml', '-F', 'ref={{x}}'],
    ['@/proc/self/environ'],
    ['main', 'v1.2.3'],
    /starts with "@" where gh workflow run -F reads "@FILE"/,
  );
  checkedOnceRendered(
    ['gh', 'secret', 'set', '--env-file', 'env/{{x}}.env'],
    ['../../proc/self/environ'],
    ['production'],
    /is part of the name of the local file gh secret set --env-file reads and sends/,
  );
  for (const argv of [
    ['gh', 'secret', 'set', 'VERSION', '--body', '{{x}}', '-e', 'production'],
    ['gh', 'variable', 'set', 'VERSION', '-b', '{{x}}'],
    ['gh', 'workflow', 'run', 'deploy.yml', '-f', 'ref={{x}}'],
    ['az', 'acr', 'build', '-r', 'registry', '-t', 'app:{{x}}', '--build-arg', 'V={{x}}', '.'],
    ['az', 'acr', 'build', '-r', 'registry', '-t', 'app:1', 'https://github.com/o/r.git#{{x}}'],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, 'production'), argv.join(' '));
  }
});

test('gcloud builds submit SOURCE and gcloud functions/run deploy --source upload a local directory: same rule', () => {
  for (const [argv, how] of [
    [['gcloud', 'builds', 'submit', '{{x}}'], 'gcloud builds submit'],
    [['gcloud', 'builds', 'submit', '--tag', 'gcr.io/p/app:1', './{{x}}'], 'gcloud builds submit'],
    [
      ['gcloud', 'functions', 'deploy', 'f', '--source', '{{x}}', '--runtime', 'nodejs20'],
      'gcloud functions deploy --source',
    ],
    [
      ['gcloud', 'run', 'deploy', 'app', '--source={{x}}', '--region', 'europe-west1'],
      'gcloud run deploy --source',
    ],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how} reads and sends`));
  checkedOnceRendered(
    ['gcloud', 'run', 'deploy', 'app', '--source=services/{{x}}'],
    ['../../home/runner', 'a/b'],
    ['api', 'web'],
    /is part of the name of the local file gcloud run deploy --source reads and sends/,
  );
  for (const argv of [
    ['gcloud', 'builds', 'submit', '--tag', 'gcr.io/p/app:{{x}}', '.'],
    ['gcloud', 'builds', 'submit', 'gs://bucket/src-{{x}}.tgz'],
    ['gcloud', 'run', 'deploy', 'app-{{x}}', '--source', '.', '--region', '{{x}}'],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, 'production'), argv.join(' '));
  }
});
