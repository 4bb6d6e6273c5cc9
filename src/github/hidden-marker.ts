// Machine-readable data hidden in a comment: `<!-- deploy-action:<kind> {json} -->`. One codec for every
// kind (approval, pending request...), so escaping and parsing cannot drift between them. Only markers in
// comments written by the app itself may be trusted; that check belongs to the reader.
import type { ZodType } from 'zod';

/** Bodies longer than GitHub's comment limit are not read at all. */
const MAX_BODY = 65_536;

export function writeMarker(kind: string, data: unknown): string {
  // `<`, `>` and `&` escaped inside the JSON so no value (a veto reason, say) can end the HTML comment early
  // or inject markup.
  const json = JSON.stringify(data).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<!-- deploy-action:${kind} ${json} -->`;
}

/** Every well-formed `kind` marker in a body that `schema` accepts; anything malformed is skipped, never thrown on. */
export function readMarkers<T>(body: unknown, kind: string, schema: ZodType<T>): T[] {
  if (typeof body !== 'string' || body.length > MAX_BODY) return [];
  const pattern = new RegExp(`<!-- deploy-action:${kind} (\\{[^\\n]*?\\}) -->`, 'g');
  const out: T[] = [];
  for (const match of body.matchAll(pattern)) {
    let json: unknown;
    try {
      json = JSON.parse(match[1]!);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}
