// Hit for hit: this checkout's secret scanner against another's (`--src DIR`, e.g. a `git worktree` of the
// commit before a change) over every file under the directories given, as raw bytes (invalid UTF-8, CRLF,
// minified bundles included): rule, line, column, raw value and the line count at the end. Prints a summary
// and the first differences; exits 1 on any. `node bench/secrets-compare.ts --src /tmp/base/src node_modules`
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import * as current from '../src/gates/secret-rules.ts';
import type { SecretHit } from '../src/gates/secret-rules.ts';

/** Files larger than this are skipped (the gate's default limit is 1 MB). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

type Rules = Pick<typeof current, 'scanBytes' | 'DEFAULT_SCAN_OPTIONS'>;

function scan(rules: Rules, bytes: Buffer): { hits: SecretHit[]; lines: number } {
  const hits: SecretHit[] = [];
  const lines = rules.scanBytes(bytes, 0, bytes.length, bytes.length, 1, rules.DEFAULT_SCAN_OPTIONS, (hit) =>
    hits.push(hit),
  );
  return { hits, lines };
}

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

export function compare(other: Rules, dirs: string[]) {
  const summary = { files: 0, bytes: 0, hits: 0, differences: [] as string[] };
  for (const dir of dirs)
    for (const path of filesUnder(dir)) {
      if (lstatSync(path).size > MAX_FILE_BYTES) continue;
      const bytes = readFileSync(path);
      // Binary, as the gate decides it: a NUL byte in the first 8000.
      if (bytes.subarray(0, 8000).includes(0)) continue;
      const mine = scan(current, bytes);
      const theirs = scan(other, bytes);
      summary.files++;
      summary.bytes += bytes.length;
      summary.hits += mine.hits.length;
      if (!isDeepStrictEqual(mine, theirs))
        summary.differences.push(
          `${path}: ${mine.hits.length} hits and ${mine.lines} lines here, ${theirs.hits.length} and ${theirs.lines} there`,
        );
    }
  return summary;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { src: { type: 'string' } } });
  if (!values.src || positionals.length === 0) {
    console.error('usage: node bench/secrets-compare.ts --src OTHER_CHECKOUT/src DIR...');
    process.exit(2);
  }
  const other = (await import(
    pathToFileURL(join(resolve(values.src), 'gates/secret-rules.ts')).href
  )) as Rules;
  const { files, bytes, hits, differences } = compare(other, positionals);
  console.log(
    `${files} files, ${(bytes / 1e6).toFixed(0)} MB, ${hits} hits: ${differences.length} files differ`,
  );
  for (const line of differences.slice(0, 20)) console.log(line);
  process.exitCode = differences.length > 0 ? 1 : 0;
}
