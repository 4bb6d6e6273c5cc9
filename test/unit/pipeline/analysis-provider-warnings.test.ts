// A metric provider's warning (a metrics command printing keys no metric reads) reaches the run's reporter as
// a warning, through the executor's own analyzer, and not the process' stderr beside the job's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

test("a metrics command's ignored keys are one warning on the reporter, not on stderr", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-warn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const script = join(dir, 'metrics.mjs');
  writeFileSync(script, 'console.log(JSON.stringify({ mem_ratio: 0.2, note: "warm", build: { id: 7 } }));\n');
  const targetYaml = target.targetYaml
    .split('\n')
    .filter((line) => !/^\s+(health|current|switch):/.test(line))
    .join('\n');
  const parsed = parseConfig(
    `preset: fast
state_dir: ${dir}/state
${targetYaml}
environments:
  production:
    strategy: { type: canary, steps: [50], pause: 300ms }
    monitor: 0
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
  // v1 is live on green, so the canary analyses its 50 % step (a first deployment goes straight to 100 %).
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'green', since: at },
  });

  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  const events: PipelineEvent[] = [];
  try {
    const result = await runPipeline(
      { env, version: 'v2', runId: '1', repository: 'acme/shop' },
      { reporter: { event: (e) => events.push(e) } },
    );
    assert.equal(result.status, 'succeeded', result.message);
  } finally {
    process.stderr.write = write;
  }
  const warnings = events.filter(
    (e): e is Extract<PipelineEvent, { type: 'log' }> =>
      e.type === 'log' && e.level === 'warn' && /ignored/.test(e.message),
  );
  assert.equal(warnings.length, 1, JSON.stringify(events.filter((e) => e.type === 'log')));
  assert.match(warnings[0]!.message, /^analysis: script: .*"note", "build"/);
  assert.ok(!stderr.some((s) => /ignored/.test(s)), stderr.join(''));
});
