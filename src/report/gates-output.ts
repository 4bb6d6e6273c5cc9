// The gates report as the Action's `gates` output. Pure.
//
// GitHub takes an output of at most 1 MB; a bigger one fails whatever reads it ("The maximum allowed memory
// size was exceeded while evaluating … steps.<id>.outputs.gates", "Maximum object size exceeded" as a job
// output). The report's findings are not bounded by that: the sarif gate alone lists up to 1,000 of up to
// 1,000 characters, and a test run where every test failed lists each one. So the output keeps the whole
// report when it fits, else every gate's first findings, as many for each as fit, and says how many it left
// out (`findingsOmitted`); the check runs carry them all as annotations.
import type { GatesReport } from '../gates/runner.ts';
import type { GateResult } from '../gates/types.ts';

/** What the output may be, in bytes of UTF-8: GitHub's 1 MB (10^6; its 2^20 leaves this room to spare). */
export const GATES_OUTPUT_MAX_BYTES = 1_000_000;

/** A gate in the output: its result, and how many of its findings were left out to fit (absent: none). */
export type GateOutput = GateResult & { findingsOmitted?: number };

/**
 * The report as JSON within `maxBytes`: whole when it fits, else each gate's first findings that fit, taken in
 * turns (every gate's first, then every gate's second, ...). A finding too big for the room left ends its own
 * gate's list, not the others': one test's stack trace of a megabyte left every gate without findings.
 */
export function gatesOutput(report: GatesReport, maxBytes = GATES_OUTPUT_MAX_BYTES): string {
  const whole = JSON.stringify(report);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const keeping = (kept: readonly number[]): string =>
    JSON.stringify({
      ...report,
      gates: report.gates.map((gate, i): GateOutput => {
        if (gate.findings.length <= kept[i]!) return gate;
        return {
          ...gate,
          findings: gate.findings.slice(0, kept[i]),
          findingsOmitted: gate.findings.length - kept[i]!,
        };
      }),
    });
  const kept = report.gates.map(() => 0);
  // With none kept, each count omitted is at its largest: keeping a finding adds its JSON and a comma, and
  // only shortens the count (or drops it), so `size` never falls short of the output's.
  let size = Buffer.byteLength(keeping(kept));
  const open = report.gates.map((gate) => gate.findings.length > 0);
  for (let turn = 0; open.some(Boolean); turn++) {
    report.gates.forEach((gate, i) => {
      if (!open[i]) return;
      const finding = gate.findings[turn];
      if (finding === undefined) return void (open[i] = false);
      const cost = Buffer.byteLength(JSON.stringify(finding)) + (turn > 0 ? 1 : 0);
      if (size + cost > maxBytes) return void (open[i] = false);
      size += cost;
      kept[i]!++;
    });
  }
  return keeping(kept);
}
