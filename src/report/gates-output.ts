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

/** The report as JSON within `maxBytes`: whole when it fits, else each gate's first findings that fit. */
export function gatesOutput(report: GatesReport, maxBytes = GATES_OUTPUT_MAX_BYTES): string {
  const whole = JSON.stringify(report);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const keeping = (kept: number): string =>
    JSON.stringify({
      ...report,
      gates: report.gates.map((gate): GateOutput => {
        if (gate.findings.length <= kept) return gate;
        return {
          ...gate,
          findings: gate.findings.slice(0, kept),
          findingsOmitted: gate.findings.length - kept,
        };
      }),
    });
  // The most findings a gate may keep for the whole to fit (the size grows with it: a binary search).
  let low = 0;
  let high = Math.max(0, ...report.gates.map((gate) => gate.findings.length));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(keeping(mid)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return keeping(low);
}
