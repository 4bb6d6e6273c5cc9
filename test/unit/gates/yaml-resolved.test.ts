// Manifest YAML read through aliases and merge keys, as Kubernetes' YAML reader resolves them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter } from 'yaml';
import { parseYamlDocuments } from '../../../src/gates/yaml-documents.ts';
import { resolvedYaml } from '../../../src/gates/yaml-resolved.ts';

function first(text: string) {
  const parsed = parseYamlDocuments(text, new LineCounter());
  assert.ok(parsed.ok);
  const document = parsed.documents[0]!;
  return { yaml: resolvedYaml(document), root: document.contents };
}

test('an own key wins over merged ones; the first merged map wins over the later ones', () => {
  const { yaml, root } = first(`
base: &base { a: 1, b: 1, c: 1 }
other: &other { b: 2, d: 2 }
x:
  <<: [*other, *base]
  a: 3
`);
  assert.equal(yaml.valueAt(root, ['x', 'a']), 3);
  assert.equal(yaml.valueAt(root, ['x', 'b']), 2);
  assert.equal(yaml.valueAt(root, ['x', 'c']), 1);
  assert.equal(yaml.valueAt(root, ['x', 'e']), undefined);
  assert.equal(yaml.hasAt(root, ['x', 'd']), true);
  assert.equal(yaml.hasAt(root, ['x', '<<']), false);
});

test('a key without a value is there; an alias is followed at every step of a path', () => {
  const { yaml, root } = first(`
probe: &probe { httpGet: { port: &port 80 } }
c: { readinessProbe: *probe, empty: }
port: *port
`);
  assert.equal(yaml.hasAt(root, ['c', 'empty']), true);
  assert.equal(yaml.valueAt(root, ['c', 'readinessProbe', 'httpGet', 'port']), 80);
  assert.equal(yaml.valueAt(root, ['port']), 80);
});

test('a mapping that merges itself, or one merged twice, ends', () => {
  const { yaml, root } = first(`
m: &m
  name: x
  <<: [*m, *m]
`);
  assert.equal(yaml.valueAt(root, ['m', 'name']), 'x');
  assert.equal(yaml.valueAt(root, ['m', 'missing']), undefined);
});
