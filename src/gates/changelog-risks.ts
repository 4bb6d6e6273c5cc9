// Destructive or locking changes in Liquibase changelogs written as XML, YAML or JSON (a SQL-formatted
// changelog is SQL and goes to sql-risks.ts). Pure: text in, the same findings as for SQL out. What a
// changeSet's <rollback> does is left out: it undoes the change on purpose. The XML reader is here, the
// YAML/JSON one in changelog-yaml-risks.ts: the XML worker thread (xml-reports.ts) runs this file, and
// loading the YAML library there took 0.2 to 0.4 s of each thread's start on a loaded runner.
import { XMLValidator } from 'fast-xml-parser';
import {
  concurrentStatementLines,
  findSqlRisks,
  lockTimeoutTracker,
  splitStatements,
  type SqlRisk,
} from './sql-risks.ts';

export const MESSAGES: Record<string, [rule: string, message: string]> = {
  dropTable: [
    'drop-table',
    'dropTable loses data and breaks the running version: stop using the table first, drop it in a later release',
  ],
  dropColumn: [
    'drop-column',
    'dropColumn breaks the running version that still reads it: stop reading it first, drop it in a later release (expand/contract)',
  ],
  dropSequence: [
    'drop-sequence',
    'dropSequence loses its current value and breaks the inserts of the running version that draw from it: stop using it first, drop it in a later release',
  ],
  modifyDataType: [
    'column-type',
    'modifyDataType rewrites the table under an exclusive lock and can break readers: add a new column, backfill, switch, drop the old one',
  ],
  addNotNullConstraint: [
    'set-not-null',
    'addNotNullConstraint scans the table under an exclusive lock: add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it, then set NOT NULL',
  ],
  renameTable: [
    'rename',
    'renameTable breaks the running version that uses the old name: add the new name, copy or alias, switch readers, drop the old name later',
  ],
  renameColumn: [
    'rename',
    'renameColumn breaks the running version that uses the old name: add the new name, copy or alias, switch readers, drop the old name later',
  ],
  renameView: [
    'rename',
    'renameView breaks the running version that uses the old name: add the new name, switch readers, drop the old name later',
  ],
  createIndex: [
    'index-without-concurrently',
    'createIndex on an existing table blocks writes while it builds: use a sql change with CREATE INDEX CONCURRENTLY (runInTransaction="false")',
  ],
};

/** A `delete` change with no `where`: every row of its table goes (the SQL rule's DELETE without WHERE). */
export const DELETE_ALL_ROWS: [rule: string, message: string] = [
  'delete-all-rows',
  'delete without a where deletes every row of the table',
];

/** An `update` change with no `where`: every row of a table in use rewritten (the SQL rule's UPDATE without WHERE). */
export const UPDATE_ALL_ROWS: [rule: string, message: string] = [
  'update-all-rows',
  "update without a where rewrites every row of the table in one transaction: it holds every row's lock to the end (the running version's writes to the table wait) and leaves a dead copy of each row; update in batches by key range",
];

/** A change applied to a table created earlier in the same changelog locks nothing anyone waits on. */
export const ON_NEW_TABLE_IS_SAFE = new Set(['createIndex', 'addNotNullConstraint']);

export function tableKey(name: string): string {
  return name.toLowerCase().replace(/^public\./, '');
}

/** The 1-based line of an offset in `text`, by binary search over where its lines start. */
function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/** The text with every match of `pattern` blanked, newlines kept, so offsets and lines stay true. */
function blank(text: string, pattern: RegExp): string {
  return text.replace(pattern, (match) => match.replace(/[^\n]/g, ' '));
}

function decodeXmlText(text: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(text);
  if (cdata) return cdata[1]!;
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * SQL risks of a body starting on `line`, their lines moved to the changelog's. `inTransaction`: its
 * changeSet runs in a transaction (Liquibase's default), where a CONCURRENTLY statement fails.
 */
export function bodyRisks(sql: string, line: number, inTransaction: boolean): SqlRisk[] {
  const risks = findSqlRisks(sql, [], { lockTimeout: false }).map((risk) => ({
    ...risk,
    line: risk.line + line - 1,
  }));
  if (inTransaction) {
    for (const at of concurrentStatementLines(sql)) {
      risks.push({
        line: at + line - 1,
        rule: 'migrations.concurrently-in-transaction',
        message:
          'CONCURRENTLY cannot run inside a transaction, and Liquibase runs this changeSet in one: set runInTransaction to false on the changeSet',
      });
    }
  }
  return risks;
}

/** Liquibase's default attributes of a column: with one, existing rows get a value. */
const DEFAULT_ATTRIBUTE = /^defaultValue(?:Numeric|Boolean|Date|Computed|SequenceNext)?$/;

export function addColumnNotNull(table: string | undefined, column: string | undefined): SqlRisk['message'] {
  const name = column ?? '(unnamed)';
  return `addColumn ${name}${table ? ` on ${table}` : ''} is not nullable and has no default: it fails on a table with rows and breaks the running version's inserts; add it nullable (set NOT NULL in a later release, after a backfill) or give it a defaultValue`;
}

const isTrue = (value: unknown) =>
  value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
const isFalse = (value: unknown) =>
  value === false || (typeof value === 'string' && value.toLowerCase() === 'false');

/** Whether an added column is NOT NULL (nullable false, or a primary key) with nothing to fill existing rows. */
export function notNullWithoutDefault(
  attributes: Record<string, unknown>,
  constraints: Record<string, unknown>,
): boolean {
  const notNull = isFalse(constraints.nullable) || isTrue(constraints.primaryKey);
  const filled =
    Object.keys(attributes).some((name) => DEFAULT_ATTRIBUTE.test(name)) || isTrue(attributes.autoIncrement);
  return notNull && !filled;
}

/** An XML element's attributes as name → value. */
function xmlAttributes(attributes: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const match of attributes.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    values[match[1]!] = match[2] ?? match[3] ?? '';
  }
  return values;
}

/**
 * Change types that lock a table in use (their table: tableName, or baseTableName for a foreign key): with
 * no lock_timeout set before them, each waits behind a long transaction while the table's queries queue.
 */
export const LOCKING_CHANGES = new Set([
  'addAutoIncrement',
  'addColumn',
  'addDefaultValue',
  'addForeignKeyConstraint',
  'addNotNullConstraint',
  'addPrimaryKey',
  'addUniqueConstraint',
  'createIndex',
  'dropColumn',
  'dropDefaultValue',
  'dropForeignKeyConstraint',
  'dropIndex',
  'dropNotNullConstraint',
  'dropPrimaryKey',
  'dropTable',
  'dropUniqueConstraint',
  'modifyDataType',
  'renameColumn',
  'renameTable',
]);

/** The statements of a <sql> body starting on `line`, at the changelog's lines, for the lock_timeout walk. */
export function bodyStatements(sql: string, line: number) {
  return splitStatements(sql).map((statement) => ({ ...statement, line: statement.line + line - 1 }));
}

export type ChangelogResult = { ok: true; risks: SqlRisk[] } | { ok: false; message: string };

/** Pure: the risky changes of a Liquibase XML changelog. */
export function findXmlChangelogRisks(xml: string): ChangelogResult {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return { ok: false, message: `line ${valid.err.line}: not well-formed XML: ${valid.err.msg}` };
  }
  const text = blank(
    blank(xml, /<!--[\s\S]*?-->|<(\w+:)?comment\b[^>]*>[\s\S]*?<\/(\w+:)?comment>/g),
    /<(\w+:)?rollback\b[^>]*\/>|<(\w+:)?rollback\b[^>]*>[\s\S]*?<\/(\w+:)?rollback>/g,
  );
  const created = new Set(
    [...text.matchAll(/<(?:\w+:)?createTable\b[^>]*\btableName\s*=\s*["']([^"']+)["']/g)].map((m) =>
      tableKey(m[1]!),
    ),
  );
  const lineAt = lineFinder(text);
  const risks: SqlRisk[] = [];
  const lockTimeout = lockTimeoutTracker(created);
  for (const match of text.matchAll(/<(?:\w+:)?(\w+)\b([^>]*)>/g)) {
    const [, element, attributes] = match as unknown as [string, string, string];
    if (LOCKING_CHANGES.has(element)) {
      const table = /\b(?:baseTableName|tableName)\s*=\s*["']([^"']+)["']/.exec(attributes)?.[1];
      if (!table || !created.has(tableKey(table))) {
        lockTimeout.lockingChange(lineAt(match.index), `${element}${table ? ` on ${table}` : ''}`);
      }
    }
    // Own keys only: an element named <constructor> found Object's function, a risk with no rule or message.
    const known = Object.hasOwn(MESSAGES, element) ? MESSAGES[element] : undefined;
    if (known) {
      const table = /\btableName\s*=\s*["']([^"']+)["']/.exec(attributes)?.[1];
      if (ON_NEW_TABLE_IS_SAFE.has(element) && table && created.has(tableKey(table))) continue;
      risks.push({ line: lineAt(match.index), rule: `migrations.${known[0]}`, message: known[1] });
    }
    if (element === 'delete' || element === 'update') {
      // <delete tableName="t"/>, or a body with no <where>: the whole table (an update of a table this
      // changelog creates rewrites nothing in use).
      const start = match.index + match[0].length;
      const close = new RegExp(String.raw`<\/(?:\w+:)?${element}\s*>`, 'g');
      close.lastIndex = start;
      const end = attributes.trimEnd().endsWith('/') ? start : (close.exec(text)?.index ?? text.length);
      const table = /\btableName\s*=\s*["']([^"']+)["']/.exec(attributes)?.[1];
      const [rule, message] = element === 'delete' ? DELETE_ALL_ROWS : UPDATE_ALL_ROWS;
      const isNew = element === 'update' && table !== undefined && created.has(tableKey(table));
      if (!isNew && !/<(?:\w+:)?where\b[^>]*>\s*[^<\s]/.test(text.slice(start, end))) {
        risks.push({ line: lineAt(match.index), rule: `migrations.${rule}`, message });
      }
    }
    if (element === 'addColumn' && !attributes.trimEnd().endsWith('/')) {
      const table = xmlAttributes(attributes).tableName;
      const start = match.index + match[0].length;
      const close = /<\/(?:\w+:)?addColumn\s*>/g;
      close.lastIndex = start;
      const end = close.exec(text)?.index ?? text.length;
      if (!(table && created.has(tableKey(table)))) {
        const columns = /<(?:\w+:)?column\b([^>]*?)(\/?)>/g;
        columns.lastIndex = start;
        for (let column = columns.exec(text); column && column.index < end; column = columns.exec(text)) {
          const own = xmlAttributes(column[1]!);
          let constraints: Record<string, string> = {};
          if (!column[2]) {
            const bodyStart = column.index + column[0].length;
            const bodyEnd = text.indexOf('</', bodyStart);
            const body = text.slice(bodyStart, bodyEnd === -1 ? end : Math.min(bodyEnd, end));
            const found = /<(?:\w+:)?constraints\b([^>]*?)\/?>/.exec(body);
            if (found) constraints = xmlAttributes(found[1]!);
          }
          if (notNullWithoutDefault(own, constraints)) {
            risks.push({
              line: lineAt(column.index),
              rule: 'migrations.add-column-not-null',
              message: addColumnNotNull(table, own.name),
            });
          }
        }
      }
    }
    if (element === 'sql' && !attributes.trimEnd().endsWith('/')) {
      const start = match.index + match[0].length;
      const end = text.indexOf('</', start);
      const body = text.slice(start, end === -1 ? text.length : end);
      const changeSet = text.lastIndexOf('changeSet', match.index);
      const opening = changeSet === -1 ? '' : text.slice(changeSet, text.indexOf('>', changeSet));
      const inTransaction = !/\brunInTransaction\s*=\s*["']false["']/.test(opening);
      risks.push(...bodyRisks(decodeXmlText(body), lineAt(start), inTransaction));
      for (const statement of bodyStatements(decodeXmlText(body), lineAt(start)))
        lockTimeout.statement(statement);
    }
  }
  const missing = lockTimeout.risk();
  if (missing) risks.push(missing);
  return { ok: true, risks: risks.sort((a, b) => a.line - b.line) };
}
