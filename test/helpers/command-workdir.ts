// For tests that resolve and run target commands for real: a temporary working directory removed after the
// test, and the command defaults (argv, not a shell; a generous timeout) they resolve with.
import { chmodSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory named after `prefix`, removed when the test ends (whatever mode the test left it in). */
export function workdir(t: { after: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  t.after(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** resolveCommand's defaults for a command run in `cwd` with `env`. */
export const commandDefaults = (cwd: string, env: Record<string, string> = {}) => ({
  shell: false,
  timeoutMs: 20_000,
  env,
  cwd,
});

/**
 * For trust tests: a make and an undo that put a symbolic link where the directory `dir` is (the directory moved
 * to `<dir>.real`), and put it back.
 */
export const linkInPlaceOf = (dir: string): [make: () => void, undo: () => void] => [
  () => {
    renameSync(dir, `${dir}.real`);
    symlinkSync(`${dir}.real`, dir);
  },
  () => {
    rmSync(dir);
    renameSync(`${dir}.real`, dir);
  },
];
