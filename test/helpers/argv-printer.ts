// A program that prints the argv it received, for tests that check what a command's arguments arrive as: a
// /bin/sh script (a shell builtin and od), as a node process per run cost ~0.1 s of CPU. Each argument's bytes
// then a NUL (no argument can hold one), all as hex digits, so no byte of a value can split a line or end the
// output early.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ARGV_PRINTER = 'for a do printf \'%s\\000\' "$a"; done | od -An -v -tx1\n';

/** Writes the printer into `dir` as print-argv.sh; its path (run it with /bin/sh). */
export function writeArgvPrinter(dir: string): string {
  const path = join(dir, 'print-argv.sh');
  writeFileSync(path, ARGV_PRINTER);
  return path;
}

/** The argv the printer printed (fails the test when `output` is not the printer's). */
export function printedArgv(output: string): string[] {
  const hex = output.replace(/\s+/g, '');
  assert.match(hex, /^(?:[0-9a-f]{2})*$/, `not the printer's output: ${JSON.stringify(output)}`);
  const bytes = Buffer.from(hex, 'hex');
  assert.ok(bytes.length === 0 || bytes.at(-1) === 0, `the output ends inside an argument: ${output}`);
  const argv: string[] = [];
  for (let start = 0, end = bytes.indexOf(0); end !== -1; start = end + 1, end = bytes.indexOf(0, start))
    argv.push(bytes.toString('utf8', start, end));
  return argv;
}
