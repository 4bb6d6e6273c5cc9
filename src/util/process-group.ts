// Commands this program starts (target commands and hooks, metrics commands, gate commands) run in a process
// group of their own and are stopped as one. A timeout or a cancellation sends SIGTERM to the whole group,
// then SIGKILL FORCE_KILL_AFTER_MS later (at once when the command itself has exited): a child that ignores
// SIGTERM or a process left in the background does not go on running. Once the command itself has exited it
// is done: its output is read for OUTPUT_DRAIN_MS more, never waited for while a background process (a
// service a deploy command started) holds the pipe, and such a process is left alone unless the command was
// stopped, or was run only for what it prints (a metrics or logs read: endLeftovers, whatever it left, holding
// the pipe or not). Groups still running when this process exits are killed (execa's cleanup skips detached
// children).
//
// A stop also reaches what left the group: before the first signal the command's process tree is read from
// /proc (parent links, process-tree.ts), and each descendant in another process group (started with setsid,
// or a program that daemonizes itself) is signalled with the group; at the SIGKILL the tree is read again from
// the processes found then (the same ones: their start time unchanged), so what they started since, or what
// outlived the command itself, is killed too. A process that had left both the group and the tree before the
// stop (a double-forked daemon whose parent exited, reparented to init or a subreaper) is found by the
// command's marker: each command is started with a value of its own in RUN_MARKER (process-tree.ts), which
// whatever it starts inherits, and at each signal every process outside this process's tree (its commands
// still running) started with that value since the command started is signalled too. Another command's
// processes carry another value: a daemon a gate running beside the stopped one started, or a service a
// command left behind on purpose, is left alone whenever it started. What still escapes: a daemon started
// without the marker (a clean environment: env -i, a service manager or container runtime that starts it for
// the command), one whose user changed (its environment cannot be read, nor may it be signalled), one started
// in the instant between the last read and the signal by a process not seen, and on systems without /proc
// (macOS) everything outside the group. And one taken too many: a process that copied another command's
// environment (its marker with it), or a command whose spawn passed an environment copied from this
// process's before an earlier command started (it carries that command's marker, see claimMarker).
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
 * This process's token: the part of every command's marker that is this process's, fresh in each process, so
 * a deploy-action run by a command of another does not take that one's processes for its own.
 */
// Unique, not secret (a process that copied it would only ask to be stopped); node:crypto stays out of the
// action's start (test/unit/build/start-graph.test.ts).
const RUN_TOKEN = `${process.pid}-${process.hrtime.bigint().toString(36)}-${Math.random().toString(36).slice(2)}`;
let commandsMarked = 0;
/** The marker the next command starts with: in this process's environment, which every spawn copies. */
let nextMarker = '';
function setNextMarker(): void {
  nextMarker = `${RUN_TOKEN}.${++commandsMarked}`;
  process.env[RUN_MARKER] = nextMarker;
}
// Set when this module loads, before any command can start.
setNextMarker();

/**
 * The marker of the command just started (the value it copied from this process's environment), and a fresh
 * one there for the next. Called by watchGroup in the same turn as the spawn (no await between them): nothing
 * else can start in between.
 */
function claimMarker(): string {
  const marker = nextMarker;
  setNextMarker();
  return marker;
}

/** A command's marker and when it started: its processes that nothing links to it any more are found by both. */
interface Mark {
  marker: string;
  /** The command's start (ProcessInfo.start). */
  since: string;
}

/** The processes of `table` outside this process's tree that carry `mark` (straysSince). */
function straysOf(table: readonly ProcessInfo[], mark: Mark): ProcessInfo[] {
  return straysSince(table, mark.since, process.pid, (pid) => startedWith(pid, RUN_MARKER, mark.marker));
}

/**
 * A command's processes to signal: its tree (from `known`, the members found at the last signal, or its
 * group leader) and the processes carrying its mark that nothing links to it now.
 */
function membersOf(pgid: number, known: readonly ProcessInfo[], mark: Mark | undefined): ProcessInfo[] {
  const table = readProcessTable();
  const tree = treeOf(known.length ? known : [{ pid: pgid }], table);
  if (mark === undefined) return tree;
  const seen = new Set(tree.map((p) => p.pid));
  return [...tree, ...straysOf(table, mark).filter((p) => !seen.has(p.pid))];
}

/** The process groups of commands still running (with each one's mark): killed if this process exits first. */
const groups = new Map<number, Mark | undefined>();
/**
 * The marks of stopped commands that have exited: what carries one at this process's exit is killed too (a
 * process started in the instant of the last SIGKILL). Their groups are not: the pid may be another's now.
 * Kept while a process carrying one runs (see rememberStopped): the exit hook reads every process started
 * since each mark's command, and has the runner's 2.5 s before its SIGKILL.
 */
const stoppedMarks: Mark[] = [];

/**
 * Adds the mark of a command just stopped and killed, and drops the earlier ones no process carries any more:
 * a marker is only inherited, so once nothing carries it nothing can start with it again. The new one is
 * kept until the next stop: a process started in the instant of its SIGKILL may not be in /proc yet. A read
 * of the table that failed (/proc not listed: too many open files) drops none: a table that lacks this
 * process is no sign that theirs ended.
 */
function rememberStopped(mark: Mark): void {
  if (stoppedMarks.length) {
    const table = readProcessTable();
    if (table.some((p) => p.pid === process.pid)) {
      const held = stoppedMarks.filter((m) => straysOf(table, m).length > 0);
      stoppedMarks.splice(0, stoppedMarks.length, ...held);
    }
  }
  stoppedMarks.push(mark);
}

/** How many stopped commands' marks the exit hook still looks for (for tests of its bound). */
export function stoppedMarksKept(): number {
  return stoppedMarks.length;
}
let exitHook = false;

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the whole group has ended.
  }
}

function trackGroup(pgid: number, mark: Mark | undefined): void {
  groups.set(pgid, mark);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const [group, mark] of groups) {
      signalOutsideGroup(membersOf(group, [], mark), group, 'SIGKILL');
      signalGroup(group, 'SIGKILL');
    }
    if (!stoppedMarks.length) return;
    const table = readProcessTable();
    // No group to leave out (-1 is none): each one's processes are signalled one by one.
    for (const mark of stoppedMarks) signalOutsideGroup(straysOf(table, mark), -1, 'SIGKILL');
  });
}

/**
 * Why a command was stopped: its timeout, a cancellation, more output than its caller keeps, the job about to
 * be killed (stopAllCommands: `deadline`), or the crash deadline (`crash_deadline`: an internal error stopped
 * the run and it did not end in time, util/crash-guard.ts).
 */
export type StopReason = 'timeout' | 'cancelled' | 'output' | 'deadline' | 'crash_deadline';

/** The stop of every command being watched, for stopAllCommands. */
const watched = new Set<(why: StopReason) => void>();
/**
 * The stops of every command in force, newest last: while any is, every command started is stopped at once
 * (with the newest one's reason). stopAllCommands' holds until endStopAllCommands; stopAllCommandsAndWait's ends
 * with it.
 */
const stopsInForce: Array<{ why: StopReason }> = [];

/** Why a command started now is stopped at once, if one is. */
function stoppingAll(): StopReason | undefined {
  return stopsInForce.at(-1)?.why;
}

/** Puts a stop of every command in force and stops those running; returns it, for its end. */
function beginStopAll(why: StopReason): { why: StopReason } {
  const stop = { why };
  stopsInForce.push(stop);
  for (const each of watched) each(why);
  return stop;
}

/** Ends `stop` alone (gone already when endStopAllCommands ended every stop meanwhile). */
function endStop(stop: { why: StopReason }): void {
  const at = stopsInForce.indexOf(stop);
  if (at >= 0) stopsInForce.splice(at, 1);
}

/** A stop of every command in force: `end` ends it alone (the others in force, if any, hold). */
export interface StopOfAll {
  end(): void;
}

/**
 * Stops every command still running, the ones that must finish included (a rollback's), and every command
 * started from now on, as a timeout would: this process is about to be killed (the runner's SIGKILL after a
 * cancellation), and a command's process group it killed would go on running on its own, unreported. Holds
 * until its `end` (the run it was for has written its outcome) or endStopAllCommands.
 */
export function stopAllCommands(why: StopReason = 'deadline'): StopOfAll {
  const stop = beginStopAll(why);
  return { end: () => endStop(stop) };
}

/** Called each time a watched command is released (it exited, or its caller let it go). */
const onReleased = new Set<() => void>();

/** Resolves once every watched command has been released, or after `boundMs`. */
function allReleased(boundMs: number): Promise<void> {
  if (watched.size === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      onReleased.delete(check);
      resolve();
    };
    const check = () => {
      if (watched.size === 0) done();
    };
    // Not keeping the process alive: the caller bounds its own exit.
    const timer = setTimeout(done, boundMs).unref();
    onReleased.add(check);
  });
}

/**
 * Stops every command still running (as stopAllCommands), waits until every one it stopped has exited, at most
 * `boundMs` (by default just past FORCE_KILL_AFTER_MS: the SIGKILL then ends all but a process the kernel
 * holds), then runs `then` (what the caller says next: its outcome) and resolves with what it gives. For a
 * process about to exit: its outcome is said with nothing of its commands running, and each had its SIGTERM's
 * time to stop cleanly, not the exit's SIGKILL alone. A command started until `then` has ended (the stopped
 * run's rollback going on to its next step) is stopped at once too; then the stop ends: a process that goes on
 * (an embedder calling main() or run() again) starts its next commands as usual. (It stayed in force for the
 * process: every later command was stopped at once.)
 */
export async function stopAllCommandsAndWait<T = void>(
  why: StopReason,
  then: () => T | Promise<T> = () => undefined as T,
  boundMs = FORCE_KILL_AFTER_MS + 500,
): Promise<T> {
  const stop = beginStopAll(why);
  try {
    await allReleased(boundMs);
    return await then();
  } finally {
    endStop(stop);
  }
}

/**
 * Ends every stop of all commands in force (stopAllCommands'): the process was not killed after all and runs
 * another command (a process embedding the CLI calls main() again; test files sharing one process).
 */
export function endStopAllCommands(): void {
  stopsInForce.length = 0;
}

export interface GroupOptions {
  /** Stops the command this long after it started; none when undefined or 0 (a config's "0 for none"). */
  timeoutMs?: number | undefined;
  /** Stops the command when it aborts. */
  signal?: AbortSignal | undefined;
  /**
   * Once the command has exited, what it left running OUTPUT_DRAIN_MS later is killed with all of its group
   * and marked processes, as after a stop, whether it holds the command's output or not (`helper >/dev/null
   * 2>&1 &`): for a command run only for what it prints (a metrics or logs read), which has no service to
   * leave running, and runs again every interval: two more each interval, outliving the run.
   */
  endLeftovers?: boolean | undefined;
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
 * output OUTPUT_DRAIN_MS after it exited (see the top of this file). Call it right after the spawn, with no
 * await between: it takes the marker the command was started with (claimMarker).
 */
export function watchGroup(subprocess: ChildProcess, options: GroupOptions = {}): GroupWatch {
  const { timeoutMs, signal, endLeftovers } = options;
  const pgid = subprocess.pid;
  let stopped: StopReason | undefined;
  let exited = false;
  let forceKill: NodeJS.Timeout | undefined;
  /** The command's process tree when it was stopped, then at each later signal (see the top of this file). */
  let tree: ProcessInfo[] = [];
  // Its marker, and when it started, read now (it cannot have been reaped yet): what carries the marker and
  // started later may be a daemon it left behind.
  const marker = claimMarker();
  const since = PROCESS_GROUPS && pgid !== undefined ? startOf(pgid) : undefined;
  const mark = since === undefined ? undefined : { marker, since };
  const kill = (sig: NodeJS.Signals) => {
    if (!PROCESS_GROUPS || pgid === undefined) return void subprocess.kill(sig);
    // Read before the group's signal: once a parent dies its children are reparented and out of reach.
    tree = membersOf(pgid, tree, mark);
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
    if (!watched.delete(stop)) return;
    for (const released of [...onReleased]) released();
  };
  if (PROCESS_GROUPS && pgid !== undefined) trackGroup(pgid, mark);
  watched.add(stop);
  const stopAll = stoppingAll();
  if (stopAll) stop(stopAll);
  else if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  subprocess.once('exit', () => {
    exited = true;
    release();
    clearTimeout(forceKill);
    if (pgid !== undefined) {
      // Ending leftovers (below), the group stays tracked until then: this process exiting first kills it.
      if (!endLeftovers || stopped) groups.delete(pgid);
      // A stopped command is over once it exits: what it started and left running is killed now.
      if (stopped && PROCESS_GROUPS) {
        kill('SIGKILL');
        if (mark) rememberStopped(mark);
      }
    }
    setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      if (endLeftovers && !stopped && PROCESS_GROUPS && pgid !== undefined) {
        groups.delete(pgid);
        kill('SIGKILL');
        if (mark) rememberStopped(mark);
      }
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
