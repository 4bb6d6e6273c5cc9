// The deploy-config snippets of README.md, docs/*.md and examples/**/*.md, and how a snippet that shows only
// the part it documents is completed before it is loaded (test/unit/config/docs-snippets.test.ts says the
// rules; hostile-mappings.test.ts fuzzes every snippet so completed).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { repoRoot } from './cli.ts';

export interface Snippet {
  /** `docs/policy.md:8`: the file and the line of the block's first line. */
  where: string;
  text: string;
}

/** The fenced ```yaml / ```yml blocks of a Markdown text, with the line each starts on. */
export function yamlBlocks(markdown: string, file: string): Snippet[] {
  const blocks: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ya?ml)\b/.exec(lines[index]!);
    if (!open) continue;
    const [, indent, fence] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end++) {
      const line = lines[end]!;
      if (new RegExp(`^\\s*${fence![0]}{${fence!.length},}\\s*$`).test(line)) break;
      body.push(line.startsWith(indent!) ? line.slice(indent!.length) : line.trimStart());
    }
    blocks.push({ where: `${file}:${index + 2}`, text: body.join('\n') });
    index = end;
  }
  return blocks;
}

/** A GitHub Actions workflow, or the steps of one: not a deploy config. */
export function isWorkflow(text: string): boolean {
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) return true; // a list of steps (`- uses: org/deploy-action@v1`)
  const keys = doc.contents.items.map((pair) => String((pair.key as { value?: unknown }).value));
  return keys.includes('jobs') || keys.includes('on');
}

const STAND_IN_COMMANDS = {
  deploy: './deploy.sh -- {{version}}',
  switch: './route.sh',
  set_weight: './route.sh {{weight}}',
  health: './health.sh',
  teardown: './stop.sh',
};

/** The snippet with what it leaves out filled in (see the top of this file). Lines may move. */
export function completed(text: string): string {
  const doc = parseDocument(text);
  const data = (doc.toJS() ?? {}) as {
    target?: { commands?: Record<string, unknown> };
    strategies?: Record<string, unknown>;
    environments?: Record<string, { target?: unknown } | null>;
  };
  // A production environment using the strategy the snippet configures (a canary when it names none), so
  // that every variable a command uses has a value.
  const strategy = Object.keys(data.strategies ?? {})[0] ?? 'canary';
  if (data.environments === undefined) doc.set('environments', { production: { strategy } });
  const environments = Object.values(data.environments ?? { production: {} });
  if (data.target === undefined && environments.some((environment) => !environment?.target))
    doc.set('target', { commands: STAND_IN_COMMANDS });
  else if (data.target?.commands && typeof data.target.commands === 'object')
    for (const [name, command] of Object.entries(STAND_IN_COMMANDS))
      if (!(name in data.target.commands)) doc.setIn(['target', 'commands', name], command);
  return doc.toString();
}

/** README.md, the pages of docs/ and the Markdown files under examples/, as paths from the repository's root. */
export async function markdownFiles(): Promise<string[]> {
  const docs = (await readdir(join(repoRoot, 'docs'))).filter((name) => name.endsWith('.md'));
  const examples = (await readdir(join(repoRoot, 'examples'), { recursive: true })).filter((name) =>
    name.endsWith('.md'),
  );
  return ['README.md', ...docs.map((name) => `docs/${name}`), ...examples.map((name) => `examples/${name}`)];
}

export async function configSnippets(): Promise<Snippet[]> {
  const snippets: Snippet[] = [];
  for (const file of await markdownFiles()) {
    const text = await readFile(join(repoRoot, file), 'utf8');
    snippets.push(...yamlBlocks(text, file).filter((block) => !isWorkflow(block.text)));
  }
  return snippets;
}
