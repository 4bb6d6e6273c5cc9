// Recordings as runs leave them: a run stopped while writing leaves its last line cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';

const FIXTURE = new URL('../../fixtures/analysis/canary-sustained-errors.ndjson', import.meta.url);

test('a last line cut short is refused with where, what and what to do; a bad line inside is not called cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(FIXTURE, 'utf8');
  const lines = text.trimEnd().split('\n');
  const cut = join(dir, 'cut.ndjson');
  writeFileSync(cut, text.trimEnd().slice(0, -40));
  const result = runAnalyzeCommand({ recording: cut });
  assert.equal(result.exitCode, 3, result.output);
  assert.equal(
    result.output.split('\n')[0]!.replace(/ \(.*\)\):/, ' (…):'),
    `error: ${cut}:${lines.length}: not JSON (…): the last line is cut short (no newline at its end: a run stopped while writing it?); remove it to judge the rest`,
  );
  // The same broken line with its newline, or before the end, is a broken line, not a cut one.
  const broken = join(dir, 'broken.ndjson');
  writeFileSync(broken, `${text.trimEnd().slice(0, -40)}\n`);
  assert.doesNotMatch(runAnalyzeCommand({ recording: broken }).output, /cut short/);
  const inside = join(dir, 'inside.ndjson');
  writeFileSync(inside, [...lines.slice(0, 3), lines[3]!.slice(0, -10), ...lines.slice(4)].join('\n'));
  const output = runAnalyzeCommand({ recording: inside }).output;
  assert.match(output, new RegExp(`:4: not JSON`));
  assert.doesNotMatch(output, /cut short/);
});

test('samples far more often than the window says (every 10 s under a one-minute interval) are refused, not a window judged on its first 100 s', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-input-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const MINUTE = 60_000;
  const write = (spacing: number) => {
    const lines = [
      {
        format: 'deploy-action.recording',
        version: 1,
        config: {
          providers: { p: { type: 'command', run: 'm' } },
          metrics: { error_rate: { provider: 'p' } },
        },
      },
      {
        type: 'window',
        context: {
          phase: 'verify',
          environment: 'production',
          version: 'v2',
          windowMs: 10 * MINUTE,
          intervalMs: MINUTE,
        },
        startedAt: 0,
      },
      ...Array.from({ length: 12 }, (_, i) => ({
        type: 'sample',
        index: i,
        sample: { at: (i + 1) * spacing, canary: { error_rate: 0 }, errors: [] },
      })),
    ];
    const file = join(dir, `every-${spacing}.ndjson`);
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return file;
  };
  const fast = write(10_000);
  const result = runAnalyzeCommand({ recording: fast });
  assert.equal(result.exitCode, 3, result.output);
  assert.match(
    result.output,
    new RegExp(
      `^error: ${fast.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: window 1 sample 0: sample\\.at: 10000 is 50 s before the end of its interval \\(startedAt 0 \\+ 1 x intervalMs 60000 = 60000, line 2\\): a window's samples are one per interval, each read at its end$`,
      'm',
    ),
  );
  // Read late (a slow provider) is how live samples come: judged.
  assert.equal(runAnalyzeCommand({ recording: write(MINUTE + 20_000) }).exitCode, 0);
  assert.equal(runAnalyzeCommand({ recording: write(MINUTE) }).exitCode, 0);
});
