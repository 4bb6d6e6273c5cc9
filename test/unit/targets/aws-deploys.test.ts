// What aws deploys and who acts (deploy-sources.ts), as read by review: a CodeDeploy revision, an Elastic Beanstalk
// version's source, an Amplify deployment's zip, a CloudFormation template and package bucket, an instance's AMI
// and instance profile, a Lambda container's entry point and command, an image in --code ImageUri=, --role-arn.
import { test } from 'node:test';
import { assertAccepted, assertRefused, checkedOnceRendered } from '../../helpers/command-checks.ts';

const SHORTHAND = /and its value holds .*: a value there must hold no "," "=" space, quote or bracket/;
const DEPLOYMENT = [
  'aws',
  'deploy',
  'create-deployment',
  '--application-name',
  'app',
  '--deployment-group-name',
  'g',
];
const VERSION = ['aws', 'elasticbeanstalk', 'create-application-version', '--application-name', 'a'];

test("a CodeDeploy revision's bucket and repository are refused; its key and commit are checked once rendered", () => {
  for (const argv of [
    [...DEPLOYMENT, '--s3-location', 'bucket={{x}},key=app.zip,bundleType=zip'],
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts-{{x}},key=app.zip,bundleType=zip'],
    [...DEPLOYMENT, '--s3-loc=key=app.zip,bucket={{x}},bundleType=zip'],
    [...DEPLOYMENT, '--s3-location', '{"bucket":"b","key":"{{x}}","bundleType":"zip"}'],
    [...DEPLOYMENT, '--github-location', 'repository={{x}},commitId=0123abc'],
    [...DEPLOYMENT, '--github-location', 'repository=owner/{{x}},commitId=0123abc'],
    [...DEPLOYMENT, '--github-location', 'repository=owner/app,{{x}}=0123abc'],
    [...DEPLOYMENT, '--revision', 'revisionType=S3,s3Location={bucket={{x}},key=k,bundleType=zip}'],
    [...DEPLOYMENT, '--revision', 'revisionType={{x}},gitHubLocation={repository=o/r,commitId=abc}'],
    [...DEPLOYMENT, '--revision', 'revisionType=GitHub,gitHubLocation={repository={{x}},commitId=abc}'],
    [
      'aws',
      'deploy',
      'register-application-revision',
      '--application-name',
      'app',
      '--github-location',
      'repository={{x}},commitId=abc',
    ],
  ])
    assertRefused(
      argv,
      /is in the value of aws deploy [a-z-]+ --(s3-location|github-location|revision), which chooses the revision CodeDeploy deploys/,
    );
  assertRefused(
    [
      'aws',
      'deploy',
      'push',
      '--application-name',
      'app',
      '--s3-location',
      's3://{{x}}/app.zip',
      '--source',
      '.',
    ],
    /is in the value of aws deploy push --s3-location, the bucket the revision is uploaded to/,
  );
  for (const argv of [
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts,key=app-{{x}}.zip,bundleType=zip'],
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts,key=app.zip,bundleType=zip,version={{x}}'],
    [...DEPLOYMENT, '--github-location', 'repository=owner/app,commitId={{x}}'],
    [...DEPLOYMENT, '--github-location', 'commitId={{x}},repository=owner/app'],
    [...DEPLOYMENT, '--revision', 'revisionType=GitHub,gitHubLocation={repository=owner/app,commitId={{x}}}'],
  ])
    checkedOnceRendered(
      argv,
      ['abc,repository=evil/app', 'a=b', 'a b'],
      ['0123456789abcdef0123456789abcdef01234567', 'v1/app'],
      SHORTHAND,
    );
  for (const argv of [
    [
      'aws',
      'deploy',
      'push',
      '--application-name',
      'app',
      '--s3-location',
      's3://artifacts/app-{{x}}.zip',
      '--source',
      '.',
    ],
    [...DEPLOYMENT, '--description', 'deploy {{x}}', '--s3-location', 'bucket=b,key=app.zip,bundleType=zip'],
  ])
    assertAccepted(argv);
});

test("an Elastic Beanstalk version's bucket, repository and build image are refused; its key and commit are checked", () => {
  for (const argv of [
    [...VERSION, '--version-label', 'v1', '--source-bundle', 'S3Bucket={{x}},S3Key=app.zip'],
    [...VERSION, '--version-label', 'v1', '--source-bundle', 'S3Key=app.zip,S3Bucket=eb-{{x}}'],
    [...VERSION, '--version-label', 'v1', '--source-bundle', '{"S3Bucket":"b","S3Key":"{{x}}"}'],
    [
      ...VERSION,
      '--version-label',
      'v1',
      '--source-build-information',
      'SourceType=Git,SourceRepository=CodeCommit,SourceLocation={{x}}/abc',
    ],
    [
      ...VERSION,
      '--version-label',
      'v1',
      '--source-build-information',
      'SourceType=Git,SourceRepository=CodeCommit,SourceLocation=repo{{x}}/abc',
    ],
    [
      ...VERSION,
      '--version-label',
      'v1',
      '--source-build-information',
      'SourceType=Git,SourceRepository={{x}},SourceLocation=repo/abc',
    ],
    [...VERSION, '--version-label', 'v1', '--build-configuration', 'CodeBuildServiceRole=r,Image={{x}}'],
    [
      ...VERSION,
      '--version-label',
      'v1',
      '--build-configuration',
      'CodeBuildServiceRole=arn:aws:iam::{{x}}:role/r,Image=i',
    ],
  ])
    assertRefused(
      argv,
      /is in the value of aws elasticbeanstalk create-application-version --(source-bundle|source-build-information|build-configuration), which chooses/,
    );
  for (const argv of [
    [...VERSION, '--version-label', 'v1', '--source-bundle', 'S3Bucket=artifacts,S3Key=app-{{x}}.zip'],
    [
      ...VERSION,
      '--version-label',
      'v1',
      '--source-build-information',
      'SourceType=Git,SourceRepository=CodeCommit,SourceLocation=app-repo/{{x}}',
    ],
  ])
    checkedOnceRendered(argv, ['k,S3Bucket=evil', 'a b'], ['0123abc', 'v1/app.zip'], SHORTHAND);
  assertAccepted([
    ...VERSION,
    '--version-label',
    '{{x}}',
    '--source-bundle',
    'S3Bucket=artifacts,S3Key=app.zip',
  ]);
});

test("Amplify's source URL, CloudFormation's template and package bucket are refused but for a key in a fixed bucket", () => {
  for (const url of ['{{x}}', 'https://{{x}}/app.zip', 's3://{{x}}/app.zip', 's3://artifacts{{x}}/app.zip'])
    assertRefused(
      ['aws', 'amplify', 'start-deployment', '--app-id', 'd1', '--branch-name', 'main', '--source-url', url],
      /is in the value of aws amplify start-deployment --source-url, which chooses the code deployed/,
    );
  for (const verb of ['create-stack', 'update-stack', 'create-change-set'])
    for (const [option, value] of [
      ['--template-url', '{{x}}'],
      ['--template-url', 'https://{{x}}.s3.amazonaws.com/t.yml'],
      ['--template-url', 'https://s3.amazonaws.com/b/{{x}}.yml'],
      ['--template-url', 'https://b.s3.amazonaws.com{{x}}'],
      ['--template-url', 'https://example.com/{{x}}.yml'],
      ['--template-u', '{{x}}'],
      ['--template-body', '{{x}}'],
      ['--template-body', '{"Resources": {{x}}}'],
    ] as const)
      assertRefused(
        ['aws', 'cloudformation', verb, '--stack-name', 's', option, value],
        /is in the value of aws cloudformation [a-z-]+ --template-(url|body), (which chooses )?the template deployed/,
      );
  for (const argv of [
    [
      'aws',
      'cloudformation',
      'deploy',
      '--template-file',
      't.yml',
      '--stack-name',
      's',
      '--s3-bucket',
      '{{x}}',
    ],
    ['aws', 'cloudformation', 'package', '--template-file', 't.yml', '--s3-b', 'pkg-{{x}}'],
  ])
    assertRefused(
      argv,
      /is in the value of aws cloudformation (deploy|package) --s3-bucket, where the template's artifacts/,
    );
  for (const argv of [
    [
      'aws',
      'amplify',
      'start-deployment',
      '--app-id',
      'd1',
      '--branch-name',
      'main',
      '--source-url',
      's3://artifacts/{{x}}/app.zip',
    ],
    [
      'aws',
      'cloudformation',
      'create-stack',
      '--stack-name',
      's',
      '--template-url',
      'https://cfn.s3.us-east-1.amazonaws.com/templates/{{x}}.yml',
    ],
    [
      'aws',
      'cloudformation',
      'update-stack',
      '--stack-name',
      's-{{x}}',
      '--template-body',
      'file://cfn/app.yml',
      '--parameters',
      'ParameterKey=Version,ParameterValue={{x}}',
    ],
    [
      'aws',
      'cloudformation',
      'deploy',
      '--template-file',
      't.yml',
      '--stack-name',
      's',
      '--s3-bucket',
      'pkg',
      '--s3-prefix',
      '{{x}}',
      '--parameter-overrides',
      'Version={{x}}',
    ],
  ])
    assertAccepted(argv);
});

test("an instance's AMI and instance profile, and a Lambda container's entry point and command, are refused", () => {
  for (const argv of [
    ['aws', 'ec2', 'run-instances', '--image-id', '{{x}}', '--instance-type', 't3.micro'],
    ['aws', 'ec2', 'run-instances', '--image-id', 'ami-{{x}}', '--instance-type', 't3.micro'],
    ['aws', 'ec2', 'run-instances', '--image=ami-{{x}}'],
    [
      'aws',
      'autoscaling',
      'create-launch-configuration',
      '--launch-configuration-name',
      'l',
      '--image-id',
      'ami-{{x}}',
    ],
  ])
    assertRefused(
      argv,
      /is in the value of aws (ec2 run-instances|autoscaling create-launch-configuration) --image-id, the machine image/,
    );
  for (const argv of [
    ['aws', 'ec2', 'run-instances', '--image-id', 'ami-0123', '--iam-instance-profile', 'Name={{x}}'],
    [
      'aws',
      'ec2',
      'associate-iam-instance-profile',
      '--instance-id',
      'i-1',
      '--iam-instance-profile',
      'Arn=arn:aws:iam::{{x}}:instance-profile/p',
    ],
  ])
    assertRefused(
      argv,
      /is in the value of aws ec2 [a-z-]+ --iam-instance-profile, which chooses the role the instances act as/,
    );
  for (const verb of ['create-function', 'update-function-configuration'])
    for (const value of [
      'EntryPoint={{x}}',
      'Command=app.handler,{{x}}',
      'WorkingDirectory={{x}}',
      '{"Command":["{{x}}"]}',
    ])
      assertRefused(
        ['aws', 'lambda', verb, '--function-name', 'f', '--image-config', value],
        /is in the value of aws lambda [a-z-]+ --image-config, which chooses the program the function's container runs/,
      );
  for (const argv of [
    [
      'aws',
      'ec2',
      'run-instances',
      '--image-id',
      'ami-0123',
      '--launch-template',
      'LaunchTemplateName=app,Version={{x}}',
    ],
    ['aws', 'ec2', 'describe-images', '--image-ids', 'ami-{{x}}'],
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f-{{x}}',
      '--image-config',
      'Command=app.handler',
    ],
  ])
    assertAccepted(argv);
});

test('aws lambda create-function --code ImageUri= follows the image rule, as --image-uri does', () => {
  const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app';
  for (const code of [`ImageUri=${image}:{{x}}`, `ImageUri=${image}@sha256:{{x}}`])
    assertAccepted([
      'aws',
      'lambda',
      'create-function',
      '--function-name',
      'f',
      '--package-type',
      'Image',
      '--code',
      code,
    ]);
  for (const argv of [
    ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', `ImageUri=${image}:{{x}}`],
    ['aws', 'lambda', 'create-function', '--function-name', 'f', `--code=ImageUri=${image}:{{x}}`],
  ])
    checkedOnceRendered(
      argv,
      ['5000/evil', 'a,S3Bucket=b', 'a b'],
      ['1.2.3'],
      /\{\{x\}\} is in the tag of the image aws lambda create-function --code ImageUri= deploys/,
    );
  for (const code of [
    'ImageUri={{x}}',
    'ImageUri={{x}}.dkr.ecr.us-east-1.amazonaws.com/app:1',
    'ImageUri=ghcr.io/{{x}}/app:1',
  ])
    assertRefused(
      ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', code],
      /is in the image aws lambda create-function --code ImageUri= deploys, where the value would be/,
    );
  // Not last, or beside another value: refused as --code's other fields are.
  for (const code of [`ImageUri=${image}:{{x}},SourceKMSKeyArn=k`, `S3Key={{x}},ImageUri=${image}:{{x}}`])
    assertRefused(
      ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', code],
      /is in the value of aws lambda create-function --code, which chooses where the function's code is taken from/,
    );
});

test('--role-arn chooses who acts and is refused (as AWS_ROLE_ARN is); --role-session-name and --profile stay data', () => {
  for (const argv of [
    ['aws', 'sts', 'assume-role', '--role-arn', '{{x}}', '--role-session-name', 'deploy'],
    [
      'aws',
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::{{x}}:role/deploy',
      '--role-session-name',
      'deploy',
    ],
    [
      'aws',
      'sts',
      'assume-role-with-web-identity',
      '--role-arn=arn:aws:iam::1:role/{{x}}',
      '--role-session-name',
      's',
      '--web-identity-token',
      't',
    ],
    ['aws', 'eks', 'update-kubeconfig', '--name', 'c', '--role-arn', '{{x}}'],
    ['aws', 'eks', 'update-kubeconfig', '--name', 'c', '--role', '{{x}}'],
    [
      'aws',
      'cloudformation',
      'deploy',
      '--template-file',
      't.yml',
      '--stack-name',
      's',
      '--role-arn',
      '{{x}}',
    ],
  ])
    assertRefused(argv, /is in the value of aws [a-z0-9]+ [a-z-]+ --role(-arn)?, which chooses who acts/);
  for (const argv of [
    [
      'aws',
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::123456789012:role/deploy',
      '--role-session-name',
      'deploy-{{x}}',
    ],
    [
      'aws',
      'sts',
      'assume-role',
      '--role-session-name',
      '{{x}}',
      '--role-arn',
      'arn:aws:iam::1:role/r',
      '--profile',
      'prod',
    ],
    ['aws', 'eks', 'update-kubeconfig', '--name', 'c-{{x}}', '--alias', '{{x}}'],
  ])
    assertAccepted(argv);
});

test('a template before "=" in a CodeDeploy revision is in a key and is refused, however the fields before it read', () => {
  const revision =
    /is in the value of aws deploy [a-z-]+ --(s3-location|revision), which chooses the revision CodeDeploy deploys/;
  for (const argv of [
    // After a key= value, a keyless word would continue its list: with "=" it is a key of its own.
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts,bundleType=zip,key=app.zip,{{x}}=evil'],
    [...DEPLOYMENT, '--s3-location', '{{x}}=artifacts,key=app.zip,bundleType=zip'],
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts,key=app.zip,bundleType=zip,x{{x}}=1'],
    [...DEPLOYMENT, '--s3-location=bucket=artifacts,key=app.zip,{{x}}=b'],
    [...DEPLOYMENT, '--revision', 'revisionType=S3,s3Location={bucket=artifacts,{{x}}=b,key=app.zip}'],
  ])
    assertRefused(argv, revision);
  // A value stays a value: after key=, and as a word continuing key='s value (checked once rendered).
  for (const argv of [
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts,bundleType=zip,key=app-{{x}}.zip'],
    [...DEPLOYMENT, '--s3-location', 'bucket=artifacts,bundleType=zip,key=app.zip,{{x}}'],
    [
      ...DEPLOYMENT,
      '--revision',
      'revisionType=S3,s3Location={bucket=artifacts,key=app-{{x}}.zip,bundleType=zip}',
    ],
  ])
    checkedOnceRendered(argv, ['1,bucket=evil', 'a=b'], ['1.2.3'], SHORTHAND);
});

test('every aws option naming a role who acts is refused, as --role-arn is; a role in shorthand too', () => {
  const role = /is in the value of aws [a-z0-9]+ [a-z-]+ --[a-z-]*role(-arn|-a)?, which chooses who acts/;
  const task = ['aws', 'ecs', 'register-task-definition', '--family', 'app', '--container-definitions', '[]'];
  for (const argv of [
    [...task, '--task-role-arn', '{{x}}'],
    [...task, '--execution-role-arn', 'arn:aws:iam::123456789012:role/{{x}}'],
    [...task, '--task-role-arn={{x}}'],
    [...task, '--task-role-a', '{{x}}'], // aws reads a unique prefix as the option
    ['aws', 'codebuild', 'create-project', '--name', 'p', '--service-role', '{{x}}'],
    [
      'aws',
      'batch',
      'create-compute-environment',
      '--compute-environment-name',
      'c',
      '--service-role',
      '{{x}}',
    ],
    ['aws', 'cloudformation', 'create-stack', '--stack-name', 's', '--role-arn', '{{x}}'],
    ['aws', 'ecs', 'create-service', '--service-name', 's', '--role', '{{x}}'],
    ['aws', 'glue', 'create-job', '--name', 'j', '--role', 'arn:aws:iam::1:role/{{x}}'],
    ['aws', 'lambda', 'create-event-source-mapping', '--function-name', 'f', '--role-arn', '{{x}}'],
  ])
    assertRefused(argv, role);
  // lambda create-function's --role keeps its own message.
  assertRefused(
    ['aws', 'lambda', 'create-function', '--function-name', 'f', '--role', '{{x}}'],
    /--role, the IAM role the function runs as/,
  );
  // A …RoleArn= field of shorthand, in any word of a list.
  const targets = ['aws', 'events', 'put-targets', '--rule', 'r', '--targets'];
  for (const argv of [
    [...targets, 'Id=1,Arn=arn:aws:ecs:us-east-1:1:cluster/c,RoleArn={{x}}'],
    [...targets, 'Id=1,Arn=arn:aws:lambda:f', 'Id=2,Arn=arn:aws:ecs:c,RoleArn=arn:aws:iam::1:role/{{x}}'],
    [...targets, 'Id=1,Arn=arn:aws:ecs:c,EcsParameters={TaskDefinitionArn=t,TaskRoleArn={{x}}}'],
  ])
    assertRefused(argv, /--targets, whose [.\w]*RoleArn= chooses who acts/);
  // A session's name, a role's name (iam get-role) and other fields of a target stay data.
  for (const argv of [
    ['aws', 'sts', 'assume-role', '--role-arn', 'arn:aws:iam::1:role/r', '--role-session-name', '{{x}}'],
    ['aws', 'sts', 'assume-role', '--role-arn', 'arn:aws:iam::1:role/r', '--role-s', 'deploy-{{x}}'],
    ['aws', 'iam', 'get-role', '--role-name', '{{x}}'],
    [...task, '--tags', 'key=version,value={{x}}'],
    [...targets, 'Id={{x}},Arn=arn:aws:ecs:c,RoleArn=arn:aws:iam::1:role/events'],
  ])
    assertAccepted(argv);
});
