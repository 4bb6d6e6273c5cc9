// Large JSON sources of the fake (GitHub's 13 MB OpenAPI description, the 4 MB webhook examples) kept on
// disk as separately readable pieces. Reading, decoding, parsing and normalising the whole description was
// ~0.5 s of CPU in every test process that started a fake GitHub (and its 60 MB heap made every later
// garbage collection dearer), while a test uses a few dozen of its ~3,000 path items and components. A
// process now reads a small index and parses only the pieces it asks for; the pieces are the source's own
// objects (after the same normalisation), built from it on the first run and whenever the source changes.
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FAKE_SOURCES } from './kept-validators.ts';

const require = createRequire(import.meta.url);

/** Bump when the file layout changes. */
const LAYOUT_VERSION = 1;
/** The header: the index's length in bytes, as this many decimal digits, then the index, then the pieces. */
const LENGTH_DIGITS = 12;

const CACHE = join(
  dirname(require.resolve('ajv/package.json')).replace(/\/ajv$/, ''),
  '.cache',
  'fake-github-pieces',
);

export interface Pieces<Meta> {
  /** What the build returned beside the pieces (small: read with the index). */
  meta: Meta;
  /** The piece stored under `key`, parsed once per process; undefined when there is none. */
  piece(key: string): unknown;
}

interface Index<Meta> {
  meta: Meta;
  /** key -> [offset, length] in bytes, from the end of the index. */
  at: Record<string, [number, number]>;
}

/**
 * The pieces `build` makes from `source`, kept under a name made of `name`, the source's path, size and
 * modification time, and the fake's own sources (which decide how pieces are made). A stat, not a hash of
 * the content: hashing 13 MB cost more than everything else the fast path does, and a package is replaced,
 * not edited in place with its size and time kept. The file is written whole or not at all (a rename);
 * one that cannot be read or written only costs a build.
 */
export function keptPieces<Meta>(
  name: string,
  source: string,
  build: () => { meta: Meta; pieces: Map<string, unknown> },
): Pieces<Meta> {
  let file: string | undefined;
  try {
    const real = realpathSync(source);
    const { size, mtimeMs } = statSync(real);
    const key = JSON.stringify([LAYOUT_VERSION, FAKE_SOURCES, name, real, size, mtimeMs]);
    file = join(CACHE, `${name}-${createHash('sha256').update(key).digest('hex')}.pieces`);
    return read<Meta>(file);
  } catch {
    // Not kept yet (or unreadable): built below.
  }
  const built = build();
  try {
    write(file!, built.meta, built.pieces);
  } catch {
    // Not kept: the next process builds it again.
  }
  return { meta: built.meta, piece: (key) => built.pieces.get(key) };
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error('kept pieces file is shorter than its index says');
    done += n;
  }
  return buffer;
}

function read<Meta>(file: string): Pieces<Meta> {
  const fd = openSync(file, 'r');
  let index: Index<Meta>;
  let start: number;
  try {
    const indexLength = Number(readAt(fd, 0, LENGTH_DIGITS).toString('latin1'));
    index = JSON.parse(readAt(fd, LENGTH_DIGITS, indexLength).toString('utf8')) as Index<Meta>;
    start = LENGTH_DIGITS + indexLength;
  } finally {
    closeSync(fd);
  }
  const parsed = new Map<string, unknown>();
  return {
    meta: index.meta,
    piece(key) {
      if (parsed.has(key)) return parsed.get(key);
      const where = Object.hasOwn(index.at, key) ? index.at[key] : undefined;
      let value: unknown;
      if (where) {
        const pieceFd = openSync(file, 'r');
        try {
          value = JSON.parse(readAt(pieceFd, start + where[0], where[1]).toString('utf8'));
        } finally {
          closeSync(pieceFd);
        }
      }
      parsed.set(key, value);
      return value;
    },
  };
}

function write(file: string, meta: unknown, pieces: Map<string, unknown>): void {
  const at: Record<string, [number, number]> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [key, value] of pieces) {
    if (value === undefined) continue;
    const chunk = Buffer.from(JSON.stringify(value), 'utf8');
    at[key] = [offset, chunk.length];
    chunks.push(chunk);
    offset += chunk.length;
  }
  const index = Buffer.from(JSON.stringify({ meta, at }), 'utf8');
  const length = String(index.length).padStart(LENGTH_DIGITS, '0');
  mkdirSync(CACHE, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, Buffer.concat([Buffer.from(length, 'latin1'), index, ...chunks]));
  renameSync(partial, file);
}
