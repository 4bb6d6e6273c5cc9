// A file an operator names (a private key's path, a state key's file) read only when it is a regular file.
// Opened without waiting and looked at before it is read: a named pipe's open waits for a writer, on the main
// thread, for ever (a start that hung without a word); a directory gave EISDIR, which named neither the path
// nor what is wrong with it.
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';

/** Opened for reading without waiting for a FIFO's writer (refused as not a regular file once open). */
export const OPEN_WITHOUT_WAITING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a file that is not a regular one is, in words; undefined for a regular file. */
export function notRegular(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a directory';
  return info.isFIFO() ? 'a FIFO' : 'a device or socket';
}

/**
 * Gives `use` what `path` is and a reader of its text. Looked at first, and only a regular file is opened (a
 * device or a FIFO's writer can react to an open); opened without waiting, and judged again by fstat of what
 * was opened, so nothing swapped in after the look is what gets read; closed after. For anything but a
 * regular file (or what cannot be opened as one: a socket, a directory on some systems) `use` gets the look
 * and a reader that throws. Errors of the look or the open (ENOENT, EACCES, ...) are thrown as they are.
 */
export function withOpenedFile<T>(path: string, use: (info: Stats, readText: () => string) => T): T {
  const looked = statSync(path);
  const unread = (why: string) => () => {
    throw new Error(`${path} is not read: ${why}`);
  };
  if (!looked.isFile()) return use(looked, unread('not a regular file'));
  let fd: number;
  try {
    fd = openSync(path, OPEN_WITHOUT_WAITING);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENXIO' && code !== 'EISDIR') throw error;
    // Swapped for a socket or a directory since the look: said as what it is now.
    return use(statSync(path), unread(code));
  }
  try {
    return use(fstatSync(fd), () => readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

export type RegularFileRead = { ok: true; text: string } | { ok: false; problem: string };

/** Larger than any key file (a PEM key is a few KB): a wrong path to a log or an image is not read in full. */
export const KEY_FILE_MAX_BYTES = 1024 * 1024;

/**
 * The text of the regular file at `path`; else what is wrong (an error code, what the path is, or its size
 * over `maxBytes`).
 */
export function readRegularFileSync(path: string, maxBytes = KEY_FILE_MAX_BYTES): RegularFileRead {
  try {
    return withOpenedFile(path, (info, readText): RegularFileRead => {
      const kind = notRegular(info);
      if (kind) return { ok: false, problem: `${kind}, not a regular file` };
      if (info.size > maxBytes)
        return { ok: false, problem: `${info.size} bytes, more than the ${maxBytes} such a file may have` };
      return { ok: true, text: readText() };
    });
  } catch (error) {
    return { ok: false, problem: (error as NodeJS.ErrnoException).code ?? 'error' };
  }
}
