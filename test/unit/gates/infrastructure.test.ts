import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkManifest,
  classifyActions,
  infrastructureGate,
  judgePlan,
} from '../../../src/gates/infrastructure.ts';
import type { InfrastructureConfig } from '../../../src/gates/schema/infrastructure.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/gates/infrastructure/', import.meta.url));
const fakeKubectl = `${fixtures}fake-kubectl.sh`;

function context(env: NodeJS.ProcessEnv = {}): GateContext {
  return {
    cwd: fixtures,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: { PATH: process.env.PATH, ...env },
  };
}

async function run(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const parsed: InfrastructureConfig = infrastructureGate.schema.parse(config);
  return infrastructureGate.run(parsed, context(env));
}

describe('classifyActions', () => {
  it('reads Terraform action lists', () => {
    assert.equal(classifyActions(['delete', 'create']), 'replace');
    assert.equal(classifyActions(['create', 'delete']), 'replace');
    assert.equal(classifyActions(['no-op']), 'ignore');
    assert.equal(classifyActions(['read']), 'ignore');
    assert.equal(classifyActions(['update']), 'update');
    assert.equal(classifyActions(['explode']), 'unknown');
  });
});

describe('infrastructure gate: terraform plan', () => {
  it('passes a plan that only creates and updates, with counts', async () => {
    const verdict = await run({ terraform: { plan: 'terraform/safe.plan.json' } });
    assert.equal(verdict.status, 'pass');
    assert.equal(verdict.summary, 'plan: 1 to create, 1 to update, 0 to delete, 0 to replace');
  });

  it('blocks deletes and replaces, naming each resource', async () => {
    const verdict = await run({ terraform: { plan: 'terraform/destructive.plan.json' } });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /plan: 1 to create, 1 to update, 1 to delete, 1 to replace/);
    assert.deepEqual(
      verdict.findings.map((f) => `${f.rule}:${f.severity}:${f.message.split(':')[0]}`),
      [
        'infrastructure.replace:error:terraform_data.db will be replaced',
        'infrastructure.delete:error:terraform_data.legacy will be destroyed',
      ],
    );
  });

  it('allows deletes and replaces matching the configured address patterns', async () => {
    const verdict = await run({
      terraform: {
        plan: 'terraform/destructive.plan.json',
        allow_delete: ['terraform_data.leg*'],
        allow_replace: ['terraform_data.db'],
      },
    });
    assert.equal(verdict.status, 'pass');
    assert.ok(verdict.findings.every((f) => f.severity === 'notice'));
    assert.deepEqual(
      verdict.findings.map((f) => `${f.rule}:${f.message}`),
      [
        'infrastructure.replace:terraform_data.db will be replaced (allowed)',
        'infrastructure.delete:terraform_data.legacy will be destroyed (allowed)',
      ],
    );
    // a delete pattern does not allow a replace
    const crossed = await run({
      terraform: { plan: 'terraform/destructive.plan.json', allow_delete: ['terraform_data.*'] },
    });
    assert.equal(crossed.status, 'block');
    assert.match(crossed.summary, /terraform_data\.db will be replaced/);
  });

  it('blocks a missing, truncated or malformed plan with what it looked for', async () => {
    const missing = await run({ terraform: { plan: 'tfplan.json' } });
    assert.equal(missing.status, 'block');
    assert.match(missing.summary, /Terraform plan tfplan\.json not found \(looked in .*infrastructure/);

    const truncated = await run({ terraform: { plan: 'terraform/truncated.plan.json' } });
    assert.equal(truncated.status, 'block');
    assert.match(truncated.summary, /terraform\/truncated\.plan\.json is not JSON/);

    const shapeless = await run({ terraform: { plan: 'terraform/not-a-plan.json' } });
    assert.equal(shapeless.status, 'block');
    assert.match(
      shapeless.summary,
      /not the output of `terraform show -json`: .* at resource_changes\.0\.change\.actions/,
    );
  });
});

describe('infrastructure gate: real plans and what is not one', () => {
  it('blocks the state (terraform show -json without the plan file) instead of passing it', async () => {
    const verdict = await run({ terraform: { plan: 'terraform/state.json' } });
    assert.equal(verdict.status, 'block');
    assert.match(
      verdict.summary,
      /^terraform\/state\.json is the state, not a plan: it has no planned_values/,
    );
  });

  it("blocks the log of a failed terraform plan -json with the plan's error, not a JSON parse error", async () => {
    const verdict = await run({ terraform: { plan: 'terraform/failed-plan-log.json' } });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['infrastructure.plan-errored'],
    );
    assert.match(
      verdict.summary,
      /^terraform\/failed-plan-log\.json is the log of `terraform plan -json`, not a plan, and the plan failed: Error: Invalid precondition expression: save/,
    );
  });

  it('refuses a plan format other than 1.x saying which it is, and reads every 1.x', () => {
    const plan = JSON.parse(readFileSync(`${fixtures}terraform/safe.plan.json`, 'utf8'));
    const config = { plan: 'p.json' };
    const message = (format_version: string) =>
      judgePlan({ ...plan, format_version }, config).findings.map((f) => `${f.rule}: ${f.message}`);
    assert.deepEqual(message('1.0'), []);
    assert.deepEqual(message('1.2'), []);
    assert.match(
      message('0.1')[0]!,
      /^infrastructure\.plan-malformed: p\.json: format_version "0\.1" is the JSON of Terraform 0\.12 to 0\.15/,
    );
    assert.match(message('2.0')[0]!, /format_version "2\.0" is a newer major format than this gate reads/);
    assert.match(message('latest')[0]!, /format_version "latest" is not a version of the format/);
  });

  it('blocks a plan that says it is incomplete or errored, naming the file, whatever its changes', () => {
    const plan = JSON.parse(readFileSync(`${fixtures}terraform/safe.plan.json`, 'utf8'));
    const config = { plan: 'terraform/safe.plan.json' };
    assert.deepEqual(judgePlan(plan, config).findings, []);
    const incomplete = judgePlan({ ...plan, applyable: true, complete: false }, config).findings;
    assert.deepEqual(
      incomplete.map((f) => `${f.path} ${f.rule} ${f.severity}`),
      ['terraform/safe.plan.json infrastructure.plan-incomplete error'],
    );
    assert.match(
      incomplete[0]!.message,
      /^terraform\/safe\.plan\.json: the plan is incomplete \("complete": false\)/,
    );
    // An errored plan is incomplete too ("complete": false beside it): one finding, the error.
    const errored = judgePlan({ ...plan, applyable: false, complete: false, errored: true }, config);
    assert.deepEqual(
      errored.findings.map((f) => f.rule),
      ['infrastructure.plan-errored'],
    );
  });

  it('reads moves, forgets and both kinds of replace as Terraform plans them, printing no value', async () => {
    const verdict = await run({ terraform: { plan: 'terraform/moved-forget-cbd.plan.json' } });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => `${f.rule}:${f.message.split(':')[0]}`),
      [
        'infrastructure.replace:terraform_data.c will be replaced',
        'infrastructure.replace:terraform_data.s will be replaced',
      ],
    );
    assert.match(verdict.summary, /plan: 0 to create, 0 to update, 0 to delete, 2 to replace/);
    assert.doesNotMatch(JSON.stringify(verdict), /hunter3/);
  });
});

describe('infrastructure gate: what a plan file never prints', () => {
  it("does not quote a plan that is not JSON: the parser's excerpt may hold a secret", async () => {
    for (const plan of ['terraform/garbled.plan.json', 'terraform/with-log.plan.json']) {
      const verdict = await run({ terraform: { plan } });
      assert.equal(verdict.status, 'block');
      assert.match(verdict.summary, new RegExp(`${plan.replace(/\./g, '\\.')} is not JSON \\(`));
      assert.doesNotMatch(JSON.stringify(verdict), /hunter2/);
    }
    const garbled = await run({ terraform: { plan: 'terraform/garbled.plan.json' } });
    assert.match(garbled.summary, /is not JSON \((unexpected "[^"]"|.+) at line 1, column \d+\)/);
    const withLog = await run({ terraform: { plan: 'terraform/with-log.plan.json' } });
    assert.match(withLog.summary, /it does not start with JSON: was other output saved with it\?/);
  });
});

describe('infrastructure gate: kubernetes manifests', () => {
  it('passes valid manifests with limits and probes, dry-run through kubectl', async () => {
    const verdict = await run({ kubernetes: { manifests: 'k8s/good/*.yaml', kubectl: fakeKubectl } });
    assert.equal(verdict.status, 'pass', JSON.stringify(verdict, null, 2));
    assert.equal(verdict.summary, '1 manifest file(s)');
  });

  it('warns on containers without limits or readiness probes (not for jobs)', async () => {
    const verdict = await run({ kubernetes: { manifests: 'k8s/advice/*.yaml', dry_run: 'off' } });
    assert.equal(verdict.status, 'warn');
    assert.deepEqual(
      verdict.findings.map((f) => `${f.line}:${f.rule}`),
      [
        '13:infrastructure.no-resource-limits',
        '13:infrastructure.no-readiness-probe',
        // No replicas written (one) and no autoscaler; a CronJob is not a scaled workload.
        '1:infrastructure.single-replica',
      ],
    );
    assert.match(
      verdict.findings[0]!.message,
      /Deployment\/worker container worker has no resources\.limits/,
    );
  });

  it('blocks YAML errors and nameless manifests with file and line', async () => {
    const verdict = await run({ kubernetes: { manifests: ['k8s/bad/*.yaml'], kubectl: fakeKubectl } });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => `${f.path}:${f.line}:${f.rule}`),
      [
        'k8s/bad/broken.yaml:7:infrastructure.yaml-error',
        'k8s/bad/nameless.yaml:1:infrastructure.manifest-invalid',
      ],
    );
    assert.match(verdict.findings[1]!.message, /without metadata\.name/);
  });

  it('an alias to no anchor before it in its document is a YAML error at the alias (anchors end at ---)', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: a }',
      'data: &shared { mode: fast }',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: b }',
      'data: *shared',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: c, labels: *later }',
      'data: &later { x: "1" }',
    ].join('\n');
    const findings = checkManifest('k.yaml', text, { manifests: 'k.yaml' });
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column}:${f.rule}:${f.severity}`),
      ['9:7:infrastructure.yaml-error:error', '13:30:infrastructure.yaml-error:error'],
    );
    assert.match(findings[0]!.message, /\*shared names no anchor defined before it in its document/);
  });

  it('blocks a manifest kubectl rejects, with its message', async () => {
    const verdict = await run({ kubernetes: { manifests: 'k8s/rejected/*.yaml', kubectl: fakeKubectl } });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /rejected k8s\/rejected\/app\.yaml: The Deployment "web" is invalid/);
  });

  it('a rejection quoting a secret of the manifest shows it redacted, its last lines cut', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-kubectl-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const token = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
    const kubectl = join(dir, 'kubectl');
    await writeFile(
      kubectl,
      `#!/bin/sh\necho 'The Secret "api" is invalid: data[token]: Invalid value: "${token}": ${'x'.repeat(5000)}' >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const verdict = await run({ kubernetes: { manifests: 'k8s/good/*.yaml', kubectl } });
    assert.equal(verdict.status, 'block');
    const shown = JSON.stringify(verdict);
    assert.ok(!shown.includes(token), 'the token is not shown');
    assert.match(verdict.findings[0]!.message, /Invalid value: "ghp_…q7R8"/);
    assert.ok(verdict.findings[0]!.message.length < 2000);
  });

  it('skips the dry-run with a notice when kubectl is missing or has no cluster, blocks when required', async () => {
    const missing = await run({ kubernetes: { manifests: 'k8s/good/*.yaml', kubectl: 'no-such-kubectl' } });
    assert.equal(missing.status, 'pass');
    assert.equal(missing.findings[0]!.severity, 'notice');
    assert.match(missing.findings[0]!.message, /skipped: no-such-kubectl is not on PATH/);

    const noCluster = await run(
      { kubernetes: { manifests: 'k8s/good/*.yaml', kubectl: fakeKubectl } },
      { FAKE_KUBECTL: 'no-cluster' },
    );
    assert.equal(noCluster.status, 'pass');
    assert.match(noCluster.findings[0]!.message, /has no cluster to validate against/);

    const required = await run({
      kubernetes: { manifests: 'k8s/good/*.yaml', kubectl: 'no-such-kubectl', dry_run: 'required' },
    });
    assert.equal(required.status, 'block');
    assert.match(required.summary, /kubectl dry-run required but impossible/);
  });

  it('dry_run: server asks the API server (which alone refuses by quota), and blocks when there is no cluster to ask', async () => {
    const quota = { manifests: 'k8s/quota/*.yaml', kubectl: fakeKubectl };
    const client = await run({ kubernetes: quota });
    assert.equal(client.status, 'pass', JSON.stringify(client.findings));
    const server = await run({ kubernetes: { ...quota, dry_run: 'server' } });
    assert.equal(server.status, 'block');
    assert.equal(server.findings[0]!.rule, 'infrastructure.dry-run-failed');
    assert.match(
      server.findings[0]!.message,
      /kubectl apply --dry-run=server rejected k8s\/quota\/app\.yaml: .*exceeded quota/,
    );
    const good = await run({
      kubernetes: { manifests: 'k8s/good/*.yaml', kubectl: fakeKubectl, dry_run: 'server' },
    });
    assert.equal(good.status, 'pass');

    const noCluster = await run(
      { kubernetes: { manifests: 'k8s/good/*.yaml', kubectl: fakeKubectl, dry_run: 'server' } },
      { FAKE_KUBECTL: 'no-cluster' },
    );
    assert.equal(noCluster.status, 'block');
    assert.match(noCluster.summary, /kubectl server-side dry-run required but impossible: .* has no cluster/);
    assert.throws(() =>
      infrastructureGate.schema.parse({ kubernetes: { manifests: 'x', dry_run: 'serverside' } }),
    );
  });

  it('blocks when no manifest matches', async () => {
    const verdict = await run({ kubernetes: { manifests: 'deploy/*.yaml', dry_run: 'off' } });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /no Kubernetes manifest matches deploy\/\*\.yaml/);
  });

  it('rejects a config that checks nothing', () => {
    assert.equal(infrastructureGate.schema.safeParse({}).success, false);
    assert.equal(
      infrastructureGate.schema.safeParse({ terraform: { plan: 'p.json', allow: [] } }).success,
      false,
    );
  });
});

describe('infrastructure gate: a List of manifests', () => {
  it('checks each item of a List, as kubectl get -o yaml writes one, at its own line', () => {
    const list = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: apps/v1',
      '    kind: Deployment',
      '    metadata:',
      '      name: web',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers:',
      '            - name: web',
      '              image: web:1',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: {}',
    ].join('\n');
    assert.deepEqual(
      checkManifest('k8s/list.yaml', list, { manifests: 'k8s/list.yaml' }).map(
        (f) => `${f.line}:${f.rule}:${f.message}`,
      ),
      [
        '12:infrastructure.no-resource-limits:Deployment/web container web has no resources.limits',
        '12:infrastructure.no-readiness-probe:Deployment/web container web has no readinessProbe: traffic may reach it before it is ready',
        '14:infrastructure.manifest-invalid:manifest without metadata.name',
      ],
    );
  });
});
