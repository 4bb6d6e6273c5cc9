// The directories on the way to a file the CLI acts on, judged (file-trust.ts) as ssh's StrictModes judges
// them: the state directory (neither a symbolic link nor anyone else's to write), a directory in it
// (`control/`, `records/`), and every directory above the state directory up to /, both as written (a link on
// the way is replaced by whoever may write the directory holding it) and as resolved (the directories the
// state directory really is in). Shared by the control file (control/file-channel.ts) and the records
// (state/file-store.ts): one check, so the two never judge one state directory differently. Synchronous: a
// handful of lstat calls, and `plan` reads the record synchronously. A directory not there yet passes (the
// CLI makes it, 0755); an lstat that fails otherwise throws, for the caller to report with its path.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { REQUESTS_NOT_ACTED_ON, untrusted, untrustedAncestor } from './file-trust.ts';

/**
 * Why the directory `dir` (`what`: `its directory`, `its state directory`) is not trusted: a symbolic link
 * (`unlink` says what to do instead), or owned or writable by someone else; undefined when it is, or is not there.
 */
export function untrustedDirectory(
  dir: string,
  what: string,
  unlink: string,
  uid: number | undefined,
  effect: string = REQUESTS_NOT_ACTED_ON,
): string | undefined {
  const info = lstatOrNone(dir);
  if (!info) return undefined;
  if (info.isSymbolicLink())
    return `${what} ${dir} is a symbolic link (the CLI makes a directory there), so ${effect}; ${unlink}`;
  return untrusted(`${what} ${dir}`, info, uid, effect);
}

/**
 * Why the state directory `stateDir` is not trusted: itself (as untrustedDirectory), then the directories
 * above it, nearest first; undefined when all are.
 */
export function untrustedStateDirectory(
  stateDir: string,
  uid: number | undefined,
  effect: string = REQUESTS_NOT_ACTED_ON,
): string | undefined {
  // resolve: a trailing slash (`state_dir: state/`) would have lstat follow a link.
  const dir = resolve(stateDir);
  return (
    untrustedDirectory(
      dir,
      'its state directory',
      'set state_dir to the directory it points to',
      uid,
      effect,
    ) ?? untrustedAncestors(dir, uid, effect)
  );
}

/**
 * Why a directory above the state directory `dir` (absolute) is not trusted (file-trust.ts untrustedAncestor:
 * a sticky one of root's or ours passes); undefined when none is. Those not there yet are skipped: the CLI
 * makes them.
 */
export function untrustedAncestors(
  dir: string,
  uid: number | undefined,
  effect: string = REQUESTS_NOT_ACTED_ON,
): string | undefined {
  if (uid === undefined) return undefined;
  const judged = new Set<string>();
  const judge = (path: string): string | undefined => {
    if (judged.has(path)) return undefined;
    judged.add(path);
    const info = lstatOrNone(path);
    // A link's own mode means nothing: the directory holding it (judged next) decides who may replace it.
    if (!info || info.isSymbolicLink()) return undefined;
    return untrustedAncestor(`the directory ${path} above its state directory ${dir}`, info, uid, effect);
  };
  // As written: whoever may write a directory holding a link on the way may point it elsewhere.
  for (const path of above(dir)) {
    const why = judge(path);
    if (why) return why;
  }
  // As resolved: the directories the state directory is really in (/tmp is /private/tmp on macOS).
  const real = nearestReal(dirname(dir));
  if (real === undefined) return undefined;
  for (const path of [real, ...above(real)]) {
    const why = judge(path);
    if (why) return why;
  }
  return undefined;
}

/** The directories above `path` (absolute), nearest first, up to the root. */
function above(path: string): string[] {
  const list: string[] = [];
  for (let p = path; dirname(p) !== p; p = dirname(p)) list.push(dirname(p));
  return list;
}

/** `path` resolved, or the nearest directory above it that is there; undefined when none can be resolved. */
function nearestReal(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      return realpathSync(p);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (dirname(p) === p) return undefined;
    }
  }
}

/** The path's own status (a link is not followed), or undefined when nothing is there. */
export function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
