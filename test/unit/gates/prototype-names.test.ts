// A repository's files name things the gates look up in tables: a Liquibase change type, a Kubernetes kind.
// One named like an Object.prototype property ("constructor", "toString") is a name the table does not have,
// as any other: a changelog's <constructor/> was a risk with no rule or message ("migrations.undefined"), and
// a manifest of `kind: constructor` stopped the infrastructure gate with a TypeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findXmlChangelogRisks } from '../../../src/gates/changelog-risks.ts';
import { findYamlChangelogRisks } from '../../../src/gates/changelog-yaml-risks.ts';
import { checkManifest } from '../../../src/gates/infrastructure.ts';

const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
const CONTROL = 'notAChangeType';

const xml = (element: string) =>
  `<databaseChangeLog>\n  <changeSet id="1" author="a">\n    <${element} tableName="t"/>\n    <dropTable tableName="old"/>\n  </changeSet>\n</databaseChangeLog>\n`;
const yaml = (change: string) =>
  `databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - ${change}:\n            tableName: t\n        - dropTable:\n            tableName: old\n`;

test('a Liquibase change named like an Object.prototype property is no risk, as any change type not known', () => {
  const xmlRisks = findXmlChangelogRisks(xml(CONTROL));
  const yamlRisks = findYamlChangelogRisks(yaml(CONTROL));
  // The control is judged: only the dropTable after it is a risk.
  assert.ok(xmlRisks.ok && xmlRisks.risks.some((r) => r.rule === 'migrations.drop-table'));
  for (const name of NAMES) {
    assert.deepEqual(findXmlChangelogRisks(xml(name)), xmlRisks, `<${name}>`);
    assert.deepEqual(findYamlChangelogRisks(yaml(name)), yamlRisks, `- ${name}:`);
  }
  // `__proto__` as a YAML change key (a key of its own, as JSON.parse makes it).
  assert.deepEqual(findYamlChangelogRisks(yaml('__proto__')), yamlRisks);
});

test('a manifest of a kind named like an Object.prototype property has no pod spec to check, and no crash', () => {
  const manifest = (kind: string) =>
    `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: c\n      image: c:1\n`;
  for (const kind of [...NAMES, '__proto__'])
    assert.deepEqual(checkManifest('m.yaml', manifest(kind), { manifests: 'm.yaml' }), [], kind);
  // A kind the gate knows is still checked.
  assert.equal(checkManifest('m.yaml', manifest('Pod'), { manifests: 'm.yaml' }).length, 2);
});
