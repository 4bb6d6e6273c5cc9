// GitHub's limit on a step's job summary, and fitting a summary within it. Pure; its own file so that a run
// writing only a small summary (mode: metrics) does not load the deployment's summary to fit it.

/**
 * GitHub keeps a step's summary only up to 1 MiB and drops all of a bigger one; a summary stays under it with
 * room to spare (fitSummary).
 */
export const SUMMARY_MAX_BYTES = 1_000_000;

/**
 * The summary within `maxBytes` (UTF-8): cut after the last whole line that fits, a code fence left open
 * closed, and a line saying it was cut. Values are cut and lists capped before; this only catches the rest.
 */
export function fitSummary(markdown: string, maxBytes = SUMMARY_MAX_BYTES): string {
  if (Buffer.byteLength(markdown) <= maxBytes) return markdown;
  const note = '\n\n> ✂️ The rest of this summary was left out: it is longer than GitHub keeps for a step.\n';
  const room = maxBytes - Buffer.byteLength(note) - 8;
  // Decoding a cut that ends inside a character gives U+FFFD; the line it is on is dropped anyway.
  const head = Buffer.from(markdown).subarray(0, room).toString('utf8');
  const kept = head.slice(0, Math.max(0, head.lastIndexOf('\n')));
  const fences = kept.split('\n').filter((l) => l.startsWith('```')).length;
  return `${kept}${fences % 2 === 1 ? '\n```' : ''}${note}`;
}
