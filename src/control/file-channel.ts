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
// Only a file and directories (`control/` and the state directory) the CLI's user (or root) owns, and that
// group and others may not write, under directories nobody else may write, are trusted (util/file-trust.ts,
// util/trusted-directories.ts, as ssh's StrictModes): anyone else who could write a line, or put another
// `control/` or state directory in place, could /promote. A symbolic link in place of any of them is
// not followed (the CLI makes none): its target may be anyone's. The CLI makes them so that they pass (0644
// and 0755, whatever the umask adds).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cutText } from '../github/write-limits.ts';
import { plain } from '../util/plain-text.ts';
import { notRegular } from '../util/regular-file.ts';
import { syncDirectory } from '../util/sync-directory.ts';
import { TRUSTED_DIRECTORY_MODE } from '../util/trusted-mode.ts';
import { processUid, untrusted } from '../util/file-trust.ts';
import { trackedByGit } from '../state/git-tracked.ts';
import { untrustedDirectory, untrustedStateDirectory } from '../util/trusted-directories.ts';
import {
  parseControlRequest,
  readControlRequest,
  type ControlPoll,
  type ControlRequest,
  type ControlSink,
  type ControlSource,
} from './request.ts';

/** Far more than any environment's requests (a few hundred bytes each): a bigger file is refused unread. */
export const MAX_CONTROL_FILE_BYTES = 64 * 1024 * 1024;

/** The longest refusal of a bad line shown (the line itself may be of any length). */
const MAX_REFUSAL_CHARS = 300;

/** Not following a symbolic link where the platform can (0 elsewhere). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export interface FileControlOptions {
  /** The user whose files are trusted besides root's (default: the process's; undefined on Windows). */
  uid?: number | undefined;
}

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
   * Every request of `polled` read so far, in the order first read: one read stays asked when the file is
   * moved away, cut short or put back in place (a /pause or an approval already read is not undone by it).
   */
  private readonly kept = new Map<string, ControlRequest>();
  /**
   * Line numbers already reported as bad: each is reported once (the file only grows). They are of the text
   * read last (`readBefore`: its length and hash): a file put in its place (moved away, cut short, whose
   * inode may well be the old one's) does not start with it, and starts over.
   */
  private readonly reported = new Set<number>();
  private readBefore: { length: number; hash: string } | undefined;

  private readonly uid: number | undefined;

  constructor(stateDir: string, environment: string, options: FileControlOptions = {}) {
    this.dir = stateDir;
    this.environment = environment;
    this.uid = 'uid' in options ? options.uid : processUid();
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
    const made = await mkdir(dirname(path), { recursive: true, mode: TRUSTED_DIRECTORY_MODE });
    const refuse = (why: string) =>
      new Error(`the control request was not written to ${environment}: ${why}`);
    // A request written where it will not be acted on must not be reported written.
    const directory = this.directoryUntrusted(path);
    if (directory) throw refuse(directory);
    let created = true;
    const handle = await open(
      path,
      constants.O_CREAT | constants.O_EXCL | constants.O_RDWR | constants.O_APPEND,
      0o644,
    )
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        created = false;
        return open(path, constants.O_RDWR | constants.O_APPEND | NO_FOLLOW);
      })
      .catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ELOOP' ? refuse(symlinkText(path)) : error;
      });
    try {
      // A FIFO or a device there would take the line and keep none of it: the command must not say it wrote it.
      const info = await handle.stat();
      const kind = notRegular(info);
      if (kind) throw refuse(`${path} is ${kind}, not a regular file; move it away`);
      const file = untrusted(`the control file ${path}`, info, this.uid);
      if (file) throw refuse(file);
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
      this.kept.clear();
      this.reported.clear();
      this.readBefore = undefined;
    }
    let text: string;
    let signature: string;
    try {
      const directory = this.directoryUntrusted(path);
      if (directory) return this.unreadable(directory);
      // Opened without blocking (a FIFO's open waits for a writer), and looked at before it is read.
      const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | NO_FOLLOW);
      try {
        const info = await handle.stat();
        const kind = notRegular(info);
        if (kind)
          return this.unreadable(`${path} cannot be read (${kind}, not a regular file); move it away`);
        // Before the signature: a chmod or chown changes neither size nor mtime.
        const file = untrusted(`the control file ${path}`, info, this.uid);
        if (file) return this.unreadable(file);
        signature = `${info.size}:${info.mtimeMs}`;
        if (signature === this.signature) return { changed: false, requests: this.last };
        if (info.size > MAX_CONTROL_FILE_BYTES)
          return this.unreadable(
            `${path} cannot be read (${info.size} bytes; the requests file is at most ${MAX_CONTROL_FILE_BYTES}); ` +
              'move it away (requests of finished rollouts are not needed)',
          );
        // One the checkout brought: whoever could push a branch or open a pull request wrote its requests.
        if (trackedByGit(path))
          return this.unreadable(
            `the control file ${path} is in the repository's commit (git tracks it), so whoever can push a ` +
              'branch or open a pull request wrote it: it is not read; remove it from the repository',
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
        // No request was made, or the file was moved away: nothing new to read (those read before still count).
        const changed = !this.read;
        this.read = true;
        this.signature = 'none';
        return { changed, requests: this.last };
      }
      if (code === 'ELOOP') return this.unreadable(symlinkText(path));
      return this.unreadable(`${path} cannot be read (${code ?? (error as Error).message})`);
    }
    const lines = text.split('\n');
    // A last line without its newline is still being written: read it next time, in full.
    const partial = lines.pop() !== '';
    const refused: NonNullable<ControlPoll['refused']> = [];
    lines.forEach((line, index) => {
      const number = index + 1;
      if (line.trim() === '') return;
      const parsed = parseLine(line);
      if (!parsed.ok) {
        if (!this.reported.has(number))
          refused.push({
            where: `${path}:${number}`,
            code: 'control_corrupt',
            message: shown(parsed.message),
          });
        this.reported.add(number);
        return;
      }
      const { request } = parsed;
      if (request.deploymentId !== deploymentId || this.kept.has(request.id)) return;
      this.kept.set(request.id, request);
    });
    const requests = [...this.kept.values()];
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

  /**
   * Why the directories on the way to the control file at `path` are not trusted: the state directory, those
   * above it, then `control/` in it; undefined when all are (or are not there yet).
   */
  private directoryUntrusted(path: string): string | undefined {
    return (
      untrustedStateDirectory(this.dir, this.uid) ??
      untrustedDirectory(dirname(path), 'its directory', 'put the directory itself there', this.uid)
    );
  }

  /** A poll that could not read the file: the requests last seen, and why (read again at the next poll). */
  private unreadable(error: string): ControlPoll {
    this.signature = undefined;
    return { changed: false, requests: this.last, error };
  }
}

function symlinkText(path: string): string {
  return (
    `the control file ${path} is a symbolic link (the CLI writes a regular file there), so its requests are ` +
    'not acted on; move it away'
  );
}

/**
 * A refusal's text as it is shown: it quotes the line (JSON's error its first characters, a key whole), so
 * on one inert line and cut short.
 */
function shown(message: string): string {
  return cutText(plain(message), MAX_REFUSAL_CHARS);
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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

function parseLine(line: string): ReturnType<typeof readControlRequest> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, message: `not JSON (${(error as Error).message})` };
  }
  return readControlRequest(value);
}
