// Reads `.github/deploy.yml`: YAML (keeping node positions) -> zod schema -> semantic rules. Every problem
// found is reported at once, each located at file:line:column with its field path.
import { createReadStream } from 'node:fs';
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  YAMLParseError,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { YAMLError } from 'yaml';
import {
  ConfigLoadError,
  explainIssues,
  formatPath,
  issueMessage,
  maskSecrets,
  oneLine,
  shortenQuoted,
  shortenRuns,
  type ConfigError,
  type ConfigPath,
  type IssueAnchor,
} from './errors.ts';
import type { z } from 'zod';
import { deployConfig, EXTENSION_KEY, type RawConfig } from './schema.ts';
import { semanticIssues } from './semantics.ts';
import { sourceOffsetOf } from './scalar-offsets.ts';
import { configFindings } from './warnings.ts';
import { showInvisible } from './invisible.ts';
import {
  CONFIG_LIMITS,
  depthLimitedLexemes,
  documentIssues,
  expandedSizeIssue,
  FlowTooDeep,
  textLimitIssue,
  tooLargeMessage,
  UNQUOTED_TEMPLATE,
} from './limits.ts';

/**
 * A valid config comes with its warnings (warnings.ts: accepted, but a run will not do exactly what is
 * written), located as errors are; they never make it invalid.
 */
export type ParseResult =
  { ok: true; config: RawConfig; warnings: ConfigError[] } | { ok: false; errors: ConfigError[] };

/** A config file read and validated, with its warnings. */
export interface LoadedConfig {
  config: RawConfig;
  warnings: ConfigError[];
}

/** Parses and validates config text. `file` is only used to label the errors. */
export function parseConfig(written: string, file: string): ParseResult {
  // A CR alone ends a line in YAML (as CRLF does), but the YAML library reads it as a character of the line,
  // so a file saved with old Mac line ends was one line of nonsense errors. Same length: positions stay.
  const text = written.replace(/\r(?!\n)/g, '\n');
  const tooBig = textLimitIssue(text);
  if (tooBig) return failure([{ file, line: 1, column: 1, path: '', message: tooBig.message }]);
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseYaml(text, lineCounter);
  } catch (error) {
    if (!(error instanceof FlowTooDeep)) throw error;
    const { offset, message } = error.issue;
    return failure([{ file, ...positionOf(text, offset), path: '', message }]);
  }
  const locator = new Locator(doc, text, file);

  if (doc.errors.length > 0) {
    const errors: ConfigError[] = [];
    let streamJunk = false;
    for (const error of doc.errors) {
      // A token the document cannot hold (a stray "]" at the top level) ends it: the library then reports
      // every token after it as "Unexpected ... in YAML stream" (70 errors for one bracket). The first is
      // the cause; the rest go once it is fixed.
      if (error.code === 'UNEXPECTED_TOKEN' && error.message.includes(' in YAML stream')) {
        if (streamJunk) continue;
        streamJunk = true;
      }
      const located = locator.yamlError(error);
      const template = unquotedTemplate(text, error.pos[0]);
      if (template === undefined) errors.push(located);
      else {
        // What YAML says after a misread "{{" is that misreading again (a flow mapping, unclosed, runs on
        // through the lines after it: 12 errors for one): the cause is reported, the rest once it is fixed.
        errors.push({ ...located, message: template });
        break;
      }
    }
    return failure(errors);
  }
  const shape = documentIssues(doc);
  if (shape.length > 0)
    return failure(shape.map((issue) => locator.atOffset(issue.offset, issue.code, issue.message)));
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return failure([locator.atStart('the file is empty: it needs at least an "environments" mapping')]);
  }
  if (!isMap(doc.contents)) {
    const found = isSeq(doc.contents) ? 'a list' : 'a single value';
    return failure([
      locator.atStart(
        `the top level must be a mapping of keys (version, target, environments, ...), not ${found}`,
      ),
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // The library's guard against alias bombs ("billion laughs"): aliases expanding to too many copies.
    const message = /alias count/i.test((error as Error).message)
      ? 'aliases (*name) expand to too many copies of their values; a deploy config needs few: write the repeated parts out, or alias less'
      : `cannot read the YAML: ${(error as Error).message}`;
    return failure([locator.atStart(message)]);
  }

  data = withoutExtensionKeys(data);
  // What is validated is the data with its aliases expanded: bounded like the text (x- keys are not read).
  const expanded = expandedSizeIssue(data);
  if (expanded) return failure([locator.atStart(expanded)]);
  // jitless: zod's fast path compiles a parser (new Function) for each object schema on its first parse, which
  // pays off over many parses; a config is parsed once per process, and the compiling was most of its parse.
  const result = deployConfig.safeParse(data, { error: issueMessage, jitless: true });
  if (!result.success) {
    const explained = explainIssues(result.error.issues, data, deployConfig);
    return failure(
      explained.map((issue) => locator.at(issue.path, issue.anchor, withAnchorHint(locator, issue))),
    );
  }

  const config = keepAnalysisAsWritten(result.data, data);
  const semantic = semanticIssues(config);
  if (semantic.length > 0)
    return failure(semantic.map((issue) => locator.at(issue.path, 'value', issue.message, issue.offset)));
  const findings = configFindings(config);
  if (findings.errors.length > 0)
    return failure(findings.errors.map((issue) => locator.at(issue.path, 'value', issue.message)));
  const warnings = findings.warnings.map((issue) => locator.at(issue.path, 'value', issue.message));
  return { ok: true, config, warnings: inFileOrder(warnings) };
}

/** The top level without its "x-" keys (EXTENSION_KEY): the author's own, such as anchor holders. */
function withoutExtensionKeys(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !EXTENSION_KEY.test(key)));
}

/**
 * An unknown key whose value carries an anchor (`common: &common ...`) is there to hold it: at the top
 * level, such a key is allowed when it starts with "x-" (the docker-compose convention); elsewhere, the
 * anchor goes on the first value that uses it.
 */
function withAnchorHint(locator: Locator, issue: { path: ConfigPath; message: string }): string {
  if (!issue.message.startsWith('unknown key ')) return issue.message;
  const key = String(issue.path.at(-1));
  if (EXTENSION_KEY.test(key)) return issue.message; // its message says where such keys go
  const node = locator.written(issue.path);
  if (!node || typeof node !== 'object' || !('anchor' in node) || !node.anchor) return issue.message;
  const anchor = node.anchor;
  return issue.path.length === 1
    ? `${issue.message}; to keep a value here only to hold a YAML anchor (&${anchor}), start its key with "x-" (x-${key}): deploy-action ignores top-level keys starting with "x-"`
    : `${issue.message}; a key only to hold a YAML anchor (&${anchor}) is allowed only at the top level, starting with "x-" (x-${key}: &${anchor} ...); or put the anchor on the first value that uses it, and write *${anchor} where it repeats`;
}

/**
 * yaml's parseDocument, fed the lexemes of depthLimitedLexemes (throws FlowTooDeep): the library's documented
 * way to give its Parser another lexer, with parseDocument's handling of a second document.
 */
function parseYaml(text: string, lineCounter: LineCounter): Document.Parsed {
  // Duplicate keys are found by documentIssues (the library's check is quadratic); logLevel "error" keeps
  // the library from printing warnings of its own on stderr (and into --json output).
  const options = { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' } as const;
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer(options);
  function* tokens() {
    lineCounter.addNewLine(0); // as Parser.parse() does at the start of its input
    for (const lexeme of depthLimitedLexemes(text)) yield* parser.next(lexeme);
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens(), true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  // compose(…, true) always ends with a document, even for empty input.
  return doc!;
}

/** A pipe's bytes, stopping one byte past the config's size cap (its size is not known before). */
async function readCapped(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length > CONFIG_LIMITS.bytes) break;
  }
  return Buffer.concat(chunks);
}

/** Reads and validates a config file; throws ConfigLoadError listing every problem. */
export async function loadConfigFile(path: string): Promise<RawConfig> {
  return (await loadConfigWithWarnings(path)).config;
}

/**
 * What to say of a config path that is a symbolic link to no file, or undefined when it is no link: "not found"
 * sent the reader looking for a file that is there, as a link (a checked-out symlink to a file not committed).
 */
async function danglingLinkMessage(path: string): Promise<string | undefined> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return undefined;
    const target = await readlink(path);
    const resolved = resolve(dirname(path), target);
    const further = await lstat(resolved).then(
      (info) => info.isSymbolicLink(),
      () => false,
    );
    return (
      `is a symbolic link to ${JSON.stringify(target)}${resolved === target ? '' : ` (${resolved})`}, ` +
      `${further ? 'itself a link that leads to no file' : 'which does not exist'}: ` +
      "create that file, point the link at the config, or name the config file itself (--config, or the action's config input)"
    );
  } catch {
    return undefined;
  }
}

/** As loadConfigFile, with the config's warnings (for `validate`, a run's start and the Action's annotations). */
export async function loadConfigWithWarnings(path: string): Promise<LoadedConfig> {
  let text: string;
  try {
    // Over the cap: refused by its size, without reading it into memory (parseConfig says the same).
    const info = await stat(path);
    // A device (deploy.yml may be a symlink anywhere) says size 0: /dev/zero was read until memory ran out.
    // Not opened at all. A pipe (`-c /dev/stdin`, `-c <(git show …)`) is read up to the cap.
    if (!info.isFile() && !info.isDirectory() && !info.isFIFO()) {
      const message =
        'is not a regular file (a device or a socket): a config is a file of text; name the file itself';
      throw new ConfigLoadError([{ file: path, line: 0, column: 0, path: '', message }]);
    }
    if (info.size > CONFIG_LIMITS.bytes) {
      const message = tooLargeMessage(info.size);
      throw new ConfigLoadError([{ file: path, line: 1, column: 1, path: '', message }]);
    }
    const bytes = info.isFIFO() ? await readCapped(path) : await readFile(path);
    if (bytes.length > CONFIG_LIMITS.bytes) {
      const message = tooLargeMessage(bytes.length);
      throw new ConfigLoadError([{ file: path, line: 1, column: 1, path: '', message }]);
    }
    const decoded = decodeUtf8(bytes);
    if (!decoded.ok) {
      const { line, column, message } = decoded;
      throw new ConfigLoadError([{ file: path, line, column, path: '', message }]);
    }
    text = decoded.text;
  } catch (error) {
    if (error instanceof ConfigLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const link = code === 'ENOENT' ? await danglingLinkMessage(path) : undefined;
    const message = link
      ? link
      : code === 'ENOENT'
        ? 'config file not found: create it (a few lines are enough: "Configure" in deploy-action\'s README) or name another file (--config, or the action\'s config input)'
        : code === 'EISDIR'
          ? 'is a directory, not a config file'
          : `cannot read the config file: ${(error as Error).message}`;
    throw new ConfigLoadError([{ file: path, line: 0, column: 0, path: '', message }]);
  }
  const result = parseConfig(text, path);
  if (!result.ok) throw new ConfigLoadError(result.errors);
  return { config: result.config, warnings: result.warnings };
}

/**
 * The file's text, or where it is not UTF-8: read as 'utf8', such bytes would silently become U+FFFD and a
 * value (a command, a URL) would run with a character the author never wrote.
 */
export function decodeUtf8(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; line: number; column: number; message: string } {
  // ignoreBOM keeps a byte order mark in the text, as readFile did: the YAML parser skips it.
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return { ok: true, text: strict.decode(bytes) };
  } catch {
    // Found line by line (no UTF-8 sequence holds a newline byte), then the first U+FFFD of the line that
    // is not one written in the file (EF BF BD): the characters before it are as written, so its byte
    // offset is their UTF-8 length.
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
    let line = 1;
    for (let start = 0; start <= bytes.length; line++) {
      const newline = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, newline < 0 ? bytes.length : newline);
      start = newline < 0 ? bytes.length + 1 : newline + 1;
      const text = lenient.decode(slice);
      for (let index = text.indexOf('\uFFFD'); index >= 0; index = text.indexOf('\uFFFD', index + 1)) {
        const offset = Buffer.byteLength(text.slice(0, index));
        if (slice[offset] === 0xef && slice[offset + 1] === 0xbf && slice[offset + 2] === 0xbd) continue;
        const byte = slice[offset]!.toString(16).toUpperCase().padStart(2, '0');
        return {
          ok: false,
          line,
          column: index + 1,
          message: `the file is not UTF-8 text: the byte 0x${byte} here is not part of a character; save the file as UTF-8`,
        };
      }
    }
    return { ok: false, line: 1, column: 1, message: 'the file is not UTF-8 text; save it as UTF-8' };
  }
}

function failure(errors: ConfigError[]): ParseResult {
  return { ok: false, errors: inFileOrder(errors) };
}

/** Errors or warnings one line each, secrets masked, once each, in the order of the file. */
function inFileOrder(errors: ConfigError[]): ConfigError[] {
  const clean = errors.map((error) => ({
    ...error,
    // Invisible characters (zero-width, bidirectional overrides) as escapes too: "got the string "\u200b"",
    // not a value that reads as empty, nor a message a bidi override reorders.
    path: showInvisible(oneLine(shortenQuoted(maskSecrets(error.path)))),
    message: shortenRuns(showInvisible(oneLine(shortenQuoted(maskSecrets(error.message))))),
  }));
  const unique = new Map(clean.map((error) => [JSON.stringify(error), error]));
  return [...unique.values()].sort(
    (a, b) =>
      a.line - b.line ||
      a.column - b.column ||
      a.path.localeCompare(b.path) ||
      a.message.localeCompare(b.message),
  );
}

/** Clearer wording for common YAML mistakes; `key` is the key the error is at, if any. */
const FRIENDLY_YAML_ERRORS: Partial<
  Record<string, (key: string | number | undefined, message: string) => string>
> = {
  // documentIssues gives the repeated key as the message (the path's last key is not it for an alias key).
  DUPLICATE_KEY: (_key, name) => `duplicate key "${name}": each key may appear only once in a mapping`,
  TAB_AS_INDENT: () => 'tabs are not allowed for indentation in YAML: indent with spaces',
  // A lone "*" or "&" (`deployers: *`, `approvers: [*]`) starts an alias or an anchor, not the character.
  BAD_ALIAS: (_key, message) => {
    const lone = /^(Alias|Anchor) cannot be an empty string$/.exec(message)?.[1];
    if (lone === undefined) return message;
    const [char, what] = lone === 'Alias' ? ['*', 'alias (*name)'] : ['&', 'anchor (&name)'];
    return `"${char}" here starts a YAML ${what} with no name; to write the character itself, quote it: "${char}"`;
  },
  // `smoke: echo note: done`: the second ": " makes "echo note" a key of a mapping inside the value.
  BLOCK_AS_IMPLICIT_KEY: () =>
    'a ": " (a colon and a space) inside this value starts a mapping in YAML: put the whole value in quotes',
  MULTIPLE_DOCS: () =>
    'a second YAML document starts here ("---"): a deploy config is one document; remove the line or move the rest into the first',
};

/**
 * Why the YAML error at `offset` happened, when its line has a template outside quotes: a value that starts
 * with "{{" (`health: {{base}}/health`, `- {{version}}`), or a "{{" inside a flow mapping or list (`{ deploy:
 * ./d.sh {{version}} }`, where "{" is always syntax). YAML reads either as a flow mapping, and its complaint
 * ("Unexpected scalar at node end") names no template.
 */
function unquotedTemplate(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end < 0 ? text.length : end);
  if (/^\s*#/.test(line)) return undefined;
  if (/(?:^|[:,[-])\s*\{\{/.test(line)) return UNQUOTED_TEMPLATE;
  // A "{{" outside quotes at or before the place of the error.
  let quote: string | undefined;
  for (let index = 0; index <= Math.min(offset - start, line.length - 2); index++) {
    const char = line[index]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && /\s/.test(line[index - 1] ?? ' ')) return undefined;
    else if (line.startsWith('{{', index)) return UNQUOTED_TEMPLATE_IN_FLOW;
  }
  return undefined;
}

const UNQUOTED_TEMPLATE_IN_FLOW =
  'inside { ... } or [ ... ], a "{{" outside quotes is read by YAML as a mapping, not text: put the value in quotes (deploy: "./deploy.sh {{version}}")';

/** Finds the YAML node for a config path and turns offsets into 1-based line and column. */
class Locator {
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly file: string;
  private readonly text: string;

  constructor(doc: Document, text: string, file: string) {
    this.doc = doc;
    this.lines = textLines(text);
    this.file = file;
    this.text = text;
  }

  atStart(message: string): ConfigError {
    return { file: this.file, line: 1, column: 1, path: '', message };
  }

  /** `offset`: where in the string value the problem is, when known; its place in the file is named then. */
  at(path: ConfigPath, anchor: IssueAnchor, message: string, offset?: number): ConfigError {
    const node = this.nodeFor(path, anchor);
    const inValue = offset === undefined ? undefined : sourceOffsetOf(this.text, node, offset);
    return {
      ...this.position(inValue ?? node?.range?.[0]),
      path: formatPath(path),
      message: asWritten(node, message),
    };
  }

  yamlError(error: YAMLError): ConfigError {
    return this.atOffset(error.pos[0], error.code, error.message);
  }

  /** An error at a place in the text, with the path of the node there; known codes get clearer wording. */
  atOffset(offset: number, code: string, message: string): ConfigError {
    let path = this.pathAt(offset);
    // The path runs into the mapping the value was misread as; the field is the one holding it.
    if (code === 'BLOCK_AS_IMPLICIT_KEY') path = path.slice(0, -1);
    const friendly = FRIENDLY_YAML_ERRORS[code];
    return {
      ...this.position(offset),
      path: formatPath(path),
      message: friendly ? friendly(path.at(-1), message) : message,
    };
  }

  private position(offset: number | undefined): Pick<ConfigError, 'file' | 'line' | 'column'> {
    if (offset === undefined) return { file: this.file, line: 1, column: 1 };
    // An error at a CRLF line's end (a flow collection left open) is at its "\n": one column past the line
    // as an editor shows it, which ends before the "\r".
    if (this.text[offset] === '\n' && this.text[offset - 1] === '\r') offset--;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  private resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return node.resolve(this.doc) as Node | undefined;
    return (node ?? undefined) as Node | undefined;
  }

  /** A mapping's pairs by key, built once per mapping: thousands of errors in one mapping stay linear. */
  private readonly byKey = new WeakMap<YAMLMap, Map<string, Pair>>();
  private pairs(map: YAMLMap): Map<string, Pair> {
    let pairs = this.byKey.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const item of map.items) {
        const key = String(isScalar(item.key) ? item.key.value : undefined);
        if (isScalar(item.key) && !pairs.has(key)) pairs.set(key, item as Pair);
      }
      this.byKey.set(map, pairs);
    }
    return pairs;
  }

  /**
   * The node written at `path` as the YAML library's doc.getIn(path, true) finds it (no alias followed), but
   * through each mapping's pairs by key: getIn searches a mapping's pairs in order, and 10,000 unknown keys in
   * one mapping cost 50 million comparisons.
   */
  written(path: ConfigPath): Node | undefined {
    let current: unknown = this.doc.contents;
    for (const segment of path) {
      if (isMap(current)) current = this.pairs(current).get(String(segment))?.value;
      else if (isSeq(current) && typeof segment === 'number') current = current.items[segment];
      else return undefined;
    }
    return (current ?? undefined) as Node | undefined;
  }

  /** The value node at `path` (or the key naming it); the deepest existing ancestor when it is missing. */
  private nodeFor(path: ConfigPath, anchor: IssueAnchor): Node | undefined {
    let current = this.resolve(this.doc.contents);
    let key: Node | undefined;
    for (const segment of path) {
      key = undefined;
      if (isMap(current)) {
        const pair = this.pairs(current).get(String(segment));
        if (!pair) return current;
        key = pair.key as Node;
        const value = this.resolve(pair.value);
        // An empty value (`strategy:`) has no text of its own: point at its key.
        if (!value || (isScalar(value) && value.value === null && !value.source)) return key;
        current = value;
      } else if (isSeq(current) && typeof segment === 'number' && current.items[segment] !== undefined) {
        current = this.resolve(current.items[segment]);
      } else {
        return current;
      }
    }
    return anchor === 'key' && key ? key : current;
  }

  /** The config path of the deepest node containing `offset`, for YAML syntax errors. */
  private pathAt(offset: number): (string | number)[] {
    const path: (string | number)[] = [];
    let current: unknown = this.doc.contents;
    for (;;) {
      if (isMap(current)) {
        const pair = current.items.find(
          (item) => isPair(item) && containsOffset(item.key, item.value, offset),
        );
        if (!pair || !isScalar(pair.key)) return path;
        path.push(String(pair.key.value));
        current = pair.value;
      } else if (isSeq(current)) {
        const index = current.items.findIndex((item) => containsOffset(item, item, offset));
        if (index < 0) return path;
        path.push(index);
        current = current.items[index];
      } else {
        return path;
      }
    }
  }
}

/**
 * A message names a number by its value, which is not always what the file says: `release: 1.10` is the
 * number 1.1, `size: 1e3` is 1000. Where they differ, the number is named as written too.
 */
function asWritten(node: Node | undefined, message: string): string {
  if (!isScalar(node) || typeof node.value !== 'number' || typeof node.source !== 'string') return message;
  const shown = `the number ${node.value}`;
  if (node.source === String(node.value) || !message.includes(shown)) return message;
  return message.replace(shown, `the number ${node.source} (read as ${node.value})`);
}

/**
 * The text's own line starts. The parser's LineCounter misses the line breaks inside a token it could not
 * place (a plain scalar running over two lines after a stray "]"), and every position after one was a line
 * early, at columns past the end of that line.
 */
function textLines(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/** 1-based line and column of an offset, for errors found before the text is parsed. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function containsOffset(first: unknown, last: unknown, offset: number): boolean {
  const start = (first as Node | null)?.range?.[0];
  const end = (last as Node | null)?.range?.[2] ?? (first as Node | null)?.range?.[2];
  return start !== undefined && end !== undefined && start <= offset && offset < end;
}

/** See RawConfig: analysis sections, once validated, are handed on as written. */
function keepAnalysisAsWritten(parsed: z.output<typeof deployConfig>, written: unknown): RawConfig {
  const source = written as { analysis?: unknown; environments?: Record<string, { analysis?: unknown }> };
  const asWritten = (section: unknown) =>
    section === undefined ? {} : { analysis: section as RawConfig['analysis'] };
  const environments = Object.fromEntries(
    Object.entries(parsed.environments).map(([name, env]) => {
      const { analysis: _parsed, ...rest } = env;
      return [name, { ...rest, ...asWritten(source.environments?.[name]?.analysis) }];
    }),
  );
  const { analysis: _parsed, ...rest } = parsed;
  return { ...rest, ...asWritten(source.analysis), environments };
}
