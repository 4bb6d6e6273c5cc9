// Whether a file is in the commit checked out around it: git tracks it. A record or control file there came with
// the checkout, so whoever could push a branch or open a pull request wrote it (a fork's pull request runs its
// own commit), not a run of this product: on a job's fresh checkout it is the only kind of record the state
// directory can hold, and `actions/checkout` cleans away every file it does not track. Asked of git at each
// read of a file that is there (a few milliseconds; a run reads its record a handful of times).
import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';

/**
 * True when git tracks `path` in the repository its directory is in; false when it does not, when the directory
 * is in no repository, or git is not installed. `safe.directory=*` for this one read: a container job runs as
 * root in a checkout another user owns, which git otherwise refuses to look at (and would answer "not tracked").
 */
export function trackedByGit(path: string): boolean {
  try {
    execFileSync('git', ['-c', 'safe.directory=*', 'ls-files', '--error-unmatch', '--', basename(path)], {
      cwd: dirname(path),
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}
