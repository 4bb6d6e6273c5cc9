// XML reports (JUnit, Cobertura): well-formedness checked first, so a truncated report names where it breaks.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * A DOCTYPE with an internal subset (`<!DOCTYPE x [ … ]>`): where entities are declared. No report tool
 * writes one; declared entities are how XML expands a few bytes into gigabytes (billion laughs), reads
 * files (external entities), or hides markup the parser would take as text (a `<failure/>` in an entity).
 * Only the prolog is looked at: a test's output in the body may quote any XML.
 */
const INTERNAL_SUBSET =
  /<!DOCTYPE\s+[^\s[>]+(?:\s+(?:SYSTEM\s+(?:"[^"]*"|'[^']*')|PUBLIC\s+(?:"[^"]*"|'[^']*')\s+(?:"[^"]*"|'[^']*')))?\s*\[/y;

/** Where the DOCTYPE would start: after the prolog's whitespace, processing instructions and comments. */
function afterProlog(text: string): number {
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    const close = text.startsWith('<?', at) ? '?>' : text.startsWith('<!--', at) ? '-->' : '';
    if (!close) return at;
    const end = text.indexOf(close, at);
    if (end < 0) return at;
    at = end + close.length;
  }
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
  const doctype = afterProlog(text);
  INTERNAL_SUBSET.lastIndex = doctype;
  if (INTERNAL_SUBSET.test(text)) {
    const line = text.slice(0, doctype).split('\n').length;
    throw fail(
      `${file}:${line}: declares a DTD internal subset (<!DOCTYPE … [ … ]>): entity declarations are not accepted in a report`,
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
