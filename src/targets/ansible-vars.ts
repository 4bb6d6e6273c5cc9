// ansible-playbook -e / --extra-vars (and ansible's): the controller renders each value with Jinja, so a value
// holding `{{`, `{%` or `{#` runs as a template there (lookups read files and run programs). The argument stays
// allowed, and each value in it is checked when the command runs. Pure.

const PROGRAMS = new Set(['ansible-playbook', 'ansible']);

/** The words of an ansible command at `at` that are extra-vars arguments. */
export function extraVarsWords(words: readonly string[], at: number, name: string): number[] {
  if (!PROGRAMS.has(name)) return [];
  const found: number[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word === '-e' || word === '--extra-vars') {
      if (j + 1 < words.length) found.push(++j);
    } else if (/^-e./.test(word) || word.startsWith('--extra-vars=')) found.push(j);
  }
  return found;
}

/** Why a value in an extra-vars argument is refused once rendered, if it is. */
export function extraVarsValueProblem(name: string, value: string): string | undefined {
  const found = ['{{', '{%', '{#'].find((s) => value.includes(s));
  if (found === undefined) return undefined;
  return `{{${name}}} is in an ansible extra-vars argument (-e), and its value holds "${found}", which Jinja on the controller renders as a template (lookups read files and run programs): use a value without it`;
}
