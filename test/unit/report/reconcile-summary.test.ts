// The reconcile job summary (src/report/reconcile.ts): one row per environment, and for a rollout that went
// on after waiting (issue 14) its waits, with who ended each and how long it waited; values escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReconcileText, renderReconcileSummary } from '../../../src/report/reconcile.ts';
import type { ReconcileEntry, ReconcileSummary } from '../../../src/reconcile/run.ts';

const entry = (over: Partial<ReconcileEntry>): ReconcileEntry => ({
  environment: 'production',
  code: 'rollout_resumed',
  failed: false,
  message: 'promoted by alice: v2 is live on production',
  steps: [],
  ...over,
});

test('a resumed rollout shows its waits: where, ended how, by whom, how long', () => {
  const md = renderReconcileSummary({
    failed: false,
    entries: [
      entry({
        waits: [
          {
            environment: 'production',
            kind: 'manual',
            step: 6,
            at: 'canary 25 %',
            weight: 25,
            since: '2026-12-01T10:00:00.000Z',
            ended: { at: '2026-12-01T12:30:00.000Z', how: 'promoted', by: ['alice'] },
            waitedMs: 9_000_000,
          },
        ],
      }),
    ],
  });
  assert.match(md, /✅ \| production \| `rollout_resumed`/);
  assert.match(md, /### Waits/);
  assert.match(md, /canary 25 %/);
  assert.match(md, /alice/);
  assert.match(md, /2h ?30m|2\.5 ?h|150 ?min/);
});

test('a waiting rollout is nothing to do; hostile text in a wait is escaped', () => {
  const md = renderReconcileSummary({
    failed: false,
    entries: [
      entry({
        code: 'rollout_waiting',
        message: 'waiting for /promote at step 7',
        waits: [
          {
            environment: 'production',
            kind: 'hold',
            step: 2,
            at: '<img src=x onerror=alert(1)> | x',
            since: '2026-12-01T10:00:00.000Z',
            ended: { at: '2026-12-01T10:05:00.000Z', how: 'resumed', by: ['<script>'] },
            waitedMs: 300_000,
          },
        ],
      }),
    ],
  });
  assert.match(md, /➖ \| production \| `rollout_waiting`/);
  assert.doesNotMatch(md, /<img|<script>/);
});

test('the reconcile text (a scheduled workflow prints it): command output cannot become a workflow command', () => {
  const text = formatReconcileText({
    failed: true,
    entries: [
      entry({
        environment: 'prod\r::add-mask::x',
        message: 'teardown failed:\n::stop-commands::t ##[add-mask]y \u001b[2J',
      }),
    ],
  } as ReconcileSummary);
  const lines = text.split(/\r\n|\r|\n/).filter(Boolean);
  assert.equal(lines.length, 2, JSON.stringify(text));
  for (const l of lines) assert.doesNotMatch(l, /^\s*::|##\[|\u001b/, JSON.stringify(l));
  assert.match(lines[0]!, /teardown failed: ::stop-commands::t/);
});

test('hooks.after_success: run is a change (✅), failed a failure (❌), interrupted a warning (⚠️)', () => {
  const md = renderReconcileSummary({
    failed: true,
    entries: [
      entry({ code: 'after_success_ran', message: 'ran hooks.after_success for v2' }),
      entry({ environment: 'staging', code: 'after_success_failed', failed: true, message: 'failed' }),
      entry({ environment: 'qa', code: 'after_success_interrupted', message: 'never finished' }),
    ],
  });
  assert.match(md, /✅ \| production \| `after_success_ran`/);
  assert.match(md, /❌ \| staging \| `after_success_failed`/);
  assert.match(md, /⚠️ \| qa \| `after_success_interrupted`/);
});

test('an environment whose record was refused is said to be skipped, and why; never "nothing failed"', () => {
  const summary: ReconcileSummary = {
    failed: false,
    entries: [
      entry({ code: 'nothing_due', message: 'no retired slot due' }),
      entry({
        environment: 'staging',
        code: 'state_corrupt',
        message:
          'was written by a newer deploy-action (record schema 2; this one reads schema 1): run that version or a later one (state/staging.json); not acted on',
      }),
    ],
  };
  const text = formatReconcileText(summary);
  const last = text.trimEnd().split('\n').at(-1)!;
  assert.doesNotMatch(text, /nothing failed/i);
  assert.match(last, /staging \(state_corrupt\)/);
  assert.match(last, /not looked at/);
  // What to do is the entry's (here: run the newer version), not "mend the record": the line points to it.
  assert.doesNotMatch(text, /mended/);
  assert.match(last, /see its line above for why and what to do$/);
  assert.doesNotMatch(last, /production/);
  const md = renderReconcileSummary(summary);
  assert.doesNotMatch(md, /Nothing failed/i);
  assert.match(md, /Not looked at.*staging.*`state_corrupt`/);
  assert.doesNotMatch(md, /mended/);
  // With a failure too, the skipped one is still named.
  const both = formatReconcileText({
    failed: true,
    entries: [...summary.entries, entry({ environment: 'qa', code: 'teardown_failed', failed: true })],
  });
  assert.match(both, /could not be done; not looked at.*staging \(state_corrupt\)/);
  // Nothing refused, nothing failed: said so.
  assert.match(
    formatReconcileText({ failed: false, entries: [summary.entries[0]!] }),
    /reconcile: nothing failed\n$/,
  );
});

test('reconcile stopped by an internal error: the text and the job summary say so, not that all went well', () => {
  const summary: ReconcileSummary = {
    failed: true,
    stoppedBy: 'Error: boom <b>',
    entries: [entry({ code: 'orphan_rolled_back', message: 'rolled back to v1' })],
  };
  const text = formatReconcileText(summary);
  assert.match(
    text,
    /^reconcile: stopped by an internal error \(Error: boom <b>\): each line above says what was done/m,
  );
  assert.doesNotMatch(text, /nothing failed/);
  // The summary escapes ":" with a joiner.
  const md = renderReconcileSummary(summary).replaceAll('\u200D', '');
  assert.match(md, /\*\*Stopped by an internal error\*\* \(Error: boom /);
  assert.doesNotMatch(md, /<b>/, 'the error is escaped');
  assert.doesNotMatch(md, /Nothing failed|could not be done/);
});
