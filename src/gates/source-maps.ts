// The build gate's source maps (seed 01's build validation: "Validate source maps"): each generated file a glob
// of `source_maps` matches must have a source map (the one its sourceMappingURL comment names, inline or a
// file, else `<file>.map` beside it) that is a Source Map revision 3 a debugger or an error tracker can read.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { Finding } from './types.ts';

/** The last sourceMappingURL comment of a JavaScript (`//#`) or CSS (`/*#`) file, as written. */
export function sourceMappingUrl(text: string): string | undefined {
  const tail = text.slice(-4096);
  const matches = [...tail.matchAll(/(?:\/\/|\/\*)[#@]\s*sourceMappingURL=([^\s*]+)/g)];
  return matches.at(-1)?.[1];
}

/** Why a source map's text is no usable revision 3 map (pure), or undefined when it is one. */
export function sourceMapProblem(text: string): string | undefined {
  let map: unknown;
  try {
    map = JSON.parse(text.replace(/^\)\]\}'[^\n]*\n/, ''));
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return 'not a JSON object';
  const m = map as Record<string, unknown>;
  if (m.version !== 3) return `version ${JSON.stringify(m.version)}, not 3`;
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

/** The map's text: inline (a data: URL), the file the comment names, else `<file>.map`; or why there is none. */
async function mapTextOf(
  cwd: string,
  path: string,
): Promise<{ text: string; where: string } | { missing: string }> {
  const text = await readFile(join(cwd, path), 'utf8');
  const url = sourceMappingUrl(text);
  if (url?.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = url.slice(5, comma);
    const body = url.slice(comma + 1);
    return {
      text: header.endsWith(';base64')
        ? Buffer.from(body, 'base64').toString('utf8')
        : decodeURIComponent(body),
      where: 'its inline map',
    };
  }
  if (url && /^[a-z][a-z0-9+.-]*:/i.test(url))
    return { missing: `its sourceMappingURL is ${url}, not a file of the build` };
  const candidate = normalize(
    url ? join(dirname(path), decodeURIComponent(url.split(/[?#]/)[0]!)) : `${path}.map`,
  );
  if (candidate === '..' || candidate.startsWith(`..${sep}`) || isAbsolute(candidate))
    return { missing: `its sourceMappingURL ${url} is outside the build directory` };
  try {
    return { text: await readFile(join(cwd, candidate), 'utf8'), where: candidate };
  } catch {
    return {
      missing: url
        ? `its sourceMappingURL names ${candidate}, which does not exist`
        : `no sourceMappingURL comment and no ${candidate}`,
    };
  }
}

/** One finding per generated file whose source map is missing or unreadable. */
export async function sourceMapFindings(cwd: string, paths: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const path of paths) {
    const map = await mapTextOf(cwd, path);
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
