// Renders what reconcile did: a table for the job summary, lines for the terminal. Messages carry command
// output and config text, so every cell is escaped.
import type { ReconcileCode, ReconcileEntry, ReconcileSummary } from '../reconcile/run.ts';
import { isRefusalCode } from '../state/record.ts';
import { code, say, table } from './markdown.ts';
import { fitSummary, renderWaitsSection } from './job-summary.ts';
import { plain } from './terminal.ts';

/** Codes that mean something changed; the rest either did nothing or could not. */
const DONE = new Set<ReconcileCode>([
  'slot_torn_down',
  'orphan_rolled_back',
  'orphan_resumed',
  'rollout_resumed',
  'rollout_aborted',
  'current_adopted',
  'after_success_ran',
]);
/** Nothing to do now: a rollout waiting for people or its bake is where it should be. */
const QUIET = new Set<ReconcileCode>([
  'nothing_due',
  'owner_running',
  'orphan_changed',
  'rollout_waiting',
  'current_agrees',
]);

function icon(e: ReconcileEntry): string {
  if (e.failed) return '❌';
  if (DONE.has(e.code)) return '✅';
  return QUIET.has(e.code) ? '➖' : '⚠️';
}

export function renderReconcileSummary(summary: ReconcileSummary): string {
  const rows = summary.entries.map((e) => [
    icon(e),
    say(e.environment, 200),
    code(e.code),
    say(e.message, 500),
    say(e.steps.map((s) => `${s.result.ok ? '✔' : '✖'} ${s.description}`).join(', '), 1000),
  ]);
  const refused = refusedEntries(summary);
  const skipped = refused.length
    ? `**Not looked at**: ${refused.map((e) => `${say(e.environment, 200)} (${code(e.code)})`).join(', ')}: ${NOT_LOOKED_AT}: see ${refused.length === 1 ? 'its row' : 'their rows'}.`
    : '';
  const verdict =
    summary.stoppedBy !== undefined
      ? [
          `**Stopped by an internal error** (${say(summary.stoppedBy, 300)}): each row says what was done; what was not is left for the next reconcile.`,
          skipped,
        ]
          .filter(Boolean)
          .join(' ')
      : summary.failed
        ? ['**Something that was due could not be done**: see the failed rows.', skipped]
            .filter(Boolean)
            .join(' ')
        : skipped || 'Nothing failed.';
  // A rollout that went on here after waiting: its waits, as the deploying job's summary shows them.
  const waits = summary.entries.flatMap((e) => e.waits ?? []);
  return fitSummary(
    [
      '## deploy-action reconcile',
      '',
      rows.length
        ? table(['', 'environment', 'code', 'what happened', 'commands'], rows)
        : 'No environment to look at.',
      '',
      verdict,
      '',
      ...adoptionSections(summary),
      ...(waits.length ? [renderWaitsSection({ waits }), ''] : []),
    ].join('\n'),
  );
}

/** `--adopt-current`: what the new record replaced, field by field (the table's message may be cut). */
function adoptionSections(summary: ReconcileSummary): string[] {
  const release = (r: { version: string; slot?: string } | undefined) =>
    r ? `${say(r.version, 200)}${r.slot ? ` on ${say(r.slot, 100)}` : ''}` : 'nothing';
  return summary.entries.flatMap((e) => {
    const a = e.adopted;
    if (!a) return [];
    const rows: Array<[string, string]> = [
      ['current reported', say([a.current.version, a.current.slot].filter(Boolean).join(' on '), 300)],
      ['live', `${release(a.live.before)} → ${release(a.live.after)}`],
      ['previous', release(a.previous)],
      [
        'rollout',
        a.droppedRollout
          ? `dropped: ${say(a.droppedRollout.version, 200)} (deployment ${say(a.droppedRollout.deploymentId, 100)}), its recovery not run`
          : 'none',
      ],
      ['retired kept', a.retired.kept.map((r) => say(r.slot, 100)).join(', ') || 'none'],
      [
        'retired dropped',
        a.retired.dropped.map((r) => `${say(r.slot, 100)} (${say(r.why, 200)})`).join(', ') || 'none',
      ],
      ['record', `seq ${a.seq.before} → ${a.seq.after}`],
    ];
    return [
      `### ${say(e.environment, 200)}: record adopted from \`current\``,
      '',
      table(['', 'adopted'], rows),
      '',
    ];
  });
}

/**
 * The environments whose record was refused (damaged, a newer version's, forged, unreadable, ...): nothing there
 * was looked at, so what may be due there is unknown. "Nothing failed" would read as everything was checked.
 */
function refusedEntries(summary: ReconcileSummary): ReconcileEntry[] {
  return summary.entries.filter((e) => isRefusalCode(e.code));
}

// Not "until it is mended": a newer version's record wants that version run, an unreadable one another try; the
// entry's own line or row says which.
const NOT_LOOKED_AT = 'the record was refused, so nothing there was checked or done';

/** One entry's line in the terminal (formatReconcileText; the crash deadline's entries done). */
export function reconcileEntryLine(e: ReconcileEntry): string {
  return `${e.failed ? '✖' : DONE.has(e.code) ? '✔' : '·'} ${plain(e.environment)}: ${e.code}: ${plain(e.message)}`;
}

export function formatReconcileText(summary: ReconcileSummary): string {
  const lines = summary.entries.map(reconcileEntryLine);
  const refused = refusedEntries(summary);
  const skipped = refused.length
    ? `not looked at: ${refused.map((e) => `${plain(e.environment)} (${e.code})`).join(', ')}: ${NOT_LOOKED_AT}: see ${refused.length === 1 ? 'its line' : 'their lines'} above for why and what to do`
    : '';
  lines.push(
    summary.stoppedBy !== undefined
      ? [
          `reconcile: stopped by an internal error (${plain(summary.stoppedBy)}): each line above says what was done; what was not is left for the next reconcile`,
          skipped,
        ]
          .filter(Boolean)
          .join('; ')
      : summary.failed
        ? ['reconcile: something that was due could not be done', skipped].filter(Boolean).join('; ')
        : skipped
          ? `reconcile: ${skipped}`
          : 'reconcile: nothing failed',
  );
  return `${lines.join('\n')}\n`;
}
