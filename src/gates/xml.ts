// XML reports (JUnit, Cobertura): well-formedness checked first, so a truncated report names where it breaks.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Where a DOCTYPE with an internal subset (`<!DOCTYPE x [ … ]>`) starts, as the parser reads the document:
 * where entities are declared. No report tool writes one; declared entities are how XML expands a few bytes
 * into gigabytes (billion laughs), reads files (external entities), or hides markup the parser would take as
 * text (a `<failure/>` in an entity).
 *
 * The parser reads a DOCTYPE wherever its main loop meets `<!D` (after the root element, or inside it, too),
 * and takes any `[` before the declaration's end (outside a quoted identifier) as the start of its subset,
 * whatever precedes it (`SYSTEM"x"[`, `PUBLIC "x"[`, a keyword it does not know): a check of the prolog for
 * the well-formed forms only let those through, and their entities were expanded. So the document is walked
 * as the parser walks it: comments, CDATA sections and processing instructions are skipped (a test's output
 * there may quote any XML), and a tag to its `>` outside quoted attribute values (where `<` is read too).
 */
function internalSubsetAt(text: string): number | undefined {
  for (const markup of walkMarkup(text)) if (markup.kind === 'subset') return markup.at;
  return undefined;
}

type Markup =
  | { kind: 'start'; at: number; name: string; selfClosing: boolean }
  | { kind: 'end'; at: number }
  /** A DOCTYPE the parser would read an internal subset in; the walk stops there. */
  | { kind: 'subset'; at: number };

/**
 * The document's tags in order, walked as the parser walks it: comments, CDATA sections, processing
 * instructions and DOCTYPEs are skipped (no elements; a test's output there may quote any XML), and a tag runs
 * to its `>` outside quoted attribute values (where `<` is read too). Ends at a markup that never closes.
 */
function* walkMarkup(text: string): Generator<Markup> {
  let at = text.indexOf('<');
  while (at >= 0 && at < text.length) {
    let next: number;
    if (text.startsWith('<!--', at)) next = text.indexOf('-->', at + 4);
    else if (text.startsWith('<![', at)) next = text.indexOf(']]>', at + 3);
    else if (text.startsWith('<?', at)) next = text.indexOf('?>', at + 2);
    else if (text.startsWith('<!D', at)) {
      const end = doctypeEnd(text, at);
      if (end === 'subset') {
        yield { kind: 'subset', at };
        return;
      }
      next = end;
    } else if (text.startsWith('<!', at)) {
      // A declaration the validator lets through outside a DOCTYPE would be none of the elements.
      next = tagEnd(text, at);
    } else {
      next = tagEnd(text, at);
      if (text[at + 1] === '/') yield { kind: 'end', at };
      else {
        const name = /^<([^\s/>]*)/.exec(text.slice(at, at + 200))![1]!;
        yield { kind: 'start', at, name, selfClosing: next >= 0 && text[next - 1] === '/' };
      }
    }
    if (next < 0) return;
    at = text.indexOf('<', next + 1);
  }
}

/**
 * Where the DOCTYPE at `at` ends, or 'subset' when the parser would read an internal subset in it: its
 * DocTypeReader's walk (quotes count only before the subset; a comment's `>` ends nothing but the comment).
 */
function doctypeEnd(text: string, at: number): number | 'subset' {
  let depth = 1;
  let comment = false;
  let quote = '';
  for (let i = at + 9; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (!comment && (c === '"' || c === "'")) quote = c;
    else if (c === '[') return 'subset';
    else if (c === '<' && !comment) {
      comment = text.startsWith('!--', i + 1);
      depth++;
    } else if (c === '>') {
      if (!comment) depth--;
      else if (text[i - 1] === '-' && text[i - 2] === '-') {
        comment = false;
        depth--;
      }
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Where the tag at `at` ends: its `>` outside quoted attribute values. */
function tagEnd(text: string, at: number): number {
  let quote = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/** How deep an element may be nested (the root is level 1). No test or coverage report nests past ten. */
const MAX_XML_DEPTH = 100;

/**
 * Each start tag of a well-formed document in order, with where it begins, its name and its level (the root is
 * 1), until `found` returns true; that tag's place is returned (walkMarkup); every end tag closes the innermost
 * element.
 */
function findStartTag(
  text: string,
  found: (name: string, level: number) => boolean,
): { at: number; name: string } | undefined {
  let depth = 0;
  for (const markup of walkMarkup(text)) {
    if (markup.kind === 'end') depth--;
    else if (markup.kind === 'start') {
      if (found(markup.name, depth + 1)) return markup;
      if (!markup.selfClosing) depth++;
    }
  }
  return undefined;
}

/**
 * Where (`line:column`) the first element named `name` starts, or undefined when no element has that name (a
 * key of the parsed document that is an attribute).
 */
export function elementWhere(text: string, name: string): string | undefined {
  const tag = findStartTag(text, (found) => found === name);
  return tag && lineAndColumn(text, tag.at);
}

/**
 * Where (`line:column`) the start tag of the `index`-th element named `name` (from 0, in document order)
 * begins, and the tag's text, for a caller to check it is the element it means; undefined when there is none.
 */
export function nthElementWhere(
  text: string,
  name: string,
  index: number,
): { where: string; tag: string } | undefined {
  let seen = 0;
  const tag = findStartTag(text, (found) => found === name && seen++ === index);
  if (!tag) return undefined;
  const end = tagEnd(text, tag.at);
  return { where: lineAndColumn(text, tag.at), tag: text.slice(tag.at, end < 0 ? undefined : end + 1) };
}

/** The attributes of a start tag's text (nthElementWhere's `tag`), their entities decoded as the report's. */
export function tagAttributes(tag: string): Record<string, unknown> | undefined {
  const name = /^<([^\s/>]+)/.exec(tag)?.[1];
  if (name === undefined) return undefined;
  try {
    const element = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      htmlEntities: true,
    }).parse(tag.endsWith('/>') ? tag : `${tag}</${name}>`) as Record<string, unknown>;
    const attributes = element[name];
    return attributes && typeof attributes === 'object' ? (attributes as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
}

/** `at`'s line and column, from 1 (a column counts UTF-16 units, as the validator's do). */
function lineAndColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  return `${before.split('\n').length}:${at - lineStart + 1}`;
}

/**
 * The key under which an element named in parseXmlReport's `ordered` gets its place in the document (0, 1,
 * …, counted over those elements only). Not an XML name, so no attribute of the report can take it.
 */
export const DOCUMENT_ORDER = '#order';

/**
 * Attributes become plain keys; elements named in `arrays` are always arrays. Throws `fail(message)`.
 * Elements of one name are grouped under it, which loses the order between elements of different names:
 * those named in `ordered` keep it as a number under DOCUMENT_ORDER.
 */
export function parseXmlReport(
  text: string,
  file: string,
  arrays: ReadonlySet<string>,
  fail: (message: string) => Error,
  ordered: ReadonlySet<string> = new Set(),
): unknown {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw fail(
      `${file}:${valid.err.line}:${valid.err.col ?? 1}: not well-formed XML (truncated?): ${valid.err.msg}`,
    );
  }
  const doctype = internalSubsetAt(text);
  if (doctype !== undefined) {
    const line = text.slice(0, doctype).split('\n').length;
    throw fail(
      `${file}:${line}: declares a DTD internal subset (<!DOCTYPE … [ … ]>): entity declarations are not accepted in a report`,
    );
  }
  // The parser refused this only as "Maximum nested tags exceeded", never saying where.
  const deep = findStartTag(text, (_name, level) => level > MAX_XML_DEPTH);
  if (deep) {
    throw fail(
      `${file}:${lineAndColumn(text, deep.at)}: <${deep.name}> is nested more than ${MAX_XML_DEPTH} elements deep: ` +
        'a report is not read past that depth (no test or coverage report nests so deep)',
    );
  }
  let place = 0;
  try {
    return new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      // Character references (&#10;, &#xA;) are XML itself: Surefire, go-junit-report and others write a
      // message's line breaks and tabs so, which were shown as "&#xA;" in findings. The parser decodes them
      // only with htmlEntities (which also reads HTML's named ones, &nbsp;, harmlessly); a DTD's own entities
      // are refused above and never expanded.
      htmlEntities: true,
      // Refused above, where the element is named; the parser's own limit stays a net behind it.
      maxNestedTags: MAX_XML_DEPTH + 10,
      isArray: (name) => arrays.has(name),
      // Called as each start tag is read, in document order; `attrs` is the element's own (documented as
      // the way to change them), so an element without attributes gets one too.
      updateTag: (name, _path, attrs) => {
        if (ordered.has(name)) attrs[DOCUMENT_ORDER] = String(place++);
        return true;
      },
    }).parse(text);
  } catch (error) {
    // The parser's own limits (nesting depth, reserved names such as __proto__): the report is refused.
    throw fail(`${file}: cannot be read as XML: ${(error as Error).message}`);
  }
}
