// Every relative link in README.md, docs/*.md and examples/ resolves: the file exists, and an anchor
// (`#the-review-gate-on-a-pull-request`) is a heading of that file, as GitHub makes its anchors.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/cli.ts';

/** The text outside fenced blocks, where a `](...)` is a link. */
const prose = (markdown: string) => markdown.replace(/^(`{3,}|~{3,})[^]*?^\1/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes; repeats get -1, -2. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = heading!
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base);
    seen.set(base, (count ?? -1) + 1);
    out.add(count === undefined ? base : `${base}-${count + 1}`);
  }
  for (const [, name] of markdown.matchAll(/<a (?:name|id)="([^"]+)"/g)) out.add(name!);
  return out;
}

async function markdownFiles(): Promise<string[]> {
  const docs = (await readdir(join(repoRoot, 'docs'))).filter((name) => name.endsWith('.md'));
  const examples = (await readdir(join(repoRoot, 'examples'), { recursive: true })).filter((name) =>
    name.endsWith('.md'),
  );
  return ['README.md', ...docs.map((name) => `docs/${name}`), ...examples.map((name) => `examples/${name}`)];
}

test('every relative link in the docs resolves, anchors included', async () => {
  const broken: string[] = [];
  let links = 0;
  for (const file of await markdownFiles()) {
    const text = await readFile(join(repoRoot, file), 'utf8');
    for (const [, link] of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z]+:/i.test(link!)) continue; // https:, mailto:
      links++;
      const [path, anchor] = link!.split('#');
      const target = path ? normalize(join(dirname(file), path)) : file;
      if (!existsSync(join(repoRoot, target))) broken.push(`${file}: ${link} (no ${target})`);
      else if (anchor && target.endsWith('.md')) {
        const headings = anchors(await readFile(join(repoRoot, target), 'utf8'));
        if (!headings.has(anchor)) broken.push(`${file}: ${link} (no heading #${anchor} in ${target})`);
      }
    }
  }
  assert.ok(links > 10, `found ${links} links`);
  assert.deepEqual(broken, []);
});

test('anchors are made as GitHub makes them', () => {
  assert.deepEqual(
    [...anchors('# A: b\n## The `review` gate, on a PR\n```md\n# not a heading\n```\n## A: b\n')],
    ['a-b', 'the-review-gate-on-a-pr', 'a-b-1'],
  );
});
