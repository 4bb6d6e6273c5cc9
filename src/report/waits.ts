// A rollout's waits for people or time (issue 14) in words, for every report: where it waits, what for, how
// each wait ended and how long it took. Pure and plain text: each renderer escapes for its own medium.
import { formatDuration } from '../config/duration.ts';
import type { PipelineResult, WaitRecord } from '../pipeline/events.ts';

export type WaitKind = WaitRecord['kind'];
export type WaitEnd = NonNullable<WaitRecord['ended']>['how'];

/** "canary 25 % (step 3)": what the strategy calls the point, and its step counted from 1, as status and every reply count it. */
export function waitWhere(w: Pick<WaitRecord, 'at' | 'step'>): string {
  return w.step >= 0 ? `${w.at} (step ${w.step + 1})` : w.at;
}

/**
 * "25 % new / 75 % stable", or "20 % new / 20 % baseline / 60 % stable" with a fresh baseline beside the
 * canary; undefined when the wait says no traffic split.
 */
export function trafficSplit(weight: number | undefined, baselineWeight?: number): string | undefined {
  if (weight === undefined || !Number.isFinite(weight)) return undefined;
  const clamped = Math.min(100, Math.max(0, weight));
  const baseline =
    baselineWeight !== undefined && Number.isFinite(baselineWeight)
      ? Math.min(100 - clamped, Math.max(0, baselineWeight))
      : 0;
  return baseline > 0
    ? `${formatPercent(clamped)} % new / ${formatPercent(baseline)} % baseline / ${formatPercent(100 - clamped - baseline)} % stable`
    : `${formatPercent(clamped)} % new / ${formatPercent(100 - clamped)} % stable`;
}

function formatPercent(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** A time for people: "2026-12-01 10:00 UTC" (seconds only when they are not zero). */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  const seconds = text.slice(17, 19);
  return `${text.slice(0, 10)} ${text.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`} UTC`;
}

/** What ended a wait: "promoted", "handed off" (the job ended and left the rollout waiting). */
export const WAIT_END_TEXT: Record<WaitEnd, string> = {
  promoted: 'promoted',
  approved: 'approved',
  due: 'bake done',
  resumed: 'resumed',
  aborted: 'aborted',
  handed_off: 'handed off',
  cancelled: 'cancelled',
  // An internal error (the process crashed) stopped the run: nobody cancelled it.
  stopped: 'stopped by an internal error',
};

/**
 * What the rollout waits for, after "waiting at X": "for /promote production", "for 2 approvals",
 * "baking until 2026-12-01 10:00 UTC", "paused by x". Logins are plain (no @-mention): the caller decides.
 * `cli`: a rollout the command line steers ("for deploy-action promote -e production").
 */
export function waitingFor(
  w: Pick<WaitRecord, 'kind' | 'approvals' | 'until'>,
  environment: string,
  by?: string,
  via: 'app' | 'cli' = 'app',
): string {
  switch (w.kind) {
    case 'manual':
      return via === 'cli' ? `for deploy-action promote -e ${environment}` : `for /promote ${environment}`;
    case 'approval': {
      const n = w.approvals ?? 1;
      return `for ${n} approval${n === 1 ? '' : 's'}`;
    }
    case 'bake':
      return w.until ? `baking until ${formatUtc(w.until)}` : 'baking';
    case 'hold':
      return by ? `paused by ${by}` : 'paused';
  }
}

/** The wait a `waiting` result is left in: the last one still open or handed off. */
export function currentWait(result: Pick<PipelineResult, 'waits' | 'environment'>): WaitRecord | undefined {
  const waits = result.waits ?? [];
  for (let i = waits.length - 1; i >= 0; i--) {
    const w = waits[i]!;
    if (w.environment === result.environment && (!w.ended || w.ended.how === 'handed_off')) return w;
  }
  return undefined;
}

/** The waits that ended (handed-off ones are still waiting), oldest first. */
export function finishedWaits(waits: readonly WaitRecord[] | undefined): WaitRecord[] {
  return (waits ?? []).filter((w) => w.ended !== undefined && w.ended.how !== 'handed_off');
}

/** Who ended a wait, as plain logins ("alice, bob"), or "" when time did or nobody is known. */
export function endedBy(w: WaitRecord): string {
  return (w.ended?.by ?? []).join(', ');
}

/** "5m" waited; "5m so far" while it still waits (or was handed off). */
export function waitedText(w: WaitRecord): string {
  const still = !w.ended || w.ended.how === 'handed_off';
  return `${formatDuration(Math.max(0, w.waitedMs))}${still ? ' so far' : ''}`;
}

/** The wait a person aborted the rollout at (the last aborted one), if any. */
export function abortedWait(result: Pick<PipelineResult, 'waits'>): WaitRecord | undefined {
  return (result.waits ?? []).filter((w) => w.ended?.how === 'aborted').at(-1);
}

/**
 * The commands that continue a wait, each with what it does; `env` is put in as given (escape it). `cli`: the
 * command line's (a rollout the CLI runs reads its state directory, not the pull request's comments). Only
 * what would be accepted: no `--full` while an approval step lies ahead (full_passes_approval).
 */
export function continueCommands(
  wait: Pick<WaitRecord, 'kind' | 'approvalsAhead'>,
  env: string,
  via: 'app' | 'cli' = 'app',
): Array<{ command: string; does: string }> {
  const all = appCommands(wait.kind, env);
  const commands = wait.approvalsAhead?.length ? all.filter((c) => !c.command.endsWith(' --full')) : all;
  if (via === 'app') return commands;
  return commands.map((c) => ({
    ...c,
    command: c.command
      .replace(/^\/(\w+) (\S+)/, 'deploy-action $1 -e $2')
      .replace(' [reason]', ' [--reason TEXT]'),
  }));
}

function appCommands(kind: WaitKind, env: string): Array<{ command: string; does: string }> {
  const abort = { command: `/abort ${env} [reason]`, does: 'roll back to the stable version now' };
  switch (kind) {
    case 'manual':
      return [
        { command: `/promote ${env}`, does: 'go on to the next step' },
        { command: `/promote ${env} --full`, does: 'go straight to 100 %' },
        abort,
      ];
    case 'approval':
      return [
        { command: `/promote ${env}`, does: 'approve (each approver once)' },
        { command: `/promote ${env} --full`, does: 'approve, then go straight to 100 %' },
        abort,
      ];
    case 'bake':
      return [{ command: `/promote ${env}`, does: 'end the bake now and go on' }, abort];
    case 'hold':
      return [
        { command: `/resume ${env}`, does: 'go on from here' },
        { command: `/promote ${env}`, does: 'go on to the next step' },
        abort,
      ];
  }
}

/** Who holds a `hold` wait: the environment record's rollout says (the wait event does not). */
export function holdBy(result: Pick<PipelineResult, 'record'>): string | undefined {
  const wait = result.record?.rollout?.wait;
  return wait?.kind === 'hold' ? wait.by : undefined;
}
