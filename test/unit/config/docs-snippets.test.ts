// Every `.github/deploy.yml` snippet in README.md, docs/*.md and examples/ loads with the real config loader,
// and so does every example config: docs that drift from the schema (a key renamed, a value no longer
// allowed) fail here instead of in a reader's first run.
//
// A ```yaml block is either a GitHub workflow (top-level `on` / `jobs`, or a list of steps), which is not a
// deploy config (its deploy-action steps may pass only the inputs action.yml declares), or a deploy config. A deploy-config snippet may show only the part it
// documents, written from the top level (`target: commands: ...`, not a bare `commands:`); what it leaves
// out is filled in before it is loaded: `environments` (a `production` with the snippet's strategy), a stand-in `target` for the
// environments that have none, and stand-in commands beside the ones a snippet's `target.commands` shows.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, parse, parseDocument } from 'yaml';
import { formatConfigError, type ConfigError } from '../../../src/config/errors.ts';
import { loadConfigFile, parseConfig } from '../../../src/config/load.ts';
import { deployConfig } from '../../../src/config/schema.ts';
import { repoRoot } from '../../helpers/cli.ts';
import {
  completed,
  configSnippets,
  isWorkflow,
  markdownFiles,
  yamlBlocks,
} from '../../helpers/doc-snippets.ts';

/**
 * An error in a snippet, at the block's first line: the filled-in text's own lines are not the block's, so
 * the field path says where in the block.
 */
function shown(where: string, error: ConfigError): string {
  return `${where}: ${formatConfigError({ ...error, file: '', line: 0 }).replace(/^: /, '')}`;
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
      'docs/x.md:4: environments.production.monitor: invalid duration "5 minutes" (write "5m"): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
  });

  it('workflow blocks are told apart from config snippets', () => {
    assert.equal(isWorkflow('on: deployment\njobs:\n  deploy:\n    runs-on: ubuntu-latest'), true);
    assert.equal(isWorkflow('- uses: org/deploy-action@v1\n  env: { A: b }'), true);
    assert.equal(isWorkflow('environments:\n  production: {}'), false);
  });
});

describe('workflow snippets in the docs', () => {
  it('every deploy-action step of a workflow block uses only inputs action.yml declares', async () => {
    const action = parse(await readFile(join(repoRoot, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const steps: Array<{ where: string; with: Record<string, unknown> }> = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) for (const item of node) walk(item, where);
      else if (node && typeof node === 'object') {
        const step = node as { uses?: unknown; with?: Record<string, unknown> };
        if (typeof step.uses === 'string' && /\/deploy-action@/.test(step.uses))
          steps.push({ where, with: step.with ?? {} });
        for (const value of Object.values(node)) walk(value, where);
      }
    };
    for (const file of await markdownFiles())
      for (const block of yamlBlocks(await readFile(join(repoRoot, file), 'utf8'), file))
        if (isWorkflow(block.text)) walk(parse(block.text), block.where);
    assert.ok(steps.length >= 5, `found ${steps.length} deploy-action steps`);
    const wrong = steps.flatMap((step) =>
      Object.keys(step.with)
        .filter((input) => !Object.hasOwn(action.inputs, input))
        .map((input) => `${step.where}: no input "${input}" in action.yml`),
    );
    assert.deepEqual(wrong, []);
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
