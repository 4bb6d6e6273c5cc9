// Making a directory's entries durable: a file created or renamed there survives a crash only once the
// directory itself is on disk (fsync of the directory, as fsync of a file makes its contents durable).
import { open } from 'node:fs/promises';

/** A directory fsync some platforms or file systems refuse (Windows cannot open a directory): skipped. */
const NO_DIRECTORY_SYNC = new Set(['EISDIR', 'EINVAL', 'EPERM']);

/** fsyncs `dir`, so the entries made in it so far survive a crash; skipped where that cannot be done. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
