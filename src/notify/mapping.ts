// Pipeline events → notifications and thread lines. Pure (the clock is passed in): which of the events
// happened, and the facts the templates and renderers show. Channels then pick the events they send.
import { isFirstDeployment } from '../strategies/capabilities.ts';
import { formatDuration } from '../config/duration.ts';
import { oneLine } from '../github/user-text.ts';
import type {
  AfterSuccessRecord,
  AnalysisWarningRecord,
  PipelineEvent,
  PipelineResult,
  StepRecord,
  WaitRecord,
} from '../pipeline/events.ts';
import { levelOutcome, TERMINAL_LEVEL_MARKS } from '../pipeline/rollback-levels.ts';
import { formatUtc, trafficSplit, waitingFor, waitWhere } from '../report/waits.ts';
import type { Facts, NotifyEvent, NotifyItem } from './model.ts';

// A value inside a thread line is made one line (user-text's oneLine): the product joins a thread line's
// parts with line breaks, so a value holding one (a command's error, a reason) could add a line of its own,
// such as a forged "✓ smoke tests".

/** What the run knows besides the events: where it runs, who asked, the PR. All optional. */
export interface NotifyContext {
  repository?: string;
  sha?: string;
  ref?: string;
  runUrl?: string;
  deploymentUrl?: string;
  environmentUrl?: string;
  pr?: { number: number; title?: string; url?: string };
  /** Who deployed (a login). */
  who?: string;
  approvers?: string[];
  contact?: string;
  /** The config's expected impact, shown on `started` (the other events say what happened to traffic). */
  impact?: string;
  /**
   * This run goes on with a rollout an earlier run started (reconcile): its `start` is no new `started` (a
   * thread line says who took over), `what` names the deployment it continues, and durations count from the
   * rollout's start.
   */
  continues?: { deploymentId: string; startedAt?: string; by: string };
  /**
   * Who steers the rollout (report/waits.ts): the App's pull-request comments (default), or the command line
   * (a CLI run, whose rollout lives in a state directory the comments never reach).
   */
  controls?: 'app' | 'cli';
}

const STRATEGY_IMPACT: Record<string, string> = {
  direct: 'deployed in place: a short disruption is possible',
  rolling: 'instances are replaced in batches: capacity is reduced while a batch deploys',
  'blue-green': 'traffic switches at once to the new slot: no downtime expected',
  canary: 'a growing share of traffic goes to the new version, analysed at each step',
};

const STATUS_EVENT: Partial<Record<PipelineResult['status'], NotifyEvent>> = {
  succeeded: 'succeeded',
  rolled_back: 'rolled_back',
  failed: 'failed',
  blocked: 'failed',
  cancelled: 'cancelled',
  paused: 'paused',
};

/** The strategies that serve from a slot (strategies/index.ts usesSlots), by name. */
const SLOT_STRATEGIES: ReadonlySet<string> = new Set(['blue-green', 'canary']);

const MAX_VALUE = 500;
/** User-controlled values are bounded before any channel sees them; each channel escapes them its own way. */
function bounded(value: string | undefined, max = MAX_VALUE): string | undefined {
  if (value === undefined) return undefined;
  const chars = [...value];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : value;
}

export class NotificationMapper {
  private readonly context: NotifyContext;
  private readonly now: () => number;
  private environment = '';
  private version = '';
  private previousVersion: string | undefined;
  private strategy = '';
  private startedAt: number | undefined;
  private rollbackReason: string | undefined;
  /**
   * The run's start said nothing was live (no version, no slot) on a strategy with slots: a first deployment,
   * as the run takes it. Direct and rolling have no slot, and no version known (no record, a current command
   * that failed) says nothing about whether one served: their rollback command may put it back unnamed.
   */
  private firstDeployment = false;
  private readonly phaseSteps: StepRecord[] = [];
  private readonly notifiedWaits = new Set<string>();
  private at = 0;

  constructor(context: NotifyContext, now: () => number = Date.now) {
    this.context = context;
    this.now = now;
  }

  next(event: PipelineEvent): NotifyItem[] {
    // One reading of the clock per event: every time in its notifications is the same.
    this.at = this.now();
    switch (event.type) {
      case 'start':
        if (this.startedAt !== undefined) return [];
        this.environment = event.environment;
        this.version = event.version;
        this.previousVersion = event.previousVersion;
        this.strategy = event.strategy;
        this.firstDeployment =
          SLOT_STRATEGIES.has(event.strategy) &&
          isFirstDeployment({ slot: event.liveSlot, version: event.previousVersion });
        this.startedAt = this.at;
        if (this.context.continues) {
          const { by, deploymentId, startedAt } = this.context.continues;
          const since = startedAt ? Date.parse(startedAt) : NaN;
          if (Number.isFinite(since)) this.startedAt = since;
          return [
            this.thread(
              oneLine(`${by} takes over the rollout of ${event.version} (deployment ${deploymentId})`),
            ),
          ];
        }
        return [
          this.notify('started', {
            reason: 'started',
            impact: this.context.impact ?? STRATEGY_IMPACT[event.strategy],
          }),
        ];
      case 'step-end':
        this.phaseSteps.push(event.record);
        return [];
      case 'phase-end': {
        const steps = this.phaseSteps.splice(0);
        if (event.record.status === 'skipped') return [];
        const lines = [
          `${event.record.phase}: ${event.record.status} in ${formatDuration(event.record.durationMs)}${event.record.detail ? ` (${oneLine(event.record.detail)})` : ''}`,
          ...steps.map(
            (s) =>
              `${s.result.ok ? '✓' : '✗'} ${oneLine(s.description)} (${formatDuration(s.durationMs)})${s.result.ok ? '' : `: ${oneLine(s.result.reason)}`}`,
          ),
        ];
        return [this.thread(lines.join('\n'))];
      }
      case 'rollback-start':
        this.rollbackReason = event.reason;
        return [this.thread(`Rolling back ${oneLine(event.environment)}: ${oneLine(event.reason)}`)];
      case 'rollback-end': {
        const r = event.record;
        const steps = this.phaseSteps.splice(0);
        return [
          this.thread(
            [
              `rollback ${r.ok ? 'done' : 'FAILED'} in ${formatDuration(r.durationMs)}${r.trafficRestoredMs !== undefined ? `; traffic back on stable after ${formatDuration(r.trafficRestoredMs)}` : ''}`,
              ...steps.map((s) => `${s.result.ok ? '✓' : '✗'} ${oneLine(s.description)}`),
              ...r.levels.map((l) => {
                const { mark, text } = levelOutcome(l);
                return `${TERMINAL_LEVEL_MARKS[mark]} ${oneLine(l.name)}: ${oneLine(text)}`;
              }),
            ].join('\n'),
          ),
        ];
      }
      case 'wait-start':
        return this.waitStarted(event.record);
      case 'wait-end':
        return this.waitEnded(event.record);
      case 'analysis-warning':
        return [this.analysisWarning(event.record)];
      case 'result':
        return this.result(event.result);
      case 'after-success':
        return [this.afterSuccess(event.record)];
      default:
        return [];
    }
  }

  private waitStarted(w: WaitRecord): NotifyItem[] {
    const key = `${w.environment}\0${w.step}\0${w.kind}\0${w.since}`;
    const via = this.context.controls ?? 'app';
    const text = oneLine(
      `waiting at ${waitWhere(w)} ${waitingFor(w, w.environment, w.ended?.by.join(', '), via)}`,
    );
    if (w.kind === 'bake' || this.notifiedWaits.has(key)) return [this.thread(text)];
    this.notifiedWaits.add(key);
    const split = trafficSplit(w.weight, w.baselineWeight);
    const facts: Facts = {
      step: waitWhere(w),
      // "for 2 approvals" (after "waits at <step>"); a hold says where, since its text has no step.
      reason:
        w.kind === 'hold'
          ? `${waitingFor(w, w.environment, w.ended?.by.join(', '), via)} at ${waitWhere(w)}`
          : waitingFor(w, w.environment, undefined, via),
      impact: split ? `${split} while it waits` : 'traffic stays as it is while it waits',
    };
    return [this.thread(text), this.notify(w.kind === 'hold' ? 'paused' : 'waiting_for_approval', facts)];
  }

  private waitEnded(w: WaitRecord): NotifyItem[] {
    const how = w.ended?.how;
    const by = w.ended?.by.join(', ') ?? '';
    const text = oneLine(`${waitWhere(w)}: ${how ?? 'ended'}${by ? ` by ${by}` : ''}`);
    if (how !== 'promoted' && how !== 'approved') return [this.thread(text)];
    return [
      this.thread(text),
      this.notify('promoted', {
        step: waitWhere(w),
        reason: `${how}${by ? ` by ${by}` : ''}`,
        ...(by ? { who: bounded(by) } : {}),
        impact: 'the rollout moves on to its next step',
      }),
    ];
  }

  /** A notification of its own (Slack also broadcasts it to the channel): the rollout goes on. */
  private analysisWarning(w: AnalysisWarningRecord): NotifyItem {
    const where = `${w.phase}${w.weight !== undefined ? ` at ${w.weight} %` : ''}`;
    return this.notify('analysis_warning', {
      // The staging environment's windows are the run's too: named when they are not the run's environment.
      step: bounded(oneLine(w.environment === this.environment ? where : `${w.environment} ${where}`)),
      reason: bounded(oneLine(`${w.check}: ${w.reason}`), 1000),
      impact: 'none: a warning check never rolls back; the rollout goes on',
    });
  }

  /**
   * The delayed hook ran (reconcile, no rollout): a message of its own. `reason` is what failed, as the run's
   * log says it (the command's last line included), after the same redaction as every other value.
   */
  private afterSuccess(r: AfterSuccessRecord): NotifyItem {
    this.environment ||= r.environment;
    this.version ||= r.version;
    this.previousVersion ??= r.previousVersion;
    const label = bounded(oneLine(r.label), 100)!;
    const reason = r.ok ? 'exited 0' : bounded(oneLine(r.detail ?? r.code ?? 'failed'), 1000);
    return this.notify(r.ok ? 'after_success_ran' : 'after_success_failed', {
      what: bounded(`${label} of ${this.version} in ${this.environment}`),
      step: label,
      ...(r.sha ? { sha: bounded(r.sha, 100), short_sha: r.sha.slice(0, 12) } : {}),
      code: r.ok ? 'after_success_ok' : `after_success_${r.code ?? 'failed'}`,
      ...(r.exitCode !== undefined ? { exit_code: String(r.exitCode) } : {}),
      duration: formatDuration(r.durationMs),
      reason,
      message: reason,
      impact: r.ok
        ? 'none expected: the release stays live; the hook is not run again for it'
        : 'the hook may have stopped half-way (a migration partly applied): check now; it is not retried',
    });
  }

  private result(result: PipelineResult): NotifyItem[] {
    const event = STATUS_EVENT[result.status];
    if (!event) return [];
    // A result is the end of the run, whatever `start` said (a run blocked before it).
    this.environment ||= result.environment;
    this.version ||= result.version;
    this.previousVersion ??= result.previousVersion;
    this.strategy ||= result.strategy;
    const previous = result.previousVersion ?? 'the previous version';
    const rolledBack = result.rollbacks.some((r) => r.ok);
    // Nothing served before a first deployment: no "previous version" is back on or keeps serving.
    const first = this.firstDeployment
      ? 'nothing was live before it (a first deployment): there is no earlier version to go back to'
      : undefined;
    const impact =
      event === 'succeeded'
        ? `all traffic on ${result.version}`
        : result.code === 'rollback_failed'
          ? 'the rollback FAILED: the environment may serve the new version or a mix; act now'
          : rolledBack || event === 'rolled_back'
            ? (first ?? `traffic is back on ${previous}`)
            : event === 'paused'
              ? 'the rollout holds where it is'
              : (first ?? `${previous} keeps serving`);
    return [
      this.notify(event, {
        code: result.code,
        message: bounded(result.message, 1000),
        reason: bounded(this.rollbackReason ?? result.message, 1000),
        // A continued rollout's duration counts from its start, not from this run's.
        duration: formatDuration(
          this.context.continues && this.startedAt !== undefined
            ? Math.max(0, this.at - this.startedAt)
            : result.durationMs,
        ),
        impact,
      }),
    ];
  }

  private facts(extra: Facts, event: NotifyEvent): Facts {
    const c = this.context;
    const prev = this.previousVersion;
    return {
      event,
      status: event.replace(/_/g, ' '),
      environment: bounded(this.environment),
      version: bounded(this.version),
      previous_version: bounded(prev),
      strategy: this.strategy,
      repository: bounded(c.repository),
      sha: c.sha,
      short_sha: c.sha?.slice(0, 12),
      ref: bounded(c.ref),
      what: bounded(
        `${this.strategy ? `${this.strategy} deployment` : 'Deployment'} of ${this.version} to ${this.environment}${prev ? ` (live: ${prev})` : ''}` +
          (c.continues ? `, continued by ${c.continues.by} (deployment ${c.continues.deploymentId})` : ''),
      ),
      when: formatUtc(new Date(this.at).toISOString()),
      who: bounded(c.who),
      approvers: bounded(c.approvers?.join(', ')),
      contact: bounded(c.contact),
      duration: this.startedAt !== undefined ? formatDuration(this.at - this.startedAt) : undefined,
      run_url: c.runUrl,
      deployment_url: c.deploymentUrl,
      environment_url: c.environmentUrl,
      pr_number: c.pr ? String(c.pr.number) : undefined,
      pr_title: bounded(c.pr?.title, 300),
      pr_url: c.pr?.url,
      ...extra,
    };
  }

  private notify(event: NotifyEvent, extra: Facts): NotifyItem {
    return {
      kind: 'notify',
      notification: { event, at: new Date(this.at).toISOString(), facts: this.facts(extra, event) },
    };
  }

  private thread(text: string): NotifyItem {
    return { kind: 'thread', line: { at: new Date(this.at).toISOString(), text: bounded(text, 2500)! } };
  }
}
