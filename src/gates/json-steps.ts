// JSON.parse of a big report (a SARIF log, a Terraform plan) in steps, so the gates that read one can give
// the event loop a turn between them (turns.ts). JSON.parse of 128 MB is one step of 2 to 7 seconds on a
// loaded runner, during which the cancel signal, the runner's deadline and the other gates wait.
//
// The text is not parsed by hand: one pass finds the containers bigger than a chunk (a SARIF log's runs and
// results arrays, a plan's resource_changes), those are taken apart member by member, and every member
// smaller than a chunk is given to JSON.parse whole. Whatever does not read (invalid JSON) is given to
// JSON.parse whole as well, so the error, its message and its position are JSON.parse's own.

/** Containers up to this many characters are parsed by JSON.parse in one step (a few milliseconds). */
export const JSON_CHUNK = 1024 * 1024;

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Thrown where the structure does not read; the caller lets JSON.parse name the error. */
class NotJson extends Error {}

/** Runs `text` through JSON.parse in steps (a yield between them); the value is JSON.parse's. */
export function* parseJsonSteps(text: string, chunk = JSON_CHUNK): Generator<void, unknown> {
  if (text.length <= chunk) return JSON.parse(text);
  try {
    const big = yield* bigContainers(text, chunk);
    return yield* assemble(text, big, chunk);
  } catch (error) {
    if (!(error instanceof NotJson) && !(error instanceof SyntaxError)) throw error;
    // Not JSON: JSON.parse says where and why, as for a small text.
    return JSON.parse(text);
  }
}

/** Start → end (exclusive) of every object or array longer than `chunk`, found in one pass. */
function* bigContainers(text: string, chunk: number): Generator<void, Map<number, number>> {
  const big = new Map<number, number>();
  const starts: number[] = [];
  let inString = false;
  let nextTurn = chunk;
  for (let i = 0; i < text.length; i++) {
    if (i >= nextTurn) {
      yield;
      nextTurn = i + chunk;
    }
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) starts.push(i);
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      const start = starts.pop();
      if (start === undefined) throw new NotJson();
      if (i + 1 - start > chunk) big.set(start, i + 1);
    }
  }
  if (inString || starts.length > 0) throw new NotJson();
  return big;
}

interface Frame {
  /** The container being filled. */
  value: Record<string, unknown> | unknown[];
  /** Where it ends (exclusive). */
  end: number;
  /** An object's key waiting for its value. */
  key?: string;
  /** After a comma: a member must follow. */
  member?: boolean;
}

/** The value of `text`, its big containers taken apart, every other value parsed by JSON.parse. */
function* assemble(text: string, big: Map<number, number>, chunk: number): Generator<void, unknown> {
  let at = skipSpace(text, 0);
  const rootEnd = big.get(at);
  if (rootEnd === undefined || skipSpace(text, rootEnd) !== text.length) throw new NotJson();
  const stack: Frame[] = [open(text, at, rootEnd)];
  const root = stack[0]!.value;
  at++;
  let parsed = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    at = skipSpace(text, at);
    const c = text.charCodeAt(at);
    if (at === frame.end - 1) {
      // The closing bracket (bigContainers matched it): after a member or right after the opening one, not
      // after a comma or a key.
      if (frame.member || frame.key !== undefined) throw new NotJson();
      stack.pop();
      at++;
      if (stack.length > 0) at = afterMember(text, at, stack[stack.length - 1]!);
      continue;
    }
    if (!Array.isArray(frame.value) && frame.key === undefined) {
      if (c !== QUOTE) throw new NotJson();
      const keyEnd = stringEnd(text, at);
      frame.key = JSON.parse(text.slice(at, keyEnd)) as string;
      at = skipSpace(text, keyEnd);
      if (text.charCodeAt(at) !== COLON) throw new NotJson();
      at = skipSpace(text, at + 1);
      continue;
    }
    const childEnd = big.get(at);
    if (childEnd !== undefined) {
      const child = open(text, at, childEnd);
      put(frame, child.value);
      stack.push(child);
      at++;
      continue;
    }
    const end = valueEnd(text, at, frame.end - 1);
    put(frame, JSON.parse(text.slice(at, end)));
    parsed += end - at;
    if (parsed >= chunk) {
      yield;
      parsed = 0;
    }
    at = afterMember(text, end, frame);
  }
  return root;
}

/** A new container frame for the big object or array at `at`, put into its parent by the caller's next step. */
function open(text: string, at: number, end: number): Frame {
  return { value: text.charCodeAt(at) === OPEN_OBJECT ? {} : [], end };
}

/** After a member ending at `at`: past its comma (the next member follows), or at the closing bracket. */
function afterMember(text: string, at: number, parent: Frame): number {
  const next = skipSpace(text, at);
  parent.member = false;
  if (next === parent.end - 1) return next;
  if (text.charCodeAt(next) !== COMMA) throw new NotJson();
  parent.member = true;
  return next + 1;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** The end (exclusive) of the string starting at `at` (its opening quote). */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  throw new NotJson();
}

/** The end (exclusive) of the value starting at `at`, a member of a container whose closing bracket is at `limit`. */
function valueEnd(text: string, at: number, limit: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return stringEnd(text, at);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    for (let i = at; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = stringEnd(text, i) - 1;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return i + 1;
    }
    throw new NotJson();
  }
  // A number, true, false or null: up to what ends a member.
  let i = at;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (
      c === COMMA ||
      c === CLOSE_OBJECT ||
      c === CLOSE_ARRAY ||
      c === 0x20 ||
      c === 0x0a ||
      c === 0x0d ||
      c === 0x09
    )
      break;
    i++;
  }
  if (i === at) throw new NotJson();
  return i;
}

/** Puts `value` into `frame`: an array's next item or the value of its waiting key. */
function put(frame: Frame, value: unknown): void {
  if (Array.isArray(frame.value)) {
    frame.value.push(value);
    return;
  }
  const key = frame.key!;
  frame.key = undefined;
  // JSON.parse makes "__proto__" an own property; assigning it would set the object's prototype.
  if (key === '__proto__')
    Object.defineProperty(frame.value, key, { value, enumerable: true, writable: true, configurable: true });
  else frame.value[key] = value;
}
