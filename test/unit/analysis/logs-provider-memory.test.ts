// A logs command that floods its output past the 32 MiB it may print is stopped and its read fails: a provider
// error, with memory bounded near what is kept. Before, execa wrote every failed or stopped command's whole
// output into its error's message, escaped, in several copies: about 450 MB at the peak of one such read,
// two sides and a baseline at once past 1 GB, the heap's end for a few providers (a crash, no rollback).
// Measured in a process of its own: its peak resident memory is of this read alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const posix = process.platform !== 'win32';
const provider = fileURLToPath(new URL('../../../src/analysis/providers/logs.ts', import.meta.url));

// Floods stdout with error lines (never ends by itself; stopped past the limit).
const FLOOD = `const c = 'ERROR upstream timed out\\n'.repeat(50000);
const w = () => { while (process.stdout.write(c)); process.stdout.once('drain', w); };
w();`;

const READ = `
import { createLogsProvider } from ${JSON.stringify(provider)};
const p = createLogsProvider('logs', { type: 'logs', run: [process.execPath, '-e', ${JSON.stringify(FLOOD)}], retries: 0, timeout: 120000 });
const request = (side) => ({
  side,
  vars: { version: side === 'canary' ? '2' : '1' },
  metrics: [{ name: 'error_lines', config: { provider: 'logs' } }],
  intervalMs: 1000,
  signal: new AbortController().signal,
});
const before = process.resourceUsage().maxRSS;
const reads = await Promise.all([p.read(request('canary')), p.read(request('stable'))]);
const grewMiB = (process.resourceUsage().maxRSS - before) / 1024;
process.stdout.write(JSON.stringify({ grewMiB, errors: reads.flatMap((r) => r.errors) }));
`;

test(
  'logs provider: two sides flooding past 32 MiB at once fail as provider errors, their peak memory near what is kept',
  { skip: !posix && 'process groups are POSIX', timeout: 120_000 },
  () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', READ], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const { grewMiB, errors } = JSON.parse(out) as {
      grewMiB: number;
      errors: Array<{ code: string; message: string }>;
    };
    assert.deepEqual(
      errors.map((e) => e.code),
      ['command-failed', 'command-failed'],
    );
    for (const e of errors) {
      assert.match(e.message, /printed more than 33554432 characters and was stopped/);
      // The cause: the message carried the whole output, escaped. What it quotes of the output is a tail.
      assert.ok(e.message.length < 16_384, `the message is ${e.message.length} characters long`);
    }
    // Each side keeps up to 32 MiB while it reads: 64 MiB, and twice that for the rest (V8's spare heap, the
    // chunks joined). Before the fix: about 900 MiB.
    assert.ok(grewMiB < 192, `the reads took ${Math.round(grewMiB)} MiB at their peak`);
  },
);
