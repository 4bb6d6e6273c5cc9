// Commands that leave processes behind, for the tests of process groups (util/process-group.ts): what
// each started, whether it still runs, and a last-resort kill of whatever a failing test left running.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CleanupScope {
  after(fn: () => void): void;
}

/**
 * A node `-e` script (argv[1]: a file) that ignores SIGTERM, starts a child that ignores it too (and holds
 * stdout and stderr), and leaves a `sleep` behind in the background (its parent exits at once, it holds
 * stderr); writes the three pids to the file as JSON, then hangs for a minute (longer than any test waits,
 * short enough not to outlive a failed test by much).
 */
export const STUBBORN = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
process.on('SIGTERM', () => {});
const kid = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
const forker = spawn('/bin/sh', ['-c', 'sleep 60 & echo $!'], { stdio: ['ignore', 'pipe', 'inherit'] });
forker.stdout.once('data', (d) => {
  writeFileSync(process.argv[1], JSON.stringify([process.pid, kid.pid, Number(String(d).trim())]));
});
setTimeout(() => process.exit(), 60000);
`;

/** Whether `pid` still runs (a zombie nobody reaped yet has ended). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids still running after up to 5 s of waiting for them to end. */
export async function untilEnded(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 100 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(running);
}

/** The pids written to `file` (JSON array, or one number per line); none when it is missing. */
export function pidsIn(file: string): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as number[];
  return trimmed.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * A file for a command to write its pids to, in a temporary directory. After the test, what it names and
 * still runs is killed (only if the code under test did not), and the directory is removed.
 */
export function pidsFile(t: CleanupScope, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'pids');
  t.after(() => {
    for (const pid of pidsIn(file)) if (running(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return file;
}
