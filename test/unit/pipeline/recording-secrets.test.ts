// A recording (`run --record FILE`) keeps each interval's provider errors, notes and decision reasons, which
// quote what a command printed: a metrics command that fails after printing a credential of the job's
// environment (`curl -v` with $PROM_TOKEN, a script that dumps its env) put it in the file as it was, while
// the job log and check runs showed it masked. The recording now masks what they mask: the run's known
// secrets (its token, the state keys, the values the config names by *_env) and credentials by shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';

// Not a real credential: a value the run is told is secret, as the Action is told its token's.
const SECRET = 'hunter2-known-secret-of-the-run';

test("a command's output quoting a secret the run knows is masked in the recording, which still replays", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const script = join(dir, 'metrics.mjs');
  // The secret comes from the job's environment, which the command inherits (the config does not hold it).
  writeFileSync(
    script,
    `process.stderr.write('401 for token ' + process.env.RECORDING_SECRETS_TEST_TOKEN + '\\n'); process.exit(1);\n`,
  );
  process.env.RECORDING_SECRETS_TEST_TOKEN = SECRET;
  t.after(() => delete process.env.RECORDING_SECRETS_TEST_TOKEN);
  const targetYaml = target.targetYaml
    .split('\n')
    .filter((line) => !/^\s+(health|current):/.test(line))
    .join('\n');
  const parsed = parseConfig(
    `preset: fast
state_dir: ${dir}/state
${targetYaml}
environments:
  prod:
    strategy: blue-green
    validation_window: 300ms
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
      max_provider_errors: 1
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'prod', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'green', since: at },
  });
  const file = join(dir, 'rec.ndjson');
  await runPipeline(
    {
      env: resolveEnvironment(parsed.config, 'prod'),
      version: 'v2',
      runId: '1',
      repository: 'acme/shop',
      record: file,
    },
    { reporter: { event: () => {} }, secrets: [SECRET] },
  );
  const recorded = readFileSync(file, 'utf8');
  assert.match(recorded, /401 for token \*\*\*/, recorded);
  assert.ok(!recorded.includes(SECRET), recorded);
  // Masked messages decide nothing: the recording replays to the rollback it recorded.
  const replayed = analyzeRecording(file);
  assert.ok(replayed.windows.length > 0);
  assert.equal(replayed.windows.at(-1)!.decision.kind, 'rollback', JSON.stringify(replayed.windows));
});
