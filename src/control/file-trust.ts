// Who may have written the CLI's control file (file-channel.ts), judged as ssh's StrictModes judges
// authorized_keys: a /promote in it moves traffic, so a file, or a directory on its way (`control/`, and the
// state directory that holds it: whoever may write that one may put another `control/` in its place), that
// someone other than the CLI's user (or root) owns or may write is not trusted, and none of its requests are
// acted on. Pure: the file's or directory's owner and mode, and who the CLI runs as, in; the reason it is not
// trusted out.

/** What is judged: from an lstat or fstat. */
export interface Ownership {
  uid: number;
  mode: number;
}

/** Group or others may write. */
const WRITABLE_BY_OTHERS = 0o022;
/** Who else may write, by the mode's group and others write bits (shifted down by one). */
const WHO: Record<number, string> = { 0o001: 'others', 0o010: 'its group', 0o011: 'its group and others' };

/**
 * Why `what` (`the control file <path>`, `its directory <path>`, `its state directory <path>`) is not to be trusted, with the fix; undefined
 * when it is. `uid` undefined (Windows: no owner or mode bits to judge, its ACLs are not read) trusts it.
 */
export function untrusted(what: string, info: Ownership, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  if (info.uid !== uid && info.uid !== 0)
    return (
      `${what} is owned by user ${info.uid}, not by the user the CLI runs as (${uid}) or root, so its ` +
      `requests are not acted on; check them, then \`chown ${uid}\` it`
    );
  if ((info.mode & WRITABLE_BY_OTHERS) !== 0)
    return (
      `${what} may be written by ${WHO[(info.mode & WRITABLE_BY_OTHERS) >> 1]} ` +
      `(mode ${(info.mode & 0o7777).toString(8).padStart(4, '0')}), so its requests are not acted on; ` +
      'check them, then `chmod go-w` it'
    );
  return undefined;
}

/** The user the process runs as, where the platform has one. */
export function processUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}
