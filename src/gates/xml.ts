// XML reports (JUnit, Cobertura): well-formedness checked first, so a truncated report names where it breaks.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Attributes become plain keys; elements named in `arrays` are always arrays. Throws `fail(message)`. */
export function parseXmlReport(
  text: string,
  file: string,
  arrays: ReadonlySet<string>,
  fail: (message: string) => Error,
): unknown {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw fail(
      `${file}:${valid.err.line}:${valid.err.col}: not well-formed XML (truncated?): ${valid.err.msg}`,
    );
  }
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => arrays.has(name),
  }).parse(text);
}
