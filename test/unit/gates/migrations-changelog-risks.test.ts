// Liquibase changelogs as Liquibase users write them (test/fixtures/gates/migrations/liquibase/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findXmlChangelogRisks, type ChangelogResult } from '../../../src/gates/changelog-risks.ts';
import { findYamlChangelogRisks } from '../../../src/gates/changelog-yaml-risks.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/gates/migrations/liquibase/${name}`, import.meta.url), 'utf8');
// The lock_timeout rule has its own test; the others leave it out.
const rules = (result: ChangelogResult) =>
  result.ok
    ? result.risks
        .filter((r) => r.rule !== 'migrations.no-lock-timeout')
        .map((r) => `${r.line}:${r.rule.replace('migrations.', '')}`)
    : result.message;
const lockRules = (result: ChangelogResult) =>
  result.ok
    ? result.risks
        .filter((r) => r.rule === 'migrations.no-lock-timeout')
        .map((r) => `${r.line}:${r.message.split(' runs')[0]}`)
    : result.message;

describe('Liquibase changelogs', () => {
  it('XML: change types and <sql> bodies at their lines; rollbacks, comments and new tables left out', () => {
    assert.deepEqual(rules(findXmlChangelogRisks(fixture('changelog.xml'))), [
      '23:drop-column',
      '24:index-without-concurrently',
      '32:rename',
      '36:truncate',
    ]);
  });

  it('YAML and JSON: the same, with the SQL of a block scalar at its own lines', () => {
    assert.deepEqual(rules(findYamlChangelogRisks(fixture('changelog.yaml'))), [
      '25:drop-column',
      '32:drop-table',
      '33:column-type',
    ]);
    assert.deepEqual(rules(findYamlChangelogRisks(fixture('changelog.json'))), [
      '8:rename',
      '9:set-not-null',
    ]);
  });

  it('flags addColumn NOT NULL without a default, as ADD COLUMN ... NOT NULL in SQL, in XML, YAML and JSON', () => {
    const xml = [
      '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
      '  <changeSet id="1" author="ana">',
      '    <createTable tableName="tags"><column name="id" type="int"/></createTable>',
      '    <addColumn tableName="tags">',
      '      <column name="label" type="text"><constraints nullable="false"/></column>',
      '    </addColumn>',
      '    <addColumn tableName="users">',
      '      <column name="nickname" type="text"/>',
      '      <column name="status" type="text" defaultValue="active"><constraints nullable="false"/></column>',
      '      <column name="age" type="int">',
      '        <constraints nullable="false"/>',
      '      </column>',
      '      <column name="ref" type="uuid"><constraints primaryKey="true"/></column>',
      '    </addColumn>',
      '    <rollback><addColumn tableName="users"><column name="x" type="int"><constraints nullable="false"/></column></addColumn></rollback>',
      '  </changeSet>',
      '</databaseChangeLog>',
    ].join('\n');
    const result = findXmlChangelogRisks(xml);
    assert.deepEqual(rules(result), ['10:add-column-not-null', '13:add-column-not-null']);
    assert.match(
      (result as { risks: Array<{ rule: string; message: string }> }).risks.find(
        (r) => r.rule === 'migrations.add-column-not-null',
      )!.message,
      /^addColumn age on users is not nullable and has no default: .*defaultValue/,
    );

    const yaml = [
      'databaseChangeLog:',
      '  - changeSet:',
      '      id: 1',
      '      author: ana',
      '      changes:',
      '        - addColumn:',
      '            tableName: users',
      '            columns:',
      '              - column:',
      '                  name: age',
      '                  type: int',
      '                  constraints:',
      '                    nullable: false',
      '              - column:',
      '                  name: status',
      '                  type: text',
      '                  defaultValueComputed: now()',
      '                  constraints: { nullable: false }',
      '              - column: { name: nickname, type: text, constraints: { nullable: true } }',
    ].join('\n');
    assert.deepEqual(rules(findYamlChangelogRisks(yaml)), ['9:add-column-not-null']);

    const json = JSON.stringify(
      {
        databaseChangeLog: [
          {
            changeSet: {
              id: '1',
              author: 'ana',
              changes: [
                {
                  addColumn: {
                    tableName: 'users',
                    columns: [{ column: { name: 'age', type: 'int', constraints: { nullable: 'false' } } }],
                  },
                },
              ],
            },
          },
        ],
      },
      null,
      2,
    );
    assert.deepEqual(rules(findYamlChangelogRisks(json)), ['12:add-column-not-null']);
  });

  it('flags changes that lock a table in use with no lock_timeout set before them, once per changelog', () => {
    const xml = (first: string) =>
      [
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
        first,
        '  <changeSet id="1" author="ana">',
        '    <createTable tableName="tags"><column name="id" type="int"/></createTable>',
        '    <createIndex tableName="tags" indexName="tags_id"><column name="id"/></createIndex>',
        '    <addColumn tableName="users"><column name="nickname" type="text"/></addColumn>',
        '    <addForeignKeyConstraint baseTableName="orders" baseColumnNames="user_id" constraintName="fk" referencedTableName="users" referencedColumnNames="id"/>',
        '  </changeSet>',
        '</databaseChangeLog>',
      ].join('\n');
    const missing = findXmlChangelogRisks(xml(''));
    assert.deepEqual(lockRules(missing), ['6:addColumn on users']);
    assert.match(
      (missing as { risks: Array<{ rule: string; message: string }> }).risks.find(
        (r) => r.rule === 'migrations.no-lock-timeout',
      )!.message,
      /\(and 1 more statement\(s\) of this file that take locks\): .*SET lock_timeout = '5s'/,
    );
    const set = `  <changeSet id="0" author="ana"><sql>SET lock_timeout = '5s';</sql></changeSet>`;
    assert.deepEqual(lockRules(findXmlChangelogRisks(xml(set))), []);

    const yaml = [
      'databaseChangeLog:',
      '  - changeSet:',
      '      id: 1',
      '      author: ana',
      '      changes:',
      '        - sql:',
      '            sql: ALTER TABLE users ADD COLUMN age int',
      '        - dropColumn: { tableName: orders, columnName: legacy }',
    ].join('\n');
    assert.deepEqual(lockRules(findYamlChangelogRisks(yaml)), ['7:ALTER TABLE users']);
    const withTimeout = yaml.replace(
      '      changes:\n',
      "      changes:\n        - sql: SET lock_timeout TO '3s'\n",
    );
    assert.deepEqual(lockRules(findYamlChangelogRisks(withTimeout)), []);
  });

  it('flags a delete with no where and a dropSequence, in XML, YAML and JSON', () => {
    const xml = [
      '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
      '  <changeSet id="1" author="ana">',
      '    <delete tableName="sessions"/>',
      '    <delete tableName="audit"></delete>',
      '    <delete tableName="users"><where>expired = true</where></delete>',
      '    <dropSequence sequenceName="orders_id_seq"/>',
      '  </changeSet>',
      '</databaseChangeLog>',
    ].join('\n');
    assert.deepEqual(rules(findXmlChangelogRisks(xml)), [
      '3:delete-all-rows',
      '4:delete-all-rows',
      '6:drop-sequence',
    ]);
    const yaml = [
      'databaseChangeLog:',
      '  - changeSet:',
      '      id: 1',
      '      author: ana',
      '      changes:',
      '        - delete:',
      '            tableName: sessions',
      '        - delete:',
      '            tableName: users',
      '            where: expired = true',
      '        - dropSequence:',
      '            sequenceName: orders_id_seq',
    ].join('\n');
    assert.deepEqual(rules(findYamlChangelogRisks(yaml)), ['6:delete-all-rows', '11:drop-sequence']);
    const json = JSON.stringify(
      {
        databaseChangeLog: [
          { changeSet: { id: '1', author: 'ana', changes: [{ delete: { tableName: 'sessions' } }] } },
        ],
      },
      null,
      2,
    );
    assert.deepEqual(rules(findYamlChangelogRisks(json)), ['9:delete-all-rows']);
  });

  it('flags an update with no where on a table in use, in XML, YAML and JSON', () => {
    const xml = [
      '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
      '  <changeSet id="1" author="ana">',
      '    <update tableName="users"><column name="active" valueBoolean="true"/></update>',
      '    <update tableName="users"><column name="active" valueBoolean="true"/><where>id = 1</where></update>',
      '    <createTable tableName="fresh"><column name="a" type="int"/></createTable>',
      '    <update tableName="fresh"><column name="a" valueNumeric="1"/></update>',
      '  </changeSet>',
      '</databaseChangeLog>',
    ].join('\n');
    assert.deepEqual(rules(findXmlChangelogRisks(xml)), ['3:update-all-rows']);
    const yaml = [
      'databaseChangeLog:',
      '  - changeSet:',
      '      id: 1',
      '      author: ana',
      '      changes:',
      '        - update:',
      '            tableName: users',
      '            columns: [{ column: { name: active, valueBoolean: true } }]',
      '        - update:',
      '            tableName: users',
      '            columns: [{ column: { name: active, valueBoolean: true } }]',
      '            where: id = 1',
    ].join('\n');
    assert.deepEqual(rules(findYamlChangelogRisks(yaml)), ['6:update-all-rows']);
    const json = JSON.stringify(
      {
        databaseChangeLog: [
          { changeSet: { id: '1', author: 'ana', changes: [{ update: { tableName: 'users' } }] } },
        ],
      },
      null,
      2,
    );
    assert.deepEqual(rules(findYamlChangelogRisks(json)), ['9:update-all-rows']);
  });

  it('a changelog that does not parse says where', () => {
    assert.match(
      rules(findXmlChangelogRisks(fixture('broken.xml'))) as string,
      /^line 4: not well-formed XML: Expected closing tag 'dropTable'/,
    );
    assert.match(
      rules(findYamlChangelogRisks('a: [1, 2\nb: 3\n')) as string,
      /^line \d+: not valid YAML or JSON/,
    );
  });
});

describe('Liquibase changeSets and transactions', () => {
  it('flags CONCURRENTLY in a changeSet Liquibase runs in a transaction, not in one that opts out', () => {
    const xml = [
      '<databaseChangeLog>',
      '  <changeSet id="1" author="ana">',
      '    <sql>CREATE INDEX CONCURRENTLY a_idx ON users (a);</sql>',
      '  </changeSet>',
      '  <changeSet id="2" author="ana" runInTransaction="false">',
      '    <sql>CREATE INDEX CONCURRENTLY b_idx ON users (b);</sql>',
      '  </changeSet>',
      '</databaseChangeLog>',
    ].join('\n');
    assert.deepEqual(rules(findXmlChangelogRisks(xml)), ['3:concurrently-in-transaction']);
    const yaml = [
      'databaseChangeLog:',
      '  - changeSet:',
      '      id: 1',
      '      changes:',
      '        - sql: CREATE INDEX CONCURRENTLY a_idx ON users (a)',
      '  - changeSet:',
      '      id: 2',
      '      runInTransaction: false',
      '      changes:',
      '        - sql: CREATE INDEX CONCURRENTLY b_idx ON users (b)',
    ].join('\n');
    assert.deepEqual(rules(findYamlChangelogRisks(yaml)), ['5:concurrently-in-transaction']);
  });
});
