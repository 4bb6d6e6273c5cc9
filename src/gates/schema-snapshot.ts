// A PostgreSQL schema as a flat map "kind qualified.name" → definition, read from pg_catalog with `pg`
// (no pg_dump needed), and the readable difference between two such snapshots; the tables' row counts. Used by
// the migrations gate.
import picomatch from 'picomatch';
import type pg from 'pg';

export interface SchemaObject {
  kind: string;
  /** Qualified name: "public.users", "public.users.nickname". */
  name: string;
  /** The table the object belongs to, for ignore patterns ("public.schema_migrations"). */
  table?: string;
  definition: string;
}

export type Snapshot = Map<string, SchemaObject>;

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

// Each query returns kind, name, tbl, def. Order does not matter: the snapshot is keyed.
const QUERIES: string[] = [
  `SELECT 'schema' AS kind, n.nspname AS name, NULL AS tbl, '' AS def FROM pg_namespace n WHERE ${USER_SCHEMAS}`,
  `SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
            WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' END AS kind,
          n.nspname || '.' || c.relname AS name,
          -- A serial or identity column's sequence belongs to its table (ignored with a tool's bookkeeping).
          COALESCE((SELECT tn.nspname || '.' || t.relname FROM pg_depend d
                      JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                     WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1),
                   n.nspname || '.' || c.relname) AS tbl,
          CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) ELSE '' END AS def
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMAS}`,
  `SELECT 'column' AS kind, n.nspname || '.' || c.relname || '.' || a.attname AS name, n.nspname || '.' || c.relname AS tbl,
          format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
            || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS def
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${USER_SCHEMAS}`,
  `SELECT 'constraint' AS kind, n.nspname || '.' || c.relname || '.' || con.conname AS name, n.nspname || '.' || c.relname AS tbl,
          pg_get_constraintdef(con.oid, true) AS def
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_SCHEMAS}`,
  `SELECT 'index' AS kind, n.nspname || '.' || ic.relname AS name, n.nspname || '.' || tc.relname AS tbl,
          pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE ${USER_SCHEMAS}`,
  `SELECT 'trigger' AS kind, n.nspname || '.' || c.relname || '.' || t.tgname AS name, n.nspname || '.' || c.relname AS tbl,
          pg_get_triggerdef(t.oid, true) AS def
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND ${USER_SCHEMAS}`,
  `SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'type' END AS kind,
          n.nspname || '.' || t.typname AS name, NULL AS tbl,
          CASE t.typtype
            WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
            WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
            ELSE '' END AS def
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
      AND ${USER_SCHEMAS}`,
  `SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind,
          n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name, NULL AS tbl,
          md5(pg_get_functiondef(p.oid)) AS def
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND ${USER_SCHEMAS}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
  `SELECT 'extension' AS kind, e.extname AS name, NULL AS tbl, e.extversion AS def FROM pg_extension e WHERE e.extname <> 'plpgsql'`,
];

/** Reads every user-visible schema object of the connected database. */
export async function readSnapshot(client: pg.Client): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  for (const sql of QUERIES) {
    const { rows } = await client.query<{
      kind: string;
      name: string;
      tbl: string | null;
      def: string | null;
    }>(sql);
    for (const row of rows) {
      const object: SchemaObject = { kind: row.kind, name: row.name, definition: (row.def ?? '').trim() };
      if (row.tbl) object.table = row.tbl;
      snapshot.set(`${row.kind} ${row.name}`, object);
    }
  }
  return snapshot;
}

/** Bookkeeping tables of common migration tools: their rows change between runs, by design. */
export const DEFAULT_IGNORED = [
  // golang-migrate, dbmate, Rails, Ecto (and Rails' environment table beside it)
  '*.schema_migrations',
  '*.ar_internal_metadata',
  '*.knex_migrations*',
  '*.alembic_version',
  '*.flyway_schema_history',
  // Liquibase: its changelog and lock tables stay after a rollback
  '*.databasechangelog',
  '*.databasechangeloglock',
  '*.goose_db_version',
  '*.pgmigrations',
  '*.SequelizeMeta',
  '*._prisma_migrations',
  '*.django_migrations',
  '*.__diesel_schema_migrations',
  '*.mikro_orm_migrations',
  // TypeORM's (and Laravel's) default migrations table, and TypeORM's metadata
  '*.migrations',
  '*.typeorm_metadata',
  '*.kysely_migration',
  '*.kysely_migration_lock',
  '*._sqlx_migrations',
  // EF Core (its table is named in capitals, quoted)
  '*.__EFMigrationsHistory',
  '*.phinxlog',
  '*.doctrine_migration_versions',
  // yoyo
  '*._yoyo_migration',
  '*._yoyo_log',
  '*._yoyo_version',
  '*.yoyo_lock',
  // sql-migrate
  '*.gorp_migrations',
  '*.refinery_schema_history',
  // Tools that keep their bookkeeping in a schema of their own: the schema and all in it.
  'drizzle',
  'drizzle.*',
  'sqitch',
  'sqitch.*',
  'graphile_migrate',
  'graphile_migrate.*',
  'atlas_schema_revisions',
  'atlas_schema_revisions.*',
];

export function withoutIgnored(snapshot: Snapshot, patterns: string[]): Snapshot {
  if (patterns.length === 0) return snapshot;
  const ignored = picomatch(patterns, { dot: true });
  return new Map(
    [...snapshot].filter(([, object]) => !ignored(object.name) && !(object.table && ignored(object.table))),
  );
}

export interface SchemaDifference {
  key: string;
  only: 'left' | 'right' | 'changed';
  left?: string;
  right?: string;
}

/** Pure: what differs between two snapshots, sorted by key. */
export function diffSnapshots(left: Snapshot, right: Snapshot): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  for (const [key, object] of left) {
    const other = right.get(key);
    if (!other) differences.push({ key, only: 'left', left: object.definition });
    else if (other.definition !== object.definition) {
      differences.push({ key, only: 'changed', left: object.definition, right: other.definition });
    }
  }
  for (const [key, object] of right)
    if (!left.has(key)) differences.push({ key, only: 'right', right: object.definition });
  return differences.sort((a, b) => a.key.localeCompare(b.key));
}

/** "column public.users.nickname (text) exists after the first up but not after down→up". */
export function describeDifference(
  difference: SchemaDifference,
  leftLabel: string,
  rightLabel: string,
): string {
  const detail = (definition?: string) => (definition ? ` (${definition})` : '');
  if (difference.only === 'left') {
    return `${difference.key}${detail(difference.left)} exists ${leftLabel} but not ${rightLabel}`;
  }
  if (difference.only === 'right') {
    return `${difference.key}${detail(difference.right)} exists ${rightLabel} but not ${leftLabel}`;
  }
  return `${difference.key} differs: ${leftLabel} "${difference.left}", ${rightLabel} "${difference.right}"`;
}

/**
 * The number of rows of each table ("public.roles" → 3), for the tables `of` holds (an ignore-filtered
 * snapshot). Each is counted by a query of its own, and one that cannot be counted is left out, not the gate
 * failed: a table the role may not read (a migration made it another role's), or whose row security policy
 * fails for the gate's session (FORCE ROW LEVEL SECURITY with a policy reading an unset
 * current_setting('app.tenant')).
 */
export async function readRowCounts(client: pg.Client, of: Snapshot): Promise<Map<string, number>> {
  const { rows } = await client.query<{ name: string; count_query: string }>(
    `SELECT n.nspname || '.' || c.relname AS name,
            format('SELECT count(*) AS count FROM ONLY %I.%I', n.nspname, c.relname) AS count_query
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND ${USER_SCHEMAS}
        AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')`,
  );
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (!of.has(`table ${row.name}`)) continue;
    try {
      const counted = await client.query<{ count: string }>(row.count_query);
      counts.set(row.name, Number(counted.rows[0]!.count));
    } catch {
      // not countable by this role: compared by neither count
    }
  }
  return counts;
}

/**
 * Pure: the tables with fewer rows `after` than `before` (both read with readRowCounts), sorted by name. A
 * table only one of them has is a schema difference, reported as such.
 */
export function rowsLost(
  before: Map<string, number>,
  after: Map<string, number>,
): Array<{ table: string; before: number; after: number }> {
  return [...before]
    .filter(([table, count]) => after.has(table) && after.get(table)! < count)
    .map(([table, count]) => ({ table, before: count, after: after.get(table)! }))
    .sort((a, b) => a.table.localeCompare(b.table));
}
