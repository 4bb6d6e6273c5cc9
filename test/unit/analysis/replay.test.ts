import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRecording, runAnalyzeCommand } from '../../../src/analysis/replay.ts';

const fixture = new URL('../../fixtures/analysis/canary-sustained-errors.ndjson', import.meta.url).pathname;

test('replaying the recorded canary step: spike held, gap held, sustained breach rolls back after 5 min', () => {
  const { windows } = analyzeRecording(fixture);
  assert.equal(windows.length, 1);
  const codes = windows[0]!.intervals.map((i) => `${i.decision.kind}:${i.decision.code}`);
  assert.deepEqual(codes, [
    'hold:not-enough-data',
    'hold:not-enough-data',
    'promote:healthy',
    'hold:breach-pending', // the 20 % spike at interval 3
    'promote:healthy',
    'hold:no-data-pending', // p95 missing at interval 5
    'promote:healthy',
    'promote:healthy',
    'hold:breach-pending',
    'hold:breach-pending',
    'hold:breach-pending',
    'hold:breach-pending',
    'rollback:threshold-breached', // 2.5 % for 5 intervals of 1 min
  ]);
  assert.equal(windows[0]!.decision.rule, 'seeds.error-rate');
  assert.deepEqual(windows[0]!.changed, []);
});

test('analyze command: text and JSON output, exit code 1 on rollback', () => {
  const text = runAnalyzeCommand({ recording: fixture });
  assert.equal(text.exitCode, 1);
  assert.match(text.output, /window 1: canary-step production v2\.5\.0 vs v2\.4\.1 at 10%/);
  assert.match(text.output, /#12 rollback +threshold-breached \[seeds\.error-rate\]: error_rate = 0\.025/);
  const json = runAnalyzeCommand({ recording: fixture, json: true });
  const parsed = JSON.parse(json.output) as { windows: Array<{ decision: { kind: string } }> };
  assert.equal(parsed.windows[0]!.decision.kind, 'rollback');
});

test('a looser config judges the same recording as inconclusive (threshold tuning)', () => {
  const loose = runAnalyzeCommand({
    recording: fixture,
    config: {
      providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
      metrics: { error_rate: { provider: 'prom', query: 'x' } },
      checks: [{ check: 'error_rate < 5%', for: '5m' }],
      preset: 'none',
    },
  });
  assert.equal(loose.exitCode, 2, loose.output);
});

test('bad recordings are refused with the file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-bad-'));
  try {
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, '{"format":"something-else"}\n');
    assert.deepEqual(runAnalyzeCommand({ recording: file }), {
      exitCode: 3,
      output: `error: ${file}:1: not a recording (format must be "deploy-action.recording")`,
    });
    writeFileSync(file, '{"format":"deploy-action.recording","version":1,"config":{}}\n{"type":"sample"}\n');
    assert.match(
      runAnalyzeCommand({ recording: file }).output,
      /bad\.ndjson:2: a sample before any window line/,
    );
    assert.match(runAnalyzeCommand({ recording: join(dir, 'missing') }).output, /cannot read recording/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
