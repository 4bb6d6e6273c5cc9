// The `record-dir` input checked before the run starts: the deployment record is written there at its end,
// and a file in its place was found only then, a warning once the deployment was done and its record lost.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { quoted } from '../config/errors.ts';

/**
 * Why the deployment record cannot be written under `dir` (the input `given`, resolved in the workspace), or
 * undefined: it, or the nearest of its parents that exists, is not a directory. A directory that is not there
 * is made at the end; what cannot be read now (no permission) is left to the write, which warns.
 */
export function recordDirProblem(given: string, dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    let info;
    try {
      info = statSync(at, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (info?.isDirectory()) return undefined;
    if (info)
      return at === dir
        ? `input "record-dir" is ${quoted(given)}, a file, not a directory: the deployment record is written ` +
            'into it at the end of the run; name a directory (it is made when missing)'
        : `input "record-dir" is ${quoted(given)}, under ${quoted(at)}, which is a file: no directory can be ` +
            'made there for the deployment record; name a directory (it is made when missing)';
    if (dirname(at) === at) return undefined;
  }
}
