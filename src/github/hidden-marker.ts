// Machine-readable state hidden in the app's own comments, one line per marker:
//
//   <!-- deploy-action:<kind> {json} mac=<hex> -->
//
// Three rules make a marker trustworthy, and this file is the only place that writes or reads one:
// - Authenticated: the MAC is HMAC-SHA256 over the kind, the JSON, the repository and the pull request,
//   under a key only the app holds (marker-keys.ts). A marker copied from another PR or repository, made up,
//   or edited by anyone (a repository admin can edit the app's comments) does not verify and is ignored.
// - One place: markers are written only as the trailing lines of a body (appendMarkers) and read only from
//   there; a marker-looking text anywhere else in a body is never read.
// - The caller still reads only comments written by the app's own login (app/facts/own-comments.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ZodType } from 'zod';
import type { MarkerKeys } from './marker-keys.ts';

/** Bodies longer than GitHub's comment limit are not read at all. */
const MAX_BODY = 65_536;
const KIND = /^[a-z]+$/;
const LINE = /^<!-- deploy-action:([a-z]+) (\{[^\r\n]*\}) mac=([0-9a-f]{64}) -->$/;
const LOOKS_LIKE_MARKER = /<!-- deploy-action:([a-z]+) /g;

/** What a marker is bound to: the repository (owner/name, any case) and the pull request it is on. */
export interface MarkerScope {
  repository: string;
  pullRequest: number;
}

/** Why a marker in an app comment was not believed. */
export type TamperReason = 'no_mac' | 'bad_mac' | 'malformed' | 'outside_block';

export interface TamperReport {
  kind: string;
  reason: TamperReason;
}

export interface MarkerReader {
  keys: MarkerKeys;
  scope: MarkerScope;
  /** Called once per marker that was ignored because it cannot be the app's own (logged as tampering). */
  onTamper?: (report: TamperReport) => void;
}

function mac(key: Buffer, kind: string, json: string, scope: MarkerScope): Buffer {
  // Newline-separated: none of the parts can contain one (JSON.stringify escapes them), so no two different
  // inputs give the same bytes.
  return createHmac('sha256', key)
    .update(
      ['deploy-action marker v1', kind, scope.repository.toLowerCase(), String(scope.pullRequest), json].join(
        '\n',
      ),
    )
    .digest();
}

/** One marker line for `data`, authenticated for `scope`. Add it to a body with appendMarkers only. */
export function writeMarker(kind: string, data: unknown, keys: MarkerKeys, scope: MarkerScope): string {
  if (!KIND.test(kind)) throw new Error(`marker kind ${JSON.stringify(kind)} must be lowercase letters`);
  // `<`, `>` and `&` escaped inside the JSON so no value (a veto reason, say) can end the HTML comment early
  // or inject markup.
  const json = JSON.stringify(data).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<!-- deploy-action:${kind} ${json} mac=${mac(keys.current, kind, json, scope).toString('hex')} -->`;
}

/** The body the app posts: its text, then the markers as the trailing lines (the one place they are read). */
export function appendMarkers(text: string, markers: readonly string[]): string {
  if (markers.length === 0) return text;
  for (const m of markers)
    if (!LINE.test(m)) throw new Error('appendMarkers takes lines made by writeMarker');
  return `${text.replace(/\s+$/, '')}\n\n${markers.join('\n')}`;
}

export interface VerifiedMarker {
  kind: string;
  data: unknown;
}

function verified(keys: MarkerKeys, kind: string, json: string, hex: string, scope: MarkerScope): boolean {
  const given = Buffer.from(hex, 'hex');
  return keys.accepted.some((key) => {
    const expected = mac(key, kind, json, scope);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/**
 * The authenticated markers of `kinds` in the trailing block of a body. Anything that is not the app's own
 * (no MAC, a wrong one, a damaged line, a marker outside the block) is ignored and reported to onTamper.
 * Never throws.
 */
export function readMarkerBlock(
  body: unknown,
  kinds: readonly string[],
  reader: MarkerReader,
): VerifiedMarker[] {
  if (typeof body !== 'string' || body.length > MAX_BODY) return [];
  const report = (kind: string, reason: TamperReason) => reader.onTamper?.({ kind, reason });
  const lines = body.replace(/\s+$/, '').split(/\r\n|\r|\n/);
  let start = lines.length;
  while (start > 0 && lines[start - 1]!.startsWith('<!-- deploy-action:')) start--;
  const out: VerifiedMarker[] = [];
  for (const line of lines.slice(start)) {
    const kind = /^<!-- deploy-action:([a-z]+)[ -]/.exec(line)?.[1] ?? '';
    if (!kinds.includes(kind)) continue;
    const m = LINE.exec(line);
    if (!m) {
      report(kind, / mac=/.test(line) ? 'malformed' : 'no_mac');
      continue;
    }
    const [, , json, hex] = m as unknown as [string, string, string, string];
    if (!verified(reader.keys, kind, json, hex, reader.scope)) {
      report(kind, 'bad_mac');
      continue;
    }
    try {
      out.push({ kind, data: JSON.parse(json) as unknown });
    } catch {
      report(kind, 'malformed');
    }
  }
  // The app never writes a marker above its block: one there was put in by an edit.
  for (const match of lines.slice(0, start).join('\n').matchAll(LOOKS_LIKE_MARKER))
    if (kinds.includes(match[1]!)) report(match[1]!, 'outside_block');
  return out;
}

/** The verified markers of one kind that `schema` accepts; a MAC'd marker the schema refuses is skipped. */
export function markersOf<T>(markers: readonly VerifiedMarker[], kind: string, schema: ZodType<T>): T[] {
  const out: T[] = [];
  for (const m of markers) {
    if (m.kind !== kind) continue;
    const parsed = schema.safeParse(m.data);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}
