// A here-document read as a manifest (kubectl, helm, compose) gets the field checks a JSON argument gets: a
// template (or a variable holding one) in what a container runs, whose image it runs, or which variable or secret
// it is given is refused when the config loads, in block style, flow style and JSON alike, whoever reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

/** The ways a script hands a body to a manifest reader. */
const READERS: Array<(body: string) => string> = [
  (body) => `kubectl apply -f - <<EOF\n${body}\nEOF`,
  (body) => `cat <<EOF | kubectl apply -f -\n${body}\nEOF`,
  (body) => `cat > deploy.yaml <<EOF\n${body}\nEOF\nkubectl apply -f deploy.yaml`,
  (body) => `kubectl apply -f - <<-EOF\n${body.replace(/^/gm, '\t')}\n\tEOF`,
];

const container = (fields: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n${fields.replace(/^/gm, '        ')}`;

const REFUSED: Array<[string, RegExp]> = [
  [container('image: reg.example.com/web:1\ncommand: ["{{x}}"]'), /"command" field/],
  [container('image: reg.example.com/web:1\ncommand:\n- /bin/sh\n- -c\n- ./run {{x}}'), /"command" field/],
  [container('image: reg.example.com/web:1\nargs: [--flag, "{{x}}"]'), /"args" field/],
  [container('image: reg.example.com/web:1\nworkingDir: /srv/{{x}}'), /"workingDir" field/],
  [
    container('image: reg.example.com/web:1\nlivenessProbe:\n  exec:\n    command: [cat, "{{x}}"]'),
    /"command" field/,
  ],
  [container('image: {{x}}'), /"image" field.*whose image runs/],
  [container('image: "{{x}}/web:1"'), /"image" field/],
  [
    container('image: reg.example.com/web:1\nenv:\n- name: "{{x}}"\n  value: "1"'),
    /"name" field of an entry of "env"/,
  ],
  [
    container('image: reg.example.com/web:1\nenv:\n- name: LD_PRELOAD\n  value: /lib/{{x}}.so'),
    /variable LD_PRELOAD/,
  ],
  [
    container('image: reg.example.com/web:1\nenv: [{value: "{{x}}", name: NODE_OPTIONS}]'),
    /variable NODE_OPTIONS/,
  ],
  [
    container(
      'image: reg.example.com/web:1\nenv:\n- name: DB\n  valueFrom:\n    secretKeyRef: {name: "{{x}}", key: password}',
    ),
    /which secret/,
  ],
  [
    container('image: reg.example.com/web:1\nenvFrom:\n- secretRef:\n    name: app-{{x}}'),
    /ConfigMap or Secret/,
  ],
  [
    '{"spec": {"containers": [{"name": "web", "image": "reg.example.com/web:1", "command": ["{{x}}"]}]}}',
    /"command" field/,
  ],
];

for (const [body, message] of REFUSED)
  test(`refused in a manifest: ${JSON.stringify(body.split('\n').at(-1))}`, () => {
    for (const reader of READERS) assertScriptRefused(reader(body), message);
  });

test('refused in a compose file on standard input: command, entrypoint, a code variable in a list or a map', () => {
  const compose = (fields: string) =>
    `docker compose -f - up -d <<EOF\nservices:\n  web:\n    image: reg.example.com/web:1\n${fields.replace(/^/gm, '    ')}\nEOF`;
  assertScriptRefused(compose('command: ./serve {{x}}'), /"command" field/);
  assertScriptRefused(compose('entrypoint: ["{{x}}"]'), /"entrypoint" field/);
  assertScriptRefused(compose('environment:\n  - LD_PRELOAD={{x}}'), /variable LD_PRELOAD/);
  assertScriptRefused(compose('environment:\n  NODE_OPTIONS: "{{x}}"'), /variable NODE_OPTIONS/);
  assertScriptAccepted(compose('environment:\n  VERSION: "{{x}}"\nlabels: [version={{x}}]'));
});

test('a variable holding a template is refused in such a field too, and accepted elsewhere', () => {
  assertScriptRefused(
    `V={{x}}\nkubectl apply -f - <<EOF\n${container('image: reg.example.com/web:1\nargs: ["$V"]')}\nEOF`,
    /\$V \(character \d+\) holds \{\{x\}\}.*"args" field/,
  );
  assertScriptRefused(
    `V={{x}}\nkubectl apply -f - <<EOF\n${container('image: ${V}')}\nEOF`,
    /\$\{?V\}? \(character \d+\) holds \{\{x\}\}.*"image" field/,
  );
  assertScriptAccepted(
    `V={{x}}\nkubectl apply -f - <<EOF\n${container('image: reg.example.com/web:$V')}\nEOF`,
  );
});

test('a value in an anchored node is checked in each field an alias or merge key repeats it in', () => {
  // x-env's value is LD_PRELOAD's where the container's env: *env uses it; kubectl and compose both follow aliases.
  assertScriptRefused(
    `kubectl apply -f - <<EOF\nx-env: &env\n  - name: LD_PRELOAD\n    value: {{x}}\n${container('image: reg.example.com/web:1\nenv: *env')}\nEOF`,
    /variable LD_PRELOAD/,
  );
  const compose = (top: string, web: string) =>
    `docker stack deploy -c - app <<EOF\n${top}\nservices:\n  web:\n    image: reg.example.com/web:1\n${web.replace(/^/gm, '    ')}\nEOF`;
  assertScriptRefused(
    compose('x-hc: &hc\n  test: ["CMD", "{{x}}"]', 'healthcheck: *hc'),
    /"test" field.*health check/,
  );
  assertScriptRefused(
    compose('x-hc: &hc\n  test: ["CMD", "{{x}}"]', 'healthcheck:\n  <<: *hc\n  interval: 5s'),
    /"test" field.*health check/,
  );
  assertScriptRefused(
    compose(
      'x-run: &run\n  command: [./serve]\nx-all: &all\n  <<: [*run]\n  entrypoint: ["{{x}}"]',
      '<<: *all',
    ),
    /"entrypoint" field/,
  );
  // What an alias repeats as data stays data.
  assertScriptAccepted(
    compose('x-labels: &labels\n  version: "{{x}}"', 'labels: *labels\nenvironment:\n  <<: *labels'),
  );
});

test('an image tag in a manifest is checked once rendered to be a tag, as in a JSON argument', () => {
  const fails = (script: string, value: string) =>
    assert.throws(
      () => renderShellScript(script, { x: value }),
      (e: unknown) =>
        e instanceof TemplateError && /in the tag of the image the "image" field/.test(e.message),
      `${JSON.stringify(script)} with ${JSON.stringify(value)}`,
    );
  for (const image of ['app:{{x}}', '"reg.example.com/web:{{x}}"', 'reg.example.com/web:$V', 'app:${V}']) {
    const script = `V={{x}}\nkubectl apply -f - <<EOF\n${container(`image: ${image}`)}\nEOF`;
    // app:5000/evil is the image evil of the registry app:5000.
    fails(script, '5000/evil');
    fails(script, '1@sha256:0a1b');
    assert.doesNotThrow(() => renderShellScript(script, { x: 'v1.2.3-rc.1' }), script);
  }
  // A variable set more than once has no one text the rule can render: refused when the config loads.
  assertScriptRefused(
    `if [ -n "$DEBUG" ]; then V={{x}}-debug; else V={{x}}; fi\nkubectl apply -f - <<EOF\n${container('image: app:$V')}\nEOF`,
    /\$V .*holds \{\{x\}\}.*"image" field.*write the template itself there/,
  );
});

test('data fields stay accepted: labels, annotations, an image tag, a plain variable, names, counts', () => {
  const body = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web-{{x}}',
    '  labels: {app: web, version: "{{x}}"}',
    '  annotations:',
    '    deployed-by: "deploy-action {{x}}"',
    'spec:',
    '  replicas: 3',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: web-{{x}}',
    '        image: reg.example.com/web:{{x}}',
    '        env:',
    '        - name: VERSION',
    '          value: "{{x}}"',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'data:',
    '  version: "{{x}}"',
  ].join('\n');
  for (const reader of READERS) assertScriptAccepted(reader(body));
});

test('a manifest fed as text another way than a here-document is refused: a here-string, a pipe, a file written', () => {
  for (const script of [
    'kubectl apply -f - <<< "image: reg.example.com/web:{{x}}"',
    'docker compose -f - up -d <<< "services: {web: {image: reg.example.com/web:{{x}}}}"',
    'echo "command: [{{x}}]" | kubectl apply -f -',
    'printf "image: %s\\n" {{x}} | kubectl apply -f -',
    '{ echo "a: 1"; echo "b: {{x}}"; } | kubectl apply -f -',
    'echo "b: {{x}}" | cat | oc apply -f -',
    'echo "image: {{x}}" > m.yaml; kubectl apply -f m.yaml',
    'printf "tag: %s\\n" {{x}} > v.yaml && helm upgrade app ./chart --values v.yaml',
    'V={{x}}; echo "image: $V" | kubectl apply -f -',
    'V={{x}}; kubectl apply -f - <<< "image: $V"',
    // Written through tee, by the commands of a group or loop, or into a directory the reader reads.
    'echo "image: {{x}}" | tee m.yaml; kubectl apply -f m.yaml',
    'tee m.yaml <<< "image: {{x}}"; kubectl apply -f m.yaml',
    'echo "a: {{x}}" | sed s/a/b/ > m.yaml; kubectl apply -f m.yaml',
    '{ echo "a: 1"; echo "image: {{x}}"; } > m.yaml; kubectl apply -f m.yaml',
    'for s in web api; do echo "$s: {{x}}"; done > m.yaml; kubectl apply -f m.yaml',
    'echo "image: {{x}}" > k8s/m.yaml; kubectl apply -f k8s/',
    'echo "image: {{x}}" > m.yaml; kubectl apply -f .',
  ])
    assertScriptRefused(
      script,
      /reaches .* as text \(in .*\), which it reads as the manifest or values it deploys/,
    );
});

test('what a serializer writes for a manifest reader, and text no manifest reader reads, stay accepted', () => {
  for (const script of [
    'helm template app ./chart --set-string image.tag={{x}} | kubectl apply -f -',
    'kubectl create deployment web --image=reg.example.com/web:{{x}} --dry-run=client -o yaml | kubectl apply -f -',
    'echo {{x}} > version.txt; kubectl apply -f m.yaml',
    'echo "deployed {{x}}" | tee -a deploy.log; kubectl apply -f m.yaml',
    'echo {{x}} | kubectl delete pod --wait=false',
    'echo {{x}} > k8s/VERSION; kubectl apply -f k8s/',
    '{ echo "deploying {{x}}"; date; } > deploy.log; kubectl apply -f .',
    'kubectl create cm v --from-literal=v={{x}} -o yaml --dry-run=client | tee m.yaml; kubectl apply -f m.yaml',
    'helm template app ./chart --set-string image.tag={{x}} > out/all.yaml; kubectl apply -f out/',
  ])
    assertScriptAccepted(script);
});

test('kapp, argocd, docker stack deploy -c and nomad job run read a here-document as a manifest too', () => {
  const hostile = 'a, privileged: true';
  for (const [script, reader] of [
    ['kapp deploy -a app -f - <<EOF\nimage: reg.example.com/app:{{x}}\nEOF', 'kapp deploy -a app -f -'],
    [
      'argocd app create -f - <<EOF\nspec: {source: {targetRevision: "{{x}}"}}\nEOF',
      'argocd app create -f -',
    ],
    [
      'docker stack deploy -c - app <<EOF\nservices: {web: {image: "reg.example.com/app:{{x}}"}}\nEOF',
      'docker stack deploy -c -',
    ],
    [
      'docker stack deploy --compose-file=- app <<EOF\nservices: {web: {image: "reg.example.com/app:{{x}}"}}\nEOF',
      'docker stack deploy --compose-file=-',
    ],
    [
      'nomad job run - <<EOF\njob "a" { group "g" { task "t" { config { image = "reg.example.com/app:{{x}}" } } } }\nEOF',
      'nomad job run -',
    ],
  ]) {
    assert.throws(
      () => renderShellScript(script!, { x: hostile }),
      (e: unknown) => e instanceof TemplateError && e.message.includes(`"${reader}" reads as a manifest`),
      script,
    );
    assert.doesNotThrow(() => renderShellScript(script!, { x: '1.2.3' }), script);
  }
  assertScriptRefused(
    'docker stack deploy -c - app <<EOF\nservices: {web: {image: "reg.example.com/app:1", command: "{{x}}"}}\nEOF',
    /"command" field/,
  );
  // docker's -c elsewhere is its context, not a file it reads.
  assertScriptAccepted('docker -c - ps <<EOF\n{{x}}\nEOF');
});

test('a manifest or JSON here-document with a backslash-newline takes no value: bash joins its lines first', () => {
  // 'command\' then ': ["{{x}}"]' is the command field once bash drops the backslash-newline; '{{x}}\' then
  // ': true' is a key.
  const joined =
    /is in a here-document "(kubectl apply -f -|a here-document written as JSON)" reads as (a manifest|JSON), whose backslash-newline at character \d+ bash drops/;
  for (const script of [
    `kubectl apply -f - <<EOF\n${container('image: reg.example.com/web:1\ncommand\\\n: ["{{x}}"]')}\nEOF`,
    `kubectl apply -f - <<EOF\n${container('image: reg.example.com/web:1\ncommand: \\\n["{{x}}"]')}\nEOF`,
    'kubectl apply -f - <<EOF\nspec:\n  {{x}}\\\n: true\nEOF',
    `V={{x}}\nkubectl apply -f - <<EOF\n${container('image: reg.example.com/web:1\ncommand\\\n: ["$V"]')}\nEOF`,
    'curl -d @- https://api.example.com/tasks <<EOF\n{"command"\\\n: ["{{x}}"]}\nEOF',
  ])
    assertScriptRefused(script, joined);
  // A backslash that ends no line joins nothing.
  assertScriptAccepted(
    `kubectl apply -f - <<EOF\n${container('image: reg.example.com/web:{{x}}\nargs: ["a\\\\\\\\"]')}\nEOF`,
  );
});

test('a value an alias puts in a key is refused as one written there', () => {
  // k: &k {{x}} is a value, but {*k : true} makes it the key: a value 'privileged' sets that field.
  assertScriptRefused(
    'kubectl apply -f - <<EOF\nk: &k {{x}}\nspec: {*k : true}\nEOF',
    /\{\{x\}\} \(character \d+\) is in a key of the here-document "kubectl apply -f -" reads as a manifest/,
  );
  assertScriptRefused(
    'V={{x}}; kubectl apply -f - <<EOF\nk: &k $V\nspec:\n  *k : true\nEOF',
    /\$V \(character \d+\) holds \{\{x\}\}.*is in a key of the here-document/,
  );
  assertScriptAccepted('kubectl apply -f - <<EOF\nk: &k version\nspec: {*k : "{{x}}"}\nEOF');
});

test('a template in a key is refused where the parsed body has a key, not only where its line reads as one', () => {
  for (const body of [
    'spec: { a: 1,\n  {{x}}\n  : true }',
    'spec: { "{{x}}"\n  : true }',
    'spec:\n  ? [{{x}}]\n  : true',
  ])
    assertScriptRefused(
      `kubectl apply -f - <<EOF\n${body}\nEOF`,
      /is in a key of the here-document "kubectl apply -f -"/,
    );
  assertScriptRefused(
    'K={{x}}\nkubectl apply -f - <<EOF\nspec: { "$K"\n  : true }\nEOF',
    /\$K \(character \d+\) holds \{\{x\}\}.*is in a key/,
  );
});

test('a manifest whose anchors of anchors repeat a node without end is refused, not walked (a YAML billion laughs)', () => {
  const lines = ['l0: &l0 {version: "{{x}}"}'];
  for (let i = 1; i <= 40; i++) lines.push(`l${i}: &l${i} [*l${i - 1}, *l${i - 1}]`);
  lines.push('metadata: {labels: *l40}');
  // 2^40 repeats: the walk stops at its bound and the value is refused, naming why.
  assertScriptRefused(
    `kubectl apply -f - <<EOF\n${lines.join('\n')}\nEOF`,
    /aliases repeat its nodes more than 100,000 times .*write the manifest with fewer aliases/,
  );
  // A few aliases are followed as before.
  assertScriptAccepted(
    'kubectl apply -f - <<EOF\nl: &l {version: "{{x}}"}\nmetadata: {labels: *l, annotations: *l}\nEOF',
  );
});
