// Commands this program starts (target commands and hooks, metrics commands, gate commands) run in a process
// group of their own and are stopped as one. A timeout or a cancellation sends SIGTERM to the whole group,
// then SIGKILL FORCE_KILL_AFTER_MS later (at once when the command itself has exited): a child that ignores
// SIGTERM or a process left in the background does not go on running. Once the command itself has exited it
// is done: its output is read for OUTPUT_DRAIN_MS more, never waited for while a background process (a
// service a deploy command started) holds the pipe, and such a process is left alone unless the command was
// stopped. Groups still running when this process exits are killed (execa's cleanup skips detached
// children).
//
// A stop also reaches what left the group: before the first signal the command's process tree is read from
// /proc (parent links, process-tree.ts), and each descendant in another process group (started with setsid,
// or a program that daemonizes itself) is signalled with the group; at the SIGKILL the tree is read again from
// the processes found then (the same ones: their start time unchanged), so what they started since, or what
// outlived the command itself, is killed too. A process that had left both the group and the tree before the
// stop (a double-forked daemon whose parent exited, reparented to init or a subreaper) is found by the run's
// marker (process-tree.ts RUN_MARKER, set below in this process's environment, so every command inherits it):
// at each signal, every process started with it since the command started that is not in this process's tree
// (its commands still running) is signalled too. What still escapes: a daemon started without the marker (a
// clean environment: env -i, a service manager or container runtime that starts it for the command), one
// whose user changed (its environment cannot be read, nor may it be signalled), one started in the instant
// between the last read and the signal by a process not seen, and on systems without /proc (macOS)
// everything outside the group. And one taken too many: a daemon that another command of this run, running
// at the same time, left behind on purpose (commands run one at a time, so only a gate's or a metrics
// command beside a step could).
//
// Windows has no process groups (and `detached` means a console of its own there): the command alone is
// stopped, with the same timings.
import type { ChildProcess } from 'node:child_process';
import {
  readProcessTable,
  RUN_MARKER,
  signalOutsideGroup,
  startedWith,
  startOf,
  straysSince,
  treeOf,
  type ProcessInfo,
} from './process-tree.ts';

/** Whether commands run in a process group of their own (POSIX). */
export const PROCESS_GROUPS = process.platform !== 'win32';
/** From the SIGTERM to a stopped command's process group to its SIGKILL. */
export const FORCE_KILL_AFTER_MS = 2000;
/** How long output is still read once the command has exited (a background process may hold the pipe). */
export const OUTPUT_DRAIN_MS = 200;

/** Spawn (execa) options that start a command in a process group of its own, on POSIX. */
export const OWN_GROUP = { detached: PROCESS_GROUPS } as const;

/**
 * This process's token: set in its environment when this module loads, before any command can start, so
 * every command inherits it. A fresh one in each process: a deploy-action run by a command of another does
 * not take that one's processes for its own.
 */
// Unique, not secret (a process that copied it would only ask to be stopped); node:crypto stays out of the
// action's start (test/unit/build/start-graph.test.ts).
const RUN_TOKEN = `${process.pid}-${process.hrtime.bigint().toString(36)}-${Math.random().toString(36).slice(2)}`;
process.env[RUN_MARKER] = RUN_TOKEN;
const marked = (pid: number) => startedWith(pid, RUN_MARKER, RUN_TOKEN);

/**
 * A command's processes to signal: its tree (from `known`, the members found at the last signal, or its
 * group leader) and the marked processes started since it started (`since`) that nothing links to it now.
 */
function membersOf(pgid: number, known: readonly ProcessInfo[], since: string | undefined): ProcessInfo[] {
  const table = readProcessTable();
  const tree = treeOf(known.length ? known : [{ pid: pgid }], table);
  if (since === undefined) return tree;
  const seen = new Set(tree.map((p) => p.pid));
  return [...tree, ...straysSince(table, since, process.pid, marked).filter((p) => !seen.has(p.pid))];
}

/** The process groups of commands still running (with when each command started): killed if this process exits first. */
const groups = new Map<number, string | undefined>();
let exitHook = false;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the whole group has ended.
  }
}

function trackGroup(pgid: number, since: string | undefined): void {
  groups.set(pgid, since);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const [group, started] of groups) {
      signalOutsideGroup(membersOf(group, [], started), group, 'SIGKILL');
      signalGroup(group, 'SIGKILL');
    }
  });
}

/**
 * Why a command was stopped: its timeout, a cancellation, more output than its caller keeps, or the job about
 * to be killed (stopAllCommands).
 */
export type StopReason = 'timeout' | 'cancelled' | 'output' | 'deadline';

/** The stop of every command being watched, for stopAllCommands. */
const watched = new Set<(why: StopReason) => void>();
/** Set by stopAllCommands: every command started from then on is stopped at once. */
let stoppingAll: StopReason | undefined;

/**
 * Stops every command still running, the ones that must finish included (a rollback's), and every command
 * started from now on, as a timeout would: this process is about to be killed (the runner's SIGKILL after a
 * cancellation), and a command's process group it killed would go on running on its own, unreported.
 */
export function stopAllCommands(why: StopReason = 'deadline'): void {
  stoppingAll = why;
  for (const stop of watched) stop(why);
}

export interface GroupOptions {
  /** Stops the command this long after it started; none when undefined or 0 (a config's "0 for none"). */
  timeoutMs?: number | undefined;
  /** Stops the command when it aborts. */
  signal?: AbortSignal | undefined;
}

export interface GroupWatch {
  /** Why the command was stopped, if it was. */
  readonly stopped: StopReason | undefined;
  /** Stops the command's whole group now, as a timeout would (nothing once it has exited). */
  stop(why: StopReason): void;
  /** Stops watching the command: call once it is over (a program that could not start never exits). */
  release(): void;
}

/**
 * Watches a command started with OWN_GROUP: stops its group on timeout or cancellation, and ends its
 * output OUTPUT_DRAIN_MS after it exited (see the top of this file).
 */
export function watchGroup(subprocess: ChildProcess, options: GroupOptions = {}): GroupWatch {
  const { timeoutMs, signal } = options;
  const pgid = subprocess.pid;
  let stopped: StopReason | undefined;
  let exited = false;
  let forceKill: NodeJS.Timeout | undefined;
  /** The command's process tree when it was stopped, then at each later signal (see the top of this file). */
  let tree: ProcessInfo[] = [];
  // When the command started, read now (it cannot have been reaped yet): what carries the run's marker and
  // started later may be a daemon it left behind.
  const since = PROCESS_GROUPS && pgid !== undefined ? startOf(pgid) : undefined;
  const kill = (sig: NodeJS.Signals) => {
    if (!PROCESS_GROUPS || pgid === undefined) return void subprocess.kill(sig);
    // Read before the group's signal: once a parent dies its children are reparented and out of reach.
    tree = membersOf(pgid, tree, since);
    signalGroup(pgid, sig);
    signalOutsideGroup(tree, pgid, sig);
  };
  const stop = (why: StopReason) => {
    if (stopped || exited || pgid === undefined) return;
    stopped = why;
    kill('SIGTERM');
    forceKill = setTimeout(() => kill('SIGKILL'), FORCE_KILL_AFTER_MS);
  };
  const onAbort = () => stop('cancelled');
  const timer = timeoutMs ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
  const release = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    watched.delete(stop);
  };
  if (PROCESS_GROUPS && pgid !== undefined) trackGroup(pgid, since);
  watched.add(stop);
  if (stoppingAll) stop(stoppingAll);
  else if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  subprocess.once('exit', () => {
    exited = true;
    release();
    clearTimeout(forceKill);
    if (pgid !== undefined) {
      groups.delete(pgid);
      // A stopped command is over once it exits: what it started and left running is killed now.
      if (stopped && PROCESS_GROUPS) kill('SIGKILL');
    }
    setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }, OUTPUT_DRAIN_MS).unref();
  });
  return {
    get stopped() {
      return stopped;
    },
    stop,
    release,
  };
}
