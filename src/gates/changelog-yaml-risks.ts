// Destructive or locking changes in Liquibase changelogs written as YAML or JSON: the same changes and
// findings as the XML reader's (changelog-risks.ts), kept apart so the XML worker thread does not load the
// YAML library.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { parseYamlDocuments } from './yaml-documents.ts';
import {
  LOCKING_CHANGES,
  DELETE_ALL_ROWS,
  MESSAGES,
  UPDATE_ALL_ROWS,
  ON_NEW_TABLE_IS_SAFE,
  addColumnNotNull,
  bodyRisks,
  bodyStatements,
  notNullWithoutDefault,
  tableKey,
  type ChangelogResult,
} from './changelog-risks.ts';
import { lockTimeoutTracker, type SqlRisk } from './sql-risks.ts';

/** Pure: the risky changes of a Liquibase YAML or JSON changelog. */
export function findYamlChangelogRisks(source: string): ChangelogResult {
  const lines = new LineCounter();
  const parsed = parseYamlDocuments(source, lines);
  if (!parsed.ok) return { ok: false, message: `line ${parsed.line}: ${parsed.message}` };
  if (parsed.documents.length > 1) {
    return {
      ok: false,
      message: `line ${lines.linePos(parsed.documents[1]!.range[0]).line}: a second YAML document: a changelog is one document`,
    };
  }
  const document = parsed.documents[0] ?? parseDocument('');
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
      if (
        Object.hasOwn(MESSAGES, key) ||
        LOCKING_CHANGES.has(key) ||
        key === 'sql' ||
        key === 'createTable' ||
        key === 'delete' ||
        key === 'update'
      ) {
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
  const lockTimeout = lockTimeoutTracker(created);
  for (const change of changes) {
    if (LOCKING_CHANGES.has(change.type)) {
      const body = change.body;
      const name = isMap(body) ? (body.get('tableName') ?? body.get('baseTableName')) : undefined;
      const table = typeof name === 'string' ? name : undefined;
      if (!table || !created.has(tableKey(table))) {
        lockTimeout.lockingChange(change.line, `${change.type}${table ? ` on ${table}` : ''}`);
      }
    }
    // Own keys only: a change named constructor found Object's function, a risk with no rule or message.
    const known = Object.hasOwn(MESSAGES, change.type) ? MESSAGES[change.type] : undefined;
    if (known) {
      const table = tableOf(change.body);
      if (ON_NEW_TABLE_IS_SAFE.has(change.type) && table && created.has(table)) continue;
      risks.push({ line: change.line, rule: `migrations.${known[0]}`, message: known[1] });
    }
    if (change.type === 'delete' || change.type === 'update') {
      // delete: { tableName: t } with no where: the whole table (an update of a table this changelog
      // creates rewrites nothing in use).
      const where = isMap(change.body) ? change.body.get('where') : undefined;
      const table = tableOf(change.body);
      const [rule, message] = change.type === 'delete' ? DELETE_ALL_ROWS : UPDATE_ALL_ROWS;
      const isNew = change.type === 'update' && table !== undefined && created.has(table);
      if (!isNew && (typeof where !== 'string' || where.trim() === '')) {
        risks.push({ line: change.line, rule: `migrations.${rule}`, message });
      }
      continue;
    }
    if (change.type === 'addColumn') {
      const table = tableOf(change.body);
      if (table && created.has(table)) continue;
      const name = isMap(change.body) ? change.body.get('tableName') : undefined;
      const columns = isMap(change.body) ? change.body.get('columns', true) : undefined;
      for (const item of isSeq(columns) ? columns.items : []) {
        // - column: { name, type, defaultValue..., constraints: { nullable: false } }
        const column = isMap(item) ? item.get('column', true) : undefined;
        if (!isMap(column)) continue;
        const own = column.toJSON() as Record<string, unknown>;
        const constraints = own.constraints && typeof own.constraints === 'object' ? own.constraints : {};
        if (notNullWithoutDefault(own, constraints as Record<string, unknown>)) {
          risks.push({
            line: lineOf(item as Node),
            rule: 'migrations.add-column-not-null',
            message: addColumnNotNull(
              typeof name === 'string' ? name : undefined,
              typeof own.name === 'string' ? own.name : undefined,
            ),
          });
        }
      }
      continue;
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
    for (const statement of bodyStatements(text.value, first)) lockTimeout.statement(statement);
  }
  const missing = lockTimeout.risk();
  if (missing) risks.push(missing);
  return { ok: true, risks: risks.sort((a, b) => a.line - b.line) };
}
