// Config errors become annotations on the config file: at the line and column of the problem, and on the file
// alone when the problem is the file itself (not found, a directory), not on a "line 0" that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failWith } from '../../../src/action/run.ts';
import { ConfigLoadError } from '../../../src/config/errors.ts';

function annotations(error: unknown): string[] {
  const written: string[] = [];
  const write = process.stdout.write;
  const exitCode = process.exitCode;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    failWith(error);
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('::error'));
}

test('a config error is annotated at its line and column; a problem with the whole file at the file only', () => {
  const lines = annotations(
    new ConfigLoadError([
      { file: 'deploy.yml', line: 7, column: 5, path: 'environments.production', message: 'unknown key' },
      { file: 'missing.yml', line: 0, column: 0, path: '', message: 'config file not found' },
    ]),
  );
  assert.equal(lines.length, 3, lines.join('\n')); // two annotations, and the failure itself
  assert.match(
    lines[0]!,
    /^::error title=environments\.production,file=deploy\.yml,line=7,col=5::unknown key$/,
  );
  assert.match(lines[1]!, /^::error title=config,file=missing\.yml::config file not found$/);
  assert.doesNotMatch(lines.join('\n'), /line=0|col=0/);
});
