// The gates report as the Action's `gates` output (GitHub takes at most 1 MB): whole when it fits, else each
// gate's first findings, as many for each as fit, with how many were left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatesOutput, type GateOutput } from '../../../src/report/gates-output.ts';
import type { Finding } from '../../../src/gates/types.ts';
import { gate, gatesReport } from './fixtures.ts';

const findings = (count: number, text: string): Finding[] =>
  Array.from({ length: count }, (_, i) => ({ rule: 'r', severity: 'error', message: `${i} ${text}` }));

test('a report that fits is the whole report, unchanged', () => {
  const report = gatesReport([gate({ name: 'sarif', findings: findings(3, 'x') })]);
  assert.equal(gatesOutput(report, 10_000), JSON.stringify(report));
});

test('a report too big keeps every gate and its fields, each gate its first findings, and counts the rest', () => {
  const report = gatesReport([
    gate({ name: 'sarif', findings: findings(400, 'a'.repeat(100)) }),
    gate({ name: 'tests', findings: findings(5, 'b') }),
    gate({ name: 'audit', findings: [] }),
  ]);
  const output = gatesOutput(report, 20_000);
  assert.ok(Buffer.byteLength(output) <= 20_000, `${Buffer.byteLength(output)} bytes`);
  const shown = JSON.parse(output) as Omit<typeof report, 'gates'> & { gates: GateOutput[] };
  assert.equal(shown.status, report.status);
  assert.deepEqual(shown.reasons, report.reasons);
  assert.deepEqual(
    shown.gates.map((g) => [g.name, g.status, g.summary, g.findings.length + (g.findingsOmitted ?? 0)]),
    report.gates.map((g) => [g.name, g.status, g.summary, g.findings.length]),
  );
  const [sarif, tests, audit] = shown.gates;
  // The first ones, in order; as many as fit (one more would not).
  assert.deepEqual(sarif!.findings, report.gates[0]!.findings.slice(0, sarif!.findings.length));
  assert.ok(sarif!.findings.length > 100, `${sarif!.findings.length} kept`);
  assert.equal(tests!.findingsOmitted, undefined);
  assert.equal(audit!.findingsOmitted, undefined);
  // One more finding (and the comma before it) would not have fit.
  const next = JSON.stringify(report.gates[0]!.findings[sarif!.findings.length]);
  assert.ok(Buffer.byteLength(output) + Buffer.byteLength(next) + 1 > 20_000);
});

test('the limit is in bytes of UTF-8: findings of four-byte characters are cut to fit too', () => {
  const report = gatesReport([gate({ name: 'sarif', findings: findings(200, '😀'.repeat(50)) })]);
  const output = gatesOutput(report, 10_000);
  assert.ok(Buffer.byteLength(output) <= 10_000, `${Buffer.byteLength(output)} bytes`);
  const shown = JSON.parse(output) as { gates: GateOutput[] };
  assert.equal(shown.gates[0]!.findings.length + shown.gates[0]!.findingsOmitted!, 200);
});
