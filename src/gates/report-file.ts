// A report file a gate reads (SARIF, JUnit, coverage, audit, gitleaks, Terraform plan), read one way for
// every gate: inside the repository, bounded in size, decoded from what the tool wrote (UTF-8 with or
// without a byte order mark, UTF-16 with one, as Windows PowerShell writes), never silently mangled.
import { open, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decodeUtf8 } from '../config/load.ts';
import { relativeToRoots } from './repo-path.ts';
import { OPEN_WITHOUT_WAITING } from '../util/regular-file.ts';

// Opened without waiting (OPEN_WITHOUT_WAITING): a named pipe's open for reading waits for a writer (in the
// thread pool, where nothing can end it: the gate never answered and the process never exited). Refused as not
// a file below.

/** Larger reports are refused: parsing one would take minutes and gigabytes (no real report is this big). */
export const MAX_REPORT_BYTES = 128 * 1024 * 1024;

export type ReportRead =
  | { ok: true; text: string }
  | {
      ok: false;
      reason: 'not-found' | 'unreadable' | 'outside' | 'not-file' | 'too-large' | 'empty' | 'not-text';
      message: string;
    };

export interface ReadOptions {
  /** Default MAX_REPORT_BYTES. */
  maxBytes?: number;
  /**
   * A source file the gate checks (a migration, a manifest, a changed file), not a tool's report: empty is
   * fine, and bytes that are not UTF-8 (a Latin-1 comment) are read as U+FFFD instead of refusing the file.
   * A byte order mark is honoured as for reports: SQL Server Management Studio and Windows PowerShell write
   * UTF-16, which read as UTF-8 hid every statement in it (a DROP TABLE among the zero bytes went unseen).
   */
  source?: boolean;
}

/**
 * Reads `file` (relative to `cwd`, as configured or globbed) as text. `roots`: where the repository is (the
 * runner's workspace, the gate's directory); a report that resolves outside them (an absolute path, `../`, a
 * symlink) is refused, so no file outside the checkout can be read into a message. `what` names the report
 * in messages ("SARIF file", "coverage report").
 */
export async function readReportFile(
  cwd: string,
  file: string,
  roots: readonly string[],
  what: string,
  options: ReadOptions = {},
): Promise<ReportRead> {
  const maxBytes = options.maxBytes ?? MAX_REPORT_BYTES;
  const absolute = resolve(cwd, file);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    return failure(error, what, file, cwd);
  }
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
  if (relativeToRoots(real, realRoots) === undefined) {
    return {
      ok: false,
      reason: 'outside',
      message: `${what} ${file} is outside the repository (it resolves to ${real}): reports are read only from inside ${roots.join(' or ')}`,
    };
  }
  let bytes: Buffer;
  try {
    const handle = await open(real, OPEN_WITHOUT_WAITING);
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        return { ok: false, reason: 'not-file', message: `${what} ${file} is not a file` };
      }
      if (info.size > maxBytes) {
        return {
          ok: false,
          reason: 'too-large',
          message: `${what} ${file} is ${megabytes(info.size)}, over the ${megabytes(maxBytes)} ${options.source ? 'the gate reads' : 'a report may be'}`,
        };
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return failure(error, what, file, cwd);
  }
  const decoded = options.source ? { ok: true as const, text: decodeSource(bytes) } : decodeReport(bytes);
  if (!decoded.ok) {
    return { ok: false, reason: 'not-text', message: `${what} ${file}:${decoded.where}: ${decoded.message}` };
  }
  if (decoded.text.trim() === '' && !options.source) {
    return { ok: false, reason: 'empty', message: `${what} ${file} is empty (the tool wrote nothing?)` };
  }
  return { ok: true, text: decoded.text };
}

/**
 * Pure: the text of a source file's bytes, without a byte order mark; UTF-16 with its BOM or by its zero
 * bytes, else UTF-8; what is not valid in its encoding is read as U+FFFD.
 *
 * Two bytes decide UTF-16, and what runs the file may not agree: psql or mysql read the same bytes as UTF-8,
 * where `FF FE` then plain ASCII is a DROP TABLE that the UTF-16 reading turns into CJK text. So a file read
 * as UTF-16 also gets the lines of its UTF-8 reading (zero bytes left out) that are valid UTF-8 and not in the
 * UTF-16 reading, after it: a statement either program would run is seen. A real UTF-16 file of ASCII text
 * reads the same both ways and gains nothing.
 */
export function decodeSource(bytes: Uint8Array): string {
  const encoding = utf16Encoding(bytes);
  const text = new TextDecoder(encoding?.encoding ?? 'utf-8').decode(bytes).replace(/^\uFEFF/, '');
  if (!encoding) return text;
  const seen = new Set(text.split(/\r?\n/));
  const utf8 = new TextDecoder('utf-8')
    .decode(bytes.filter((byte) => byte !== 0).subarray(encoding.bom ? 2 : 0))
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.includes('\uFFFD') && !seen.has(line));
  return utf8.length ? `${text}\n${utf8.join('\n')}` : text;
}

/** UTF-16 by its byte order mark, or by the zero byte after each of the first ASCII characters. */
function utf16Encoding(bytes: Uint8Array): { encoding: 'utf-16le' | 'utf-16be'; bom: boolean } | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0)
    return { encoding: 'utf-16le', bom: false };
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0)
    return { encoding: 'utf-16be', bom: false };
  return undefined;
}

/**
 * Pure: the text a gate command printed. UTF-16 by its byte order mark or by its zero bytes (Windows PowerShell
 * and .NET tools write it, a redirect through PowerShell makes it), else UTF-8; a byte order mark is dropped and
 * what is not valid in the encoding reads as U+FFFD. Output read as UTF-8 only turned a UTF-16 `npm audit --json`
 * into zero bytes between the characters, which the audit gate took for "no JSON report".
 */
export function decodeOutput(bytes: Uint8Array): string {
  const utf16 = utf16Encoding(bytes);
  return new TextDecoder(utf16?.encoding ?? 'utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** Pure: the text of a report's bytes, without a byte order mark; UTF-16 with its BOM or by its zero bytes. */
export function decodeReport(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; where: string; message: string } {
  // UTF-16 without a byte order mark (`iconv -t UTF-16LE`, .NET's UnicodeEncoding(false, false)): a report
  // starts with ASCII ('<', '{', whitespace), so every other one of its first bytes is zero (XML 1.0
  // appendix F, RFC 4627 §3). Read as UTF-8, those zeros made "not well-formed XML" of a readable report.
  const utf16 = utf16Encoding(bytes);
  if (utf16) {
    const name = utf16.encoding.toUpperCase();
    try {
      return { ok: true, text: new TextDecoder(utf16.encoding, { fatal: true }).decode(bytes) };
    } catch {
      return {
        ok: false,
        where: '1:1',
        message: utf16.bom
          ? `starts with a ${name} byte order mark but is not ${name} text`
          : `starts like ${name} without a byte order mark (a zero byte after each of its first characters) but is not ${name} text`,
      };
    }
  }
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return { ok: true, text: decoded.text.replace(/^\uFEFF/, '') };
  // Not UTF-8: the encoding its XML declaration names, when it names one. UTF-8 first, whatever the declaration
  // says: a report that reads as UTF-8 reads as before (a tool that declares Latin-1 and writes UTF-8).
  const declared = declaredEncoding(bytes);
  if (declared) {
    try {
      return { ok: true, text: new TextDecoder(declared, { fatal: true }).decode(bytes) };
    } catch {
      return {
        ok: false,
        where: '1:1',
        message: `declares encoding="${declared}" but is not ${declared} text`,
      };
    }
  }
  return { ok: false, where: `${decoded.line}:${decoded.column}`, message: decoded.message };
}

/**
 * The encoding an XML report's declaration names (`<?xml version="1.0" encoding="ISO-8859-1"?>`, as CppUnit's
 * XmlOutputter writes by default), when it is another than UTF-8 and one the decoder knows: read as UTF-8, its
 * first accented letter refused the report. Undefined for UTF-8, UTF-16 (its zero bytes tell it, above), a
 * name the decoder does not know, or a report with no declaration (or a UTF-8 byte order mark before it).
 */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const start = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
  const name = /^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][\w.:-]*)\1/.exec(start)?.[2];
  if (!name || /^(?:utf-?8|utf-?16(?:le|be)?)$/i.test(name)) return undefined;
  try {
    const encoding = new TextDecoder(name).encoding;
    // WHATWG's "replacement" (ISO-2022-KR and the like) decodes nothing: no text to read.
    return encoding === 'replacement' ? undefined : encoding;
  } catch {
    return undefined;
  }
}

function failure(error: unknown, what: string, file: string, cwd: string): ReportRead & { ok: false } {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return { ok: false, reason: 'not-found', message: `${what} ${file} not found (looked in ${cwd})` };
  return {
    ok: false,
    reason: 'unreadable',
    message: `${what} ${file} is unreadable (${code ?? (error as Error).message})`,
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
