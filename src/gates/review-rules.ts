// Pure rules of the review gate: which lines of a source file carry a TODO marker, debug logging or
// commented-out code, and whether a pull request's reviews amount to an approval. No I/O here.
import { runAtOnce } from './turns.ts';

export type RuleLevel = 'block' | 'warn' | 'off';

interface Language {
  name: string;
  /** Line-comment prefixes, longest first. */
  lineComments: string[];
  /** Whether the language has C-style block comments. */
  blockComments: boolean;
  /** Debug logging calls, tested against the code part of a line (comments and strings removed). */
  debug: RegExp[];
  /** String delimiters whose strings may span lines (JS template literals, Python triple quotes). */
  multiline?: string[];
  /** Whether a backslash escapes inside those strings (not in Go's raw `...` strings). */
  rawMultiline?: boolean;
  /** Whether `'` also starts a lifetime or label (Rust's &'a str), a quote only around one character. */
  lifetimes?: boolean;
}

const C_LIKE = { lineComments: ['//'], blockComments: true };

const LANGUAGES: Array<{ extensions: string[]; language: Language }> = [
  {
    extensions: ['js', 'jsx', 'mjs', 'cjs', 'ts', 'tsx', 'mts', 'cts', 'vue', 'svelte'],
    language: {
      name: 'JavaScript/TypeScript',
      ...C_LIKE,
      multiline: ['`'],
      debug: [/\bconsole\.(log|debug|trace|dir|table)\s*\(/, /(^|[^\w$.])debugger\s*;?\s*$/],
    },
  },
  {
    extensions: ['py'],
    language: {
      name: 'Python',
      lineComments: ['#'],
      blockComments: false,
      multiline: ['"""', "'''"],
      debug: [
        /(^|[^\w.])print\s*\(/,
        /\b(i?pdb|pudb)\.set_trace\s*\(/,
        /^\s*import\s+(i?pdb|pudb)\b/,
        /(^|[^\w.])breakpoint\s*\(\s*\)/,
      ],
    },
  },
  {
    extensions: ['go'],
    language: {
      name: 'Go',
      ...C_LIKE,
      multiline: ['`'],
      rawMultiline: true,
      debug: [/\bfmt\.Print(ln)?\s*\(/, /(^|[^\w.])print(ln)?\s*\(/, /\bspew\.(Dump|Printf)\s*\(/],
    },
  },
  {
    extensions: ['rb'],
    language: {
      name: 'Ruby',
      lineComments: ['#'],
      blockComments: false,
      debug: [
        /(^|[^\w.])(puts|pp)\b/,
        /\bbinding\.(pry|irb)\b/,
        /(^|[^\w.])byebug\b/,
        /(^|[^\w.])debugger\b/,
      ],
    },
  },
  {
    extensions: ['java'],
    language: {
      name: 'Java',
      ...C_LIKE,
      multiline: ['"""'],
      debug: [/\bSystem\.(out|err)\.print(ln|f)?\s*\(/, /\.printStackTrace\s*\(\s*\)/],
    },
  },
  {
    extensions: ['kt', 'kts'],
    language: {
      name: 'Kotlin',
      ...C_LIKE,
      multiline: ['"""'],
      debug: [
        /\bSystem\.(out|err)\.print(ln)?\s*\(/,
        /(^|[^\w.])println\s*\(/,
        /\.printStackTrace\s*\(\s*\)/,
      ],
    },
  },
  {
    extensions: ['rs'],
    language: {
      name: 'Rust',
      ...C_LIKE,
      lifetimes: true,
      debug: [/\bdbg!\s*\(/, /(^|[^\w])e?println!\s*\(/],
    },
  },
  {
    extensions: ['php'],
    language: {
      name: 'PHP',
      lineComments: ['//', '#'],
      blockComments: true,
      debug: [/\b(var_dump|print_r|var_export|dd|dump|debug_zval_dump)\s*\(/],
    },
  },
  {
    extensions: ['cs'],
    language: { name: 'C#', ...C_LIKE, debug: [/\b(Console|Debug)\.Write(Line)?\s*\(/] },
  },
  {
    extensions: ['swift'],
    language: {
      name: 'Swift',
      ...C_LIKE,
      multiline: ['"""'],
      debug: [/(^|[^\w.])(print|debugPrint|dump)\s*\(/],
    },
  },
  {
    extensions: ['ex', 'exs'],
    language: {
      name: 'Elixir',
      lineComments: ['#'],
      blockComments: false,
      multiline: ['"""'],
      debug: [/\bIO\.(inspect|puts)\b/],
    },
  },
  {
    extensions: ['dart'],
    language: {
      name: 'Dart',
      ...C_LIKE,
      multiline: ['"""', "'''"],
      debug: [/(^|[^\w.])(print|debugPrint)\s*\(/],
    },
  },
  {
    extensions: ['c', 'h', 'cc', 'cpp', 'hpp', 'scala', 'groovy'],
    language: { name: 'C-like', ...C_LIKE, debug: [] },
  },
  {
    extensions: ['sh', 'bash', 'zsh', 'yml', 'yaml', 'toml', 'tf', 'hcl', 'r', 'pl'],
    language: { name: 'hash-commented', lineComments: ['#'], blockComments: false, debug: [] },
  },
  {
    extensions: ['sql', 'lua', 'hs'],
    language: { name: 'dash-commented', lineComments: ['--'], blockComments: false, debug: [] },
  },
];

const BY_EXTENSION = new Map<string, Language>(
  LANGUAGES.flatMap(({ extensions, language }) => extensions.map((ext) => [ext, language] as const)),
);

/** The language of a file from its extension, or undefined when the review gate does not know it. */
export function languageOf(path: string): Language | undefined {
  const match = /\.([A-Za-z0-9]+)$/.exec(path);
  return match ? BY_EXTENSION.get(match[1]!.toLowerCase()) : undefined;
}

/** A source line split into its code (strings blanked) and the text of its comment, if any. */
export interface SplitLine {
  code: string;
  comment?: string;
}

/**
 * Splits every line of a file into code and comment, tracking block comments and string literals, so
 * that `"// not a comment"` stays code and a line inside a `/* ... *\/` block is a comment.
 */
export function splitLines(text: string, language: Language): SplitLine[] {
  return runAtOnce(splitLineSteps(text, language));
}

/** Characters of one line read between two steps of splitLineSteps (a minified file is one long line). */
const CHARACTERS_A_STEP = 10_000;

/** splitLines' work, one step per line and per CHARACTERS_A_STEP characters of a long one (see Turns). */
export function* splitLineSteps(text: string, language: Language): Generator<void, SplitLine[]> {
  const result: SplitLine[] = [];
  let inBlock = false;
  // The delimiter of a string that began on an earlier line and has not ended yet.
  let multi: string | undefined;
  let read = 0;
  for (const line of text.split(/\r?\n/)) {
    yield;
    let code = '';
    let comment: string | undefined;
    let quote: string | undefined;
    let i = 0;
    while (i < line.length) {
      if (++read % CHARACTERS_A_STEP === 0) yield;
      const rest = line.slice(i);
      if (inBlock) {
        const end = rest.indexOf('*/');
        const body = end === -1 ? rest : rest.slice(0, end);
        comment = (comment === undefined ? '' : comment + ' ') + body;
        if (end === -1) break;
        inBlock = false;
        i += end + 2;
        continue;
      }
      const ch = line[i]!;
      if (multi) {
        if (ch === '\\' && !language.rawMultiline) {
          code += '  ';
          i += 2;
          continue;
        }
        const closes = rest.startsWith(multi);
        code += closes ? ' '.repeat(multi.length) : ' ';
        i += closes ? multi.length : 1;
        if (closes) multi = undefined;
        continue;
      }
      if (quote) {
        if (ch === '\\') {
          i += 2;
          continue;
        }
        if (ch === quote) quote = undefined;
        code += ' ';
        i += 1;
        continue;
      }
      const opener = language.multiline?.find((delimiter) => rest.startsWith(delimiter));
      if (opener) {
        multi = opener;
        code += opener;
        i += opener.length;
        continue;
      }
      if (ch === "'" && language.lifetimes && !/^'(\\.[^']*|[^\\'])'/.test(rest)) {
        code += ch;
        i += 1;
        continue;
      }
      if (ch === '"' || ch === "'" || ch === '`') {
        quote = ch;
        code += ch;
        i += 1;
        continue;
      }
      if (language.blockComments && rest.startsWith('/*')) {
        inBlock = true;
        i += 2;
        continue;
      }
      const prefix = language.lineComments.find((p) => rest.startsWith(p));
      if (prefix) {
        comment = (comment === undefined ? '' : comment + ' ') + rest.slice(prefix.length);
        break;
      }
      code += ch;
      i += 1;
    }
    result.push(comment === undefined ? { code } : { code, comment });
  }
  return result;
}

const TODO_MARKER = /\b(TODO|FIXME|XXX|HACK)\b/;

/** The TODO-style marker in a comment, if any. Markers are upper case by convention: "todo list" is prose. */
export function todoMarker(comment: string): string | undefined {
  return TODO_MARKER.exec(comment)?.[1];
}

/** The first debug-logging pattern the code part of a line matches, as readable text. */
export function debugCall(code: string, language: Language): string | undefined {
  for (const pattern of language.debug) {
    const match = pattern.exec(code);
    if (match) return match[0].replace(/^[^\w$]+/, '').replace(/\s*\($/, '(');
  }
  return undefined;
}

// Comments that look like code but are tool directives, or are plainly documentation.
const DIRECTIVE =
  /^(eslint|prettier|@ts-|tslint|jshint|istanbul|c8 |biome-|noqa|pylint|type:|mypy|pragma|rubocop|nolint|go:|\+build|#region|#endregion|region\b|endregion\b|-\*-|!|\/|\*|@)/i;

const CODE_SHAPES: RegExp[] = [
  // statement ends: `foo(bar);`, `return x;`, `if (a) {`, a lone closing brace
  /;\s*$/,
  /[{[(]\s*$/,
  /^[}\])]+[;,)]*\s*$/,
  // assignment to an identifier or member: `x = 1`, `this.a.b += c`, `total := 0`
  /^(const\s+|let\s+|var\s+|val\s+|my\s+|\$)?[\w$.[\]'"]+\s*(=|\+=|-=|\*=|\/=|:=|\|\|=|\?\?=)\s*[^\s=]/,
  // a bare call: `doThing(a, b)`, `await client.close()`, `print(x)`
  /^(await\s+|return\s+)?[\w$.]+(<[^>]*>)?\([^()]*(\([^()]*\)[^()]*)*\)[;,]?$/,
  // control flow with code punctuation
  /^(if|for|while|switch|catch)\s*\(.*\)/,
  /^(if|elif|while|for|with|def|class|try|except|else|finally)\b.*:$/,
  /^(def|fn|func|function)\s+\w+\s*\(/,
  /^(import\s+[\w*{}, ]+\s+from\s+['"]|import\s+['"]|from\s+[\w.]+\s+import\s+[\w*, ]+$|import\s+[\w.]+;?$|require\s*\()/,
  /^(return|throw|yield|raise)\s+[\w$.]+(\(.*\))?;?$/,
];

const STATEMENT_END: RegExp[] = [
  /[;{]\s*$/,
  /^(import\s+[\w*{}, ]+\s+from\s+['"]|from\s+[\w.]+\s+import\s+[\w*, ]+$)/,
  /^for\s+[\w, ()]+\s+in\s+\S.*:$/,
  /^(if|elif|while|with|def|class)\s+[^,]+:$/,
];
const PROSE_START = /^[A-Za-z][\w'-]*,?(\s+[A-Za-z][\w'-]*,?){3}/;

/** Whether a comment's text reads as code that was commented out rather than as prose. */
export function looksLikeCode(comment: string): boolean {
  const body = comment.trim();
  if (body.length === 0 || DIRECTIVE.test(body) || todoMarker(body)) return false;
  if (/https?:\/\//.test(body)) return false;
  // Four plain words in a row read as a sentence ("return the cached value when ...") unless the line
  // ends like a statement or block does.
  if (PROSE_START.test(body) && !STATEMENT_END.some((shape) => shape.test(body))) return false;
  // `timeout = 5 seconds` is a sentence with an equals sign, not an assignment.
  if (/^[\w.]+\s*=\s*[\w.]+(\s+[A-Za-z]+)+\.?$/.test(body)) return false;
  return CODE_SHAPES.some((shape) => shape.test(body));
}

export interface Review {
  user: string;
  state: string;
  commitId?: string;
  /** GitHub's author_association; when given, only the repository's owner, members and collaborators count. */
  association?: string;
}

// Whose review GitHub's branch protection would weigh: people of the repository. Anyone can review a pull
// request of a public repository; a stranger's approval approves nothing, and their "changes requested"
// must not hold a deployment hostage either.
const REPOSITORY_PEOPLE = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

export type ApprovalDecision =
  | { ok: true; approvers: string[] }
  | { ok: false; reason: 'changes-requested'; users: string[] }
  /** `approvers`: whose approval is on an earlier commit; `current`: who approved the head (fewer than needed). */
  | { ok: false; reason: 'stale-approval'; approvers: string[]; current: string[]; needed: number }
  | { ok: false; reason: 'not-approved'; approvers: string[]; needed: number; outsiders: string[] };

/**
 * Reviews in the order GitHub lists them (oldest first). The latest approving / requesting / dismissed
 * review of each user is their standing one (a later plain comment does not change it). An approval counts
 * only on the head commit when both commits are known: a push after the approval needs a new one.
 */
export function decideApproval(
  reviews: Review[],
  headSha: string | undefined,
  minApprovals: number,
): ApprovalDecision {
  const standing = new Map<string, Review>();
  const outsiders = new Set<string>();
  for (const review of reviews) {
    const state = review.state.toUpperCase();
    if (review.association !== undefined && !REPOSITORY_PEOPLE.has(review.association.toUpperCase())) {
      if (state === 'APPROVED') outsiders.add(review.user);
      continue;
    }
    if (state === 'APPROVED' || state === 'CHANGES_REQUESTED' || state === 'DISMISSED') {
      standing.set(review.user, { ...review, state });
    }
  }
  const latest = [...standing.values()];
  const requesting = latest.filter((r) => r.state === 'CHANGES_REQUESTED').map((r) => r.user);
  if (requesting.length > 0) return { ok: false, reason: 'changes-requested', users: requesting };
  const approvals = latest.filter((r) => r.state === 'APPROVED');
  const current = approvals
    .filter((r) => !headSha || !r.commitId || r.commitId === headSha)
    .map((r) => r.user);
  if (current.length >= minApprovals) return { ok: true, approvers: current };
  if (approvals.length > current.length) {
    const stale = approvals.filter((r) => !current.includes(r.user)).map((r) => r.user);
    return { ok: false, reason: 'stale-approval', approvers: stale, current, needed: minApprovals };
  }
  return {
    ok: false,
    reason: 'not-approved',
    approvers: current,
    needed: minApprovals,
    outsiders: [...outsiders],
  };
}
