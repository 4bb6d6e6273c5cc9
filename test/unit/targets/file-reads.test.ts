// Tools that read an argument starting with a marker (curl's and az's "@", aws's file://) as "the contents of
// this local file" and send it: a value there would choose a file of the runner to send away
// (@/proc/self/environ holds the job's secrets). A template naming the file is refused when the config loads;
// one that could start a marker is checked once rendered; one in a file name after fixed text must stay a plain
// name. Common forms that read no file stay accepted.
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

const URL = 'https://deploy.example.com/hook';

test('a template naming the file a tool reads and sends (or starting its name) is refused when the config loads', () => {
  const forms: Array<[string[], string]> = [
    [['curl', '-d', '@{{x}}', URL], 'curl -d'],
    [['curl', '--data-binary', '@{{x}}', URL], 'curl --data-binary'],
    [['curl', '--json', '@{{x}}', URL], 'curl --json'],
    [['curl', '-sSd@{{x}}', URL], 'curl -d'],
    [['curl', '-sSd', '@./{{x}}', URL], 'curl -d'],
    [['curl', '-F', 'file=@{{x}}', URL], 'curl -F'],
    [['curl', '--form', 'notes=<{{x}}', URL], 'curl --form'],
    [['curl', '--data-urlencode', 'body@{{x}}', URL], 'curl --data-urlencode'],
    [['curl', '-H', '@{{x}}', URL], 'curl -H'],
    [['curl', '-T', '{{x}}', URL], 'curl -T'],
    [['curl', '--upload-file', '/{{x}}', URL], 'curl --upload-file'],
    [['curl', '-K', '{{x}}', URL], 'curl -K'],
    [['curl', '-b', '{{x}}', URL], 'curl -b'],
    [['gh', 'api', 'repos/o/r/issues', '-F', 'body=@{{x}}'], 'gh api -F'],
    [['gh', 'api', 'repos/o/r/issues', '--input', '{{x}}'], 'gh api --input'],
    [['wget', '--post-file={{x}}', URL], 'wget --post-file'],
    [['wget', '--body-file', '{{x}}', '--method=PUT', URL], 'wget --body-file'],
    [['kubectl', 'create', 'secret', 'generic', 's', '--from-file={{x}}'], 'kubectl --from-file'],
    [['kubectl', 'create', 'configmap', 'c', '--from-file=app.yaml={{x}}'], 'kubectl --from-file'],
    [['kubectl', 'create', 'secret', 'generic', 's', '--from-file', '../{{x}}'], 'kubectl --from-file'],
    [['oc', 'create', 'secret', 'generic', 's', '--from-env-file={{x}}'], 'oc --from-env-file'],
    [['az', 'webapp', 'config', 'appsettings', 'set', '-g', 'rg', '-n', 'app', '--settings', '@{{x}}'], 'az'],
    [['az', 'keyvault', 'secret', 'set', '--vault-name', 'v', '-n', 's', '--value', 'k=@{{x}}'], 'az'],
    [['aws', 's3api', 'put-object', '--bucket', 'b', '--key', 'k', '--body', 'file://{{x}}'], 'aws'],
    [['aws', 'lambda', 'invoke', '--function-name', 'f', '--payload=fileb://{{x}}', 'out.json'], 'aws'],
    [['sudo', 'curl', '-d', '@{{x}}', URL], 'curl -d'],
    [['env', 'A=1', 'curl', '-T', '{{x}}', URL], 'curl -T'],
  ];
  for (const [argv, how] of forms)
    assertRefused(
      argv,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? is in the name of the local file ${how} reads and sends`,
      ),
    );
  // Through a shell variable set from the template.
  assertScriptRefused(
    'f={{x}}; curl -T "$f" ' + URL,
    /is in the name of the local file curl -T reads and sends/,
  );
  assertScriptRefused(
    'v=@{{x}}; curl -d "$v" ' + URL,
    /is where curl -d may read a local file and send it .*write the template itself there/,
  );
  // A variable set any other way ($DEPLOY_X, read, $(…)) where a marker may start is not checked: refused.
  assertScriptRefused(
    'curl -d "$DEPLOY_X" ' + URL,
    /is where curl -d may read a local file and send it \(\$DEPLOY_X\)/,
  );
});

test('a value that would start a file marker fails the command once rendered, in argv and shell alike', () => {
  const secrets = ['@/proc/self/environ', '@/home/runner/.ssh/id_rsa'];
  const plain = ['1.2.3', 'main', 'v1.2.3+build.4', 'a@b'];
  const at =
    /the value of \{\{x\}\} starts with "@" where .* reads "@FILE" as a local file, whose contents it sends/;
  for (const option of ['-d', '--data', '--data-ascii', '--data-binary', '--json', '-H', '--proxy-header'])
    checkedOnceRendered(['curl', '-fsS', option, '{{x}}', URL], secrets, plain, at);
  checkedOnceRendered(['curl', '-sd{{x}}', URL], secrets, plain, at);
  // --data-urlencode reads a file when its argument holds no "=" and an "@" (curl's data_urlencode()).
  checkedOnceRendered(
    ['curl', '--data-urlencode', '{{x}}', URL],
    ['@/etc/passwd', 'name@/etc/passwd'],
    ['1.2.3', 'a=@b', 'k=v'],
    at,
  );
  // -F NAME=@FILE and NAME=<FILE: after the first "=", wherever the "=" comes from.
  checkedOnceRendered(
    ['curl', '-F', 'notes={{x}}', URL],
    ['@/etc/passwd', '</etc/passwd'],
    ['1.2.3', 'a=@b'],
    /starts with "[@<]" where curl -F reads "@FILE" or "<FILE"/,
  );
  checkedOnceRendered(
    ['curl', '-F', '{{x}}', URL],
    ['f=@/etc/passwd', 'f=</etc/passwd;type=a'],
    ['v=1'],
    /curl -F/,
  );
  checkedOnceRendered(
    ['gh', 'api', 'repos/o/r/issues', '-F', 'body={{x}}'],
    ['@/proc/self/environ'],
    ['1.2.3', 'true', 'a@b'],
    /where gh api -F reads "@FILE"/,
  );
  // az reads "@FILE" in any argument, or in its part after the first "=".
  checkedOnceRendered(
    ['az', 'keyvault', 'secret', 'set', '--vault-name', 'v', '-n', 's', '--value', '{{x}}'],
    ['@/proc/self/environ', 'a=@/etc/passwd'],
    ['1.2.3', 'a@b', '@'],
    /where az reads "@FILE"/,
  );
  checkedOnceRendered(
    ['az', 'webapp', 'config', 'appsettings', 'set', '-g', 'rg', '-n', 'app', '--settings', 'VERSION={{x}}'],
    ['@/proc/self/environ'],
    ['1.2.3', 'main', 'a=@b'],
    /where az reads "@FILE"/,
  );
  checkedOnceRendered(
    ['az', 'deployment', 'group', 'create', '-g', 'rg', '--parameters', 'tag={{x}}', '--name', 'd-{{x}}'],
    ['@/etc/passwd'],
    ['1.2.3'],
    /where az reads "@FILE"/,
  );
  // aws reads a parameter value starting with file:// or fileb://, and KEY@=file://… in shorthand.
  checkedOnceRendered(
    ['aws', 's3api', 'put-object', '--bucket', 'b', '--key', 'k', '--body', '{{x}}'],
    ['file:///proc/self/environ', 'fileb:///home/runner/.ssh/id_rsa'],
    ['dist/app.zip', '1.2.3', 'profile'],
    /where aws reads "file:\/\/FILE" or "fileb:\/\/FILE"/,
  );
  checkedOnceRendered(
    ['aws', 'ssm', 'put-parameter', '--name', 'v', '--value={{x}}'],
    ['file:///proc/self/environ'],
    ['1.2.3'],
    /aws reads "file:\/\/FILE"/,
  );
  checkedOnceRendered(
    ['aws', 'ec2', 'create-tags', '--resources', 'i-1', '--tags', 'Key=version,Value={{x}}'],
    ['1,Key=x,Value@=file:///proc/self/environ'],
    ['1.2.3'],
    /aws reads "file:\/\/FILE"/,
  );
  // Through wrappers, and in a shell an argv command starts.
  checkedOnceRendered(['sudo', '-u', 'deploy', 'curl', '-d', '{{x}}', URL], secrets, plain, at);
  checkedOnceRendered(['env', 'A=1', 'az', 'tag', 'create', '--resource-id', '{{x}}'], secrets, plain, /az/);
  assert.throws(() => renderArgv(['bash', '-c', `curl -fsS -d {{x}} ${URL}`], '@/proc/self/environ'), at);
});

test('a value after a fixed key or marker, or in a file name after a fixed prefix, is checked as it is read', () => {
  // The file is the config's, the value only part of its name: one plain name, not "..".
  const path =
    /the value of \{\{x\}\} is part of the name of the local file .* reads and sends .*(holds "\/"|is "\.\.")/;
  checkedOnceRendered(
    ['kubectl', 'create', 'secret', 'generic', 's', '--from-file=config/{{x}}.yaml'],
    ['../../home/runner/.ssh/id_rsa', 'a/b'],
    ['production', 'eu-west-1', 'v1.2'],
    path,
  );
  checkedOnceRendered(
    ['kubectl', 'create', 'configmap', 'c', '--from-file=config/{{x}}'],
    ['..'],
    ['prod', '.'],
    path,
  );
  checkedOnceRendered(
    ['curl', '-d', '@payload-{{x}}.json', URL],
    ['x/../../../proc/self/environ'],
    ['prod'],
    path,
  );
  checkedOnceRendered(['curl', '-F', 'f=@dist/app-{{x}}.tgz', URL], ['1/../../x'], ['1.2.3'], path);
  checkedOnceRendered(['curl', '-T', 'dist/app-{{x}}.tgz', URL], ['1/../../x', '$HOME'], ['1.2.3'], /holds/);
  checkedOnceRendered(
    ['aws', 's3api', 'put-object', '--body', 'file://dist/{{x}}.zip'],
    ['../x'],
    ['app'],
    path,
  );
  // A value in the key of --from-file=KEY=FILE could move the "=" and start the file's name.
  checkedOnceRendered(
    ['kubectl', 'create', 'secret', 'generic', 's', '--from-file={{x}}=config/app.yaml'],
    ['a=/etc/passwd'],
    ['app.yaml'],
    /is in the name of the local file kubectl --from-file reads/,
  );
  // After -F's ";" (type=, filename=) the value is not in the file's name, but may not start a parameter or,
  // in an "@" part, another file.
  checkedOnceRendered(
    ['curl', '-F', 'f=@dist/app.tgz;type={{x}}', URL],
    ['text/plain;headers=@/proc/self/environ', 'a/b,/proc/self/environ'],
    ['application/gzip', 'text/plain'],
    /holds "[;,]" in .*curl -F/,
  );
});

test('curl -F reads a file in any of its parameters, and in an "@" part after each ","', () => {
  // curl's formparse()/get_param_part(): ";headers=@FILE" (or <FILE) in any part reads headers from a file; in
  // an "@" part a "," starts another file to send.
  const form = /holds "[;,]" in .*curl (-F|--form).*use --form-string/;
  checkedOnceRendered(
    ['curl', '-F', 'notes={{x}}', URL],
    ['hi;headers=@/proc/self/environ', 'hi; headers=</proc/self/environ', 'a;type=text/plain'],
    ['hi', 'a,b', 'Deployed 1.2.3 (main)'],
    form,
  );
  checkedOnceRendered(
    ['curl', '--form', 'f=@dist/app.tgz;filename={{x}}', URL],
    ['a,/proc/self/environ', 'a;headers=@/proc/self/environ'],
    ['app-1.2.3.tgz'],
    form,
  );
  checkedOnceRendered(['curl', '-F', '{{x}}=1', URL], ['a=1;headers=@/etc/passwd'], ['version'], form);
  checkedOnceRendered(
    ['curl', '-F', 'f=<dist/notes.txt;type={{x}}', URL],
    ['a;x'],
    ['text/plain', 'a,b'],
    form,
  );
  // A template naming a headers file, or another file after a ",", chooses it: refused when the config loads.
  for (const argv of [
    ['curl', '-F', 'f=v;headers=@{{x}}', URL],
    ['curl', '-F', 'f=@dist/app.tgz;type=text/plain;HEADERS=< {{x}}', URL],
    ['curl', '-F', 'f=@dist/app.tgz,{{x}}', URL],
  ])
    assertRefused(argv, /is in the name of the local file curl -F reads and sends/);
  // After fixed text there it is part of the file's name: one plain name.
  checkedOnceRendered(
    ['curl', '-F', 'f=v;headers=@headers/{{x}}.txt', URL],
    ['../../proc/self/environ'],
    ['prod'],
    /is part of the name of the local file curl -F reads/,
  );
  // Through a variable set from the template, wherever it lands in the argument.
  const script = `T={{x}}; curl -F "f=@dist/app.tgz;type=$T" ${URL}`;
  assertScriptAccepted(script);
  assert.throws(() => renderShellScript(script, { x: 'a;headers=@/etc/passwd' }), /through \$T.* holds ";"/);
  assert.throws(() => renderShellScript(script, { x: 'a,/etc/passwd' }), /through \$T.* holds ","/);
  assert.doesNotThrow(() => renderShellScript(script, { x: 'application/gzip' }));
  // --form-string reads nothing.
  assertAccepted(['curl', '--form-string', 'notes={{x}}', URL]);
  assert.doesNotThrow(() =>
    renderArgv(['curl', '--form-string', 'notes={{x}}', URL], 'a;headers=@/etc/passwd'),
  );
});

test('kubectl --from-file and --from-env-file are lists split at ",": a value there holds no "," nor \'"\'', () => {
  const list = /holds "[,\\"]+" in the argument of (kubectl|oc) --from(-env)?-file, which \w+ splits at ","/;
  checkedOnceRendered(
    ['kubectl', 'create', 'secret', 'generic', 's', '--from-file={{x}}=config/app.yaml'],
    ['k,/proc/self/environ,k2', 'k"', 'a=/etc/passwd'],
    ['app.yaml', 'APP_CONFIG'],
    /splits at ","|is in the name of the local file/,
  );
  checkedOnceRendered(
    ['kubectl', 'create', 'configmap', 'c', '--from-file', 'app-{{x}}.yaml=config/app.yaml'],
    ['a,/proc/self/environ,b'],
    ['prod'],
    list,
  );
  checkedOnceRendered(
    ['oc', 'create', 'secret', 'generic', 's', '--from-env-file=config/{{x}}.env'],
    ['a,/proc/self/environ'],
    ['prod'],
    /holds ","/,
  );
  const script = 'K={{x}}; kubectl create secret generic s --from-file="$K=config/app.yaml"';
  assertScriptAccepted(script);
  assert.throws(
    () => renderShellScript(script, { x: 'k,/proc/self/environ,k2' }),
    /through \$K.*splits at ","/,
  );
  assert.doesNotThrow(() => renderShellScript(script, { x: 'app.yaml' }));
  // --from-literal is not split.
  assert.doesNotThrow(() =>
    renderArgv(
      ['kubectl', 'create', 'configmap', 'c', '--from-literal=v={{x}}', '--from-file=a.yaml'],
      '1,2',
    ),
  );
});

test('common forms that read no file stay accepted, whatever the value', () => {
  const forms: string[][] = [
    ['curl', '-fsS', `https://deploy.example.com/{{x}}/health`],
    ['curl', '-d', 'version={{x}}', URL],
    ['curl', '--data-raw', '{{x}}', URL],
    ['curl', '--form-string', 'f={{x}}', URL],
    ['curl', '--data-urlencode', 'version={{x}}', URL],
    ['curl', '-b', 'session={{x}}', URL],
    ['curl', '-H', 'X-Version: {{x}}', URL],
    ['curl', '-F', 'payload=@payload.json', '--form-string', 'version={{x}}', URL],
    ['curl', '-d', '@payload.json', `${URL}?v={{x}}`],
    ['gh', 'api', 'repos/o/r/issues', '-f', 'body={{x}}'],
    ['kubectl', 'create', 'secret', 'generic', 'x', '--from-literal=v={{x}}'],
    ['kubectl', 'create', 'configmap', 'c', '--from-file=app.yaml=config/app.yaml', '--from-literal=v={{x}}'],
    ['wget', '--post-data=version={{x}}', URL],
    ['aws', 's3', 'cp', 'dist/app.zip', 's3://bucket/{{x}}/app.zip'],
    ['az', 'storage', 'blob', 'upload', '--file', 'dist/app.zip', '--name', 'app-{{x}}.zip'],
  ];
  for (const argv of forms) {
    assertAccepted(argv);
    for (const value of ['@/proc/self/environ', 'file:///proc/self/environ', '1.2.3']) {
      assert.doesNotThrow(() => renderArgv(argv, value), `${argv.join(' ')} with ${value}`);
      assert.doesNotThrow(() => renderLine(argv, value), `${shellCommandLine(argv)} with ${value}`);
    }
  }
  assertScriptAccepted(`curl -d "version=$DEPLOY_X" ${URL}`);
});

test('in a shell script, a variable set from a template is checked where it lands', () => {
  const script = `v={{x}}; curl -fsS -d "$v" ${URL}`;
  assertScriptAccepted(script);
  assert.throws(
    () => renderShellScript(script, { x: '@/proc/self/environ' }),
    /the value of \{\{x\}\} \(through \$v, set from it\) starts with "@" where curl -d reads/,
  );
  assert.match(renderShellScript(script, { x: '1.2.3' }).script, /curl/);
  const az = 'V={{x}}; az webapp config appsettings set -g rg -n app --settings "VERSION=$V"';
  assertScriptAccepted(az);
  assert.throws(
    () => renderShellScript(az, { x: '@/proc/self/environ' }),
    /through \$V.*where az reads "@FILE"/,
  );
  assert.doesNotThrow(() => renderShellScript(az, { x: '1.2.3' }));
  const aws = 'V={{x}}; aws s3api put-object --bucket b --key k --body "$V"';
  assert.throws(() => renderShellScript(aws, { x: 'fi' }), /aws reads "file:\/\/FILE"/);
  assert.throws(() => renderShellScript(aws, { x: 'file:///etc/passwd' }), /aws reads "file:\/\/FILE"/);
  assert.doesNotThrow(() => renderShellScript(aws, { x: 'dist/app.zip' }));
  const kubectl = 'E={{x}}; kubectl create secret generic s --from-file="config/$E.yaml"';
  assertScriptAccepted(kubectl);
  assert.throws(() => renderShellScript(kubectl, { x: '../../x' }), /through \$E.*holds "\/"/);
  assert.doesNotThrow(() => renderShellScript(kubectl, { x: 'production' }));
});

test('every spelling of the options that read a file is one: curl --opt=VALUE and prefixes, gh clusters', () => {
  // curl ≥ 8.16 reads --opt=VALUE; older curl (7.81 on ubuntu-22.04) a unique prefix of a long option.
  for (const [argv, how] of [
    [['curl', '--data=@{{x}}', URL], 'curl --data'],
    [['curl', '--upload-file={{x}}', URL], 'curl --upload-file'],
    [['curl', '--data-bin', '@{{x}}', URL], 'curl --data-binary'],
    [['curl', '--upload', '{{x}}', URL], 'curl --upload-file'],
    [['curl', '--conf', '{{x}}', URL], 'curl --config'],
    [['curl', '--form=f=@{{x}}', URL], 'curl --form'],
    // An ambiguous prefix (curl refuses it) counts as the strictest of the options it starts.
    [['curl', '--co', '{{x}}', URL], 'curl --config'],
    [['gh', 'api', 'repos/o/r/issues', '-F=body=@{{x}}'], 'gh api -F'],
    [['gh', 'api', 'repos/o/r/issues', '-iF', 'body=@{{x}}'], 'gh api -F'],
    [['gh', 'api', 'repos/o/r/issues', '-iFbody=@{{x}}'], 'gh api -F'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how} reads and sends`));
  const at = /starts with "@" where (curl --data(-binary)?|curl --json|gh api -F) reads "@FILE"/;
  for (const argv of [
    ['curl', '--data={{x}}', URL],
    ['curl', '--json={{x}}', URL],
    ['curl', '--data-b', '{{x}}', URL],
    ['gh', 'api', 'repos/o/r/issues', '-F=body={{x}}'],
    ['gh', 'api', 'repos/o/r/issues', '-iF', 'body={{x}}'],
    ['gh', 'api', 'repos/o/r/issues', '-iFbody={{x}}'],
  ])
    checkedOnceRendered(argv, ['@/proc/self/environ'], ['1.2.3'], at);
  // An exact name wins over a longer one it starts; a boolean option takes no value; -f reads no file.
  for (const argv of [
    ['curl', '--head', '{{x}}'],
    ['curl', '--data-raw={{x}}', URL],
    ['curl', '--form-string', 'f={{x}}', URL],
    ['gh', 'api', 'repos/o/r/issues', '-if', 'body={{x}}'],
    ['gh', 'api', 'repos/o/r/issues', '-f=body={{x}}'],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, '@/proc/self/environ'), argv.join(' '));
  }
});

test('in a shell script, an expansion before a template where a marker may start is not known: refused at load', () => {
  // What $P, ${P} or $(…) holds is not known here: it may be empty (the value starts the argument) or hold the
  // marker (the value names the file), and no check once rendered sees it.
  const unknown =
    /comes with \$.* in an argument where .* may read a local file and send it.*write the template first/;
  for (const script of [
    `curl -d "$EMPTY{{x}}" ${URL}`,
    `curl -d "\${EMPTY:-}{{x}}" ${URL}`,
    `P=@; curl -d "$P{{x}}" ${URL}`,
    `curl -d "$(true){{x}}" ${URL}`,
    `curl -F "notes=$EMPTY{{x}}" ${URL}`,
    `curl -T "$DIR/{{x}}" ${URL}`,
    `az rest --method post --uri ${URL} --body "$EMPTY{{x}}"`,
    `aws s3api put-object --bucket b --key k --body "$S{{x}}"`,
    `gh api repos/o/r/issues -F "body=$EMPTY{{x}}"`,
    `V={{x}}; curl -d "$P$V" ${URL}`,
  ])
    assertScriptRefused(script, unknown);
  // After fixed text that starts no marker, or a template first, the expansion changes nothing: accepted.
  for (const script of [
    `curl -d "version={{x}}&sha=$GITHUB_SHA" ${URL}`,
    `curl -d "sha=$GITHUB_SHA&version={{x}}" ${URL}`,
    `curl -fsS -H "Authorization: Bearer $TOKEN" -d "{\\"v\\":\\"{{x}}\\"}" ${URL}`,
    `curl -T "dist/$SUB/app-{{x}}.tgz" ${URL}`,
    `aws s3 cp dist/app.zip "s3://$BUCKET/{{x}}/app.zip"`,
    `gh api "repos/$GITHUB_REPOSITORY/deployments" -F "ref=v{{x}}"`,
  ])
    assertScriptAccepted(script);
  // A template before the expansion is checked once rendered, as ever.
  const first = `curl -d "{{x}}$SUFFIX" ${URL}`;
  assertScriptAccepted(first);
  assert.throws(() => renderShellScript(first, { x: '@/proc/self/environ' }), /starts with "@"/);
  assert.doesNotThrow(() => renderShellScript(first, { x: '1.2.3' }));
});

test('a variable after fixed text in an aws value is not checked as the start of file://; refusals name the safe form', () => {
  // aws reads file:// only where a value (or a shorthand value, after "@=") starts: "f" in s3://bucket/f/… is
  // no file's start.
  const s3 = 'V={{x}}; aws s3 cp dist/app.zip "s3://bucket/$V/app.zip"';
  assertScriptAccepted(s3);
  for (const value of ['f', 'fi', 'file', 'prod'])
    assert.doesNotThrow(() => renderShellScript(s3, { x: value }), value);
  // Where it starts the value, or a shorthand value, a start of file:// is refused as before.
  const body = 'V={{x}}; aws s3api put-object --bucket b --key k --body "$V"';
  assert.throws(() => renderShellScript(body, { x: 'fi' }), /aws reads "file:\/\/FILE"/);
  const tags = 'V={{x}}; aws ec2 create-tags --resources i-1 --tags "Key=v,Value@=$V"';
  assert.throws(() => renderShellScript(tags, { x: 'fi' }), /aws reads "file:\/\/FILE"/);
  assert.doesNotThrow(() => renderShellScript(tags, { x: '1.2.3' }));
  // A variable set some other way where curl -d may read a file: the refusal names --data-raw.
  assertScriptRefused(
    `BODY=$(jq -n --arg v {{x}} '{v:$v}'); curl -fsS -d "$BODY" ${URL}`,
    /is where curl -d may read a local file .*write the template itself there, or pass the value with --data-raw/,
  );
});

test('curl --url-query, --variable NAME@FILE, --expand-OPT, -w @FILE and --etag-compare read a file too', () => {
  for (const [argv, how] of [
    [['curl', '--url-query', 'q@{{x}}', URL], 'curl --url-query'],
    [['curl', '--variable', 'v@{{x}}', '--expand-url', `${URL}?v={{v}}`], 'curl --variable'],
    [['curl', '--expand-data', '@{{x}}', URL], 'curl --data'],
    [['curl', '--expand-upload-file={{x}}', URL], 'curl --upload-file'],
    [['curl', '-w', '@{{x}}', URL], 'curl -w'],
    [['curl', '--etag-compare', '{{x}}', URL], 'curl --etag-compare'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how} reads and sends`));
  const at = /starts with "@" where curl (--url-query|--variable|--data|-w|--write-out) reads "@FILE"/;
  for (const [argv, bad] of [
    [['curl', '--url-query', '{{x}}', URL], '@/proc/self/environ'],
    [['curl', '--variable', '{{x}}', URL], 'v@/proc/self/environ'],
    [['curl', '--variable', 'v{{x}}', URL], '@/proc/self/environ'],
    [['curl', '--expand-data', '{{x}}', URL], '@/proc/self/environ'],
    [['curl', '-sw', '{{x}}', URL], '@/proc/self/environ'],
    [['curl', '--write-out={{x}}', URL], '@/proc/self/environ'],
  ] as Array<[string[], string]>)
    checkedOnceRendered(argv, [bad], ['1.2.3'], at);
  for (const argv of [
    ['curl', '--url-query', 'version={{x}}', URL],
    ['curl', '--variable', 'version={{x}}', URL],
    ['curl', '-w', '%{http_code} {{x}}', URL],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, '@/proc/self/environ'), argv.join(' '));
  }
});

test('an expansion in the middle of an az or aws name does not make the template after it unknown', () => {
  for (const script of [
    'az group create -n "rg-$PREFIX-{{x}}" -l westeurope',
    'aws cloudformation deploy --template-file t.yaml --stack-name "app-$PREFIX-{{x}}"',
  ])
    assertScriptAccepted(script);
  // Right after the "=", an empty $PREFIX would let the value start az's "@": refused.
  assertScriptRefused(
    'az webapp config appsettings set -g rg -n app --settings "VERSION=$PREFIX{{x}}"',
    /comes with \$PREFIX .* where az may read a local file/,
  );
});

// Found by reviewing the merged branches: the argv form of ssh's remote line, one value reaching two reads,
// a name in curl --variable through a variable, and its byte ranges.
test("ssh's remote line as an argv word: an expansion before a template is unknown there too", () => {
  for (const line of [
    'P=@; curl -d "$P{{x}}" https://h.example.com/',
    'curl -d "$EMPTY{{x}}" https://h.example.com/',
    'aws s3api put-object --bucket b --key k --body "${P}{{x}}"',
  ])
    assertRefused(['ssh', 'deploy@host', line], /comes with \$\w+|what it holds is not known|not known/);
});

test('a value reaching two arguments that read files is checked for each of them', () => {
  const remote = `ssh h 'curl -d {{x}} https://a/; aws s3api put-object --bucket b --key k --body {{x}}'`;
  const local = 'V={{x}}; curl -d "$V" https://a/; aws s3api put-object --bucket b --key k --body "$V"';
  const reversed = 'V={{x}}; aws s3api put-object --bucket b --key k --body "$V"; curl -d "$V" https://a/';
  for (const script of [remote, local, reversed]) {
    assert.throws(() => renderShellScript(script, { x: '@/etc/passwd' }), /"@"/, script);
    assert.doesNotThrow(() => renderShellScript(script, { x: '1.2.3' }), script);
  }
  for (const script of [local, reversed])
    assert.throws(() => renderShellScript(script, { x: 'file:///etc/passwd' }), /file:\/\//, script);
});

test('curl --variable: a value ending the name through a variable, and a byte range before the file', () => {
  assert.throws(
    () => renderShellScript('V={{x}}; curl --variable "N$V" https://h/', { x: '@/proc/self/environ' }),
    /"@"/,
  );
  assert.doesNotThrow(() => renderShellScript('V={{x}}; curl --variable "N=$V" https://h/', { x: '@x' }));
  assertRefused(['curl', '--variable', 'N[0-65535]@{{x}}', 'https://h/'], /curl --variable/);
  checkedOnceRendered(['curl', '--variable', 'N[{{x}}', 'https://h/'], ['0-9]@/etc/passwd'], ['0-9]'], /"@"/);
});

test('wget -e runs a wgetrc command (post_file=, body_file=, input=): a template anywhere in it is refused at load', () => {
  for (const argv of [
    ['wget', '-e', 'post_file={{x}}', URL],
    ['wget', '-e', 'timeout={{x}}', URL],
    ['wget', '-qe', 'body_file = dist/{{x}}.json', '--method=PUT', URL],
    ['wget', '-epost_file={{x}}', URL],
    ['wget', '--execute=input={{x}}'],
    ['wget', '--execute', '{{x}}', URL],
    ['wget', '--exe', 'load_cookies={{x}}', URL],
  ])
    assertRefused(argv, /\{\{x\}\}( \(character \d+\))? is in a command wget (-e|--execute) runs/);
  assertScriptRefused(`V={{x}}; wget -e "post_file=$V" ${URL}`, /wget -e/);
  // On the remote host ssh runs it on, and through a remote variable.
  assertRefused(
    ['ssh', 'deploy@host', `wget -e post_file={{x}} ${URL}`],
    /is in a command wget -e runs on the remote host/,
  );
  assertScriptRefused(
    `ssh deploy@host 'v={{x}}; wget -e post_file=$v ${URL}'`,
    /reaches, through the remote variable \$v set from it, where wget -e may read a file on the remote host/,
  );
  // A wgetrc command written whole, and options taking a value before it, read no value.
  for (const argv of [
    ['wget', '-e', 'robots=off', '-O', 'out.html', `https://h.example.com/{{x}}`],
    ['wget', '-qO-', '--post-data=version={{x}}', URL],
    ['wget', '-nv', '--header', 'X-Version: {{x}}', URL],
    ['wget', '--certificate=client.pem', '--private-key=client.key', `${URL}?v={{x}}`],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, '/proc/self/environ'), argv.join(' '));
  }
});

test('wget --config, -i/--input-file and --load-cookies read a local file: the same rule as --post-file', () => {
  for (const [argv, how] of [
    [['wget', '--config={{x}}', URL], 'wget --config'],
    [['wget', '--conf', '{{x}}', URL], 'wget --config'],
    [['wget', '-i', '{{x}}'], 'wget -i'],
    [['wget', '-qi', './{{x}}'], 'wget -i'],
    [['wget', '-nv', '-i{{x}}'], 'wget -i'],
    [['wget', '--input-file', '{{x}}'], 'wget --input-file'],
    [['wget', '--load-cookies={{x}}', URL], 'wget --load-cookies'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how} reads and sends`));
  const path = /is part of the name of the local file wget (--config|-i|--input-file) reads and sends/;
  for (const argv of [
    ['wget', '--config=conf/{{x}}.wgetrc', URL],
    ['wget', '-i', 'urls/{{x}}.txt'],
  ])
    checkedOnceRendered(argv, ['../../proc/self/environ', 'a/b'], ['production', '1.2.3'], path);
});

test('kubectl/oc create secret tls --cert/--key and the --from-env-file of every create command read a local file', () => {
  for (const [argv, how] of [
    [['kubectl', 'create', 'secret', 'tls', 't', '--cert', '{{x}}', '--key', 'tls.key'], 'kubectl --cert'],
    [['kubectl', 'create', 'secret', 'tls', 't', '--cert=tls.crt', '--key={{x}}'], 'kubectl --key'],
    [['oc', '-n', 'prod', 'create', 'secret', 'tls', 't', '--cert=./{{x}}', '--key=k'], 'oc --cert'],
    [['kubectl', 'create', 'secret', 'docker-registry', 'r', '--from-file={{x}}'], 'kubectl --from-file'],
    [['kubectl', 'create', 'configmap', 'c', '--from-env-file', '{{x}}'], 'kubectl --from-env-file'],
  ] as Array<[string[], string]>)
    assertRefused(argv, new RegExp(`is in the name of the local file ${how} reads and sends`));
  checkedOnceRendered(
    ['kubectl', 'create', 'secret', 'tls', 't', '--cert=certs/{{x}}.crt', '--key=certs/{{x}}.key'],
    ['../../home/runner/.ssh/id_rsa', 'a/b'],
    ['production', 'eu-west-1'],
    /is part of the name of the local file kubectl --(cert|key) reads and sends/,
  );
  for (const argv of [
    ['kubectl', 'create', 'secret', 'tls', 'tls-{{x}}', '--cert=tls.crt', '--key=tls.key', '-n', '{{x}}'],
    ['kubectl', 'create', 'secret', 'docker-registry', 'r', '--docker-server={{x}}', '--docker-username=u'],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, 'production'), argv.join(' '));
  }
});

test('a template in a default-value expansion where a file is read is refused at load, written or through a variable', () => {
  // ${V:-…}, ${V-…}, ${V:=…}, ${V:+…}: what the expansion yields (V or the template) is not known here.
  for (const script of [
    `curl -d @"\${V:-{{x}}}" ${URL}`,
    `curl -T "\${V:-{{x}}}" ${URL}`,
    `curl -T "\${V-{{x}}}" ${URL}`,
    `curl -T "\${V:={{x}}}" ${URL}`,
    `curl -T "dist/\${V:+{{x}}}" ${URL}`,
  ])
    assertScriptRefused(script, /\{\{x\}\}( \(character \d+\))? is inside \$\{…\}/);
  for (const script of [
    `v={{x}}; curl -T "\${V:-$v}" ${URL}`,
    `v={{x}}; curl -d @"\${V:+$v}" ${URL}`,
    `v={{x}}; curl -T "dist/\${V:-$v}" ${URL}`,
    `curl -T "\${V:-$DEPLOY_X}" ${URL}`,
  ])
    assertScriptRefused(
      script,
      /comes with \$\{V:[-+]\$(v|DEPLOY_X)\} in an argument where curl -[dT] may read a local file/,
    );
});

test('in a file name, a component of a value and shell expansions is ".." when they are empty: it fails the command', () => {
  const dots =
    /the value of \{\{x\}\} is part of the name of the local file (curl -T|scp) reads and sends .*is "\.\."/;
  for (const script of [
    `curl -T "dist/$V{{x}}/app.tgz" ${URL}`,
    `curl -T "dist/\${V}{{x}}" ${URL}`,
    `curl -T "dist/{{x}}.$V/app.tgz" ${URL}`,
    'scp "dist/$SUB{{x}}/app.tgz" deploy@host:/srv/',
  ]) {
    assertScriptAccepted(script);
    assert.throws(() => renderShellScript(script, { x: script.includes('.$V') ? '.' : '..' }), dots, script);
    assert.doesNotThrow(() => renderShellScript(script, { x: 'production' }), script);
  }
});

// ssh, scp and sftp read their config (-F), a key (-i, -o IdentityFile, CertificateFile), the hosts they trust
// (-o GlobalKnownHostsFile), connect through a socket (ssh -S, -o ControlPath, IdentityAgent) and write a log
// (ssh -E) or the known hosts (-o UserKnownHostsFile): a value choosing that file is refused, or checked once
// rendered after a fixed directory, as any file a tool reads or writes.
test('the files ssh, scp and sftp take from their options: refused or checked as files read or written', () => {
  for (const [argv, how] of [
    [['ssh', '-F', '{{x}}', 'host'], 'ssh -F reads its options from'],
    [['scp', '-F', '{{x}}', 'app.tgz', 'host:/srv/'], 'scp -F reads its options from'],
    [['sftp', '-F', '{{x}}', 'host'], 'sftp -F reads its options from'],
    [['ssh', '-i', '{{x}}', 'host', 'true'], 'ssh -i logs in with the key or certificate in'],
    [['ssh', '-ti{{x}}', 'host'], 'ssh -i logs in with the key'],
    [['ssh', 'host', '-i', '{{x}}', 'true'], 'ssh -i logs in with the key'],
    [['scp', '-i', '{{x}}', 'app.tgz', 'host:/srv/'], 'scp -i logs in with the key'],
    [['sftp', '-i', '{{x}}', 'host'], 'sftp -i logs in with the key'],
    [['ssh', '-o', 'IdentityFile={{x}}', 'host'], 'ssh -o IdentityFile logs in with the key'],
    [['ssh', '-oIdentityFile={{x}}', 'host'], 'ssh -o IdentityFile logs in with the key'],
    [['scp', '-o', 'CertificateFile {{x}}', 'a', 'host:b'], 'scp -o CertificateFile logs in with the key'],
    [['ssh', '-o', 'UserKnownHostsFile={{x}}', 'host'], 'ssh -o UserKnownHostsFile writes \\(appends to\\)'],
    [['ssh', '-o', 'GlobalKnownHostsFile={{x}}', 'host'], 'ssh -o GlobalKnownHostsFile trusts the host keys'],
    [['ssh', '-S', '{{x}}', 'host'], 'ssh -S connects through the socket'],
    [['ssh', '-o', 'ControlPath={{x}}', 'host'], 'ssh -o ControlPath connects through the socket'],
    [['ssh', '-E', '{{x}}', 'host'], 'ssh -E writes \\(appends to\\)'],
  ] as const)
    assertRefused([...argv], new RegExp(`is in the name of the local file ${how}`));
  // Options that load or run code are refused as ProxyCommand is.
  assertRefused(['ssh', '-o', 'PKCS11Provider={{x}}', 'host'], /ssh loads PKCS11Provider as a library/);
  // ssh -I is -o PKCS11Provider; ssh-keygen -D and -w, ssh-add -s, -e and -S name libraries too.
  for (const argv of [
    ['ssh', '-I', '{{x}}', 'host'],
    ['ssh', '-vI', '{{x}}', 'host'],
    ['ssh', '-I{{x}}', 'host'],
    ['ssh', 'host', '-I', '{{x}}', 'true'],
  ])
    assertRefused(argv, /is inside the value of "ssh -I".*ssh loads its value as a PKCS#11 library/);
  assertScriptRefused('P={{x}}; ssh -I "$P" host', /\$P .*holds \{\{x\}\}.*"ssh -I"/);
  for (const [argv, how] of [
    [['ssh-keygen', '-D', '{{x}}'], 'ssh-keygen -D'],
    [['ssh-keygen', '-t', 'ed25519-sk', '-w{{x}}', '-f', 'k'], 'ssh-keygen -w'],
    [['ssh-add', '-s', '{{x}}'], 'ssh-add -s'],
    [['ssh-add', '-e', '/usr/lib/{{x}}.so'], 'ssh-add -e'],
    [['ssh-add', '-KS', '{{x}}'], 'ssh-add -S'],
  ] as const)
    assertRefused([...argv], new RegExp(`inside the value of "${how}".*loads its value as a library`));
  // scp's and sftp's options are read as getopt reads them: clusters, glued values; a template among the
  // letters could be more options (-oProxyCommand=…).
  assertRefused(['scp', '-qo', 'ProxyCommand={{x}}', 'a', 'host:b'], /ssh runs ProxyCommand through a shell/);
  assertRefused(['sftp', '-qoProxyCommand={{x}}', 'host'], /ssh runs ProxyCommand through a shell/);
  assertRefused(['scp', '-{{x}}', 'a', 'host:b'], /scp would read its value as more options/);
  assertRefused(['sftp', '-q{{x}}', 'host'], /sftp would read its value as more options/);
  assertRefused(
    ['scp', '-qF{{x}}', 'a', 'host:b'],
    /is in the name of the local file scp -F reads its options/,
  );
  // sftp -s: with a "/", a command the remote shell runs as the sftp server.
  for (const argv of [
    ['sftp', '-s', '{{x}}', 'host'],
    ['sftp', '-s{{x}}', 'host'],
    ['sftp', '-qs', '/usr/lib/{{x}}', 'host'],
  ])
    assertRefused(argv, /inside the value of "sftp -s".*the remote shell runs as the sftp server/);
  assertRefused(['scp', '-o', 'XAuthLocation={{x}}', 'a', 'host:b'], /ssh runs XAuthLocation as a program/);
  assertRefused(['ssh', '-o', 'ProxyCommand={{x}}', 'host'], /ssh runs ProxyCommand through a shell/);
  checkedOnceRendered(
    ['ssh', '-i', 'keys/{{x}}', 'host', 'true'],
    ['../../.ssh/id_rsa', '..'],
    ['production'],
    /\{\{x\}\}/,
  );
  for (const argv of [
    ['ssh', '-i', '~/.ssh/id_ed25519', 'host', './deploy.sh'],
    ['ssh', '-F', './ssh_config', 'host', 'true'],
    ['ssh', '-o', 'IdentityFile=~/.ssh/deploy', '-o', 'Port={{x}}', 'host', 'true'],
    ['scp', '-i', '~/.ssh/deploy', 'dist/app-{{x}}.tgz', 'host:/srv/'],
    ['sftp', '-F', './ssh_config', '-b', 'batch.txt', 'host'],
    ['sftp', '-b', 'batch.txt', 'host'],
    ['sftp', '-s', 'sftp', '-P', '{{x}}', 'host'],
    ['scp', '-i', 'key', 'a', 'host:/b'],
    ['scp', '-qP', '{{x}}', 'a', 'host:/srv/'],
    ['ssh', '-i', 'key', '-p', '{{x}}', 'host', 'true'],
    ['ssh-keygen', '-t', 'ed25519', '-f', 'keys/deploy', '-C', 'deploy-{{x}}', '-N', ''],
    ['ssh-add', '-t', '600', '~/.ssh/deploy'],
    ['ssh', '-E', 'logs/ssh.log', 'host', 'true'],
  ])
    assertAccepted(argv);
  // The command ssh hands the remote host is not ssh's options (ls -i there lists inode numbers).
  assertScriptAccepted('ssh host ls -i {{x}}');
});

test('each item of a list of files is a file of its own: a value starting an item names the file', () => {
  // After fixed text and a ",", the value starts a new item: a file of the working directory, uploaded.
  for (const [argv, how] of [
    [['cosign', 'upload', 'blob', '-f', 'a.tgz,{{x}}', 'reg/b:1'], 'cosign upload blob -f'],
    [['cosign', 'upload', 'blob', '--files=a.tgz,../{{x}}', 'reg/b:1'], 'cosign upload blob --files'],
    [['kubectl', 'create', 'configmap', 'c', '--from-file=a,{{x}}'], 'kubectl --from-file'],
    [['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,k={{x}}'], 'kubectl --from-file'],
    [['kubectl', 'create', 'secret', 'generic', 's', '--from-file', 'k=a.yaml,{{x}}'], 'kubectl --from-file'],
  ] as Array<[string[], string]>)
    assertRefused(
      argv,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? is in the name of the local file ${how} reads and sends`,
      ),
    );
  // In an item after a fixed directory, the file rule's check once rendered, as for one file.
  for (const argv of [
    ['cosign', 'upload', 'blob', '-f', 'a.tgz,dist/app-{{x}}.tgz', 'reg/b:1'],
    ['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,k=config/{{x}}.yaml'],
    ['kubectl', 'create', 'configmap', 'c', '--from-file=config/{{x}}.yaml,b.yaml'],
  ])
    checkedOnceRendered(
      argv,
      ['../x', 'a,b', 'a/b'],
      ['prod'],
      /is part of the name of the local file|splits at ","/,
    );
  // In a shell script, an expansion before the template may hold a ",", after which the value starts an item.
  assertScriptRefused(
    'cosign upload blob -f "a.tgz$P{{x}}" reg/b:1',
    /\{\{x\}\} \(character \d+\) comes with \$P in an argument where cosign upload blob -f may read a local file/,
  );
  for (const script of [
    'cosign upload blob -f "a.tgz,dist/app-{{x}}.tgz,$EXTRA" reg/b:1',
    'kubectl create configmap c --from-file="config/app$P-{{x}}.yaml"',
  ])
    assertScriptAccepted(script);
});

test('each item of a [KEY=]FILE list has its own key: a later item\'s "=" ends no earlier item\'s key', () => {
  for (const argv of [
    ['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,{{x}},k=b.yaml'],
    ['kubectl', 'create', 'secret', 'generic', 's', '--from-file=id_rsa,{{x}},known_hosts=kh'],
    ['kubectl', 'create', 'configmap', 'c', '--from-file', '{{x}},k=b.yaml'],
    ['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,j={{x}},k=b.yaml'],
  ])
    assertRefused(
      argv,
      /\{\{x\}\}( \(character \d+\))? is in the name of the local file kubectl --from-file reads/,
    );
  // After a fixed directory, or in an item's key, checked once rendered.
  for (const argv of [
    ['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,dir/{{x}},k=b.yaml'],
    ['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,dir/{{x}}.yaml,k=b.yaml'],
  ])
    checkedOnceRendered(
      argv,
      ['../x', 'a,b', 'a/b'],
      ['prod'],
      /is part of the name of the local file|splits at ","/,
    );
  checkedOnceRendered(
    ['kubectl', 'create', 'configmap', 'c', '--from-file=a.yaml,k{{x}}=b.yaml,j=c.yaml'],
    ['a=b', 'a,b'],
    ['prod'],
    /\{\{x\}\}/,
  );
});
