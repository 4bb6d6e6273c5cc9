// Destructive or locking changes in Liquibase changelogs written as XML, YAML or JSON (a SQL-formatted
// changelog is SQL and goes to sql-risks.ts). Pure: text in, the same findings as for SQL out. What a
// changeSet's <rollback> does is left out: it undoes the change on purpose.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { XMLValidator } from 'fast-xml-parser';
import { concurrentStatementLines, findSqlRisks, type SqlRisk } from './sql-risks.ts';

const MESSAGES: Record<string, [rule: string, message: string]> = {
  dropTable: [
    'drop-table',
    'dropTable loses data and breaks the running version: stop using the table first, drop it in a later release',
  ],
  dropColumn: [
    'drop-column',
    'dropColumn breaks the running version that still reads it: stop reading it first, drop it in a later release (expand/contract)',
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

/** A change applied to a table created earlier in the same changelog locks nothing anyone waits on. */
const ON_NEW_TABLE_IS_SAFE = new Set(['createIndex', 'addNotNullConstraint']);

function tableKey(name: string): string {
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
function bodyRisks(sql: string, line: number, inTransaction: boolean): SqlRisk[] {
  const risks = findSqlRisks(sql).map((risk) => ({ ...risk, line: risk.line + line - 1 }));
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
  for (const match of text.matchAll(/<(?:\w+:)?(\w+)\b([^>]*)>/g)) {
    const [, element, attributes] = match as unknown as [string, string, string];
    const known = MESSAGES[element];
    if (known) {
      const table = /\btableName\s*=\s*["']([^"']+)["']/.exec(attributes)?.[1];
      if (ON_NEW_TABLE_IS_SAFE.has(element) && table && created.has(tableKey(table))) continue;
      risks.push({ line: lineAt(match.index), rule: `migrations.${known[0]}`, message: known[1] });
    }
    if (element === 'sql' && !attributes.trimEnd().endsWith('/')) {
      const start = match.index + match[0].length;
      const end = text.indexOf('</', start);
      const body = text.slice(start, end === -1 ? text.length : end);
      const changeSet = text.lastIndexOf('changeSet', match.index);
      const opening = changeSet === -1 ? '' : text.slice(changeSet, text.indexOf('>', changeSet));
      const inTransaction = !/\brunInTransaction\s*=\s*["']false["']/.test(opening);
      risks.push(...bodyRisks(decodeXmlText(body), lineAt(start), inTransaction));
    }
  }
  return { ok: true, risks: risks.sort((a, b) => a.line - b.line) };
}

/** Pure: the risky changes of a Liquibase YAML or JSON changelog. */
export function findYamlChangelogRisks(source: string): ChangelogResult {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    return {
      ok: false,
      message: `line ${lines.linePos(error.pos[0]).line}: not valid YAML or JSON: ${error.message.split('\n')[0]}`,
    };
  }
  const lineOf = (node: Node) => lines.linePos(node.range?.[0] ?? 0).line;
  const changes: Array<{ type: string; body: Node | null; line: number; inTransaction: boolean }> = [];
  const walk = (node: unknown, inTransaction: boolean) => {
    if (isSeq(node)) for (const item of node.items) walk(item, inTransaction);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'rollback') continue;
      if (MESSAGES[key] || key === 'sql' || key === 'createTable') {
        const body = pair.value as Node | null;
        changes.push({ type: key, body, line: lineOf(pair.key as Node), inTransaction });
        if (key === 'sql') continue; // its own `sql:` option is its text, not another change
      }
      const changeSet = key === 'changeSet' && isMap(pair.value);
      walk(
        pair.value,
        changeSet
          ? (pair.value as { get(k: string): unknown }).get('runInTransaction') !== false
          : inTransaction,
      );
    }
  };
  walk(document.contents, true);
  const tableOf = (body: Node | null) => {
    const name = isMap(body) ? body.get('tableName') : undefined;
    return typeof name === 'string' ? tableKey(name) : undefined;
  };
  const created = new Set(
    changes.filter((c) => c.type === 'createTable').flatMap((c) => tableOf(c.body) ?? []),
  );
  const risks: SqlRisk[] = [];
  for (const change of changes) {
    const known = MESSAGES[change.type];
    if (known) {
      const table = tableOf(change.body);
      if (ON_NEW_TABLE_IS_SAFE.has(change.type) && table && created.has(table)) continue;
      risks.push({ line: change.line, rule: `migrations.${known[0]}`, message: known[1] });
    }
    if (change.type !== 'sql') continue;
    // `sql: DROP ...` (the change's text directly) or `sql: { sql: ... }` (the change with options).
    const text = isScalar(change.body)
      ? change.body
      : isMap(change.body)
        ? change.body.get('sql', true)
        : undefined;
    if (!isScalar(text) || typeof text.value !== 'string') continue;
    // A block scalar's text starts on the line after its `|`.
    const first = lineOf(text as Node) + (/^[|>]/.test(source.slice(text.range![0])) ? 1 : 0);
    risks.push(...bodyRisks(text.value, first, change.inTransaction));
  }
  return { ok: true, risks: risks.sort((a, b) => a.line - b.line) };
}
