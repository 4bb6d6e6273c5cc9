// How a program reads its options, for the tools whose values deploy-sources.ts looks at: getopt_long (systemctl),
// argp (man-db's man) and GnuPG's argparse (gpg, gpgv) all take a long option by any unique prefix of its name
// (gpg --recv is --recv-keys, man --pag= is --pager=), its value after "=" or in the next word, and short options
// in clusters whose value-taking letter ends them (man -aP PAGER, -aPPAGER). Pure.

/** A long option's value: none, required (after "=" or the next word), or optional (after "=" only). */
export type Arity = 'none' | 'required' | 'optional';

export interface OptionGrammar {
  /** The long options by name (without the dashes), with their arity. */
  long: ReadonlyMap<string, Arity>;
  /** The short option letters that take a value (attached, or the next word). */
  shortValues: string;
  /** The short option letters whose value is optional: attached only. */
  shortOptional?: string;
  /** Whether options may follow operands (GNU's permutation); otherwise the first operand ends them (gpg). */
  permute: boolean;
}

/** An option read in `words`, by its full name (`--pager`, `-P`), with the word holding its value if any. */
export interface ReadOption {
  option: string;
  /** The word holding the value (the option's own word when attached: --pager=less, -Pless). */
  index?: number;
}

/**
 * The full name of a long option word's name (`recv` in `--recv`): itself if it is one, else the one option it is
 * a prefix of; undefined when it is none or the prefix of several (the program refuses it then).
 */
export function longOptionName(name: string, long: ReadonlyMap<string, Arity>): string | undefined {
  if (long.has(name)) return name;
  const matches = [...long.keys()].filter((option) => option.startsWith(name));
  return matches.length === 1 ? matches[0] : undefined;
}

/** The options of `words[from…]` (up to `--`) as `grammar` reads them, and the operands' indices. */
export function readOptions(
  words: readonly string[],
  from: number,
  grammar: OptionGrammar,
): { options: ReadOption[]; operands: number[] } {
  const options: ReadOption[] = [];
  const operands: number[] = [];
  let reading = true;
  for (let k = from; k < words.length; k++) {
    const word = words[k]!;
    if (!reading || word === '-' || !word.startsWith('-')) {
      operands.push(k);
      if (!grammar.permute) reading = false;
      continue;
    }
    if (word === '--') {
      reading = false;
      continue;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = longOptionName(eq < 0 ? word.slice(2) : word.slice(2, eq), grammar.long);
      if (name === undefined) continue;
      const arity = grammar.long.get(name)!;
      if (eq >= 0) options.push({ option: `--${name}`, index: k });
      else if (arity === 'required' && k + 1 < words.length)
        options.push({ option: `--${name}`, index: ++k });
      else options.push({ option: `--${name}` });
      continue;
    }
    // A cluster of short options: a value-taking letter takes the rest of the word, or the next word.
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (grammar.shortValues.includes(letter)) {
        if (c + 1 < word.length) options.push({ option: `-${letter}`, index: k });
        else if (k + 1 < words.length) options.push({ option: `-${letter}`, index: ++k });
        break;
      }
      if (grammar.shortOptional?.includes(letter)) {
        options.push(c + 1 < word.length ? { option: `-${letter}`, index: k } : { option: `-${letter}` });
        break;
      }
      options.push({ option: `-${letter}` });
    }
  }
  return { options, operands };
}

/** A grammar's long options from lists of names by arity. */
export function longOptions(
  required: readonly string[],
  none: readonly string[],
  optional: readonly string[] = [],
): ReadonlyMap<string, Arity> {
  return new Map<string, Arity>([
    ...required.map((name) => [name, 'required'] as const),
    ...none.map((name) => [name, 'none'] as const),
    ...optional.map((name) => [name, 'optional'] as const),
  ]);
}

/**
 * The operands of `words[from…]`: words that are no option and no value of one of `values`, the options written
 * whole (up to `--`, then every word).
 */
export function operandsOf(words: readonly string[], from: number, values: ReadonlySet<string>): number[] {
  const found: number[] = [];
  for (let k = from; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') {
      for (let j = k + 1; j < words.length; j++) found.push(j);
      break;
    }
    if (word.startsWith('-') && word !== '-') {
      if (!word.includes('=') && values.has(word)) k++;
      continue;
    }
    found.push(k);
  }
  return found;
}
