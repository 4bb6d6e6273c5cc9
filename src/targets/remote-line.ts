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
  /** The files of its redirections (`> FILE`, `2>> FILE`, `< FILE`), with their operators (file-writes.ts). */
  redirects: Array<{ operator: string; word: RemoteWord }>;
  /** What it reads on its standard input from the line itself: a here-string's word (`<<< WORD`), `< <(…)`. */
  stdin: RemoteWord[];
  /** It reads a here-document (`<<EOF`), whose lines come after it on the line (read as commands here). */
  heredoc: boolean;
}

const newCommand = (piped: boolean): RemoteCommand => ({
  words: [],
  assignments: [],
  piped,
  redirects: [],
  stdin: [],
  heredoc: false,
});

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
  let command: RemoteCommand = newCommand(false);
  let word: RemoteWord | undefined;
  let redirect = false;
  // The operator of the redirection whose word comes next (`>`, `2>>`, `<`; `<<`, `<<<` take no file).
  let operator = '';
  // Every template of the line, at its ssh word: what `read` or `mapfile` on the remote host may read.
  const lineTemplates = [...line.matchAll(TEMPLATE)].map((m): [number, string] => [owner[m.index]!, m[0]]);
  // Around a substitution ($(…), `…`, <(…), >(…)), whose inside is commands of its own: the command, word and
  // redirection it is in, taken up again after it.
  const saved: Array<{
    command: RemoteCommand;
    word: RemoteWord | undefined;
    redirect: boolean;
    start: number;
  }> = [];
  const openSubstitution = (start: number) => {
    saved.push({ command, word, redirect, start });
    // >(…): its first command reads what the command around it writes there (tee >(sh)), as from a pipe.
    command = newCommand(line[start] === '>');
    word = undefined;
    redirect = false;
  };
  // The substitution is part of the word it is in: its output, and so the templates inside, count there.
  const closeSubstitution = (end: number) => {
    endCommand(false);
    const outer = saved.pop();
    if (!outer) return;
    ({ command, word, redirect } = outer);
    word ??= { text: '', parts: [], expansion: false };
    word.text += line.slice(outer.start, end + 1);
    for (const m of line.slice(outer.start, end + 1).matchAll(TEMPLATE))
      word.parts.push([owner[outer.start + m.index]!, m[0]]);
  };
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
    if (redirect) {
      redirect = false;
      if (operator.includes('<<<')) command.stdin.push(word);
      else if (operator.includes('<<')) command.heredoc = true;
      else {
        command.redirects.push({ operator, word });
        // < <(…): what the inside writes is the command's standard input.
        if (/^0?<$/.test(operator) && word.text.startsWith('<(')) command.stdin.push(word);
      }
    } else if (command.words.length === 0 && RESERVED.has(word.text)) {
      // do $v, then $v: the next word is again a command's first
    } else if (command.words.length === 0 && /^[A-Za-z_]\w*=/.test(word.text)) command.assignments.push(word);
    else command.words.push(word);
    word = undefined;
  };
  const endCommand = (piped: boolean) => {
    endWord();
    redirect = false;
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
    // set -- {{x}}: the positional parameters hold the templates.
    if (texts[0] === 'set' && texts.length > 1 && (texts[1] === '--' || !/^[-+]/.test(texts[1]!))) {
      const templates = command.words
        .slice(1)
        .flatMap((w) =>
          w.parts.flatMap(([k, text]) =>
            [...text.matchAll(TEMPLATE)].map((m): [number, string] => [k, m[0]]),
          ),
        );
      if (templates.length)
        for (const name of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '@', '*']) held.set(name, templates);
    }
    // read v <<< {{x}}, mapfile: what they read may be any template of the line.
    if (/^(read|mapfile|readarray)$/.test(texts[0] ?? '') && lineTemplates.length) {
      for (const name of texts.slice(1).filter((t) => /^[A-Za-z_]\w*$/.test(t)))
        held.set(name, lineTemplates);
      held.set(texts[0] === 'read' ? 'REPLY' : 'MAPFILE', lineTemplates);
    }
    if (
      command.words.length ||
      command.assignments.length ||
      command.redirects.length ||
      command.stdin.length
    )
      commands.push(command);
    command = newCommand(piped);
  };
  // What encloses the current character: the line, "…", $(…), <(…), >(…) or `…` (whose insides are commands).
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
    if (c === '$' && line.startsWith('((', i + 1)) {
      // $((…)): arithmetic, part of the word; a value there is evaluated as an expression (a[$(…)] runs code).
      let depth = 0;
      let end = i + 1;
      for (; end < line.length; end++) {
        if (line[end] === '(') depth++;
        else if (line[end] === ')' && --depth === 0) break;
      }
      for (let k = i; k <= end && k < line.length; k++) append(line[k]!, k);
      if (TEMPLATE.test(line.slice(i, end))) word!.expansion = true;
      TEMPLATE.lastIndex = 0;
      i = end;
      continue;
    }
    if ((c === '$' || ((c === '<' || c === '>') && mode !== 'double')) && line[i + 1] === '(') {
      openSubstitution(i);
      modes.push('sub');
      i++;
      continue;
    }
    if (c === '`') {
      if (mode === 'backtick') {
        modes.pop();
        closeSubstitution(i);
      } else {
        openSubstitution(i);
        modes.push('backtick');
      }
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
      const name = /^!?([A-Za-z_]\w*|[0-9@*])/.exec(inside)?.[1];
      for (let k = i; k <= end && k < line.length; k++) append(line[k]!, k);
      if (TEMPLATE.test(inside)) word!.expansion = true;
      TEMPLATE.lastIndex = 0;
      if (name !== undefined && held.has(name)) reference(name);
      i = end;
      continue;
    }
    if (c === '$' && /[0-9@*]/.test(line[i + 1] ?? '')) {
      append(c + line[i + 1]!, i);
      reference(line[i + 1]!);
      i++;
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
      modes.pop();
      closeSubstitution(i);
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
      // 2> FILE: the descriptor is the redirection's, not a word of the command.
      const descriptor =
        word && /^\d+$/.test(word.text) && /\d/.test(line[i - 1] ?? '') && word.parts.length === 1
          ? word.text
          : '';
      if (descriptor) word = undefined;
      endWord();
      const start = i;
      while (line[i + 1] === '<' || line[i + 1] === '>' || line[i + 1] === '&' || line[i + 1] === '|') i++;
      operator = descriptor + line.slice(start, i + 1);
      redirect = true;
      continue;
    }
    append(c, i);
  }
  endCommand(false);
  return commands;
}
