// Reconcile's look at a handed-off bake builds its own analyzer: a metric provider's warning (a metrics
// command's keys no metric reads) goes to the warn it is given (the run's reporter), not the process' stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { lookAtBake } from '../../../src/reconcile/bake-look.ts';
import type { EnvironmentRecord, Rollout } from '../../../src/state/record.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

test("a bake look hands a metrics command's warning to its warn", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bake-warn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'metrics.mjs');
  writeFileSync(script, 'console.log(JSON.stringify({ mem_ratio: 0.2, note: "warm" }));\n');
  const parsed = parseConfig(
    `preset: fast
state_dir: ${dir}/state
${recordedTarget(dir).targetYaml}
environments:
  production:
    strategy: { type: canary, steps: [50], pause: 1m }
    monitor: 10m
    monitor_interval: 100ms
    analysis:
      preset: none
      providers:
        script: { type: command, run: ${JSON.stringify([process.execPath, script])}, retries: 0 }
      metrics:
        memory: { provider: script, field: mem_ratio }
      checks:
        - check: memory < 0.9
      min_samples: 1
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  const since = new Date(Date.now() - 60_000).toISOString();
  const rollout = {
    deploymentId: 'd1',
    version: 'v2',
    strategy: 'canary',
    phase: 'monitor',
    step: 0,
    steps: 1,
    startedAt: since,
    owner: { kind: 'workflow', runId: '1' },
    stableSlot: 'blue',
    newSlot: 'green',
    recovery: [],
  } as unknown as Rollout;
  const record = {
    schema: 1,
    repository: 'acme/shop',
    environment: 'production',
    seq: 1,
    updatedAt: since,
    live: { version: 'v1', slot: 'blue', since },
    retired: [],
    history: [],
    rollout,
  } as unknown as EnvironmentRecord;
  const warnings: string[] = [];
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    await lookAtBake(env, record, rollout, { warn: (message) => warnings.push(message) });
  } finally {
    process.stderr.write = write;
  }
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0]!, /^script: .*"note".*ignored/);
  assert.ok(!stderr.some((s) => /ignored/.test(s)), stderr.join(''));
});
