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

test('one finding too big for what is left ends its own gate’s list only: the other gates keep theirs', () => {
  const report = gatesReport([
    gate({ name: 'tests', findings: [...findings(1, 'x'.repeat(30_000)), ...findings(2, 'y')] }),
    gate({ name: 'secrets', findings: findings(3, 'z') }),
  ]);
  const output = gatesOutput(report, 20_000);
  assert.ok(Buffer.byteLength(output) <= 20_000, `${Buffer.byteLength(output)} bytes`);
  const [tests, secrets] = (JSON.parse(output) as { gates: GateOutput[] }).gates;
  assert.deepEqual(secrets!.findings, report.gates[1]!.findings);
  assert.equal(secrets!.findingsOmitted, undefined);
  // The first finding did not fit, so none after it is kept either: what is kept is always the first ones.
  assert.deepEqual(tests!.findings, []);
  assert.equal(tests!.findingsOmitted, 3);
});

test('gates keep equal numbers of their first findings while they fit, then the rest of the room goes on', () => {
  const report = gatesReport([
    gate({ name: 'sarif', findings: findings(300, 'a'.repeat(100)) }),
    gate({ name: 'tests', findings: findings(300, 'b'.repeat(100)) }),
    gate({ name: 'review', findings: findings(4, 'c') }),
  ]);
  const output = gatesOutput(report, 30_000);
  assert.ok(Buffer.byteLength(output) <= 30_000, `${Buffer.byteLength(output)} bytes`);
  const [sarif, tests, review] = (JSON.parse(output) as { gates: GateOutput[] }).gates;
  assert.equal(review!.findings.length, 4);
  assert.ok(Math.abs(sarif!.findings.length - tests!.findings.length) <= 1, 'shared evenly');
  assert.deepEqual(sarif!.findings, report.gates[0]!.findings.slice(0, sarif!.findings.length));
  assert.deepEqual(tests!.findings, report.gates[1]!.findings.slice(0, tests!.findings.length));
  // Nearly all the room is used: one more finding of either would not fit.
  assert.ok(
    Buffer.byteLength(output) + Buffer.byteLength(JSON.stringify(report.gates[0]!.findings[0])) + 1 > 30_000,
  );
});
