// A credential itself (a token, a password, a key), and the server a tool sends its credentials to, take no
// template, as the selectors of credentials do (credential-selectors.test.ts): whoever's token a value is acts,
// with its rights, on the servers this runner reaches, and a server of the value's choosing gets the runner's
// token. The plain data of the same commands stays accepted.
import { test } from 'node:test';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

const WHO = (tool: string, option: string) =>
  new RegExp(
    `which ${tool} ${option} chooses .*: its value would choose who ${tool.split(' ')[0]} acts as or where it sends its credentials`,
  );

test('a template in a credential option of a cluster tool is refused: the token, user or password it presents', () => {
  for (const [argv, tool, option] of [
    [['kubectl', '--token', '{{x}}', 'apply', '-f', 'k8s/'], 'kubectl', '--token'],
    [['kubectl', 'apply', '-f', 'k8s/', '--token={{x}}'], 'kubectl', '--token'],
    [['kubectl', '--username', '{{x}}', 'get', 'pods'], 'kubectl', '--username'],
    [['kubectl', '--password={{x}}', 'get', 'pods'], 'kubectl', '--password'],
    [['kubectl', 'config', 'set-credentials', 'ci', '--token', 'a{{x}}'], 'kubectl', '--token'],
    [['oc', '--token', '{{x}}', 'get', 'pods'], 'oc', '--token'],
    [['helm', 'upgrade', 'app', './chart', '--kube-token', '{{x}}'], 'helm', '--kube-token'],
    [['oc', 'login', 'https://api.example.com:6443', '-u', 'bot', '-p', '{{x}}'], 'oc login', '-p'],
    [['argocd', 'app', 'sync', 'app', '--auth-token', '{{x}}'], 'argocd', '--auth-token'],
    [
      ['argocd', 'login', 'cd.example.com', '--username', 'bot', '--password', '{{x}}'],
      'argocd login',
      '--password',
    ],
    [['az', 'login', '--service-principal', '-u', 'app', '-p', '{{x}}', '--tenant', 't'], 'az login', '-p'],
    [
      ['az', 'login', '--service-principal', '-u', 'app', '-p', 's', '--tenant={{x}}'],
      'az login',
      '--tenant',
    ],
    [['az', 'login', '--service-principal', '-u', '{{x}}', '--federated-token', 't'], 'az login', '-u'],
  ] as const)
    assertRefused([...argv], WHO(tool, option));
  // kubectl's --username and --password take a value: the word after is no subcommand.
  assertRefused(['kubectl', '--password', 'p', '{{x}}', 'pods'], /subcommand kubectl runs/);
});

test('a template in where a secret store or scheduler sends its token, or in its token, is refused', () => {
  for (const [argv, tool, option] of [
    [['vault', 'kv', 'get', '-address={{x}}', 'secret/app'], 'vault', '-address'],
    [['vault', 'kv', 'get', '--address', 'https://{{x}}:8200', 'secret/app'], 'vault', '-address'],
    [['vault', 'kv', 'get', '-ca-cert', '{{x}}', 'secret/app'], 'vault', '-ca-cert'],
    [['vault', 'kv', 'get', '-tls-skip-verify={{x}}', 'secret/app'], 'vault', '-tls-skip-verify'],
    [['nomad', 'job', 'run', '-address', '{{x}}', 'app.nomad'], 'nomad', '-address'],
    [['nomad', 'job', 'run', '-token={{x}}', 'app.nomad'], 'nomad', '-token'],
    [['consul', 'kv', 'get', '-http-addr={{x}}', 'app/config'], 'consul', '-http-addr'],
    [['consul', 'kv', 'get', '-token', '{{x}}', 'app/config'], 'consul', '-token'],
  ] as const)
    assertRefused([...argv], WHO(tool, option));
  // vault login TOKEN, or an auth method's K=V: kept for every later vault command.
  assertRefused(['vault', 'login', '{{x}}'], /the credentials vault login logs in with/);
  assertRefused(
    ['vault', 'login', '-method=userpass', 'username=bot', 'password={{x}}'],
    /the credentials vault login logs in with/,
  );
  assertRefused(['vault', 'login', '-method={{x}}', 'role=ci'], /the auth method vault login -method/);
  // gh --hostname: the host gh sends its token for (GH_ENTERPRISE_TOKEN) to.
  assertRefused(['gh', 'api', '--hostname', '{{x}}', '/user'], WHO('gh', '--hostname'));
  // oc login SERVER: the API server it sends the password or token to.
  assertRefused(
    ['oc', 'login', '{{x}}', '--token', 't'],
    /the API server oc login sends the password or token to/,
  );
  assertRefused(['oc', 'login', '-u', 'bot', 'https://{{x}}:6443'], /the API server oc login sends/);
});

test('a template in a variable holding a credential, a selector of one or where it is sent is refused, in its own words', () => {
  const message = (variable: string) =>
    new RegExp(
      `the variable ${variable}, which programs read as .*: its value would choose who acts .* or send the runner's credentials to a server of its choosing`,
    );
  for (const [variable, program] of [
    ['VAULT_ADDR', 'vault kv get secret/app'],
    ['VAULT_TOKEN', 'vault kv get secret/app'],
    ['VAULT_CACERT', 'vault kv get secret/app'],
    ['VAULT_SKIP_VERIFY', 'vault kv get secret/app'],
    ['NOMAD_ADDR', 'nomad job run app.nomad'],
    ['NOMAD_TOKEN', 'nomad job run app.nomad'],
    ['CONSUL_HTTP_ADDR', 'consul kv get app'],
    ['CONSUL_HTTP_TOKEN', 'consul kv get app'],
    ['AWS_ACCESS_KEY_ID', 'aws s3 ls'],
    ['AWS_SECRET_ACCESS_KEY', 'aws s3 ls'],
    ['AWS_SESSION_TOKEN', 'aws s3 ls'],
    ['HELM_KUBETOKEN', 'helm list'],
    ['HELM_KUBECONTEXT', 'helm list'],
    ['ARGOCD_AUTH_TOKEN', 'argocd app sync app'],
    ['GH_HOST', 'gh release list'],
    ['GH_TOKEN', 'gh release list'],
    ['AWS_PROFILE', 'aws s3 ls'],
    ['DOCKER_CONTEXT', 'docker ps'],
  ]) {
    assertScriptRefused(`${variable}={{x}} ${program}`, message(variable!));
    assertScriptRefused(`export ${variable}="{{x}}"; ${program}`, message(variable!));
  }
  // In a container's environment too: its program would send its token there.
  assertRefused(['docker', 'run', '-e', 'VAULT_ADDR={{x}}', 'img'], /the variable VAULT_ADDR/);
});

test('the data of the same commands stays accepted, and fixed credentials and servers', () => {
  assertAccepted(['kubectl', '--token', 'fixed', '-n', 'app-{{x}}', 'get', 'pods']);
  assertAccepted(['kubectl', 'create', 'secret', 'generic', 'app-{{x}}', '--from-literal', 'version={{x}}']);
  assertAccepted(['helm', 'upgrade', 'app', './chart', '--set', 'image.tag={{x}}']);
  assertAccepted(['vault', 'kv', 'get', '-field=password', 'secret/app-{{x}}']);
  assertAccepted(['vault', 'kv', 'get', '-address=https://vault.example.com:8200', 'secret/{{x}}']);
  assertAccepted(['nomad', 'job', 'run', '-var', 'version={{x}}', 'app.nomad']);
  assertAccepted(['consul', 'kv', 'put', 'app/version', '{{x}}']);
  assertAccepted(['argocd', 'app', 'set', 'app', '--revision', '{{x}}']);
  assertAccepted(['az', 'webapp', 'deploy', '-g', 'rg', '-n', 'app-{{x}}', '--src-path', 'app.zip']);
  assertAccepted(['oc', 'login', 'https://api.example.com:6443', '-u', 'bot', '-p', 'fixed']);
  assertScriptAccepted('NOMAD_VAR_version={{x}} nomad job run app.nomad');
  assertScriptAccepted('VAULT_FORMAT=json vault kv get secret/app-{{x}}');
  assertScriptAccepted('AWS_REGION={{x}} aws s3 ls');
});
