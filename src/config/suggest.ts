// "Did you mean" suggestions for misspelled keys, enum values and variable names.
import { closest, distance } from 'fastest-levenshtein';

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
  return distance(lower, best.toLowerCase()) <= allowed && best !== word ? best : undefined;
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

/** Quoted, comma-separated: `"a", "b" or "c"`. */
export function listOf(values: readonly string[], conjunction = 'or'): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} ${conjunction} ${values.at(-1)}`;
}
