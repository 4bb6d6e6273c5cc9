// A program named by an expansion that holds fixed text alone (c=kubectl; $c apply …): the script is read again
// with each value written out, so the command gets the checks the written-out command gets. Separate from the
// reading, which hands it the expansions it found and the function that reads a script.
import { DIRECTORY_VARIABLE } from './stdin-routes.ts';
import type {
  InlineContext,
  TemplateSite,
  ShellTemplateProblem,
  ShellTemplateAnalysis,
} from './shell-sites.ts';
import type { FileSite } from './file-reads.ts';

/** A program named by an expansion whose every value is fixed text: its span and what may be put there. */
export interface ProgramResolution {
  start: number;
  end: number;
  raw: string;
  /** The text written in its place, one for each fixed value (programReplacement). */
  replacements: string[];
  /** The variable it is a reference to ($c, "${c}"), if one, and the fixed values it may hold there. */
  variable?: string;
  literals: string[];
}

/**
 * The expansions of `sorted` that hold the same value wherever the script runs them, by the index of the first
 * of them: references to one variable with the same values, with no assignment of it between them, in a script
 * whose commands each run at most once and in the order written (no loop, no function).
 */
function sameValueGroups(script: string, sorted: readonly ProgramResolution[]): number[] {
  const leader = sorted.map((_, k) => k);
  if (/(^|[\s;&|(){}])(while|until|for|select|function)(?=[\s;&|(){}]|$)|\(\s*\)/.test(script)) return leader;
  // The last expansion of each variable so far: the one before each of the same variable.
  const last = new Map<string, number>();
  sorted.forEach((r, k) => {
    if (r.variable === undefined) return;
    const j = last.get(r.variable);
    last.set(r.variable, k);
    if (j === undefined) return;
    const other = sorted[j]!;
    if (other.literals.join('\n') !== r.literals.join('\n')) return;
    const assigns = new RegExp(`(^|[^\\w$])${r.variable}(\\[[^\\]]*\\])?\\+?=|\\$\\{${r.variable}:?=`);
    if (assigns.test(script.slice(other.end, r.start))) return;
    leader[k] = leader[j]!;
  });
  return leader;
}

/** How many combinations of the values of programs named by expansions are read written out, at most. */
const MAX_COMBINATIONS = 64;

/** How deep programResolutions' readings of a script with its programs written out are nested. */
export let resolvingDepth = 0;

/**
 * The text to write in place of a program word `raw` ($c, "$c", ${c}, $(command -v c)) when it holds `literal`:
 * unquoted, the words the shell splits it into; quoted, one word. Undefined when the text cannot be written out
 * as the shell reads it (a glob, a template, an expansion other than the checkout's or the action's directory).
 */
export function programReplacement(raw: string, literal: string): string | undefined {
  if (literal.trim() === '' || /[*?[\]{}]|\{\{/.test(literal.replace(/^\$\{\w+\}/, ''))) return undefined;
  const quote = (text: string) =>
    /^[\w./@+:=,%-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
  const directory = new RegExp(`^(${DIRECTORY_VARIABLE})(/[\\w./@+-]*)$`).exec(literal);
  if (directory) return `"${directory[1]}"${directory[2]}`;
  if (literal.includes('$')) return undefined;
  return raw.startsWith('"') ? quote(literal) : literal.trim().split(/\s+/).map(quote).join(' ');
}

/**
 * c=kubectl; $c -n {{env}} …: a program named by an expansion that every assignment sets to fixed text is
 * that program. The script is read again with the text in the expansion's place (each combination of the values
 * of every such expansion in turn, up to MAX_COMBINATIONS; past that, every template is refused), so the
 * command gets every check the written-out command gets: its refusals are added to `problems` (the offsets and
 * characters of the script as written, and which value was put in place), and the checks made once rendered to
 * the sites of the same templates. `analyze`: analyzeShellTemplate, passed in by the reading that calls this.
 */
export function resolvePrograms(
  script: string,
  inherited: InlineContext | undefined,
  resolutions: readonly ProgramResolution[],
  sites: TemplateSite[],
  problems: ShellTemplateProblem[],
  analyze: (script: string, inherited?: InlineContext) => ShellTemplateAnalysis,
): void {
  const sorted = [...resolutions].sort((a, b) => a.start - b.start);
  // Every combination of the values: $A {{x}}; $B is cd {{x}}; ./deploy.sh only when A is cd and B ./deploy.sh.
  // Expansions sure to hold the same value take the same one ($DOCKER build …; $DOCKER push …).
  const leader = sameValueGroups(script, sorted);
  const rounds = sorted.reduce((n, r, k) => (leader[k] === k ? n * r.replacements.length : n), 1);
  if (rounds > MAX_COMBINATIONS) {
    const names = [...new Set(sorted.filter((r) => r.replacements.length > 1).map((r) => r.raw))];
    // Its templates, or in an inline script or a function the values its parameters hold.
    const values = [
      ...sites,
      ...[...new Set(Object.values(inherited?.held ?? {}).flat())].map((name) => ({ name, start: 0 })),
    ];
    for (const site of values)
      if (!problems.some((p) => p.name === site.name && p.offset === site.start))
        problems.push({
          reason: 'chooses',
          name: site.name,
          offset: site.start,
          message: `{{${site.name}}} (character ${site.start + 1}) is in a script whose programs named by expansions (${names.join(', ')}) may be ${rounds} combinations of programs, more than the ${MAX_COMBINATIONS} that are read written out, so which programs run is not known here: name the programs in the script, or set each variable to one program before it is run`,
        });
    return;
  }
  for (let round = 0; round < rounds; round++) {
    let text = '';
    let from = 0;
    // Where each replacement starts in the rewritten text, and how far later offsets moved.
    const moves: Array<{ at: number; by: number }> = [];
    const notes: string[] = [];
    let rest = round;
    const chosen: number[] = [];
    for (const [k, resolution] of sorted.entries()) {
      if (leader[k] === k) {
        chosen[k] = rest % resolution.replacements.length;
        rest = Math.floor(rest / resolution.replacements.length);
      } else chosen[k] = chosen[leader[k]!]!;
      const replacement = resolution.replacements[chosen[k]]!;
      text += script.slice(from, resolution.start);
      moves.push({ at: text.length, by: replacement.length - (resolution.end - resolution.start) });
      text += replacement;
      from = resolution.end;
      notes.push(`${resolution.raw} as ${replacement}`);
    }
    text += script.slice(from);
    // The moves before an offset, found by halving (moves are in the order of the text), their sum kept as it goes.
    const moved: number[] = [];
    for (const m of moves) moved.push((moved.at(-1) ?? 0) + m.by);
    const back = (offset: number) => {
      let low = 0;
      let high = moves.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (moves[middle]!.at < offset) low = middle + 1;
        else high = middle;
      }
      return offset - (low > 0 ? moved[low - 1]! : 0);
    };
    resolvingDepth++;
    let analysis: ShellTemplateAnalysis;
    try {
      analysis = analyze(text, inherited);
    } finally {
      resolvingDepth--;
    }
    // The script's own sites by name and start, to find each of the rewritten text's in one look.
    const owned = new Map<string, TemplateSite>();
    for (const s of sites) {
      const key = `${s.name}\u0000${s.start}`;
      if (!owned.has(key)) owned.set(key, s);
    }
    for (const site of analysis.sites) {
      const own = owned.get(`${site.name}\u0000${back(site.start)}`);
      if (!own) continue;
      for (const [key, value] of Object.entries(site) as Array<[keyof TemplateSite, unknown]>) {
        if (key === 'fileReads') own.fileReads = [...(own.fileReads ?? []), ...(value as FileSite[])];
        else if (own[key] === undefined) Object.assign(own, { [key]: value });
      }
    }
    if (analysis.ok) continue;
    const refused = new Set(problems.map((p) => `${p.reason}\u0000${p.name}\u0000${p.offset}`));
    for (const problem of analysis.problems) {
      const offset = back(problem.offset);
      const key = `${problem.reason}\u0000${problem.name}\u0000${offset}`;
      if (refused.has(key)) continue;
      refused.add(key);
      const message = problem.message.replace(
        /\(character (\d+)\)/g,
        (_, n: string) => `(character ${back(Number(n) - 1) + 1})`,
      );
      problems.push({ ...problem, offset, message: `${message} (read with ${notes.join(', ')})` });
    }
  }
}
