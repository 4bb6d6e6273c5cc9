// Caps on what a config may be, checked before the text is parsed in full and before it is validated: a
// deploy config is a few hundred lines, and a file far bigger or deeper than any real one must get a clear
// error in milliseconds, not minutes of work or a heap abort (5 MB of "[" exhausted the heap).
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, type Document, type Node, type Scalar } from 'yaml';

/** `deploy: {{version}}` unquoted: YAML reads a value that starts with "{{" as a flow mapping. */
export const UNQUOTED_TEMPLATE =
  'a value that starts with "{{" is a mapping in YAML, not text: put the whole value in quotes ("{{version}} ...")';

export const CONFIG_LIMITS = {
  /** Bytes of config text (UTF-8). */
  bytes: 1024 * 1024,
  /** Nested collections (mappings and lists, block or flow). */
  depth: 64,
  /** Mappings, lists, keys and values in the whole document. */
  nodes: 200_000,
} as const;

/**
 * The longest an environment's name may be, URL-encoded, for the CLI's files in state_dir: its record
 * `records/<name>.json` gets drafts and locks named `<record>.lock.takeover.<pid>.<n>.tmp` (47 characters more),
 * and reconcile's lock `locks/reconcile-<name>.lock` the longest, its takeover guard's draft
 * `reconcile-<name>.lock.takeover.<pid>.<n>.tmp` (52 more, with a 7-digit pid and a 15-digit n); a file system
 * takes names of at most 255 bytes.
 */
export const STATE_FILE_NAME_MAX = 203;

const LEXER_MARKERS = new Set(['\x02', '\x18', '\x1f']);

export type LimitIssue =
  | { reason: 'too_large'; message: string }
  | { reason: 'too_deep'; message: string; offset: number }
  | { reason: 'too_many_nodes'; message: string; offset: number };

/** Why a config of `bytes` bytes is refused (loadConfigFile says it from the file's size, unread). */
export function tooLargeMessage(bytes: number): string {
  return `the config is ${bytes} bytes; at most ${CONFIG_LIMITS.bytes} are read (a deploy config is a few kilobytes)`;
}

/** Checks the size of the raw text, before it is lexed. */
export function textLimitIssue(text: string): LimitIssue | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_LIMITS.bytes) {
    return { reason: 'too_large', message: tooLargeMessage(bytes) };
  }
  return undefined;
}

/** Thrown by depthLimitedLexemes at the first flow collection nested too deep. */
export class FlowTooDeep extends Error {
  readonly issue: Extract<LimitIssue, { reason: 'too_deep' }>;
  constructor(offset: number) {
    const issue = tooDeep(offset);
    super(issue.message);
    this.issue = issue;
  }
}

/**
 * The text's YAML lexemes, for the parser (load.ts feeds them to yaml's Parser one by one), stopping at the
 * first flow collection nested deeper than the cap, before the parser sees it: 1 MB of "[" would exhaust the
 * parser's heap. Checking while the parser's own lexing runs lexes the text once, not twice (issue 16).
 */
export function* depthLimitedLexemes(text: string): Generator<string, void> {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      depth++;
      if (depth > CONFIG_LIMITS.depth) throw new FlowTooDeep(offset);
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
    // The lexer's own markers (document start, scalar, flow error end) are not in the text.
    if (!LEXER_MARKERS.has(token)) offset += token.length;
    yield token;
  }
}

/** The core schema's tags (`!!str 12` forces a string): anything else would build a value JSON has not. */
const PLAIN_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** `!!binary` for the YAML namespace's tags, as written otherwise (`!foo`). */
function tagName(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/** The node an alias at `offset` stands for: the nearest anchor of its name before it (`nodes` in text order). */
function anchored(anchors: ReadonlyMap<string, Node[]>, source: string, offset: number): Node | undefined {
  const nodes = anchors.get(source) ?? [];
  let low = 0;
  let high = nodes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((nodes[middle]!.range?.[0] ?? 0) < offset) low = middle + 1;
    else high = middle;
  }
  return low > 0 ? nodes[low - 1] : undefined;
}

/**
 * Walks the composed document once, without recursion: its depth and size against the caps, keys that are
 * mappings or lists (JSON has no such keys; the YAML library would stringify them with a warning on
 * stderr), keys repeated in one mapping (the library's own check is quadratic in the mapping's size, and
 * misses a key written as an alias), tags other than the plain ones (`!!binary`, `!!set`, `!!js/function`
 * and unknown ones would become odd values, or silently a string), "__proto__" keys (dropped without a
 * word when the config is validated), keys the YAML reads as another text (`1.0:` is the number 1) and
 * aliases with no anchor before them.
 */
export function documentIssues(doc: Document): Array<{ message: string; offset: number; code: string }> {
  const issues: Array<{ message: string; offset: number; code: string }> = [];
  let nodes = 0;
  // Anchors by name, to resolve alias keys and find aliases used before (or without) their anchor: once the
  // walk is done, since it does not go in text order.
  const anchors = new Map<string, Node[]>();
  const aliases: Array<{ source: string; offset: number }> = [];
  const aliasKeys: Array<{ source: string; offset: number; seen: Set<string> }> = [];
  const keyIssue = (name: string, offset: number, seen: Set<string>) => {
    if (name === '__proto__')
      issues.push({
        message: 'the key "__proto__" is not allowed (it cannot be told from an object\'s prototype)',
        offset,
        code: 'proto_key',
      });
    else if (seen.has(name)) issues.push({ message: name, offset, code: 'DUPLICATE_KEY' });
    seen.add(name);
  };
  // Keys are checked as keys (key_not_as_written), not again as values.
  const keys = new WeakSet<Node>();
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node)) {
      aliases.push({ source: node.source, offset: node.range?.[0] ?? 0 });
      continue;
    }
    const tagged = node as Node | null;
    if (tagged?.anchor) {
      const named = anchors.get(tagged.anchor);
      if (named) named.push(tagged);
      else anchors.set(tagged.anchor, [tagged]);
    }
    if (tagged?.tag && !PLAIN_TAGS.has(tagged.tag)) {
      issues.push({
        message: `the YAML tag ${tagName(tagged.tag)} is not supported: write the plain value (a deploy config holds only strings, numbers, true/false, lists and mappings)`,
        offset: tagged.range?.[0] ?? 0,
        code: 'unsupported_tag',
      });
    }
    if (isScalar(node) && !keys.has(node)) {
      const leadingZero = leadingZeroIssue(node);
      if (leadingZero) issues.push(leadingZero);
    }
    // A command, argument, URL or environment value cannot hold a NUL: the deploy would fail at spawn time.
    if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\0'))
      issues.push({
        message:
          'this text holds a NUL character (\\0), which no command, argument, URL or environment value can carry: remove it',
        offset: node.range?.[0] ?? 0,
        code: 'nul_character',
      });
    if (!isMap(node) && !isSeq(node)) continue;
    const offset = (node as Node).range?.[0] ?? 0;
    if (depth > CONFIG_LIMITS.depth) return [{ ...tooDeep(offset), code: 'too_deep' }];
    nodes += 1 + node.items.length;
    if (nodes > CONFIG_LIMITS.nodes) {
      return [
        {
          message: `the config has more than ${CONFIG_LIMITS.nodes} keys, values and list items; a deploy config has a few hundred`,
          offset,
          code: 'too_many_nodes',
        },
      ];
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        if (isMap(key) || isSeq(key)) {
          // `deploy: {{version}}` is a flow mapping whose key is the mapping `{version}`, not a template.
          const template =
            node.flow && isMap(key) && key.flow && key.range?.[0] === (node.range?.[0] ?? -2) + 1;
          issues.push({
            message: template ? UNQUOTED_TEMPLATE : 'a key must be a plain value, not a mapping or a list',
            offset: key.range?.[0] ?? offset,
            code: 'collection_key',
          });
        } else if (isScalar(key)) {
          keys.add(key);
          stack.push({ node: key, depth: depth + 1 });
          // The key as the validated object has it: `1.0:` is "1", `0x10:` is "16", `~:` is "".
          const name = key.value === null ? '' : String(key.value);
          if (typeof key.value !== 'string' && key.source !== undefined && String(key.source) !== name)
            issues.push({
              message: `the key ${key.source} is read as ${JSON.stringify(name)}: quote it ("${key.source}") to keep it as written`,
              offset: key.range?.[0] ?? offset,
              code: 'key_not_as_written',
            });
          keyIssue(name, key.range?.[0] ?? offset, seen);
        } else if (isAlias(key)) {
          stack.push({ node: key, depth: depth + 1 });
          aliasKeys.push({ source: key.source, offset: key.range?.[0] ?? offset, seen });
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  for (const named of anchors.values()) named.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
  for (const alias of aliases)
    if (!anchored(anchors, alias.source, alias.offset))
      issues.push({
        message: `the alias *${alias.source} refers to no anchor: write &${alias.source} on a value before it`,
        offset: alias.offset,
        code: 'unresolved_alias',
      });
  for (const key of aliasKeys) {
    const target = anchored(anchors, key.source, key.offset);
    if (isScalar(target)) keyIssue(target.value === null ? '' : String(target.value), key.offset, key.seen);
  }
  return issues;
}

/**
 * A plain whole number written with a leading zero (`instances: 010`, `required: 02`): YAML 1.1 tools (and
 * many linters and editors) read 010 as the octal 8, this reader as 10, and where text is expected the
 * value would be the number 10 rather than "010" as written. Which one the author meant cannot be told.
 */
function leadingZeroIssue(node: Scalar): { message: string; offset: number; code: string } | undefined {
  if (node.type !== 'PLAIN' || typeof node.value !== 'number' || node.tag !== undefined) return undefined;
  const source = node.source;
  if (typeof source !== 'string') return undefined;
  const match = /^([-+]?)0+(\d+)$/.exec(source);
  if (!match) return undefined;
  const [, sign, digits] = match;
  const octal = (sign === '-' ? -1 : 1) * Number.parseInt(digits!, 8);
  const readings =
    /^[0-7]+$/.test(digits!) && octal !== node.value
      ? ` YAML 1.1 tools read it as the octal number ${octal}, this reader as ${node.value}:`
      : '';
  return {
    message: `the number ${source} has a leading zero:${readings} write ${node.value} for the number, or quote it ("${source}") for text`,
    offset: node.range?.[0] ?? 0,
    code: 'leading_zero',
  };
}

/**
 * Why the config, with each alias expanded to its value (as validating it walks it), is refused: a list of
 * 150,000 names aliased by each of 1,000 environments is within the YAML library's alias count (which stops
 * only aliases of aliases) and a few hundred kilobytes of text, but 150 million values to validate. Counted
 * as documentIssues counts the text (a mapping or list, and each of its keys or items), up to the cap.
 */
export function expandedSizeIssue(data: unknown): string | undefined {
  let nodes = 0;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    const children = Array.isArray(value) ? value : Object.values(value);
    nodes += 1 + children.length;
    if (nodes > CONFIG_LIMITS.nodes)
      return `aliases (*name) expand the config to more than ${CONFIG_LIMITS.nodes} keys, values and list items (a deploy config has a few hundred): write the repeated parts out, or alias less`;
    for (const child of children) stack.push(child);
  }
  return undefined;
}

function tooDeep(offset: number): { reason: 'too_deep'; message: string; offset: number } {
  return {
    reason: 'too_deep',
    message: `lists and mappings are nested more than ${CONFIG_LIMITS.depth} deep; a deploy config needs fewer than 10 levels`,
    offset,
  };
}
