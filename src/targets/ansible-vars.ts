// ansible-playbook -e / --extra-vars (and ansible's, ansible-pull's, ansible-console's): the controller renders
// each value with Jinja, so a value holding `{{`, `{%` or `{#` runs as a template there (lookups read files
// and run programs); a plain `-e` argument is split on whitespace into key=value pairs (a value with a space
// adds variables such as ansible_ssh_common_args, whose ProxyCommand runs on the controller); one that starts
// with `@` names a file of variables, and one that starts with `{` or `[` is read as YAML/JSON. The argument
// stays allowed, and each value in it is checked when the command runs. Pure.

const PROGRAMS = new Set(['ansible-playbook', 'ansible', 'ansible-pull', 'ansible-console']);
/**
 * Short options that take a value in every ansible program (ansible(1), ansible-playbook(1), ansible-pull(1)):
 * a cluster ends at one. A letter that is a flag in any of them (-C, -f, -d, -U…) is left out, so `-Ce X` is
 * read as -e; reading too much only checks more.
 */
const SHORT_WITH_VALUE = new Set('BcilMmPtTu'.split(''));
const LONG = '--extra-vars';
/** argparse takes a unique prefix of a long option: `--ex` is the shortest no other ansible option shares. */
const LONG_PREFIX = '--ex';

/** The words of an ansible command at `at` that are extra-vars arguments. */
export function extraVarsWords(words: readonly string[], at: number, name: string): number[] {
  if (!PROGRAMS.has(name)) return [];
  const found: number[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word.startsWith('--')) {
      const option = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
      if (!(option.startsWith(LONG_PREFIX) && LONG.startsWith(option))) continue;
      if (word.includes('=')) found.push(j);
      else if (j + 1 < words.length) found.push(++j);
      continue;
    }
    if (!word.startsWith('-') || word === '-') continue;
    // A cluster of flags (-ve, -vvveKEY=V): -e takes the rest, or the next word. No other option's value is
    // skipped: a word that is one is read as an option too, which can only find more.
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (letter === 'e') {
        if (c + 1 < word.length) found.push(j);
        else if (j + 1 < words.length) found.push(j + 1);
        break;
      }
      if (SHORT_WITH_VALUE.has(letter)) break;
    }
  }
  return found;
}

/** Why a value in an extra-vars argument is refused once rendered, if it is. */
export function extraVarsValueProblem(name: string, value: string): string | undefined {
  const where = `{{${name}}} is in an ansible extra-vars argument (-e), and its value`;
  const opener = ['{{', '{%', '{#'].find((s) => value.includes(s));
  if (opener !== undefined)
    return `${where} holds "${opener}", which Jinja on the controller renders as a template (lookups read files and run programs): use a value without it`;
  const split = /[\s'"\\]/.exec(value);
  if (split)
    return `${where} holds ${JSON.stringify(split[0])}: ansible splits a -e argument into key=value pairs at whitespace and reads quotes, so the value could set other variables (ansible_ssh_common_args runs a ProxyCommand on the controller): use a value without whitespace, quotes or backslashes`;
  // A brace, or a % or # after a brace written beside the template, can make an opener with the text around it.
  const brace = /[{}]|^[%#]/.exec(value);
  if (brace)
    return `${where} holds "${brace[0]}", which with the text around it could open a Jinja template on the controller: use a value without braces`;
  if (/^[@[]/.test(value))
    return `${where} starts with "${value[0]}": at the start of a -e argument that names a file of variables (@) or YAML/JSON, chosen by the value: use a value that starts otherwise`;
  return undefined;
}

/**
 * The argument of an extra-vars word found by extraVarsWords: the word itself, or what follows `--extra-vars=`
 * (or a prefix of it) or the `e` of a cluster of flags (`-ve@vars.yml`).
 */
export function extraVarsArgument(word: string): string {
  if (word.startsWith('--') && word.includes('=')) return word.slice(word.indexOf('=') + 1);
  if (/^-[A-Za-z]*e/.test(word) && !word.startsWith('--')) return word.slice(word.indexOf('e', 1) + 1);
  return word;
}

/**
 * An extra-vars argument that names a file of variables with a template in it (`-e @{{file}}`, `-e
 * @vars/{{env}}.yml`): the value would choose the file, and so every variable it sets (ansible_ssh_common_args
 * among them) and the Jinja in it. Why it is refused at load, for the template `name`.
 */
export function extraVarsFileMessage(name: string): string {
  return `{{${name}}} is in the file of variables an ansible extra-vars argument names (-e @FILE): its value would choose the file, and so every variable it sets (ansible_ssh_common_args runs a ProxyCommand on the controller) and the Jinja in it, which no check of the value can make safe; name the file in the config and pass the value as a variable (-e @vars/production.yml -e version={{${name}}}), or write a command per environment under environments.<name>.target`;
}

/** salt TARGET FUNCTION … pillar=…, salt-call FUNCTION … pillar=…: the words that are pillar data. */
export function saltPillarWords(words: readonly string[], at: number, name: string): number[] {
  if (!['salt', 'salt-call', 'salt-ssh'].includes(name)) return [];
  const found: number[] = [];
  for (let j = at + 1; j < words.length; j++) if (/^pillar=/.test(words[j]!)) found.push(j);
  return found;
}

/**
 * Whether a template in an extra-vars or pillar argument is in a key, given the text of the argument before and
 * after it: `-e {{k}}=1`, `-e 'a=1 {{k}}=2'`, `-e '{"{{k}}": 1}'`, `pillar='{"{{k}}": 1}'`. Its value would choose
 * which variable is set (ansible_ssh_common_args, a pillar key a state runs).
 */
export function inStructuredKey(before: string, after: string, yaml: boolean): boolean {
  if (yaml) return inYamlKey(before, after);
  const pair = before.split(/\s/).at(-1)!;
  return !pair.includes('=') && /^[^\s=]*=/.test(after);
}

/**
 * Whether a template in YAML or JSON text is in a key, given the text before and after it: the scalar it is in
 * runs from the last line start, `{`, `[` or `,` before it to the next line end, `,`, `]` or `}` after it, and is
 * a key when a ":" ends it (`{{k}}: v`, `- {{k}}: v`, `{ a: 1, {{k}}: v }`, `{"{{k}}":1}`, `app-{{k}}: v`) and
 * no ":" before it in that scalar made it a value, or when `?` starts it (an explicit key). Conservative: a
 * `,` inside a quoted value starts a scalar here too.
 */
export function inYamlKey(before: string, after: string): boolean {
  const from = Math.max(...['\n', '{', '[', ','].map((c) => before.lastIndexOf(c))) + 1;
  const head = before.slice(from).replace(/^\s*(-\s+)*/, '');
  if (/^\?(\s|$)/.test(head)) return true;
  // Quotes may be a shell's too ('\''): any run of quotes and backslashes before the ":".
  if (/:(\s|$)/.test(head) || /["'\\]\s*:/.test(head)) return false;
  // Inside a double-quoted scalar ("echo {{x}}: done"): a key only when a ":" follows its closing quote.
  if ((head.split('"').length - 1) % 2 === 1) return /^[^"\n]*"\s*:/.test(after);
  const tail = after.split(/[\n,\]}]/)[0]!;
  return /:(\s|$)/.test(tail) || /^[^"':]*["'\\]+\s*:/.test(tail);
}

/** Why a template in the key of an extra-vars or pillar argument is refused at load. */
export function structuredKeyMessage(name: string, where: string): string {
  return `{{${name}}} is in a key of ${where}: its value would choose which variable is set (ansible_ssh_common_args runs a ProxyCommand on the controller; a pillar key may be what a state runs), which no check of the value can make safe; write the key in the config and let the value be its value (version={{${name}}})`;
}

/**
 * ansible's connection and privilege variables whose value is a command line, a program or a plugin ansible runs
 * (on the controller or the host): ansible_ssh_common_args, _ssh_extra_args, _scp_extra_args (a ProxyCommand
 * runs on the controller), any *_interpreter (the interpreter the modules run in), *_exe and *_executable
 * (ansible_become_exe, ansible_ssh_executable, ansible_shell_executable), ansible_connection (local runs every
 * task on the controller), ansible_shell_type, ansible_become_method and _flags, ansible_network_os.
 */
const CONNECTION_VARIABLE =
  /^ansible_(?:\w*_args|\w*_interpreter|\w*_exe|\w*_executable|connection|shell_type|become_method|become_flags|network_os|\w*_transport)$/;

/**
 * The connection variable a template in an extra-vars or pillar argument is the value of, given the text of the
 * argument before it: `-e ansible_ssh_common_args={{x}}`, `-e '{"ansible_python_interpreter": "{{x}}"}'`.
 */
export function connectionVariableAt(before: string, yaml: boolean): string | undefined {
  const key = yaml
    ? /["']?([A-Za-z_]\w*)["']?\s*:\s*["']?[^"',{}[\]:]*$/.exec(before)?.[1]
    : /(?:^|[\s=])["']?([A-Za-z_]\w*)=[^\s=]*$/.exec(before)?.[1];
  return key !== undefined && CONNECTION_VARIABLE.test(key) ? key : undefined;
}

/** Why a template in the value of one of ansible's connection variables is refused at load. */
export function connectionVariableMessage(name: string, variable: string): string {
  return `{{${name}}} is in the value of ${variable}, an ansible connection variable whose value is a command line, a program or a plugin ansible runs (an ssh ProxyCommand runs on the controller; an interpreter or become program on the host; ansible_connection=local runs every task on the controller): its value would choose what runs, which no check of the value can make safe; write the value in the config (-e ansible_python_interpreter=/usr/bin/python3) or in the inventory, and pass values as other variables (-e version={{${name}}})`;
}
