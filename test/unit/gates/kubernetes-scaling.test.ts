// Seed 01 "validate scaling configuration: min/max instances, auto-scaling thresholds" (01:186-190): the
// infrastructure gate reads every manifest file's workloads and HorizontalPodAutoscalers together, since an
// autoscaler and what it scales are often in different files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infrastructureGate } from '../../../src/gates/infrastructure.ts';
import { scalingFindings } from '../../../src/gates/kubernetes-scaling.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const container = (requests: string, limits: string) => `
      containers:
        - name: app
          image: app:1
          readinessProbe: { httpGet: { path: /, port: 80 } }
          resources:
            limits: ${limits}${requests ? `\n            requests: ${requests}` : ''}`;

const deployment = (
  name: string,
  spec: string,
  requests = '{ cpu: 250m, memory: 256Mi }',
  limits = '{ cpu: "1", memory: 512Mi }',
) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:${spec}
  template:
    spec:${container(requests, limits)}
`;

const hpa = (name: string, target: string, spec: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }${spec}
`;

async function gate(files: Record<string, string>, scaling?: 'warn' | 'off') {
  const dir = await mkdtemp(join(tmpdir(), 'scaling-'));
  try {
    await mkdir(join(dir, 'k8s'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'k8s', name), text);
    const ctx = gateContext(dir, { env: { PATH: process.env.PATH } });
    const config = infrastructureGate.schema.parse({
      kubernetes: { manifests: 'k8s/*.yaml', dry_run: 'off', ...(scaling ? { scaling } : {}) },
    });
    return await infrastructureGate.run(config, ctx);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rules = (verdict: Awaited<ReturnType<typeof gate>>) =>
  verdict.findings.map((f) => `${f.path}:${f.line}:${f.rule}`);

test('a sound setup passes: two replicas, or an autoscaler from 2 in another file scaling on requested CPU', async () => {
  const verdict = await gate({
    'web.yaml': deployment('web', '\n  replicas: 3'),
    'api.yaml': deployment('api', ''),
    'api-hpa.yaml': hpa(
      'api',
      'api',
      `
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }`,
    ),
  });
  assert.equal(verdict.status, 'pass', JSON.stringify(verdict.findings, null, 2));
});

test('one replica, an autoscaler from 1, replicas fighting an autoscaler, utilization of what is not requested', async () => {
  const verdict = await gate({
    'single.yaml': deployment('single', ''),
    'one.yaml': deployment('one', '\n  replicas: 1'),
    'zero.yaml': deployment('zero', '\n  replicas: 0'),
    // No memory request, and no memory limit it could be copied from.
    'fought.yaml': deployment('fought', '\n  replicas: 4', '{ cpu: 100m }', '{ cpu: "1" }'),
    'fought-hpa.yaml': hpa(
      'fought',
      'fought',
      `
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: { name: memory, target: { type: Utilization, averageUtilization: 80 } }`,
    ),
  });
  assert.equal(verdict.status, 'warn');
  assert.deepEqual(rules(verdict).sort(), [
    'k8s/fought-hpa.yaml:1:infrastructure.hpa-without-requests',
    'k8s/fought-hpa.yaml:1:infrastructure.single-replica',
    'k8s/fought.yaml:1:infrastructure.replicas-with-hpa',
    'k8s/one.yaml:1:infrastructure.single-replica',
    'k8s/single.yaml:1:infrastructure.single-replica',
  ]);
  const message = (rule: string, path: string) =>
    verdict.findings.find((f) => f.rule === rule && f.path === path)!.message;
  assert.match(
    message('infrastructure.hpa-without-requests', 'k8s/fought-hpa.yaml'),
    /scales on memory utilization, but not every container of Deployment\/fought sets resources\.requests\.memory/,
  );
  assert.match(
    message('infrastructure.replicas-with-hpa', 'k8s/fought.yaml'),
    /sets replicas: 4 while HorizontalPodAutoscaler\/fought scales it/,
  );
  assert.match(message('infrastructure.single-replica', 'k8s/single.yaml'), /replicas unset/);
});

test('an autoscaler with minReplicas above maxReplicas blocks, whatever the scaling level', async () => {
  const files = {
    'app.yaml': deployment('app', ''),
    'app-hpa.yaml': hpa('app', 'app', '\n  minReplicas: 5\n  maxReplicas: 3'),
  };
  for (const level of ['warn', 'off'] as const) {
    const verdict = await gate(files, level);
    assert.equal(verdict.status, 'block', level);
    assert.ok(rules(verdict).includes('k8s/app-hpa.yaml:1:infrastructure.hpa-min-above-max'), level);
    assert.match(verdict.summary, /minReplicas 5 above maxReplicas 3: the API server refuses it/);
  }
  // Off: none of the advice.
  const off = await gate({ 'app.yaml': deployment('app', '') }, 'off');
  assert.equal(off.status, 'pass', JSON.stringify(off.findings));
});

test('v1 autoscalers and v2 ones without metrics scale on CPU; namespaces keep apart what they name', () => {
  const at = { path: 'k8s/x.yaml', line: 1 };
  const noCpu = { cpu: false, memory: true };
  const findings = scalingFindings({
    workloads: [
      { kind: 'Deployment', name: 'web', namespace: 'shop', replicas: undefined, requests: noCpu, at },
      { kind: 'Deployment', name: 'web', requests: noCpu, at },
    ],
    autoscalers: [
      {
        name: 'web',
        namespace: 'shop',
        target: { kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 4,
        utilizationOf: ['cpu'],
        at,
      },
    ],
  });
  assert.deepEqual(
    findings.map((f) => f.rule),
    // shop/web is scaled (on CPU it does not request); default/web is not, and runs one replica.
    ['infrastructure.hpa-without-requests', 'infrastructure.single-replica'],
  );
});

test('a container with only a limit requests it, and an empty metrics list is the CPU default', async () => {
  const verdict = await gate({
    // Limits and no requests: Kubernetes copies each limit to the request, so utilization is computed.
    'limited.yaml': deployment('limited', '', ''),
    'limited-hpa.yaml': hpa(
      'limited',
      'limited',
      `
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource: { name: memory, target: { type: Utilization, averageUtilization: 80 } }`,
    ),
    // `metrics: []` is defaulted to 80 % CPU by the API server, as a missing list is.
    'bare.yaml': deployment('bare', '', '{ memory: 128Mi }', '{ memory: 256Mi }'),
    'bare-hpa.yaml': hpa('bare', 'bare', '\n  minReplicas: 2\n  maxReplicas: 6\n  metrics: []'),
  });
  assert.deepEqual(rules(verdict), ['k8s/bare-hpa.yaml:1:infrastructure.hpa-without-requests']);
  assert.match(
    verdict.findings[0]!.message,
    /scales on cpu utilization, .* resources\.requests\.cpu \(or a limit of it\)/,
  );
});

test('counts written as strings are not read as unset: no "one replica" or "as few as 1" advice on them', async () => {
  const verdict = await gate({
    // "3" quoted is no count (the dry-run or the API server refuses it); it is not "replicas unset".
    'quoted.yaml': deployment('quoted', '\n  replicas: "3"'),
    // Null is unset, as Kubernetes reads it: one replica.
    'nulled.yaml': deployment('nulled', '\n  replicas: ~'),
    'scaled.yaml': deployment('scaled', '\n  replicas: "4"'),
    'scaled-hpa.yaml': hpa('scaled', 'scaled', '\n  minReplicas: "5"\n  maxReplicas: 3'),
  });
  assert.deepEqual(rules(verdict).sort(), [
    'k8s/nulled.yaml:1:infrastructure.single-replica',
    'k8s/scaled.yaml:1:infrastructure.replicas-with-hpa',
  ]);
  const fought = verdict.findings.find((f) => f.rule === 'infrastructure.replicas-with-hpa')!;
  assert.match(
    fought.message,
    /^Deployment\/scaled sets replicas while HorizontalPodAutoscaler\/scaled scales it/,
  );
});

test('anchors, aliases and merge keys are read as Kubernetes reads them: a shared resources block is requested', async () => {
  const verdict = await gate({
    // Two containers sharing one resources block (an alias), and one built on another by a merge key.
    'shared.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shared
spec:
  replicas: 3
  template:
    spec:
      containers:
        - &app
          name: app
          image: app:1
          readinessProbe: { httpGet: { path: /, port: 80 } }
          resources: &resources
            requests: { cpu: 250m, memory: 256Mi }
            limits: { cpu: "1", memory: 512Mi }
        - name: sidecar
          image: sidecar:1
          readinessProbe: { httpGet: { path: /, port: 81 } }
          resources: *resources
        - <<: *app
          name: worker
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: counted
spec:
  minReadySeconds: &count 3
  replicas: *count
  template:
    spec:
      containers: []
`,
    'shared-hpa.yaml': hpa(
      'shared',
      'shared',
      '\n  minReplicas: 2\n  maxReplicas: 6\n  metrics:\n    - &memory { type: Resource, resource: { name: memory, target: { type: Utilization, averageUtilization: 80 } } }\n    - *memory',
    ),
  });
  // Only the autoscaler's advice is left: the Deployment writes replicas while it scales it. The StatefulSet's
  // aliased count is 3, no "one replica" nor unread; no container lacks limits, requests or a probe.
  assert.deepEqual(rules(verdict).sort(), ['k8s/shared.yaml:1:infrastructure.replicas-with-hpa']);
  assert.match(verdict.findings[0]!.message, /^Deployment\/shared sets replicas: 3 while/);
});
