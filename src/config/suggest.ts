// "Did you mean" suggestions for misspelled keys, enum values and variable names.
import { closest, distance } from 'fastest-levenshtein';
import { invisibleNameProblem } from './invisible.ts';
import { quoted } from './shown.ts';

/**
 * The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo: at most a
 * third of the word's length (at least 1, at most 3 edits), or the same word in another case.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word.length === 0) return undefined;
  const lower = word.toLowerCase();
  const sameIgnoringCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameIgnoringCase !== undefined && sameIgnoringCase !== word) return sameIgnoringCase;
  const best = closest(word, [...candidates]);
  const allowed = Math.min(3, Math.max(1, Math.ceil(word.length / 3)));
  if (distance(lower, best.toLowerCase()) <= allowed && best !== word) return best;
  // Two letters swapped ("ulr", "tpye") is one slip, though it is two edits for the distance above.
  return candidates.find((candidate) => swappedPair(lower, candidate.toLowerCase()));
}

/** One slip apart: one edit (a character added, dropped or changed), or two neighbouring ones swapped. */
export function oneSlipApart(a: string, b: string): boolean {
  return a !== b && (distance(a, b) === 1 || swappedPair(a, b));
}

/** `a` and `b` differ only by two neighbouring characters in the other order. */
function swappedPair(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let first = 0;
  while (a[first] === b[first]) first++;
  return a[first] === b[first + 1] && a[first + 1] === b[first] && a.slice(first + 2) === b.slice(first + 2);
}

/** `: did you mean "x"?` or an empty string, to append to a message. */
export function didYouMean(
  word: string,
  candidates: readonly string[],
  quote = (s: string) => `"${s}"`,
): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : `: did you mean ${quote(match)}?`;
}

/** Comma-separated with the conjunction before the last: `a, b or c`. The caller quotes the values. */
export function listOf(values: readonly string[], conjunction = 'or'): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} ${conjunction} ${values.at(-1)}`;
}

/** At most this many names are listed in a message; a config of 200 environments named them all. */
const LISTED_NAMES = 10;

/** Names quoted and joined with "and": `"a", "b" and "c"`; past ten, the first ten and how many more. */
export function quotedNames(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length <= LISTED_NAMES) return listOf(quoted, 'and');
  return `${quoted.slice(0, LISTED_NAMES).join(', ')} and ${quoted.length - LISTED_NAMES} more`;
}

/**
 * The one wording for a name that is not among the config's environments, with the likely one; for one
 * holding an invisible character (copied from a job summary), which, where, and what it reads without it.
 */
export function unknownEnvironmentMessage(name: string, known: readonly string[]): string {
  const invisible = invisibleNameProblem(name, 'environment name');
  if (invisible) return `unknown environment: ${invisible}`;
  const defined = known.length > 0 ? quotedNames(known) : 'none';
  return `unknown environment ${quoted(name)}: the config defines ${defined}${didYouMean(name, known)}`;
}
