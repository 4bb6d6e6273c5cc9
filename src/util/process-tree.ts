// The processes a command started, found through /proc by their parent links, for the stop of a command
// (process-group.ts): a descendant that left the command's process group (setsid, a daemonizing program) is
// not reached by the group's signal, but it is still the child of a process of the command, or of one of its
// children, until that parent exits. A daemon whose parent exited (double fork) is linked to nothing any
// more: it is found by its command's marker instead, an environment variable each command is started with, a
// value of its own, that whatever it starts inherits (RUN_MARKER, read from /proc/<pid>/environ: what the
// process was started with, so a program that unsets it after it started still carries it). Linux only: without /proc (macOS, Windows) the table is empty and only the group
// is signalled.
import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc/<pid>/stat shows it. */
export interface ProcessInfo {
  pid: number;
  /** Its parent (field 4). */
  ppid: number;
  /** Its process group (field 5). */
  pgrp: number;
  /** When the kernel started it, in clock ticks since boot (field 22): a pid given to another process differs. */
  start: string;
}

/**
 * `/proc/<pid>/stat`'s text as a ProcessInfo; undefined when it is not one. The command name (field 2) is in
 * parentheses and may hold spaces or ')': the fields after its last ')' start at field 3.
 */
export function parseStat(pid: number, text: string): ProcessInfo | undefined {
  const fields = text
    .slice(text.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  const [ppid, pgrp, start] = [Number(fields[1]), Number(fields[2]), fields[19]];
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(pgrp) || !start || !/^\d+$/.test(start))
    return undefined;
  return { pid, ppid, pgrp, start };
}

/** Every process this one can see, from /proc; empty where there is none. */
export function readProcessTable(): ProcessInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const table: ProcessInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const info = parseStat(Number(name), readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (info) table.push(info);
    } catch {
      // Ended while the table was read.
    }
  }
  return table;
}

/**
 * The processes of `table` in the trees of `roots`: each root still there (the same process: its start, when
 * given, unchanged) and every process whose parent is in the tree, at any depth. Pure.
 */
export function treeOf(
  roots: ReadonlyArray<{ pid: number; start?: string }>,
  table: readonly ProcessInfo[],
): ProcessInfo[] {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessInfo[]>();
  for (const p of table) {
    if (p.ppid === p.pid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const tree = new Map<number, ProcessInfo>();
  const queue: ProcessInfo[] = [];
  for (const root of roots) {
    const p = byPid.get(root.pid);
    if (p && (root.start === undefined || root.start === p.start) && !tree.has(p.pid)) {
      tree.set(p.pid, p);
      queue.push(p);
    }
  }
  while (queue.length) {
    for (const child of children.get(queue.shift()!.pid) ?? []) {
      if (tree.has(child.pid)) continue;
      tree.set(child.pid, child);
      queue.push(child);
    }
  }
  return [...tree.values()];
}

/** Sends `signal` to each of `members` outside process group `pgrp` (the group's own signal reaches the rest). */
export function signalOutsideGroup(
  members: readonly ProcessInfo[],
  pgrp: number,
  signal: NodeJS.Signals,
): void {
  for (const member of members) {
    if (member.pgrp === pgrp) continue;
    try {
      process.kill(member.pid, signal);
    } catch {
      // ESRCH: it has ended; EPERM: not ours to signal (it changed its user).
    }
  }
}

/**
 * The environment variable that marks a command's processes: process-group.ts starts each command with a
 * value of its own (this process's token and the command's number), and whatever the command starts inherits
 * it, daemons handed to init included. A process started with an environment of its own (env -i, a service
 * manager such as systemd or a container runtime that starts it for the command) does not carry it.
 */
export const RUN_MARKER = 'DEPLOY_ACTION_RUN';

/** Whether the NUL-separated text of /proc/<pid>/environ holds the entry `name=value` exactly. Pure. */
export function environHolds(environ: string, name: string, value: string): boolean {
  return environ.split('\0').includes(`${name}=${value}`);
}

/** Whether process `pid` was started with `name=value` in its environment (false when it cannot be read). */
export function startedWith(pid: number, name: string, value: string): boolean {
  try {
    return environHolds(readFileSync(`/proc/${pid}/environ`, 'latin1'), name, value);
  } catch {
    // Ended, or another user's (EACCES): not one of ours either way.
    return false;
  }
}

/**
 * The processes of `table` that a command started and that are linked to it no longer: started at or after
 * the command (`since`: its start, in the same clock ticks as ProcessInfo.start), not in the tree of
 * `self` (this process: its commands still running are there, each with its own tree), and marked
 * (`marked`: started with the command's own marker). Pure but for `marked`, asked of those few only.
 */
export function straysSince(
  table: readonly ProcessInfo[],
  since: string,
  self: number,
  marked: (pid: number) => boolean,
): ProcessInfo[] {
  const after = BigInt(since);
  const ours = new Set(treeOf([{ pid: self }], table).map((p) => p.pid));
  return table.filter((p) => !ours.has(p.pid) && p.pid !== 1 && BigInt(p.start) >= after && marked(p.pid));
}

/** When process `pid` started (ProcessInfo.start); undefined when it is gone or there is no /proc. */
export function startOf(pid: number): string | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))?.start;
  } catch {
    return undefined;
  }
}

/** The value of `name` in the NUL-separated text of /proc/<pid>/environ, or undefined. Pure. */
export function environValue(environ: string, name: string): string | undefined {
  const entry = environ.split('\0').find((e) => e.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/**
 * The commands that process `owner` started and that still run after it ended (killed with no chance to stop
 * them: SIGKILL, the OOM killer): in `table`, the leaders of process groups (each command runs in a group of
 * its own: process-group.ts) started at or after the owner (`since`, its start tick; '0' when unknown), whose
 * marker names the owner's pid (RUN_MARKER `<pid>-…`, the token process-group.ts gives its commands). What a
 * command started in its own group is not one (a service it left behind). Pure but for `markerOf`.
 */
export function commandsLeftBy(
  table: readonly ProcessInfo[],
  owner: { pid: number; since: string },
  markerOf: (pid: number) => string | undefined,
): ProcessInfo[] {
  const after = BigInt(owner.since);
  return table.filter(
    (p) =>
      p.pid === p.pgrp &&
      p.pid !== owner.pid &&
      BigInt(p.start) >= after &&
      markerOf(p.pid)?.startsWith(`${owner.pid}-`) === true,
  );
}

/** RUN_MARKER of process `pid` (undefined when it has none, has ended or is another user's). */
export function markerOf(pid: number): string | undefined {
  try {
    return environValue(readFileSync(`/proc/${pid}/environ`, 'latin1'), RUN_MARKER);
  } catch {
    return undefined;
  }
}
