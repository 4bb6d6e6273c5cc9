// A templated value piped, here-stringed or here-documented into a program that runs its standard input as code
// is refused: shells and interpreters (| sh, | bash -s, | python -, | lua), ssh with no command, script and su
// without -c, sudo -s/-i, newgrp, chroot DIR, a script file that is the input (sh /dev/stdin, source /dev/stdin,
// awk -f -, make -f -, deno run -), debuggers and editors (gdb, ed, vim -es), m4, sqlite3, parallel, xargs sh -c,
// and a Dockerfile read on standard input (docker build -). The same programs reading a
// file, or given a command, stay accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const READERS = [
  'sh',
  'bash -s',
  'bash -s -- --now',
  'python3 -',
  'node',
  'lua',
  'lua -',
  'ssh app1',
  'docker exec -i web sh',
  'kubectl exec -i web-0 -- bash',
  'script -q /dev/null',
  'script',
  'su app',
  'su - app',
  'sudo -s',
  'sudo -iu app',
  'sudo -u app -i',
  'newgrp deploy',
  'chroot /srv/root',
  'sh /dev/stdin',
  'bash /dev/fd/0',
  'source /dev/stdin',
  '. /dev/stdin',
  'awk -f -',
  'make -f - deploy',
  'deno run -',
  'gdb ./app',
  'ed -s notes.txt',
  'vim -es',
  'm4',
  'sqlite3 app.db',
  'parallel',
  'xargs sh -c',
  'docker build -',
  'docker build -f - .',
];

// How a value reaches a program's standard input.
const FEEDS: Array<[(reader: string) => string, RegExp]> = [
  [(r) => `echo {{x}} | ${r}`, /is in the output of a command piped into \S+, which/],
  [(r) => `printf '%s\\n' "deploy {{x}}" | ${r}`, /piped into/],
  [(r) => `{ echo set -e; echo {{x}}; } | ${r}`, /piped into/],
  [(r) => `${r} <<< {{x}}`, /is in a here-string fed to \S+/],
  [(r) => `${r} <<EOF\n./deploy.sh {{x}}\nEOF`, /is in a here-document fed to \S+/],
];

test('a value fed to a program that runs its standard input as code is refused, however it is fed', () => {
  for (const reader of READERS)
    for (const [feed, message] of FEEDS) {
      const script = feed(reader);
      // xargs and parallel read their input as words or lines, not from a here-document in every form.
      assertScriptRefused(script, message);
    }
});

test('the same programs reading a file, given a command, or given data stay accepted', () => {
  for (const script of [
    'echo {{x}} | ./deploy.sh',
    'echo {{x}} | script -qc ./deploy.sh /dev/null',
    'echo {{x}} | sudo -u app ./deploy.sh',
    'echo {{x}} | su app -c ./deploy.sh',
    'echo {{x}} | chroot /srv/root ./deploy.sh',
    'echo {{x}} | lua deploy.lua',
    'echo {{x}} | gdb -batch -ex run ./app',
    'echo {{x}} | sqlite3 app.db "select 1"',
    'echo {{x}} | kubectl apply -f manifest.yaml',
    'helm template app ./chart --set image.tag={{x}} | kubectl apply -f -',
    'echo {{x}} | docker build -t app .',
    'echo {{x}} | parallel ./deploy.sh',
    'echo {{x}} | xargs -I{} ./deploy.sh {}',
    'bash <<\'EOF\'\n./deploy.sh "$DEPLOY_X"\nEOF',
  ])
    assertScriptAccepted(script);
});

test('a shell reading a written-out script on standard input gets its arguments checked as an inline script does', () => {
  const refused: Array<[string, RegExp]> = [
    [
      "bash -s -- {{x}} <<'EOF'\n$1 deploy\nEOF",
      /\{\{x\}\} \(character 12\) is passed to the script "bash -s" reads from its here-document as \$1, and there \$1 is in the word naming the program/,
    ],
    [
      'sh -s {{x}} <<\'EOF\'\neval "$1"\nEOF',
      /"sh -s" reads from its here-document as \$1.*arguments of eval/,
    ],
    [
      'sh -es -- a {{x}} <<\'EOF\'\nset -e\n"$2" go\nEOF',
      /as \$2, and there \$2 is in the word naming the program/,
    ],
    // An unquoted body: \$1 reaches the shell as $1.
    ['bash -s -- {{x}} <<EOF\n\\$1\nEOF', /"bash -s" reads from its here-document as \$1/],
    ["ssh host bash -s {{x}} <<'EOF'\n$1\nEOF", /"bash -s" reads from its here-document as \$1/],
    ["cat <<'EOF' | bash -s -- {{x}}\n$1\nEOF", /"bash -s" reads from its here-document as \$1/],
    ["bash -s {{x}} <<< '$1'", /"bash -s" reads from its here-string as \$1/],
    ['bash -s -- {{x}} <<\'EOF\'\nf() { $1; }\nf "$1"\nEOF', /"bash -s" reads from its here-document/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
  for (const script of [
    'bash -s -- {{x}} <<\'EOF\'\n./deploy.sh "$1"\nEOF',
    'ssh host bash -s {{x}} <<\'EOF\'\n./deploy.sh "$1"\nEOF',
    'cat <<\'EOF\' | bash -s -- {{x}}\n./deploy.sh -- "$1"\nEOF',
    'bash -s -- {{x}} <<EOF\n./deploy.sh "\\$1"\nEOF',
    'bash -s {{x}} <<< \'./deploy.sh "$1"\'',
    // A script from a file or a pipe is the config's, as bash deploy.sh {{x}} is.
    'bash -s -- {{x}} < deploy.sh',
    'curl -fsSL https://get.example/install.sh | bash -s -- --version {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a value in a here-document read as a manifest adds no YAML structure: checked once rendered', () => {
  const fails = (script: string, value: string, message: RegExp) =>
    assert.throws(
      () => renderShellScript(script, { x: value }),
      (e: unknown) => e instanceof TemplateError && message.test(e.message),
      `${JSON.stringify(script)} with ${JSON.stringify(value)}`,
    );
  const apply = 'kubectl apply -f - <<EOF\nimage: app:{{x}}\nEOF';
  fails(apply, '1.2\n      command: [sh]', /reads as a manifest, and its value holds a newline/);
  fails(apply, '[sh, -c, x]', /its value holds "\[", which YAML reads as structure/);
  fails(apply, 'a:', /a ":" that starts or ends it/);
  fails('kubectl apply -f - <<EOF\nimage: "app:{{x}}"\nEOF', '1", "command": "x', /holds "\\""/);
  fails('cat <<EOF | kubectl apply -f -\nimage: app:{{x}}\nEOF', '1, b', /"kubectl apply -f -" reads/);
  fails('helm upgrade app ./chart -f - <<EOF\ntag: {{x}}\nEOF', '1 #', /"helm upgrade app \.\/chart -f -"/);
  fails('V={{x}}; kubectl apply -f - <<EOF\nimage: app:$V\nEOF', '1\nx: y', /holds a newline/);
  for (const good of ['1.2.3', 'v1.2.3-rc.1'])
    assert.doesNotThrow(() => renderShellScript(apply, { x: good }));
  // Outside an image's tag, a ':' or '/' between the letters is no structure.
  for (const good of ['sha256:0a1b2c', 'registry.example/app'])
    assert.doesNotThrow(() =>
      renderShellScript('kubectl apply -f - <<EOF\nversion: {{x}}\nEOF', { x: good }),
    );
  assert.doesNotThrow(() =>
    renderShellScript('V={{x}}; kubectl apply --filename=- <<EOF\nimage: app:$V\nEOF', { x: '1.0' }),
  );
  // A quoted here-document is not expanded; a file written is not read here.
  assert.doesNotThrow(() =>
    renderShellScript("kubectl apply -f - <<'EOF'\nimage: $DEPLOY_X\nEOF\n./deploy.sh {{x}}", { x: 'a\nb' }),
  );
});

test('a template in a key of a manifest here-document, or a variable no check can see there, is refused at load', () => {
  assertScriptRefused(
    'kubectl apply -f - <<EOF\nspec:\n  {{x}}: true\nEOF',
    /\{\{x\}\} \(character 34\) is in a key of the here-document "kubectl apply -f -" reads as a manifest: its value would choose which field is set/,
  );
  assertScriptRefused(
    'kubectl apply -f - <<EOF\nimage: app:$DEPLOY_X\nEOF',
    /\$DEPLOY_X .*is in a here-document "kubectl apply -f -" reads as a manifest.*write the template itself there/,
  );
  assertScriptRefused(
    'read -r v <<< {{x}}; kubectl apply -f - <<EOF\nimage: app:$v\nEOF',
    /\$v .*reads as a manifest/,
  );
  assertScriptAccepted(
    'kubectl apply -f - <<EOF\nmetadata:\n  name: app-{{x}}\nspec:\n  image: "app:{{x}}"\nEOF',
  );
});

test('a template in a key of a manifest is refused in a flow mapping, a list item, JSON and an explicit key too', () => {
  const key =
    /is in a key of the here-document "kubectl apply -f -" reads as a manifest: its value would choose which field is set/;
  for (const body of [
    'metadata: { {{x}}: v }',
    'metadata: {a: 1, {{x}}: v}',
    'metadata: {\n  a: 1,\n  {{x}}: v\n}',
    'containers: [{name: app, {{x}}: true}]',
    '- {{x}}: v',
    '- - {{x}}: v',
    '{"spec": {"{{x}}":true}}',
    '{"spec": {"a": 1, "{{x}}": true}}',
    "{'{{x}}': true}",
    '? {{x}}\n: v',
    'labels: {app-{{x}}: v}',
  ])
    assertScriptRefused(`kubectl apply -f - <<EOF\n${body}\nEOF`, key);
  // A variable holding a template, in a key, as the template itself.
  assertScriptRefused(
    'K={{x}}\nkubectl apply -f - <<EOF\n$K: v\nEOF',
    /\$K .*is in a key of the here-document/,
  );
  assertScriptRefused('K={{x}}\nkubectl apply -f - <<EOF\nspec: {${K}: v}\nEOF', /\$K .*is in a key/);
  // Values in flow collections stay accepted (and are checked once rendered).
  for (const body of [
    'metadata: {a: {{x}}}',
    'labels: {app: web, version: {{x}}}',
    'args: [a, {{x}}]',
    '- name: {{x}}',
    '{"spec": {"image": "app:{{x}}"}}',
    'env: [{name: V, value: "{{x}}"}]',
    'tags: ["a", "built {{x}}: done"]',
  ])
    assertScriptAccepted(`kubectl apply -f - <<EOF\n${body}\nEOF`);
  assert.throws(
    () =>
      renderShellScript('kubectl apply -f - <<EOF\nlabels: {version: {{x}}}\nEOF', {
        x: '1, privileged: true',
      }),
    TemplateError,
  );
});

test('a here-document written to a file that kubectl, helm or compose then reads is checked as one read on standard input', () => {
  const fails = (script: string, value: string, message: RegExp) =>
    assert.throws(
      () => renderShellScript(script, { x: value }),
      (e: unknown) => e instanceof TemplateError && message.test(e.message),
      `${JSON.stringify(script)} with ${JSON.stringify(value)}`,
    );
  const written = [
    [
      'cat > m.yaml <<EOF\nimage: app:{{x}}\nEOF\nkubectl apply -f m.yaml',
      'kubectl apply -f m.yaml, once written to m.yaml',
    ],
    [
      'cat <<EOF > m.yaml\nimage: app:{{x}}\nEOF\nkubectl apply -f ./m.yaml',
      'kubectl apply -f ./m.yaml, once written to m.yaml',
    ],
    [
      'cat >>m.yaml <<EOF\nimage: app:{{x}}\nEOF\nkubectl apply --filename=m.yaml',
      'kubectl apply --filename=m.yaml',
    ],
    [
      'tee m.yaml <<EOF\nimage: app:{{x}}\nEOF\noc apply -f m.yaml && oc rollout status dc/app',
      'oc apply -f m.yaml',
    ],
    [
      'cat > /tmp/v.yaml <<EOF\ntag: {{x}}\nEOF\nhelm upgrade app ./chart --values /tmp/v.yaml',
      'helm upgrade app ./chart --values /tmp/v.yaml',
    ],
    [
      'cat > c.yml <<EOF\n    image: app:{{x}}\nEOF\ndocker compose -f c.yml up -d',
      'docker compose -f c.yml',
    ],
  ];
  for (const [script, reader] of written) {
    fails(
      script!,
      '1\ncommand: [sh]',
      new RegExp(
        `"${reader!.replace(/[./]/g, '\\$&')}[^"]*" reads as a manifest, and its value holds a newline`,
      ),
    );
    fails(script!, '1, b', /reads as a manifest, and its value holds ","/);
    assert.doesNotThrow(() => renderShellScript(script!, { x: '1.2.3' }));
  }
  assertScriptRefused(
    'cat > m.yaml <<EOF\nspec: {{{x}}: true}\nEOF\nkubectl apply -f m.yaml',
    /is in a key of the here-document "kubectl apply -f m.yaml, once written to m.yaml" reads as a manifest/,
  );
  assertScriptRefused(
    'cat > m.yaml <<EOF\nversion: $DEPLOY_X\nEOF\nkubectl apply -f m.yaml',
    /\$DEPLOY_X .*reads as a manifest.*write the template itself there/,
  );
  // In the image, it is refused as a whole image is (manifest-fields.ts).
  assertScriptRefused(
    'cat > m.yaml <<EOF\nimage: $DEPLOY_X\nEOF\nkubectl apply -f m.yaml',
    /\$DEPLOY_X .*"image" field of a here-document "kubectl apply -f m.yaml, once written to m.yaml".*whose image runs/,
  );
  // A file no manifest reader reads, stderr, and a quoted here-document are not checked.
  for (const script of [
    'cat > notes.txt <<EOF\ndeployed {{x}}\nEOF\nkubectl apply -f m.yaml',
    'cat 2> err.log <<EOF\nimage: {{x}}\nEOF\nkubectl apply -f err.log',
    "cat > m.yaml <<'EOF'\nimage: $DEPLOY_X\nEOF\nkubectl apply -f m.yaml",
  ])
    assert.doesNotThrow(() => renderShellScript(script, { x: 'a\nb, c' }), script);
});

test('a value fed to patch, git apply or git am as the patch is refused: it would rewrite the checkout', () => {
  const why = /which applies it as a patch: it would rewrite the checkout's files/;
  for (const script of [
    'echo {{x}} | patch deploy.sh',
    'echo {{x}} | patch -p1',
    'patch -p1 <<< {{x}}',
    'printf "%s" {{x}} | patch -p1 -i -',
    'patch -p1 <<EOF\n{{x}}\nEOF',
    'echo {{x}} | git apply',
    'echo {{x}} | git apply -',
    'echo {{x}} | git -C app apply --index',
    'git am <<< {{x}}',
  ])
    assertScriptRefused(script, why);
  // The patch named in the config: what is fed is not read as the patch.
  for (const script of [
    'echo {{x}} | patch -p1 -i fixes/app.patch',
    'echo {{x}} | patch --input=fixes/app.patch',
    'echo {{x}} | patch deploy.sh fixes/app.patch',
    'echo {{x}} | git apply fixes/app.patch',
    'echo {{x}} | git commit -F -',
    'patch -p1 < fixes/app.patch && ./deploy.sh {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a template in the name of a file redirected into a program that runs, trusts or deploys it is refused', () => {
  // As sh ./scripts/{{x}}.sh and kubectl apply -f manifests/{{x}}.yaml are: even a plain word picks the file.
  const runs =
    /is in the name of the file the redirection "0?<" feeds to (sh|bash|node|ssh|psql|mysql|python3), which runs what it reads as code/;
  for (const script of [
    'sh < scripts/{{x}}.sh',
    'bash 0< ./deploy/{{x}}.sh',
    'node < app-{{x}}.js',
    'python3 - < tasks/{{x}}.py',
    'ssh app1 < scripts/{{x}}.sh',
    'psql -f - < migrations/{{x}}.sql',
    'psql "$DATABASE_URL" < migrations/{{x}}.sql',
    'mysql app < migrations/{{x}}.sql',
  ])
    assertScriptRefused(script, runs);
  assertScriptRefused(
    'gpg --import < keys/{{x}}.asc',
    /feeds to gpg \(keys\/\{\{x\}\}\.asc\), which gpg imports as keys/,
  );
  assertScriptRefused(
    'kubectl apply -f - < manifests/{{x}}.yaml',
    /feeds to kubectl apply -f -, which reads it as the manifest or values it deploys/,
  );
  assertScriptRefused(
    'helm upgrade app ./chart -f - < values/{{x}}.yaml',
    /the manifest or values it deploys/,
  );
  // The file of a program that only reads it as data, a descriptor other than 0, and a fixed file stay accepted.
  for (const script of [
    'cat < notes/{{x}}.txt',
    'wc -l < logs/{{x}}.log',
    'sh 3< data/{{x}}',
    'sh -s {{x}} < scripts/deploy.sh',
    'kubectl apply -f k8s/app.yaml < notes/{{x}}',
    'psql -c "select 1" app < data/{{x}}.sql',
  ])
    assertScriptAccepted(script);
});

test('psql and mysql given a database still read statements from standard input', () => {
  for (const reader of ['psql app', 'psql -h db -U deploy app', 'mysql app', 'mariadb -h db app'])
    assertScriptRefused(
      `echo "insert into t values ('{{x}}')" | ${reader}`,
      /piped into (psql|mysql|mariadb), which runs it as code/,
    );
  assertScriptAccepted('psql -c "select 1" app -v v={{x}}');
});

test('kubectl apply -f /dev/stdin reads its standard input as a manifest, as -f - does', () => {
  assertScriptRefused(
    'kubectl apply -f /dev/stdin < manifests/{{x}}.yaml',
    /feeds to kubectl apply -f \/dev\/stdin, which reads it as the manifest or values it deploys/,
  );
  const heredoc = 'kubectl apply -f /dev/stdin <<EOF\nimage: registry.example.com/app:{{x}}\nEOF';
  assertScriptAccepted(heredoc);
  assert.throws(
    () => renderShellScript(heredoc, { x: '1\ncommand: ["sh"]' }),
    /reads as a manifest, and its value holds a newline/,
  );
  assert.doesNotThrow(() => renderShellScript(heredoc, { x: '1.2.3' }));
});

test("a compound command's standard input is read by the commands inside it", () => {
  // { sh; } <<EOF runs the here-document as sh's script, as sh <<EOF does.
  for (const script of [
    '{ sh; } <<EOF\necho {{x}}\nEOF',
    'if true; then sh; fi <<EOF\necho {{x}}\nEOF',
    '{ echo start; bash -s; } <<< "{{x}}"',
    // A subshell's redirections after its ")" feed the commands inside it too.
    '(bash) <<EOF\necho {{x}}\nEOF',
    '( cd /srv && sh ) <<EOF\ndeploy {{x}}\nEOF',
    '(sh -s) <<< "{{x}}"',
    // Every command of the subshell, not only its last one.
    '(bash || true) <<EOF\necho {{x}}\nEOF',
    '(bash; echo done) <<EOF\necho {{x}}\nEOF',
    '(bash\necho done) <<EOF\necho {{x}}\nEOF',
    '(bash -s || echo failed) <<< "echo {{x}}"',
  ])
    assertScriptRefused(script, /is in a here-(document|string) fed to (sh|bash), which runs it as code/);
  assertScriptRefused('(psql app) <<EOF\nselect {{x}};\nEOF', /fed to psql, which runs it as code/);
  // A subshell's here-document piped on, as a group's.
  assertScriptRefused('(cat) <<EOF | bash\necho {{x}}\nEOF', /piped into bash, which runs it as code/);
  // A manifest reader inside reads the here-document as its manifest: checked once rendered, as outside.
  for (const heredoc of [
    '{ kubectl apply -f -; } <<EOF\nimage: registry.example.com/app:{{x}}\nEOF',
    '(cd k8s && kubectl apply -f -) <<EOF\nimage: registry.example.com/app:{{x}}\nEOF',
    '(kubectl apply -f -; echo done) <<EOF\nimage: registry.example.com/app:{{x}}\nEOF',
  ]) {
    assertScriptAccepted(heredoc);
    assert.throws(
      () => renderShellScript(heredoc, { x: '1\ncommand: ["sh"]' }),
      /"kubectl apply -f -" reads as a manifest, and its value holds a newline/,
      heredoc,
    );
    assert.doesNotThrow(() => renderShellScript(heredoc, { x: '1.2.3' }), heredoc);
  }
  assertScriptRefused(
    '{ ssh app1; } <<EOF\necho {{x}}\nEOF',
    /fed to ssh, which the remote host's shell runs as code/,
  );
  for (const script of ['{ sh; } < scripts/{{x}}.sh', 'while true; do bash; done < scripts/{{x}}.sh'])
    assertScriptRefused(script, /the redirection "<" feeds to (sh|bash), which runs what it reads as code/);
  // Inside, a program that reads its input as data, or runs a command of its own, keeps the value data.
  for (const script of [
    '{ cat; } <<EOF\nversion {{x}}\nEOF',
    'while read -r host; do ssh "$host" uptime; done < hosts/production.txt',
    '{ read -r a; echo "$a"; } <<EOF\n{{x}}\nEOF',
    '(cat) <<EOF\nversion {{x}}\nEOF',
    // The subshell's end is not a later command's: its own here-document is its own.
    '(bash)\ncat <<EOF\n{{x}}\nEOF',
    '(bash); cat <<EOF\n{{x}}\nEOF',
  ])
    assertScriptAccepted(script);
});

test('mongosh and the legacy mongo shell: --eval is code, -f/--file and operands after the address are scripts, standard input a script', () => {
  for (const [script, message] of [
    ['mongosh app --eval "db.r.insertOne({v: \\"{{x}}\\"})"', /is inside the code "mongosh --eval" runs/],
    ['mongosh mongodb://db/app --eval="{{x}}"', /"mongosh --eval" runs/],
    ['mongo app --eval "{{x}}"', /"mongo --eval" runs/],
    ['echo "db.r.insertOne({v: \\"{{x}}\\"})" | mongosh app', /piped into mongosh, which runs it as code/],
    [
      'mongosh mongodb://db/app <<< "db.r.drop({{x}})"',
      /a here-string fed to mongosh, which runs it as code/,
    ],
    ['mongosh app --quiet <<EOF\ndb.r.insertOne({v: "{{x}}"})\nEOF', /here-document fed to mongosh/],
    [
      'echo "{{x}}" | mongosh mongodb://db/app --eval "db.stats()" --shell',
      /piped into mongosh, which runs it as code/,
    ],
    ['mongosh app < m/{{x}}.js', /the redirection "<" feeds to mongosh, which runs what it reads as code/],
    ['mongosh -f {{x}}.js', /is in the file mongosh loads and runs as code/],
    ['mongosh mongodb://db/app --file scripts/{{x}}.js', /the file mongosh loads and runs as code/],
    ['mongosh -fm/{{x}}.js', /the file mongosh loads and runs as code/],
    ['mongosh app m/{{x}}.js', /the file mongosh loads and runs as code/],
    ['mongosh --nodb {{x}}', /the file mongosh loads and runs as code/],
    ['mongosh --cryptSharedLibPath lib/{{x}}.so mongodb://db/app', /the file mongosh loads and runs as code/],
    // A template ending the address may make it end in .js: a script of the checkout then runs.
    [
      'mongosh {{x}}',
      /is in the address mongosh connects to, which it runs as a script file instead when it ends in \.js/,
    ],
    ['mongosh --quiet app-{{x}} --eval "db.stats()"', /the address mongosh connects to/],
  ] as Array<[string, RegExp]>)
    assertScriptRefused(script, message);
  for (const script of [
    'mongosh "mongodb://db:27017/{{x}}" --eval "db.stats()"',
    'mongosh mongodb://db/app --quiet --eval "print(process.env.DEPLOY_X)"',
    'mongosh --host db -u deploy -p "$PASS" {{x}}/app --eval "db.stats()"',
    'mongosh --username {{x}} mongodb://db/app -f migrate.js',
    'echo "{{x}}" | mongosh mongodb://db/app --eval "db.stats()"',
    'mongosh mongodb://db/app migrate.js <<< "{{x}}"',
    'mongosh mongodb+srv://{{x}}.example.net/app -f migrate.js',
  ])
    assertScriptAccepted(script);
});

test('redis-cli with no command runs its standard input as commands; with a command, -x reads the last argument', () => {
  for (const script of [
    'echo "SET version {{x}}" | redis-cli',
    'printf "SET version %s\\n" {{x}} | redis-cli -h redis.internal -n 2',
    'redis-cli <<< "SET version {{x}}"',
    'redis-cli -a "$PASS" <<EOF\nSET version {{x}}\nEOF',
    'echo "{{x}}" | redis-cli --pipe',
    'echo "SET version {{x}}" | valkey-cli',
    'redis-cli < cmds/{{x}}.txt',
  ])
    assertScriptRefused(script, /(valkey|redis)-cli runs as its commands, each line a command/);
  for (const script of [
    'echo "{{x}}" | redis-cli -x SET version',
    'echo "{{x}}" | redis-cli -h redis.internal SET version 1',
    'redis-cli SET version {{x}}',
    'echo "{{x}}" | redis-cli --eval scripts/bump.lua version',
  ])
    assertScriptAccepted(script);
});
