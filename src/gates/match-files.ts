// The files a gate's configured globs name, relative to the repository, the same way for every gate.
import { glob, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** A config field that takes one glob or a list of them. */
export function toList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Paths matching the globs (relative to cwd, forward slashes), sorted, each once; node_modules is never searched.
 * `noDirectories`: a directory the glob matches is left out (`prisma/migrations/**` matches each migration's
 * directory as well as its files).
 */
export async function matchFiles(
  patterns: string | string[],
  cwd: string,
  { noDirectories = false }: { noDirectories?: boolean } = {},
): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of toList(patterns)) {
    for await (const file of glob(pattern, { cwd, exclude: (name) => name === 'node_modules' })) {
      files.add(String(file).split(sep).join('/'));
    }
  }
  const sorted = [...files].sort();
  if (!noDirectories) return sorted;
  const directory = await Promise.all(
    sorted.map((path) =>
      stat(resolve(cwd, path)).then(
        (found) => found.isDirectory(),
        () => false,
      ),
    ),
  );
  return sorted.filter((_, index) => !directory[index]);
}
