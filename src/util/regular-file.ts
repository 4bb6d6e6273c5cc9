// A file an operator names (a private key's path, a state key's file) read only when it is a regular file.
// Opened without waiting and looked at before it is read: a named pipe's open waits for a writer, on the main
// thread, for ever (a start that hung without a word); a directory gave EISDIR, which named neither the path
// nor what is wrong with it.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** Opened for reading without waiting for a FIFO's writer (refused as not a regular file once open). */
export const OPEN_WITHOUT_WAITING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a file that is not a regular one is, in words; undefined for a regular file. */
export function notRegular(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a directory';
  return info.isFIFO() ? 'a FIFO' : 'a device or socket';
}

export type RegularFileRead = { ok: true; text: string } | { ok: false; problem: string };

/** The text of the regular file at `path`; else what is wrong (an error code, or what the path is). */
export function readRegularFileSync(path: string): RegularFileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_WITHOUT_WAITING);
  } catch (error) {
    return { ok: false, problem: (error as NodeJS.ErrnoException).code ?? 'error' };
  }
  try {
    const kind = notRegular(fstatSync(fd));
    if (kind) return { ok: false, problem: `${kind}, not a regular file` };
    return { ok: true, text: readFileSync(fd, 'utf8') };
  } catch (error) {
    return { ok: false, problem: (error as NodeJS.ErrnoException).code ?? 'error' };
  } finally {
    closeSync(fd);
  }
}
