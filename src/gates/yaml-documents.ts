// YAML a gate reads (Kubernetes manifests, Liquibase changelogs), parsed with a cap on its nesting. The yaml
// library composes nested collections by recursion: a file nested a thousand levels deep (`[[[[…`, `- - - …`
// or a staircase of keys) ended as "YAML error: Maximum call stack size exceeded", after seconds of work on a
// large one, and a deeper stack or another library version could throw it instead. The parser's own stack is
// watched as the text is lexed, so such a file stops at its first level too deep, in milliseconds, named by
// its line and column.
import { Composer, Lexer, Parser, type Document, type LineCounter } from 'yaml';

/**
 * Levels of the parser's stack (a document, each block or flow collection and pair in it). Real manifests and
 * changelogs, CRDs with their OpenAPI schemas included, stay under 100; the library gives out near 1,000.
 */
export const MAX_YAML_DEPTH = 256;

export type YamlDocuments =
  { ok: true; documents: Document.Parsed[] } | { ok: false; line: number; column: number; message: string };

class TooDeep extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super('too deep');
    this.offset = offset;
  }
}

/** All documents of `text` (parseAllDocuments' result), or where it nests deeper than MAX_YAML_DEPTH. */
export function parseYamlDocuments(
  text: string,
  lineCounter: LineCounter,
  maxDepth = MAX_YAML_DEPTH,
): YamlDocuments {
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ lineCounter, prettyErrors: false });
  function* tokens() {
    lineCounter.addNewLine(0); // as Parser.parse() does at the start of its input
    let offset = 0;
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length > maxDepth) throw new TooDeep(offset);
      offset = parser.offset;
    }
    yield* parser.end();
  }
  try {
    return { ok: true, documents: Array.from(composer.compose(tokens())) };
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    const { line, col } = lineCounter.linePos(error.offset);
    return {
      ok: false,
      line,
      column: col,
      message: `nested more than ${maxDepth} levels deep here: no manifest or changelog is, so it is not read`,
    };
  }
}
