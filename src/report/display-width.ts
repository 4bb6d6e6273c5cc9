// Widths as a terminal shows them, for the terminal summary's tables: a CJK character or an emoji takes two
// columns, a combining mark none. Counted in UTF-16 units, a name in Japanese pushed every column after it
// out of line.
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` within `width` columns, cut on a whole character (grapheme) with `…` when it is wider. */
export function fitColumns(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return `${kept}…`;
}

/** `text` fitted to `width` columns and padded with spaces to them, after (`left`) or before (`right`). */
export function padColumns(text: string, width: number, align: 'left' | 'right'): string {
  const fitted = fitColumns(text, width);
  const pad = ' '.repeat(Math.max(0, width - displayWidth(fitted)));
  return align === 'left' ? fitted + pad : pad + fitted;
}
