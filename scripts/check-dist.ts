// Fails when dist/ is not what a fresh build produces: the committed bundle is what runners execute.
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildDist } from './build.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const fresh = mkdtempSync(join(tmpdir(), 'dist-check-'));
await buildDist(fresh);
const freshFiles = listFiles(fresh)
  .map((f) => relative(fresh, f))
  .sort();
let committed: string[] = [];
try {
  committed = listFiles('dist')
    .map((f) => relative('dist', f))
    .sort();
} catch {
  console.error('dist/ is missing: run `npm run build` and commit dist/.');
  process.exit(1);
}
const problems: string[] = [];
for (const f of new Set([...freshFiles, ...committed])) {
  if (!freshFiles.includes(f)) problems.push(`dist/${f} is committed but a fresh build does not produce it`);
  else if (!committed.includes(f))
    problems.push(`dist/${f} is produced by a fresh build but is not committed`);
  else if (!readFileSync(join(fresh, f)).equals(readFileSync(join('dist', f))))
    problems.push(`dist/${f} differs from a fresh build`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error('Run `npm run build` and commit dist/.');
  process.exit(1);
}
console.log(`dist/ is fresh (${freshFiles.length} files).`);
