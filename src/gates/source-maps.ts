// The build gate's source maps (seed 01's build validation: "Validate source maps"): each generated file a glob
// of `source_maps` matches must have a source map (the one its sourceMappingURL comment names, inline or a
// file, else `<file>.map` beside it) that is a Source Map revision 3 a debugger or an error tracker can read.
// What a file or a map holds is the build's text: a finding quotes none of it beyond a short, bounded name, and
// a file that is a link out of the checkout is not read (its contents are the runner's, not the build's).
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { Finding } from './types.ts';

/** Past this a file is not read (it would take the runner's memory): its map is reported unchecked. */
export const MAX_SOURCE_MAP_READ_BYTES = 256 * 1024 * 1024;

/**
 * The last sourceMappingURL comment of a JavaScript (`//#`) or CSS (`/*#`) file, as written. The whole text
 * is searched: an inline map (a data: URL) puts the comment's start as far from the end as the map is long.
 */
export function sourceMappingUrl(text: string): string | undefined {
  let last: string | undefined;
  for (const match of text.matchAll(/(?:\/\/|\/\*)[#@]\s*sourceMappingURL=([^\s*]+)/g)) last = match[1];
  return last;
}

/** A value of the build's text as a finding shows it: quoted, at most 100 characters. */
function shown(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/** Why a source map's text is no usable revision 3 map (pure), or undefined when it is one. */
export function sourceMapProblem(text: string): string | undefined {
  let map: unknown;
  try {
    map = JSON.parse(text.replace(/^\)\]\}'[^\n]*\n/, ''));
  } catch (error) {
    // The parser's message quotes the text it failed on: its position only.
    const at = /at position (\d+)/.exec((error as Error).message)?.[1];
    return at ? `not JSON (at position ${at})` : 'not JSON';
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return 'not a JSON object';
  const m = map as Record<string, unknown>;
  if (m.version !== 3)
    return `version ${typeof m.version === 'number' ? m.version : `of type ${typeof m.version}`}, not 3`;
  // An index map (`sections`) holds maps of its own, each checked as one.
  if (Array.isArray(m.sections)) {
    for (const [i, section] of m.sections.entries()) {
      const inner = (section as { map?: unknown } | null)?.map;
      if (inner === undefined) return `sections[${i}] has no map`;
      const problem = sourceMapProblem(JSON.stringify(inner));
      if (problem) return `sections[${i}]: ${problem}`;
    }
    return undefined;
  }
  if (typeof m.mappings !== 'string') return 'no "mappings" string';
  if (!Array.isArray(m.sources) || !m.sources.every((s) => typeof s === 'string' || s === null))
    return 'no "sources" list';
  if (m.sources.length === 0 && m.mappings !== '') return '"mappings" but no "sources"';
  if (Array.isArray(m.sourcesContent) && m.sourcesContent.length !== m.sources.length)
    return `"sourcesContent" has ${m.sourcesContent.length} entries for ${m.sources.length} sources`;
  return undefined;
}

type MapText = { text: string; where: string } | { missing: string } | { unchecked: string };

/**
 * A file of the checkout's text, or why it is not read: a link to outside the checkout (`root` is the
 * checkout's real path), too large, or unreadable.
 */
async function readInside(
  root: string,
  path: string,
): Promise<{ text: string } | { outside: true } | { tooLarge: number } | { unreadable: string }> {
  try {
    const real = await realpath(join(root, path));
    const inside = relative(root, real);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return { outside: true };
    const { size } = await stat(real);
    if (size > MAX_SOURCE_MAP_READ_BYTES) return { tooLarge: size };
    return { text: await readFile(real, 'utf8') };
  } catch (error) {
    return { unreadable: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
}

const OUTSIDE = 'is a link to outside the checkout, not read';
const tooLarge = (size: number) =>
  `is ${Math.round(size / 1024 / 1024)} MB, over the ${MAX_SOURCE_MAP_READ_BYTES / 1024 / 1024} MB this gate reads`;

/** The map's text: inline (a data: URL), the file the comment names, else `<file>.map`; or why there is none. */
async function mapTextOf(root: string, path: string): Promise<MapText> {
  const file = await readInside(root, path);
  if ('outside' in file) return { missing: `${path} ${OUTSIDE}` };
  if ('tooLarge' in file) return { unchecked: `${path} ${tooLarge(file.tooLarge)}` };
  if ('unreadable' in file) return { missing: `${path} is unreadable (${file.unreadable})` };
  const url = sourceMappingUrl(file.text);
  if (url?.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = url.slice(5, comma);
    const body = url.slice(comma + 1);
    let text: string;
    try {
      text = header.endsWith(';base64')
        ? Buffer.from(body, 'base64').toString('utf8')
        : decodeURIComponent(body);
    } catch {
      return { missing: 'its inline map is not a readable data: URL' };
    }
    return { text, where: 'its inline map' };
  }
  if (url && /^[a-z][a-z0-9+.-]*:/i.test(url))
    return { missing: `its sourceMappingURL is ${shown(url)}, not a file of the build` };
  let named: string;
  try {
    named = url ? decodeURIComponent(url.split(/[?#]/)[0]!) : '';
  } catch {
    return { missing: `its sourceMappingURL ${shown(url!)} is not a readable path` };
  }
  const candidate = normalize(url ? join(dirname(path), named) : `${path}.map`);
  if (candidate === '..' || candidate.startsWith(`..${sep}`) || isAbsolute(candidate))
    return { missing: `its sourceMappingURL ${shown(url!)} is outside the build directory` };
  const map = await readInside(root, candidate);
  if ('text' in map) return { text: map.text, where: candidate };
  if ('outside' in map) return { missing: `${candidate} ${OUTSIDE}` };
  if ('tooLarge' in map) return { unchecked: `${candidate} ${tooLarge(map.tooLarge)}` };
  if (map.unreadable !== 'ENOENT' && map.unreadable !== 'ENOTDIR')
    return { missing: `${candidate} is unreadable (${map.unreadable})` };
  return {
    missing: url
      ? `its sourceMappingURL names ${candidate}, which does not exist`
      : `no sourceMappingURL comment and no ${candidate}`,
  };
}

/** One finding per generated file whose source map is missing or unreadable. */
export async function sourceMapFindings(cwd: string, paths: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const root = await realpath(cwd);
  for (const path of paths) {
    const map = await mapTextOf(root, path);
    if ('unchecked' in map) {
      findings.push({
        path,
        rule: 'build.source-map-unchecked',
        severity: 'warning',
        message: `${path}'s source map was not checked: ${map.unchecked}`,
      });
      continue;
    }
    if ('missing' in map) {
      findings.push({
        path,
        rule: 'build.source-map-missing',
        severity: 'error',
        message: `${path} has no source map: ${map.missing}`,
      });
      continue;
    }
    const problem = sourceMapProblem(map.text);
    if (problem)
      findings.push({
        path,
        rule: 'build.source-map-invalid',
        severity: 'error',
        message: `${path}: ${map.where} is no Source Map revision 3: ${problem}`,
      });
  }
  return findings;
}
