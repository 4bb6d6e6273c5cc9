// Caps on what a config may be, checked before the text is parsed in full and before it is validated: a
// deploy config is a few hundred lines, and a file far bigger or deeper than any real one must get a clear
// error in milliseconds, not minutes of work or a heap abort (5 MB of "[" exhausted the heap).
import { isMap, isPair, isScalar, isSeq, Lexer, type Document, type Node } from 'yaml';

export const CONFIG_LIMITS = {
  /** Bytes of config text (UTF-8). */
  bytes: 1024 * 1024,
  /** Nested collections (mappings and lists, block or flow). */
  depth: 64,
  /** Mappings, lists, keys and values in the whole document. */
  nodes: 200_000,
} as const;

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

/**
 * Walks the composed document once, without recursion: its depth and size against the caps, keys that are
 * mappings or lists (JSON has no such keys; the YAML library would stringify them with a warning on
 * stderr), and keys repeated in one mapping (the library's own check is quadratic in the mapping's size).
 */
export function documentIssues(doc: Document): Array<{ message: string; offset: number; code: string }> {
  const issues: Array<{ message: string; offset: number; code: string }> = [];
  let nodes = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
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
          issues.push({
            message: 'a key must be a plain value, not a mapping or a list',
            offset: key.range?.[0] ?? offset,
            code: 'collection_key',
          });
        } else if (isScalar(key)) {
          const name = String(key.value);
          if (seen.has(name)) {
            issues.push({ message: name, offset: key.range?.[0] ?? offset, code: 'DUPLICATE_KEY' });
          }
          seen.add(name);
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return issues;
}

function tooDeep(offset: number): { reason: 'too_deep'; message: string; offset: number } {
  return {
    reason: 'too_deep',
    message: `lists and mappings are nested more than ${CONFIG_LIMITS.depth} deep; a deploy config needs fewer than 10 levels`,
    offset,
  };
}
