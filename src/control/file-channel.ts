// Control requests for the CLI (issue 14): `deploy-action promote|pause|resume|abort` append a request to
// `<state_dir>/control/<environment>.ndjson`, one JSON line each; the running (or waiting) rollout polls that
// file. The state directory is trusted like the record file next to it (file-store.ts), so the lines are not
// signed, but every line is checked with parseControlRequest and a bad one is reported, never acted on.
// A request is durable once `append` returns (the file fsync'd, and its directory when the file was made),
// so a promote or abort the command reported written survives a crash of the machine. The file is appended
// to, not rewritten through a temp file and a rename: concurrent commands then need no lock, and none can
// drop another's line. A crash mid-append can leave a torn last line (never one a command reported
// written); the next append starts on a line of its own, so the torn one is reported once, not merged.
// Only a regular file is read or written, and read only up to MAX_CONTROL_FILE_BYTES (as the record next to it,
// file-store.ts): a FIFO put (or linked) in its place would block the poll for ever, and with it the rollout's
// every /abort; a device (/dev/zero) or a huge file would be read into memory whole.
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDirectory } from '../util/sync-directory.ts';
import {
  parseControlRequest,
  type ControlPoll,
  type ControlRequest,
  type ControlSink,
  type ControlSource,
} from './request.ts';

/** Far more than any environment's requests (a few hundred bytes each): a bigger file is refused unread. */
export const MAX_CONTROL_FILE_BYTES = 64 * 1024 * 1024;

export class FileControlChannel implements ControlSource, ControlSink {
  readonly dir: string;
  /** The environment `poll` reads (append takes its own). */
  readonly environment: string;
  /** The deployment the state below is for: polling another one starts over. */
  private polled: string | undefined;
  /** Size and mtime of the file at the last complete read: unchanged means nothing new. */
  private signature: string | undefined;
  /** Whether a poll for `polled` has read the file yet: the first read is a change. */
  private read = false;
  private last: ControlRequest[] = [];
  /**
   * Line numbers already reported as bad: each is reported once (the file only grows). They are of the text
   * read last (`readBefore`: its length and hash): a file put in its place (moved away, cut short, whose
   * inode may well be the old one's) does not start with it, and starts over.
   */
  private readonly reported = new Set<number>();
  private readBefore: { length: number; hash: string } | undefined;

  constructor(stateDir: string, environment: string) {
    this.dir = stateDir;
    this.environment = environment;
  }

  /** Where an environment's requests live (encoded as file-store.ts does: names may hold any character). */
  pathFor(environment: string): string {
    return join(this.dir, 'control', `${encodeURIComponent(environment)}.ndjson`);
  }

  /**
   * Appends one request as one line, in a single write, so concurrent writers never interleave within it;
   * resolves once it is on disk.
   */
  async append(environment: string, request: ControlRequest): Promise<void> {
    const parsed = parseControlRequest(request);
    if (!parsed.ok)
      throw new Error(`the control request was not written to ${environment}: ${parsed.message}`);
    const path = this.pathFor(environment);
    const made = await mkdir(dirname(path), { recursive: true });
    let created = true;
    const handle = await open(path, 'ax+').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      created = false;
      return open(path, 'a+');
    });
    try {
      // A FIFO or a device there would take the line and keep none of it: the command must not say it wrote it.
      const kind = notRegular(await handle.stat());
      if (kind)
        throw new Error(
          `the control request was not written to ${environment}: ${path} is ${kind}, not a regular file; move it away`,
        );
      // JSON.stringify escapes every newline inside a value: one request is one line.
      const line = `${JSON.stringify(parsed.request)}\n`;
      await handle.write((await endsMidLine(handle)) ? `\n${line}` : line);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The file's name is an entry of its directory, and so is each directory's that mkdir made.
    if (created) await syncDirectory(dirname(path));
    for (let dir = dirname(path); made !== undefined && dir !== dirname(made); dir = dirname(dir))
      await syncDirectory(dirname(dir));
  }

  async poll(deploymentId: string): Promise<ControlPoll> {
    const path = this.pathFor(this.environment);
    if (this.polled !== deploymentId) {
      this.polled = deploymentId;
      this.signature = undefined;
      this.read = false;
      this.last = [];
      this.reported.clear();
      this.readBefore = undefined;
    }
    let text: string;
    let signature: string;
    try {
      // Opened without blocking (a FIFO's open waits for a writer), and looked at before it is read.
      const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const info = await handle.stat();
        const kind = notRegular(info);
        if (kind)
          return this.unreadable(`${path} cannot be read (${kind}, not a regular file); move it away`);
        signature = `${info.size}:${info.mtimeMs}`;
        if (signature === this.signature) return { changed: false, requests: this.last };
        if (info.size > MAX_CONTROL_FILE_BYTES)
          return this.unreadable(
            `${path} cannot be read (${info.size} bytes; the requests file is at most ${MAX_CONTROL_FILE_BYTES}); ` +
              'move it away (requests of finished rollouts are not needed)',
          );
        text = await handle.readFile('utf8');
        const before = this.readBefore;
        if (before && (text.length < before.length || hashOf(text.slice(0, before.length)) !== before.hash))
          this.reported.clear();
        this.readBefore = { length: text.length, hash: hashOf(text) };
      } finally {
        await handle.close();
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // No request was ever made: nothing to read, and nothing changed after the first poll.
        const changed = !this.read || this.last.length > 0;
        this.read = true;
        this.signature = 'none';
        this.last = [];
        return { changed, requests: [] };
      }
      return this.unreadable(`${path} cannot be read (${code ?? (error as Error).message})`);
    }
    const lines = text.split('\n');
    // A last line without its newline is still being written: read it next time, in full.
    const partial = lines.pop() !== '';
    const refused: NonNullable<ControlPoll['refused']> = [];
    const requests: ControlRequest[] = [];
    const seen = new Set<string>();
    lines.forEach((line, index) => {
      const number = index + 1;
      if (line.trim() === '') return;
      const parsed = parseLine(line);
      if (!parsed.ok) {
        if (!this.reported.has(number))
          refused.push({ where: `${path}:${number}`, code: 'control_corrupt', message: parsed.message });
        this.reported.add(number);
        return;
      }
      const { request } = parsed;
      if (request.deploymentId !== deploymentId || seen.has(request.id)) return;
      seen.add(request.id);
      requests.push(request);
    });
    const changed =
      !this.read ||
      refused.length > 0 ||
      requests.length !== this.last.length ||
      requests.some((r, i) => r.id !== this.last[i]!.id);
    // Read to the end only when no line was half written; else the next poll reads the file again.
    this.signature = partial ? undefined : signature;
    this.read = true;
    this.last = requests;
    return { changed, requests, ...(refused.length ? { refused } : {}) };
  }

  /** A poll that could not read the file: the requests last seen, and why (read again at the next poll). */
  private unreadable(error: string): ControlPoll {
    this.signature = undefined;
    return { changed: false, requests: this.last, error };
  }
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What a file that is not a regular one is, in words; undefined for a regular file. */
function notRegular(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a directory';
  return info.isFIFO() ? 'a FIFO' : 'a device or socket';
}

/**
 * Whether the file ends inside a line: a crash tore the last append. A live writer's line seen half written
 * costs nothing: this write lands after it whole (O_APPEND), and the blank line it then makes is read as none.
 */
async function endsMidLine(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

function parseLine(line: string): ReturnType<typeof parseControlRequest> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, message: `not JSON (${(error as Error).message})` };
  }
  return parseControlRequest(value);
}
