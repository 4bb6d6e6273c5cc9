// The job summary (GITHUB_STEP_SUMMARY): decision and reasons, gates table, phase timeline, the analysis (the
// deciding evidence and charts of what the judge saw: evidence-table.ts, chart.ts), and what was rolled
// back. Pure Markdown.
import { formatDuration } from '../config/duration.ts';
import type { GatesReport } from '../gates/runner.ts';
import type { PipelineResult } from '../pipeline/events.ts';
import type { DeploymentPlan } from '../pipeline/plan.ts';
import { analysisRows } from './analysis-steps.ts';
import { renderAnalysisSection } from './evidence-table.ts';
import { cell, code, linkTarget, STATUS_ICON, table, truncate } from './markdown.ts';
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

export interface SummaryContext {
  sha?: string;
  runUrl?: string;
  deploymentUrl?: string;
  environmentUrl?: string;
}

export function renderJobSummary(result: PipelineResult, ctx: SummaryContext = {}): string {
  const out: string[] = [];
  const icon = STATUS_ICON[result.status] ?? '';
  out.push(`## ${icon} Deploy ${cell(result.environment)}: ${result.status.replace('_', ' ')}`);
  const facts = [
    `version ${code(result.version)}`,
    result.previousVersion ? `previous ${code(result.previousVersion)}` : undefined,
    `strategy **${cell(result.strategy)}**`,
    ctx.sha ? `commit ${code(ctx.sha.slice(0, 12))}` : undefined,
    `took ${formatDuration(result.durationMs)}`,
    ctx.environmentUrl && result.status === 'succeeded' ? link('open', ctx.environmentUrl) : undefined,
  ].filter(Boolean);
  out.push(facts.join(' · '), '');
  if (result.status === 'waiting') out.push(...waitingHeadline(result), '');
  const aborter = result.code === 'rollout_aborted' ? abortedWait(result) : undefined;
  if (aborter?.ended)
    out.push(
      `> **Aborted** at ${cell(waitWhere(aborter))}${aborter.ended.by.length ? ` by ${cell(endedBy(aborter))}` : ''} at ${cell(formatUtc(aborter.ended.at))}`,
      '',
    );

  out.push('### Decision', '', `**${cell(result.code)}**: ${cell(result.message)}`);
  const reasons = result.decisions.filter((d) => d.decision.type !== 'run');
  for (const d of reasons)
    out.push(`- ${cell(d.environment)} (${d.strategy}, ${d.phase}): ${cell(d.decision.reason)}`);
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

  out.push(...renderAnalysisSection(analysisRows(result)));

  for (const rb of result.rollbacks) {
    out.push(`### ${rb.ok ? '↩️ Rolled back' : '🚨 Rollback INCOMPLETE'}: ${cell(rb.environment)}`, '');
    out.push(`Why: ${cell(rb.reason)}`);
    if (rb.trafficRestoredMs !== undefined)
      out.push(`Traffic back on the stable version in ${formatDuration(rb.trafficRestoredMs)}.`);
    if (result.previousVersion && rb.ok) out.push(`Serving again: ${code(result.previousVersion)}.`);
    out.push('');
    const rbRows = [
      ...rb.steps.map((s) => [
        cell(s.description),
        s.result.ok ? '✅' : `❌ ${cell(truncate(s.result.reason, 120))}`,
        formatDuration(s.durationMs),
      ]),
      ...rb.levels.map((l) => [
        `level: ${cell(l.name)}`,
        l.ok ? '✅' : `❌ ${cell(truncate(l.detail, 120))}`,
        formatDuration(l.durationMs),
      ]),
    ];
    if (rbRows.length > 0) out.push(table(['rollback step', 'result', 'duration'], rbRows), '');
  }

  const links = [link('workflow run', ctx.runUrl), link('deployment', ctx.deploymentUrl)].filter(Boolean);
  if (links.length) out.push(links.join(' · '), '');
  return out.join('\n');
}

/** A Markdown link to an http(s) URL; nothing for any other or no URL. */
function link(text: string, url: string | undefined): string | undefined {
  const target = url === undefined ? undefined : linkTarget(url);
  return target ? `[${text}](${target})` : undefined;
}

/** What a handed-off rollout waits for, and the commands that continue it. */
function waitingHeadline(result: PipelineResult): string[] {
  const wait = currentWait(result);
  if (!wait) return [`> **The rollout waits**: ${cell(result.message)}`];
  const by = holdBy(result);
  const split = trafficSplit(wait.weight, wait.baselineWeight);
  const lines = [
    `> **⏳ Waiting at ${cell(waitWhere(wait))} ${cell(waitingFor(wait, result.environment, by))}**` +
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
    `> To continue, comment on the pull request: ${continueCommands(wait.kind, result.environment)
      .map((c) => `${code(c.command)}: ${c.does}`)
      .join(' · ')}`,
  );
  return lines;
}

/** Every wait of the rollout: where, what for, when, how it ended, by whom, and for how long. */
export function renderWaitsSection(result: Pick<PipelineResult, 'waits'>): string {
  const waits = result.waits ?? [];
  const rows = waits.map((w) => [
    cell(`${waitWhere(w)}${w.weight !== undefined ? `, ${w.weight} %` : ''}`),
    w.kind === 'approval' ? `approval (${w.approvals ?? 1})` : w.kind,
    cell(formatUtc(w.since)),
    w.ended ? `${cell(WAIT_END_TEXT[w.ended.how])} ${cell(formatUtc(w.ended.at))}` : 'still waiting',
    cell(endedBy(w)) || '—',
    cell(waitedText(w)),
  ]);
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
  const rows = report.gates.map((g) => [
    cell(g.name),
    `${STATUS_ICON[g.status] ?? ''} ${g.status.toUpperCase()}`,
    g.required ? 'required' : 'advisory',
    formatDuration(g.durationMs),
    String(g.findings.length),
    cell(truncate(g.summary, 200)),
  ]);
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
    `## 📝 Deploy ${cell(plan.environment)}: dry run`,
    `version ${code(plan.version)}${plan.previousVersion ? ` · previous ${code(plan.previousVersion)}` : ''} · strategy **${cell(plan.strategy)}** · nothing was run`,
    '',
  ];
  for (const phase of plan.phases) {
    out.push(`### ${phase.phase} (${cell(phase.environment)})`, '');
    for (const a of phase.actions) out.push(`- ${cell(a.description)}${a.run ? `: ${code(a.run)}` : ''}`);
    out.push('');
  }
  if (plan.rollback.length) {
    out.push('### rollback path', '');
    for (const a of plan.rollback) out.push(`- ${cell(a.description)}${a.run ? `: ${code(a.run)}` : ''}`);
    out.push('');
  }
  return out.join('\n');
}
