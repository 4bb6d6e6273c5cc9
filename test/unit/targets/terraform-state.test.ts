// Which state terraform (tofu) changes: the workspace workspace select/new/delete names is checked once rendered
// to be one plain name (as pulumi's stack is), TF_WORKSPACE takes no template (read unchecked, it could also
// name a path beside the workspaces), and the state file -state/-state-out/-backup name and the saved plan
// apply applies take the file rule (a template naming the file is refused, one in a file name checked).
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptRefused,
  checkedOnceRendered,
  scriptCheckedOnceRendered,
} from '../../helpers/command-checks.ts';

test('terraform workspace select/new/delete: the workspace is checked once rendered to be one plain name', () => {
  const message = /the workspace (terraform|tofu) workspace .* must make one plain name/;
  for (const argv of [
    ['terraform', 'workspace', 'select', '{{x}}'],
    ['terraform', 'workspace', 'select', '-or-create', '{{x}}'],
    ['terraform', '-chdir=infra', 'workspace', 'select', 'app-{{x}}'],
    ['tofu', 'workspace', 'new', '{{x}}'],
    ['terraform', 'workspace', 'delete', '-force', '{{x}}'],
  ])
    checkedOnceRendered(argv, ['../prod', 'a/b', 'a b', 'x:y'], ['prod', 'staging-2', 'eu_west.1'], message);
  scriptCheckedOnceRendered(
    'cd infra && terraform workspace select {{x}} && terraform apply -auto-approve',
    [['../prod', /must make one plain name/]],
    ['prod'],
  );
});

test('TF_WORKSPACE takes no template: it chooses the state changed, unchecked', () => {
  for (const script of [
    'TF_WORKSPACE={{x}} terraform apply -auto-approve',
    'export TF_WORKSPACE={{x}}; tofu apply -auto-approve',
    'env TF_WORKSPACE=app-{{x}} terraform plan',
  ])
    assertScriptRefused(script, /the variable TF_WORKSPACE, .* would choose which state is changed/);
});

test("terraform's state files and apply's saved plan take the file rule", () => {
  for (const argv of [
    ['terraform', 'apply', '-state={{x}}'],
    ['terraform', 'apply', '-state-out', '{{x}}'],
    ['tofu', 'apply', '-backup={{x}}'],
    ['terraform', 'apply', '{{x}}'],
    ['terraform', '-chdir=infra', 'apply', '-auto-approve', '-var', 'v=1', '{{x}}'],
  ])
    assertRefused(argv, /the name of the local file (terraform|tofu) /);
  for (const argv of [
    ['terraform', 'apply', '-state=state/{{x}}.tfstate'],
    ['terraform', 'apply', '-auto-approve', 'plans/{{x}}.tfplan'],
  ])
    checkedOnceRendered(argv, ['../prod', 'a/b'], ['prod'], /could name another file of the runner/);
  assertAccepted(['terraform', 'apply', '-var', 'version={{x}}', '-auto-approve']);
  assertAccepted(['terraform', 'apply', '-auto-approve', '-var', 'v={{x}}', 'plan.tfplan']);
});

// Each state option by what it does: -state is read and changed (whose resources change), -state-out and
// -backup are written (the new state and the old, secrets in them), plan's -out is written (the saved plan a
// later apply applies), show FILE is printed to the job's log; terragrunt passes them on to terraform.
test('terraform plan -out, -state-out, -backup, show FILE and terragrunt: each takes the file rule, said by what it does', () => {
  for (const [argv, why] of [
    [
      ['terraform', 'plan', '-out', '{{x}}'],
      /terraform -out writes the saved plan to[^]*a later apply applies/,
    ],
    [['tofu', 'plan', '-out={{x}}'], /tofu -out writes the saved plan to/],
    [['terraform', 'plan', '--out={{x}}'], /terraform -out writes the saved plan to/],
    [['terraform', 'apply', '-state-out', '{{x}}'], /terraform -state-out writes the new state to/],
    [['terraform', 'apply', '-backup={{x}}'], /terraform -backup writes the backup of the state to/],
    [
      ['terraform', 'apply', '-state={{x}}'],
      /terraform -state reads and changes the state in[^]*whose resources/,
    ],
    [['terraform', 'show', '-json', '{{x}}'], /terraform show prints to the job's log/],
    [['terragrunt', 'plan', '-out={{x}}'], /terragrunt -out writes the saved plan to/],
    [['terragrunt', 'apply', '-state', '{{x}}'], /terragrunt -state reads and changes the state in/],
    [['terragrunt', 'apply', '-var-file={{x}}'], /terragrunt -var-file/],
    [['terragrunt', 'run-all', 'apply', '{{x}}'], /terragrunt apply applies the saved plan in/],
    [['terragrunt', '--terragrunt-working-dir', 'infra', 'apply', '{{x}}'], /terragrunt apply applies/],
  ] as const)
    assertRefused([...argv], new RegExp(`the name of the local file ${why.source}`));
  for (const argv of [
    ['terraform', 'plan', '-out=plans/{{x}}.tfplan'],
    ['terragrunt', 'apply', '-state-out=state/{{x}}.tfstate'],
    ['terraform', 'show', 'plans/{{x}}.tfplan'],
  ])
    checkedOnceRendered(argv, ['../prod', 'a/b'], ['prod'], /could name another file of the runner/);
  assertAccepted(['terraform', 'plan', '-out=plan.tfplan', '-var', 'version={{x}}']);
  assertAccepted(['terragrunt', 'plan', '-var', 'version={{x}}']);
});
