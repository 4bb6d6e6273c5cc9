// The providers' notes (what a provider could not judge for part of a window: the logs provider's new error
// patterns) in the job summary: one short line each, escaped, once a step per provider and code, capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowEvidence } from '../../../src/analysis/evidence.ts';
import type { PipelineResult } from '../../../src/pipeline/events.ts';
import { renderJobSummary } from '../../../src/report/job-summary.ts';
import { succeeded } from './fixtures.ts';
import { assertInert, ATTACKS, BENIGN } from './markdown-check.ts';

type Note = NonNullable<WindowEvidence['notes']>[number];

const note = (over: Partial<Note> = {}): Note => ({
  index: 0,
  at: Date.parse('2024-05-01T10:01:00Z'),
  provider: 'logs',
  code: 'logs-reference-full',
  message: 'the reference showed more than 20000 distinct error patterns',
  ...over,
});

/** The fixture's promoted run with `notes` on its analysis step at `weight` %. */
function withNotes(notes: Note[], weight = 50): PipelineResult {
  const result = succeeded();
  const step = result.steps.find((s) => s.step.kind === 'analysis' && s.step.weight === weight)!;
  step.result.evidence = { ...step.result.evidence!, notes };
  return result;
}

const noteLines = (md: string) => md.split('\n').filter((l) => l.startsWith('- ℹ️ '));

test('a promoted run whose new error patterns were not judged for part of a window says so in its summary, per step', () => {
  const md = renderJobSummary(
    withNotes([
      note(),
      note({
        index: 1,
        code: 'logs-held-pattern',
        message: '2 error patterns held',
      }),
    ]),
  );
  assert.match(md, /^\*\*Not judged\*\* /m);
  assert.deepEqual(noteLines(md), [
    '- ℹ️ canary-step @ 50%: `logs-reference-full` (logs): the reference showed more than 20000 distinct error patterns',
    '- ℹ️ canary-step @ 50%: `logs-held-pattern` (logs): 2 error patterns held',
  ]);
  // Within the analysis section, before what was rolled back (nothing here) and the links.
  assert.ok(md.indexOf('### Analysis') < md.indexOf('**Not judged**'));
});

test('no note, no line: a run whose providers judged everything has no "Not judged"', () => {
  assert.doesNotMatch(renderJobSummary(succeeded()), /Not judged/);
});

test('patterns held again later in a step are one line that says how many more notes it stands for', () => {
  const held = (n: number, pattern: string) =>
    note({
      index: n,
      code: 'logs-held-pattern',
      message: `1 error pattern: "${pattern}" (x3) not judged new`,
    });
  const lines = noteLines(renderJobSummary(withNotes([held(0, 'a'), held(2, 'b'), held(3, 'c'), note()])));
  assert.equal(lines.length, 2, lines.join('\n'));
  // The first held note, escaped as every message is, and how many more it stands for.
  assert.match(
    lines[0]!,
    /`logs-held-pattern` \(logs\): 1 error pattern.*"a" \\\(x3\\\) not judged new \(and 2 more like it in this step\)$/u,
  );
  assert.doesNotMatch(lines[1]!, /more like it/);
});

test("a note said again in the same step (more held patterns) is one line; each step's own is its own", () => {
  const result = withNotes([note(), note({ index: 2 }), note({ provider: 'other-logs' })]);
  const other = result.steps.find((s) => s.step.kind === 'analysis' && s.step.weight === 100)!;
  other.result.evidence = { ...other.result.evidence!, notes: [note()] };
  assert.deepEqual(
    noteLines(renderJobSummary(result)).map((l) => l.split(':')[0]),
    ['- ℹ️ canary-step @ 50%', '- ℹ️ canary-step @ 50%', '- ℹ️ canary-step @ 100%'],
  );
});

test('many notes are capped, the rest counted', () => {
  const notes = Array.from({ length: 25 }, (_, i) => note({ provider: `logs-${i}` }));
  const lines = renderJobSummary(withNotes(notes)).split('\n');
  assert.equal(lines.filter((l) => l.startsWith('- ℹ️ ')).length, 20);
  assert.ok(lines.includes('- and 5 more'));
});

for (const [name, value] of Object.entries(ATTACKS))
  test(`a note's provider name and message (log text) reach the summary inert: ${name}`, () => {
    const render = (v: string) =>
      renderJobSummary(withNotes([note({ provider: v, message: `"${v}" (x3)` })]));
    assert.equal(noteLines(render(value)).length, 1);
    assertInert(render(value), render(BENIGN), 'note');
  });
