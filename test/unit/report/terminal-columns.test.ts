// The terminal summary's "Analysis by step" and "Waits" tables: columns as wide as their widest cell, so a
// long environment or step name, verdict, wait kind or "so far" duration never pushes the next columns out
// of line; a name past the cap is cut with … instead of widening every line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepRecord, WaitRecord } from '../../../src/pipeline/events.ts';
import { summary } from '../../../src/report/terminal.ts';
import { displayWidth } from '../../../src/report/display-width.ts';
import { analysisStep, succeeded, waiting, waitRecord } from './fixtures.ts';

const LONG_ENV = `eu-west-1-production-${'very-long-'.repeat(8)}end`;
const CAP_AT_MOST = 2 + 48 + 1; // "  " + the name column's cap + the space before the next column

/** The lines of `section` (up to the next blank line), each starting with two spaces. */
function sectionLines(text: string, section: string): string[] {
  const after = text.slice(text.indexOf(`\n${section}\n`) + section.length + 2);
  return after.slice(0, after.indexOf('\n\n')).split('\n');
}

function analysis(environment: string, result: StepRecord['result'], durationMs = 60_000): StepRecord {
  return { ...analysisStep(10, {}), environment, result, durationMs };
}

test('Analysis by step: every verdict, short and long names, in line; a very long name is cut', () => {
  const cut = 'not judged';
  const rows: Array<{ verdict: string; detail: string; step: StepRecord }> = [
    {
      verdict: 'promote',
      detail: 'why-promote',
      step: analysis('production', { ok: true, analysis: 'promote', detail: 'why-promote' }),
    },
    {
      verdict: 'hold',
      detail: 'why-hold',
      step: analysis('qa', { ok: true, analysis: 'hold', detail: 'why-hold' }, 500),
    },
    { verdict: 'ok', detail: 'why-ok', step: analysis(LONG_ENV, { ok: true, detail: 'why-ok' }, 7_384_000) },
    {
      verdict: 'rollback',
      detail: 'why-rollback',
      step: analysis('staging', { ok: false, analysis: 'rollback', reason: 'why-rollback' }),
    },
    {
      verdict: 'cancelled',
      detail: cut,
      step: analysis('production', { ok: false, reason: 'x', stopped: 'cancelled' }),
    },
    {
      verdict: 'aborted',
      detail: cut,
      step: analysis(`${LONG_ENV}-2`, { ok: false, reason: 'x', stopped: 'aborted' }),
    },
  ];
  const result = succeeded();
  result.steps = rows.map((r) => r.step);
  const lines = sectionLines(summary(result), 'Analysis by step');
  assert.equal(lines.length, rows.length, lines.join('\n'));
  const verdictAt = new Set<number>();
  const detailAt = new Set<number>();
  lines.forEach((line, i) => {
    const { verdict, detail } = rows[i]!;
    const d = line.indexOf(detail);
    assert.ok(d > 0, line);
    detailAt.add(d);
    verdictAt.add(line.lastIndexOf(` ${verdict} `, d) + 1);
  });
  assert.equal(verdictAt.size, 1, `verdicts out of line:\n${lines.join('\n')}`);
  assert.equal(detailAt.size, 1, `reasons out of line:\n${lines.join('\n')}`);
  assert.ok([...verdictAt][0]! <= CAP_AT_MOST, lines.join('\n'));
  assert.ok(lines[2]!.includes('…') && !lines[2]!.includes(LONG_ENV), lines[2]);
  assert.ok(lines[1]!.startsWith('  qa canary-step @ 10% '), lines[1]);
});

test('Waits: every kind, a long environment and "so far" durations, in line; a very long name is cut', () => {
  const kinds: Array<Partial<WaitRecord>> = [
    { kind: 'manual', ended: { at: '2024-05-01T10:06:00.000Z', how: 'promoted', by: ['alice'] } },
    { kind: 'approval', approvals: 2, environment: LONG_ENV, waitedMs: 90_061_000 },
    { kind: 'bake', until: '2026-12-01T10:00:00.000Z', environment: 'qa', waitedMs: 500 },
    {
      kind: 'hold',
      step: -1,
      at: 'before production',
      ended: { at: '2024-05-01T10:06:00.000Z', how: 'handed_off', by: [] },
    },
  ];
  const result = waiting();
  result.waits = kinds.map((k) => waitRecord(k));
  const lines = sectionLines(summary(result), 'Waits');
  assert.equal(lines.length, kinds.length, lines.join('\n'));
  const kindAt = new Set<number>();
  const sinceAt = new Set<number>();
  lines.forEach((line, i) => {
    const s = line.indexOf('  since ');
    assert.ok(s > 0, line);
    sinceAt.add(s);
    kindAt.add(line.lastIndexOf(` ${kinds[i]!.kind} `, s) + 1);
  });
  assert.equal(kindAt.size, 1, `kinds out of line:\n${lines.join('\n')}`);
  assert.equal(sinceAt.size, 1, `"since" out of line:\n${lines.join('\n')}`);
  assert.ok([...kindAt][0]! <= CAP_AT_MOST, lines.join('\n'));
  assert.ok(lines[1]!.includes('…') && !lines[1]!.includes(LONG_ENV), lines[1]);
  assert.match(lines[1]!, / approval +25h1m1s so far {2}since /);
});

/** The terminal column where `needle` starts in `line` (a CJK character or an emoji takes two). */
function columnOf(line: string, needle: string): number {
  const at = line.indexOf(needle);
  assert.ok(at >= 0, `${needle} in ${line}`);
  return displayWidth(line.slice(0, at));
}

test('names in CJK, with emoji or combining marks line up by the columns a terminal shows; one past the cap is cut on a whole character', () => {
  const names = [
    'production',
    '本番環境', // four characters, eight columns
    'prod-🚀-eu', // an emoji takes two
    'pre\u0301-prod', // a combining accent takes none
    // Past the cap of 48 columns, cut where an emoji (a surrogate pair) stands: 36 + 5 × 2 columns kept.
    `${'東京リージョン本番'.repeat(2)}${'🚀'.repeat(20)}終わり`,
  ];
  const result = succeeded();
  result.steps = names.map((environment, i) =>
    analysis(environment, { ok: true, analysis: 'promote', detail: `why-${i}` }),
  );
  const lines = sectionLines(summary(result), 'Analysis by step');
  assert.equal(lines.length, names.length, lines.join('\n'));
  const verdictAt = new Set(lines.map((l) => columnOf(l, ' promote ') + 1));
  const detailAt = new Set(lines.map((l, i) => columnOf(l, `why-${i}`)));
  assert.equal(verdictAt.size, 1, `verdicts out of line on a terminal:\n${lines.join('\n')}`);
  assert.equal(detailAt.size, 1, `reasons out of line on a terminal:\n${lines.join('\n')}`);
  assert.ok([...verdictAt][0]! <= CAP_AT_MOST, lines.join('\n'));
  const long = lines[4]!;
  assert.ok(long.includes('…') && !long.includes('終わり'), long);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(long), 'no character cut in half');
  assert.ok(long.includes(`${'🚀'.repeat(5)}…`) && !long.includes('🚀'.repeat(6)), long);
  assert.ok(lines[3]!.includes('pre\u0301-prod'), 'the accent kept with its letter');
});
