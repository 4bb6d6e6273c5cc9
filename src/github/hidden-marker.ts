// Machine-readable state hidden in the app's own comments, one line per marker:
//
//   <!-- deploy-action:<kind> {json} mac=<hex> -->
//
// Three rules make a marker trustworthy, and this file is the only place that writes or reads one:
// - Authenticated: the MAC is HMAC-SHA256 over the kind, the JSON, the repository and the pull request (or
//   another subject, such as the environment and deployment of a state record), under a key only the app
//   holds (marker-keys.ts; a state record's key is derived from it per environment, src/state/state-key.ts). A marker copied from another PR or repository, made up,
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

/**
 * What a marker is bound to: the repository (owner/name, any case) and the pull request it is on, or, for a
 * marker that is not on a pull request, a subject string (a state record: its environment and deployment).
 */
export interface MarkerScope {
  repository: string;
  pullRequest?: number;
  subject?: string;
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
  if (scope.pullRequest === undefined && scope.subject === undefined)
    throw new Error('a marker scope needs a pull request or a subject');
  // Newline-separated: none of the parts can contain one (JSON.stringify escapes them), so no two different
  // inputs give the same bytes. A pull request marker's bytes are those of v1 before subjects existed, so
  // markers already posted still verify; a subject adds a sixth part.
  const parts = [
    'deploy-action marker v1',
    kind,
    scope.repository.toLowerCase(),
    scope.pullRequest === undefined ? '' : String(scope.pullRequest),
    json,
  ];
  if (scope.subject !== undefined) parts.push(`subject ${JSON.stringify(scope.subject)}`);
  return createHmac('sha256', key).update(parts.join('\n')).digest();
}

/**
 * `data` as JSON with `<`, `>` and `&` escaped (`\u003c`...), which JSON.parse reads back the same: no value
 * in it (a veto or lock reason, say) can end an HTML comment early, start one that looks like a marker, or
 * inject markup, wherever the line is shown or read.
 */
export function inertJson(data: unknown): string {
  return JSON.stringify(data).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One marker line for `data`, authenticated for `scope`. Add it to a body with appendMarkers only. */
export function writeMarker(kind: string, data: unknown, keys: MarkerKeys, scope: MarkerScope): string {
  if (!KIND.test(kind)) throw new Error(`marker kind ${JSON.stringify(kind)} must be lowercase letters`);
  const json = inertJson(data);
  return `<!-- deploy-action:${kind} ${json} mac=${mac(keys.current, kind, json, scope).toString('hex')} -->`;
}

/** The body the app posts: its text, then the markers as the trailing lines (the one place they are read). */
export function appendMarkers(text: string, markers: readonly string[]): string {
  if (markers.length === 0) return text;
  for (const m of markers)
    if (!LINE.test(m)) throw new Error('appendMarkers takes lines made by writeMarker');
  return `${text.trimEnd()}\n\n${markers.join('\n')}`;
}

/**
 * `body` with `text` added as a paragraph after its text and before its trailing marker lines, which stay
 * last (the one place they are read): a note added to a reply never moves a record out of the block.
 */
export function addBeforeMarkers(body: string, text: string): string {
  const lines = body.trimEnd().split('\n');
  let start = lines.length;
  while (start > 0 && lines[start - 1]!.startsWith('<!-- deploy-action:')) start--;
  const head = lines.slice(0, start).join('\n').trimEnd();
  const block = lines.slice(start);
  return [head, text, block.join('\n')].filter((part) => part !== '').join('\n\n');
}

export interface VerifiedMarker {
  kind: string;
  data: unknown;
}

/** A marker line of the trailing block as written, not yet verified. */
export interface RawMarker {
  kind: string;
  json: string;
  mac: string;
}

/** Does `marker` verify for `scope` under one of `accepted`? */
export function verifyMarker(marker: RawMarker, accepted: readonly Buffer[], scope: MarkerScope): boolean {
  return verifyingKey(marker, accepted, scope) >= 0;
}

/** The index in `accepted` of the key `marker` verifies under for `scope`; -1 when none. */
export function verifyingKey(marker: RawMarker, accepted: readonly Buffer[], scope: MarkerScope): number {
  const given = Buffer.from(marker.mac, 'hex');
  return accepted.findIndex((key) => {
    const expected = mac(key, marker.kind, marker.json, scope);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/**
 * The well-formed marker lines of `kinds` in the trailing block of a body, unverified, for a caller that must
 * tell apart a MAC made for another scope from none at all (state records: misplaced vs forged). Damaged
 * lines and markers outside the block go to `onTamper`. Prefer readMarkerBlock. Never throws.
 */
export function trailingMarkers(
  body: unknown,
  kinds: readonly string[],
  onTamper?: (report: TamperReport) => void,
): RawMarker[] {
  if (typeof body !== 'string' || body.length > MAX_BODY) return [];
  const report = (kind: string, reason: TamperReason) => onTamper?.({ kind, reason });
  // trimEnd, not replace(/\s+$/): that regex is quadratic on a long run of whitespace that does not end the
  // body, and anyone who can write a check run or a comment chooses the body (65,536 characters: seconds).
  const lines = body.trimEnd().split(/\r\n|\r|\n/);
  let start = lines.length;
  while (start > 0 && lines[start - 1]!.startsWith('<!-- deploy-action:')) start--;
  const out: RawMarker[] = [];
  for (const line of lines.slice(start)) {
    const kind = /^<!-- deploy-action:([a-z]+)[ -]/.exec(line)?.[1] ?? '';
    if (!kinds.includes(kind)) continue;
    const m = LINE.exec(line);
    if (!m) {
      report(kind, / mac=/.test(line) ? 'malformed' : 'no_mac');
      continue;
    }
    const [, , json, hex] = m as unknown as [string, string, string, string];
    out.push({ kind, json, mac: hex });
  }
  // The app never writes a marker above its block: one there was put in by an edit.
  for (const match of lines.slice(0, start).join('\n').matchAll(LOOKS_LIKE_MARKER))
    if (kinds.includes(match[1]!)) report(match[1]!, 'outside_block');
  return out;
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
  const report = (kind: string, reason: TamperReason) => reader.onTamper?.({ kind, reason });
  const out: VerifiedMarker[] = [];
  for (const marker of trailingMarkers(body, kinds, reader.onTamper)) {
    if (!verifyMarker(marker, reader.keys.accepted, reader.scope)) {
      report(marker.kind, 'bad_mac');
      continue;
    }
    try {
      out.push({ kind: marker.kind, data: JSON.parse(marker.json) as unknown });
    } catch {
      report(marker.kind, 'malformed');
    }
  }
  return out;
}

/**
 * The verified markers of one kind that `schema` refuses, each said in a few words: the format version it names
 * when it is not one this version writes (`format v2`), or the first field refused. Such a marker is genuine
 * (its MAC verified: the App wrote it), so it is most likely a newer version's record, met during a rolling
 * upgrade or after a downgrade; where skipping it could change a decision (a veto), the caller refuses instead.
 */
export function unreadableMarkers(
  markers: readonly VerifiedMarker[],
  kind: string,
  schema: ZodType,
  readsVersion: number,
): { data: unknown; why: string }[] {
  const out: { data: unknown; why: string }[] = [];
  for (const m of markers) {
    if (m.kind !== kind) continue;
    const parsed = schema.safeParse(m.data);
    if (parsed.success) continue;
    const v = (m.data as { v?: unknown } | null)?.v;
    const issue = parsed.error.issues[0];
    const field = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'refused';
    out.push({
      data: m.data,
      why:
        typeof v === 'number' && v !== readsVersion
          ? `format v${v}; this version reads v${readsVersion}`
          : `format v${readsVersion}, ${field}`,
    });
  }
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
