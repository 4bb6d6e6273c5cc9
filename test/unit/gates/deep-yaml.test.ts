// A manifest or changelog nested far deeper than any real one (`[[[[…`, `- - - …`, a staircase of keys) is
// refused at its first level too deep, naming the line and column, instead of ending in the YAML library's
// "Maximum call stack size exceeded" after seconds of work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter } from 'yaml';
import { findYamlChangelogRisks } from '../../../src/gates/changelog-yaml-risks.ts';
import { checkManifest } from '../../../src/gates/infrastructure.ts';
import { MAX_YAML_DEPTH, parseYamlDocuments } from '../../../src/gates/yaml-documents.ts';

const KUBERNETES = { manifests: 'k8s/*.yaml' };
const DEEP = 100_000;

/** Texts nested `depth` levels deep in each way YAML nests, below a valid start. */
function nested(depth: number): Array<[string, string]> {
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: ';
  return [
    ['flow sequences', `${head}${'['.repeat(depth)}${']'.repeat(depth)}\n`],
    ['flow mappings', `${head}${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`],
    ['block sequences', `${head}\n${'- '.repeat(depth)}x\n`],
    [
      'block mappings',
      `${head}\n${Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${' '.repeat(i + 4)}k:`).join('\n')} 1\n`,
    ],
  ];
}

test('a Kubernetes manifest nested 100 000 levels deep is one clear finding at the line where it gets too deep', () => {
  for (const [kind, text] of nested(DEEP)) {
    const findings = checkManifest('k8s/deep.yaml', text, KUBERNETES);
    assert.equal(findings.length, 1, kind);
    const [finding] = findings;
    assert.equal(finding!.rule, 'infrastructure.yaml-error', kind);
    assert.equal(finding!.path, 'k8s/deep.yaml', kind);
    assert.match(finding!.message, /nested more than 256 levels deep here/, kind);
    assert.doesNotMatch(finding!.message, /call stack/i, kind);
    assert.ok(finding!.line !== undefined && finding!.line >= 6, `${kind}: line ${finding!.line}`);
  }
});

test('a Liquibase YAML or JSON changelog nested too deep is refused, naming the line', () => {
  for (const text of [
    `databaseChangeLog: ${'['.repeat(DEEP)}${']'.repeat(DEEP)}\n`,
    `{"databaseChangeLog": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`,
  ]) {
    const result = findYamlChangelogRisks(text);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.message : '', /^line 1: nested more than 256 levels deep here/);
  }
});

test('nesting up to the cap reads as before; one level more is refused', () => {
  // Each flow level is one level of the parser's stack, below the document and the top mapping's pair.
  const flow = (depth: number) => `x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  const under = parseYamlDocuments(flow(MAX_YAML_DEPTH - 4), new LineCounter());
  assert.ok(under.ok);
  assert.equal(under.documents.length, 1);
  assert.deepEqual(under.documents[0]!.errors, []);
  const over = parseYamlDocuments(flow(MAX_YAML_DEPTH + 1), new LineCounter());
  assert.equal(over.ok, false);
  // Real manifests (several documents, a List, comments) read as parseAllDocuments reads them.
  const manifest =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\n# only a comment\n---\nkind: List\nitems: [{a: 1}]\n';
  const read = parseYamlDocuments(manifest, new LineCounter());
  assert.ok(read.ok);
  assert.deepEqual(
    read.documents.map((document) => document.toJS()),
    [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }, null, { kind: 'List', items: [{ a: 1 }] }],
  );
});
