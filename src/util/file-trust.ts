// Who may have written a file the CLI acts on (the control file, control/file-channel.ts; the environment
// record, state/file-store.ts), judged as ssh's StrictModes judges authorized_keys: a /promote in the control
// file moves traffic, a record says what is live and what a rollback goes back to, so a file, or a directory on
// its way (`control/` or `records/`, and the state directory that holds it: whoever may write that one may put
// another `control/` in its place), that someone other than the CLI's user (or root) owns or may write is not
// trusted, and nothing in it is acted on. So is one below a directory its group or others may write (they may
// move the state directory away and put their own in its place), unless that directory is sticky (/tmp: others
// may not rename what they do not own). The owner of a directory above is not judged: a container job runs as
// root in a workspace the runner's user owns, and that user is the one who runs the job. Pure: the file's or
// directory's owner and mode, and who the CLI runs as, in; the reason it is not trusted out.

/** What is judged: from an lstat or fstat. */
export interface Ownership {
  uid: number;
  mode: number;
}

/** Group or others may write. */
const WRITABLE_BY_OTHERS = 0o022;
/** Only an entry's owner (or the directory's) may rename or remove it. */
const STICKY = 0o1000;
/** Who else may write, by the mode's group and others write bits (shifted down by one). */
const WHO: Record<number, string> = { 0o001: 'others', 0o010: 'its group', 0o011: 'its group and others' };

/** What the CLI does not do with a file not trusted, said after "so": the control file's by default. */
export const REQUESTS_NOT_ACTED_ON = 'its requests are not acted on';

/**
 * Why `what` (`the control file <path>`, `its directory <path>`, `its state directory <path>`) is not to be
 * trusted, with the fix; undefined when it is. `uid` undefined (Windows: no owner or mode bits to judge, its
 * ACLs are not read) trusts it. `effect` says what is not done because of it (`its requests are not acted on`).
 */
export function untrusted(
  what: string,
  info: Ownership,
  uid: number | undefined,
  effect: string = REQUESTS_NOT_ACTED_ON,
): string | undefined {
  if (uid === undefined) return undefined;
  if (info.uid !== uid && info.uid !== 0)
    return (
      `${what} is owned by user ${info.uid}, not by the user the CLI runs as (${uid}) or root, so ${effect}; ` +
      `check them, then \`chown ${uid}\` it`
    );
  return writableByOthers(what, info, effect);
}

function writableByOthers(what: string, info: Ownership, effect: string): string | undefined {
  if ((info.mode & WRITABLE_BY_OTHERS) === 0) return undefined;
  return (
    `${what} may be written by ${WHO[(info.mode & WRITABLE_BY_OTHERS) >> 1]} ` +
    `(mode ${(info.mode & 0o7777).toString(8).padStart(4, '0')}), so ${effect}; ` +
    'check them, then `chmod go-w` it'
  );
}

/**
 * Why a directory above the state directory (`what`: `the directory <path> above its state directory <path>`)
 * is not to be trusted: its group or others may write it and it is not sticky (a sticky one, as /tmp, lets
 * nobody but an entry's owner rename it). Its owner is not judged (see the header).
 */
export function untrustedAncestor(
  what: string,
  info: Ownership,
  uid: number | undefined,
  effect: string = REQUESTS_NOT_ACTED_ON,
): string | undefined {
  if (uid === undefined || (info.mode & STICKY) !== 0) return undefined;
  return writableByOthers(what, info, effect);
}

/** The user the process runs as, where the platform has one. */
export function processUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}
