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

/**
 * What a variable holds: the templates whose values may be in it, and where it was set (-1: from the start, the
 * environment variable of a value; AROUND: by the script around the one read, a trap's or eval's code or an
 * inline script it starts).
 */
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

/** Held.offset of a variable set by the script around the code read (a trap's string, an inline script). */
export const AROUND = -2;

/** How a message says where a variable holding a value was set: `, set at character 12`. */
export function setWhere(held: Held): string {
  if (held.offset >= 0) return `, set at character ${held.offset + 1}`;
  return held.offset === AROUND
    ? ', set by the script around it'
    : ', the environment variable of that value';
}

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
  /** Variables holding the name of one holding a value (n=v, n='a[v]', n=DEPLOY_X): see namesOf. */
  readonly #naming = new Map<string, Held & { subscript: boolean }>();
  /** Every template of the script: what `read` may read, when the script has any. */
  readonly #scriptNames: string[];
  /**
   * What a first reading of the whole script found held at its end: asked for a variable holding nothing yet
   * at this point of the text, which a function defined before its value is set (f() { $v; }; v={{x}}; f) or a
   * loop's earlier command reads when it runs.
   */
  readonly #later: HeldValues | undefined;

  constructor(scriptNames: readonly string[], later?: HeldValues) {
    this.#scriptNames = [...new Set(scriptNames)];
    this.#later = later;
  }

  /** What `variable` holds, if a value: set from one here, or a DEPLOY_* variable (the value of a template). */
  holds(variable: string): Held | undefined {
    // declare -n r=v: r is v, whenever v is set.
    const target = this.#namerefs.get(variable);
    const own = this.#holds(variable);
    // A variable holding nothing yet here may be one a later assignment sets (#later).
    const through = target === undefined ? undefined : this.#holds(target);
    if (!through || !own) return own ?? through ?? this.#later?.holds(variable);
    return { names: [...new Set([...own.names, ...through.names])], offset: own.offset };
  }

  /**
   * Whether `variable` holds the name of a variable holding a value, as text (n=v, n='a[v]', n="v + 1", set --
   * v, a nameref's target): bash evaluating n as an arithmetic expression evaluates v's value in turn, and one
   * naming a[v] (`subscript`) has v evaluated wherever it is used as a name (${!n}, [[ -v $n ]], declare -n
   * r=$n).
   */
  namesOf(variable: string): (Held & { subscript: boolean }) | undefined {
    const target = this.#namerefs.get(variable);
    return (
      this.#naming.get(variable) ??
      (target === undefined ? undefined : this.#naming.get(target)) ??
      this.#later?.namesOf(variable)
    );
  }

  /**
   * The variables named in `text`, the value of an assignment as written: those holding a value, those naming
   * one in turn, and DEPLOY_* ones, as bare words or references ('$v' read later as an expression expands
   * there). `subscript`: one is inside [ ] (a[v]).
   */
  namedIn(text: string): (Held & { subscript: boolean }) | undefined {
    const names: string[] = [];
    let subscript = false;
    let offset = -1;
    for (const m of text.matchAll(/(?<![\w#.])[A-Za-z_]\w*/g)) {
      const held = this.holds(m[0]) ?? this.namesOf(m[0]);
      if (!held) continue;
      names.push(...held.names);
      if (offset < 0) offset = held.offset;
      if (/\[[^\]]*$/.test(text.slice(0, m.index))) subscript = true;
      else if (this.namesOf(m[0])?.subscript) subscript = true;
    }
    return names.length ? { names: [...new Set(names)], offset, subscript } : undefined;
  }

  /** `variable` is set at `offset` to text naming variables that hold these templates (namedIn). */
  name(variable: string, named: { names: readonly string[]; subscript: boolean }, offset: number): void {
    const known = this.#naming.get(variable);
    this.#naming.set(variable, {
      names: [...new Set([...(known?.names ?? []), ...named.names])],
      offset: known?.offset ?? offset,
      subscript: (known?.subscript ?? false) || named.subscript,
    });
  }

  /** Every variable holding a value now (through a nameref too), and the templates it holds. */
  snapshot(): Record<string, string[]> {
    const all: Record<string, string[]> = this.#later?.snapshot() ?? {};
    for (const variable of new Set([...this.#held.keys(), ...this.#namerefs.keys()])) {
      const held = this.holds(variable);
      if (held) all[variable] = [...new Set([...(all[variable] ?? []), ...held.names])];
    }
    return all;
  }

  /** Every variable naming one that holds a value now (namesOf). */
  namingSnapshot(): Record<string, { names: string[]; subscript: boolean }> {
    const all: Record<string, { names: string[]; subscript: boolean }> = this.#later?.namingSnapshot() ?? {};
    for (const [variable, held] of this.#naming)
      all[variable] = { names: held.names, subscript: held.subscript };
    return all;
  }

  /** `declare -n name=target`: a reference to name reads target (any text: only a variable's name is followed). */
  refer(name: string, target: string): void {
    this.#namerefs.set(name, target);
  }

  /** The target of the nameref `name`, if it is one (as written: a[v], $n, or a variable's name). */
  target(name: string): string | undefined {
    return this.#namerefs.get(name) ?? this.#later?.target(name);
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
  const set = setWhere(held);
  const head = indirect
    ? `${spelled} (character ${ref.start + 1}) reads the variable whose name $${ref.variable.slice(1)} holds, which may hold ${holds}; it`
    : `${spelled} (character ${ref.start + 1}) holds ${holds}${set}; it`;
  const body = message.startsWith(stand) ? message.slice(stand.length) : ` ${message}`;
  const tail = indirect
    ? ` (no check can tell which variable ${spelled} reads: write that variable, or the template, there instead)`
    : '';
  return (head + body).replaceAll(stand, spelled) + tail;
}
