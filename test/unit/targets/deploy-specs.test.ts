// Files whose contents say what is deployed take the file rule: terraform's -var-file and -backend-config FILE,
// aws cloudformation deploy/package --template-file, docker stack deploy -c and nomad job run/plan FILE. A
// template naming the file or starting its name is refused; one in a file name after a fixed directory is checked
// once rendered to be one plain name. Each refused form was accepted.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

test('the file of what is deployed takes no value at its start', () => {
  for (const [script, how] of [
    ['terraform apply -var-file={{x}}', 'terraform -var-file'],
    ['terraform plan -var-file {{x}}', 'terraform -var-file'],
    ['terraform -chdir=infra apply --var-file={{x}}.tfvars', 'terraform -var-file'],
    ['tofu apply -var-file={{x}}', 'tofu -var-file'],
    ['terraform init -backend-config={{x}}', 'terraform -backend-config'],
    [
      'aws cloudformation deploy --template-file {{x}} --stack-name app',
      'aws cloudformation --template-file',
    ],
    ['aws cloudformation package --template-file {{x}} --s3-bucket b', 'aws cloudformation --template-file'],
    ['docker stack deploy -c {{x}} app', 'docker stack deploy -c'],
    ['docker stack deploy --compose-file={{x}} app', 'docker stack deploy -c'],
    ['nomad job run {{x}}', 'nomad job run'],
    ['nomad job plan -var v=1 {{x}}', 'nomad job plan'],
  ])
    assertScriptRefused(
      script!,
      new RegExp(`is in the name of the local file ${how!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `),
    );
});

test('a value in a file name after a fixed directory, and settings and variables as data, stay accepted', () => {
  for (const script of [
    'terraform apply -var-file=env/{{env}}.tfvars',
    'terraform init -backend-config=backends/{{env}}.hcl',
    'terraform init -backend-config=key=app/{{env}}.tfstate',
    'terraform apply -var version={{x}}',
    'aws cloudformation deploy --template-file cfn/{{env}}.yaml --stack-name app-{{env}}',
    'aws cloudformation deploy --template-file t.yaml --parameter-overrides Version={{x}}',
    'docker stack deploy -c stacks/{{env}}.yml app',
    'nomad job run jobs/{{env}}.nomad',
    'nomad job run -var version={{x}} job.nomad',
  ])
    assertScriptAccepted(script);
});
