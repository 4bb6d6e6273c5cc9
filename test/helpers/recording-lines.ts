// A metric recording as `deploy-action analyze --recording` reads it (NDJSON: a header, a window, its samples
// at one-minute steps), built as line objects so a test can also damage one before writing it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecording, RecordingError } from '../../src/analysis/recording.ts';

const MINUTE = 60_000;

export interface RecordedSides {
  canary: unknown;
  stable?: unknown;
}

/** The lines of a one-window recording: `sides[i]` is interval i's canary (and stable) values. */
export function recordingLines(
  config: unknown,
  sides: readonly RecordedSides[],
  context: { windowMs?: number; version?: string; [key: string]: unknown } = {},
): Array<Record<string, unknown>> {
  return [
    { format: 'deploy-action.recording', version: 1, config },
    {
      type: 'window',
      context: {
        phase: 'canary-step',
        environment: 'production',
        version: 'v2',
        windowMs: sides.length * MINUTE,
        intervalMs: MINUTE,
        ...context,
      },
      baseline: {},
      startedAt: 0,
    },
    ...sides.map(({ canary, stable }, i) => ({
      type: 'sample',
      index: i,
      sample: { at: (i + 1) * MINUTE, canary, ...(stable === undefined ? {} : { stable }), errors: [] },
    })),
  ];
}

/** The file's text for those lines (strings are written as they are: a damaged line). */
export const recordingText = (lines: readonly unknown[]): string =>
  lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');

/** Writes those lines as `rec.ndjson` in a directory of its own (removed after the test); returns its path. */
export function writeRecording(t: { after(fn: () => void): void }, lines: readonly unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'recording-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  writeFileSync(file, `${recordingText(lines)}\n`);
  return file;
}

/** The message readRecording refuses `file` with (a RecordingError); fails the test when it reads it. */
export function recordingRefusal(file: string): string {
  try {
    readRecording(file);
  } catch (error) {
    assert.ok(error instanceof RecordingError, String(error));
    return error.message;
  }
  assert.fail(`${file} was read`);
}
