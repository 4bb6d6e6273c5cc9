// Whether a GraphQL request writes: a mutation does; a query (GitHub has no subscriptions) only reads, so its
// repeat after a lost answer is as safe as a GET's. Pure.

/**
 * The keyword that opens each of a document's top-level definitions, in order (`{` for a query's shorthand),
 * or undefined when the text cannot be read as GraphQL tokens (an unterminated string or bracket). Only what
 * tells the definitions apart is lexed: ignored tokens (whitespace, line breaks \n or \r, commas, a BOM,
 * `#` comments), strings and block strings (whose text may hold any word), names and brackets.
 */
function definitionKeywords(text: string): string[] | undefined {
  const keywords: string[] = [];
  let depth = 0;
  let expectDefinition = true;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (text.startsWith('"""', i)) {
      const end = blockStringEnd(text, i + 3);
      if (end < 0) return undefined;
      i = end;
    } else if (c === '"') {
      const end = stringEnd(text, i + 1);
      if (end < 0) return undefined;
      i = end;
    } else if (/[_A-Za-z]/.test(c)) {
      const start = i;
      while (i < text.length && /[_0-9A-Za-z]/.test(text[i]!)) i++;
      if (depth === 0 && expectDefinition) {
        keywords.push(text.slice(start, i));
        expectDefinition = false;
      }
    } else if (c === '{' || c === '(' || c === '[') {
      if (c === '{' && depth === 0 && expectDefinition) {
        keywords.push('{');
        expectDefinition = false;
      }
      depth++;
      i++;
    } else if (c === '}' || c === ')' || c === ']') {
      if (--depth < 0) return undefined;
      // A selection set closed at the top ends its definition: the next word opens another.
      if (depth === 0 && c === '}') expectDefinition = true;
      i++;
    } else i++;
  }
  return depth === 0 ? keywords : undefined;
}

/** Past the `"` that ends a string opened before `from` (escapes skipped), or -1 when none does on its line. */
function stringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if (c === '\n' || c === '\r') return -1;
  }
  return -1;
}

/** Past the `"""` that ends a block string opened before `from` (`\"""` is no end), or -1. */
function blockStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('\\"""', i)) i += 3;
    else if (text.startsWith('"""', i)) return i + 3;
  }
  return -1;
}

/**
 * Whether a GraphQL request's text may write: it defines a mutation (anywhere in the document: after comments,
 * fragments or a query, whichever operation `operationName` picks), or it is no text that can be read (a
 * persisted query's id alone, an unterminated string). A document of queries and fragments only reads.
 */
export function isGraphqlMutation(query: unknown): boolean {
  if (typeof query !== 'string') return true;
  const keywords = definitionKeywords(query);
  if (!keywords?.length) return true;
  return !keywords.every((k) => k === 'query' || k === 'fragment' || k === '{');
}

/** Whether a request is a GraphQL query: a POST to `/graphql` (`/api/graphql` on GHES) that is no mutation. */
export function isGraphqlRead(method: string, url: string, query: unknown): boolean {
  if (method.toUpperCase() !== 'POST' || typeof query !== 'string') return false;
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/s, '');
  return /(?:^|\/)graphql$/.test(path) && !isGraphqlMutation(query);
}
