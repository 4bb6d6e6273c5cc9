// Shell variables that hold a templated value. In a `shell: true` script a value also travels through
// variables: `v={{x}}; $v`, `export X={{x}}; "$X" deploy`, `read -r v <<< {{x}}; eval "$v"`, `for v in {{x}}; do
// bash "$v"; done`, and the DEPLOY_* variables every value is exported as. A reference to such a variable is the
// value itself: shell-script.ts refuses it wherever it refuses the template (the program, a subcommand, a
// sourced file, code, what a shell reads on its standard input, ssh's remote command), and `${!v}`, which reads
// the variable the value names. Pure.

/** A reference to a shell variable in a word: `$v`, `${v}`, `${v:-…}`, `${!v}`, `$1`, `"$@"`. */
export interface VariableRef {
  variable: string;
  /** Offsets in the script: from its "$" to after its name or its closing brace. */
  start: number;
  end: number;
  /** `${!v}`: the value of the variable whose name is the value of v. */
  indirect: boolean;
}

/** What a variable holds: the templates whose values may be in it, and where it was set (-1: from the start). */
export interface Held {
  names: string[];
  offset: number;
  /**
   * Set only from words whose value is fixed text and templates (v={{x}}, v="app:{{x}}", v=$w where w is such a
   * variable): the fixed text, and the offsets of the templates. A site that checks a value once rendered (ssh's
   * remote line, a make variable, a sed s command) checks the fixed text now and those templates once rendered.
   * Undefined when any assignment holds more (a substitution, ${v//…}, read, for).
   */
  exact?: Exact;
}

export interface Exact {
  literal: string;
  sites: number[];
  /** The value as written, its templates in place (`registry/app:{{version}}`), when one assignment sets it. */
  text?: string;
}

const PSEUDO = '__var_';

/** The stand-in template name for a reference to `variable`, so programs.ts and launchers.ts see a value there. */
export function pseudoName(variable: string): string {
  if (variable.startsWith('!'))
    return `${PSEUDO}indirect_${pseudoName(variable.slice(1)).slice(PSEUDO.length)}`;
  return (
    PSEUDO + (variable === '@' ? 'at' : variable === '*' ? 'star' : variable === '#' ? 'last' : variable)
  );
}

/** The references in `text` (a word of a script at `offset`; a line of an unquoted here-document if `heredoc`). */
export function variableRefs(text: string, offset: number, heredoc = false): VariableRef[] {
  const refs: VariableRef[] = [];
  let single = false;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (single) {
      if (c === "'") single = false;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (!heredoc && c === "'" && !double) {
      single = true;
      continue;
    }
    if (!heredoc && c === '"') {
      double = !double;
      continue;
    }
    if (c !== '$') continue;
    const next = text[i + 1];
    if (next === '{' && text.startsWith('{!#}', i + 1)) {
      // ${!#}: the last positional parameter's value (held as "#", see inline-args.ts).
      refs.push({ variable: '#', start: offset + i, end: offset + i + 5, indirect: false });
      i += 4;
      continue;
    }
    if (next === '{') {
      const inner = /^([!#]?)([A-Za-z_]\w*|\d+|[@*])/.exec(text.slice(i + 2));
      if (!inner) continue;
      const after = text[i + 2 + inner[0].length];
      // ${#v} is a length; ${!prefix*}, ${!prefix@} and ${!a[@]} list names or keys, not values.
      if (inner[1] === '#' || (inner[1] === '!' && (after === '*' || after === '@' || after === '[')))
        continue;
      let depth = 0;
      let end = i + 1;
      for (; end < text.length; end++) {
        if (text[end] === '{') depth++;
        else if (text[end] === '}' && --depth === 0) break;
      }
      refs.push({
        variable: inner[2]!,
        start: offset + i,
        end: offset + end + 1,
        indirect: inner[1] === '!',
      });
      continue; // references inside its default value (${v:-$w}) are found too
    }
    const name = /^([A-Za-z_]\w*|[0-9@*])/.exec(text.slice(i + 1));
    if (name)
      refs.push({
        variable: name[1]!,
        start: offset + i,
        end: offset + i + 1 + name[1]!.length,
        indirect: false,
      });
  }
  return refs;
}

/** The variables of one script that hold a value, as its commands are read in order. */
export class HeldValues {
  readonly #held = new Map<string, Held>();
  readonly #namerefs = new Map<string, string>();
  /** Every template of the script: what `read` may read, when the script has any. */
  readonly #scriptNames: string[];

  constructor(scriptNames: readonly string[]) {
    this.#scriptNames = [...new Set(scriptNames)];
  }

  /** What `variable` holds, if a value: set from one here, or a DEPLOY_* variable (the value of a template). */
  holds(variable: string): Held | undefined {
    // declare -n r=v: r is v, whenever v is set.
    const target = this.#namerefs.get(variable);
    const own = this.#holds(variable);
    const through = target === undefined ? undefined : this.#holds(target);
    if (!through || !own) return own ?? through;
    return { names: [...new Set([...own.names, ...through.names])], offset: own.offset };
  }

  /** `declare -n name=target`: a reference to name reads target. */
  refer(name: string, target: string): void {
    this.#namerefs.set(name, target);
  }

  #holds(variable: string): Held | undefined {
    // "!n": what ${!n} reads when n holds no value: the variable n names, which may be any of them (a
    // positional parameter, a variable set from a template, a DEPLOY_* one), so any value of the script.
    if (variable.startsWith('!'))
      return { names: this.#scriptNames.length ? this.#scriptNames : ['DEPLOY_'], offset: -1 };
    const held = this.#held.get(variable);
    if (held) return held;
    const deploy = /^DEPLOY_(\w+)$/.exec(variable);
    return deploy ? { names: [deploy[1]!.toLowerCase()], offset: -1 } : undefined;
  }

  /**
   * `variable` is set at `offset` from words holding these templates. A later assignment of a fixed word does
   * not clear it: the two may be on different branches (if …; then v={{x}}; else v=a; fi).
   */
  assign(variable: string, names: readonly string[], offset: number, exact?: Exact): void {
    if (names.length === 0) return;
    const known = this.#held.get(variable);
    const both =
      exact && (!known || known.exact)
        ? {
            literal: (known?.exact?.literal ?? '') + exact.literal,
            sites: [...(known?.exact?.sites ?? []), ...exact.sites],
            ...(exact.text !== undefined &&
              (!known || known.exact?.text === exact.text) && { text: exact.text }),
          }
        : undefined;
    this.#held.set(variable, {
      names: [...new Set([...(known?.names ?? []), ...names])],
      offset: known?.offset ?? offset,
      ...(both && { exact: both }),
    });
  }

  /** `read`, `mapfile`: what they read may be a value whenever the script has templates. */
  read(variable: string, offset: number): void {
    this.assign(variable, this.#scriptNames, offset);
  }
}

/**
 * A message written for the stand-in template of `ref` (`{{__var_v}} is in …`), rewritten to name the variable,
 * where it is and the templates it holds.
 */
export function refMessage(ref: VariableRef, held: Held, message: string): string {
  const stand = `{{${pseudoName(ref.variable)}}}`;
  const indirect = ref.variable.startsWith('!');
  const spelled = ref.variable === '#' ? '${!#}' : indirect ? `\${${ref.variable}}` : `$${ref.variable}`;
  const holds = held.names
    .map((name) => (name === 'DEPLOY_' ? 'a DEPLOY_* variable' : `{{${name}}}`))
    .join(', ');
  const set =
    held.offset >= 0 ? `, set at character ${held.offset + 1}` : ', the environment variable of that value';
  const head = indirect
    ? `${spelled} (character ${ref.start + 1}) reads the variable whose name $${ref.variable.slice(1)} holds, which may hold ${holds}; it`
    : `${spelled} (character ${ref.start + 1}) holds ${holds}${set}; it`;
  const body = message.startsWith(stand) ? message.slice(stand.length) : ` ${message}`;
  const tail = indirect
    ? ` (no check can tell which variable ${spelled} reads: write that variable, or the template, there instead)`
    : '';
  return (head + body).replaceAll(stand, spelled) + tail;
}
