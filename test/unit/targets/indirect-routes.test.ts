// Routes by which a templated value reaches an argument naming a file without being written there: what xargs
// reads becomes arguments of the command it runs; a config curl reads on standard input sets any option; a
// program named by an expansion may be any program; a default of ${…} and the output of $(…) are parts of the
// word they are in. A value reaching a file argument by such a route is refused when the config loads, however
// it is fed (a pipe, a here-string, a here-document, <(…)); the same forms with fixed input stay accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeShellTemplate, renderShellScript } from '../../../src/targets/shell-script.ts';
import { assertAccepted, assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const URL = 'https://deploy.example.com/hook';

test('what xargs reads is checked where xargs puts it: a value there naming or starting a file is refused', () => {
  const forms: Array<[string, RegExp]> = [
    // Appended after the last word.
    [
      'echo {{x}} | base64 -d | xargs curl -d',
      /\{\{x\}\} \(character 6\) is in the output of a command piped into xargs, which xargs puts after "curl -d" as its last arguments, where curl -d may read a local file and send it: the value would choose a file of the runner to send/,
    ],
    [
      'echo @{{x}} | xargs curl -d',
      /xargs puts after "curl -d" as its last arguments, where curl -d may read/,
    ],
    ["printf '%s\\n' {{x}} | xargs rm", /piped into xargs, which xargs puts after "rm" .* where rm deletes/],
    ['echo {{x}} | xargs rm -f --', /piped into xargs, which xargs puts after "rm -f --"/],
    ['echo {{x}} | xargs -n1 sudo rm', /xargs puts after "-n1 sudo rm" .* where rm deletes/],
    ['echo {{x}} | xargs cat', /where cat prints to the job's log/],
    ['echo {{x}} | xargs kubectl create secret generic s --from-file', /where kubectl --from-file may read/],
    // In place of -I's string.
    [
      'echo {{x}} | xargs -I{} cp app.tgz {}',
      /xargs puts in place of \{\} in "\{\}", where cp writes a local file/,
    ],
    [
      'echo {{x}} | tr a-z A-Z | xargs -I{} cp app.tgz releases/{}.tgz',
      /in place of \{\} in "releases\/\{\}\.tgz"/,
    ],
    [
      `echo {{x}} | xargs -I % curl -d @% ${URL}`,
      /in place of % in "@%", where curl -d may read a local file/,
    ],
    [`echo {{x}} | xargs --replace curl -T {} ${URL}`, /in place of \{\} in "\{\}", where curl -T/],
    // However the input is fed.
    ['xargs rm <<< {{x}}', /is in a here-string fed to xargs, which xargs puts after "rm"/],
    ['xargs rm <<EOF\n{{x}}\nEOF', /is in a here-document fed to xargs, which xargs puts after "rm"/],
    ['cat <<EOF | xargs rm\n{{x}}\nEOF', /piped into xargs, which xargs puts after "rm"/],
    ['xargs rm < <(echo {{x}})', /is inside <\(…\) redirected into xargs, which xargs puts after "rm"/],
    ['echo {{x}} | tr , "\\n" | xargs rm', /piped into xargs/],
    ['{ echo a.txt; echo {{x}}; } | xargs rm', /piped into xargs/],
    ['echo {{x}} | tee >(xargs rm)', /piped into >\(xargs\), which xargs puts after "rm"/],
    [
      'v={{x}}; echo "$v" | xargs rm',
      /\$v \(character \d+\) holds \{\{x\}\}.* piped into xargs, which xargs puts/,
    ],
  ];
  for (const [script, message] of forms) assertScriptRefused(script, message);
});

test('what xargs puts where its program reads options could be an option naming a file: refused', () => {
  const forms: Array<[string, RegExp]> = [
    [
      `echo {{x}} | tr a-z A-Z | xargs curl ${URL}`,
      /\{\{x\}\} \(character 6\) is in the output of a command piped into xargs, which xargs puts after "curl https:\/\/deploy\.example\.com\/hook" as its last arguments, where curl reads options: the value could be an option naming a file \(curl -T may read a local file and send it/,
    ],
    [
      'echo {{x}} | tr a-z A-Z | xargs -I{} curl {}',
      /in place of \{\} in "\{\}", where curl reads options: .*curl -T/,
    ],
    [
      'echo {{x}} | tr a-z A-Z | xargs -n1 wget -qO-',
      /where wget reads options: the value could be an option naming a file \(wget -o writes/,
    ],
    // Without -O, the URL itself names the file wget writes.
    [
      'echo {{x}} | tr a-z A-Z | xargs -n1 wget',
      /where wget writes \(wget names the file after the last part of the URL\) a local file/,
    ],
    // tar's operands when it creates are files it packs: named outright, or as an option (-T/etc/passwd).
    ['xargs tar -czf out.tgz <<< {{x}}', /here-string fed to xargs, .* where tar packs into its archive/],
    [
      'xargs tar -cz -f out.tgz -- <<< {{x}}',
      /here-string fed to xargs, .* where tar packs into its archive/,
    ],
  ];
  for (const [script, message] of forms) assertScriptRefused(script, message);
  // After --, the program reads no option there.
  assertScriptAccepted('echo {{x}} | xargs -I{} curl -- {}');
});

test('what xargs reads, each value alone as written, is classified and checked as the command written out', () => {
  // aws reads file:// in any parameter's value, but an s3:// URL's key names no local file: as
  // `aws s3 rm s3://bucket/{{x}}`, accepted and checked once rendered.
  const accepted: Array<[string, string[], string[], RegExp]> = [
    [
      'echo {{x}} | xargs -I{} aws s3 rm s3://bucket/{}',
      ['a,k@=file:///etc/passwd', 'a\\nb', 'a\nb'],
      ['releases/app-1.2.3.zip'],
      /fed to xargs/,
    ],
    [
      'xargs -I{} aws s3 rm s3://bucket/{} <<< {{x}}',
      ['a,k@=file:///etc/passwd', '-x'],
      ['app.zip'],
      /fed to xargs/,
    ],
    [
      "printf '%s\\n' {{x}} | xargs -I{} aws s3 rm s3://bucket/{}",
      ['a,k@=fileb:///etc/passwd'],
      ['a'],
      /fed to xargs/,
    ],
    // As `curl -d {{x}}` and `curl https://host {{x}}`: a value starting with @ or - fails.
    ['echo {{x}} | xargs curl -d', ['@/etc/passwd', '-T/etc/passwd'], ['version=1.2'], /fed to xargs/],
    [
      `echo {{x}} | xargs curl ${URL}`,
      ['-T/etc/passwd', '-o', 'a b'],
      ['https://example.com/x'],
      /fed to xargs/,
    ],
    ['echo {{x}} | xargs -I{} curl {}', ['-T/etc/passwd'], ['https://example.com/x'], /fed to xargs/],
    // As `cp app.tgz releases/{{x}}.tgz`: one plain name there.
    [
      'echo {{x}} | xargs -I{} cp app.tgz releases/{}.tgz',
      ['../../.ssh/authorized_keys'],
      ['1.2.3'],
      /fed to xargs/,
    ],
  ];
  for (const [script, bad, good, message] of accepted) {
    assertScriptAccepted(script);
    for (const value of bad)
      assert.throws(() => renderShellScript(script, { x: value }), message, `${script} with ${value}`);
    for (const value of good) assert.doesNotThrow(() => renderShellScript(script, { x: value }), script);
  }
  // A listing's output holds the names it finds, not the value.
  assertScriptAccepted(
    "aws s3 ls s3://b/{{env}}/ | awk '{print $4}' | xargs -r -I{} aws s3 rm s3://b/{{env}}/{}",
  );
  // What xargs reads is not the value alone: text around it (fi + le://…), a transform, a here-document.
  for (const script of [
    'echo fi{{x}} | xargs aws s3 rm',
    'xargs aws s3 rm <<< fi{{x}}',
    'v=fi{{x}}; echo "$v" | xargs aws s3 rm',
    'echo {{x}} | base64 -d | xargs -I{} aws s3 rm s3://bucket/{}',
    'base64 -d <<< {{x}} | xargs curl -d',
    'xargs curl -d <<EOF\n{{x}}\nEOF',
    'cat <<EOF | xargs curl -d\n{{x}}\nEOF',
    'echo {{x}} {{env}} | xargs curl -d',
  ])
    assertScriptRefused(script, /xargs puts after|xargs puts in place of/);
});

test('xargs with input that carries no value, or a value where no file is named, stays accepted', () => {
  for (const script of [
    'echo "$FILES" | xargs rm -f',
    'git ls-files | xargs prettier --check',
    'git ls-files "*.yaml" | xargs -I{} kubectl apply -f {}',
    'echo {{x}} | xargs echo',
    'echo {{x}} | xargs -I{} ./deploy.sh {}',
    'echo {{x}} | xargs -n1 ./deploy.sh',
    `echo {{x}} | xargs -I{} curl -d "version={}" ${URL}`,
    'printf %s {{x}} | xargs -n1 kubectl delete pod',
    './deploy.sh {{x}}; ls dist | xargs rm -f',
  ])
    assertScriptAccepted(script);
});

test('a value in a config curl reads on its standard input is refused: a config line sets any option', () => {
  const why =
    /which curl reads as its config \(curl (-K|--config)\): each line of a config sets an option, so a value with a newline could add any \(upload-file = \/etc\/passwd/;
  for (const script of [
    'curl -K - <<< "url = {{x}}"',
    `curl --config - ${URL} <<< "header = X-Version: {{x}}"`,
    'curl -K- <<< "url = {{x}}"',
    'curl --conf - <<< "url = {{x}}"',
    'curl -K /dev/stdin <<< "url = {{x}}"',
    'curl -sS --config=- <<< "url = {{x}}"',
    'echo "url = {{x}}" | curl -K -',
    'curl -K - <<EOF\nurl = "https://deploy.example.com/{{x}}"\nEOF',
    'v={{x}}; printf \'url = %s\\n\' "$v" | curl -K -',
  ])
    assertScriptRefused(script, why);
  assertScriptRefused(
    'curl -K <(echo "url = {{x}}")',
    /\{\{x\}\} \(character 23\) is inside <\(…\), which curl reads as its config \(curl -K\)/,
  );
  // wget -i - without -O: each line a URL whose last part names the file it writes, which no check sees;
  // aria2c -i -: its lines may also set options (on-download-complete= runs a command).
  for (const script of [
    'wget -i - <<< "https://deploy.example.com/{{x}}"',
    'echo "https://deploy.example.com/{{x}}" | wget -qi -',
    'wget --input-file=/dev/stdin <<< "https://deploy.example.com/dl/{{x}}"',
  ])
    assertScriptRefused(
      script,
      /which wget reads as the URLs it fetches \(-i\), one a line, each naming the file/,
    );
  assertScriptRefused(
    'aria2c -o app.tgz -i - <<< "https://deploy.example.com/{{x}}"',
    /which aria2c reads as its input file \(-i\)/,
  );
  // A fixed config, one read from stdin with no value, data read from stdin, and a list of URLs with -O naming
  // the file (wget -O FILE -i -: each line is a URL, which the value may choose as `wget -O FILE {{x}}` may)
  // stay accepted.
  for (const script of [
    `curl -K ./fixed.curlrc ${URL}/{{x}}`,
    `curl --config deploy.curlrc ${URL}`,
    'curl -K - <<< "url = https://deploy.example.com/"',
    `curl -d @- ${URL} <<< "version={{x}}"`,
    `echo "version={{x}}" | curl --data-binary @- ${URL}`,
    'wget -O app.tgz -i - <<< "https://deploy.example.com/{{x}}"',
    'wget -qO- -i - <<< "https://deploy.example.com/{{x}}"',
  ])
    assertScriptAccepted(script);
});

test("sftp's commands and a list of files read on standard input take no value: a line could add any", () => {
  const commands =
    /fed to sftp, which sftp reads as its commands, one a line \(put FILE sends a file of the runner, get writes one, !COMMAND runs a command in a local shell\)/;
  for (const script of [
    'sftp -b - deploy@host <<< "put dist/app-{{x}}.tgz"',
    'sftp deploy@host <<EOF\nput dist/app-{{x}}.tgz /srv/\nEOF',
    'sudo sftp -b /dev/stdin deploy@host <<< "put {{x}}"',
  ])
    assertScriptRefused(script, commands);
  assertScriptRefused('echo "put {{x}}" | sftp host', /piped into sftp, which sftp reads as its commands/);
  const lists: Array<[string, RegExp]> = [
    [
      'rsync -a --files-from=- . host:/srv <<< {{x}}',
      /which rsync --files-from - reads as the names of the files it sends/,
    ],
    ['echo {{x}} | rsync -a --files-from - . host:/srv', /piped into rsync, which rsync --files-from -/],
    [
      'rclone copy --files-from - . remote:bucket <<< {{x}}',
      /which rclone --files-from - reads as the names/,
    ],
    [
      'azcopy copy --list-of-files /dev/stdin . "https://a.blob.core.windows.net/c" <<< {{x}}',
      /azcopy --list-of-files -/,
    ],
    ['s3cmd sync --files-from - s3://bucket/ <<< {{x}}', /which s3cmd --files-from - reads as the names/],
    ['tar -czf out.tgz -T - <<< {{x}}', /which tar -T - reads as the names of the files it archives/],
    ['echo {{x}} | zip out.zip -@', /which zip -@ reads as the names of the files it archives/],
  ];
  for (const [script, message] of lists) assertScriptRefused(script, message);
  for (const script of [
    'sftp -b deploy.batch deploy@host',
    'sftp -b - deploy@host <<< "put dist/app.tgz /srv/"',
    'git ls-files dist | zip out.zip -@',
    'rsync -a --files-from=release.list . host:/srv/{{x}}/',
    'grep sftp <<< {{x}}',
  ])
    assertScriptAccepted(script);
  // A batch file named by a value: the advice is a here-document with no value in it, as one with a value is refused.
  assertScriptRefused(
    'sftp -b {{x}} deploy@host',
    /or write the commands, with no value in them, in a here-document \(sftp -b - host <<EOF\): a value in sftp's commands is refused/,
  );
});

test('a value given to a program named by an expansion is refused: which program runs is not known', () => {
  const why =
    /is an argument of (\$c|\$C|\$CURL|\$\{TOOL\}|\$\(command -v curl\)|\$cmd|\$1), a program named by an expansion: which program runs is not known here/;
  for (const script of [
    `$CURL -d @{{x}} ${URL}`,
    `"\${TOOL}" -T {{x}} ${URL}`,
    'for c in curl wget; do $c {{x}}; done',
    'c=curl; [ -x ./t ] || c=$(cat tool.txt); $c -d @{{x}}',
    'c=curl; c+=" -d"; $c {{x}}',
    'c="*"; $c {{x}}',
  ])
    assertScriptRefused(script, why);
  // Set from a value on any branch: the value names the program.
  assertScriptRefused('c=curl; [ -n "$A" ] && c={{x}}; $c deploy', /in the word naming the program/);
  // Set to fixed text by every assignment, the program is that text: the command is read as written out, and
  // refused where the written-out command is (each value in turn, when there are several).
  const written: Array<[string, RegExp]> = [
    ['c=curl; $c -d @{{x}}', /curl -d reads and sends \(@\{\{x\}\}\).* \(read with \$c as curl\)/],
    [`$(command -v curl) -T {{x}} ${URL}`, /curl -T reads and sends/],
    ['c=curl; sudo "$c" -d @{{x}}', /curl -d reads and sends/],
    ['cmd=/usr/bin/curl; $cmd -T {{x}}', /curl -T reads and sends/],
    ['cmd=../../usr/bin/curl; $cmd -d @{{x}}', /curl -d reads and sends/],
    ['cmd=node_modules/.bin/npx; $cmd {{x}}', /naming the program npx runs/],
    [
      'cmd=./deploy.sh; [ -n "$FAST" ] && cmd=rm; $cmd {{x}}',
      /rm deletes or moves away .*read with \$cmd as rm/,
    ],
    ['sh -c \'"$1" -d @"$2"\' sh curl {{x}}', /curl -d reads and sends/],
    ['f() { "$1" -d @"$2"; }; f curl {{x}}', /curl -d reads and sends/],
    // Its standard input, as the written-out command's.
    [
      `cmd=../../usr/bin/curl; $cmd -K - ${URL} <<< {{x}}`,
      /here-string fed to \.\.\/\.\.\/usr\/bin\/curl, which curl reads as its config/,
    ],
    ['c=sh; echo {{x}} | $c', /piped into sh, which runs it as code.*read with \$c as sh/],
    ['c=bash; $c <<< {{x}}', /here-string fed to bash, which runs it as code/],
    ['c="sudo sh"; $c -c {{x}}', /inside the script of "sh -c"/],
    ['DOCKER=${DOCKER:-docker}; $DOCKER run --privileged={{x}} app', /docker run/],
    ['D="$GITHUB_WORKSPACE/../../usr/bin/curl"; $D -d @{{x}}', /curl -d reads and sends/],
  ];
  for (const [script, message] of written) assertScriptRefused(script, message);
  // Its character offsets are the script's as written.
  const refused = analyzeShellTemplate('KUBECTL=kubectl; $KUBECTL exec app -- sh -c {{x}}');
  assert.equal(refused.ok, false);
  if (!refused.ok)
    assert.equal(refused.problems[0]!.offset, 'KUBECTL=kubectl; $KUBECTL exec app -- sh -c '.length);
  // Its standard input too (c=sh runs it as code).
  for (const script of ['echo {{x}} | $c', '$c <<< {{x}}', '$c <<EOF\n{{x}}\nEOF'])
    assertScriptRefused(
      script,
      /fed to \$c, a program named by an expansion|piped into \$c, a program named/,
    );
  // A program named by a path after an expansion, one set to a file of the checkout alone, or given no value.
  for (const script of [
    '"$GITHUB_ACTION_PATH/deploy.sh" {{x}}',
    'cmd=./deploy.sh; $cmd {{x}}',
    'cmd="scripts/deploy.sh"; "$cmd" --version={{x}}',
    'sh -c \'"$1" -- "$2"\' sh ./deploy.sh {{x}}',
    'f() { "$1" "$2"; }; f ./deploy.sh {{x}}',
    '$SUDO apt-get update',
    'c=curl; $c --version',
    // A tool's name, several words, a default for the environment's value, a lookup on PATH: as written out.
    'KUBECTL=kubectl; $KUBECTL -n {{env}} rollout status deploy/app',
    'HELM=helm; $HELM upgrade --install app ./chart --set image.tag={{version}}',
    'COMPOSE="docker compose"; $COMPOSE -p app-{{env}} up -d',
    'DOCKER=${DOCKER:-docker}; $DOCKER push registry.example.com/app:{{version}}',
    '$(command -v docker) push registry.example.com/app:{{version}}',
    'cmd=../../usr/bin/docker; $cmd run --rm app:{{x}}',
    // A path under the checkout's, the working or the action's directory, as "$GITHUB_ACTION_PATH/deploy.sh".
    'DEPLOY=$GITHUB_WORKSPACE/scripts/deploy.sh; $DEPLOY {{version}}',
    'DEPLOY="$PWD/scripts/deploy.sh"; "$DEPLOY" {{version}}',
    'DEPLOY="${GITHUB_ACTION_PATH}/deploy.sh"; "$DEPLOY" --env={{env}}',
  ])
    assertScriptAccepted(script);
  assertAccepted(['sh', '-c', '"$1" -- "$2"', 'sh', './deploy.sh', '{{x}}']);
  // And checked once rendered as the written-out command is.
  const docker = 'cmd=../../usr/bin/docker; $cmd run --rm app:{{x}}';
  for (const value of ['x y', '-x', 'evil.example.com/x'])
    assert.throws(() => renderShellScript(docker, { x: value }), /in the tag of the image docker run runs/);
  assert.doesNotThrow(() => renderShellScript(docker, { x: '1.2.3' }));
  const kubectl = 'KUBECTL=kubectl; $KUBECTL -n {{env}} rollout status deploy/app';
  assert.throws(() => renderShellScript(kubectl, { env: 'a b' }), /the namespace kubectl -n chooses/);
  assert.doesNotThrow(() => renderShellScript(kubectl, { env: 'prod' }));
});

test('a variable set to a lookup on PATH of a fixed name is that program, as the lookup written in place is', () => {
  for (const script of [
    'DOCKER=$(command -v docker); $DOCKER push registry.example.com/app:{{version}}',
    'DOCKER="$(command -v docker)"; "$DOCKER" push registry.example.com/app:{{version}}',
    'DOCKER=$(which docker); $DOCKER push registry.example.com/app:{{version}}',
    'DOCKER=`which docker`; $DOCKER push registry.example.com/app:{{version}}',
    'KUBECTL=$(type -P kubectl); $KUBECTL -n {{version}} rollout status deploy/app',
  ])
    assertScriptAccepted(script);
  // Read as the written-out command: its refusals and its checks once rendered.
  assertScriptRefused(
    'CURL=$(command -v curl); $CURL -d @{{version}} https://h.example.com/',
    /curl -d reads and sends .*read with \$CURL as curl/,
  );
  const docker = 'DOCKER=$(command -v docker); $DOCKER push registry.example.com/app:{{version}}';
  for (const value of ['x y', '-x', 'evil.example.com/x'])
    assert.throws(
      () => renderShellScript(docker, { version: value }),
      /in the tag of the image docker push pushes/,
    );
  assert.doesNotThrow(() => renderShellScript(docker, { version: '1.2.3' }));
  // A name that is not fixed text, or another assignment from an expansion: any program.
  for (const script of [
    'DOCKER=$(command -v $TOOL); $DOCKER push registry.example.com/app:{{version}}',
    'DOCKER=$(command -v docker); [ -n "$P" ] && DOCKER=$(cat tool); $DOCKER push app:{{version}}',
  ])
    assertScriptRefused(script, /is an argument of \$DOCKER, a program named by an expansion/);
});

test('a program variable a sourced file, an eval or a nameref may change is not known: a value after it is refused', () => {
  const why =
    /is an argument of \$(KUBECTL|DOCKER), a program named by an expansion: which program runs is not known here/;
  for (const script of [
    'KUBECTL=kubectl; source ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl\n. ./env.sh\n$KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; [ -f .env ] && . ./.env; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; if true; then source env.sh; fi; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; builtin source ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; eval "$SETUP"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; declare -n r=KUBECTL; r=sh; $KUBECTL version {{version}}',
    'KUBECTL=kubectl; f() { local -n ref=$1; ref=sh; }; f KUBECTL; $KUBECTL version {{version}}',
    'KUBECTL=kubectl; typeset -gn r=KUBECTL; $KUBECTL version {{version}}',
    'DOCKER=$(command -v docker); source ./env.sh; $DOCKER push app:{{version}}',
    // The builtin written with quotes or backslashes is the builtin still.
    'KUBECTL=kubectl; \\source ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; "source" ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    "KUBECTL=kubectl; '.' ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}",
    'KUBECTL=kubectl; \\. ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; so\\urce ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; builtin "source" ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    "KUBECTL=kubectl; $'\\x73ource' ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}",
    'KUBECTL=kubectl; A=1 . ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; \\eval "$SETUP"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; "eval" "$SETUP"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; \\declare -n r=KUBECTL; r=sh; $KUBECTL version {{version}}',
    // A program variable set to one of them, run.
    'KUBECTL=kubectl; S=source; $S ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; S=\'.\'; "$S" ./env.sh; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; E=eval; ${E} "$SETUP"; $KUBECTL set image deploy/app app=img:{{version}}',
  ])
    assertScriptRefused(script, why);
  // An inline script's parameters too: the sourced file may run set -- and give "$1" any program.
  assertScriptAccepted(`sh -c '"$1" -fsS "$2"' sh curl ${URL}/{{version}}`);
  assertScriptRefused(
    `sh -c '. ./env.sh; "$1" -fsS "$2"' sh curl ${URL}/{{version}}`,
    /there \$2 is an argument of \$1, a program named by an expansion/,
  );
  // With none, the fixed text stands; "." as an argument, or a -n of another command, is no source nor nameref.
  for (const script of [
    'KUBECTL=kubectl; $KUBECTL apply -f k8s/ --namespace app',
    'KUBECTL=kubectl; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; find . -name "*.yaml"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; tar -czf a.tgz .; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; declare -r KUBECTL; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; echo -n source; $KUBECTL set image deploy/app app=img:{{version}}',
    // Quoted text that is an argument is no command: a jq filter, a message.
    "KUBECTL=kubectl; jq '.a | . + 1' f.json; $KUBECTL set image deploy/app app=img:{{version}}",
    'KUBECTL=kubectl; SETUP=./setup.sh; $SETUP; $KUBECTL set image deploy/app app=img:{{version}}',
    "KUBECTL=kubectl; echo 'run: source ./env.sh'; $KUBECTL set image deploy/app app=img:{{version}}",
    // ssh-agent prints assignments of its own two variables, nothing else.
    'KUBECTL=kubectl; eval "$(ssh-agent -s)"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl\neval $(ssh-agent) > /dev/null\n$KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; eval `ssh-agent -s`; $KUBECTL set image deploy/app app=img:{{version}}',
  ])
    assertScriptAccepted(script);
  // Any other eval still may set anything, beside one of ssh-agent's, and ssh-agent's own variables are its.
  for (const script of [
    'KUBECTL=kubectl; eval "$(ssh-agent -s)"; eval "$(cat env)"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; eval "$(ssh-agent -s) $X"; $KUBECTL set image deploy/app app=img:{{version}}',
    // ssh-agent's output as eval's one argument, whole: anything beside it counts.
    'KUBECTL=kubectl; eval "$(ssh-agent -s)" "$EXTRA"; $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; eval "$(ssh-agent -s)"$(cat env.sh); $KUBECTL set image deploy/app app=img:{{version}}',
    'KUBECTL=kubectl; \\eval "$(ssh-agent -s)" "$EXTRA"; $KUBECTL set image deploy/app app=img:{{version}}',
    'SSH_AGENT_PID=kubectl; eval "$(ssh-agent -s)"; $SSH_AGENT_PID set image deploy/app app=img:{{version}}',
  ])
    assertScriptRefused(script, /a program named by an expansion: which program runs is not known here/);
});

test('a template in a default of ${…} is refused, at least as strictly as written bare in the word', () => {
  for (const script of [
    'cat ${F:-{{x}}}',
    `curl -d @\${F:-{{x}}} ${URL}`,
    'cp app.tgz "${DEST:={{x}}}"',
    'rm -rf dist/${SUB:+{{x}}}',
    'cat ${F-{{x}}}',
  ])
    assertScriptRefused(
      script,
      /\{\{x\}\} \(character \d+\) is inside \$\{…\}, where its quoting would be taken literally/,
    );
  // A variable holding the value as the default: what the expansion holds is not known, so the value may name
  // the file.
  for (const script of [
    'F={{x}}; cat ${G:-$F}',
    `F={{x}}; curl -d @\${G:-$F} ${URL}`,
    'F={{x}}; rm "${G:=$F}"',
  ])
    assertScriptRefused(script, /\$F \(character \d+\) holds \{\{x\}\}/);
  for (const script of [
    'docker push app:${TAG:-latest}',
    'cat "${CONFIG:-deploy.yaml}"',
    'rm -f "${OUT:-out}.tmp"',
  ])
    assertScriptAccepted(script);
});

test('a value reaching a file argument through the output of $(…) is refused', () => {
  for (const script of [
    `v={{x}}; curl -d "$(echo "$v")" ${URL}`,
    `curl -d "@$(echo {{x}})" ${URL}`,
    `curl -T "$(printf %s {{x}})" ${URL}`,
    'cat "$(echo {{x}})"',
    'rm -f "$(echo {{x}})"',
    'v={{x}}; cp app.tgz "$(basename "$v")"',
  ])
    assertScriptRefused(
      script,
      /comes with \$\(.*\) in an argument where \S+( -\w)? .*, and what \$\(.*\) holds is not known here/,
    );
  for (const script of [
    `curl -d "$(cat payload.json)" ${URL}`,
    `curl -d "version=$(echo {{x}})" ${URL}`,
    'cat "$(git rev-parse --show-toplevel)/VERSION"',
  ])
    assertScriptAccepted(script);
  // The analysis says which command, which word and why, with the offset of the template.
  const analysis = analyzeShellTemplate(`curl -T "$(printf %s {{x}})" ${URL}`);
  assert.equal(analysis.ok, false);
  if (!analysis.ok) assert.equal(analysis.problems[0]!.offset, 21);
});

test('a declaration whose names come from an expansion (export $(cat .env)) may set any variable, as source does', () => {
  for (const script of [
    'KUBECTL=kubectl; export $(cat .env); $KUBECTL delete pod {{version}}',
    "KUBECTL=kubectl; export $(grep -v '^#' .env | xargs); $KUBECTL delete pod {{version}}",
    'KUBECTL=kubectl; declare -x "$LINE"; $KUBECTL delete pod {{version}}',
    'KUBECTL=kubectl; readonly `cat f`; $KUBECTL delete pod {{version}}',
  ])
    assertScriptRefused(script, /a program named by an expansion: which program runs is not known here/);
  // A declaration of a named variable, whatever its value, sets that one only.
  for (const script of [
    'KUBECTL=kubectl; export PATH="$HOME/bin:$PATH"; $KUBECTL delete pod {{version}}',
    'KUBECTL=kubectl; export VERSION=$(git rev-parse HEAD); $KUBECTL delete pod {{version}}',
  ])
    assertScriptAccepted(script);
});

test(': "${VAR:=word}" is the assignment it is: the program variable is read as written out, as VAR=${VAR:-word}', () => {
  // Refused for the written-out command's reason, not as an unknown program.
  for (const [script, message] of [
    [
      ': "${KUBECTL:=kubectl}"; $KUBECTL apply -f {{x}}',
      /is in the value of kubectl -f.*\(read with \$KUBECTL as kubectl\)/,
    ],
    [': ${C:=curl}; $C -d @{{x}} https://h/', /curl -d reads and sends/],
    [': "${DOCKER=docker}"; $DOCKER run --privileged={{x}} app', /docker run/],
  ] as Array<[string, RegExp]>)
    assertScriptRefused(script, message);
  for (const script of [
    ': "${KUBECTL:=kubectl}"; $KUBECTL set image deploy/app app=registry.example.com/app:{{x}}',
    ': ${HELM:=helm}; "$HELM" upgrade --install app ./chart --set image.tag={{x}}',
  ])
    assertScriptAccepted(script);
  // A default that is no fixed word, or another assignment that is none, leaves the program unknown.
  for (const script of [
    ': "${KUBECTL:=$X}"; $KUBECTL get pods {{x}}',
    ': "${KUBECTL:=}"; $KUBECTL get pods {{x}}',
    ': "${KUBECTL:=kubectl}"; KUBECTL=$Y; $KUBECTL get pods {{x}}',
  ])
    assertScriptRefused(script, /is an argument of \$KUBECTL, a program named by an expansion/);
});

test('a brace-expanded declaration (export {DOCKER=sh,X=y}) is an assignment of the program variable', () => {
  for (const script of [
    "DOCKER=docker; export {DOCKER='sh',X=y}; $DOCKER -c {{x}} ps",
    'DOCKER=docker; declare {DOCKER="sh",X=y}; $DOCKER -c {{x}} ps',
    'DOCKER=docker; readonly {DOCKER=s\\h,X=y}; $DOCKER -c {{x}} ps',
    ': "${DOCKER:=docker}"; export {DOCKER=sh,X=y}; $DOCKER -c {{x}} ps',
  ])
    assertScriptRefused(script, /is an argument of \$DOCKER, a program named by an expansion/);
  // Neighbours: the default alone, and a plain reassignment to a fixed word, are still read written out.
  for (const script of [
    ': "${DOCKER:=docker}"; $DOCKER ps --filter name={{x}}',
    'DOCKER=docker; export DOCKER=docker; $DOCKER ps --filter name={{x}}',
  ])
    assertScriptAccepted(script);
});

test('${VAR[i]:=word} assigns VAR, and ${!name:=word} may assign any variable: the program is not known', () => {
  for (const script of [
    ': ${DOCKER[0]:=sh}; : "${DOCKER:=docker}"; $DOCKER -c {{x}} ps',
    ': "${DOCKER[1]=sh}"; : "${DOCKER:=docker}"; $DOCKER -c {{x}} ps',
    'r=DOCKER; : ${!r:=sh}; : "${DOCKER:=docker}"; $DOCKER -c {{x}} ps',
    'r=DOCKER; : "${!r=sh}"; DOCKER=docker; $DOCKER -c {{x}} ps',
  ])
    assertScriptRefused(script, /is an argument of \$DOCKER, a program named by an expansion/);
  // Neighbours: another array's default, or a plain default of another variable, leaves DOCKER read written out.
  for (const script of [
    ': ${ARGS[0]:=ps}; : "${DOCKER:=docker}"; $DOCKER ps --filter name={{x}}',
    'r=X; : ${X:=y}; : "${DOCKER:=docker}"; $DOCKER ps --filter name={{x}}',
  ])
    assertScriptAccepted(script);
});

test('${VAR:=word} holds only where the shell that expands it runs the program, on every path: elsewhere VAR is not known', () => {
  for (const script of [
    'v=$(: "${ECHO:=echo}"); $ECHO {{x}}',
    '( : "${ECHO:=echo}" ); $ECHO {{x}}',
    'false && : "${ECHO:=echo}"; $ECHO {{x}}',
    'false || : "${ECHO:=echo}"; $ECHO {{x}}',
    '[ -n "${ECHO:=echo}" ] | true; $ECHO {{x}}',
    ': "${ECHO:=echo}" | true; $ECHO {{x}}',
    ': "${ECHO:=echo}" & $ECHO {{x}}',
    'if false; then : "${ECHO:=echo}"; fi; $ECHO {{x}}',
    'for i in; do : "${ECHO:=echo}"; done; $ECHO {{x}}',
    'false &&\n  : "${ECHO:=echo}"\n$ECHO {{x}}',
    'echo `: ${ECHO:=echo}`; $ECHO {{x}}',
  ])
    assertScriptRefused(script, /is an argument of \$ECHO, a program named by an expansion/);
  // Neighbours: the plain form, on its own line or after other commands, and VAR=${VAR:=word}.
  for (const script of [
    ': "${ECHO:=echo}"; $ECHO {{x}}',
    'set -e\n: ${ECHO:=echo}\n$ECHO {{x}}',
    'v="$(date)"; if true; then :; fi; : "${ECHO:=echo}"; $ECHO {{x}}',
    'ECHO=${ECHO:=echo}; $ECHO {{x}}',
  ])
    assertScriptAccepted(script);
});
