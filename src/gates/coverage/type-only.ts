// The lines of a TypeScript file that only declare types: a type alias, an interface, a `declare`, an
// `import type` / `export type { … }`. The compiler erases them, so a coverage tool has no statement there
// to count, and a file made only of them is in no coverage report. Pure: text in, lines out. The file is
// read as a sequence of top-level statements (strings, template literals, comments and regex literals
// skipped, brackets counted); a line it cannot place stays code, the side that counts it.

const TYPESCRIPT = /\.(?:ts|tsx|mts|cts)$/i;

/** A top-level statement that declares only types: erased by the compiler. */
const TYPE_ONLY =
  /^(?:export\s+(?:default\s+)?)?(?:declare\b|interface\s|type\s+[\p{L}_$][\p{L}\p{N}_$]*\s*[=<]|import\s+type\b|type\s*\{|type\s*\*|\{\s*\}\s*;?\s*$)/u;
/** How a line that goes on with the statement before it starts (`| 'b'`, `extends B {`, `}`). */
const CONTINUATION = /^(?:[|&.?:=,)\]}>]|(?:extends|implements|as|satisfies|keyof)\b)/;
/** Before a `/`, what makes it start a regex literal rather than divide. */
const REGEX_AFTER_CHAR = /[(,=:[!&|?{};+\-*%<>~^]/;
const REGEX_AFTER_WORD = /^(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/** Whether `path` is a TypeScript source whose type-only lines can be told. */
export function isTypeScript(path: string): boolean {
  return TYPESCRIPT.test(path);
}

/**
 * The 1-based lines of `text` inside a top-level statement that declares only types. Blank and comment
 * lines are not in it (the caller leaves them out already).
 */
export function typeOnlyLines(text: string): Set<number> {
  const lines = text.split('\n');
  const result = new Set<number>();
  let depth = 0;
  // The bracket depth at which each open `${` of a template literal opened, innermost last.
  const templates: number[] = [];
  let inTemplate = false;
  let inBlockComment = false;
  let statement: { typeOnly: boolean; lines: number[] } | undefined;
  const close = () => {
    if (statement?.typeOnly) for (const line of statement.lines) result.add(line);
    statement = undefined;
  };
  // The code of the last line that had some (comments out, strings as ""): whether a statement goes on.
  let last = '';
  // The last code character read and, when it ends a word, that word: whether a `/` starts a regex.
  let previous = '';
  let word = '';
  const read = (char: string) => {
    if (/\s/.test(char)) return;
    word = /[\w$]/.test(char) ? (/[\w$]/.test(previous) ? word + char : char) : '';
    previous = char;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const trimmed = line.trim();
    if (depth === 0 && !inTemplate && !inBlockComment && trimmed !== '' && !/^(?:\/\/|\/\*)/.test(trimmed)) {
      // A line at the top level starts a statement unless the last one goes on into it (`type A =`, `| 'b'`).
      if (statement === undefined || !(continues(last) || CONTINUATION.test(trimmed))) {
        close();
        statement = { typeOnly: TYPE_ONLY.test(trimmed), lines: [] };
      }
    }
    statement?.lines.push(index + 1);
    let code = '';
    let i = 0;
    while (i < line.length) {
      const char = line[i]!;
      if (inBlockComment) {
        const end = line.indexOf('*/', i);
        if (end === -1) i = line.length;
        else {
          inBlockComment = false;
          i = end + 2;
        }
        continue;
      }
      if (inTemplate) {
        if (char === '\\') i += 2;
        else if (char === '`') {
          inTemplate = false;
          code += '``';
          read('`');
          i += 1;
        } else if (line.startsWith('${', i)) {
          templates.push(depth);
          depth += 1;
          inTemplate = false;
          i += 2;
        } else i += 1;
        continue;
      }
      if (line.startsWith('//', i)) break;
      if (line.startsWith('/*', i)) {
        inBlockComment = true;
        i += 2;
        continue;
      }
      if (char === '"' || char === "'") {
        i = stringEnd(line, i);
        code += '""';
        read('"');
        continue;
      }
      if (char === '`') {
        inTemplate = true;
        i += 1;
        continue;
      }
      if (char === '/') {
        if (previous === '' || REGEX_AFTER_CHAR.test(previous) || REGEX_AFTER_WORD.test(word)) {
          i = regexEnd(line, i);
          code += '/./';
          read('/');
          continue;
        }
      }
      if (char === '{' || char === '(' || char === '[') depth += 1;
      else if (char === '}' || char === ')' || char === ']') {
        if (char === '}' && templates.length > 0 && templates.at(-1) === depth - 1) {
          // The end of a `${…}`: back in its template literal.
          templates.pop();
          depth -= 1;
          inTemplate = true;
          i += 1;
          continue;
        }
        depth = Math.max(0, depth - 1);
      }
      code += char;
      read(char);
      i += 1;
    }
    if (code.trim() !== '') last = code.trim();
  }
  close();
  return result;
}

/** Whether a statement whose last code line is `last` goes on at the next line (an operator, an open bracket). */
function continues(last: string): boolean {
  return /(?:[=|&,(\[{:?+\-*/<.]|=>)$/.test(last) || /\b(?:extends|keyof|typeof|in|of|as|satisfies)$/.test(last);
}

/** The index after a '…' or "…" string that starts at `start` (or the line's end). */
function stringEnd(line: string, start: number): number {
  const quote = line[start];
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === '\\') i += 1;
    else if (line[i] === quote) return i + 1;
  }
  return line.length;
}

/** The index after a regex literal that starts at `start` (its flags included), or the line's end. */
function regexEnd(line: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\') i += 1;
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (char === '/' && !inClass) {
      let end = i + 1;
      while (end < line.length && /[a-z]/i.test(line[end]!)) end += 1;
      return end;
    }
  }
  return line.length;
}
