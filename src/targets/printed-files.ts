// The operands of a command that prints files (cat k8s/{{env}}.yaml | kubectl apply -f -): a value there picks
// which file of the checkout is read, not text of it, so a message about the value must say so (it chooses what
// is deployed, as in kubectl apply -f k8s/{{env}}.yaml). Pure.
import { programName } from './programs.ts';
import { lookupTable } from './lookup-table.ts';

/** Programs whose operands are all files they print (their options' values aside). */
const PRINTERS = new Set([
  'cat',
  'tac',
  'head',
  'tail',
  'nl',
  'zcat',
  'gzcat',
  'bzcat',
  'xzcat',
  'sort',
  'uniq',
]);

/** Programs whose first operand is a script or pattern (unless -e/-f gives it) and the rest files. */
const FILTERS = new Set(['sed', 'awk', 'gawk', 'mawk', 'grep', 'egrep', 'fgrep']);

/** Each program's short options taking a value apart (head -n 5, sort -k 2, sed -e s/a/b/), as letters. */
const VALUED: Readonly<Record<string, string>> = lookupTable({
  head: 'nc',
  tail: 'ncs',
  sort: 'ktoTS',
  uniq: 'fsw',
  nl: 'bdfhilnsvw',
  sed: 'efl',
  awk: 'fvF',
  gawk: 'fvF',
  mawk: 'fvF',
  grep: 'efmABCd',
  egrep: 'efmABCd',
  fgrep: 'efmABCd',
});

/** Whether the word at `index` of `words` (a command's words, its program first) names a file it prints. */
export function printsFileAt(words: readonly string[], index: number): boolean {
  const name = programName(words[0] ?? '');
  if (!PRINTERS.has(name) && !FILTERS.has(name)) return false;
  let script = FILTERS.has(name);
  let options = true;
  for (let k = 1; k < words.length; k++) {
    const word = words[k]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word !== '-') {
      // sed -e SCRIPT, awk -f PROG, grep -e PATTERN: the script is given, every operand is a file.
      if (FILTERS.has(name) && /^-[A-Za-z]*[ef]$|^--(expression|file|regexp)(=|$)/.test(word)) script = false;
      // The last letter of a cluster takes the next word when it takes a value (-rn 5; not -n5).
      if (/^-[A-Za-z]+$/.test(word) && (VALUED[name] ?? '').includes(word.at(-1)!)) k++;
      continue;
    }
    if (script) {
      script = false;
      if (k === index) return false;
      continue;
    }
    if (k === index) return true;
  }
  return false;
}
