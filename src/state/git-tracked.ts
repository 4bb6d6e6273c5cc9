// Whether a file is in the commit checked out around it: git tracks it. A record or control file there came with
// the checkout, so whoever could push a branch or open a pull request wrote it (a fork's pull request runs its
// own commit), not a run of this product: on a job's fresh checkout it is the only kind of record the state
// directory can hold, and `actions/checkout` cleans away every file it does not track. Asked of git at each
// read of a file that is there (a few milliseconds; a run reads its record a handful of times).
import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { commandEnv } from '../util/child-env.ts';

/**
 * True when git tracks `path` in the repository its directory is in; false when it does not, when the directory
 * is in no repository, or git is not installed. `safe.directory=*` for this one read: a container job runs as
 * root in a checkout another user owns, which git otherwise refuses to look at (and would answer "not tracked").
 */
export function trackedByGit(path: string): boolean {
  try {
    execFileSync('git', ['-c', 'safe.directory=*', 'ls-files', '--error-unmatch', '--', basename(path)], {
      cwd: dirname(path),
      // As every command this program starts (child-env.ts): a repository's config may name a program git runs
      // (core.fsmonitor, for ls-files too), and the action's inputs (its state-key) must not reach it.
      env: withoutRepositoryVariables(commandEnv()),
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * The variables that point git at another repository, index or work tree than the one found from its directory
 * (`git rev-parse --local-env-vars`, which git itself clears to go into a submodule). Set for this process (a CLI
 * run from a git hook, which sets GIT_DIR; a job's env:), they made git answer of another repository or none,
 * "not tracked", and a committed record was read as one a run wrote.
 */
const REPOSITORY_VARIABLES = new Set([
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_CONFIG',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_OBJECT_DIRECTORY',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_REPLACE_REF_BASE',
  'GIT_PREFIX',
  'GIT_INTERNAL_SUPER_PREFIX',
  'GIT_SHALLOW_FILE',
  'GIT_COMMON_DIR',
]);

function withoutRepositoryVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !REPOSITORY_VARIABLES.has(name)));
}
