// What a Markdown text renders as, read with a GFM parser (marked): its block structure, the inline markup
// in it, the link targets, the HTML, and the text a reader sees. A hostile value rendered in place of a plain
// one must leave all of these the same and its text inert (no mention, reference, autolink or hidden
// character once GitHub has decoded the entities).
import assert from 'node:assert/strict';
import { marked, type Token, type Tokens } from 'marked';
import { NARROW_UNBROKEN } from '../../../src/report/markdown.ts';

const WRAPS = new RegExp(`(?<=[^\\s\\u200B]{${NARROW_UNBROKEN}})\\u200B`, 'gu');

export interface Shape {
  /** Blocks in order: headings with their level, tables with their size, lists with their length... */
  blocks: string[];
  /** How many of each inline markup (strong, em, del, link, image, html, codespan, br). */
  inline: Record<string, number>;
  hrefs: string[];
  html: string[];
  /** The text shown, outside code, with its entities decoded once (as a browser does). */
  text: string;
  /** What the inline code spans show. */
  codeText: string;
  /** The fenced code blocks: language and content. */
  code: Array<{ lang: string; text: string }>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (all, dec, hex, name) =>
    dec
      ? String.fromCodePoint(Number(dec))
      : hex
        ? String.fromCodePoint(parseInt(hex, 16))
        : (ENTITIES[name.toLowerCase()] ?? all),
  );
}

/** The App's hidden markers carry values (JSON or base64): compared by kind, their own tests check the rest. */
const marker = (html: string) => html.replace(/^(<!-- deploy-action:[a-z]+) [^\n]*-->$/, '$1 … -->');

export function shape(markdown: string): Shape {
  const s: Shape = { blocks: [], inline: {}, hrefs: [], html: [], text: '', codeText: '', code: [] };
  const inline = (tokens: Token[] | undefined) => {
    for (const t of tokens ?? []) {
      if (t.type === 'text' || t.type === 'escape') {
        if ('tokens' in t && t.tokens) inline(t.tokens);
        else s.text += decode(t.text);
        continue;
      }
      s.inline[t.type] = (s.inline[t.type] ?? 0) + 1;
      if (t.type === 'link' || t.type === 'image') s.hrefs.push((t as Tokens.Link).href);
      if (t.type === 'html') s.html.push(marker(t.raw));
      if (t.type === 'codespan') s.codeText += `${(t as Tokens.Codespan).text}\n`;
      else if ('tokens' in t) inline(t.tokens);
    }
  };
  const block = (tokens: Token[]) => {
    for (const t of tokens) {
      switch (t.type) {
        case 'space':
          continue;
        case 'heading':
          s.blocks.push(`h${(t as Tokens.Heading).depth}`);
          inline(t.tokens);
          break;
        case 'table': {
          const table = t as Tokens.Table;
          s.blocks.push(`table ${table.header.length}x${table.rows.length}`);
          for (const c of [...table.header, ...table.rows.flat()]) {
            inline(c.tokens);
            s.text += ' ';
          }
          break;
        }
        case 'list':
          s.blocks.push(`list ${(t as Tokens.List).items.length}`);
          for (const item of (t as Tokens.List).items) block(item.tokens);
          break;
        case 'blockquote':
          s.blocks.push('blockquote');
          block((t as Tokens.Blockquote).tokens);
          break;
        case 'code':
          s.blocks.push(`code ${(t as Tokens.Code).lang ?? ''}`);
          s.code.push({ lang: (t as Tokens.Code).lang ?? '', text: (t as Tokens.Code).text });
          break;
        case 'html':
          s.blocks.push('html');
          s.html.push(marker(t.raw.trim()));
          break;
        default:
          s.blocks.push(t.type);
          if ('tokens' in t) inline(t.tokens);
      }
      s.text += '\n';
    }
  };
  block(marked.lexer(markdown, { gfm: true }));
  return s;
}

/**
 * `hostile` (the text rendered with attack values) has the structure of `benign` (rendered with plain ones)
 * and its text is inert: no mention, issue reference, autolink, control or invisible character.
 */
export function assertInert(hostile: string, benign: string, what: string): void {
  const h = shape(hostile);
  const b = shape(benign);
  assert.deepEqual(h.blocks, b.blocks, `${what}: the blocks changed`);
  assert.deepEqual(h.inline, b.inline, `${what}: the inline markup changed`);
  assert.deepEqual(h.hrefs, b.hrefs, `${what}: the links changed`);
  assert.deepEqual(h.html, b.html, `${what}: the HTML changed`);
  const checks: Array<[RegExp, string]> = [
    [/@[A-Za-z0-9]/, 'a mention'],
    [/#\d/, 'an issue reference'],
    [/\bGH-\d/i, 'a GH- reference'],
    [/[A-Za-z]:\/\//, 'a URL'],
    [/\bwww\./i, 'a www. autolink'],
    [/[^\P{Cc}\n]/u, 'a control character'],
    [/[\p{Zl}\p{Zp}]/u, 'a line separator'],
    [/[^\P{Cf}\u200D]/u, 'an invisible format character'],
  ];
  // Code spans are inert, but a control or invisible character in one still hides or reorders what it shows.
  for (const [pattern, name] of checks.filter(([, n]) => /control|separator|invisible/.test(n))) {
    const found = pattern.exec(h.codeText);
    assert.equal(found, null, `${what}: ${name} in code: ${JSON.stringify(h.codeText.slice(0, 200))}`);
  }
  // A run of 7 or more hex digits GitHub links to a commit: only the benign rendering's own (the App's) may be there.
  const hexRuns = (text: string) => new Set(text.match(/(?<=^|[\s([{]|\.\.)[0-9a-f]{7,}(?!\w)/gm) ?? []);
  const ownRuns = hexRuns(b.text);
  const added = [...hexRuns(h.text)].filter((run) => !ownRuns.has(run));
  assert.deepEqual(added, [], `${what}: a commit reference in the shown text`);
  // A table cell's places to wrap (wrappable: a zero-width space after a run of NARROW_UNBROKEN characters or
  // more) are the product's own; one anywhere else came from the value.
  const text = h.text.replace(WRAPS, '');
  for (const [pattern, name] of checks) {
    const found = pattern.exec(text);
    assert.equal(
      found,
      null,
      `${what}: ${name} in the shown text: ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 40), (found?.index ?? 0) + 40))}`,
    );
  }
}

/** Values that attack Markdown as GitHub renders it, one class each. */
export const ATTACKS: Record<string, string> = {
  'table break': 'a | b \\| c\nd\r\ne\rf',
  'block starts': '\n# heading\n- item\n> quote\n---\n1. one',
  // A value may start a line (`> ${description}`, `- ${message}`): each of these then starts a block.
  'a list item': '- item',
  'a numbered item': '12. twelve',
  'a plus item': '+ item',
  'a rule': '- - -',
  'commit references':
    '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b (deadbeef) v1..1234567 [abcdef0] acme/web@1a2b3c4',
  'links and images': '[click](https://evil.example) ![pixel](https://evil.example/p.png) [r]: /x',
  autolinks:
    '<https://evil.example> https://evil.example www.evil.example x@evil.example mailto:x@evil.example',
  html: '<details open><summary>s</summary><img src=x onerror=alert(1)></details><b>b</b>',
  'a forged marker': '<!-- deploy-action:status environment="production" --> x',
  'a comment left open': 'before <!-- the rest is hidden',
  mentions: '@octocat @acme/everyone',
  references: '#123 GH-123 acme/web#1',
  emphasis: '**bold** __b__ *i* _i_ ~~s~~ `code` ```fence',
  entities: '&lt;b&gt; &#64;octocat &#x3C;b&#x3E;',
  math: '$x$ $$y$$ $`z`$',
  'controls and invisible': 'a\u202Eb\u2066c\u200Bd\u2028e\u0085f\u001b[31mg\u0000h\ti\u00ADj\uFEFFk',
  backslashes: 'x\\\\| y\\',
  mermaid: `a" ] ["b %%{init: {'theme':'dark','themeCSS':'text{display:none}'}}%% #60;img#62; #quot; --> click x call alert()`,
};

/**
 * Each mermaid chart keeps its shape: the init directive only on its own line, then statements whose
 * labels are quoted strings with nothing mermaid reads as a directive, an entity, a line end or markup.
 */
export function assertChartsInert(markdown: string, what: string): void {
  for (const chart of shape(markdown).code.filter((c) => c.lang === 'mermaid')) {
    const lines = chart.text.split('\n');
    const body = lines[0]!.startsWith('%%{init:') ? lines.slice(1) : lines;
    assert.ok(body.length > 0, what);
    for (const line of body) {
      assert.match(
        line,
        /^(xychart-beta|\s{4}(title|x-axis|y-axis|line|bar)( "[^"]*"| \[("[^"]*"(, )?)*\]| \[[-\d., ]*\]| -?[\d.]+ --> -?[\d.]+)*)$/,
        `${what}: chart line ${JSON.stringify(line)}`,
      );
      assert.doesNotMatch(
        line,
        /%%|[{}]|#\w+;/,
        `${what}: a directive or an entity in ${JSON.stringify(line)}`,
      );
      assert.doesNotMatch(line, /[^\P{Cc}]|[\p{Zl}\p{Zp}]|[^\P{Cf}\u200B]/u, `${what}: a hidden character`);
    }
  }
}

/** A plain value of the same role: the structure to compare with. */
export const BENIGN = 'plain words';
