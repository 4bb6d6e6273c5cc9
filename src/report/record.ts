// The deployment record of seed 05 ("Deployment Log Template") as a Markdown file: summary, team, changes,
// timeline, gates, issues, metrics, rollback log and status. Pure; the caller writes the file.
import { formatDuration } from '../config/duration.ts';
import type { DeploymentType } from '../github/deployment-payload.ts';
import { userText } from '../github/user-text.ts';
import type { PipelineResult } from '../pipeline/events.ts';
import { levelOutcome } from '../pipeline/rollback-levels.ts';
import { analysisRows, metricNames } from './analysis-steps.ts';
import { checkpointTime, monitoringCheckpoints } from './checkpoints.ts';
import { cell, formatNumber, linkTarget, table } from './markdown.ts';
import {
  currentWait,
  endedBy,
  formatUtc,
  WAIT_END_TEXT,
  waitedText,
  waitingFor,
  waitWhere,
} from './waits.ts';

export interface RecordContext {
  type: DeploymentType;
  sha?: string;
  deployer?: string;
  approvers?: string[];
  hotfixReason?: string;
  runUrl?: string;
  /** Commits since the previously deployed SHA; undefined when they could not be read. */
  changes?: Array<{ sha: string; message: string; author?: string }>;
  /** The environment's monitor window: which of seed 05's checkpoints it has (checkpoints.ts). */
  monitorMs?: number;
}

const PHASE_EVENT: Record<string, string> = {
  validate: 'Quality gates checked',
  staging: 'Staging deployed and validated',
  production: 'Production deployed',
  verify: 'Verification complete',
  monitor: 'Monitoring complete',
  finalize: 'Finalized',
};

export function renderDeploymentRecord(result: PipelineResult, ctx: RecordContext): string {
  const started = new Date(result.startedAt);
  const ended = new Date(started.getTime() + result.durationMs);
  const time = (d: Date) => d.toISOString().slice(11, 19) + 'Z';
  const status =
    result.status === 'succeeded'
      ? 'SUCCESS'
      : result.code === 'rollout_aborted'
        ? 'ABORTED'
        : result.status === 'rolled_back'
          ? 'ROLLBACK'
          : result.status.toUpperCase();
  const out: string[] = ['## Deployment Record', '', '### Summary'];
  out.push(
    `- Version: ${cell(result.version)}`,
    `- Date: ${result.startedAt.slice(0, 10)}`,
    `- Type: ${ctx.type[0]!.toUpperCase()}${ctx.type.slice(1)}${ctx.hotfixReason ? ` (reason: ${cell(ctx.hotfixReason)})` : ''}`,
    `- Duration: ${time(started)} to ${time(ended)} (${formatDuration(result.durationMs)})`,
    `- Environment: ${cell(result.environment)}`,
    `- Strategy: ${cell(result.strategy)}`,
  );
  if (ctx.sha) out.push(`- Commit: ${ctx.sha}`);
  if (result.previousVersion) out.push(`- Previous version: ${cell(result.previousVersion)}`);
  const run = ctx.runUrl ? linkTarget(ctx.runUrl) : undefined;
  if (run) out.push(`- Run: [workflow run](${run})`);

  out.push('', '### Team');
  // People are named as mentions only when the value is a login or a team; anything else is inert text.
  const person = (login: string) => userText(login, { as: 'mention', max: 200 });
  out.push(`- Deployer: ${ctx.deployer ? person(ctx.deployer) : 'unknown'}`);
  out.push(`- Approver: ${ctx.approvers?.length ? ctx.approvers.map(person).join(', ') : 'none required'}`);
  out.push(`- QA: ${result.gates ? `quality gates ${result.gates.status}` : 'no quality gates ran'}`);

  out.push('', '### Changes');
  if (ctx.changes === undefined)
    out.push('- not available (no previous deployment found, or GitHub unreachable)');
  else if (ctx.changes.length === 0) out.push('- none since the previous deployment');
  else
    for (const c of ctx.changes)
      out.push(
        `- ${c.sha.slice(0, 7)} ${cell(c.message.split('\n')[0] ?? '')}${c.author ? ` (${cell(c.author)})` : ''}`,
      );

  out.push('', '### Timeline');
  // Phase ends and waits in the order they happened (a wait starts inside the production phase).
  const events: Array<{ at: Date; what: string }> = [];
  for (const p of result.phases) {
    if (p.status === 'skipped') continue;
    const at = new Date(new Date(p.startedAt).getTime() + p.durationMs);
    const what = p.status === 'succeeded' ? (PHASE_EVENT[p.phase] ?? p.phase) : `${p.phase} ${p.status}`;
    events.push({ at, what: `${what}${p.detail ? `: ${cell(p.detail)}` : ''}` });
  }
  for (const w of result.waits ?? []) {
    if (w.environment !== result.environment) continue;
    events.push({ at: new Date(w.since), what: `Waiting at ${cell(waitWhere(w))} (${w.kind})` });
    if (w.ended && w.ended.how !== 'handed_off')
      events.push({
        at: new Date(w.ended.at),
        what: `Wait ${cell(WAIT_END_TEXT[w.ended.how])}${endedBy(w) ? ` by ${cell(endedBy(w))}` : ''} after ${cell(waitedText(w))}`,
      });
  }
  events.sort((a, b) => (a.at.getTime() || 0) - (b.at.getTime() || 0));
  const rows: string[][] = [
    [time(started), 'Deployment started'],
    ...events.map((e) => [Number.isNaN(e.at.getTime()) ? '' : time(e.at), e.what]),
  ];
  for (const rb of result.rollbacks)
    rows.push(['', `Rollback of ${cell(rb.environment)} ${rb.ok ? 'complete' : 'INCOMPLETE'}`]);
  rows.push([time(ended), `Deployment ended: ${status}`]);
  out.push('', table(['Time', 'Event'], rows));

  if (result.gates) {
    out.push('', '### Gates', '');
    out.push(
      table(
        ['Gate', 'Status', 'Summary'],
        result.gates.gates.map((g) => [cell(g.name), g.status.toUpperCase(), cell(g.summary)]),
      ),
    );
  }

  const waits = result.waits ?? [];
  if (waits.length > 0) {
    out.push('', '### Waits', '');
    out.push(
      table(
        ['Where', 'Kind', 'Since', 'Ended', 'By', 'Waited'],
        waits.map((w) => [
          cell(
            `${w.environment !== result.environment ? `${w.environment}: ` : ''}${waitWhere(w)}${w.weight !== undefined ? `, ${w.weight} %` : ''}`,
          ),
          w.kind === 'approval' ? `approval (${w.approvals ?? 1})` : w.kind,
          cell(formatUtc(w.since)),
          w.ended ? `${cell(WAIT_END_TEXT[w.ended.how])} ${cell(formatUtc(w.ended.at))}` : 'still waiting',
          cell(endedBy(w)) || '—',
          cell(waitedText(w)),
        ]),
      ),
    );
    const open = result.status === 'waiting' ? currentWait(result) : undefined;
    if (open)
      out.push(
        '',
        `The rollout waits at ${cell(waitWhere(open))} ${cell(waitingFor(open, result.environment))} (the job ended; a later run goes on with it).`,
      );
  }

  out.push('', '### Issues');
  const issues = result.decisions
    .filter((d) => d.decision.type === 'fail')
    .map((d) => `- ${cell(d.environment)}: ${cell(d.decision.reason)}`);
  if (result.status !== 'succeeded' && issues.length === 0) issues.push(`- ${cell(result.message)}`);
  out.push(...(issues.length ? issues : ['- None']));

  out.push('', '### Metrics');
  const rows2 = analysisRows(result);
  const last = [...rows2].reverse().find((r) => Object.keys(r.metrics).length > 0);
  if (!last) out.push('- no metric analysis ran');
  else {
    for (const name of metricNames([last]).filter((n) => !n.startsWith('stable.'))) {
      const value = last.metrics[name];
      const stable = last.metrics[`stable.${name}`];
      const change =
        typeof value === 'number' && typeof stable === 'number' && stable !== 0
          ? ` (${value >= stable ? '+' : ''}${formatNumber(((value - stable) / stable) * 100)}% vs stable)`
          : '';
      out.push(`- ${cell(name)}: ${formatNumber(value)}${change} at ${cell(last.label)}`);
    }
  }

  const checkpoints = monitoringCheckpoints(result, result.environment, ctx.monitorMs);
  if (checkpoints.length > 0) {
    out.push('', '### Monitoring Checkpoints');
    for (const c of checkpoints) {
      const head = `${c.minutes} minutes: ${c.what}`;
      if (c.status === 'passed') {
        const values = c.values.map((v) => `${cell(v.quantity)} ${formatNumber(v.value)}`).join(', ');
        out.push(`- [x] ${head}: no check fired${values ? ` (${values})` : ''}`);
      } else if (c.status === 'no_data')
        out.push(
          `- [ ] ${head}: no check had a value at this interval (${checkpointTime(c.at)}): nothing to confirm`,
        );
      else if (c.status === 'failed')
        out.push(
          `- [ ] ${head}: ${c.rule ? `${cell(c.rule)} fired` : 'rolled back'} at ${checkpointTime(c.at)}`,
        );
      else out.push(`- [ ] ${head}: not reached (the window ended at ${checkpointTime(c.endedAt)})`);
    }
  }

  for (const rb of result.rollbacks) {
    out.push('', '### Rollback Log');
    const initiated = new Date(ended.getTime() - rb.durationMs);
    out.push(
      `- Initiated: ${initiated.toISOString()}`,
      `- Reason: ${cell(rb.reason)}`,
      `- Completed: ${rb.ok ? ended.toISOString() : 'NOT COMPLETE'}`,
      `- Previous Version: ${cell(result.previousVersion ?? 'unknown')}`,
    );
    if (rb.trafficRestoredMs !== undefined)
      out.push(`- Traffic restored in: ${formatDuration(rb.trafficRestoredMs)}`);
    for (const level of rb.levels) {
      const { mark, text } = levelOutcome(level);
      out.push(`- Level ${cell(level.name)}: ${mark === 'failed' ? 'FAILED: ' : ''}${cell(text)}`);
    }
  }

  out.push('', `### Status: ${status}`, '');
  return out.join('\n');
}
