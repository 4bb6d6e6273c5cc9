// The job summary (GITHUB_STEP_SUMMARY): decision and reasons, gates table, phase timeline, the analysis (the
// deciding evidence and charts of what the judge saw: evidence-table.ts, chart.ts), and what was rolled
// back. Pure Markdown.
import { rollbackShortfall } from '../pipeline/rollback-shortfall.ts';
import { levelOutcome, type LevelMark } from '../pipeline/rollback-levels.ts';
import { formatDuration } from '../config/duration.ts';
import type { GatesReport } from '../gates/runner.ts';
import type { PipelineResult } from '../pipeline/events.ts';
import type { DeploymentPlan } from '../pipeline/plan.ts';
import { analysisRows, stepNotes, type AnalysisRow } from './analysis-steps.ts';
import { fitSummary } from './summary-limit.ts';
import { renderAnalysisSection } from './evidence-table.ts';
import { cell, code, linkTarget, say, STATUS_ICON, table, truncate, wrappable } from './markdown.ts';
import {
  abortedWait,
  continueCommands,
  currentWait,
  endedBy,
  formatUtc,
  holdBy,
  trafficSplit,
  WAIT_END_TEXT,
  waitedText,
  waitingFor,
  waitWhere,
} from './waits.ts';

export { fitSummary, SUMMARY_MAX_BYTES } from './summary-limit.ts';

/** A rollback level that did not simply succeed: failed, ran but was not enough, or not needed. */
const LEVEL_MARKS: Record<Exclude<LevelMark, 'ok'>, string> = {
  failed: '❌',
  insufficient: '⚠️',
  skipped: '⏭️',
};

export interface SummaryContext {
  sha?: string;
  runUrl?: string;
  deploymentUrl?: string;
  environmentUrl?: string;
}

/** The most rows of a list that can grow with the run (reasons, rollback steps, waits, gates). */
export const ROWS_MAX = 50;

/** The first `max` rows, and a line saying how many more there were. */
function capped<T>(rows: T[], more: (n: number) => T, max = ROWS_MAX): T[] {
  return rows.length > max ? [...rows.slice(0, max), more(rows.length - max)] : rows;
}

export function renderJobSummary(result: PipelineResult, ctx: SummaryContext = {}): string {
  return fitSummary(renderWhole(result, ctx));
}

function renderWhole(result: PipelineResult, ctx: SummaryContext): string {
  const out: string[] = [];
  const icon = STATUS_ICON[result.status] ?? '';
  out.push(`## ${icon} Deploy ${say(result.environment, 200)}: ${result.status.replace('_', ' ')}`);
  const facts = [
    `version ${code(truncate(result.version, 200))}`,
    result.previousVersion ? `previous ${code(truncate(result.previousVersion, 200))}` : undefined,
    `strategy **${say(result.strategy, 100)}**`,
    ctx.sha ? `commit ${code(ctx.sha.slice(0, 12))}` : undefined,
    `took ${formatDuration(result.durationMs)}`,
    ctx.environmentUrl && result.status === 'succeeded' ? link('open', ctx.environmentUrl) : undefined,
  ].filter(Boolean);
  out.push(facts.join(' · '), '');
  if (result.status === 'waiting') out.push(...waitingHeadline(result), '');
  const aborter = result.code === 'rollout_aborted' ? abortedWait(result) : undefined;
  if (aborter?.ended)
    out.push(
      `> **Aborted** at ${say(waitWhere(aborter), 200)}${aborter.ended.by.length ? ` by ${say(endedBy(aborter), 200)}` : ''} at ${cell(formatUtc(aborter.ended.at))}`,
      '',
    );

  out.push('### Decision', '', `**${cell(result.code)}**: ${say(result.message, 2000)}`);
  const reasons = result.decisions.filter((d) => d.decision.type !== 'run');
  out.push(
    ...capped(
      reasons.map(
        (d) => `- ${say(d.environment, 200)} (${d.strategy}, ${d.phase}): ${say(d.decision.reason)}`,
      ),
      (n) => `- … and ${n} more`,
    ),
  );
  out.push('');

  if (result.gates) out.push(renderGatesSection(result.gates), '');

  if (result.waits?.length) out.push(renderWaitsSection(result), '');

  out.push(
    '### Timeline',
    '',
    table(
      ['phase', 'status', 'duration', 'detail'],
      result.phases.map((p) => [
        p.phase,
        `${STATUS_ICON[p.status] ?? ''} ${p.status}`,
        p.status === 'skipped' ? '' : formatDuration(p.durationMs),
        cell(truncate(p.detail ?? '', 200)),
      ]),
    ),
    '',
  );

  const rows = analysisRows(result);
  out.push(...renderAnalysisSection(rows), ...renderNotes(rows));

  for (const rb of result.rollbacks) {
    const shortfall = rollbackShortfall(rb);
    const heading =
      shortfall.kind === 'complete'
        ? '↩️ Rolled back'
        : shortfall.kind === 'cleanup'
          ? '⚠️ Rolled back, cleanup INCOMPLETE'
          : '🚨 Rollback INCOMPLETE';
    out.push(`### ${heading}: ${say(rb.environment, 200)}`, '');
    // A paragraph of its own: a reason ends as it will (`(alpha 0.01)`, `failed`), and the sentences after it
    // ran on from it ("health check failed Traffic back on the stable version").
    out.push(`Why: ${say(rb.reason, 2000)}`, '');
    if (rb.trafficRestoredMs !== undefined)
      out.push(`Traffic back on the stable version in ${formatDuration(rb.trafficRestoredMs)}.`);
    if (result.previousVersion && shortfall.kind !== 'incomplete')
      out.push(`Serving again: ${code(truncate(result.previousVersion, 200))}.`);
    if (shortfall.kind === 'cleanup')
      out.push(
        `Traffic is on the stable version; not finished: ${say(shortfall.left.join(', '), 500)}. ` +
          'The environment record keeps it: a reconcile run retries it.',
      );
    out.push('');
    const rbRows = capped(
      [
        ...rb.steps.map((s) => [
          say(s.description, 200),
          s.result.ok ? '✅' : `❌ ${say(s.result.reason, 120)}`,
          formatDuration(s.durationMs),
        ]),
        ...rb.levels.map((l) => {
          const { mark, text } = levelOutcome(l);
          return [
            `level: ${say(l.name, 100)}`,
            mark === 'ok'
              ? l.verify
                ? '✅ enough (verify passed)'
                : '✅'
              : `${LEVEL_MARKS[mark]} ${say(text, 160)}`,
            formatDuration(l.durationMs + (l.verify?.durationMs ?? 0)),
          ];
        }),
      ],
      (n) => [`… and ${n} more`, '', ''],
    );
    if (rbRows.length > 0) out.push(table(['rollback step', 'result', 'duration'], rbRows), '');
  }

  const links = [link('workflow run', ctx.runUrl), link('deployment', ctx.deploymentUrl)].filter(Boolean);
  if (links.length) out.push(links.join(' · '), '');
  return out.join('\n');
}

/** At most this many notes are listed; the rest are counted. */
const NOTES_MAX = 20;

/**
 * The providers' notes of the analysed steps, one short line each (escaped: the message quotes log text), or
 * nothing: a promoted window in which new error patterns were not judged says so where its outcome is read.
 */
export function renderNotes(rows: readonly AnalysisRow[]): string[] {
  const all = stepNotes(rows);
  if (all.length === 0) return [];
  const oneEnvironment = new Set(rows.map((r) => r.environment)).size === 1;
  const lines = capped(
    all.map(
      ({ row, note, again }) =>
        `- ℹ️ ${wrappable(say(oneEnvironment ? row.label : `${row.environment} ${row.label}`, 300))}: ${code(note.code)} (${wrappable(say(note.provider, 100))}): ${wrappable(say(note.message, 400))}${again ? ` (and ${again} more like it in this step)` : ''}`,
    ),
    (n) => `- and ${n} more`,
    NOTES_MAX,
  );
  return [
    '**Not judged** (what a provider could not judge for part of a window; the rest was judged as usual):',
    '',
    ...lines,
    '',
  ];
}

/** A Markdown link to an http(s) URL; nothing for any other or no URL. */
function link(text: string, url: string | undefined): string | undefined {
  const target = url === undefined ? undefined : linkTarget(url);
  return target ? `[${text}](${target})` : undefined;
}

/** What a handed-off rollout waits for, and the commands that continue it. */
function waitingHeadline(result: PipelineResult): string[] {
  const wait = currentWait(result);
  if (!wait) return [`> **The rollout waits**: ${say(result.message, 2000)}`];
  const by = holdBy(result);
  const split = trafficSplit(wait.weight, wait.baselineWeight);
  const lines = [
    `> **⏳ Waiting at ${say(waitWhere(wait), 200)} ${say(waitingFor(wait, result.environment, by))}**` +
      `${split ? ` · traffic ${cell(split)}` : ''} · since ${cell(formatUtc(wait.since))}`,
    '>',
  ];
  if (wait.kind === 'approval')
    lines.push(
      `> Needs ${wait.approvals ?? 1} approval(s) from the environment's approvers: each comments ${code(`/promote ${result.environment}`)} on the pull request.`,
    );
  if (wait.kind === 'bake' && wait.until)
    lines.push(`> Goes on by itself at ${cell(formatUtc(wait.until))} if the metrics stay healthy.`);
  lines.push(
    `> To continue, comment on the pull request: ${continueCommands(wait, result.environment)
      .map((c) => `${code(c.command)}: ${c.does}`)
      .join(' · ')}`,
  );
  return lines;
}

/** Every wait of the rollout: where, what for, when, how it ended, by whom, and for how long. */
export function renderWaitsSection(result: Pick<PipelineResult, 'waits'>): string {
  const waits = result.waits ?? [];
  // The latest waits when there are too many: the one the rollout is in, or ended in, is last.
  const shown = waits.length > ROWS_MAX ? waits.slice(-ROWS_MAX) : waits;
  const rows = shown.map((w) => [
    say(`${waitWhere(w)}${w.weight !== undefined ? `, ${w.weight} %` : ''}`, 200),
    w.kind === 'approval' ? `approval (${w.approvals ?? 1})` : w.kind,
    cell(formatUtc(w.since)),
    w.ended ? `${cell(WAIT_END_TEXT[w.ended.how])} ${cell(formatUtc(w.ended.at))}` : 'still waiting',
    say(endedBy(w), 200) || '—',
    cell(waitedText(w)),
  ]);
  if (shown.length < waits.length)
    rows.unshift([`… ${waits.length - shown.length} earlier`, '', '', '', '', '']);
  const total = waits.reduce((sum, w) => sum + Math.max(0, w.waitedMs), 0);
  return [
    '### Waits',
    '',
    table(['where', 'kind', 'since', 'ended', 'by', 'waited'], rows),
    '',
    `${waits.length} wait${waits.length === 1 ? '' : 's'}, ${formatDuration(total)} in all.`,
  ].join('\n');
}

export function renderGatesSection(report: GatesReport): string {
  const rows = capped(
    report.gates.map((g) => [
      say(g.name, 100),
      `${STATUS_ICON[g.status] ?? ''} ${g.status.toUpperCase()}`,
      g.required ? 'required' : 'advisory',
      formatDuration(g.durationMs),
      String(g.findings.length),
      say(g.summary, 200),
    ]),
    (n) => [`… and ${n} more`, '', '', '', '', ''],
  );
  return [
    `### Quality gates: ${STATUS_ICON[report.status] ?? ''} ${report.status}`,
    '',
    table(['gate', 'status', 'mode', 'time', 'findings', 'summary'], rows),
    '',
    `${report.gates.length} gates in ${formatDuration(report.wallMs)} (${formatDuration(report.sumMs)} summed)`,
  ].join('\n');
}

/** The summary of a dry run: every command as it would run; nothing ran. */
export function renderPlanSummary(plan: DeploymentPlan): string {
  const out = [
    `## 📝 Deploy ${say(plan.environment, 200)}: dry run`,
    `version ${code(truncate(plan.version, 200))}${plan.previousVersion ? ` · previous ${code(truncate(plan.previousVersion, 200))}` : ''} · strategy **${say(plan.strategy, 100)}** · nothing was run`,
    '',
    // Nothing live recorded, and the run asks the current command: what it does with the answer.
    ...(plan.liveNote ? [`What the run does: ${say(plan.liveNote, 1000)}.`, ''] : []),
  ];
  // Every action is shown (a dry run is read to check them all); a command line is cut only when huge.
  const action = (a: DeploymentPlan['rollback'][number]) =>
    `- ${say(a.description)}${a.run ? `: ${code(truncate(a.run, 2000))}` : ''}`;
  for (const phase of plan.phases) {
    out.push(`### ${phase.phase} (${say(phase.environment, 200)})`, '');
    for (const a of phase.actions) out.push(action(a));
    out.push('');
  }
  if (plan.stagingRollback?.actions.length) {
    out.push(`### rollback path on a failure in staging (${say(plan.stagingRollback.environment, 200)})`, '');
    for (const a of plan.stagingRollback.actions) out.push(action(a));
    out.push('');
  }
  if (plan.rollback.length) {
    out.push(
      plan.stagingRollback
        ? `### rollback path on a failure in ${say(plan.environment, 200)}`
        : '### rollback path',
      '',
    );
    for (const a of plan.rollback) out.push(action(a));
    out.push('');
  }
  return fitSummary(out.join('\n'));
}
