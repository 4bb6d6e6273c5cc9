// A file the user names for output (`alerts --output`) written whole or not at all. Written in place, a write
// that failed half-way (a full disk, a file size limit) left the file truncated: the rule file Prometheus loads
// emptied or cut mid-rule, the rules it held before gone. The text goes to a draft beside the file first, then
// is renamed over it (atomic on one file system), so a failure leaves the file as it was. Where no draft may be
// made or given the file's owner, or the file is a mount of its own, it is written in place as before: the
// write the user could do stays.
import { randomInt } from 'node:crypto';
import { chmod, chown, lstat, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';

export async function writeWhole(path: string, text: string): Promise<void> {
  const link = await lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  // A device or a pipe (`--output /dev/stdout`), or a link to no file yet: written through, as before; a
  // rename would replace the device's name or the link itself.
  if ((info && !info.isFile()) || (link && !info)) return writeFile(path, text);
  // The file a link leads to is replaced, the link kept (a rules directory linking to the file).
  const target = link ? await realpath(path) : path;
  const draft = `${target}.${process.pid}.${randomInt(2 ** 47)}.tmp`;
  try {
    await writeFile(draft, text, { flag: 'wx' });
    if (info) {
      // The replaced file's owner and group (a rules file of the Prometheus user's, mode 0640, written by root
      // in a container), then its permissions (a chown may clear set-id bits): the umask's and the writer's, its
      // owner could no longer read it.
      await chown(draft, info.uid, info.gid);
      await chmod(draft, info.mode & 0o7777);
    }
    await rename(draft, target);
  } catch (error) {
    await rm(draft, { force: true });
    // No draft allowed beside it (a directory the writer may not add to, a file of another owner it may write),
    // or no file may be renamed over it (a file mounted on its own: a rules file bound into a container):
    // written in place, as before, where the file alone was writable.
    if (info && notReplaceable(error)) return writeFile(path, text);
    throw error;
  }
}

function notReplaceable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EBUSY';
}
