// Who aws grants rights to and which (IAM's grants, a Cognito pool's roles), the variables an environment entry
// in shorthand sets, and the items of a list option after its first (deploy-sources.ts): a value there would
// give any principal of the account any rights, choose a variable that loads code or a secret given, or add a
// layer of any account's.
import { test } from 'node:test';
import { assertAccepted, assertRefused, assertScriptAccepted } from '../../helpers/command-checks.ts';

const GRANTS = /its value would choose who is granted rights or which ones/;

test("an IAM grant's principal and rights are refused; the names of what is read or created stay data", () => {
  for (const [argv, option] of [
    [
      [
        'aws',
        'iam',
        'attach-role-policy',
        '--role-name',
        '{{x}}',
        '--policy-arn',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ],
      '--role-name',
    ],
    [['aws', 'iam', 'attach-role-policy', '--role-name', 'app', '--policy-arn', '{{x}}'], '--policy-arn'],
    [['aws', 'iam', 'attach-user-policy', '--user-name=ci-{{x}}', '--policy-arn', 'arn:p'], '--user-name'],
    [
      [
        'aws',
        'iam',
        'put-role-policy',
        '--role-name',
        'app',
        '--policy-name',
        'p',
        '--policy-document',
        '{{x}}',
      ],
      '--policy-document',
    ],
    [['aws', 'iam', 'add-user-to-group', '--user-name', 'bot', '--group-name', '{{x}}'], '--group-name'],
    [
      [
        'aws',
        'iam',
        'update-assume-role-policy',
        '--role-name',
        '{{x}}',
        '--policy-document',
        'file://t.json',
      ],
      '--role-name',
    ],
    [['aws', 'iam', 'create-access-key', '--user-name', '{{x}}'], '--user-name'],
    // aws reads a unique prefix of an option as it.
    [['aws', 'iam', 'attach-role-policy', '--role-n', '{{x}}', '--policy-arn', 'arn:p'], '--role-name'],
  ] as const)
    assertRefused([...argv], new RegExp(`aws iam \\S+ ${option}, .*${GRANTS.source}`));
  for (const argv of [
    ['aws', 'iam', 'get-role', '--role-name', '{{x}}'],
    [
      'aws',
      'iam',
      'put-role-policy',
      '--role-name',
      'app',
      '--policy-name',
      'deploy-{{x}}',
      '--policy-document',
      'file://p.json',
    ],
    ['aws', 'iam', 'list-attached-role-policies', '--role-name', 'app-{{x}}'],
  ])
    assertAccepted(argv);
});

test("a Cognito identity pool's roles are refused, as any option naming a role who acts", () => {
  for (const option of ['--roles', '--role-mappings'])
    assertRefused(
      [
        'aws',
        'cognito-identity',
        'set-identity-pool-roles',
        '--identity-pool-id',
        'p',
        option,
        'authenticated={{x}}',
      ],
      new RegExp(`set-identity-pool-roles ${option}, which chooses who acts`),
    );
});

test('an environment entry in shorthand: its name, a variable that loads code, its type and a secret it names are refused', () => {
  const start = [
    'aws',
    'codebuild',
    'start-build',
    '--project-name',
    'p',
    '--environment-variables-override',
  ];
  for (const [entries, what] of [
    [['name={{x}},value=1'], /the name of a variable it sets/],
    [['name=LD_PRELOAD,value=/lib/{{x}}.so'], /the value of the variable LD_PRELOAD/],
    [['name=A,value=1', 'name=NODE_OPTIONS,value={{x}}'], /the value of the variable NODE_OPTIONS/],
    [['name=V,value=a,type={{x}}'], /the type of the variable V/],
    [
      ['name=DB,value=prod/{{x}},type=SECRETS_MANAGER'],
      /the value of the SECRETS_MANAGER variable DB, which names the secret/,
    ],
  ] as const)
    assertRefused([...start, ...entries], what);
  // ecs run-task --overrides is refused whole (what the task's containers run), a name among it too.
  assertRefused(
    [
      'aws',
      'ecs',
      'run-task',
      '--cluster',
      'c',
      '--task-definition',
      't',
      '--overrides',
      'containerOverrides=[{name=app,environment=[{name={{x}},value=1}]}]',
    ],
    /run-task --overrides/,
  );
  assertAccepted([...start, 'name=VERSION,value={{x}}']);
  assertAccepted([...start, 'name=VERSION,value={{x}},type=PLAINTEXT']);
  assertAccepted([
    'aws',
    'ecs',
    'run-task',
    '--cluster',
    'c',
    '--task-definition',
    't',
    '--overrides',
    'containerOverrides=[{name=app,environment=[{name=V,value={{x}}}]}]',
  ]);
});

test("a list option's later items are read as its values: aws --layers A {{x}}", () => {
  assertRefused(
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--layers',
      'arn:aws:lambda:us-east-1:1:layer:a:1',
      '{{x}}',
    ],
    /update-function-configuration --layers, the layers added/,
  );
  assertRefused(
    ['aws', 'ecs', 'register-task-definition', '--family', 'f', '--execution-role-arn', 'arn:a', '{{x}}'],
    /--execution-role-arn, which chooses who acts/,
  );
  // aws s3's paths are operands, not items.
  assertScriptAccepted('aws s3 cp --region us-east-1 ./dist s3://artifacts/{{x}}/ --recursive');
  assertAccepted([
    'aws',
    's3',
    'cp',
    '--endpoint-url',
    'https://s3.example.com',
    'a.zip',
    's3://b/{{x}}.zip',
  ]);
});
