// A value the config itself names (the environment, the slot a version goes to, the fresh baseline's slot,
// the strategy) may choose a file or program: it chooses among what the config's author listed. The seeds'
// own commands do it (kubectl apply -f k8s/staging/, k8s/production/green/), and so does nearly every
// platform team's (helm -f values-{{environment}}.yaml). A value from outside the config (a version, a
// ref, the slot the target's `current` command printed) is still refused there, whatever it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shellCommandLine } from '../../../src/targets/command-line.ts';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';
import { assertAccepted, assertRefused, assertScriptRefused } from '../../helpers/command-checks.ts';
import { accepts, errorsOf, TARGET } from '../../helpers/config-text.ts';

/** Accepted as argv and as the same `shell: true` line (the config's own check needs a strategy with slots). */
function accepted(spec: string[] | string): void {
  if (Array.isArray(spec)) assert.deepEqual(argvShellProblems(spec), [], JSON.stringify(spec));
  const script = Array.isArray(spec) ? shellCommandLine(spec) : spec;
  const analysis = analyzeShellTemplate(script);
  assert.equal(analysis.ok, true, `${script}: ${JSON.stringify(analysis)}`);
}

/** "{{name}} is in", or "{{name}} (character N) is in" as a shell line's refusal says it. */
const isIn = (name: string, where: string) =>
  new RegExp(`\\{\\{${name}\\}\\}(?: \\(character \\d+\\))? is in ${where}`);

test('the environment or the slot may choose the manifests, values file or script of a deploy', () => {
  for (const spec of [
    ['kubectl', 'apply', '-f', 'k8s/{{environment}}/'],
    ['kubectl', 'apply', '-f', 'k8s/production/{{slot}}/'],
    [
      'helm',
      'upgrade',
      'app',
      './chart',
      '-f',
      'values-{{environment}}.yaml',
      '--set-string',
      'image.tag={{version}}',
    ],
    ['kustomize', 'build', 'overlays/{{environment}}'],
    ['./deploy-{{environment}}.sh', '{{version}}'],
    ['make', 'deploy-{{environment}}', 'VERSION={{version}}'],
    ['kubectl', 'apply', '-f', 'k8s/{{baseline_slot}}.yaml'],
    ['./ops/{{strategy}}.sh'],
  ])
    accepted(spec);
  // With no slot variable, the config's own check too.
  assertAccepted(['helm', 'upgrade', 'app', './chart', '-f', 'values-{{environment}}.yaml']);
  accepted('kubectl apply -f k8s/{{environment}}/{{slot}}/ && kubectl rollout status deploy/app-{{slot}}');
  // The directory what runs is read from, by cd as by env -C or terraform -chdir (README: `cd {{x}} &&
  // ./deploy.sh` is refused for any other value).
  for (const spec of [
    ['env', '-C', 'envs/{{environment}}', './deploy.sh', '{{version}}'],
    ['terraform', '-chdir=envs/{{environment}}', 'apply'],
  ])
    accepted(spec);
  accepted('cd envs/{{environment}} && terraform apply -auto-approve');
  accepted('cd envs/{{environment}} && ./deploy.sh {{version}}');
  accepted('pushd k8s/{{slot}} && kubectl apply -k . && popd');
});

test('a value from outside the config still may not choose them', () => {
  assertRefused(['kubectl', 'apply', '-f', 'k8s/{{version}}/'], isIn('version', 'the value of kubectl -f'));
  assertRefused(
    ['helm', 'upgrade', 'app', './chart', '-f', 'values-{{ref}}.yaml'],
    isIn('ref', 'the value of helm -f'),
  );
  assertRefused(
    ['kubectl', 'apply', '-f', 'k8s/{{stable_slot}}/'],
    isIn('stable_slot', 'the value of kubectl -f'),
  );
  assertRefused(['./deploy-{{version}}.sh'], /\{\{version\}\}/);
  assertScriptRefused('cd envs/{{ref}} && ./deploy.sh', isIn('ref', 'the directory cd changes to'));
  assertScriptRefused(
    'cd envs/{{environment}}-{{ref}} && ./deploy.sh',
    isIn('ref', 'the directory cd changes to'),
  );
  // A directory a value chose, then one the config names relative to it: still the value's.
  assertScriptRefused(
    'cd {{ref}} && cd {{environment}} && ./deploy.sh',
    isIn('ref', 'the directory cd changes to'),
  );
  // An environment's own variable is a value the config holds too, but the check does not know the config's
  // variables: it stays refused (write it out per environment).
  assertRefused(['kubectl', 'apply', '-f', 'k8s/{{x}}/'], isIn('x', 'the value of kubectl -f'));
  // In one word with a value from outside, the word is still refused, for that value.
  assertScriptRefused(
    'kubectl apply -f k8s/{{environment}}-{{version}}/',
    isIn('version', 'the value of kubectl -f'),
  );
});

test('a slot is a plain name: no option, no path, nothing a file it picks could climb out of', () => {
  // The environment's name rule already is (letters, digits, ". _ -", starting with a letter or digit); a
  // slot was any text, so "-rf" read as an option (kubectl delete -f {{slot}}), "../production" or "a/b"
  // left the directory k8s/{{slot}}/ was meant to stay in, "-" read standard input.
  const env = (strategy: string) => `${TARGET}environments:\n  production:\n    strategy: ${strategy}\n`;
  const rule = (slot: string) =>
    `the string ${JSON.stringify(slot)} is not a slot name: slot names use letters, digits, ".", "_" and "-", starting with a letter or digit ({{slot}} may pick a file or script)`;
  for (const slot of ['-rf', '-', '../production', 'a/b', '..', 'blue green', '$(id)', '.hidden'])
    assert.deepEqual(errorsOf(env(`{ type: blue-green, slots: [blue, ${JSON.stringify(slot)}] }`)), [
      `deploy.yml:8:49: environments.production.strategy.slots[1]: ${rule(slot)}`,
    ]);
  assert.deepEqual(
    errorsOf(env('{ type: canary, slots: [stable, canary], baseline: fresh, baseline_slot: ../base }')),
    [`deploy.yml:8:88: environments.production.strategy.baseline_slot: ${rule('../base')}`],
  );
  assert.deepEqual(
    errorsOf(
      `${TARGET}strategies:\n  blue-green:\n    slots: [--x, b]\nenvironments:\n  production: { strategy: blue-green }\n`,
    ),
    [`deploy.yml:8:13: strategies.blue-green.slots[0]: ${rule('--x')}`],
  );
  accepts(env('{ type: blue-green, slots: [blue-1, green.v2] }'));
  accepts(env('{ type: canary, slots: [Stable, canary_2] }'));
});

test("the exemption is for what picks a file, script or program only: a container's rights, a server, a login stay refused", () => {
  // "Only this rule is lifted for them" (docs/commands.md): the rules that keep a value from giving a
  // container or a cluster rights, or from choosing where credentials go, read every chosen word too, and
  // were lifted with it (--cap-add {{environment}} with an environment named SYS_ADMIN, --network host).
  for (const [argv, where] of [
    [['docker', 'run', '-v', '/srv/{{environment}}:/app', 'img'], /\{\{environment\}\}.*mount/],
    [['docker', 'run', '--cap-add', '{{environment}}', 'img'], /\{\{environment\}\}/],
    [['docker', 'run', '--network', '{{environment}}', 'img'], /\{\{environment\}\}/],
    [['docker', 'login', '{{environment}}'], /\{\{environment\}\}/],
    [['kubectl', '--as', '{{environment}}', 'apply', '-f', 'k8s/'], /\{\{environment\}\}/],
    [['docker', '-H', '{{environment}}', 'ps'], /\{\{environment\}\}/],
  ] as const)
    assertRefused([...argv], where);
  // What picks a build's file, a directory or a configuration stays accepted.
  for (const spec of [
    ['docker', 'build', '-f', 'Dockerfile.{{environment}}', '.'],
    ['terraform', '-chdir=envs/{{environment}}', 'apply'],
    ['ansible-playbook', 'site-{{environment}}.yml'],
    ['docker', 'compose', '-f', 'compose.{{environment}}.yml', 'up', '-d'],
  ])
    accepted(spec);
});
