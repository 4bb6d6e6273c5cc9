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

/** The environment's value (before any assignment, or after `local v` in a function): not known. */
const ENV = 'E';
/** A value set from something not known here. */
const UNKNOWN = 'U';
/** A value: ENV, UNKNOWN, or 'T' followed by fixed text. */
type Values = ReadonlySet<string>;

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

/** A function's definition: where its body starts; `certain`: run in the script's shell, on every path. */
interface Definition {
  at: number;
  certain: boolean;
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
const MAX_STEPS = 100_000;

/**
 * Reads `script` for one variable: the values it may hold before each simple command. `reader` says what an
 * assignment's value sets it to.
 */
class Flow {
  private readonly seen = new Map<number, Seen>();
  /** The functions defined so far: where each body starts, and whether it is sure to be defined after that. */
  private readonly functions = new Map<string, Definition>();
  private readonly definitions: Definition[] = [];
  private readonly calling = new Set<string>();
  private readonly called = new Set<string>();
  private pendingDocs: Array<{ delimiter: string; strip: boolean; quoted: boolean }> = [];
  private recording = 0;
  /** Where the assignments of the variable this reading ran start (v=…, declare v=…, ${v:=…}). */
  readonly assignedAt = new Set<number>();
  /** The here-documents' bodies: text this shell does not run. */
  readonly documents: Array<{ start: number; end: number }> = [];
  /** How many function bodies are being read (local v there unsets v). */
  private inFunction = 0;
  /** Commands read so far (MAX_STEPS). */
  private steps = 0;
  private readonly lastpipe: boolean;
  private pos = 0;
  private limit: number;

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
    let state: Values = new Set([ENV]);
    state = this.list(state);
    if (this.pos < this.limit) throw new FlowError(`unexpected ${this.src.slice(this.pos, this.pos + 10)}`);
    // Functions never called by name, named in a trap (trap f EXIT, trap 'f' DEBUG) or held by a variable (fn=f;
    // $fn, run where this reading does not see a call), may run at any point after their definition: their
    // commands see any state of the script, and what they set may hold anywhere after.
    // Read to the line's end, quotes and separators as blanks: its code string's words, and maybe more.
    const traps = [...this.src.matchAll(/(?:^|[\s;&|({])trap[ \t]+([^\n]*)/g)].map((m) =>
      m[1]!.replace(/['"\\;&|(){}]/g, ' '),
    );
    for (const [name, { at }] of this.functions) {
      const word = new RegExp(`(^|\\s)${escape(name)}(?=\\s|$)`);
      const held = new RegExp(`(^|[\\s;&|({])\\w+=["']?${escape(name)}["']?(?=[\\s;&|)]|$)`);
      if (this.called.has(name) && !traps.some((args) => word.test(args)) && !held.test(this.src)) continue;
      const any = new Set<string>(state);
      for (const seen of this.seen.values()) if (seen.start > at) for (const v of seen.values) any.add(v);
      const saved = this.pos;
      this.pos = at;
      this.inFunction++;
      const mark = this.definitions.length;
      const after = this.command(any);
      this.uncertainSince(mark);
      this.inFunction--;
      this.pos = saved;
      for (const seen of this.seen.values())
        if (seen.start > at) for (const value of after) seen.values.add(value);
    }
    return this.seen;
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
      else if (c === '$') this.dollar(state, effects, false);
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
      if (own && this.recording === 0) this.assignedAt.add(start);
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
    for (const doc of docs) {
      const start = this.pos;
      for (;;) {
        if (this.pos >= this.limit) return;
        const end = this.src.indexOf('\n', this.pos);
        const lineEnd = end < 0 || end > this.limit ? this.limit : end;
        let line = this.src.slice(this.pos, lineEnd);
        if (doc.strip) line = line.replace(/^\t+/, '');
        // An unquoted here-document's ${v:=word} would assign v: not known.
        if (!doc.quoted && new RegExp(`\\$\\{${this.variable}:?=`).test(line)) this.hereUnknown = true;
        this.pos = lineEnd + 1;
        if (line === doc.delimiter) break;
      }
      this.documents.push({ start, end: this.pos });
    }
    if (this.pos > this.limit) this.pos = this.limit;
  }
  private hereUnknown = false;

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
    if (this.recording > 0) return;
    const seen = this.seen.get(start);
    if (seen) {
      for (const value of state) seen.values.add(value);
      seen.end = Math.max(seen.end, end);
    } else this.seen.set(start, { start, end, values: new Set(state) });
  }

  private redirections(state: Values, effects: AssignedValue[]): void {
    for (;;) {
      const token = this.peek();
      if (token?.kind !== 'op' || !REDIRECTIONS.has(token.text.replace(/^\d+/, ''))) return;
      this.redirection(state, effects);
    }
  }

  private redirection(state: Values, effects: AssignedValue[]): void {
    const token = this.peek()!;
    const op = this.src.slice(token.start, token.end).replace(/^\d+/, '');
    this.pos = token.end;
    this.skipBlanks();
    const target = this.word(state, effects);
    if (op === '<<' || op === '<<-') {
      const quoted = /['"\\]/.test(target.text);
      this.pendingDocs.push({ delimiter: target.text.replace(/['"\\]/g, ''), strip: op === '<<-', quoted });
    }
  }

  /** A command: compound, a function's definition, or simple. */
  private command(state: Values): Values {
    // Loops read again and functions read at each call: a bound on the work, past which nothing is known.
    if (++this.steps > MAX_STEPS) throw new FlowError('too long to read');
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
      return this.after(out, []);
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
      return this.after(unionAll(outs), []);
    }
    if (this.isWord('while') || this.isWord('until')) {
      this.pos += 5;
      const at = this.pos;
      let entry = state;
      let out: Values = state;
      for (let round = 0; ; round++) {
        this.pos = at;
        const condition = this.list(entry);
        this.expectWord('do');
        const body = this.list(condition);
        this.expectWord('done');
        out = unionAll([entry, condition, body]);
        if (sameValues(out, entry) || round >= MAX_LOOP) break;
        entry = out;
      }
      this.uncertainSince(definedBefore);
      return this.after(out, []);
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
      for (let round = 0; ; round++) {
        this.pos = at;
        const braced = this.isWord('{');
        this.expectWord(braced ? '{' : 'do');
        const body = this.list(out);
        this.expectWord(braced ? '}' : 'done');
        const next = union(out, body);
        if (sameValues(next, out) || round >= MAX_LOOP) break;
        out = next;
      }
      // The body may not run: the values before it stay, except the loop's own variable.
      this.uncertainSince(definedBefore);
      return this.after(union(state, out), []);
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
      return this.after(unionAll(outs), []);
    }
    if (this.isWord('function')) {
      this.pos += 8;
      this.skipBlanks();
      const name = this.word(state, []).text;
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

  /** A compound command's redirections, then the values after it (`state`, or `keep` for a subshell). */
  private after(state: Values, effects: AssignedValue[], keep?: Values): Values {
    const more: AssignedValue[] = [...effects];
    this.redirections(state, more);
    let out = keep ?? state;
    for (const effect of more) out = effect(out);
    return out;
  }

  /** A function's definition: its body is read where it is called. */
  private define(name: string, state: Values): Values {
    const at = this.pos;
    const definition: Definition = { at, certain: true };
    this.functions.set(name, definition);
    this.definitions.push(definition);
    const mark = this.definitions.length;
    this.recording++;
    try {
      this.command(state);
    } finally {
      this.recording--;
    }
    this.uncertainSince(mark);
    return state;
  }

  /** The functions defined since `mark` may not be defined after the command that defined them. */
  private uncertainSince(mark: number): void {
    for (const definition of this.definitions.slice(mark)) definition.certain = false;
  }

  private simple(state: Values): Values {
    const start = this.pos;
    const words: Token[] = [];
    const effects: AssignedValue[] = [];
    for (;;) {
      const token = this.peek();
      if (!token) break;
      if (token.kind === 'op') {
        if (REDIRECTIONS.has(token.text.replace(/^\d+/, ''))) {
          this.redirection(state, effects);
          continue;
        }
        break;
      }
      words.push(this.word(state, effects));
    }
    const end = this.pos;
    this.record(start, end, state);
    const plain = (text: string) => text.replace(/['"\\]/g, '');
    let k = 0;
    const assigned: Array<{ word: Token; value: string }> = [];
    while (k < words.length && ASSIGNMENT.test(words[k]!.text)) {
      const m = ASSIGNMENT.exec(words[k]!.text)!;
      if (m[1] === this.variable)
        assigned.push({ word: words[k]!, value: words[k]!.text.slice(m[0].length) });
      k++;
    }
    let out = state;
    const assign = (raw: string, append: boolean, maybe: boolean) => {
      const value = append ? unknownValue : this.reader(raw)(out);
      out = maybe ? union(out, value) : value;
    };
    let program = words[k] && plain(words[k]!.text);
    for (const { word } of assigned) {
      const m = ASSIGNMENT.exec(word.text)!;
      if (this.recording === 0) this.assignedAt.add(word.start);
      // An array's element, v+=…: no longer one fixed text. Before a program: for it alone (kept for a
      // function or a special builtin in POSIX mode).
      assign(word.text.slice(m[0].length), m[2] !== undefined || m[3] === '+', program !== undefined);
    }
    for (const effect of effects) out = effect(out);
    if (program === undefined) return out;
    // builtin export V=…, command read V: the builtin after them (never a function).
    const wrapped = /^(builtin|command)$/.test(program);
    while (k < words.length - 1 && /^(builtin|command)$/.test(plain(words[k]!.text))) {
      k++;
      while (k < words.length - 1 && plain(words[k]!.text).startsWith('-')) k++;
    }
    program = plain(words[k]!.text);
    // X=export; $X V=sh, R=read; $R V: a builtin named by an expansion may set what its arguments name.
    if (
      /[$`]/.test(words[k]!.text) &&
      words.slice(k + 1).some((w) => new RegExp(`(^|[^\\w$])${this.variable}(?!\\w)`).test(w.text))
    )
      return unknownValue;
    const args = words.slice(k + 1).map((w) => plain(w.text));
    if (DECLARES.has(program)) {
      const options = args.filter((a) => /^[-+]/.test(a)).join('');
      for (const word of words.slice(k + 1)) {
        const text = word.text;
        const m = ASSIGNMENT.exec(text);
        if (m?.[1] === this.variable) {
          if (this.recording === 0) this.assignedAt.add(word.start);
          assign(text.slice(m[0].length), m[2] !== undefined || m[3] === '+', false);
        }
        // export {DOCKER=sh,X=y}: a brace expansion's word assigns it too.
        else if (new RegExp(`(^|[^\\w$])${this.variable}=`).test(text)) out = unknownValue;
        // local v, declare v in a function: unset there.
        else if (
          plain(text) === this.variable &&
          program !== 'export' &&
          program !== 'readonly' &&
          this.inFunction > 0 &&
          !options.includes('g')
        )
          out = new Set([ENV]);
      }
      if (/i/.test(options) && args.includes(this.variable)) out = unknownValue;
    } else if (program === 'let') {
      const effects2: AssignedValue[] = [];
      for (const arg of args) this.arithmetic(arg, effects2);
      for (const effect of effects2) out = effect(out);
    } else if (
      ['read', 'mapfile', 'readarray', 'getopts', 'unset', 'printf', 'wait'].includes(program) &&
      // The name as an operand, or attached to its option (printf -vV, read -raV, wait -pV).
      args.some((arg) => arg === this.variable || (/^-[A-Za-z]+$/.test(arg) && arg.endsWith(this.variable)))
    )
      out = program === 'unset' ? new Set([ENV]) : unknownValue;
    else if (!wrapped && this.functions.has(program)) out = this.call(program, out);
    return out;
  }

  /** A call of a function of the script: its body, read with the values here. */
  private call(name: string, state: Values): Values {
    this.called.add(name);
    if (this.calling.has(name)) return union(state, unknownValue);
    const saved = { pos: this.pos, limit: this.limit, docs: this.pendingDocs };
    const { at, certain } = this.functions.get(name)!;
    this.pos = at;
    this.limit = this.src.length;
    this.pendingDocs = [];
    this.calling.add(name);
    this.inFunction++;
    try {
      let body = this.command(state);
      const bodyText = this.src.slice(at, this.pos);
      // A variable made local in the body is the caller's again after it; a function that may not be defined
      // here (defined in a subshell, a branch…) may not run.
      const local = new RegExp(`\\b(local|declare|typeset)\\b[^;&|\\n]*\\b${this.variable}\\b`).test(
        bodyText,
      );
      if (local || !certain) body = union(state, body);
      // A return: the body ends there, with the values before it.
      for (const seen of this.seen.values())
        if (
          seen.start >= at &&
          seen.start < this.pos &&
          /^return(?![^\s;&|)])/.test(this.src.slice(seen.start))
        )
          body = union(body, seen.values);
      return body;
    } finally {
      this.calling.delete(name);
      this.inFunction--;
      this.pos = saved.pos;
      this.limit = saved.limit;
      this.pendingDocs = saved.docs;
    }
  }

  get anyHereUnknown(): boolean {
    return this.hereUnknown;
  }
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

const cache = new Map<string, Map<number, Seen> | undefined>();

/** Why a variable's fixed values are not known to hold where it is read (flowValues). */
export type FlowGap = 'environment' | 'unknown' | 'unread';

/**
 * The fixed texts `variable` may hold before the simple command at `at` (an offset in it) of `script`, or before
 * any command holding `word` when `at` is not given. Otherwise why not: it may hold the environment's value
 * there (no assignment, or only ones that may not have run or do not hold there), a value set otherwise (let,
 * ((…)), read…), or the script could not be read. `occurrences`: where the script's text holds an assignment of
 * the variable (v=…, ${v:=…}) and what it sets; one this reading does not run is taken to set it anywhere.
 */
export function flowValues(
  script: string,
  variable: string,
  reader: AssignmentReader,
  at: number | undefined,
  word: string,
  occurrences: ReadonlyArray<{ at: number; value: AssignedValue }>,
): string[] | FlowGap {
  const key = `${variable}\u0000${script}`;
  let seen = cache.get(key);
  if (!cache.has(key)) {
    try {
      const flow = new Flow(script, variable, reader);
      seen = flow.run();
      // An unquoted here-document's ${v:=word} assigns v where the here-document is read: not followed.
      if (flow.anyHereUnknown) for (const point of seen.values()) point.values.add(UNKNOWN);
      // An assignment the text holds (found by programLiterals) that this reading did not run as one (in a string,
      // a trap's code, a here-document, a builtin it does not know): it may set the variable anywhere.
      for (const occurrence of occurrences)
        if (
          !flow.assignedAt.has(occurrence.at) &&
          !flow.documents.some((doc) => doc.start <= occurrence.at && occurrence.at < doc.end)
        )
          for (const point of seen.values())
            for (const value of occurrence.value(point.values)) point.values.add(value);
    } catch (error) {
      if (!(error instanceof FlowError)) throw error;
      seen = undefined;
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, seen);
  }
  if (!seen) return 'unread';
  const points =
    at !== undefined ? [at] : [...script.matchAll(new RegExp(escape(word), 'g'))].map((m) => m.index);
  const values = new Set<string>();
  for (const point of points) {
    let inner: Seen | undefined;
    for (const s of seen.values())
      if (s.start <= point && point < s.end && (!inner || s.start > inner.start)) inner = s;
    if (!inner) return 'unread';
    for (const value of inner.values) values.add(value);
  }
  if (values.size === 0) return 'unread';
  if (values.has(ENV)) return 'environment';
  if (values.has(UNKNOWN)) return 'unknown';
  return [...values].map((value) => value.slice(1));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
