// The line ssh runs remotely, read as the remote user's shell reads it. ssh joins the words after the
// destination with spaces into one line, and the remote shell parses it again: its quotes, backslashes, comments,
// operators (; & && || | ( ) and newlines), command substitutions ($(…) and `…`, whose inside is a command) and
// its own variables. A template's place there is what matters (launchers.ts): a quote opened in one word and
// closed in another, or a variable set on the remote host (`v={{x}}; $v`), must not hide a template that ends up
// in a program's place. Pure.

/** A word of the remote line, unquoted, with the parts of ssh's words it is made of. */
export interface RemoteWord {
  text: string;
  /** [index of ssh's word, the text taken from it]; a remote variable's templates count at their own word. */
  parts: Array<[number, string]>;
  /** A template inside ${…}: the remote shell reads the variable its value names. */
  expansion: boolean;
  /** The remote variables set from a template that it references. */
  via?: string[];
}

/** A simple command of the remote line. */
export interface RemoteCommand {
  words: RemoteWord[];
  /** Assignments before its program (or alone): NAME=VALUE. */
  assignments: RemoteWord[];
  /** Its standard input is the output of the command before it (`… | sh`). */
  piped: boolean;
}

const RESERVED = new Set(['do', 'then', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}', 'time']);
const DECLARATIONS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
const TEMPLATE = /\{\{\s*[A-Za-z_]\w*\s*\}\}/g;

/** The simple commands of the line ssh joins from `words[from..to)`. */
export function remoteCommands(words: readonly string[], from: number, to: number): RemoteCommand[] {
  let line = '';
  const owner: number[] = [];
  for (let k = from; k < to; k++) {
    if (k > from) {
      line += ' ';
      owner.push(k - 1);
    }
    line += words[k]!;
    for (let c = 0; c < words[k]!.length; c++) owner.push(k);
  }
  // Remote variables set from a template: their templates, at the ssh word each is in.
  const held = new Map<string, Array<[number, string]>>();
  const commands: RemoteCommand[] = [];
  let command: RemoteCommand = { words: [], assignments: [], piped: false };
  let word: RemoteWord | undefined;
  let redirect = false;
  const append = (text: string, at: number) => {
    word ??= { text: '', parts: [], expansion: false };
    word.text += text;
    const last = word.parts.at(-1);
    if (last && last[0] === owner[at]) last[1] += text;
    else word.parts.push([owner[at]!, text]);
  };
  const reference = (name: string) => {
    if (held.has(name)) {
      word ??= { text: '', parts: [], expansion: false };
      (word.via ??= []).push(name);
    }
    for (const [k, template] of held.get(name) ?? []) {
      word ??= { text: '', parts: [], expansion: false };
      word.text += template;
      word.parts.push([k, template]);
    }
  };
  const endWord = () => {
    if (!word) return;
    if (redirect) redirect = false;
    else if (command.words.length === 0 && RESERVED.has(word.text)) {
      // do $v, then $v: the next word is again a command's first
    } else if (command.words.length === 0 && /^[A-Za-z_]\w*=/.test(word.text)) command.assignments.push(word);
    else command.words.push(word);
    word = undefined;
  };
  const endCommand = (piped: boolean) => {
    endWord();
    const texts = command.words.map((w) => w.text);
    // v={{x}}, export v={{x}}, for v in {{x}}: the remote variable holds the templates.
    const sets =
      texts.length === 0
        ? command.assignments
        : DECLARATIONS.has(texts[0]!)
          ? command.words.slice(1).filter((w) => /^[A-Za-z_]\w*=/.test(w.text))
          : [];
    for (const assignment of sets) {
      const name = /^[A-Za-z_]\w*/.exec(assignment.text)![0];
      const templates = assignment.parts.flatMap(([k, text]) =>
        [...text.matchAll(TEMPLATE)].map((m): [number, string] => [k, m[0]]),
      );
      if (templates.length) held.set(name, [...(held.get(name) ?? []), ...templates]);
    }
    if (texts[0] === 'for' && texts[1] !== undefined && texts[2] === 'in') {
      const templates = command.words
        .slice(3)
        .flatMap((w) =>
          w.parts.flatMap(([k, text]) =>
            [...text.matchAll(TEMPLATE)].map((m): [number, string] => [k, m[0]]),
          ),
        );
      if (templates.length) held.set(texts[1], templates);
    }
    if (command.words.length || command.assignments.length) commands.push(command);
    command = { words: [], assignments: [], piped };
  };
  // What encloses the current character: the line, "…", $(…) or `…` (whose insides are commands).
  const modes: Array<'line' | 'double' | 'sub' | 'backtick'> = ['line'];
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const mode = modes.at(-1)!;
    if (c === '\\') {
      if (i + 1 < line.length && !(mode === 'double' && !'$`"\\\n'.includes(line[i + 1]!)))
        append(line[i + 1]!, i + 1);
      else append(c, i);
      i++;
      continue;
    }
    if (c === '$' && line[i + 1] === '(') {
      endCommand(false);
      modes.push('sub');
      i += line[i + 2] === '(' ? 2 : 1;
      continue;
    }
    if (c === '`') {
      endCommand(false);
      if (mode === 'backtick') modes.pop();
      else modes.push('backtick');
      continue;
    }
    const template = line.startsWith('{{', i + 1)
      ? /^\{\{\s*[A-Za-z_]\w*\s*\}\}/.exec(line.slice(i + 1))
      : null;
    if (c === '$' && template) {
      // ${{x}} or $ then a value: the remote shell reads the variable the value names.
      for (let k = i; k <= i + template[0].length; k++) append(line[k]!, k);
      word!.expansion = true;
      i += template[0].length;
      continue;
    }
    if (c === '$' && line[i + 1] === '{') {
      let depth = 0;
      let end = i + 1;
      for (; end < line.length; end++) {
        if (line[end] === '{') depth++;
        else if (line[end] === '}' && --depth === 0) break;
      }
      const inside = line.slice(i + 2, end);
      const name = /^!?([A-Za-z_]\w*)/.exec(inside)?.[1];
      for (let k = i; k <= end && k < line.length; k++) append(line[k]!, k);
      if (TEMPLATE.test(inside)) word!.expansion = true;
      TEMPLATE.lastIndex = 0;
      if (name !== undefined && held.has(name)) reference(name);
      i = end;
      continue;
    }
    if (c === '$' && /[A-Za-z_]/.test(line[i + 1] ?? '')) {
      const name = /^[A-Za-z_]\w*/.exec(line.slice(i + 1))![0];
      for (let k = i; k <= i + name.length; k++) append(line[k]!, k);
      reference(name);
      i += name.length;
      continue;
    }
    if (mode === 'double') {
      if (c === '"') modes.pop();
      else append(c, i);
      continue;
    }
    if (c === '"') {
      word ??= { text: '', parts: [], expansion: false };
      modes.push('double');
      continue;
    }
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      const end = close < 0 ? line.length : close;
      word ??= { text: '', parts: [], expansion: false };
      for (let k = i + 1; k < end; k++) append(line[k]!, k);
      i = end;
      continue;
    }
    if (c === '#' && !word) {
      while (i + 1 < line.length && line[i + 1] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    if (c === ')' && mode === 'sub') {
      endCommand(false);
      modes.pop();
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      const pipe = c === '|' && line[i + 1] !== '|' && line[i - 1] !== '|';
      if ((c === '&' || c === '|') && line[i + 1] === c) i++;
      else if (c === '|' && line[i + 1] === '&') i++;
      endCommand(pipe);
      continue;
    }
    if (c === '<' || c === '>') {
      endWord();
      while (line[i + 1] === '<' || line[i + 1] === '>' || line[i + 1] === '&') i++;
      redirect = true;
      continue;
    }
    append(c, i);
  }
  endCommand(false);
  return commands;
}
