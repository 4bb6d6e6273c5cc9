// Where in its test file a JUnit test failed, when the report has no line="…" (only pytest xunit1 and a
// few others write one): the first frame of the failure's stack that is in the test's own file. vitest's
// junit reporter writes its frames as ` ❯ [method ]path:line:col`, relative to its root, stopping at the
// test file, and names that file in classname="…" (file="…" with addFileAttribute); jest-junit (with
// addFileAttribute) and mocha write V8's `at fn (/abs/path:line:col)`, the file in file="…".

export interface StackLocation {
  /** The test file as the report names it (file="…", or classname="…" where that is the file). */
  file: string;
  line: number;
  column?: number;
}

// ` ❯ src/a.spec.ts:8:18`, ` ❯ Object.fn src/a.spec.ts:8:18` (vitest), `at fn (/w/a.test.js:8:18)`,
// `at /w/a.test.js:8:18`, `at file:///w/a.test.mjs:8:18` (V8).
const VITEST_FRAME = /^\s*❯\s+(?:\S+\s+)?(.+?):(\d+):(\d+)\s*$/;
const V8_FRAME = /^\s*at\s+(?:.*?\()?(.+?):(\d+):(\d+)\)?\s*$/;

/**
 * The first frame of `stack` in the test's file: `file` (its file="…"), else `classname` where a frame is in
 * a file of that name (vitest writes the file's path there; a Java class name matches no frame's path).
 * Undefined when no frame is in it: a frame in another file (a helper, a library) is not where the test is.
 */
export function locateInStack(
  stack: string,
  file: string | undefined,
  classname: string | undefined,
): StackLocation | undefined {
  const candidates = [file, classname].filter((name): name is string => !!name && name.trim() !== '');
  if (candidates.length === 0 || stack === '') return undefined;
  for (const raw of stack.split('\n')) {
    const frame = VITEST_FRAME.exec(raw) ?? V8_FRAME.exec(raw);
    if (!frame) continue;
    const at = normalise(frame[1]!);
    const named = candidates.find((candidate) => samePath(at, normalise(candidate)));
    if (named === undefined) continue;
    const line = Number(frame[2]);
    const column = Number(frame[3]);
    if (!Number.isSafeInteger(line) || line < 1) continue;
    return { file: named, line, ...(Number.isSafeInteger(column) && column >= 1 ? { column } : {}) };
  }
  return undefined;
}

function normalise(path: string): string {
  return path
    .trim()
    .replace(/^file:\/\//, '')
    .replace(/\\/g, '/')
    .replace(/^\.\//, '');
}

/** The same file: equal, or one a path ending in the other (an absolute frame, a relative file="…"). */
function samePath(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}
