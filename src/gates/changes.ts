// Changed files and added line numbers against a base commit, for gates that look at "changed lines" only.
// Reads `git diff --unified=0 -M base...HEAD` (three dots: changes on this branch since it left the base).
import { runGit } from './git.ts';
import type { ChangedFile } from './types.ts';

/** Runs git in `cwd` and parses its diff. Throws with git's own message when git cannot answer. */
export async function changedFiles(
  cwd: string,
  baseRef: string,
  signal?: AbortSignal,
): Promise<ChangedFile[]> {
  const args = [
    '-c',
    'core.quotePath=false',
    'diff',
    '--unified=0',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    // Fixed prefixes: a user's diff.noprefix / diff.mnemonicPrefix would otherwise change the header shape.
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '-M',
    // Paths relative to cwd, which every gate joins them to (cwd may be a directory of a larger
    // repository); changes outside it are not this project's.
    '--relative',
    // A base that starts with "-" is a revision, never an option (--output=FILE would write a file).
    '--end-of-options',
    `${baseRef}...HEAD`,
    '--',
  ];
  const result = await runGit(args, { cwd, signal, stripFinalNewline: false });
  if (result.exitCode !== 0) {
    const detail = result.why;
    throw new Error(
      `cannot list the files changed since "${baseRef}" in ${cwd}: git diff ${baseRef}...HEAD failed: ${detail}` +
        // Only when git said no: one stopped (cancelled, a deadline) or that could not start is not about the base.
        (result.exitCode === undefined
          ? ''
          : ' (is the base commit fetched? shallow clones need fetch-depth: 0 or the base fetched)'),
    );
  }
  return parseUnifiedDiff(result.stdout);
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** Parses `git diff --unified=0` output. Pure: the added lines are those of each hunk's "+" side. */
export function parseUnifiedDiff(text: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let current: (ChangedFile & { headerPath?: string }) | undefined;
  let inHunk = false;
  let nextLine = 0;

  const finish = () => {
    if (!current) return;
    const { headerPath, ...file } = current;
    if (!file.path && headerPath) file.path = headerPath;
    if (file.path) files.push(file);
  };

  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      finish();
      current = { path: '', addedLines: [], status: 'modified', headerPath: pathFromGitHeader(line) };
      inHunk = false;
      continue;
    }
    if (!current) continue;
    if (inHunk) {
      if (line.startsWith('+')) {
        current.addedLines.push(nextLine++);
        continue;
      }
      if (line.startsWith('-') || line.startsWith('\\')) continue;
      if (!line.startsWith('@@')) inHunk = false;
    }
    const hunk = HUNK_HEADER.exec(line);
    if (hunk) {
      inHunk = true;
      nextLine = Number(hunk[1]);
      continue;
    }
    if (line.startsWith('new file mode')) current.status = 'added';
    else if (line.startsWith('deleted file mode')) current.status = 'deleted';
    else if (line.startsWith('rename to ')) {
      current.status = 'renamed';
      current.path = unquoteGitPath(line.slice('rename to '.length));
    } else if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      if (target !== '/dev/null') current.path = headerLinePath(target, 'b/');
    } else if (line.startsWith('--- ') && current.status === 'deleted') {
      current.path = headerLinePath(line.slice(4), 'a/');
    }
    // "Binary files a/x and b/y differ" carries no lines: the path then comes from the header.
  }
  finish();
  return files;
}

/** The path of a "---"/"+++" line: git appends a tab to unquoted names with spaces (for patch(1)). */
function headerLinePath(text: string, prefix: string): string {
  const raw = text.startsWith('"') ? text : text.replace(/\t$/, '');
  return stripPrefix(unquoteGitPath(raw), prefix);
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** `diff --git a/p b/p`: for a file without rename or content lines (mode change, binary), a == b. */
function pathFromGitHeader(line: string): string | undefined {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    const rightPart = rest.slice(end + 2);
    return stripPrefix(unquoteGitPath(rightPart), 'b/');
  }
  // Unquoted: both halves are equal when the path did not change, so split in the middle.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const right = rest.slice(half + 1);
    return stripPrefix(right, 'b/');
  }
  const index = rest.lastIndexOf(' b/');
  return index >= 0 ? rest.slice(index + 3) : undefined;
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  '"': '"',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  r: '\r',
  v: '\v',
};

/** Git quotes paths with special characters C-style, with octal escapes for the UTF-8 bytes. */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(ESCAPES[next] ?? next, 'utf8'));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * `GateContext.changedFiles`: computed once on first use and shared by all gates; empty without a base.
 * `signal`: the gates' run is cancelled (git is stopped with it).
 */
export function changedFilesProvider(
  cwd: string,
  baseRef: string | undefined,
  signal?: AbortSignal,
): () => Promise<ChangedFile[]> {
  let cached: Promise<ChangedFile[]> | undefined;
  return () => {
    if (!baseRef) return Promise.resolve([]);
    cached ??= changedFiles(cwd, baseRef, signal);
    return cached;
  };
}
