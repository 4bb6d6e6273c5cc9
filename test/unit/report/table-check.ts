// Checks that Markdown tables kept their shape: every row of a table has as many unescaped pipes as its
// header, and no row was split by a line break in a cell.
import assert from 'node:assert/strict';

/** Pipes not escaped by an odd run of backslashes. */
export function unescapedPipes(line: string): number {
  let count = 0;
  let backslashes = 0;
  for (const ch of line) {
    if (ch === '\\') backslashes++;
    else {
      if (ch === '|' && backslashes % 2 === 0) count++;
      backslashes = 0;
    }
  }
  return count;
}

/** Also fails when there is no table at all: a check over zero rows would prove nothing. */
export function assertTablesIntact(markdown: string): void {
  const lines = markdown.split('\n');
  let expected: number | undefined;
  let rows = 0;
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('|')) {
      expected = undefined;
      continue;
    }
    rows++;
    assert.ok(line.endsWith('|'), `table row ${i + 1} does not end with a pipe: ${line}`);
    const pipes = unescapedPipes(line);
    if (expected === undefined) expected = pipes;
    else
      assert.equal(
        pipes,
        expected,
        `table row ${i + 1} has ${pipes - 1} cells, not ${expected - 1}: ${line}`,
      );
  }
  assert.ok(rows > 0, `no table found in:\n${markdown}`);
}

/**
 * Markdown as it reads: the backslash escapes and the zero-width joiners (which break mentions, references
 * and autolinks) taken out, for assertions about the words.
 */
export function readable(markdown: string): string {
  return markdown.replaceAll('\u200D', '').replace(/\\([!-/:-@[-`{-~])/g, '$1');
}
