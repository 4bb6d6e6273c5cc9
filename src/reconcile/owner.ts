// Is the owner of a rollout still at work? A workflow run is asked of the Actions API (its status, not a
// heartbeat the dead could no longer write); a CLI process on this host is asked of the kernel. Anything
// that cannot be told is `unknown`, and reconcile leaves such a rollout alone.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { longestCommandTimeoutMs } from '../config/command-timeouts.ts';
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { RolloutOwner } from '../state/record.ts';
import {
  inOtherPidSpace,
  processIdentity,
  type LockRun,
  type LockRunStatus,
  type PidSpace,
  type ProcessIdentity,
} from '../util/lock-takeover.ts';
import { processStart } from '../util/process-start.ts';
import { FORCE_KILL_AFTER_MS } from '../util/process-group.ts';
import { commandsLeftBy, markerOf, readProcessTable } from '../util/process-tree.ts';
import type { OwnerStatus } from './decide.ts';

export { processStart };

/** The one Actions API call reconcile makes (an Octokit's `rest` satisfies it). */
export interface WorkflowRunsApi {
  actions: {
    getWorkflowRun(p: {
      owner: string;
      repo: string;
      run_id: number;
    }): Promise<{ data: { status: string | null; conclusion: string | null; run_attempt?: number } }>;
  };
}

/** Statuses of a run that has not completed (GitHub's list for `status`, minus `completed`). */
const NOT_DONE = new Set(['queued', 'in_progress', 'waiting', 'requested', 'pending', 'action_required']);

export async function workflowRunStatus(
  api: WorkflowRunsApi,
  where: { owner: string; repo: string },
  runId: string,
): Promise<OwnerStatus> {
  const id = Number(runId);
  if (!Number.isSafeInteger(id) || id <= 0)
    return { state: 'unknown', reason: `the owner's run id "${runId}" is not a number` };
  try {
    const { data } = await api.actions.getWorkflowRun({ owner: where.owner, repo: where.repo, run_id: id });
    if (data.status === 'completed') return { state: 'ended', conclusion: data.conclusion ?? undefined };
    if (data.status && NOT_DONE.has(data.status)) return { state: 'running' };
    return { state: 'unknown', reason: `run ${id} has status "${data.status ?? 'none'}"` };
  } catch (error) {
    // A run that is gone (deleted, or its logs expired with it) will never finish the rollout.
    if ((error as { status?: number }).status === 404) return { state: 'ended', conclusion: 'not_found' };
    return { state: 'unknown', reason: `could not read run ${id}: ${(error as Error).message}` };
  }
}

export interface ProcessProbe {
  host: string;
  /** This process's PID namespace and boot (default: lock-takeover.ts thisPidSpace; tests). */
  space?: PidSpace;
  /** process.kill(pid, 0): throws ESRCH when there is no such process. */
  kill(pid: number, signal: 0): void;
  /** When the kernel started process `pid` (processStart), or undefined where that cannot be read. */
  started?(pid: number): string | undefined;
  /**
   * The pids of the commands owner `pid` (started at `started`, processStart's form) left running when it
   * ended (process-tree.ts commandsLeftBy), of those started less than `withinMs` ago when given (the longest
   * its commands could run: commandWaitMs); none where that cannot be told.
   */
  commandsLeft?(pid: number, started: string | undefined, withinMs?: number): number[];
}

/**
 * How long a dead owner's command is waited for, from its start: the longest command timeout of `env` and
 * the SIGKILL after it (the owner, alive, would have stopped it by then); undefined (no bound) when a command
 * has no timeout. A process of it running past that is not a step in flight but a service a command started
 * in a session of its own (setsid, pm2), which would otherwise hold the rollout for ever.
 */
export function commandWaitMs(env: ResolvedEnvironment | undefined): number | undefined {
  const longest = env ? longestCommandTimeoutMs(env) : undefined;
  return longest === undefined ? undefined : longest + FORCE_KILL_AFTER_MS;
}

/** Clock ticks per second of /proc's start times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The /proc start tick of a process started `ms` ago (0 when that is before the boot, or unreadable). */
function ticksAgo(ms: number): bigint {
  try {
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const tick = Math.floor(((uptime * 1000 - ms) / 1000) * TICKS_PER_SECOND);
    return Number.isFinite(tick) && tick > 0 ? BigInt(tick) : 0n;
  } catch {
    return 0n;
  }
}

/**
 * This process as a rollout's owner: its pid, host, PID namespace, boot and start, as the locks name their
 * holder (lock-takeover.ts processIdentity), and judged as they are (processStatus).
 */
export function thisProcessOwner(): { kind: 'process' } & ProcessIdentity {
  return { kind: 'process', ...processIdentity() };
}

const localProbe: ProcessProbe = {
  host: hostname(),
  kill: (pid, signal) => process.kill(pid, signal),
  started: processStart,
  commandsLeft: (pid, started, withinMs) => {
    // Another boot's owner left nothing running.
    const [boot, since] = started?.split(':') ?? [];
    const now = processStart(process.pid)?.split(':')[0];
    if (started !== undefined && (boot === undefined || boot !== now)) return [];
    const owner = BigInt(since ?? '0');
    const recent = withinMs === undefined ? 0n : ticksAgo(withinMs);
    const after = owner > recent ? owner : recent;
    return commandsLeftBy(readProcessTable(), { pid, since: String(after) }, markerOf).map((p) => p.pid);
  },
};

/**
 * Whether the process an owner names (a rollout's, or a lock's holder: cli/reconcile-lock.ts) still runs, as
 * the locks judge it (lock-takeover.ts inOtherPidSpace): `unknown` when it is of another host, or of another
 * PID namespace of this host name (a container sharing it), whose pid says nothing here. Another boot in the
 * same namespace is this machine before a reboot: its start (which names the boot) has ended. An owner that
 * names no namespace (an older version's record, or one written off Linux) is judged by its host name alone.
 */
export function processStatus(
  owner: { pid: number; host: string; started?: string; pidns?: unknown },
  probe: ProcessProbe = localProbe,
  commandWithinMs?: number,
): OwnerStatus {
  if (owner.host !== probe.host)
    return {
      state: 'unknown',
      reason: `the rollout is owned by process ${owner.pid} on ${owner.host}, not on this host (${probe.host})`,
    };
  if (inOtherPidSpace(owner, probe.space))
    return {
      state: 'unknown',
      reason: `the rollout is owned by process ${owner.pid} on ${owner.host} in another PID namespace (${String(owner.pidns)}), a container sharing the host name, whose processes this one cannot see`,
    };
  try {
    probe.kill(owner.pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return endedUnlessCommandsLeft(owner, probe, commandWithinMs);
    // EPERM: a process with that id exists but belongs to another user; it may be the owner (below).
    if (code !== 'EPERM')
      return {
        state: 'unknown',
        reason: `could not probe process ${owner.pid}: ${(error as Error).message}`,
      };
  }
  // A process with the owner's pid that the kernel started at another time is not the owner: the owner
  // died and its pid was given to another process (another user's too), which would hold the rollout as
  // running for ever.
  const started = owner.started !== undefined ? probe.started?.(owner.pid) : undefined;
  if (started !== undefined && started !== owner.started)
    return endedUnlessCommandsLeft(owner, probe, commandWithinMs);
  return { state: 'running' };
}

/**
 * An owner that ended, unless a command it started still runs: killed with no chance to stop its commands, a
 * traffic step it began (a switch, a weight) may still land, after a rollback run now, on the slot that
 * rollback tears down. Reconcile waits for it (`unknown`, saying which), as for an owner it cannot ask.
 */
function endedUnlessCommandsLeft(
  owner: { pid: number; started?: string },
  probe: ProcessProbe,
  withinMs: number | undefined,
): OwnerStatus {
  const left = probe.commandsLeft?.(owner.pid, owner.started, withinMs) ?? [];
  if (left.length === 0) return { state: 'ended' };
  const bound =
    withinMs === undefined
      ? 'until they end (a command of this environment has no timeout)'
      : `until they end, or are ${Math.ceil(withinMs / 1000)} s old (the longest command timeout, after which the owner would have stopped them; a service a command started in a session of its own is no longer waited for then)`;
  return {
    state: 'unknown',
    commandsLeft: left,
    reason: `its owner process ${owner.pid} ended, but command(s) it started still run (process ${left.join(', ')}): a step it began may still move traffic, so nothing is done ${bound}; stop them to go on now`,
  };
}

/** The owner lookup for one place: GitHub (with its API) or this machine (processes only). */
export function ownerStatusFor(options: {
  github?: { api: WorkflowRunsApi; owner: string; repo: string };
  probe?: ProcessProbe;
}): (owner: RolloutOwner, env?: ResolvedEnvironment) => Promise<OwnerStatus> {
  return async (owner, env) => {
    if (owner.kind === 'process') return processStatus(owner, options.probe, commandWaitMs(env));
    if (!options.github)
      return {
        state: 'unknown',
        reason: `the rollout is owned by workflow run ${owner.runId} and there is no GitHub API here to ask`,
      };
    return workflowRunStatus(options.github.api, options.github, owner.runId);
  };
}

/**
 * Whether the run attempt that took a lock has finished (state/file-store.ts, cli/reconcile-lock.ts), asked of
 * this repository's Actions API. `ended` takes the lock over, so it is said only when sure: the lock was taken
 * in this repository (another repository's run, sharing the state directory, is not found here, which says
 * nothing about it) and GitHub reports that attempt completed (a newer attempt means it did: a run is re-run
 * only once completed). A run not found is `unknown`, as is every failure to ask.
 */
export function lockRunStatusFor(github: {
  api: WorkflowRunsApi;
  owner: string;
  repo: string;
}): LockRunStatus {
  const here = `${github.owner}/${github.repo}`;
  return async (run) => {
    if (run.repository?.toLowerCase() !== here.toLowerCase())
      return {
        state: 'unknown',
        reason: run.repository
          ? `workflow run ${run.id} is of ${run.repository}, not of ${here}`
          : `the lock does not say which repository workflow run ${run.id} is of`,
      };
    const id = Number(run.id);
    if (!Number.isSafeInteger(id) || id <= 0)
      return { state: 'unknown', reason: `the lock's run id "${run.id}" is not a number` };
    try {
      const { data } = await github.api.actions.getWorkflowRun({
        owner: github.owner,
        repo: github.repo,
        run_id: id,
      });
      return lockAttemptStatus(run, data);
    } catch (error) {
      const status = (error as { status?: number }).status;
      return {
        state: 'unknown',
        reason:
          status === 404
            ? `workflow run ${id} is not found in ${here}`
            : `could not read workflow run ${id}: ${(error as Error).message}`,
      };
    }
  };
}

/**
 * The rollout's owner is an earlier attempt of this very workflow run (`self`: a re-run of it, "Re-run failed
 * jobs" on a reconcile whose rollback failed): that attempt has ended, since GitHub re-runs only a completed run,
 * though GitHub reports the run, in progress with this attempt. Asked of GitHub, this run waited on itself
 * (owner_running, a success) and every later reconcile found the run succeeded (state_stale): the rollback was
 * never finished. Undefined for any other owner, which is asked as before. Pure.
 */
export function earlierAttemptOfThisRun(
  owner: RolloutOwner,
  self: RolloutOwner | undefined,
): OwnerStatus | undefined {
  if (owner.kind !== 'workflow' || self?.kind !== 'workflow' || owner.runId !== self.runId) return undefined;
  const theirs = Number(owner.runAttempt);
  const mine = Number(self.runAttempt);
  if (!Number.isSafeInteger(theirs) || !Number.isSafeInteger(mine) || theirs >= mine) return undefined;
  return { state: 'ended', conclusion: `attempt ${theirs}; attempt ${mine} (this run) re-ran it` };
}

/** The decision of lockRunStatusFor, given what GitHub says of the run (its latest attempt). */
export function lockAttemptStatus(
  run: LockRun,
  latest: { status: string | null; conclusion: string | null; run_attempt?: number },
): OwnerStatus {
  const mine = run.attempt !== undefined ? Number(run.attempt) : undefined;
  const newest = latest.run_attempt;
  if (mine !== undefined && newest !== undefined) {
    if (newest > mine) return { state: 'ended', conclusion: `attempt ${mine}; attempt ${newest} re-ran it` };
    if (newest < mine)
      return {
        state: 'unknown',
        reason: `workflow run ${run.id} has no attempt ${mine} (its latest is ${newest})`,
      };
  }
  if (latest.status === 'completed') return { state: 'ended', conclusion: latest.conclusion ?? undefined };
  if (latest.status && NOT_DONE.has(latest.status)) return { state: 'running' };
  return { state: 'unknown', reason: `workflow run ${run.id} has status "${latest.status ?? 'none'}"` };
}
