// Which values a shell variable may hold at a point of a script, read along the script's control flow: what a
// program variable (KUBECTL=kubectl; $KUBECTL apply …) names where it is run. An assignment holds for the
// commands after it only where the shell that ran it is the one running them: not after a subshell ( … ), a
// $(…), `…`, <(…) or >(…), a pipeline's element (each runs in a subshell) or a command put in the background.
// One that may or may not run (after && or ||, in a branch of if or case, in a loop's body, in a function that
// may not be called) leaves the variable either as it was or as set: every value is kept. Before any
// assignment the variable holds the environment's value, which is not known.
//
// The reading is the script's structure (lists, and-or lists, pipelines, compound commands, functions, here-
// documents) as bash parses it, roughly where it does not matter here; where it cannot read the script, no value
// is known. Other ways of setting a variable (read, source, eval, a nameref…) are programLiterals' (stdin-routes.ts),
// which gives up on the variable before asking here.
//
// Which fixed text the variable holds is not this reading's: the caller takes every fixed text any assignment of
// the script's text gives it (outside here-documents), so a reading wrong about which assignment holds where
// cannot leave a value unchecked. This reading says only whether the variable may hold something else there: the
// environment's value or nothing (no assignment sure to have run), or a value set otherwise (let, read…).
//
// Where the script may jump in a way not read (a return, break or continue spelled in a string, a trap's code, a
// variable…), every command may end its function or loop; where a function may run other than by a call read here
// (its name in a trap, a variable, an array, an alias, a callback…), from the moment that text is run it may run
// between any two commands, setting what its body sets. The work is bounded (MAX_WORK): past it, nothing is known.
import { charge } from './budget.ts';
import { lookupTable } from './lookup-table.ts';

/** The environment's value (before any assignment, or after `local v` in a function): not known. */
const ENV = 'E';
/** A value set from something not known here. */
const UNKNOWN = 'U';
/** A value: ENV, UNKNOWN, or 'T' followed by fixed text (read here as FIXED: which text is not this reading's). */
type Values = ReadonlySet<string>;
/** Some fixed text. */
const FIXED = 'T';
/** The value a function was entered with (what one that may run anywhere leaves as it was). */
const ENTRY = 'X';

/** How an assignment `v=WORD` sets the variable, from the values it held (for WORD = ${v:-word}). */
export type AssignedValue = (before: Values) => Values;

/** What the words of one assignment's value (the text after `=`) set the variable to (programLiterals' reader). */
export type AssignmentReader = (raw: string) => AssignedValue;

/** The value a default `${v:=word}` leaves: the word when v held the environment's value (or empty text). */
export function withDefault(before: Values, word: string | undefined, colon: boolean): Values {
  const out = new Set<string>();
  for (const value of before) {
    if (value === ENV || (colon && value === 'T')) out.add(word === undefined ? UNKNOWN : `T${word}`);
    else out.add(value);
  }
  return out;
}

export const fixedValue = (text: string): Values => new Set([`T${text}`]);
export const unknownValue: Values = new Set([UNKNOWN]);

class FlowError extends Error {}

interface Token {
  kind: 'word' | 'op';
  text: string;
  start: number;
  end: number;
}

/**
 * A function's definition: where its body starts; `certain`: run in the script's shell, on every path; `active`:
 * may run anywhere after `time` (an index of the timeline).
 */
interface Definition {
  name: string;
  at: number;
  certain: boolean;
  active: boolean;
  time: number;
  /** Read where it is called, its commands' values recorded. */
  read: boolean;
}

/** A loop or a function being read: where its break, continue or return leave (a barrier: none crosses it). */
interface Frame {
  kind: 'loop' | 'function' | 'barrier';
  exits: Set<string>;
  continues: Set<string>;
  local: boolean;
}

/** Text of the script run in a way this reading does not follow: from then on, what it may do. */
interface Trigger {
  at: number;
  /** A function's name; 'jumps': a return, break or continue; 'skip': extdebug; 'all': any function, any jump. */
  kind: 'name' | 'jumps' | 'skip' | 'all';
  name?: string;
}

/** Where a state was seen: a simple command's span and the values before it ran. */
interface Seen {
  start: number;
  end: number;
  values: Set<string>;
}

const OPERATORS = [
  ';;&',
  '&>>',
  '<<<',
  '<<-',
  '&&',
  '||',
  ';;',
  ';&',
  '|&',
  '<<',
  '>>',
  '<&',
  '>&',
  '<>',
  '>|',
  '&>',
  ';',
  '&',
  '|',
  '<',
  '>',
  '(',
  ')',
  '\n',
];
const REDIRECTIONS = new Set(['<', '>', '>>', '<&', '>&', '<>', '>|', '&>', '&>>', '<<<', '<<', '<<-']);
const DECLARES = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
const ASSIGNMENT = /^([A-Za-z_]\w*)(\[[^\]]*\])?(\+?)=/;
const MAX_LOOP = 8;
/** How many calls may be read one inside another. */
const MAX_DEPTH = 100;
/** The work a reading may take (characters of words read, plus commands): past it, nothing is known. */
const MAX_WORK = 4_000_000;
/** The builtins this reading models: a function of that name would run instead of what is modelled. */
const MODELLED = new Set([
  ...DECLARES,
  'return',
  'break',
  'continue',
  'exit',
  'unset',
  'read',
  'mapfile',
  'readarray',
  'printf',
  'let',
  'getopts',
  'wait',
  'builtin',
  'command',
  'trap',
  'shopt',
  'set',
  'alias',
  'eval',
  'source',
  '.',
  'exec',
]);
/** Builtins taking code or a function's name to run later: an expansion there may run anything. */
const CALLBACKS = new Set(['trap', 'mapfile', 'readarray', 'complete', 'compgen', 'bind']);
/** Quote removal of a word with no expansion ($'f', "f", \f, f''): undefined when it holds one. */
function plainWord(text: string): string | undefined {
  if (/`|\$(?!['"])/.test(text) || /\$'[^']*\\/.test(text)) return undefined;
  return text.replace(/\$(?=['"])/g, '').replace(/['"\\]/g, '');
}

/**
 * Reads `script` for one variable: the values it may hold before each simple command. `reader` says what an
 * assignment's value sets it to.
 */
class Flow {
  private readonly seen = new Map<number, Seen>();
  /** Pass 1 reads the text only (what is a call, a definition, a jump); pass 2 follows the flow. */
  private pass: 1 | 2 = 1;
  /** Reading a text not run here (a definition's body, pass 1): no call, no record, no jump. */
  private parsing = 0;
  /** Every definition of each function read so far (a call reads every one that may be in effect). */
  private readonly functions = new Map<string, Definition[]>();
  private readonly definitions: Definition[] = [];
  /** Grows with each definition read: a loop is read again until it stops growing. */
  private defined = 0;
  /** Grows with each change of which definitions a call reads (for the calls' memo). */
  private version = 0;
  /** Grows with each function or jump made possible anywhere: a loop is read again until it stops growing. */
  private changes = 0;
  private readonly frames: Frame[] = [];
  private calling = new Set<Definition>();
  /** Calls cut short by a recursion (their reading is not kept). */
  private cut = 0;
  private readonly memo = new Map<string, Values>();
  private pendingDocs: Array<{ delimiter: string; strip: boolean; quoted: boolean }> = [];
  /** The here-documents' bodies: text this shell does not run. */
  readonly documents: Array<{ start: number; end: number }> = [];
  private readonly documentStarts = new Set<number>();
  /** Work done so far (MAX_WORK). */
  work = 0;
  private readonly lastpipe: boolean;
  private pos = 0;
  private limit: number;
  /** What functions that may run anywhere set, from when each may. */
  private ambient: Values = new Set<string>();
  /** The values before each command, in the order they are read (as bit sets), for functions run anywhere. */
  private readonly timeline: number[] = [];
  private readonly activeNames = new Set<string>();
  private allActive = false;
  /** Any command may be a return, break or continue. */
  private jumps = false;
  /** Any command may be skipped (extdebug with a DEBUG trap). */
  private skip = false;
  private triggers: Trigger[] = [];
  // Pass 1: the text's positions read as a call, a definition's name, a jump; the words that may run anything.
  private readonly recognized = new Set<number>();
  private readonly hidden: Trigger[] = [];
  /** Functions an unset may remove (unset f, unset -f f): never sure to be defined; `unsetAny`: any of them. */
  private readonly unsetNames = new Set<string>();
  private unsetAny = false;

  private readonly src: string;
  private readonly variable: string;
  private readonly reader: AssignmentReader;

  constructor(src: string, variable: string, reader: AssignmentReader) {
    this.src = src;
    this.variable = variable;
    this.reader = reader;
    this.limit = src.length;
    this.lastpipe = /\blastpipe\b/.test(src);
  }

  run(): Map<number, Seen> {
    // Aliases may expand to anything, a return among them: not read; enable -n return (exit, break…) makes the
    // builtins read here commands looked up on PATH.
    if (/\bexpand_aliases\b/.test(this.src)) throw new FlowError('aliases');
    const flat = this.src.replace(/\\\n/g, '').replace(/['"\\]/g, '');
    if (/(?<![\w-])enable(?![\w-])/.test(flat)) throw new FlowError('enable');
    // A function named as a builtin read here (or true, false, :), defined anywhere, in a string too (trap 'exit()
    // { :; }' DEBUG): the builtin is not what runs.
    for (const m of flat.matchAll(
      /(?:^|[\s;&|({`])(?:function\s+)?([^\s;&|<>()`$]+)\s*\(\s*\)|\bfunction\s+([^\s;&|<>()]+)/g,
    ))
      if (MODELLED.has((m[1] ?? m[2])!) || ['true', 'false', ':'].includes((m[1] ?? m[2])!))
        throw new FlowError(`a function named ${m[1] ?? m[2]}`);
    this.parsing = 1;
    this.list(new Set([ENV]));
    if (this.pos < this.limit) throw new FlowError(`unexpected ${this.src.slice(this.pos, this.pos + 10)}`);
    this.triggers = this.findTriggers();
    this.pass = 2;
    this.parsing = 0;
    this.pos = 0;
    this.pendingDocs = [];
    this.documents.length = 0;
    this.documentStarts.clear();
    this.functions.clear();
    this.definitions.length = 0;
    // Run by bash when a command is not found: anywhere.
    this.activeNames.add('command_not_found_handle');
    let state: Values = this.list(new Set([ENV]));
    if (this.pos < this.limit) throw new FlowError(`unexpected ${this.src.slice(this.pos, this.pos + 10)}`);
    state = union(state, this.ambient);
    // A function that may run anywhere is read with every value the variable may hold from when it may run (the
    // end of the script too: trap f EXIT), for what its commands see.
    const after: number[] = new Array<number>(this.timeline.length + 1);
    after[this.timeline.length] = bits(state);
    for (let k = this.timeline.length - 1; k >= 0; k--) after[k] = after[k + 1]! | this.timeline[k]!;
    const ambient = keyOf(this.ambient);
    const active = [...this.functions.values()].flat().filter((d) => d.active);
    // Each read with every definition made by the end (one made after it became active may change what it does):
    // what it sets then must be what it was read to set.
    for (const definition of active)
      for (const value of this.contribution(definition))
        if (!this.ambient.has(value))
          throw new FlowError('a function run anywhere changed by a later definition');
    this.maybe++;
    for (const definition of active) this.callDefinition(definition, fromBits(after[definition.time]!));
    // What they run was run when they became active: nothing may become active now.
    if (
      keyOf(this.ambient) !== ambient ||
      active.length !== [...this.functions.values()].flat().filter((d) => d.active).length
    )
      throw new FlowError('late activation');
    // One never run (never called, never named in text that runs): read as if it could run after its definition,
    // for its commands (a template there is not run, but is still read); what that reading makes active is not.
    for (const definition of [...this.functions.values()].flat())
      if (!definition.read && !definition.active)
        this.callDefinition(definition, fromBits(after[definition.time]!));
    return this.seen;
  }

  /** After pass 1: the text naming a function, a jump or extdebug that was not read as a call or a jump. */
  private findTriggers(): Trigger[] {
    const names = new Set(this.functions.keys());
    for (const name of names) if (MODELLED.has(name)) throw new FlowError(`a function named ${name}`);
    const found: Trigger[] = [...this.hidden];
    for (const m of this.src.matchAll(/\w+/g)) {
      this.spend(1);
      const word = m[0];
      if (this.recognized.has(m.index)) continue;
      if (names.has(word)) found.push({ at: m.index, kind: 'name', name: word });
      else if (word === 'return' || word === 'break' || word === 'continue')
        found.push({ at: m.index, kind: 'jumps' });
      else if (word === 'extdebug') found.push({ at: m.index, kind: 'skip' });
      // unset run otherwise than as a command read here (u=unset; $u f, trap 'unset -f f'): any function.
      else if (word === 'unset') this.unsetAny = true;
    }
    // Names not a word of \w alone (deploy-app, a.b): each found in the text.
    for (const name of names)
      if (!/^\w+$/.test(name)) {
        this.spend(this.src.length);
        for (const m of this.src.matchAll(new RegExp(`(?<!\\w)${escape(name)}(?!\\w)`, 'g')))
          if (!this.recognized.has(m.index)) found.push({ at: m.index, kind: 'name', name });
      }
    return found.sort((x, y) => x.at - y.at);
  }

  /** Counts work; past MAX_WORK the script is not read. */
  private spend(amount: number): void {
    this.work += amount;
    if (this.work > MAX_WORK) throw new FlowError('too long to read');
  }

  /** Pass 1: the positions of `name` in a word read as a call (or a definition's name, a jump). */
  private recognize(word: Token, name: string): void {
    if (this.pass !== 1 || name === '') return;
    for (let k = word.text.indexOf(name); k >= 0; k = word.text.indexOf(name, k + 1))
      this.recognized.add(word.start + k);
  }

  /** Pass 2: text from start to end is run: what it names may run from now on. */
  private ran(start: number, end: number): void {
    const triggers = this.triggers;
    if (this.parsing > 0 || triggers.length === 0) return;
    let lo = 0;
    let hi = triggers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (triggers[mid]!.at < start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < triggers.length && triggers[k]!.at < end; k++) {
      const trigger = triggers[k]!;
      if (trigger.kind === 'jumps' || trigger.kind === 'skip' || trigger.kind === 'all') {
        if (!this.jumps || (trigger.kind === 'skip' && !this.skip)) this.changes++;
        this.jumps = true;
        if (trigger.kind === 'skip') this.skip = true;
      }
      if (trigger.kind === 'all') {
        if (!this.allActive) {
          this.changes++;
          this.allActive = true;
          for (const definition of [...this.functions.values()].flat()) this.activate(definition);
        }
      } else if (!this.activeNames.has(trigger.name!)) {
        this.activeNames.add(trigger.name!);
        this.changes++;
        for (const definition of this.functions.get(trigger.name!) ?? []) this.activate(definition);
      }
    }
  }

  /**
   * A function that may run anywhere from now on: what its body may leave the variable set to (read from the
   * value it is entered with, which it leaves as it was) may hold before any later command.
   */
  private activate(definition: Definition): void {
    if (definition.active) return;
    definition.active = true;
    definition.time = this.timeline.length;
    this.changes++;
    // Read first: what it runs may make others active, which add to the ambient values too.
    const contribution = this.contribution(definition);
    this.ambient = union(this.ambient, contribution);
  }

  /** What a function run anywhere may leave the variable set to (read from ENTRY, the value it was entered with). */
  private contribution(definition: Definition): Values {
    // Read apart from the calls being read (it may be one of them: its own name in its body).
    const saved = { parsing: this.parsing, calling: this.calling };
    this.parsing = 0;
    this.calling = new Set();
    this.maybe++;
    let out: Values;
    try {
      out = this.callDefinition(definition, new Set([ENTRY]), false);
    } finally {
      this.maybe--;
      this.parsing = saved.parsing;
      this.calling = saved.calling;
    }
    return new Set([...out].filter((value) => value !== ENTRY));
  }

  // ---- tokens ----

  private skipBlanks(): void {
    const src = this.src;
    for (;;) {
      while (this.pos < this.limit && (src[this.pos] === ' ' || src[this.pos] === '\t')) this.pos++;
      if (src[this.pos] === '\\' && src[this.pos + 1] === '\n') {
        this.pos += 2;
        continue;
      }
      if (src[this.pos] === '#') {
        while (this.pos < this.limit && src[this.pos] !== '\n') this.pos++;
        continue;
      }
      return;
    }
  }

  /** The next token, without consuming it (a word is read in full, its substitutions too, when consumed). */
  private peek(): Token | undefined {
    this.skipBlanks();
    if (this.pos >= this.limit) return undefined;
    const rest = this.src.slice(this.pos, this.pos + 3);
    // A descriptor before a redirection (2>file) is part of it.
    const fd = /^\d+(?=[<>])/.exec(this.src.slice(this.pos, this.pos + 6));
    const at = fd ? this.pos + fd[0].length : this.pos;
    const from = fd ? this.src.slice(at, at + 3) : rest;
    for (const op of OPERATORS)
      if (from.startsWith(op)) {
        // <(…) and >(…) are words (process substitutions).
        if ((op === '<' || op === '>') && this.src[at + 1] === '(') break;
        return { kind: 'op', text: op, start: this.pos, end: at + op.length };
      }
    return { kind: 'word', text: '', start: this.pos, end: -1 };
  }

  /** Reads a word at pos; `effects` collects what its expansions set (${v:=w}, $((v=1))). */
  private word(state: Values, effects: AssignedValue[]): Token {
    const src = this.src;
    const start = this.pos;
    let first = true;
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      if (' \t\n;&|<>()'.includes(c)) {
        // v=(a b): an array's words are part of the assignment.
        if (c === '(' && /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=$/.test(src.slice(start, this.pos))) {
          this.balanced('(', ')', state, effects);
          continue;
        }
        // Extended globs: @(a|b), !(x).
        if (c === '(' && this.pos > start && '?*+@!'.includes(src[this.pos - 1]!)) {
          this.balanced('(', ')', state, effects);
          continue;
        }
        if ((c === '<' || c === '>') && src[this.pos + 1] === '(' && first) {
          this.pos += 2;
          this.substitution(state);
          first = false;
          continue;
        }
        break;
      }
      first = false;
      if (c === '\\') this.pos += 2;
      else if (c === "'") this.single();
      else if (c === '"') this.double(state, effects);
      else if (c === '`') this.backtick(state);
      else if (c === '$') this.dollar(state, effects, false);
      else this.pos++;
    }
    if (this.pos === start) throw new FlowError(`no word at ${start}`);
    this.spend(this.pos - start);
    this.ran(start, this.pos);
    return { kind: 'word', text: src.slice(start, this.pos), start, end: this.pos };
  }

  private single(): void {
    const close = this.src.indexOf("'", this.pos + 1);
    if (close < 0 || close >= this.limit) throw new FlowError('unclosed quote');
    this.pos = close + 1;
  }

  private double(state: Values, effects: AssignedValue[]): void {
    const src = this.src;
    this.pos++;
    while (this.pos < this.limit && src[this.pos] !== '"') {
      const c = src[this.pos]!;
      if (c === '\\') this.pos += 2;
      else if (c === '`') this.backtick(state);
      // "$'": a dollar sign and a quote, no $'…' inside "…".
      else if (c === '$' && src[this.pos + 1] !== "'") this.dollar(state, effects, false);
      else this.pos++;
    }
    if (this.pos >= this.limit) throw new FlowError('unclosed quote');
    this.pos++;
  }

  /** `…`: its commands run in a subshell. */
  private backtick(state: Values): void {
    const src = this.src;
    let close = this.pos + 1;
    while (close < this.limit && src[close] !== '`') close += src[close] === '\\' ? 2 : 1;
    if (close >= this.limit) throw new FlowError('unclosed backquote');
    const savedLimit = this.limit;
    const savedDocs = this.pendingDocs;
    this.pendingDocs = [];
    this.limit = close;
    this.pos++;
    const mark = this.definitions.length;
    this.list(state);
    this.uncertainSince(mark);
    if (this.pos < close) throw new FlowError('unread backquote');
    this.limit = savedLimit;
    this.pendingDocs = savedDocs;
    this.pos = close + 1;
  }

  /** $(…), <(…), >(…) after their "(": the commands inside run in a subshell. */
  private substitution(state: Values): void {
    const mark = this.definitions.length;
    this.list(state);
    this.uncertainSince(mark);
    const close = this.peek();
    if (close?.text !== ')') throw new FlowError('unclosed substitution');
    this.pos = close.end;
  }

  /** Text between balanced brackets, quotes and substitutions read as such. */
  private balanced(open: string, close: string, state: Values, effects: AssignedValue[]): void {
    const src = this.src;
    let depth = 0;
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      if (c === '\\') this.pos += 2;
      else if (c === "'") this.single();
      else if (c === '"') this.double(state, effects);
      else if (c === '`') this.backtick(state);
      else if (c === '$') this.dollar(state, effects, true);
      else {
        this.pos++;
        if (c === open) depth++;
        else if (c === close && --depth === 0) return;
      }
    }
    throw new FlowError(`unclosed ${open}`);
  }

  /** An expansion at pos ("$"). `nested`: inside another ${…}, where what it sets may not be set. */
  private dollar(state: Values, effects: AssignedValue[], nested: boolean): void {
    const src = this.src;
    const next = src[this.pos + 1];
    if (next === '(' && src[this.pos + 2] === '(') {
      const start = this.pos;
      this.pos++;
      this.balanced('(', ')', state, effects);
      this.arithmetic(src.slice(start, this.pos), effects);
    } else if (next === '(') {
      this.pos += 2;
      this.substitution(state);
    } else if (next === '{') {
      const start = this.pos;
      this.pos++;
      const inner: AssignedValue[] = [];
      this.balanced('{', '}', state, inner);
      const text = src.slice(start, this.pos);
      // ${v:=word}, ${v=word}: assigns v where v is unset (or empty); a word inside another ${…} may not be read.
      const m = new RegExp(`^\\$\\{${this.variable}(:?)=([^{}"'$\`\\\\\\s]*)\\}$`).exec(text);
      const own: AssignedValue | undefined = m
        ? (before) => withDefault(before, m[2] === '' ? undefined : m[2], m[1] === ':')
        : new RegExp(`^\\$\\{${this.variable}:?=`).test(text)
          ? () => unknownValue
          : undefined;
      const all = [...inner, ...(own ? [own] : [])];
      if (nested) for (const effect of all) effects.push((before) => union(before, effect(before)));
      else for (const effect of own ? [own] : inner) effects.push(effect);
      if (!nested && own) for (const effect of inner) effects.push((before) => union(before, effect(before)));
    } else if (next === "'") {
      this.pos++;
      const src2 = src;
      let k = this.pos + 1;
      while (k < this.limit && src2[k] !== "'") k += src2[k] === '\\' ? 2 : 1;
      if (k >= this.limit) throw new FlowError('unclosed quote');
      this.pos = k + 1;
    } else this.pos++;
  }

  /** ((v=1)), $((v+=1)), let v=1: the variable is set to a number the script computes, not known here. */
  private arithmetic(text: string, effects: AssignedValue[]): void {
    const v = this.variable;
    if (
      new RegExp(
        `(^|[^\\w$])${v}\\s*(\\[[^\\]]*\\])?\\s*([-+*/%&|^]|<<|>>)?=(?!=)|\\+\\+\\s*${v}\\b|--\\s*${v}\\b|\\b${v}\\s*(\\+\\+|--)`,
      ).test(text)
    )
      effects.push(() => unknownValue);
    // (( $Q = 1 )), let "$Q=1": an assignment to a name an expansion gives.
    else if (/\$\{?[A-Za-z_]/.test(text) && /(?:^|[^=!<>])=(?!=)|\+\+|--/.test(text))
      effects.push((state) => union(state, unknownValue));
  }

  // ---- grammar ----

  /** Is the next token the word `text`, at a command's place. */
  private isWord(text: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'word') return false;
    return (
      this.src.startsWith(text, token.start) &&
      /^(?:[\s;&|<>()]|$)/.test(
        this.src.slice(token.start + text.length, token.start + text.length + 1) || '',
      )
    );
  }

  private expectWord(text: string): void {
    if (!this.isWord(text)) throw new FlowError(`expected ${text} at ${this.pos}`);
    this.pos += text.length;
  }

  private newlines(): void {
    for (;;) {
      const token = this.peek();
      if (token?.text !== '\n') return;
      this.pos = token.end;
      this.heredocs();
    }
  }

  /** The bodies of the here-documents started on the line that just ended. */
  private heredocs(): void {
    const docs = this.pendingDocs;
    this.pendingDocs = [];
    const assigns = new RegExp(`\\$\\{${escape(this.variable)}:?=`);
    for (const doc of docs) {
      const start = this.pos;
      for (;;) {
        if (this.pos >= this.limit) return;
        const end = this.src.indexOf('\n', this.pos);
        const lineEnd = end < 0 || end > this.limit ? this.limit : end;
        this.spend(lineEnd - this.pos + 1);
        let line = this.src.slice(this.pos, lineEnd);
        if (doc.strip) line = line.replace(/^\t+/, '');
        // An unquoted here-document's ${v:=word} would assign v: not known.
        if (!doc.quoted && assigns.test(line)) this.hereUnknown = true;
        this.pos = lineEnd + 1;
        if (line === doc.delimiter) break;
      }
      if (!this.documentStarts.has(start)) {
        this.documentStarts.add(start);
        this.documents.push({ start, end: this.pos });
      }
    }
    if (this.pos > this.limit) this.pos = this.limit;
  }
  private hereUnknown = false;
  /** The variable may have been made readonly (readonly P): every assignment read from then on may fail. */
  private readonly = false;

  /** A list of and-or lists, until EOF, an operator or a reserved word that ends it. */
  private list(state: Values): Values {
    for (;;) {
      this.newlines();
      const token = this.peek();
      if (!token) return state;
      // ) ends a subshell or a substitution, ;; a case arm, a reserved word a compound command's part.
      if (token.kind === 'op' && [')', ';;', ';&', ';;&'].includes(token.text)) return state;
      if (
        token.kind === 'word' &&
        ['then', 'fi', 'do', 'done', 'esac', 'elif', 'else', '}'].some((w) => this.isWord(w))
      )
        return state;
      const entry = state;
      const mark = this.definitions.length;
      state = this.andOr(state);
      const end = this.peek();
      if (end?.text === '&') {
        // In the background: a subshell.
        state = entry;
        this.uncertainSince(mark);
        this.pos = end.end;
      } else if (end?.text === ';') this.pos = end.end;
      else if (end?.text === '\n') continue;
      else if (!end) return state;
      else if (end.kind === 'op' && (end.text === ')' || end.text.startsWith(';;') || end.text === ';&'))
        return state;
      else if (end.kind === 'word') continue;
      else throw new FlowError(`unexpected ${end.text} at ${end.start}`);
    }
  }

  private andOr(state: Values): Values {
    state = this.pipeline(state);
    for (;;) {
      const token = this.peek();
      if (token?.text !== '&&' && token?.text !== '||') return state;
      this.pos = token.end;
      this.newlines();
      // The command after && or || may not run.
      const mark = this.definitions.length;
      state = union(state, this.pipeline(state));
      this.uncertainSince(mark);
    }
  }

  private pipeline(state: Values): Values {
    for (;;) {
      if (this.isWord('!')) this.pos++;
      else if (this.isWord('time')) {
        this.pos += 4;
        this.skipBlanks();
        while (/^-\w/.test(this.src.slice(this.pos, this.pos + 2))) this.word(state, []);
      } else break;
    }
    const mark = this.definitions.length;
    const stages: Values[] = [this.command(state)];
    for (;;) {
      const token = this.peek();
      if (token?.text !== '|' && token?.text !== '|&') break;
      this.pos = token.end;
      this.newlines();
      stages.push(this.command(state));
    }
    if (stages.length === 1) return stages[0]!;
    this.uncertainSince(mark);
    // Each element runs in a subshell; with lastpipe the last may run in the script's shell.
    return this.lastpipe ? union(state, stages.at(-1)!) : state;
  }

  /** Records the values before a command spanning start…end. */
  private record(start: number, end: number, state: Values): void {
    if (this.parsing > 0 || this.quiet > 0) return;
    const values = new Set<string>([...state, ...this.ambient]);
    this.timeline.push(bits(values));
    const seen = this.seen.get(start);
    if (seen) {
      for (const value of values) seen.values.add(value);
      seen.end = Math.max(seen.end, end);
    } else this.seen.set(start, { start, end, values });
  }
  /** Reading a function for what it may set anywhere: its commands' values are not recorded. */
  private quiet = 0;
  /** Reading a function that may run anywhere, or never: what it defines may not be defined. */
  private maybe = 0;

  /** A command's redirections; true when one may fail (then bash does not run the command). */
  private redirections(state: Values, effects: AssignedValue[]): boolean {
    let mayFail = false;
    for (;;) {
      const token = this.peek();
      if (token?.kind !== 'op' || !REDIRECTIONS.has(token.text.replace(/^\d+/, ''))) return mayFail;
      if (this.redirection(state, effects)) mayFail = true;
    }
  }

  /**
   * One redirection; true when it may fail: any but the fixed ones that cannot (>/dev/null, 2>&1, >&2, <&-, a
   * here-document or here-string). A file named by an expansion (>>"$LOG", 2>/tmp/log-{{y}}, too long a name) or
   * a directory that may not exist (>/nonexistent/x) may fail, and bash then skips the command it is on.
   */
  private redirection(state: Values, effects: AssignedValue[]): boolean {
    const token = this.peek()!;
    const op = this.src.slice(token.start, token.end).replace(/^\d+/, '');
    this.pos = token.end;
    this.skipBlanks();
    const target = this.word(state, effects);
    if (op === '<<' || op === '<<-' || op === '<<<') {
      this.heredoc(op, target);
      return false;
    }
    if (op === '>&' || op === '<&') return !/^[012-]$/.test(target.text);
    return target.text !== '/dev/null';
  }

  private heredoc(op: string, target: Token): void {
    if (op === '<<<') return;
    const quoted = /['"\\]/.test(target.text);
    // <<$'EOF' ends at EOF, as <<'EOF' (an escape in it, decoded by bash, is not read here).
    if (/\$'[^']*\\/.test(target.text)) throw new FlowError('escaped delimiter');
    const delimiter = target.text.replace(/\$(?=['"])/g, '').replace(/['"\\]/g, '');
    this.pendingDocs.push({ delimiter, strip: op === '<<-', quoted });
  }

  /** A command: compound, a function's definition, or simple. */
  private command(state: Values): Values {
    // Loops read again and functions read at each call: a bound on the work, past which nothing is known.
    this.spend(1);
    if (this.parsing > 0) return this.commandRead(state);
    // Any command may be a jump (return in an ERR trap's code, $r holding break…): the values here may leave.
    if (this.jumps) this.mayJump(state);
    const out = this.commandRead(state);
    // extdebug: a DEBUG trap may skip it.
    return this.skip ? union(state, out) : out;
  }

  private commandRead(state: Values): Values {
    const token = this.peek();
    if (!token) throw new FlowError('missing command');
    const start = token.start;
    // A function defined in a compound command's body may not be defined after it.
    const definedBefore = this.definitions.length;
    if (token.kind === 'op' && token.text === '(') {
      if (this.src[token.start + 1] === '(') {
        const at = this.pos;
        const effects: AssignedValue[] = [];
        this.balanced('(', ')', state, effects);
        this.arithmetic(this.src.slice(at, this.pos), effects);
        return this.after(state, effects);
      }
      this.pos = token.end;
      const mark = this.definitions.length;
      this.list(state);
      this.uncertainSince(mark);
      this.close(')');
      return this.after(state, [], state);
    }
    if (token.kind === 'op') {
      if (REDIRECTIONS.has(token.text.replace(/^\d+/, ''))) return this.simple(state);
      throw new FlowError(`unexpected ${token.text} at ${token.start}`);
    }
    if (this.isWord('{')) {
      this.pos++;
      const out = this.list(state);
      this.expectWord('}');
      return this.after(out, [], undefined, state);
    }
    if (this.isWord('[[')) {
      // [[ … ]]: operators are words in it.
      this.pos += 2;
      const effects: AssignedValue[] = [];
      for (;;) {
        this.skipBlanks();
        if (this.pos >= this.limit) throw new FlowError('unclosed [[');
        if (this.isWord(']]')) {
          this.pos += 2;
          break;
        }
        const next = this.peek()!;
        if (next.kind === 'op') this.pos = next.end;
        else this.word(state, effects);
      }
      this.record(start, this.pos, state);
      return this.after(state, effects);
    }
    if (this.isWord('if')) {
      this.pos += 2;
      let condition = this.list(state);
      this.expectWord('then');
      const outs = [this.list(condition)];
      let otherwise = false;
      for (;;) {
        if (this.isWord('elif')) {
          this.pos += 4;
          condition = this.list(condition);
          this.expectWord('then');
          outs.push(this.list(condition));
        } else if (this.isWord('else')) {
          this.pos += 4;
          outs.push(this.list(condition));
          otherwise = true;
        } else break;
      }
      this.expectWord('fi');
      if (!otherwise) outs.push(condition);
      this.uncertainSince(definedBefore);
      return this.after(unionAll(outs), [], undefined, state);
    }
    if (this.isWord('while') || this.isWord('until')) {
      const whileLoop = this.isWord('while');
      this.pos += 5;
      const at = this.pos;
      let entry = state;
      let out: Values = state;
      let forever = false;
      const frame = this.pushLoop();
      try {
        for (let round = 0; ; round++) {
          this.pos = at;
          const defined = this.defined + this.changes;
          const condition = this.list(entry);
          // while true, while :, until false: left only by a break (or a jump), never by its condition.
          const test = this.src.slice(at, this.pos).trim().replace(/;$/, '').trim();
          const endless =
            (whileLoop ? test === 'true' || test === ':' : test === 'false') && !this.functions.has(test);
          this.expectWord('do');
          const body = this.list(condition);
          this.expectWord('done');
          out = unionAll([entry, condition, body, frame.continues]);
          forever = endless;
          if (this.parsing > 0 || (sameValues(out, entry) && defined === this.defined + this.changes)) break;
          if (round >= MAX_LOOP) throw new FlowError('loop not settled');
          entry = out;
        }
      } finally {
        this.frames.pop();
      }
      this.uncertainSince(definedBefore);
      return this.after(forever ? new Set(frame.exits) : union(out, frame.exits), [], undefined, state);
    }
    if (this.isWord('for') || this.isWord('select')) {
      this.pos += this.isWord('for') ? 3 : 6;
      this.skipBlanks();
      let entry = state;
      const effects: AssignedValue[] = [];
      if (this.src.startsWith('((', this.pos)) {
        const at = this.pos;
        this.balanced('(', ')', state, effects);
        this.arithmetic(this.src.slice(at, this.pos), effects);
      } else {
        const name = this.word(state, effects);
        if (name.text === this.variable) effects.push(() => unknownValue);
        this.newlines();
        if (this.isWord('in')) {
          this.pos += 2;
          for (;;) {
            const next = this.peek();
            if (!next || next.kind === 'op') break;
            this.word(state, effects);
          }
        }
      }
      for (const effect of effects) entry = effect(entry);
      const end = this.peek();
      if (end?.text === ';') this.pos = end.end;
      this.newlines();
      const at = this.pos;
      let out: Values = entry;
      const frame = this.pushLoop();
      try {
        for (let round = 0; ; round++) {
          this.pos = at;
          const defined = this.defined + this.changes;
          const braced = this.isWord('{');
          this.expectWord(braced ? '{' : 'do');
          const body = this.list(out);
          this.expectWord(braced ? '}' : 'done');
          const next = unionAll([out, body, frame.continues]);
          if (this.parsing > 0 || (sameValues(next, out) && defined === this.defined + this.changes)) break;
          if (round >= MAX_LOOP) throw new FlowError('loop not settled');
          out = next;
        }
      } finally {
        this.frames.pop();
      }
      // The body may not run: the values before it stay, except the loop's own variable.
      this.uncertainSince(definedBefore);
      return this.after(unionAll([state, out, frame.exits]), []);
    }
    if (this.isWord('case')) {
      this.pos += 4;
      const effects: AssignedValue[] = [];
      this.skipBlanks();
      this.word(state, effects);
      let entry = state;
      for (const effect of effects) entry = effect(entry);
      this.newlines();
      this.expectWord('in');
      const outs: Values[] = [];
      let every = false;
      let fall: Values | undefined;
      for (;;) {
        this.newlines();
        if (this.isWord('esac')) break;
        let token = this.peek();
        if (token?.text === '(') this.pos = token.end;
        const patterns: string[] = [];
        for (;;) {
          this.skipBlanks();
          patterns.push(this.word(entry, []).text);
          token = this.peek();
          if (token?.text === '|') {
            this.pos = token.end;
            continue;
          }
          if (token?.text === ')') {
            this.pos = token.end;
            break;
          }
          throw new FlowError(`bad case pattern at ${this.pos}`);
        }
        if (patterns.includes('*')) every = true;
        const arm = this.list(fall ? union(entry, fall) : entry);
        outs.push(arm);
        token = this.peek();
        fall = undefined;
        if (token?.text === ';;') this.pos = token.end;
        else if (token?.text === ';&' || token?.text === ';;&') {
          this.pos = token.end;
          fall = arm;
        } else if (this.isWord('esac')) break;
        else throw new FlowError(`bad case arm at ${this.pos}`);
      }
      this.expectWord('esac');
      if (!every) outs.push(entry);
      this.uncertainSince(definedBefore);
      return this.after(unionAll(outs), [], undefined, state);
    }
    if (this.isWord('function')) {
      this.pos += 8;
      this.skipBlanks();
      const nameWord = this.word(state, []);
      const name = nameWord.text;
      this.recognize(nameWord, name);
      const paren = this.peek();
      if (paren?.text === '(') {
        this.pos = paren.end;
        this.close(')');
      }
      this.newlines();
      return this.define(name, state);
    }
    if (this.isWord('coproc')) {
      this.pos += 6;
      this.skipBlanks();
      if (/^[A-Za-z_]\w*[ \t]+\{/.test(this.src.slice(this.pos, this.limit))) this.word(state, []);
      this.command(state);
      return state;
    }
    // name () compound: a function's definition.
    const definition = /^([^\s;&|<>()'"`$\\]+)[ \t]*\([ \t]*\)/.exec(this.src.slice(this.pos, this.limit));
    if (definition) {
      this.recognize({ kind: 'word', text: definition[1]!, start: this.pos, end: this.pos }, definition[1]!);
      this.pos += definition[0].length;
      this.newlines();
      return this.define(definition[1]!, state);
    }
    return this.simple(state);
  }

  private close(text: string): void {
    const token = this.peek();
    if (token?.text !== text) throw new FlowError(`expected ${text} at ${this.pos}`);
    this.pos = token.end;
  }

  /**
   * A compound command's redirections, then the values after it (`state`, or `keep` for a subshell). A redirection
   * that may fail may skip the whole command: the values before it (`before`, else `state`) may stay.
   */
  private after(state: Values, effects: AssignedValue[], keep?: Values, before?: Values): Values {
    const more: AssignedValue[] = [...effects];
    const mayFail = this.redirections(state, more);
    let out = keep ?? state;
    for (const effect of more) out = norm(effect(out));
    return mayFail ? union(before ?? state, out) : out;
  }

  /** A function's definition: its body is read where it is called. */
  private define(name: string, state: Values): Values {
    const at = this.pos;
    if (MODELLED.has(name)) throw new FlowError(`a function named ${name}`);
    if (this.pass === 1) this.functions.set(name, []);
    else if (this.parsing === 0) {
      let list = this.functions.get(name);
      if (!list) this.functions.set(name, (list = []));
      let definition = list.find((d) => d.at === at);
      // Read again (a loop, a function called again): the latest definition again.
      if (definition && list.at(-1) !== definition) {
        list.splice(list.indexOf(definition), 1);
        list.push(definition);
        this.version++;
      }
      if (!definition) {
        this.version++;
        // Read in a function that may run anywhere (or not at all): not sure to be defined.
        definition = {
          name,
          at,
          certain: this.maybe === 0,
          active: false,
          time: this.timeline.length,
          read: false,
        };
        list.push(definition);
        this.defined++;
        if (this.allActive || this.activeNames.has(name)) this.activate(definition);
      }
      this.definitions.push(definition);
    }
    const mark = this.definitions.length;
    this.parsing++;
    this.frames.push({ kind: 'barrier', exits: new Set(), continues: new Set(), local: false });
    try {
      this.command(state);
    } finally {
      this.frames.pop();
      this.parsing--;
    }
    this.uncertainSince(mark);
    return state;
  }

  /** The functions defined since `mark` may not be defined after the command that defined them. */
  private uncertainSince(mark: number): void {
    for (let k = mark; k < this.definitions.length; k++) {
      const definition = this.definitions[k]!;
      if (definition.certain) this.version++;
      definition.certain = false;
    }
  }

  private pushLoop(): Frame {
    const frame: Frame = { kind: 'loop', exits: new Set(), continues: new Set(), local: false };
    this.frames.push(frame);
    return frame;
  }

  /** The frames a jump from here may reach: the loops up to the nearest function (bash's break does not leave it). */
  private reachable(): { loops: Frame[]; fn: Frame | undefined } {
    const loops: Frame[] = [];
    for (let k = this.frames.length - 1; k >= 0; k--) {
      const frame = this.frames[k]!;
      if (frame.kind === 'loop') loops.push(frame);
      else return { loops, fn: frame.kind === 'function' ? frame : undefined };
    }
    return { loops, fn: undefined };
  }

  /** Any command may be a return, a break or a continue: the values here may leave by any. */
  private mayJump(state: Values): void {
    const { loops, fn } = this.reachable();
    for (const loop of loops)
      for (const value of state) {
        loop.exits.add(value);
        loop.continues.add(value);
      }
    if (fn) for (const value of state) fn.exits.add(value);
  }

  /** return, break N, continue N (`level` undefined: not a fixed number): the values after it. */
  private jump(kind: string, level: number | undefined, state: Values): Values {
    if (this.parsing > 0) return new Set();
    const { loops, fn } = this.reachable();
    if (kind === 'return') {
      // Outside a function (a script's top level), bash says so and goes on.
      if (!fn) return state;
      for (const value of state) fn.exits.add(value);
      return new Set();
    }
    if (loops.length === 0 || level === 0) return state;
    if (level === undefined) {
      this.mayJump(state);
      return state;
    }
    const target = loops[Math.min(level, loops.length) - 1]!;
    for (const value of state) (kind === 'break' ? target.exits : target.continues).add(value);
    return new Set();
  }

  /** The function frame the current command runs in (local v there unsets v), if any. */
  private functionFrame(): Frame | undefined {
    return this.reachable().fn;
  }

  private simple(state: Values): Values {
    // A redirection of a command (not of a bare assignment, which bash keeps) that may fail.
    const failing = { mayFail: false };
    const out = this.simpleRead(state, failing);
    return failing.mayFail ? union(state, out) : out;
  }

  private simpleRead(state: Values, failing: { mayFail: boolean }): Values {
    const start = this.pos;
    const words: Token[] = [];
    const effects: AssignedValue[] = [];
    let mayFail = false;
    for (;;) {
      const token = this.peek();
      if (!token) break;
      if (token.kind === 'op') {
        if (REDIRECTIONS.has(token.text.replace(/^\d+/, ''))) {
          if (this.redirection(state, effects)) mayFail = true;
          continue;
        }
        break;
      }
      words.push(this.word(state, effects));
    }
    const end = this.pos;
    this.record(start, end, state);
    const plain = (text: string) => text.replace(/\$(?=['"])/g, '').replace(/['"\\]/g, '');
    let k = 0;
    const assigned: Array<{ word: Token; value: string }> = [];
    while (k < words.length && ASSIGNMENT.test(words[k]!.text)) {
      const m = ASSIGNMENT.exec(words[k]!.text)!;
      if (m[1] === this.variable)
        assigned.push({ word: words[k]!, value: words[k]!.text.slice(m[0].length) });
      k++;
    }
    let out = norm(state);
    const assign = (raw: string, append: boolean, maybe: boolean) => {
      const value = norm(append ? unknownValue : this.reader(raw)(out));
      out = maybe || this.readonly ? union(out, value) : value;
    };
    let program = words[k] && plain(words[k]!.text);
    for (const { word } of assigned) {
      const m = ASSIGNMENT.exec(word.text)!;
      // An array's element, v+=…: no longer one fixed text. Before a program: for it alone (kept for a
      // function or a special builtin in POSIX mode).
      assign(word.text.slice(m[0].length), m[2] !== undefined || m[3] === '+', program !== undefined);
    }
    for (const effect of effects) out = norm(effect(out));
    if (program === undefined) return out;
    // A redirection that fails skips the command (a builtin, a call): what it sets may not be set.
    failing.mayFail = mayFail;
    // builtin export V=…, command read V: the builtin after them (never a function).
    const wrapped = /^(builtin|command)$/.test(program);
    while (k < words.length - 1 && /^(builtin|command)$/.test(plain(words[k]!.text))) {
      k++;
      while (k < words.length - 1 && plain(words[k]!.text).startsWith('-')) k++;
    }
    const programWord = words[k]!;
    program = plain(programWord.text);
    const exact = plainWord(programWord.text);
    const args = words.slice(k + 1).map((w) => plain(w.text));
    if (this.pass === 1) {
      // unset f (a function, when no variable has the name), unset -f f: f may be undefined after it.
      if (exact === 'unset')
        for (const word of words.slice(k + 1)) {
          const name = plainWord(word.text);
          if (name === undefined) this.unsetAny = true;
          else if (!name.startsWith('-')) this.unsetNames.add(name);
        }
      // readonly -f f: each later definition of f fails (bash says so and goes on), the one before runs.
      if (exact !== undefined && DECLARES.has(exact)) {
        const operands = words.slice(k + 1);
        const options = operands
          .map((w) => plain(w.text))
          .filter((a) => /^[-+][A-Za-z]+$/.test(a))
          .join('');
        if (exact === 'readonly' || /-[A-Za-z]*r/.test(options)) {
          const names = operands.filter((w) => !/^[-+][A-Za-z]+$/.test(plain(w.text)));
          if (options.includes('f'))
            for (const word of names) {
              const name = plainWord(word.text);
              if (name === undefined) this.unsetAny = true;
              else this.unsetNames.add(name);
            }
        }
      }
      if (exact !== undefined) this.recognize(programWord, exact);
      // A program made of expansions other than one variable ($a$b, ${h:-f}, $(echo f), $'\x66'): any function, any
      // jump. So is code given to a trap or a callback through an expansion (trap "$code" EXIT).
      if (
        (exact === undefined &&
          !/^"?\$(?:[A-Za-z_]\w*|\{[A-Za-z_]\w*\}|[@*#?$!0-9]|\{[@*#?$!0-9]+\})"?$/.test(programWord.text)) ||
        (exact !== undefined && CALLBACKS.has(exact) && words.slice(k + 1).some((w) => /[$`]/.test(w.text)))
      )
        this.hidden.push({ at: programWord.start, kind: 'all' });
      // Code a trap or a callback runs naming the variable (trap 'local P' DEBUG makes it local to the function
      // the trap runs in): what it does to it is not read.
      const named = new RegExp(`(?<![\\w$])(?<!\\$\\{[#!]?)${escape(this.variable)}(?!\\w)`);
      if (exact !== undefined && CALLBACKS.has(exact) && args.some((arg) => named.test(arg)))
        this.hereUnknown = true;
    }
    // return, break, continue, exit spelled in any quoting ("return", \return, builtin return).
    if (exact !== undefined && ['return', 'break', 'continue', 'exit'].includes(exact)) {
      const level = args[0] === undefined ? 1 : /^\d+$/.test(args[0]) ? Number(args[0]) : undefined;
      if (exact === 'exit') return this.parsing > 0 || this.functions.has('exit') ? out : new Set();
      return this.jump(exact, level, out);
    }
    // X=export; $X V=sh, R=read; $R V: a builtin named by an expansion may set what its arguments name (the
    // name alone, with a subscript or a value, attached to an option (-vV), or a nameref's target (r=V)).
    const v = escape(this.variable);
    if (
      /[$`]/.test(programWord.text) &&
      args.some(
        (arg) =>
          new RegExp(`^(?:-[A-Za-z]+)?${v}(?:\\[.*)?(?:\\+?=.*)?$|=${v}(?!\\w)`).test(arg) ||
          // Code given to it ($t 'local P' DEBUG, t=trap).
          (/[\s;]/.test(arg) && new RegExp(`(?<![\\w$])(?<!\\$\\{[#!]?)${v}(?!\\w)`).test(arg)),
      )
    )
      return unknownValue;
    // unset $Q, getopts a $Q, printf -v "$Q", read "$Q", declare "$Q"=…, Q=P: a builtin given a name through an
    // expansion may unset the variable, or set it otherwise than by fixed text.
    if (this.namesThroughExpansion(program, words.slice(k + 1))) out = union(out, new Set([ENV, UNKNOWN]));
    if (DECLARES.has(program)) {
      const options = args.filter((a) => /^[-+]/.test(a)).join('');
      // readonly P, declare -r P (or a name from an expansion): every assignment of P read after it may fail (bash
      // says so and goes on), P keeping the value it had, maybe none.
      const readonly =
        this.pass !== 1 &&
        this.parsing === 0 &&
        !this.readonly &&
        (program === 'readonly' || /-[A-Za-z]*r/.test(options)) &&
        !options.includes('f') &&
        words
          .slice(k + 1)
          .some((w) => plain(w.text).split('=')[0] === this.variable || /[$`]/.test(w.text.split('=')[0]!));
      const local = program !== 'export' && program !== 'readonly' && !options.includes('g');
      const frame = this.functionFrame();
      // local outside a function: bash says so and assigns nothing.
      if (program === 'local' && !frame && this.parsing === 0) return out;
      for (const word of words.slice(k + 1)) {
        const text = word.text;
        const m = ASSIGNMENT.exec(text);
        if (m?.[1] === this.variable) {
          if (local && frame) frame.local = true;
          assign(text.slice(m[0].length), m[2] !== undefined || m[3] === '+', false);
        }
        // export {DOCKER=sh,X=y}: a brace expansion's word assigns it too.
        else if (new RegExp(`(^|[^\\w$])${v}=`).test(text)) out = unknownValue;
        // local v, declare v in a function: unset there.
        else if (plain(text) === this.variable && local && frame) {
          frame.local = true;
          out = new Set([ENV]);
        }
      }
      // Its own assignments are made (readonly P=echo).
      if (readonly) {
        this.readonly = true;
        this.version++;
      }
      // -i (arithmetic), -l and -u (lower or upper case: declare -l P; P=SH runs sh): not the text assigned.
      if (/[ilu]/.test(options) && args.some((a) => new RegExp(`^${v}(?:$|\\[|\\+?=)`).test(a)))
        out = unknownValue;
    } else if (program === 'let') {
      const effects2: AssignedValue[] = [];
      for (const arg of args) this.arithmetic(arg, effects2);
      for (const effect of effects2) out = norm(effect(out));
    } else if (
      ['read', 'mapfile', 'readarray', 'getopts', 'unset', 'printf', 'wait'].includes(program) &&
      // The name as an operand, or attached to its option (printf -vV, read -raV, wait -pV).
      args.some((arg) => arg === this.variable || (/^-[A-Za-z]+$/.test(arg) && arg.endsWith(this.variable)))
    )
      out = program === 'unset' ? new Set([ENV]) : unknownValue;
    else if (!wrapped && exact !== undefined && this.parsing === 0 && this.functions.has(exact))
      out = this.call(exact, out);
    return out;
  }

  /** Whether builtin `program` may take a name (of a variable it unsets or sets) from an expansion among `operands`. */
  private namesThroughExpansion(program: string, operands: Token[]): boolean {
    const expanded = (word: Token | undefined) => word !== undefined && /[$`]/.test(word.text);
    const plain = (word: Token) => word.text.replace(/['"\\]/g, '');
    // The options whose argument is no name: every other operand may be one.
    const valueOptions: Record<string, string> = {
      read: 'dinNptu',
      mapfile: 'dnOsuCc',
      readarray: 'dnOsuCc',
    };
    if (program === 'unset' || DECLARES.has(program))
      return operands.some(
        (w) => expanded(w) && !/^[-+][A-Za-z]*$/.test(plain(w)) && /[$`]/.test(w.text.split('=')[0]!),
      );
    if (program in valueOptions) {
      const takes = valueOptions[program]!;
      for (let i = 0; i < operands.length; i++) {
        const text = plain(operands[i]!);
        if (/^-[A-Za-z]+$/.test(text) && takes.includes(text.at(-1)!)) {
          i++;
          continue;
        }
        if (expanded(operands[i])) return true;
      }
      return false;
    }
    if (program === 'getopts') return expanded(operands[1]);
    if (program === 'printf' || program === 'wait') {
      const option = program === 'printf' ? 'v' : 'p';
      for (let i = 0; i < operands.length; i++) {
        const text = plain(operands[i]!);
        if (text === '--' || !text.startsWith('-')) return false;
        if (new RegExp(`^-[A-Za-z]*${option}$`).test(text)) return expanded(operands[i + 1]);
        if (new RegExp(`^-[A-Za-z]*${option}`).test(text) && expanded(operands[i])) return true;
      }
    }
    return false;
  }

  /** A call of a function of the script: every definition of it that may be in effect, read with the values here. */
  private call(name: string, state: Values): Values {
    const all = this.functions.get(name)!;
    // The latest definition sure to be made in this shell, and every one made after it, maybe (in a branch, a
    // subshell…); none sure to be made: the function may not be defined here, nothing run.
    const last = this.unsetAny || this.unsetNames.has(name) ? -1 : all.findLastIndex((d) => d.certain);
    let out: Values = last >= 0 ? new Set() : state;
    for (const definition of all.slice(Math.max(last, 0)))
      out = union(out, this.callDefinition(definition, state));
    return out;
  }

  /** One definition's body, read with `state`; `record`: its commands' values are recorded. */
  private callDefinition(definition: Definition, state: Values, record = true): Values {
    if (this.calling.has(definition)) {
      this.cut++;
      return union(state, unknownValue);
    }
    if (this.calling.size >= MAX_DEPTH) throw new FlowError('calls nested too deep');
    const key = [
      definition.at,
      keyOf(state),
      keyOf(this.ambient),
      this.version,
      this.jumps,
      this.skip,
      this.allActive,
      this.activeNames.size,
      record && this.quiet === 0,
      this.maybe > 0,
    ].join('|');
    const known = this.memo.get(key);
    if (known) {
      this.spend(1);
      return known;
    }
    if (record && this.quiet === 0) definition.read = true;
    const saved = { pos: this.pos, limit: this.limit, docs: this.pendingDocs };
    this.pos = definition.at;
    this.limit = this.src.length;
    this.pendingDocs = [];
    this.calling.add(definition);
    const frame: Frame = { kind: 'function', exits: new Set(), continues: new Set(), local: false };
    this.frames.push(frame);
    if (!record) this.quiet++;
    const cut = this.cut;
    try {
      let body = union(this.command(state), frame.exits);
      // A variable made local in the body is the caller's again after it.
      if (frame.local) body = union(state, body);
      if (this.cut === cut) this.memo.set(key, body);
      return body;
    } finally {
      if (!record) this.quiet--;
      this.frames.pop();
      this.calling.delete(definition);
      this.pos = saved.pos;
      this.limit = saved.limit;
      this.pendingDocs = saved.docs;
    }
  }

  get anyHereUnknown(): boolean {
    return this.hereUnknown;
  }
}

/** Fixed texts as FIXED: which text is the caller's. */
function norm(values: Values): Values {
  if (![...values].some((value) => value.length > 1)) return values;
  return new Set([...values].map((value) => (value.startsWith(FIXED) ? FIXED : value)));
}
const BITS: Record<string, number> = lookupTable({ [ENV]: 1, [UNKNOWN]: 2, [FIXED]: 4, [ENTRY]: 8 });
function bits(values: Values): number {
  let n = 0;
  for (const value of values) n |= BITS[value.startsWith(FIXED) ? FIXED : value] ?? 0;
  return n;
}
function fromBits(n: number): Values {
  return new Set(Object.keys(BITS).filter((value) => n & BITS[value]!));
}
function keyOf(values: Values): string {
  return [...values].sort().join(',');
}

function union(a: Values, b: Values): Values {
  return new Set([...a, ...b]);
}
function unionAll(all: readonly Values[]): Values {
  return new Set(all.flatMap((values) => [...values]));
}
function sameValues(a: Values, b: Values): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}

interface Reading {
  /** The commands' values, by where each starts. */
  seen: Seen[];
  documents: ReadonlyArray<{ start: number; end: number }>;
}
const cache = new Map<string, Map<string, Reading | undefined>>();
/** Steps of a flow's reading (Flow.work) that count as one unit of the bound on a check's work (budget.ts). */
const FLOW_STEPS_PER_UNIT = 128;

/** Why a variable's fixed values are not known to hold where it is read (flowValues). */
export type FlowGap = 'environment' | 'unknown' | 'unread';

/** Reads `script` for `variable`, or undefined when it cannot (or would take too long); `work`: what it took. */
function read(
  script: string,
  variable: string,
  reader: AssignmentReader,
): { reading?: Reading; work: number } {
  const flow = new Flow(script, variable, reader);
  try {
    const seen = flow.run();
    // An unquoted here-document's ${v:=word} assigns v where the here-document is read: not followed.
    if (flow.anyHereUnknown) for (const point of seen.values()) point.values.add(UNKNOWN);
    const sorted = [...seen.values()].sort((a, b) => a.start - b.start);
    return { reading: { seen: sorted, documents: flow.documents }, work: flow.work };
  } catch (error) {
    // Nested deeper than the stack holds: not read either.
    if (!(error instanceof FlowError) && !(error instanceof RangeError)) throw error;
    return { work: flow.work };
  }
}

/** The work the reading of `variable` in `script` takes (for tests of its bound), or 'not read' (past it…). */
export function flowWork(script: string, variable: string): number | 'not read' {
  const { reading, work } = read(script, variable, () => () => fixedValue(''));
  return reading ? work : 'not read';
}

/**
 * The fixed texts `variable` may hold before the simple command at `at` (an offset in it) of `script`, or before
 * any command holding `word` when `at` is not given: every fixed text an assignment of the script's text gives it
 * (`occurrences`: where each starts and its text), but for those in a here-document's body. Otherwise why not:
 * it may hold the environment's value there (no assignment, or only ones that may not have run or do not hold
 * there), a value set otherwise (let, ((…)), read…), or the script could not be read.
 */
export function flowValues(
  script: string,
  variable: string,
  reader: AssignmentReader,
  at: number | undefined,
  word: string,
  occurrences: ReadonlyArray<{ at: number; text: string }>,
): string[] | FlowGap {
  // By script, then variable: a key joining them would be a new string of the script's length at each call.
  let readings = cache.get(script);
  if (!readings) {
    if (cache.size >= 16) cache.clear();
    readings = new Map();
    cache.set(script, readings);
  }
  let reading = readings.get(variable);
  if (!readings.has(variable)) {
    const done = read(script, variable, reader);
    reading = done.reading;
    readings.set(variable, reading);
    // Against the bound on the work of checking the script (budget.ts): a step of the flow's reading is far less
    // work than a character of the script's (its own bound, MAX_WORK, is 4,000,000 of them).
    charge(Math.ceil(done.work / FLOW_STEPS_PER_UNIT));
  }
  if (!reading) return 'unread';
  const seen = reading.seen;
  const points =
    at !== undefined ? [at] : [...script.matchAll(new RegExp(escape(word), 'g'))].map((m) => m.index);
  const values = new Set<string>();
  for (const point of points) {
    // The innermost command holding the point: the last to start at or before it that ends after it.
    let lo = 0;
    let hi = seen.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seen[mid]!.start <= point) lo = mid + 1;
      else hi = mid;
    }
    let inner: Seen | undefined;
    for (let k = lo - 1; k >= 0 && !inner; k--) if (point < seen[k]!.end) inner = seen[k];
    if (!inner) return 'unread';
    for (const value of inner.values) values.add(value);
  }
  if (values.size === 0) return 'unread';
  if (values.has(ENV) || values.has(ENTRY)) return 'environment';
  if (values.has(UNKNOWN)) return 'unknown';
  const texts = occurrences
    .filter((o) => !reading.documents.some((doc) => doc.start <= o.at && o.at < doc.end))
    .map((o) => o.text);
  return texts.length === 0 ? 'unread' : [...new Set(texts)];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
