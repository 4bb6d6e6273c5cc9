// Renders a job summary's Markdown as GitHub shows it, in headless Chromium: marked (GFM) with
// github-markdown-css at GitHub's content column width, and every ```mermaid block drawn by mermaid's
// browser bundle loaded from node_modules (no network). Returns what a test asserts on (each chart's SVG
// facts, each table's overflow) and writes a PNG to look at. One browser per test file: open once, render
// many, close.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from './cli.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The width of the Markdown column of a GitHub job summary (the repository file view uses the same). */
export const GITHUB_COLUMN_PX = 1012;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderedChart {
  /** The mermaid source of the block. */
  source: string;
  /** mermaid's error message when it could not draw the block (then there is no SVG). */
  error?: string;
  title: string;
  titleBox: Box;
  /** Per line series (in order): the distinct y positions its path passes through. */
  lines: Array<{ ys: number[]; points: number }>;
  /** The x-axis labels with text and bounding box (empty texts left out). */
  xLabels: Array<{ text: string; box: Box }>;
  yLabels: Array<{ text: string; box: Box }>;
  svgBox: Box;
}

export interface RenderedTable {
  header: string[];
  rows: number;
  /** scrollWidth > clientWidth: the table scrolls sideways in GitHub's column. */
  overflows: boolean;
  width: number;
}

export interface RenderedSummary {
  png: string;
  charts: RenderedChart[];
  tables: RenderedTable[];
  /** The width of the Markdown column the page was laid out in. */
  columnWidth: number;
  /** Text of the page (for assertions on what a reader sees). */
  text: string;
}

export interface SummaryRenderer {
  render(markdown: string, name: string): Promise<RenderedSummary>;
  close(): Promise<void>;
}

const css = () =>
  readFileSync(join(repoRoot, 'node_modules/github-markdown-css/github-markdown-light.css'), 'utf8');
const MERMAID = join(repoRoot, 'node_modules/mermaid/dist/mermaid.min.js');

const SHELL = () => `<!doctype html><html><head><meta charset="utf-8"><style>${css()}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: content-box; width: ${GITHUB_COLUMN_PX}px; padding: 16px; }
</style></head><body><article class="markdown-body"></article></body></html>`;

// Runs in the page (a string, so the Node typings need no DOM): draws each mermaid block in place and
// measures what the tests check. The SVG's text boxes are in page pixels (getBoundingClientRect).
const DRAW_AND_MEASURE = `(async (html) => {
  document.querySelector('.markdown-body').innerHTML = html;
  if (!window.__mermaidReady) {
    mermaid.initialize({ startOnLoad: false, theme: 'default', securityLevel: 'strict' });
    window.__mermaidReady = true;
    window.__chartId = 0;
  }
  const box = (r) => ({ x: r.x, y: r.y, width: r.width, height: r.height });
  const charts = [];
  for (const code of [...document.querySelectorAll('pre > code.language-mermaid')]) {
    const source = code.textContent;
    const pre = code.parentElement;
    const holder = document.createElement('div');
    holder.className = 'mermaid-chart';
    pre.replaceWith(holder);
    try {
      const { svg } = await mermaid.render('chart' + window.__chartId++, source);
      holder.innerHTML = svg;
    } catch (error) {
      holder.textContent = 'mermaid error: ' + (error && error.message ? error.message : String(error));
      charts.push({ source, error: String(error && error.message ? error.message : error), title: '', titleBox: { x: 0, y: 0, width: 0, height: 0 }, lines: [], xLabels: [], yLabels: [], svgBox: { x: 0, y: 0, width: 0, height: 0 } });
      continue;
    }
    const svg = holder.querySelector('svg');
    const texts = (sel) => [...svg.querySelectorAll(sel + ' text')]
      .map((t) => ({ text: t.textContent, box: box(t.getBoundingClientRect()) }))
      .filter((t) => t.text.trim() !== '' && t.text.replace(/\\u200b/g, '') !== '');
    const lines = [...svg.querySelectorAll('g.plot > g[class^="line-plot-"] > path')].map((p) => {
      const d = p.getAttribute('d') || '';
      const ys = [...d.matchAll(/[ML]\\s*(-?[\\d.]+)[ ,](-?[\\d.]+)/g)].map((m) => Math.round(Number(m[2]) * 10) / 10);
      return { ys: [...new Set(ys)], points: ys.length };
    });
    charts.push({
      source,
      error: svg.querySelector('.error-text') ? svg.textContent : undefined,
      title: [...svg.querySelectorAll('g.chart-title text')].map((t) => t.textContent).join(' '),
      titleBox: box((svg.querySelector('g.chart-title text') || svg).getBoundingClientRect()),
      lines,
      xLabels: texts('g.bottom-axis g.label'),
      yLabels: texts('g.left-axis g.label'),
      svgBox: box(svg.getBoundingClientRect()),
    });
  }
  const tables = [...document.querySelectorAll('.markdown-body table')].map((t) => ({
    header: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    rows: t.querySelectorAll('tbody tr').length,
    overflows: t.scrollWidth > t.clientWidth + 1,
    width: t.getBoundingClientRect().width,
  }));
  const article = document.querySelector('.markdown-body');
  return { charts, tables, columnWidth: article.clientWidth, text: article.innerText };
})`;

/**
 * Launches one headless Chromium with one page that has loaded mermaid's bundle (parsing it is most of the
 * cost); each render replaces the page's Markdown. `dir` receives the PNGs.
 */
export async function openSummaryRenderer(dir: string): Promise<SummaryRenderer> {
  mkdirSync(dir, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({
      viewport: { width: GITHUB_COLUMN_PX + 32, height: 800 },
      offline: true,
    });
    const tab = await context.newPage();
    // Nothing may come from the network: mermaid is the local bundle, the CSS is inline.
    await tab.route('**/*', (route) => route.abort());
    await tab.setContent(SHELL());
    await tab.addScriptTag({ path: MERMAID });
    return {
      async render(markdown, name) {
        const html = marked.parse(markdown, { gfm: true, async: false });
        const measured = (await tab.evaluate(`${DRAW_AND_MEASURE}(${JSON.stringify(html)})`)) as Omit<
          RenderedSummary,
          'png'
        >;
        const png = join(dir, `${name}.png`);
        await tab.screenshot({ path: png, fullPage: true });
        return { png, ...measured };
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Pairs of boxes that overlap by more than a pixel each way (labels drawn over each other). */
export function overlaps(boxes: Array<{ text: string; box: Box }>): Array<[string, string]> {
  const hits: Array<[string, string]> = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!.box;
      const b = boxes[j]!.box;
      const dx = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (dx > 1 && dy > 1) hits.push([boxes[i]!.text, boxes[j]!.text]);
    }
  return hits;
}
