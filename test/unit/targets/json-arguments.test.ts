// A value in an argument written as JSON (any program's: an aws structure, a request body, a
// here-document written as JSON) stays in its string or is a number, and a template in a key is refused; a value
// in an aws argument written in shorthand (Key=Value,…) adds no key, value, list nor map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  scriptCheckedOnceRendered,
} from '../../helpers/command-checks.ts';

/** The start of commands several tests write JSON or shorthand after. */
const REGISTER = ['aws', 'ecs', 'register-task-definition', '--family', 'app', '--container-definitions'];
const BATCH = [
  'aws',
  'batch',
  'submit-job',
  '--job-name',
  'j',
  '--job-queue',
  'q',
  '--job-definition',
  'd',
  '--container-overrides',
];

const renderArgv = (argv: string[], v: string) =>
  renderArgvCommand(argv, { x: v }, (word) => word.replaceAll('{{x}}', v)).argv;

/** Values that end a JSON string and add a field, in every way JSON allows. */
const BREAKS_STRING = [
  'x","command":["sh","-c","id"],"a":"',
  'x\\", \\"privileged\\": true',
  'x\nb',
  'x\u0000',
  '\\u0022,"image":"evil"',
];
/** Values a JSON string holds as they are: text, punctuation, braces, unicode. */
const STAYS_IN_STRING = [
  '1.2.3',
  'v1.2.3-rc.1+build.7',
  'Fix login: a, b {c} [d]',
  "it's",
  'café ✓',
  'a=b=c',
];

test('a value in a string of a JSON argument stays in its string, for every program and spelling', () => {
  const inString =
    /is in a string of (the JSON argument of (-d|--data|--container-definitions|--overrides|--patch|--parameters)|a JSON argument), and its value holds/;
  for (const argv of [
    [...REGISTER, '[{"name":"app","image":"registry/app:1","dockerLabels":{"version":"{{x}}"}}]'],
    [
      'aws',
      'ecs',
      'run-task',
      '--cluster',
      'c',
      '--overrides',
      '{"containerOverrides":[{"name":"app","environment":[{"name":"V","value":"{{x}}"}]}]}',
    ],
    [
      'aws',
      'ecs',
      'run-task',
      '--cluster',
      'c',
      '--overrides={"containerOverrides":[{"name":"app","environment":[{"name":"V","value":"{{x}}"}]}]}',
    ],
    ['curl', '-X', 'POST', '-d', '{"version": "{{x}}", "env": "production"}', 'https://deploy.internal/api'],
    ['curl', '--data={"version":"{{x}}"}', 'https://deploy.internal/api'],
    [
      'az',
      'deployment',
      'group',
      'create',
      '-g',
      'rg',
      '-f',
      'main.bicep',
      '--parameters',
      '{"tag":{"value":"{{x}}"}}',
    ],
    [
      'sudo',
      '-u',
      'deploy',
      'curl',
      '-d',
      '[{"op":"replace","path":"/metadata/labels/version","value":"app-{{x}}"}]',
      'https://x',
    ],
    ['./notify', '{"text":"deployed {{x}}"}'],
  ])
    checkedOnceRendered(argv, BREAKS_STRING, STAYS_IN_STRING, inString);
  // What a JSON reader makes of the rendered argument: the value, whole, where the template was.
  for (const value of STAYS_IN_STRING) {
    const rendered = renderArgv(['curl', '-d', '{"version":"{{x}}","env":"production"}', 'https://x'], value);
    assert.deepEqual(JSON.parse(rendered[2]!), { version: value, env: 'production' });
  }
});

test('a value outside a string of a JSON argument must be a number, true, false or null', () => {
  const bare =
    /is outside a string in the JSON argument of (-d|--overrides), and its value .* is not a number, true, false or null/;
  for (const argv of [
    ['curl', '-d', '{"replicas": {{x}}, "image": "app"}', 'https://x'],
    ['aws', 'ecs', 'run-task', '--overrides', '{"cpu":{{x}}}'],
  ])
    checkedOnceRendered(
      argv,
      ['1, "command": ["sh"]', '1}', '"x"', '[1]', '1 ', '01', 'NaN', ''],
      ['3', '-1', '0.5', '1e3', 'true', 'false', 'null'],
      bare,
    );
});

test('a template in a key of a JSON argument is refused when the config loads', () => {
  const key =
    /is in a key of (the JSON argument of (-d|--overrides)|a here-document written as JSON): its value would choose which field is set/;
  assertRefused(['curl', '-d', '{"{{x}}": "1"}', 'https://x'], key);
  assertRefused(['curl', '-d', '{"a": {"env-{{x}}" : true}}', 'https://x'], key);
  assertRefused(['aws', 'ecs', 'run-task', '--overrides', '{"containerOverrides":[{"{{x}}":["sh"]}]}'], key);
  assertScriptRefused(`curl -d '{"{{x}}": 1}' https://x`, key);
  assertScriptRefused('curl -d @- https://x <<EOF\n{"{{x}}": 1}\nEOF', key);
  // The same template in a value, and a key that only holds a colon in its value, are not keys.
  assertAccepted(['curl', '-d', '{"a": "{{x}}", "b": "c:d"}', 'https://x']);
  assertAccepted(['curl', '-d', '{"a": ["{{x}}", "b"]}', 'https://x']);
});

test('JSON in a shell script: quoted any way, through a variable, and in a here-document', () => {
  const refused = [
    [
      'x","command":["sh"],"a":"',
      /is in a string of (the JSON argument of -d|a here-document written as JSON), and its value holds "\\""/,
    ],
    ['x\\', /its value holds "\\\\"/],
  ] as const;
  for (const script of [
    `curl -d '{"version":"{{x}}"}' https://x`,
    `curl -d "{\\"version\\":\\"{{x}}\\"}" https://x`,
    `V={{x}}; curl -d '{"version":"'"$V"'"}' https://x`,
    `V=app-{{x}}; curl -d '{"version":"'"$V"'"}' https://x`,
    'cat > task.json <<EOF\n{"family": "app",\n "containerDefinitions": [{"name": "app", "image": "registry/app:1", "dockerLabels": {"version": "{{x}}"}}]}\nEOF\naws ecs register-task-definition --cli-input-json file://task.json',
    'curl -d @- https://x <<-EOF\n\t{"version": "{{x}}"}\n\tEOF',
  ])
    scriptCheckedOnceRendered(script, refused, STAYS_IN_STRING);
  // A here-string, newline-delimited JSON (a bulk request's body) and the JSON printf writes are JSON too.
  const elsewhere = [
    [
      'x","command":["sh"],"a":"',
      /is in a string of (a here-string written as JSON|the JSON argument of --data-binary|a here-document written as JSON|the JSON printf writes), and its value holds "\\""/,
    ],
    ['x\\', /its value holds "\\\\"/],
  ] as const;
  for (const script of [
    `curl -d @- https://x <<< '{"version":"{{x}}"}'`,
    `curl -d @- https://x <<< "{\\"version\\":\\"{{x}}\\"}"`,
    `curl -H 'Content-Type: application/x-ndjson' --data-binary '{"index":{}}\n{"version":"{{x}}"}\n' https://x`,
    'curl --data-binary @- https://x <<EOF\n{"index":{}}\n{"version":"{{x}}"}\nEOF',
    `printf '{"version":"%s"}' {{x}} | curl -d @- https://x`,
    `printf '{"count":%d,"version":"%s"}\\n' 3 "{{x}}" > body.json`,
    `printf "{\\"version\\":\\"%s\\"}\\n" {{x}} | curl -d @- https://x`,
    `printf -- '{"a":"%s","b":"%s"}' one {{x}}`,
  ])
    scriptCheckedOnceRendered(script, elsewhere, STAYS_IN_STRING);
  // In a field that chooses what runs, or in a key, they are refused when the config loads.
  assertScriptRefused(
    `curl -d @- https://x <<< '{"command":["{{x}}"]}'`,
    /is in the "command" field of a here-string written as JSON, which chooses/,
  );
  assertScriptRefused(`printf '{"%s":1}' {{x}}`, /is in a key of the JSON printf writes/);
  assertScriptRefused(
    `printf '{"Cmd":["%s"]}' "{{x}}" | curl -d @- http://localhost/containers/create`,
    /is in the "Cmd" field of the JSON printf writes/,
  );
  // JSON kept in a variable, and a variable in a here-document's JSON, are checked where they are written.
  for (const script of [
    `J='{"version":"{{x}}"}'; curl -d "$J" https://x`,
    `J='{"version":"{{x}}"}' curl -d "$J" https://x`,
    'V={{x}}; curl -d @- https://x <<EOF\n{"version":"$V"}\nEOF',
    'V=app-{{x}}; curl -d @- https://x <<-EOF\n\t{"count": $N,\n\t "version": "${V}"}\n\tEOF',
  ])
    scriptCheckedOnceRendered(
      script,
      elsewhere.map(([v]) => [v, /its value holds/] as const),
      STAYS_IN_STRING,
    );
  for (const [script, message] of [
    [`J='{"Cmd":["{{x}}"]}'; curl -d "$J" https://x`, /is in the "Cmd" field of the JSON value of J/],
    [
      'V={{x}}; curl -d @- https://x <<EOF\n{"$V": 1}\nEOF',
      /\$V .*holds \{\{x\}\}.*is in a key of a here-document/,
    ],
    [
      'V={{x}}; curl -d @- https://x <<EOF\n{"Cmd": ["$V"]}\nEOF',
      /\$V .*holds \{\{x\}\}.*is in the "Cmd" field of a here-document written as JSON/,
    ],
    [
      'V="$(date)-{{x}}"; curl -d @- https://x <<EOF\n{"version": "$V"}\nEOF',
      /is in a here-document written as JSON, and only a template written there or a variable set from fixed text and templates alone/,
    ],
  ] as const)
    assertScriptRefused(script, message);
  // Every spelling of printf's conversions and escapes, behind a wrapper too; a JSON stream over several lines.
  for (const script of [
    `printf '{"version":"%ls"}' {{x}}`,
    `printf '{\\u0022version\\u0022:\\u0022%s\\u0022}' {{x}}`,
    `command printf '{"version":"%s"}' {{x}}`,
    `env printf '{"version":"%s"}' {{x}}`,
    `printf '{"at":"%(%F)T","version":"%s"}' -1 {{x}}`,
    'curl --data-binary @- https://x <<EOF\n{"index":{}}\n{"version":"{{x}}",\n "w":1}\nEOF',
    'curl -d @- https://x <<EOF\n{"replicas": ${N:-1}, "version": "{{x}}"}\nEOF',
  ])
    scriptCheckedOnceRendered(script, elsewhere, STAYS_IN_STRING);
  // A width's argument (%*s) is counted: the value after it lands in its string.
  assert.doesNotThrow(() =>
    renderShellScript(`printf '{"a":%*s,"version":"%s"}' 5 1 {{x}}`, { x: 'hello world' }),
  );
  // ${V:-default} in a JSON here-document is no template written there: refused, as another expansion is.
  assertScriptRefused(
    'V={{x}}; curl -d @- https://x <<EOF\n{"version": "${V:-latest}"}\nEOF',
    /is in a here-document written as JSON, and only a template written there or a variable set from fixed text/,
  );
  // printf's arguments cycle through its conversions; a number's must be a number.
  scriptCheckedOnceRendered(
    `printf '{"n":%s}\\n' {{x}}`,
    [['1,"command":["sh"]', /is outside a string/]],
    ['12'],
  );
  // printf that writes no JSON, and a format whose conversions are in no JSON, keep their values text.
  for (const script of [
    `printf '%s\\n' {{x}}`,
    `printf 'version %s [%s]\\n' {{x}} b`,
    `printf '%%s {"a":1} %s' {{x}}`,
  ])
    assert.doesNotThrow(() => renderShellScript(script, { x: 'a"b' }), script);
  // A variable whose value is not fixed text and templates alone is not checked: refused where JSON reads it.
  assertScriptRefused(
    `V="$(date)-{{x}}"; curl -d '{"version":"'"$V"'"}' https://x`,
    /is in the JSON argument of -d, and only a template written there or a variable set from fixed text and templates alone/,
  );
  // A here-document that is not JSON is text, as before.
  assert.doesNotThrow(() => renderShellScript('cat <<EOF\nversion: "{{x}}"\nEOF', { x: 'a"b' }));
});

test('words that are not JSON are not read as JSON', () => {
  for (const argv of [
    ['echo', '[{{x}}]'],
    ['echo', '{{x}}'],
    ['echo', '{ deploying {{x}} }'],
    ['curl', '-d', 'version={{x}}', 'https://x'],
    ['curl', '-d', '{"version": {{x}}', 'https://x'], // not JSON (unbalanced): its program reads no structure either
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, 'a"b, c'), argv.join(' '));
  }
  assertScriptAccepted(`echo "[{{x}}] deploying"`);
});

test('a value in an aws argument written in shorthand adds no key, value, list nor map', () => {
  const shorthand =
    /is in the argument of aws (--environment|--filters|--tags|--image-config|--network-configuration), which aws reads in its shorthand syntax .* and its value holds/;
  for (const argv of [
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--environment',
      'Variables={VERSION={{x}}}',
    ],
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--environment=Variables={VERSION={{x}},STAGE=prod}',
    ],
    ['aws', 'ec2', 'describe-instances', '--filters', 'Name=tag:env,Values={{x}}'],
    ['aws', 'ecs', 'tag-resource', '--resource-arn', 'arn', '--tags', 'key=version,value={{x}}'],
    [
      'aws',
      '--region',
      'eu-west-1',
      'ecs',
      'create-service',
      '--network-configuration',
      'awsvpcConfiguration={subnets=[subnet-{{x}}],assignPublicIp=DISABLED}',
    ],
  ])
    checkedOnceRendered(
      argv,
      ['1,LD_PRELOAD=/tmp/x.so', '1}', 'a=b', '[x]', "'x'", '"x"', 'a\\,b', 'a b', 'a\nb', '{x}'],
      ['1.2.3', 'v1.2.3-rc.1+build:7', 'app@sha256:abc', 'feature/x_y'],
      shorthand,
    );
  // Through a variable in a script too.
  scriptCheckedOnceRendered(
    'V={{x}}; aws lambda update-function-configuration --function-name f --environment "Variables={V=$V}"',
    [['1,NODE_OPTIONS=--require=/tmp/x', shorthand]],
    ['1.2.3'],
  );
});

test('aws arguments that are not shorthand are left to their own rules', () => {
  for (const argv of [
    ['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 'svc-{{x}}'],
    ['aws', 'ec2', 'describe-instances', '--query', 'Reservations[?Tags[?Value==`{{x}}`]]'],
    ['aws', 'ssm', 'put-parameter', '--name', '/app/version', '--value', '{{x}}', '--overwrite'],
    ['aws', 'lambda', 'invoke', '--function-name', 'f', '--payload', 'version-{{x}}', 'out.json'],
  ]) {
    assertAccepted(argv);
    assert.doesNotThrow(() => renderArgv(argv, '1,2=3'), argv.join(' '));
  }
});

test('a template in a JSON field that is a command or code is refused when the config loads, naming the field', () => {
  const field = (key: string) =>
    new RegExp(
      `is in the "${key}" field of (the JSON argument of [-\\w]+|a JSON argument|a here-document written as JSON), which chooses .*: a value there chooses what runs`,
    );
  const cases: [string[], string][] = [
    // ECS: a container definition's and an override's command, entry point and health check.
    [
      [
        'aws',
        'ecs',
        'run-task',
        '--cluster',
        'c',
        '--overrides',
        '{"containerOverrides":[{"name":"app","command":["sh","-c","deploy {{x}}"]}]}',
      ],
      'command',
    ],
    [
      [
        'aws',
        'ecs',
        'register-task-definition',
        '--family',
        'f',
        '--container-definitions',
        '[{"name":"app","image":"registry/app:1","entryPoint":["{{x}}"]}]',
      ],
      'entryPoint',
    ],
    [
      [
        'aws',
        'ecs',
        'register-task-definition',
        '--family',
        'f',
        '--container-definitions=[{"name":"app","healthCheck":{"command":["CMD-SHELL","curl {{x}}"]}}]',
      ],
      'command',
    ],
    // Batch: a job's container overrides.
    [[...BATCH, '{"command":["run","--version={{x}}"]}'], 'command'],
    // Lambda's ImageConfig, sent by any program.
    [['curl', '-d', '{"ImageConfig":{"EntryPoint":["/app/{{x}}"]}}', 'https://x'], 'EntryPoint'],
    [['curl', '-d', '{"ImageConfig":{"Command":["{{x}}"]}}', 'https://x'], 'Command'],
    [['curl', '-d', '{"ImageConfig":{"WorkingDirectory":"/srv/{{x}}"}}', 'https://x'], 'WorkingDirectory'],
    // The Docker Engine API's container config.
    [
      [
        'curl',
        '--unix-socket',
        '/var/run/docker.sock',
        '-d',
        '{"Image":"app:1","Cmd":["{{x}}"]}',
        'http://localhost/containers/create',
      ],
      'Cmd',
    ],
    [
      ['curl', '-d', '{"Image":"app:1","Entrypoint":["{{x}}"]}', 'http://localhost/containers/create'],
      'Entrypoint',
    ],
    [
      [
        'curl',
        '-d',
        '{"Image":"app:1","Healthcheck":{"Test":["CMD","{{x}}"]}}',
        'http://localhost/containers/create',
      ],
      'Test',
    ],
    // Kubernetes containers' command and args.
    [
      [
        'curl',
        '-d',
        '{"spec":{"containers":[{"name":"app","image":"app:1","args":["--v={{x}}"]}]}}',
        'https://k8s/api',
      ],
      'args',
    ],
    // CodeBuild's buildspec, an instance's user data, an SSM document's commands, a step's script.
    [
      [
        'aws',
        'codebuild',
        'create-project',
        '--name',
        'p',
        '--source',
        '{"type":"NO_SOURCE","buildspec":"version: 0.2 {{x}}"}',
      ],
      'buildspec',
    ],
    [
      ['aws', 'ec2', 'run-instances', '--cli-input-json', '{"ImageId":"ami-1","UserData":"{{x}}"}'],
      'UserData',
    ],
    [
      [
        'aws',
        'ec2',
        'create-launch-template',
        '--launch-template-name',
        't',
        '--launch-template-data',
        '{"userData":"{{x}}"}',
      ],
      'userData',
    ],
    [
      [
        'aws',
        'ssm',
        'send-command',
        '--document-name',
        'AWS-RunShellScript',
        '--parameters',
        '{"commands":["deploy {{x}}"]}',
      ],
      'commands',
    ],
    [['curl', '-d', '{"steps":[{"name":"x","script":"echo {{x}}"}]}', 'https://ci/api'], 'script'],
  ];
  for (const [argv, key] of cases) assertRefused(argv, field(key));
  // In a here-document written as JSON, and through a variable.
  assertScriptRefused(
    'cat > task.json <<EOF\n{"containerDefinitions": [{"name": "app", "command": ["deploy", "{{x}}"]}]}\nEOF\naws ecs register-task-definition --cli-input-json file://task.json',
    field('command'),
  );
  assertScriptRefused(
    `V={{x}}; aws ecs run-task --overrides '{"containerOverrides":[{"command":["'"$V"'"]}]}'`,
    field('command'),
  );
});

test('kubectl, oc and argocd patches written as JSON: a command or code field takes no template', () => {
  const field = (key: string) =>
    new RegExp(`is in the "${key}" field of the JSON argument of (-p|--patch), which chooses`);
  assertRefused(
    [
      'kubectl',
      'patch',
      'deployment',
      'app',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"app","command":["{{x}}"]}]}}}}',
    ],
    field('command'),
  );
  assertRefused(
    [
      'oc',
      'patch',
      'dc/app',
      '--patch',
      '{"spec":{"template":{"spec":{"initContainers":[{"name":"init","args":["-c","{{x}}"]}]}}}}',
    ],
    field('args'),
  );
  // A JSON Patch names the field in its path: its "value" fills the last name of it.
  assertRefused(
    [
      'kubectl',
      'patch',
      'deployment',
      'app',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/args","value":["{{x}}"]}]',
    ],
    field('args'),
  );
  assertRefused(
    [
      'kubectl',
      'patch',
      'deployment',
      'app',
      '--type=json',
      '-p',
      '[{"value":"{{x}}","op":"add","path":"/spec/template/spec/containers/0/command/-"}]',
    ],
    field('command'),
  );
  assertRefused(
    [
      'argocd',
      'app',
      'patch-resource',
      'app',
      '--kind',
      'Deployment',
      '--resource-name',
      'app',
      '--patch',
      '{"spec":{"template":{"spec":{"containers":[{"name":"a","command":["{{x}}"]}]}}}}',
    ],
    field('command'),
  );
  // A JSON Patch's value elsewhere, and an environment variable's value, stay data (the stricter YAML rule).
  assertAccepted([
    'kubectl',
    'patch',
    'deployment',
    'app',
    '--type',
    'json',
    '-p',
    '[{"op":"replace","path":"/spec/replicas","value":"{{x}}"}]',
  ]);
  assertAccepted([
    'kubectl',
    'patch',
    'deployment',
    'app',
    '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"VERSION","value":"{{x}}"}]}]}}}}',
  ]);
});

test('an "image" field of a JSON argument follows the image rule', () => {
  const whole =
    /is in the "(image|Image)" field of (the JSON argument of [-\w]+|a JSON argument|a here-document written as JSON), the image a container runs, where the value would be (the whole image|its registry)/;
  for (const argv of [
    [
      'aws',
      'ecs',
      'register-task-definition',
      '--family',
      'f',
      '--container-definitions',
      '[{"name":"app","image":"{{x}}"}]',
    ],
    [
      'aws',
      'ecs',
      'register-task-definition',
      '--family',
      'f',
      '--container-definitions',
      '[{"name":"app","image":"{{x}}.dkr.ecr.us-east-1.amazonaws.com/app:1"}]',
    ],
    [
      'aws',
      'ecs',
      'register-task-definition',
      '--family',
      'f',
      '--container-definitions',
      '[{"name":"app","image":"registry-{{x}}.example.com/app:1"}]',
    ],
    ['curl', '-d', '{"Image":"{{x}}/app:1"}', 'http://localhost/containers/create'],
    [
      'kubectl',
      'patch',
      'deployment',
      'app',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"{{x}}"}]}}}}',
    ],
    [
      'kubectl',
      'patch',
      'deployment',
      'app',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"{{x}}"}]',
    ],
  ])
    assertRefused(argv, whole);
  assertScriptRefused(
    'cat > t.json <<EOF\n{"containerDefinitions": [{"name": "app", "image": "{{x}}"}]}\nEOF',
    whole,
  );
  // A tag after a fixed registry and name is checked once rendered: it stays a tag.
  const tag =
    /is in the tag of the image the "(image|Image)" field of (the JSON argument of [-\w]+|a JSON argument) names/;
  for (const argv of [
    [
      'aws',
      'ecs',
      'register-task-definition',
      '--family',
      'f',
      '--container-definitions',
      '[{"name":"app","image":"registry.example.com/app:{{x}}"}]',
    ],
    ['curl', '-d', '{"Image":"registry.example.com/app:{{x}}"}', 'http://localhost/containers/create'],
    [
      'kubectl',
      'patch',
      'deployment',
      'app',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.example.com/app:{{x}}"}]}}}}',
    ],
  ])
    checkedOnceRendered(argv, ['1@sha256:0', 'x/y', '1:2', '.1'], ['1.2.3', 'v1.2.3-rc.1', 'main_7'], tag);
  scriptCheckedOnceRendered(
    'cat > t.json <<EOF\n{"containerDefinitions": [{"name": "app", "image": "registry.example.com/app:{{x}}"}]}\nEOF',
    [['x/y', /is in the tag of the image the "image" field of a here-document written as JSON names/]],
    ['1.2.3'],
  );
  // Through a variable it is refused: only a template written there is checked by the image rule.
  assertScriptRefused(
    `V=v{{x}}; aws ecs register-task-definition --container-definitions '[{"image":"registry.example.com/app:'"$V"'"}]'`,
    /is in the "image" field of the JSON argument of --container-definitions, the image a container runs, and only a template written there is checked/,
  );
});

test('data in a JSON argument stays accepted: an environment value, a tag, a field named like no command', () => {
  for (const argv of [
    [
      'aws',
      'ecs',
      'run-task',
      '--cluster',
      'c',
      '--overrides',
      '{"containerOverrides":[{"name":"app","command":["deploy"],"environment":[{"name":"VERSION","value":"{{x}}"}]}]}',
    ],
    ['aws', 'ecs', 'tag-resource', '--resource-arn', 'arn', '--tags', '[{"key":"version","value":"{{x}}"}]'],
    ['curl', '-d', '{"tag":"{{x}}","image":"registry.example.com/app"}', 'https://x'],
    ['curl', '-d', '{"text":"deployed {{x}}","commander":"bot"}', 'https://x'],
    // args outside a list of containers is no container's.
    ['curl', '-d', '{"args":{"version":"{{x}}"}}', 'https://x'],
    [...BATCH, '{"command":["run"],"environment":[{"name":"VERSION","value":"{{x}}"}]}'],
  ])
    assertAccepted(argv);
});

test("an environment entry's name in a JSON argument takes no template, nor a code variable's value", () => {
  const name =
    /is in the "(name|Name)" field of an entry of "(environment|Environment|env|environmentVariables|environment-variables-override)" in (the JSON argument of (--container-definitions|--overrides|-p|--container-overrides|--environment|--environment-variables-override)|a JSON argument), the name of the variable it sets in the container, where it would choose the variable \(LD_PRELOAD, NODE_OPTIONS or PATH/;
  const value =
    /is in the value of the variable (LD_PRELOAD|NODE_OPTIONS|PATH|PYTHONPATH) in .* \(its "(value|Value)" field\), which programs read to load code .*: its value would choose the code the container runs/;
  for (const [argv, message] of [
    [
      [
        'aws',
        'ecs',
        'register-task-definition',
        '--container-definitions',
        '[{"name":"app","image":"r/app:1","environment":[{"name":"{{x}}","value":"/tmp/x.so"}]}]',
      ],
      name,
    ],
    [
      [
        'aws',
        'ecs',
        'register-task-definition',
        '--container-definitions',
        '[{"name":"app","image":"r/app:1","Environment":[{"Name":"APP_{{x}}","Value":"1"}]}]',
      ],
      name,
    ],
    [
      [
        'aws',
        'ecs',
        'run-task',
        '--overrides',
        '{"containerOverrides":[{"name":"app","environment":[{"value":"1","name":"{{x}}"}]}]}',
      ],
      name,
    ],
    [
      [
        'kubectl',
        'patch',
        'deploy',
        'app',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"{{x}}","value":"1"}]}]}}}}',
      ],
      name,
    ],
    [
      [
        'aws',
        'batch',
        'submit-job',
        '--container-overrides',
        '{"environment":[{"name":"{{x}}","value":"1"}]}',
      ],
      name,
    ],
    [
      [
        'aws',
        'codebuild',
        'create-project',
        '--environment',
        '{"image":"aws/codebuild/standard:7.0","environmentVariables":[{"name":"{{x}}","value":"1"}]}',
      ],
      name,
    ],
    [
      [
        'aws',
        'codebuild',
        'start-build',
        '--project-name',
        'p',
        '--environment-variables-override',
        '[{"name":"{{x}}","value":"1","type":"PLAINTEXT"}]',
      ],
      name,
    ],
    [
      [
        'aws',
        'ecs',
        'register-task-definition',
        '--container-definitions',
        '[{"name":"app","image":"r/app:1","environment":[{"name":"LD_PRELOAD","value":"{{x}}"}]}]',
      ],
      value,
    ],
    [
      [
        'aws',
        'ecs',
        'register-task-definition',
        '--container-definitions',
        '[{"name":"app","image":"r/app:1","environment":[{"Value":"/opt/{{x}}:/usr/bin","Name":"PATH"}]}]',
      ],
      value,
    ],
    [
      [
        'kubectl',
        'patch',
        'deploy',
        'app',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"NODE_OPTIONS","value":"--require /tmp/{{x}}.js"}]}]}}}}',
      ],
      value,
    ],
    [
      [
        'aws',
        'codebuild',
        'start-build',
        '--project-name',
        'p',
        '--environment-variables-override',
        '[{"name":"PYTHONPATH","value":"{{x}}"}]',
      ],
      value,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // A fixed name with a value, a container's name, and "name"/"value" fields outside an environment list.
  for (const argv of [
    [
      'aws',
      'ecs',
      'register-task-definition',
      '--container-definitions',
      '[{"name":"app-{{x}}","image":"r/app:1","environment":[{"name":"VERSION","value":"{{x}}"},{"name":"LD_PRELOAD","value":"/lib/x.so"}]}]',
    ],
    [
      'aws',
      'codebuild',
      'start-build',
      '--project-name',
      'p',
      '--environment-variables-override',
      '[{"name":"VERSION","value":"{{x}}","type":"PLAINTEXT"}]',
    ],
    ['aws', 'ecs', 'tag-resource', '--resource-arn', 'arn', '--tags', '[{"key":"PATH","value":"{{x}}"}]'],
    ['curl', '-d', '[{"name":"{{x}}","value":"1"}]', 'https://x'],
    ['curl', '-d', '{"items":[{"name":"PATH","value":"{{x}}"}]}', 'https://x'],
  ])
    assertAccepted(argv);
});

test("more JSON fields choose what runs: working directories, Docker's Shell, OnBuild and Env entries, variables maps, a task's secrets", () => {
  const chooses = (key: string, what: RegExp) =>
    new RegExp(`is in the "${key}" field of .*, which chooses ${what.source}`);
  const variable = (name: string) =>
    new RegExp(`is in the value of the variable ${name} in .*which programs read to load code`);
  const envName =
    /is in the name of an entry of "(Env|env)" in .* \(NAME=VALUE\), the variable it sets in the container/;
  const docker = (body: string) => ['curl', '-d', body, 'http://localhost/containers/create'];
  for (const [argv, message] of [
    [
      [
        'kubectl',
        'patch',
        'deploy',
        'app',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"app","workingDir":"/srv/{{x}}"}]}}}}',
      ],
      chooses('workingDir', /the directory a container runs its command in/),
    ],
    [docker('{"Image":"app:1","WorkingDir":"{{x}}"}'), chooses('WorkingDir', /the directory/)],
    [docker('{"Image":"app:1","Shell":["/bin/{{x}}","-c"]}'), chooses('Shell', /the shell a container runs/)],
    [docker('{"Image":"app:1","OnBuild":["RUN {{x}}"]}'), chooses('OnBuild', /the instructions a build/)],
    [docker('{"Image":"app:1","Env":["{{x}}=1"]}'), envName],
    [docker('{"Image":"app:1","Env":["APP_{{x}}=1"]}'), envName],
    [docker('{"Image":"app:1","Env":["{{x}}"]}'), envName],
    [docker('{"Image":"app:1","Env":["VERSION=1","LD_PRELOAD=/lib/{{x}}.so"]}'), variable('LD_PRELOAD')],
    [
      [
        'aws',
        'lambda',
        'update-function-configuration',
        '--function-name',
        'f',
        '--environment',
        '{"Variables":{"NODE_OPTIONS":"--require ./{{x}}"}}',
      ],
      variable('NODE_OPTIONS'),
    ],
    [
      [
        'curl',
        '-d',
        '{"SourceConfiguration":{"ImageRepository":{"ImageConfiguration":{"RuntimeEnvironmentVariables":{"PYTHONPATH":"{{x}}"}}}}}',
        'https://x',
      ],
      variable('PYTHONPATH'),
    ],
    [
      [
        ...REGISTER,
        '[{"name":"app","image":"r/app:1","environmentFiles":[{"value":"arn:aws:s3:::cfg/{{x}}.env","type":"s3"}]}]',
      ],
      chooses('value', /the file of variables a container starts with/),
    ],
    [
      [
        ...REGISTER,
        '[{"name":"app","image":"r/app:1","secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:us-east-1:1:parameter/{{x}}/db"}]}]',
      ],
      chooses('valueFrom', /which secret or parameter a container is given/),
    ],
    [
      [
        ...REGISTER,
        '[{"name":"app","image":"r/app:1","repositoryCredentials":{"credentialsParameter":"arn:aws:secretsmanager:us-east-1:1:secret:{{x}}"}}]',
      ],
      chooses('credentialsParameter', /which secret or parameter/),
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // Kubernetes: which secret a container reads, and the ConfigMap or Secret its variables come from; a Compose
  // file's environment list; lambda's Variables in aws shorthand, quoted or not.
  const pod = (container: string) => [
    'kubectl',
    'patch',
    'deploy',
    'app',
    '-p',
    `{"spec":{"template":{"spec":{"containers":[{"name":"app",${container}}]}}}}`,
  ];
  for (const [argv, message] of [
    [
      pod('"env":[{"name":"DB","valueFrom":{"secretKeyRef":{"name":"{{x}}","key":"password"}}}]'),
      /which chooses which secret or parameter a container is given .*: a value there chooses which secret the container reads/,
    ],
    [
      pod('"envFrom":[{"configMapRef":{"name":"app-{{x}}"}}]'),
      /which chooses the ConfigMap or Secret whose keys become the container's variables/,
    ],
    [
      ['curl', '-d', '{"services":{"app":{"environment":["LD_PRELOAD={{x}}"]}}}', 'https://x'],
      variable('LD_PRELOAD'),
    ],
    [
      [
        'aws',
        'lambda',
        'update-function-configuration',
        '--function-name',
        'f',
        '--environment',
        'Variables={LD_PRELOAD={{x}}}',
      ],
      /the value of the variable LD_PRELOAD in the argument of aws lambda update-function-configuration --environment/,
    ],
    [
      [
        'aws',
        'lambda',
        'update-function-configuration',
        '--function-name',
        'f',
        '--environment',
        'Variables={NODE_OPTIONS="--require {{x}}"}',
      ],
      /the value of the variable NODE_OPTIONS in the argument of aws lambda/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // Data stays accepted: a variable's value that loads no code, a tag, the same names outside those places.
  for (const argv of [
    docker('{"Image":"app:1","Env":["VERSION={{x}}","LD_PRELOAD=/lib/fixed.so"]}'),
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--environment',
      '{"Variables":{"VERSION":"{{x}}"}}',
    ],
    [
      ...REGISTER,
      '[{"name":"app","image":"r/app:1","secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:us-east-1:1:parameter/db"}],"environment":[{"name":"VERSION","value":"{{x}}"}]}]',
    ],
    ['curl', '-d', '{"environment":"{{x}}","ref":"main"}', 'https://x'],
    ['curl', '-d', '{"environments":["{{x}}"]}', 'https://x'],
    ['curl', '-d', '{"settings":{"PATH":"{{x}}"}}', 'https://x'],
    // A list of names is no NAME=VALUE list; a "shell" of another API is its data.
    ['curl', '-d', '{"env":["production","{{x}}"]}', 'https://x'],
    ['curl', '-d', '{"user":{"login":"deploy","shell":"{{x}}"}}', 'https://x'],
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--environment',
      'Variables={VERSION={{x}}}',
    ],
  ])
    assertAccepted(argv);
});

test('aws codebuild start-build: the buildspec, the source location and the service role take no template; the image follows the image rule', () => {
  for (const verb of ['start-build', 'start-build-batch']) {
    const base = ['aws', 'codebuild', verb, '--project-name', 'app'];
    assertRefused(
      [...base, '--buildspec-override', 'version: 0.2\nphases: {build: {commands: [make {{x}}]}}'],
      /--buildspec-override, which chooses the commands the build runs/,
    );
    assertRefused(
      [...base, '--buildspec-override=ci/{{x}}.yml'],
      /--buildspec-override, which chooses the commands the build runs/,
    );
    assertRefused(
      [...base, '--source-location-override', 'https://github.com/owner/{{x}}'],
      /--source-location-override, which chooses the source the build builds/,
    );
    assertRefused(
      [...base, '--service-role-override', 'arn:aws:iam::123456789012:role/{{x}}'],
      /--service-role-override, which chooses who acts/,
    );
    assertRefused(
      [...base, '--image-override', '{{x}}'],
      /the image aws codebuild [-\w]+ --image-override builds in, where the value would be the whole image/,
    );
    checkedOnceRendered(
      [...base, '--image-override', '123456789012.dkr.ecr.us-east-1.amazonaws.com/build:{{x}}'],
      ['evil.io/x:1', '1@sha256:0'],
      ['1.2.3'],
      /is in the tag of the image aws codebuild [-\w]+ --image-override builds in/,
    );
    assertAccepted([...base, '--source-version', '{{x}}']);
    assertAccepted([...base, '--source-version=refs/heads/{{x}}']);
  }
});

test('aws batch submit-job --container-overrides and ecs run-task/start-task --overrides in shorthand: the command takes no template', () => {
  const batch = [...BATCH];
  assertRefused(
    [...batch, 'command=run,{{x}}'],
    /--container-overrides, which chooses the command the job runs/,
  );
  assertRefused(
    [...batch, 'command=[run,{{x}}],vcpus=2'],
    /--container-overrides, which chooses the command the job runs/,
  );
  assertRefused(
    [...batch, 'environment=[{name={{x}},value=1}]'],
    /--container-overrides, which chooses the command the job runs/,
  );
  checkedOnceRendered(
    [...batch, 'command=run,vcpus=2,environment=[{name=VERSION,value={{x}}}]'],
    ['1,command=sh', '1}]'],
    ['1.2.3'],
    /is in the environment.value=, .* of aws batch submit-job --container-overrides, and its value holds/,
  );
  for (const verb of ['run-task', 'start-task']) {
    const ecs = ['aws', 'ecs', verb, '--cluster', 'c', '--task-definition', 't', '--overrides'];
    assertRefused(
      [...ecs, 'containerOverrides=[{name=app,command=[deploy,{{x}}]}]'],
      new RegExp(`aws ecs ${verb} --overrides, which chooses the command the task's containers run`),
    );
    assertRefused(
      [...ecs, 'taskRoleArn=arn:aws:iam::1:role/{{x}}'],
      /--overrides, which chooses the command the task's containers run .* the roles the task runs as/,
    );
    assertRefused(
      [...ecs, '{"executionRoleArn":"arn:aws:iam::1:role/{{x}}"}'],
      /is in the "executionRoleArn" field of the JSON argument of --overrides, which chooses who acts/,
    );
    checkedOnceRendered(
      [...ecs, 'containerOverrides=[{name=app,environment=[{name=VERSION,value={{x}}}]}]'],
      ['1,taskRoleArn=arn', '1}]'],
      ['1.2.3'],
      /of aws ecs [-\w]+ --overrides, and its value holds/,
    );
  }
});

test("a template in a JSON Patch operation's path or from is refused as a key is", () => {
  const path = /is in the "path" or "from" of a JSON Patch operation in the JSON argument of (-p|--patch|-d)/;
  assertRefused(
    [
      'kubectl',
      'patch',
      'deploy',
      'app',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/{{x}}","value":"1"}]',
    ],
    path,
  );
  assertRefused(
    [
      'argocd',
      'app',
      'patch',
      'app',
      '--type',
      'json',
      '--patch',
      '[{"op":"replace","path":"/spec/source/{{x}}","value":"a"}]',
    ],
    path,
  );
  assertRefused(['curl', '-d', '[{"op":"copy","from":"/a/{{x}}","path":"/b"}]', 'https://x'], path);
  // Its value stays a value; a "path" outside an operation is any field's.
  assertAccepted([
    'curl',
    '-d',
    '[{"op":"replace","path":"/metadata/labels/version","value":"{{x}}"}]',
    'https://x',
  ]);
  assertAccepted(['curl', '-d', '{"path":"/docs/{{x}}"}', 'https://x']);
});

test('JSON attached to a short option, after NAME=, or with a shell variable in it is still JSON', () => {
  const inString =
    /is in a string of the (JSON argument of (-d|--data-urlencode)|JSON value of X), and its value holds/;
  for (const argv of [
    ['curl', '-d{"version":"{{x}}"}', 'https://x'],
    ['curl', '--data-urlencode', 'payload={"text":"deployed {{x}}"}', 'https://hooks.example/T1'],
    ['env', 'X={"a":"{{x}}"}', './notify'],
  ])
    checkedOnceRendered(argv, BREAKS_STRING, STAYS_IN_STRING, inString);
  scriptCheckedOnceRendered(
    `N=3; curl -d "{\\"count\\": $N, \\"version\\": \\"{{x}}\\"}" https://x`,
    [['x","command":["sh"],"a":"', inString]],
    STAYS_IN_STRING,
  );
});

test('every word of an aws list parameter written in shorthand is checked, up to the next option', () => {
  const shorthand =
    /is in the argument of aws --parameters, which aws reads in its shorthand syntax .* and its value holds/;
  const stack = [
    ...['aws', 'cloudformation', 'create-stack', '--stack-name', 's', '--template-body', 'file://t.yml'],
    '--parameters',
  ];
  for (const argv of [
    [...stack, 'ParameterKey=Image,ParameterValue=a', 'ParameterKey=Tag,ParameterValue={{x}}'],
    [
      ...stack,
      'ParameterKey=Image,ParameterValue=a',
      'ParameterKey=Env,ParameterValue=prod',
      'ParameterKey=Tag,ParameterValue={{x}}',
      '--capabilities',
      'CAPABILITY_IAM',
    ],
  ])
    checkedOnceRendered(
      argv,
      ['1,ParameterKey=AdminRoleArn', '1 x', 'a=b'],
      ['1.2.3', 'v1.2.3-rc.1'],
      shorthand,
    );
  scriptCheckedOnceRendered(
    'aws cloudformation update-stack --stack-name s --use-previous-template --parameters ParameterKey=A,ParameterValue=1 "ParameterKey=Tag,ParameterValue={{x}}"',
    [['1,ParameterKey=AdminRoleArn', shorthand]],
    ['1.2.3'],
  );
});

test('aws options whose argument is a string are not shorthand, whatever text is around the template', () => {
  for (const argv of [
    ['aws', 'sns', 'publish', '--topic-arn', 'arn:aws:sns:t', '--message', 'Deployed {{x}}, see PR'],
    [
      'aws',
      'sns',
      'publish',
      '--topic-arn',
      'arn:aws:sns:t',
      '--subject',
      '[deploy] {{x}}',
      '--message',
      'm',
    ],
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--description',
      '{{x}} (sha=abc)',
    ],
    ['aws', 'ssm', 'put-parameter', '--name', '/app/v', '--value', 'title={{x}}', '--overwrite'],
    ['aws', 'ssm', 'put-parameter', '--name', '/app/v', '--value=title={{x}}'],
    ['aws', 'sqs', 'send-message', '--queue-url', 'https://q', '--message-body', 'version={{x}}, ok'],
    [
      ...['aws', 'cloudformation', 'deploy', '--template-file', 't.yml', '--stack-name', 's'],
      ...['--parameter-overrides', 'Image=app', 'Message={{x}}'],
    ],
    // A word not starting with Key= nor { or [ is not shorthand, even with , or = after it.
    ['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 'svc', '--force-new-deployment'],
    [
      'aws',
      'elasticbeanstalk',
      'update-environment',
      '--environment-name',
      'e',
      '--version-label',
      'v{{x}},a=b',
    ],
  ]) {
    assertAccepted(argv);
    for (const value of ['Fix login bug', 'a, b=c {d} [e]'])
      assert.doesNotThrow(() => renderArgv(argv, value), argv.join(' '));
  }
  // Where the same option is a structure, it stays shorthand: ses send-email --message, ec2's --description.
  const shorthand =
    /is in the argument of aws (--message|--description), which aws reads in its shorthand syntax/;
  for (const argv of [
    [
      'aws',
      'ses',
      'send-email',
      '--from',
      'a@b',
      '--destination',
      'ToAddresses=c@d',
      '--message',
      'Subject={Data={{x}}},Body={Text={Data=b}}',
    ],
    ['aws', 'ec2', 'modify-image-attribute', '--image-id', 'ami-1', '--description', 'Value={{x}}'],
    [
      'aws',
      '--region',
      'eu-west-1',
      'ec2',
      'modify-image-attribute',
      '--image-id',
      'ami-1',
      '--description=Value={{x}}',
    ],
  ])
    checkedOnceRendered(argv, ['1,Body={}', 'a b'], ['1.2.3'], shorthand);
});

test('a template in a key of an aws argument written in shorthand is refused, as in JSON', () => {
  const key =
    /is in a key of the argument of aws [a-z0-9]+ [a-z-]+ --(environment|tags|parameters), which aws reads in its shorthand syntax/;
  const env = ['aws', 'lambda', 'update-function-configuration', '--function-name', 'f', '--environment'];
  for (const argv of [
    [...env, 'Variables={ {{x}}=/tmp/x.so }'],
    [...env, 'Variables={STAGE=prod,{{x}}=1}'],
    [...env.slice(0, -1), '--environment=Variables={STAGE=prod,x{{x}}=1}'],
    ['aws', 'ec2', 'create-tags', '--resources', 'i-1', '--tags', '{{x}}=1'],
    [
      ...['aws', 'cloudformation', 'create-stack', '--stack-name', 's', '--template-body', 'file://t.yml'],
      ...['--parameters', 'ParameterKey=A,ParameterValue=1', '{{x}}=Tag,ParameterValue=1'],
    ],
  ])
    assertRefused(argv, key);
  // cloudformation deploy --parameter-overrides KEY=VALUE: the name is a key too; a value after it is data.
  const deploy = ['aws', 'cloudformation', 'deploy', '--template-file', 't.yml', '--stack-name', 's'];
  assertRefused(
    [...deploy, '--parameter-overrides', 'Image=app', '{{x}}=arn:aws:iam::1:role/admin'],
    /is in a parameter name of aws cloudformation deploy --parameter-overrides, which chooses which parameter/,
  );
  // A value after a fixed key stays accepted (checked once rendered where aws reads shorthand).
  for (const argv of [
    [...env, 'Variables={STAGE=prod,VERSION={{x}}}'],
    ['aws', 'ec2', 'create-tags', '--resources', 'i-1', '--tags', 'Key=version,Value={{x}}'],
    [...deploy, '--parameter-overrides', 'Image=app', 'Tag={{x}}'],
  ])
    assertAccepted(argv);
});
