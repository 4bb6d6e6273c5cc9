// One file through the secret rules, streamed: read in chunks into one reused buffer, only complete lines
// scanned, the rest carried to the next read. Memory is the buffer (a chunk, or the longest line), never the
// whole file, and a finding keeps no reference to the file's text: it carries the redacted value and the
// fingerprint, not the secret.
import { closeSync, openSync, readSync } from 'node:fs';
import { BLOCK_LOOKAHEAD_BYTES, fingerprint, hasRegexLiterals, redact, scanBytes } from './secret-rules.ts';
import type { ScanOptions, SecretHit } from './secret-rules.ts';

/** Git's own heuristic: a NUL byte in the first 8000 bytes makes a file binary. */
const BINARY_PROBE_BYTES = 8000;
/** Bytes per read: small enough that a scan checks its signal often, large enough that reads are cheap. */
export const CHUNK_BYTES = 256 * 1024;

export interface FileFinding {
  rule: string;
  description: string;
  line: number;
  column: number;
  /** `redact(secret)`: at most the first and last 4 characters. */
  redacted: string;
  /** `fingerprint(rule, path, secret)`. */
  print: string;
}

export type FileScan =
  | { kind: 'scanned'; bytes: number; findings: FileFinding[] }
  | { kind: 'binary' }
  | { kind: 'unreadable'; code: string }
  | { kind: 'stopped' };

/** A fresh copy: a substring would keep the whole string it was cut from (a line, a file) alive. */
function detach(value: string): string {
  return Buffer.from(value, 'utf16le').toString('utf16le');
}

/** Scans files one after the other with one buffer; one per thread or per concurrent read. */
export class FileScanner {
  private readonly options: ScanOptions;
  /** The options for a file whose language has regex literals (made once, not per file). */
  private readonly sourceOptions: ScanOptions;
  private readonly chunkBytes: number;
  private buffer: Buffer;
  /** Bytes read by `scan` since the event loop last had a turn. */
  private sinceTurn = 0;

  /** `chunkBytes`: bytes per read (tests make it small to put many chunk boundaries in a file). */
  constructor(options: ScanOptions, chunkBytes = CHUNK_BYTES) {
    this.options = options;
    this.sourceOptions = { ...options, regexLiterals: true };
    // The first read must hold the binary probe.
    this.chunkBytes = Math.max(chunkBytes, 2 * BINARY_PROBE_BYTES);
    this.buffer = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** The buffer's size now: a chunk, unless a line longer than one is being scanned. */
  get bufferBytes(): number {
    return this.buffer.length;
  }

  /**
   * For a worker thread, where blocking reads block nobody. `size`: the file's size from its lstat, when
   * known: a read that comes back short once that many bytes are in is the end of the file, so a small file
   * takes one read instead of two (the second only to see 0 bytes); a file that grew is read to its end.
   */
  scanSync(absolute: string, path: string, size?: number): FileScan {
    let fd: number;
    try {
      fd = openSync(absolute, 'r');
    } catch (error) {
      return unreadable(error);
    }
    try {
      const file = this.start(path, size);
      for (;;) {
        const room = this.buffer.length - file.filled;
        const read = readSync(fd, this.buffer, file.filled, room, null);
        const done = this.feed(file, read, read < room);
        if (done) return done;
      }
    } catch (error) {
      return unreadable(error);
    } finally {
      closeSync(fd);
      this.shrink();
    }
  }

  /**
   * For the main thread: the same blocking reads (an async read per chunk cost more CPU than the scan of
   * small files: a promise, a thread-pool hop and a second handle per file), but the event loop gets a turn
   * once a chunk's worth of bytes was read since the last one (within a file or across small files: a turn
   * per small file cost more than its scan), and the scan stops there when aborted. `size` as for scanSync.
   */
  async scan(absolute: string, path: string, signal?: AbortSignal, size?: number): Promise<FileScan> {
    let fd: number;
    try {
      fd = openSync(absolute, 'r');
    } catch (error) {
      return unreadable(error);
    }
    try {
      const file = this.start(path, size);
      for (;;) {
        if (signal?.aborted) return { kind: 'stopped' };
        const room = this.buffer.length - file.filled;
        const read = readSync(fd, this.buffer, file.filled, room, null);
        const done = this.feed(file, read, read < room);
        if (done) return done;
        this.sinceTurn += read;
        if (this.sinceTurn >= this.chunkBytes) {
          this.sinceTurn = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      return unreadable(error);
    } finally {
      closeSync(fd);
      this.shrink();
    }
  }

  /** A buffer grown for one long line is not kept for the files after it. */
  private shrink(): void {
    if (this.buffer.length > this.chunkBytes) this.buffer = Buffer.allocUnsafe(this.chunkBytes);
  }

  private start(path: string, size: number | undefined): FileState {
    const options = hasRegexLiterals(path) ? this.sourceOptions : this.options;
    return { path, size, options, filled: 0, total: 0, line: 1, probed: false, findings: [] };
  }

  /** Takes `read` new bytes (`short`: fewer than asked for); returns the result once the file is done. */
  private feed(file: FileState, read: number, short: boolean): FileScan | undefined {
    file.filled += read;
    file.total += read;
    const eof = read === 0 || (short && file.total === file.size);
    if (!file.probed) {
      if (file.filled < BINARY_PROBE_BYTES && !eof) return undefined;
      const probe = this.buffer.subarray(0, Math.min(file.filled, BINARY_PROBE_BYTES));
      // UTF-16 with its byte order mark (a .ps1, .config or .reg file a Windows tool wrote) is text, not
      // binary: skipped for its zero bytes, a key in it went unseen.
      file.utf16 =
        probe[0] === 0xff && probe[1] === 0xfe
          ? 'utf-16le'
          : probe[0] === 0xfe && probe[1] === 0xff
            ? 'utf-16be'
            : undefined;
      if (!file.utf16 && probe.includes(0)) return { kind: 'binary' };
      file.probed = true;
    }
    if (file.utf16) return this.feedUtf16(file, eof);
    this.drain(file, eof);
    if (eof) return { kind: 'scanned', bytes: file.total, findings: file.findings };
    // No complete line with its lookahead fits: a longer line than the buffer holds.
    if (file.filled === this.buffer.length) {
      const grown = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(grown, 0, 0, file.filled);
      this.buffer = grown;
    }
    return undefined;
  }

  /**
   * A UTF-16 file is kept whole in the buffer and scanned once read, as UTF-8: the rules read UTF-8 bytes,
   * and such files are small (scripts, configuration).
   */
  private feedUtf16(file: FileState, eof: boolean): FileScan | undefined {
    if (!eof) {
      if (file.filled === this.buffer.length) {
        const grown = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(grown, 0, 0, file.filled);
        this.buffer = grown;
      }
      return undefined;
    }
    const text = new TextDecoder(file.utf16).decode(this.buffer.subarray(0, file.filled));
    const bytes = Buffer.from(text, 'utf8');
    scanBytes(bytes, 0, bytes.length, bytes.length, 1, file.options, (hit) =>
      file.findings.push(toFinding(hit, file.path)),
    );
    // The bytes as they are too: a byte order mark in front of plain text makes it UTF-16 here, but not to
    // whatever else reads the file, and a key it hides is still a key. In real UTF-16 text the zero byte
    // after each ASCII character keeps this from matching anything.
    const seen = new Set(file.findings.map((f) => `${f.rule}\u0000${f.line}`));
    scanBytes(this.buffer, 0, file.filled, file.filled, 1, file.options, (hit) => {
      const finding = toFinding(hit, file.path);
      if (!seen.has(`${finding.rule}\u0000${finding.line}`)) file.findings.push(finding);
    });
    return { kind: 'scanned', bytes: file.total, findings: file.findings };
  }

  /** Scans the complete lines that have their lookahead in the buffer (all of it at the end of the file). */
  private drain(file: FileState, eof: boolean): void {
    let end = file.filled;
    if (!eof) {
      const safe = file.filled - BLOCK_LOOKAHEAD_BYTES;
      // lastIndexOf counts a negative offset from the end: check first.
      const newline = safe > 0 ? this.buffer.lastIndexOf(0x0a, safe - 1) : -1;
      if (newline < 0) return;
      end = newline + 1;
    }
    file.line = scanBytes(this.buffer, 0, end, file.filled, file.line, file.options, (hit) =>
      file.findings.push(toFinding(hit, file.path)),
    );
    this.buffer.copyWithin(0, end, file.filled);
    file.filled -= end;
  }
}

interface FileState {
  path: string;
  /** The size lstat gave, if known. */
  size: number | undefined;
  /** The scan's options for this file's kind. */
  options: ScanOptions;
  /** Bytes in the buffer not yet scanned. */
  filled: number;
  total: number;
  /** The number of the line at the start of the buffer. */
  line: number;
  probed: boolean;
  /** The file's encoding when its byte order mark says UTF-16. */
  utf16?: 'utf-16le' | 'utf-16be' | undefined;
  findings: FileFinding[];
}

function toFinding(hit: SecretHit, path: string): FileFinding {
  return {
    rule: hit.rule,
    description: hit.description,
    line: hit.line,
    column: hit.column,
    redacted: detach(redact(hit.secret)),
    print: fingerprint(hit.rule, path, hit.secret),
  };
}

function unreadable(error: unknown): FileScan {
  return { kind: 'unreadable', code: String((error as NodeJS.ErrnoException).code ?? error) };
}
