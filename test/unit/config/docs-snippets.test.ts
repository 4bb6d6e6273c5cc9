// Every `.github/deploy.yml` snippet in README.md, docs/*.md and examples/ loads with the real config loader,
// and so does every example config: docs that drift from the schema (a key renamed, a value no longer
// allowed) fail here instead of in a reader's first run.
//
// A ```yaml block is either a GitHub workflow (top-level `on` / `jobs`, or a list of steps), which is not a
// deploy config and is left alone, or a deploy config. A deploy-config snippet may show only the part it
// documents, written from the top level (`target: commands: ...`, not a bare `commands:`); what it leaves
// out is filled in before it is loaded: `environments` (a `production` with the snippet's strategy), a stand-in `target` for the
// environments that have none, and stand-in commands beside the ones a snippet's `target.commands` shows.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, parseDocument } from 'yaml';
import { formatConfigError, type ConfigError } from '../../../src/config/errors.ts';
import { loadConfigFile, parseConfig } from '../../../src/config/load.ts';
import { deployConfig } from '../../../src/config/schema.ts';
import { repoRoot } from '../../helpers/cli.ts';

interface Snippet {
  /** `docs/policy.md:8`: the file and the line of the block's first line. */
  where: string;
  text: string;
}

/** The fenced ```yaml / ```yml blocks of a Markdown text, with the line each starts on. */
function yamlBlocks(markdown: string, file: string): Snippet[] {
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
function isWorkflow(text: string): boolean {
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
function completed(text: string): string {
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

/**
 * An error in a snippet, at the block's first line: the filled-in text's own lines are not the block's, so
 * the field path says where in the block.
 */
function shown(where: string, error: ConfigError): string {
  return `${where}: ${formatConfigError({ ...error, file: '', line: 0 }).replace(/^: /, '')}`;
}

async function markdownFiles(): Promise<string[]> {
  const docs = (await readdir(join(repoRoot, 'docs'))).filter((name) => name.endsWith('.md'));
  const examples = (await readdir(join(repoRoot, 'examples'), { recursive: true })).filter((name) =>
    name.endsWith('.md'),
  );
  return ['README.md', ...docs.map((name) => `docs/${name}`), ...examples.map((name) => `examples/${name}`)];
}

async function configSnippets(): Promise<Snippet[]> {
  const snippets: Snippet[] = [];
  for (const file of await markdownFiles()) {
    const text = await readFile(join(repoRoot, file), 'utf8');
    snippets.push(...yamlBlocks(text, file).filter((block) => !isWorkflow(block.text)));
  }
  return snippets;
}

describe('config snippets in the docs', () => {
  it('finds the snippets: README’s minimal file and the docs’ sections', async () => {
    const where = (await configSnippets()).map((snippet) => snippet.where.replace(/:\d+$/, ''));
    for (const file of ['README.md', 'docs/analysis.md', 'docs/policy.md', 'docs/notifications.md'])
      assert.ok(where.includes(file), `no deploy-config snippet found in ${file}`);
  });

  it('every snippet is written from the top level, with keys the config has', async () => {
    const topLevel = Object.keys(deployConfig.shape);
    const wrong: string[] = [];
    for (const { where, text } of await configSnippets()) {
      const contents = parseDocument(text).contents;
      const keys = isMap(contents)
        ? contents.items.map((pair) => String((pair.key as { value?: unknown }).value))
        : [];
      for (const key of keys.filter((key) => !topLevel.includes(key)))
        wrong.push(`${where}: "${key}" is not a top-level key (${topLevel.join(', ')})`);
    }
    assert.deepEqual(wrong, []);
  });

  it('every snippet loads with the config loader', async () => {
    const failures: string[] = [];
    for (const { where, text } of await configSnippets()) {
      const result = parseConfig(completed(text), where);
      if (!result.ok) failures.push(...result.errors.map((error) => shown(where, error)));
    }
    assert.deepEqual(failures, []);
  });

  it('a snippet that drifted from the schema is caught, with its place in the docs', () => {
    const [snippet] = yamlBlocks(
      '# Title\n\n```yaml\nenvironments:\n  production:\n    strategy: { type: canary, steps: [5, 10, 100] }\n    monitor: 5 minutes\n```\n',
      'docs/x.md',
    );
    assert.deepEqual(snippet, {
      where: 'docs/x.md:4',
      text: 'environments:\n  production:\n    strategy: { type: canary, steps: [5, 10, 100] }\n    monitor: 5 minutes',
    });
    const result = parseConfig(completed(snippet!.text), snippet!.where);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.errors.map((error) => shown(snippet!.where, error)), [
      'docs/x.md:4: environments.production.monitor: invalid duration "5 minutes" (write "5m"): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h"), or 0',
    ]);
  });

  it('workflow blocks are told apart from config snippets', () => {
    assert.equal(isWorkflow('on: deployment\njobs:\n  deploy:\n    runs-on: ubuntu-latest'), true);
    assert.equal(isWorkflow('- uses: org/deploy-action@v1\n  env: { A: b }'), true);
    assert.equal(isWorkflow('environments:\n  production: {}'), false);
  });
});

describe('example configs', () => {
  it('every .yml under examples/ loads with the config loader', async () => {
    const files = (await readdir(join(repoRoot, 'examples'), { recursive: true }))
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => join(repoRoot, 'examples', name));
    assert.ok(files.length > 0, 'examples/ has config files');
    for (const file of files)
      await assert.doesNotReject(loadConfigFile(file), `${relative(repoRoot, file)} does not load`);
  });
});
