// A nomad job spec fed to `nomad job run -` (or written to a file it runs) is HCL, which the YAML field checks
// cannot read: its fields are found by an HCL scan (hcl-fields.ts), so a value in what a task runs, its driver's
// config, its driver or user, what it downloads, or who it acts as is refused when the config loads, however
// plain its characters (`command = "{{x}}"` given /bin/sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

/** The ways a script hands a job spec to nomad. */
const READERS: Array<(body: string) => string> = [
  (body) => `nomad job run - <<EOF\n${body}\nEOF`,
  (body) => `cat <<EOF | nomad job plan -\n${body}\nEOF`,
  (body) => `cat > web.nomad <<EOF\n${body}\nEOF\nnomad job run web.nomad`,
  (body) => `nomad job run - <<-EOF\n${body.replace(/^/gm, '\t')}\n\tEOF`,
];

const task = (fields: string) =>
  `job "web" {\n  datacenters = ["dc1"]\n  group "g" {\n    task "t" {\n${fields.replace(/^/gm, '      ')}\n    }\n  }\n}`;

const REFUSED: Array<[string, RegExp]> = [
  [
    task('driver = "exec"\nconfig {\n  command = "{{x}}"\n}'),
    /"command" field \(job > group > task > config/,
  ],
  [task('driver = "exec"\nconfig {\n  command = "/bin/app"\n  args = ["-v", "{{x}}"]\n}'), /"args" field/],
  [task('driver = "docker"\nconfig { image = "{{x}}" }'), /"image" field.*whose image runs/],
  [task('driver = "docker"\nconfig {\n  image = "{{x}}/app:1"\n}'), /"image" field/],
  [task('driver = "docker"\nconfig {\n  image = "reg/app:1"\n  entrypoint = ["{{x}}"]\n}'), /"entrypoint"/],
  [task('driver = "docker"\nconfig {\n  image = "reg/app:1"\n  volumes = ["{{x}}:/data"]\n}'), /driver/],
  [task('driver = "docker"\nconfig {\n  image = "reg/app:1"\n  privileged = {{x}}\n}'), /driver/],
  [task('driver = "{{x}}"'), /"driver" field.*raw_exec/],
  [task('user = "{{x}}"'), /"user" field.*runs as/],
  [task('env {\n  LD_PRELOAD = "/lib/{{x}}.so"\n}'), /variable LD_PRELOAD/],
  [task('env = { NODE_OPTIONS = "{{x}}" }'), /variable NODE_OPTIONS/],
  [task('env {\n  {{x}} = "1"\n}'), /in a key of the here-document/],
  [task('artifact {\n  source = "https://example.com/app-{{x}}.tgz"\n}'), /downloads/],
  [task('template {\n  data = "x"\n  destination = "local/{{x}}"\n}'), /"destination" field.*template/],
  [task('vault {\n  policies = ["{{x}}"]\n}'), /Vault policies/],
  // env = true: the template's data is the task's variables, NAME=VALUE lines (after the data too).
  [
    task('template {\n  data = "LD_PRELOAD={{x}}"\n  destination = "local/env"\n  env = true\n}'),
    /"data" field.*the value of LD_PRELOAD, a variable the task gets/,
  ],
  [
    task('template {\n  env = true\n  data = <<EOH\nVERSION=1\n{{x}}\nEOH\n  destination = "local/env"\n}'),
    /"data" field.*the name of a variable the task gets/,
  ],
  [
    task('template {\n  data = "A=1\\n{{x}}_HOME=/srv"\n  destination = "local/env"\n  env = true\n}'),
    /the name of a variable the task gets/,
  ],
  [
    task(
      'service {\n  check {\n    type = "script"\n    command = "/bin/check"\n    args = ["{{x}}"]\n  }\n}',
    ),
    /"args"/,
  ],
  [task('dynamic "{{x}}" {\n  content {}\n}'), /in a key of the here-document/],
  [
    'job "web" {\n  group "g" {\n    volume "data" {\n      type = "host"\n      source = "{{x}}"\n    }\n  }\n}',
    /host or CSI volume/,
  ],
  // JSON job specs: the same fields.
  [
    '{"Job": {"TaskGroups": [{"Tasks": [{"Driver": "exec", "Config": {"command": "/bin/app", "args": ["{{x}}"]}}]}]}}',
    /"args"/,
  ],
  ['{"Job": {"TaskGroups": [{"Tasks": [{"Driver": "{{x}}"}]}]}}', /"Driver" field/],
  [
    '{"Job": {"TaskGroups": [{"Tasks": [{"Templates": [{"EmbeddedTmpl": "NODE_OPTIONS={{x}}", "Envvars": true}]}]}]}}',
    /"EmbeddedTmpl" field.*the value of NODE_OPTIONS/,
  ],
];

for (const [body, message] of REFUSED)
  test(`refused in a nomad job spec: ${JSON.stringify(body.split('\n').find((l) => l.includes('{{x}}')))}`, () => {
    for (const reader of READERS) assertScriptRefused(reader(body), message);
  });

test('a variable holding a template is refused in such a field too', () => {
  assertScriptRefused(
    `C={{x}}\nnomad job run - <<EOF\n${task('driver = "exec"\nconfig {\n  command = "$C"\n}')}\nEOF`,
    /\$C \(character \d+\) holds \{\{x\}\}.*"command" field/,
  );
});

test('a job spec the scan cannot follow takes no value: the field cannot be told', () => {
  assertScriptRefused(
    `nomad job run - <<EOF\n${task('config {\n  command = "/bin/app"\n  args = ["{{x}}"')}\nEOF`,
    /not HCL the check can follow/,
  );
  assertScriptRefused(`nomad job run - <<EOF\njob "web" {\n  meta { v = "{{x}}\n}\nEOF`, /not HCL/);
});

test('data fields stay accepted: meta, env values, an image tag, template data, counts, names', () => {
  for (const reader of READERS)
    for (const body of [
      task('driver = "docker"\nconfig {\n  image = "reg.example.com/app:{{x}}"\n}'),
      task('driver = "docker"\nconfig { image = "reg.example.com/app:1" }\nenv {\n  VERSION = "{{x}}"\n}'),
      task('meta {\n  version = "{{x}}"\n}\nmeta = { a = "{{x}}", b = 2 }'),
      task('template {\n  data = <<EOH\nVERSION={{x}}\nEOH\n  destination = "local/app.env"\n}'),
      // A variable's value after a fixed name, with env = true; any line when the data is only a file.
      task('template {\n  data = "VERSION={{x}}"\n  destination = "local/app.env"\n  env = true\n}'),
      task('template {\n  data = "{{x}}"\n  destination = "local/version"\n  env = false\n}'),
      // A comment, a ${…} interpolation and a // comment do not hide the structure.
      task('# {{x}} in a comment\nmeta {\n  v = "${NOMAD_JOB_NAME}-{{x}}" // note\n}'),
      'job "web-{{x}}" {\n  group "g" {\n    count = {{x}}\n  }\n}',
      '{"Job": {"ID": "web", "Meta": {"version": "{{x}}"}}}',
    ])
      assertScriptAccepted(reader(body));
});

test('an image tag in a job spec is checked once rendered to be a tag', () => {
  const script = `nomad job run - <<EOF\n${task('driver = "docker"\nconfig {\n  image = "reg.example.com/app:{{x}}"\n}')}\nEOF`;
  assert.throws(
    () => renderShellScript(script, { x: '5000/evil' }),
    (e: unknown) => e instanceof TemplateError && /in the tag of the image/.test(e.message),
  );
  assert.doesNotThrow(() => renderShellScript(script, { x: 'v1.2.3' }));
});

test('a value outside quotes in a job spec may not hold "//", a comment hiding the rest of its line', () => {
  for (const reader of READERS) {
    const script = reader(task('env { VERSION = {{x}} }\nmeta { a = "b" }'));
    assert.throws(
      () => renderShellScript(script, { x: '1//' }),
      (e: unknown) =>
        e instanceof TemplateError && /outside the quotes of a job spec.*"\/\/"/.test(e.message),
    );
    assert.doesNotThrow(() => renderShellScript(script, { x: '3' }));
    // Inside quotes it is text.
    assert.doesNotThrow(() => renderShellScript(reader(task('env { URL = "{{x}}" }')), { x: 'a//b' }));
  }
});
