// Control requests dated ahead of this machine's clock (docs/control.md): requests are ordered by the time
// each carries (decide.ts), not by when they were written, so a /pause, /resume or /promote dated ahead stays
// the latest of them until that time, and one written after it does not decide whether the rollout is held.
// An /abort wins whenever it was made: it is never the concern. Said by the request commands (src/cli/
// control.ts) and by the rollout that reads the requests, once per request (ClockSkewWarnings). Pure.
import { CONTROL_CLOCK_SKEW_MS } from './decide.ts';
import type { ControlRequest } from './request.ts';

/** The requests of `deploymentId` whose order their date decides, dated more than the skew allowed after `nowMs`; oldest first. */
export function datedAheadOf(
  requests: readonly ControlRequest[],
  deploymentId: string,
  nowMs: number,
): ControlRequest[] {
  // A revocation orders only its person's approvals (decide.ts countedApprovals), never a hold.
  return requests
    .filter((r) => r.deploymentId === deploymentId && r.verb !== 'abort' && r.verb !== 'revoke')
    .filter((r) => Date.parse(r.at) > nowMs + CONTROL_CLOCK_SKEW_MS)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** `the /pause by alice is dated <at>, 3600 s after this machine's clock` */
export function datedAheadText(request: ControlRequest, nowMs: number): string {
  const seconds = Math.round((Date.parse(request.at) - nowMs) / 1000);
  return `the /${request.verb} by ${request.by} is dated ${request.at}, ${seconds} s after this machine's clock`;
}

/** What a rollout reading the requests says of each one dated ahead, once per request (by id). */
export class ClockSkewWarnings {
  readonly #warned = new Set<string>();

  /** The warnings (`clock_skew: …`) for the requests dated ahead that were not warned of before. */
  check(requests: readonly ControlRequest[], deploymentId: string, nowMs: number): string[] {
    return datedAheadOf(requests, deploymentId, nowMs)
      .filter((r) => !this.#warned.has(r.id))
      .map((r) => {
        this.#warned.add(r.id);
        return (
          `clock_skew: ${datedAheadText(r, nowMs)}: requests are ordered by the time they carry, so until ` +
          'then a /pause, /resume or /promote written after it does not decide whether the rollout is held ' +
          '(an /abort still stops it); check the clocks of the machines that write requests'
        );
      });
  }
}
