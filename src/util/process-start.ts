// When the kernel started a process: what tells a live process from another that was given its pid after it
// died (reconcile's rollout owners, the lock takeover guard).
import { readFileSync } from 'node:fs';

/**
 * When the kernel started process `pid`, as text that another process with the same pid (the id reused after
 * the owner died) cannot share: Linux's boot id and the process's start time in clock ticks since boot
 * (/proc/<pid>/stat, field 22). Undefined where /proc is not there (macOS) or the process is gone.
 */
export function processStart(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': the fields after its last ')'
    // start at field 3, so the start time (22) is the 20th of them.
    const start = stat
      .slice(stat.lastIndexOf(')') + 1)
      .trim()
      .split(/\s+/)[19];
    return boot && start && /^\d+$/.test(start) ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}
