// `run --record FILE` with a staging environment: each environment's analysis is a recording of its own, both
// kept and each read back by the replay. Both analysers once wrote FILE, the later (production) truncating the
// earlier's (staging), whose windows were lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { readRecording, recordingFileFor } from '../../../src/analysis/recording.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

test('recordingFileFor: the environment deployed to writes the file, its staging the name with its own', () => {
  assert.equal(recordingFileFor('rec.ndjson', 'production', 'prod'), 'rec.ndjson');
  assert.equal(recordingFileFor('rec.ndjson', 'staging', 'stage'), 'rec.stage.ndjson');
  assert.equal(recordingFileFor('/tmp/a.b/rec', 'staging', 'stage'), '/tmp/a.b/rec.stage');
  assert.equal(recordingFileFor('out/.rec', 'staging', 'stage'), 'out/.rec.stage');
  assert.equal(recordingFileFor('rec.tar.ndjson', 'staging', 'qa'), 'rec.tar.qa.ndjson');
});

test('a run through staging records both analyses, each replayable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const script = join(dir, 'metrics.mjs');
  writeFileSync(script, 'console.log(JSON.stringify({ mem_ratio: 0.2 }));\n');
  const analysis = `    analysis:
      preset: none
      providers:
        script: { type: command, run: ${JSON.stringify([process.execPath, script])}, retries: 0 }
      metrics:
        memory: { provider: script, field: mem_ratio }
      checks:
        - check: memory < 0.9
      min_samples: 1
`;
  // No current command (the record says what is live) nor health checks: the analysis alone decides.
  const targetYaml = target.targetYaml
    .split('\n')
    .filter((line) => !/^\s+(health|current):/.test(line))
    .join('\n');
  const parsed = parseConfig(
    `preset: fast
state_dir: ${dir}/state
${targetYaml}
environments:
  stage:
    strategy: blue-green
    validation_window: 300ms
    monitor: 0
    monitor_interval: 100ms
${analysis}  prod:
    staging: stage
    strategy: { type: canary, steps: [50], pause: 300ms }
    monitor: 0
    monitor_interval: 100ms
${analysis}`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'prod');
  const at = '2026-01-01T00:00:00.000Z';
  for (const name of ['stage', 'prod'])
    await new FileStateStore(join(dir, 'state')).write({
      ...emptyRecord('local', name, new Date(at)),
      seq: 1,
      live: { version: 'v1', slot: 'green', since: at },
    });
  const file = join(dir, 'rec.ndjson');
  const events: PipelineEvent[] = [];
  const result = await runPipeline(
    {
      env,
      staging: resolveEnvironment(parsed.config, 'stage'),
      version: 'v2',
      runId: '1',
      repository: 'acme/shop',
      record: file,
    },
    { reporter: { event: (e) => events.push(e) } },
  );
  assert.equal(result.status, 'succeeded', result.message);

  const environments = (f: string) => [
    ...new Set(readRecording(f).windows.map((w) => w.context.environment)),
  ];
  // Before: one file, holding production's windows only.
  assert.deepEqual(environments(file), ['prod']);
  const staged = join(dir, 'rec.stage.ndjson');
  assert.ok(existsSync(staged), 'the staging analysis is recorded beside it');
  assert.deepEqual(environments(staged), ['stage']);
  for (const f of [file, staged]) {
    const replayed = analyzeRecording(f);
    assert.ok(replayed.windows.length > 0, f);
    assert.ok(
      replayed.windows.every((w) => w.decision.kind === 'promote'),
      JSON.stringify(replayed.windows.map((w) => w.decision)),
    );
  }
  // The run says where the staging recording went.
  assert.ok(
    events.some(
      (e) =>
        e.type === 'log' &&
        e.message === `analysis: stage's analysis is recorded to ${staged} (${file} is prod's)`,
    ),
    JSON.stringify(events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message)),
  );
});
