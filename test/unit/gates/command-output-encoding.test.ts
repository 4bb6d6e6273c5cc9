// What a gate command prints is decoded from what it wrote: UTF-16 with a byte order mark (Windows PowerShell,
// .NET tools, a redirect through PowerShell) or without one, and UTF-8 with or without a BOM. Read as UTF-8
// only, a UTF-16 `npm audit --json` had a zero byte between its characters and blocked as "no JSON report".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditGate } from '../../../src/gates/audit.ts';
import { decodeOutput } from '../../../src/gates/report-file.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const CLEAN_NPM_REPORT = {
  auditReportVersion: 2,
  vulnerabilities: {},
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
};

async function context(t: { after(fn: () => Promise<void>): void }): Promise<GateContext> {
  const cwd = await mkdtemp(join(tmpdir(), 'output-encoding-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  return { cwd, changedFiles: async () => [], signal: new AbortController().signal, log: () => {}, env: {} };
}

/** A command (this Node, by its path) that prints `text` encoded as `encoding`, and exits with `code`. */
function printing(text: string, encoding: 'utf16le' | 'utf16be' | 'utf8', code = 0): string[] {
  const script =
    encoding === 'utf16be'
      ? `const b = Buffer.from(${JSON.stringify(text)}, 'utf16le'); b.swap16(); process.stdout.write(b)`
      : `process.stdout.write(Buffer.from(${JSON.stringify(text)}, '${encoding}'))`;
  return [process.execPath, '-e', `${script}; process.exitCode = ${code}`];
}

test('the audit gate reads a report its command printed as UTF-16 (with or without a BOM) or UTF-8 with a BOM', async (t) => {
  const ctx = await context(t);
  const json = JSON.stringify(CLEAN_NPM_REPORT, null, 2);
  for (const [text, encoding] of [
    [`\uFEFF${json}\n`, 'utf16le'],
    [`\uFEFF${json}\n`, 'utf16be'],
    [`${json}\n`, 'utf16le'],
    [`\uFEFF${json}\n`, 'utf8'],
  ] as const) {
    const verdict = await auditGate.run(auditGate.schema.parse({ command: printing(text, encoding) }), ctx);
    assert.equal(
      `${verdict.status}: ${verdict.summary}`,
      'pass: no known vulnerabilities',
      `${encoding}${text.startsWith('\uFEFF') ? ' with BOM' : ''}`,
    );
  }
});

test('a failing test command’s UTF-16 output reaches its finding as text, not as zero bytes between letters', async (t) => {
  const ctx = await context(t);
  const verdict = await testsGate.run(
    testsGate.schema.parse({
      command: printing('\uFEFFFAIL src/app.test.ts\r\n  expected 200, got 503\r\n', 'utf16le', 1),
      thresholds: {},
    }),
    ctx,
  );
  assert.equal(verdict.status, 'block');
  const message = verdict.findings[0]!.message;
  assert.match(message, /FAIL src\/app\.test\.ts\n\s*expected 200, got 503$/);
  assert.ok(!message.includes('\u0000'), JSON.stringify(message));
});

test('decodeOutput: bytes that are not valid in their encoding read as U+FFFD, never throw', () => {
  assert.equal(decodeOutput(Buffer.from([0x63, 0x61, 0x66, 0xe9])), 'caf\uFFFD');
  assert.equal(decodeOutput(Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42])), 'A\uFFFD');
  assert.equal(decodeOutput(new Uint8Array()), '');
});
