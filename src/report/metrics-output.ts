// The delivery metrics as the Action's `metrics` output. Pure.
//
// GitHub takes an output of at most 1 MB; a bigger one fails whatever reads it (gates-output.ts). Every
// environment of the window is in the report, some 530 bytes each, and a repository with a preview environment
// per pull request has thousands: past some 1,900 the output was over. So the output keeps the whole report when
// it fits, else the environments with the most deployments that fit (in the report's order), and says how many
// it left out (`environmentsOmitted`, and a note); the job summary's table lists each.
import { metricsJson } from '../metrics/report.ts';
import type { MetricsReport } from '../metrics/types.ts';

/** What the output may be, in bytes of UTF-8: GitHub's 1 MB (10^6; its 2^20 leaves this room to spare). */
export const METRICS_OUTPUT_MAX_BYTES = 1_000_000;

/** The report as JSON within `maxBytes`: whole when it fits, else the busiest environments that fit. */
export function metricsOutput(report: MetricsReport, maxBytes = METRICS_OUTPUT_MAX_BYTES): string {
  const whole = JSON.stringify(metricsJson(report));
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const all = report.environments;
  const keeping = (kept: ReadonlySet<number>): string => {
    const omitted = all.length - kept.size;
    return JSON.stringify({
      ...metricsJson({
        ...report,
        environments: all.filter((_, i) => kept.has(i)),
        notes: [
          ...report.notes,
          `${omitted} of ${all.length} environments, those with the fewest deployments, are left out of this output (GitHub takes 1 MB); the job summary lists each`,
        ],
      }),
      environmentsOmitted: omitted,
    });
  };
  // With none kept, the count omitted is at its longest: keeping one adds its JSON and a comma, and only shortens
  // the count, so `size` never falls short of the output's.
  const shown = metricsJson(report).environments;
  const kept = new Set<number>();
  let size = Buffer.byteLength(keeping(kept));
  // Busiest first; one that does not fit ends the list (the rest are no busier).
  const order = all
    .map((_, i) => i)
    .sort((a, b) => all[b]!.deployments.total - all[a]!.deployments.total || a - b);
  for (const i of order) {
    const cost = Buffer.byteLength(JSON.stringify(shown[i])) + 1;
    if (size + cost > maxBytes) break;
    size += cost;
    kept.add(i);
  }
  return keeping(kept);
}
