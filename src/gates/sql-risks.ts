// Destructive or locking statements in SQL migrations (PostgreSQL), each with the expand/contract way to do
// it safely. Pure: text in, findings out. A finding is a warning for the reader; the gate chooses its level.

export interface SqlStatement {
  /** 1-based line where the statement starts. */
  line: number;
  /** The statement with comments blanked and whitespace collapsed. */
  text: string;
  /**
   * `text` with the contents of string literals and dollar-quoted bodies left out (`''`, `$$`): what the
   * statement does, without the words it only carries as data.
   */
  code: string;
}

// Sticky: each is tried at the splitter's position.
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;
const WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;
/** The rest of a word, number or name after its first character. */
const WORD_REST = /[\w$\u0080-\uffff]+/y;
/** Blanks, or characters that start nothing the splitter reads (no quote, $, ;, \\, -, / or word). */
const PLAIN_RUN = /[\t\n\v\f\r ]+|[^\s'"$;\\\-/A-Za-z_\u0080-\uffff]+/y;
const COPY_END = /\n\\\.[ \t]*(?:\r?\n|$)/g;

/**
 * Splits SQL into statements on `;` the way PostgreSQL and psql read it: quotes ('' doubled, E'' with
 * backslash escapes), dollar quotes ($tag$ ... $tag$), -- and nested /* *\/ comments, psql meta-commands
 * (`\set`, `\i`: a backslash up to the end of the line) and SQL-standard function bodies
 * (BEGIN ATOMIC ... END, whose inner statements end in `;`).
 */
export function splitStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  // The statement's text and code as chunks, joined once per statement: the work is linear in the file,
  // whatever its statements' sizes. What is kept as written goes in as one slice of the file per run.
  let current: string[] = [];
  let code: string[] = [];
  let verbatim = -1;
  let line = 1;
  let start: number | undefined;
  // BEGIN ATOMIC / CASE ... END nesting inside CREATE FUNCTION / PROCEDURE.
  let depth = 0;
  // Words of the statement so far, its first, and whether it creates a function or procedure: known for
  // good from its fifth word on (CREATE OR REPLACE FUNCTION is four).
  let words = 0;
  let first = '';
  let routine = false;
  let i = 0;
  const flush = () => {
    if (verbatim === -1) return;
    const chunk = sql.slice(verbatim, i);
    current.push(chunk);
    code.push(chunk);
    verbatim = -1;
  };
  const statementCode = () => {
    flush();
    return code.join('').replace(/\s+/g, ' ').trim();
  };
  const push = () => {
    flush();
    const text = current.join('').replace(/\s+/g, ' ').trim();
    if (text) statements.push({ line: start ?? line, text, code: statementCode() });
    current = [];
    code = [];
    start = undefined;
    depth = 0;
    words = 0;
    first = '';
    routine = false;
  };
  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (sql.charCodeAt(k) === 10) line += 1;
  };
  /**
   * sql[i, end) is read. `keep`: it is part of the statement (else a comment: a blank); `masked`: what the
   * statement's code keeps instead (default: all); `shown`: what its text keeps instead (default: all).
   */
  const take = (end: number, keep = true, masked?: string, shown?: string) => {
    countLines(i, end);
    if (keep && masked === undefined) {
      if (verbatim === -1) verbatim = i;
      return;
    }
    flush();
    current.push(keep ? (shown ?? sql.slice(i, end)) : ' ');
    code.push(keep ? masked! : ' ');
  };
  const lineEnd = (from: number) => {
    const at = sql.indexOf('\n', from);
    return at === -1 ? sql.length : at;
  };
  const at = (pattern: RegExp) => {
    pattern.lastIndex = i;
    return pattern.exec(sql);
  };
  while (i < sql.length) {
    const char = sql[i]!;
    const previous = sql[i - 1] ?? '';
    const afterWord = /[\w$]/.test(previous);
    if (
      start === undefined &&
      /\S/.test(char) &&
      !sql.startsWith('--', i) &&
      !sql.startsWith('/*', i) &&
      char !== ';' &&
      char !== '\\'
    ) {
      start = line;
    }
    let end: number;
    let word: RegExpExecArray | null;
    let run: RegExpExecArray | null;
    if (sql.startsWith('--', i)) {
      end = lineEnd(i);
      take(end, false);
    } else if (sql.startsWith('/*', i)) {
      // PostgreSQL's block comments nest: /* a /* b */ still a comment */.
      let nesting = 0;
      end = i;
      while (end < sql.length) {
        if (sql.startsWith('/*', end)) {
          nesting += 1;
          end += 2;
        } else if (sql.startsWith('*/', end)) {
          nesting -= 1;
          end += 2;
          if (nesting === 0) break;
        } else end += 1;
      }
      end = Math.min(end, sql.length);
      take(end, false);
    } else if (char === "'" || char === '"') {
      // E'...' (and e'...'): a backslash escapes the next character, \' included.
      const escapes = char === "'" && /[Ee]/.test(previous) && !/[\w$]/.test(sql[i - 2] ?? '');
      end = i + 1;
      while (end < sql.length) {
        if (escapes && sql[end] === '\\') end += 2;
        else if (sql[end] === char && sql[end + 1] === char) end += 2;
        else if (sql[end] === char) break;
        else end += 1;
      }
      end = Math.min(end + 1, sql.length);
      if (char === "'") take(end, true, "''");
      else {
        // A quoted name is a token of its own, written against a keyword or not (ALTER TABLE"users"DROP"a"):
        // kept apart by blanks, so the rules read its neighbours as words.
        const pad = (c: string) => (/[\w$\u0080-\uffff]/.test(c) ? ' ' : '');
        const name = pad(previous) + sql.slice(i, end) + pad(sql[end] ?? '');
        take(end, true, name, name);
      }
    } else if (!afterWord && (word = at(DOLLAR_TAG))) {
      const tag = word[0];
      const close = sql.indexOf(tag, i + tag.length);
      end = close === -1 ? sql.length : close + tag.length;
      take(end, true, '$$');
    } else if (char === '\\') {
      // A psql meta-command runs to the end of the line; \g sends the statement before it.
      end = lineEnd(i);
      take(end, false);
      if (sql[i + 1] === 'g') push();
    } else if (!afterWord && (word = at(WORD))) {
      end = i + word[0].length;
      const upper = word[0].toUpperCase();
      words += 1;
      if (words === 1) first = upper;
      if (first === 'CREATE' && words <= 5) {
        routine = /^CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b/i.test(statementCode());
      }
      if (routine) {
        if (upper === 'BEGIN' || upper === 'CASE') depth += 1;
        else if (upper === 'END' && depth > 0) depth -= 1;
      }
      take(end);
    } else if (char === ';' && depth === 0) {
      end = i + 1;
      const copy = first === 'COPY' && /^COPY\b.*\bFROM\s+STDIN\b/i.test(statementCode());
      push();
      if (copy) {
        // pg_dump's COPY ... FROM stdin; is followed by its rows, up to a line holding only \. : data, not SQL.
        COPY_END.lastIndex = end;
        const rows = COPY_END.exec(sql);
        const skip = rows ? rows.index + rows[0].length : sql.length;
        countLines(end, skip);
        end = skip;
      }
    } else if ((run = at(afterWord ? WORD_REST : PLAIN_RUN))) {
      // What no branch above reads, a run at a time: the rest of a word (or of a number and what sticks to
      // it), blanks, punctuation.
      end = i + run[0].length;
      take(end);
    } else {
      end = i + 1;
      take(end);
    }
    i = end;
  }
  push();
  return statements;
}

export interface SqlRisk {
  line: number;
  rule: string;
  message: string;
}

// A name, quoted or not, possibly made of Flyway / Liquibase placeholders (${schema}.users).
const NAME = String.raw`(?:"(?:[^"]|"")+"|(?:\$\{[\w.:-]+\}|[\w$])+)`;
const IDENT = String.raw`${NAME}(?:\.${NAME})?`;

/** The parts of a possibly qualified name as PostgreSQL reads them: unquoted folded to lower case, quoted as written. */
function nameParts(name: string): string[] {
  return [...name.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((part) =>
    part[1] !== undefined ? part[1].replace(/""/g, '"') : part[2]!.toLowerCase(),
  );
}

/** A table's name as a key: "Users" is not users; without the default `public.` schema. */
function tableKey(name: string): string {
  const parts = nameParts(name);
  if (parts.length > 1 && parts[0] === 'public') parts.shift();
  return parts.join('.');
}

/**
 * The key of the table an unqualified or qualified name reaches, for a table created where `schema` is first on
 * the search_path (undefined: not known, a key nothing matches).
 */
function keyIn(name: string, schema: string | undefined): string {
  const key = tableKey(name);
  if (nameParts(name).length > 1 || schema === 'public') return key;
  return schema === undefined ? `\0.${key}` : `${schema}.${key}`;
}

/**
 * Whether `name` reaches a table in `tables` (keys): qualified, that one; unqualified, one made in the schema
 * first on the search_path, or a temporary table (pg_temp is searched first), as PostgreSQL resolves it.
 */
function isIn(tables: Set<string>, name: string, schema: string | undefined = 'public'): boolean {
  if (tables.has(keyIn(name, schema))) return true;
  return nameParts(name).length === 1 && tables.has(`pg_temp.${tableKey(name)}`);
}

/**
 * Quoted identifiers as `"___"`: a column called "rename" or "drop" is a name, not a keyword. Of the same
 * length, so what a rule finds in it is at the same place in the code, where the name is read (withName).
 */
function withoutQuotedNames(code: string): string {
  return code.replace(/"(?:[^"]|"")*"/g, (name) => `"${'_'.repeat(Math.max(0, name.length - 2))}"`);
}

/** The name a match in the masked code found (its first group), as the code writes it. */
function withName(match: RegExpExecArray, code: string): string | undefined {
  const at = match.indices?.[1];
  return at ? code.slice(at[0], at[1]) : match[1];
}

/** The comma-separated actions of an ALTER TABLE, commas inside parentheses and quotes left alone. */
function alterActions(actions: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let part = '';
  for (const char of actions) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')') depth = Math.max(0, depth - 1);
    if (char === ',' && depth === 0 && !quoted) {
      parts.push(part.trim());
      part = '';
    } else part += char;
  }
  parts.push(part.trim());
  return parts.filter(Boolean);
}

// Defaults PostgreSQL evaluates per row, so adding a column with one rewrites the whole table under an
// exclusive lock (a constant or a stable default such as now() is stored once, PostgreSQL 11 and later).
const VOLATILE_DEFAULT =
  /\bDEFAULT\b.*\b(random|gen_random_uuid|uuid_generate_v[1-5]\w*|clock_timestamp|timeofday|statement_timestamp|nextval|txid_current|gen_random_bytes)\s*\(/i;
const REWRITING_TYPE = /^(small|big)?serial\d?\b|^serial[248]\b/i;

/**
 * The constraint of an ADD COLUMN definition (quoted names masked) that PostgreSQL checks against every
 * existing row, under the ADD COLUMN's ACCESS EXCLUSIVE lock: a CHECK always (the table is scanned even
 * when the new column is all NULL), a REFERENCES when the column gets a value (a DEFAULT, even DEFAULT NULL,
 * or a generated expression); a REFERENCES on a column without one is not checked (every row holds NULL).
 * A column constraint cannot be NOT VALID: the safe way is a separate ADD CONSTRAINT ... NOT VALID.
 */
function columnConstraintValidated(definition: string): 'CHECK' | 'REFERENCES' | undefined {
  // Parentheses first (a DEFAULT's or CHECK's expression): a word in an expression is no constraint.
  let outside = definition;
  for (let previous = ''; previous !== outside;) {
    previous = outside;
    outside = outside.replace(/\([^()]*\)/g, '()');
  }
  if (/\bCHECK\s*\(/i.test(outside)) return 'CHECK';
  if (/\bREFERENCES\b/i.test(outside) && /\b(DEFAULT|GENERATED\s+ALWAYS\s+AS\s*\()/i.test(outside)) {
    return 'REFERENCES';
  }
  return undefined;
}

const CONCURRENTLY =
  /^(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY|REINDEX\b.*\bCONCURRENTLY|ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY)\b/i;

const DOWN_MARKER = /^\s*--\s*(\+goose\s+down|\+migrate\s+down|migrate:down)\b/i;
const UP_MARKER = /^\s*--\s*(\+goose\s+up|\+migrate\s+up|migrate:up)\b/i;

/**
 * The file without the down sections of tools that keep both directions in one file (goose's
 * `-- +goose Down`, dbmate's `-- migrate:down`, sql-migrate's `-- +migrate Down`): a down section drops what
 * the up made, on purpose. Lines are kept (emptied), so line numbers stay those of the file.
 */
export function withoutDownSections(sql: string): string {
  let down = false;
  return sql
    .split('\n')
    .map((line) => {
      if (DOWN_MARKER.test(line)) down = true;
      else if (UP_MARKER.test(line)) down = false;
      return down ? '' : line;
    })
    .join('\n');
}

/**
 * A PL/pgSQL block's body as plain statements, for the rules: block and branch keywords end a statement,
 * and the text of EXECUTE '...' is a statement of its own.
 */
function plpgsqlAsSql(body: string): string {
  return body
    .replace(
      // EXECUTE $q$DROP TABLE t$q$: a dollar-quoted statement, as a string literal is.
      /\bEXECUTE\s+(?:format\s*\(\s*)?(\$(?:[A-Za-z_]\w*)?\$)([\s\S]*?)\1/gi,
      (_, _tag: string, sql: string) => `;\n${sql};\n`,
    )
    .replace(
      // EXECUTE format('DROP TABLE %I', name) builds its statement from the format string as much.
      /\bEXECUTE\s+(?:format\s*\(\s*)?'((?:[^']|'')*)'/gi,
      (_, sql: string) => `;\n${sql.replace(/''/g, "'")};\n`,
    )
    .replace(/\b(DECLARE|BEGIN|THEN|ELSE|LOOP|EXCEPTION)\b/gi, ';');
}

/**
 * Drops of objects other than a table that lose data or state, each with its rule and advice. DROP TABLE,
 * DROP SCHEMA and DROP COLUMN have their own rules; a view or a function dropped is usually dropped to be
 * created again in the same migration, and loses nothing.
 */
const DROPS_OF_DATA: Array<[RegExp, string, string]> = [
  [
    /^DROP\s+DATABASE\b/i,
    'drop-database',
    'DROP DATABASE loses every table in it and breaks the running version: a migration must never drop a database',
  ],
  [
    /^DROP\s+OWNED\b/i,
    'drop-owned',
    'DROP OWNED drops every table, sequence and other object the role owns, with their data: drop the objects you mean by name, in a later release',
  ],
  [
    /^DROP\s+SEQUENCE\b/i,
    'drop-sequence',
    'DROP SEQUENCE loses its current value and breaks the inserts of the running version that draw from it: stop using it first, drop it in a later release',
  ],
  [
    /^DROP\s+MATERIALIZED\s+VIEW\b/i,
    'drop-materialized-view',
    'DROP MATERIALIZED VIEW loses its stored rows (rebuilding them takes its whole query) and breaks the running version that reads it: stop reading it first, drop it in a later release',
  ],
];

/**
 * A drop with CASCADE of what a table column can be made of or computed with: PostgreSQL drops the columns of
 * the type, domain or collation (an extension's types included), a generated column whose expression uses the
 * function (or routine), operator, cast or text search configuration, a materialized view built on the view or
 * aggregate, and every table stored with the table access method, with their data, where the same drop without
 * CASCADE fails and names them.
 */
const DROP_CASCADE =
  /^DROP\s+(TYPE|DOMAIN|EXTENSION|COLLATION|FUNCTION|ROUTINE|AGGREGATE|OPERATOR|CAST|VIEW|ACCESS\s+METHOD|TEXT\s+SEARCH\s+(?:CONFIGURATION|DICTIONARY|PARSER|TEMPLATE))\b.*\bCASCADE\s*;?$/i;

/**
 * Maintenance that locks a table in use for as long as it runs, each with its rule and advice; the first
 * group, when there is one, is the table (a table the change creates is empty and unused).
 */
const LOCKING_MAINTENANCE: Array<[RegExp, string, string]> = [
  [
    new RegExp(
      String.raw`^VACUUM\s+(?:\([^)]*\bFULL\b[^)]*\)|FULL\b)(?:\s+(?:FREEZE|VERBOSE|ANALYZE)\b)*\s*(${IDENT})?`,
      'id',
    ),
    'table-rewrite',
    'VACUUM FULL rewrites the whole table under an ACCESS EXCLUSIVE lock: every read and write of it waits until the copy ends; run it in a maintenance window, or use pg_repack',
  ],
  [
    new RegExp(String.raw`^CLUSTER\b(?:\s+VERBOSE\b)?\s*(${IDENT})?`, 'id'),
    'table-rewrite',
    'CLUSTER rewrites the whole table under an ACCESS EXCLUSIVE lock: every read and write of it waits until the copy ends; run it in a maintenance window, or use pg_repack',
  ],
  [
    new RegExp(
      String.raw`^REINDEX\s+(?:\([^)]*\)\s*)?(?!.*\bCONCURRENTLY\b)(?:TABLE\s+(${IDENT})|INDEX|SCHEMA|DATABASE|SYSTEM)\b`,
      'id',
    ),
    'reindex-without-concurrently',
    'REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it builds: use REINDEX ... CONCURRENTLY (outside a transaction)',
  ],
  [
    /^REFRESH\s+MATERIALIZED\s+VIEW\s+(?!CONCURRENTLY\b)/i,
    'refresh-without-concurrently',
    'REFRESH MATERIALIZED VIEW without CONCURRENTLY locks the view against reads until the refresh ends: use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view)',
  ],
];

/**
 * The tables of the DELETEs in the statement (the statement itself, or one in a WITH) with no WHERE of their
 * own: a WHERE inside parentheses after it (a subquery in USING, the next CTE) is not its own. `bare`: the
 * code with strings and quoted names masked (withoutQuotedNames), so no parenthesis or keyword there is data.
 * A DELETE whose table is not written out (EXECUTE 'DELETE FROM ' || t, format('DELETE FROM %I', t)) is
 * there as its own text, which names no table the change made.
 */
function tablesDeletedWhole(bare: string, code: string): string[] {
  return withoutOwnWhere(
    bare,
    code,
    new RegExp(String.raw`\bDELETE\s+FROM\b(?:\s+(?:ONLY\s+)?(${IDENT}))?`, 'gid'),
  );
}

/**
 * The tables a DROP TABLE or TRUNCATE names, as written: `head` is the statement up to its list.
 * `code`: the statement's code, quoted names kept. None when one of them is not a name (a statement built
 * as text: format('DROP TABLE staging, %I', t)): what it acts on is not known.
 */
function tablesListed(code: string, head: RegExp): string[] {
  const start = head.exec(code);
  if (!start) return [];
  // Trimmed first, and the options taken off one at a time: no pattern backtracks over a run of blanks.
  let list = code.slice(start[0].length).trim().replace(/;$/, '').trimEnd();
  const option = /\s(?:CASCADE|RESTRICT|(?:RESTART|CONTINUE)\s+IDENTITY)$/i;
  for (let found = option.exec(list); found; found = option.exec(list)) {
    list = list.slice(0, found.index).trimEnd();
  }
  const item = new RegExp(String.raw`^(?:ONLY\s+)?(${IDENT})(?:\s*\*)?$`, 'i');
  const names = list.split(',').map((part) => item.exec(part.trim())?.[1]);
  return names.every((name) => name !== undefined) ? names : [];
}

/** Whether a statement naming `tables` acts on tables this change created only (new, empty, unused). */
function onlyNew(tables: string[], created: Set<string>, schema: string | undefined): boolean {
  return tables.length > 0 && tables.every((table) => isIn(created, table, schema));
}

/** `name`'s table is no longer one the change made (dropped, or another table took its name). */
function forget(created: Set<string>, name: string, schema: string | undefined): void {
  created.delete(keyIn(name, schema));
  if (nameParts(name).length === 1) created.delete(`pg_temp.${tableKey(name)}`);
}

/**
 * The tables an UPDATE in the statement (the statement itself, or one that starts a WITH's query) changes
 * in every row: no WHERE of its own. Not ON CONFLICT ... DO UPDATE (the conflicting rows), nor FOR UPDATE,
 * nor a trigger's or a grant's UPDATE: those are not at the start of a query.
 */
function tablesUpdatedWhole(bare: string, code: string): string[] {
  const updates = new RegExp(String.raw`(?:^|\(\s*)UPDATE\s+(?:ONLY\s+)?(${IDENT})`, 'gid');
  return withoutOwnWhere(bare, code, updates);
}

/** A condition that holds for every row, up to the end of its statement or CTE. */
const ALWAYS_TRUE = /^\s*(?:true|not\s+false|(\d+)\s*=\s*\1)\s*(?:$|;|\)|RETURNING\b)/i;

/**
 * Of the statements `pattern` finds in `bare` (its first group, if any, naming their table, read in `code`),
 * those with no WHERE.
 */
function withoutOwnWhere(bare: string, code: string, pattern: RegExp): string[] {
  const found: string[] = [];
  for (let match = pattern.exec(bare); match; match = pattern.exec(bare)) {
    let depth = 0;
    let own = false;
    const rest = /[()]|\bWHERE\b/gi;
    rest.lastIndex = match.index + match[0].length;
    for (let token = rest.exec(bare); token; token = rest.exec(bare)) {
      if (token[0] === '(') depth += 1;
      else if (token[0] === ')') {
        // The parenthesis that closes the CTE holding the DELETE: its end.
        if (depth === 0) break;
        depth -= 1;
      } else if (depth === 0) {
        // WHERE true, WHERE 1 = 1: a WHERE that keeps every row is none.
        own = !ALWAYS_TRUE.test(bare.slice(token.index + token[0].length));
        break;
      }
    }
    if (!own) found.push(withName(match, code) ?? match[0]);
  }
  return found;
}

/**
 * The body of a DO statement: dollar-quoted, or a string literal (`DO 'BEGIN DROP TABLE t; END'`, its quotes
 * doubled; E'…' with backslash escapes), which PostgreSQL runs the same. Undefined for any other statement.
 */
function doBlockBody(text: string): string | undefined {
  const dollar = /^DO\s+(?:LANGUAGE\s+plpgsql\s+)?(\$(?:[A-Za-z_]\w*)?\$)([\s\S]*?)\1/i.exec(text);
  if (dollar) return dollar[2]!;
  const escaped = /^DO\s+(?:LANGUAGE\s+plpgsql\s+)?E'((?:[^'\\]|''|\\[\s\S])*)'/i.exec(text);
  if (escaped) return escaped[1]!.replace(/''/g, "'").replace(/\\([\s\S])/g, '$1');
  const quoted = /^DO\s+(?:LANGUAGE\s+plpgsql\s+)?'((?:[^']|'')*)'/i.exec(text);
  return quoted ? quoted[1]!.replace(/''/g, "'") : undefined;
}

/**
 * The statement an EXPLAIN runs: with ANALYZE (`EXPLAIN ANALYZE`, `EXPLAIN ANALYSE VERBOSE`,
 * `EXPLAIN (ANALYZE, BUFFERS)`, not `(ANALYZE false)`), PostgreSQL executes it. Undefined otherwise.
 */
function explainedAndRun(text: string): string | undefined {
  const bare = /^EXPLAIN\s+ANALY[SZ]E\b(?:\s+VERBOSE\b)?\s*/i.exec(text);
  if (bare) return text.slice(bare[0].length);
  const options = /^EXPLAIN\s*\(([^()]*)\)\s*/i.exec(text);
  if (!options) return undefined;
  const analyze = options[1]!
    .split(',')
    .map((option) => option.trim().split(/\s+/))
    .find(([name]) => /^ANALY[SZ]E$/i.test(name ?? ''));
  if (!analyze || /^(false|off|0|no)$/i.test(analyze[1] ?? '')) return undefined;
  return text.slice(options[0].length);
}

/**
 * A CREATE FUNCTION / PROCEDURE's name and body (dollar-quoted, a string literal, or BEGIN ATOMIC ... END),
 * a PL/pgSQL body read as plain statements, and its options (the rest, without the body: LANGUAGE, SET
 * ...). Undefined for any other statement.
 */
function routineBody(text: string): { name: string; body: string; options: string } | undefined {
  const head = new RegExp(
    String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+(${IDENT})\s*\(`,
    'i',
  ).exec(text);
  if (!head) return undefined;
  const rest = text.slice(head[0].length);
  const dollar = /\bAS\s+(\$(?:[A-Za-z_]\w*)?\$)([\s\S]*?)\1/i.exec(rest);
  const quoted = dollar ? undefined : /\bAS\s+'((?:[^']|'')*)'/i.exec(rest);
  const atomic = /\bBEGIN\s+ATOMIC\b([\s\S]*)\bEND\s*$/i.exec(rest);
  const body = dollar ? dollar[2]! : quoted ? quoted[1]!.replace(/''/g, "'") : atomic?.[1];
  if (body === undefined) return undefined;
  const found = (dollar ?? quoted ?? atomic)!;
  return {
    name: head[1]!,
    body: /\bLANGUAGE\s+'?plpgsql\b/i.test(rest) ? plpgsqlAsSql(body) : body,
    options: rest.slice(0, found.index) + ' ' + rest.slice(found.index + found[0].length),
  };
}

/**
 * The names (as tableKey makes them) of what a statement (SELECT, CALL, PERFORM, ...) calls, once each;
 * none for a statement that only defines or names a routine (CREATE TRIGGER ... EXECUTE FUNCTION f()).
 * `code`, not `bare`: a quoted name ("Backfill"()) is a name here.
 */
function calledNames(bare: string, code: string): Set<string> {
  const names = new Set<string>();
  if (/^(CREATE|DROP|ALTER|COMMENT|GRANT|REVOKE)\b/i.test(bare)) return names;
  const call = new RegExp(String.raw`(?<![\w$."])(${IDENT})\s*\(`, 'gi');
  for (const match of code.matchAll(call)) names.add(tableKey(match[1]!));
  return names;
}

/** The lines of the statements that cannot run in a transaction (… CONCURRENTLY). */
export function concurrentStatementLines(sql: string): number[] {
  return splitStatements(sql)
    .filter((s) => CONCURRENTLY.test(withoutQuotedNames(s.code)))
    .map((s) => s.line);
}

/**
 * Whether the migration tool that wrote this file runs the statement on a line in a transaction of its own
 * (told by its annotations), and how to tell it not to; undefined when the file does not say. The file's
 * lines are read once, whatever the number of statements asked about.
 */
function toolTransactions(sql: string): (line: number) => string | undefined {
  const lines = sql.split('\n');
  const liquibase = /^\s*--\s*liquibase\s+formatted\s+sql\b/i.test(lines[0] ?? '');
  const goose =
    lines.some((l) => /^\s*--\s*\+goose\s+up\b/i.test(l)) &&
    !lines.some((l) => /^\s*--\s*\+goose\s+NO\s+TRANSACTION\b/i.test(l));
  // For each line (0-based), the index of the last --changeset and -- migrate:up line at or before it.
  const changesets: number[] = [];
  const dbmateUps: number[] = [];
  let changeset = -1;
  let dbmate = -1;
  lines.forEach((l, index) => {
    if (liquibase && /^\s*--\s*changeset\s/i.test(l)) changeset = index;
    if (/^\s*--\s*migrate:up\b/i.test(l)) dbmate = index;
    changesets.push(changeset);
    dbmateUps.push(dbmate);
  });
  return (line) => {
    const last = Math.min(line, lines.length) - 1;
    const at = changesets[last] ?? -1;
    if (liquibase && at !== -1 && !/\brunInTransaction:\s*false\b/i.test(lines[at]!)) {
      return `Liquibase runs the changeset on line ${at + 1} in one: add runInTransaction:false to its --changeset line`;
    }
    if (goose) return 'goose runs this file in one: add -- +goose NO TRANSACTION at its top';
    const up = dbmateUps[last] ?? -1;
    if (up !== -1 && !/\btransaction:\s*false\b/i.test(lines[up]!)) {
      return 'dbmate runs this section in one: write -- migrate:up transaction:false';
    }
    return undefined;
  };
}

/**
 * The tables a migration file creates (keys as keyIn makes them: in the schema first on the search_path of the
 * time), not a temporary one. Not CREATE TABLE IF NOT EXISTS: the table may be there already, with
 * its rows, and what the file does to it next takes locks on it.
 */
export function createdTables(sql: string): string[] {
  // A temporary table ends with the session: a later file (maybe another session) means the real table.
  return tablesCreated(splitStatements(withoutDownSections(sql))).keys.filter(
    (key) => !key.startsWith('pg_temp.'),
  );
}

/** The tables `statements` create: as createdTables keys them, and by their names alone (tableKey). */
function tablesCreated(statements: SqlStatement[]): { keys: string[]; names: string[] } {
  const path = searchPath();
  const keys: string[] = [];
  const names: string[] = [];
  for (const { code, text } of statements) {
    path.read(text, withoutQuotedNames(code));
    const made = createdTable(code, path.schema());
    if (made) {
      keys.push(made.key);
      // By name alone, but a temporary table still only where it hides the real one (unqualified).
      names.push(made.key.startsWith('pg_temp.') ? made.key : tableKey(made.name));
    }
  }
  return { keys, names };
}

const CREATE_TABLE = new RegExp(
  String.raw`^CREATE\s+(?:(?:GLOBAL\s+|LOCAL\s+)?(TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?!IF\s+NOT\s+EXISTS\b)(${IDENT})`,
  'i',
);

/** The table one statement creates, if it does: its name and key (as createdTables keys them). */
function createdTable(code: string, schema: string | undefined): { name: string; key: string } | undefined {
  const match = CREATE_TABLE.exec(code);
  if (!match) return undefined;
  const name = match[2]!;
  // A temporary table is made in pg_temp, whatever the search_path: it hides an unqualified name's table only.
  const temporary = /^TEMP/i.test(match[1] ?? '') && nameParts(name).length === 1;
  return { name, key: temporary ? `pg_temp.${tableKey(name)}` : keyIn(name, schema) };
}

/**
 * The schema an unqualified CREATE TABLE makes its table in, statement by statement: the first of the
 * search_path (SET, SET LOCAL until the transaction ends, set_config, RESET), public by default; undefined
 * where it cannot be told ("$user" and pg_catalog are left out, as a schema of the role's name seldom exists).
 */
function searchPath(): { read(text: string, bare: string): void; schema(): string | undefined } {
  let session: string | undefined = 'public';
  let local: { schema: string | undefined } | undefined;
  return {
    read(text, bare) {
      const set = /^SET\s+(SESSION\s+|LOCAL\s+)?search_path\s*(?:=|\bTO\b)/i.exec(text);
      const value = set ? text.slice(set[0].length).trim().replace(/;$/, '').trim() : '';
      const setConfig =
        /\bset_config\s*\(\s*'search_path'\s*,\s*'((?:[^']|'')*)'\s*,\s*(true|false)\s*\)/i.exec(text);
      if (set) {
        const schema = /^DEFAULT$/i.test(value) ? 'public' : firstSchema(value);
        if (/^LOCAL/i.test(set[1] ?? '')) local = { schema };
        else session = schema;
      } else if (setConfig) {
        const schema = firstSchema(setConfig[1]!.replace(/''/g, "'"));
        if (/true/i.test(setConfig[2]!)) local = { schema };
        else session = schema;
      } else if (/^RESET\s+(search_path|ALL)\b/i.test(bare)) {
        session = 'public';
        local = undefined;
      } else if (/^(COMMIT|END|ABORT|ROLLBACK(?!\s+(WORK\s+|TRANSACTION\s+)?TO\b))\b/i.test(bare)) {
        local = undefined;
      }
    },
    schema: () => (local ? local.schema : session),
  };
}

/** The first schema of a search_path's value (`app, public`, `'app'`, `"App"`), as a key. */
function firstSchema(value: string): string | undefined {
  for (const item of value.split(',')) {
    const written = item.trim();
    const quoted = /^'(.*)'$|^"(.*)"$/.exec(written);
    const schema = quoted ? (quoted[1] ?? quoted[2]!) : written.toLowerCase();
    if (schema === '' || schema === '$user' || schema === 'pg_catalog' || schema === 'pg_temp') continue;
    return schema;
  }
  return undefined;
}

/**
 * Pure: the risky statements of one migration file. `newTables`: tables created by earlier migrations of
 * the same change, as empty as the ones this file creates.
 */
export function findSqlRisks(
  sql: string,
  newTables: Iterable<string> = [],
  options: FindOptions = {},
): SqlRisk[] {
  return findRisks(sql, newTables, options, new Map());
}

type Routines = Map<string, { name: string; body: string }>;

/** How deep calls from routine to routine are followed: migrations nest a few; a hostile file, thousands. */
export const MAX_CALL_DEPTH = 16;

/**
 * findSqlRisks, with the routines its file created so far (a DO block's or a routine's body calls those of
 * its file, and one it creates joins them). `seen`: for a part of one statement of the file (a DO block, a
 * called routine's body), the routines already read for that statement: each is read once per statement,
 * however often and however deep it is called (a chain of routines each calling the next twice would
 * otherwise be read 2^n times, and one calling itself forever).
 */
function findRisks(
  sql: string,
  newTables: Iterable<string>,
  options: FindOptions,
  routines: Routines,
  seen?: Set<string>,
  depth = 0,
): SqlRisk[] {
  const statements = splitStatements(withoutDownSections(sql));
  // Tables created in this same file are new and empty: indexing or constraining them locks nothing.
  const made = tablesCreated(statements);
  const created = new Set([...newTables, ...made.keys, ...made.names]);
  // The tables made before the statement read, and there still: what a statement deletes or drops was empty
  // only if it was created before it (DROP TABLE users; CREATE TABLE users (...) loses the old table's rows),
  // under the name PostgreSQL resolves (the search_path of the time; "Users" is not users).
  const createdBefore = new Set(newTables);
  const path = searchPath();
  const risks: SqlRisk[] = [];
  let transaction: number | undefined;
  let toolTransaction: ((line: number) => string | undefined) | undefined;
  for (const { line, code, text } of statements) {
    const add = (rule: string, message: string) => risks.push({ line, rule: `migrations.${rule}`, message });
    const bare = withoutQuotedNames(code);
    // The routines read for this statement of the file (shared with the parts of it read below).
    const reading = seen ?? new Set<string>();
    path.read(text, bare);
    const schema = path.schema();
    const table = createdTable(code, schema);
    if (table) createdBefore.add(table.key);

    if (/^(BEGIN|START\s+TRANSACTION)\b/i.test(bare)) transaction = line;
    else if (/^(COMMIT|END|ABORT|ROLLBACK(?!\s+(WORK\s+|TRANSACTION\s+)?TO\b))\b/i.test(bare)) {
      transaction = undefined;
    }
    if (CONCURRENTLY.test(bare)) {
      // REINDEX (VERBOSE) TABLE ...: the options in parentheses are no part of what it does.
      const what = /^\w+(?:\s*\([^)]*\))?(\s+UNIQUE)?\s+\w+/i
        .exec(bare)![0]
        .replace(/\s*\([^)]*\)/, '')
        .toUpperCase();
      toolTransaction ??= toolTransactions(sql);
      const wrapped = transaction === undefined ? toolTransaction(line) : undefined;
      if (transaction !== undefined) {
        add(
          'concurrently-in-transaction',
          `${what} ... CONCURRENTLY cannot run inside the transaction opened on line ${transaction}: PostgreSQL refuses it; run it outside BEGIN ... COMMIT (and tell the migration tool not to wrap this file in a transaction)`,
        );
      } else if (wrapped) {
        add(
          'concurrently-in-transaction',
          `${what} ... CONCURRENTLY cannot run inside a transaction, and ${wrapped}`,
        );
      }
    }
    // A DO block runs its body now (a function's body runs later, when called): its statements are this
    // migration's, also those it builds as text for EXECUTE.
    const block = doBlockBody(text);
    if (block !== undefined) {
      for (const risk of findRisks(
        plpgsqlAsSql(block),
        createdBefore,
        { lockTimeout: false },
        routines,
        reading,
        depth,
      )) {
        risks.push({ ...risk, line, message: `in the DO block: ${risk.message}` });
      }
    }
    // A table this change creates and drops again (a staging table of a data migration) held nothing before.
    const dropped = /^DROP\s+TABLE\b/i.test(bare)
      ? tablesListed(code, /^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?/i)
      : [];
    if (/^DROP\s+TABLE\b/i.test(bare) && !onlyNew(dropped, createdBefore, schema)) {
      add(
        'drop-table',
        'DROP TABLE loses data and breaks the running version: stop using the table first, drop it in a later release',
      );
    }
    if (/^DROP\s+SCHEMA\b/i.test(bare)) {
      add(
        'drop-schema',
        'DROP SCHEMA loses the schema (with CASCADE, every table in it) and breaks the running version: stop using it first, drop it in a later release',
      );
    }
    for (const [pattern, rule, message] of DROPS_OF_DATA) if (pattern.test(bare)) add(rule, message);
    const cascade = DROP_CASCADE.exec(bare);
    if (cascade) {
      const what = cascade[1]!.toUpperCase().replace(/\s+/g, ' ');
      add(
        'drop-cascade',
        `DROP ${what} ... CASCADE also drops what depends on it, table columns included (a column of the type, a generated column that uses it, a materialized view on it, a table stored with the access method) with their data, and the triggers that run a function: drop it without CASCADE, which fails and names them, and remove those first in an earlier release`,
      );
    }
    if (
      /^TRUNCATE\b/i.test(bare) &&
      !onlyNew(tablesListed(code, /^TRUNCATE\s+(?:TABLE\s+)?/i), createdBefore, schema)
    ) {
      add('truncate', 'TRUNCATE deletes every row of the table');
    }
    for (const [pattern, rule, message] of LOCKING_MAINTENANCE) {
      const found = pattern.exec(bare);
      const table = found && withName(found, code);
      if (found && !(table && isIn(created, table))) add(rule, message);
    }
    // A DELETE of its own, or one in a WITH (a data-modifying CTE runs whatever the outer query reads).
    if (
      /^(DELETE|WITH)\b/i.test(bare) &&
      tablesDeletedWhole(bare, code).some((name) => !isIn(createdBefore, name, schema))
    ) {
      add('delete-all-rows', 'DELETE without WHERE deletes every row of the table');
    }
    if (/^(UPDATE|WITH)\b/i.test(bare)) {
      for (const table of tablesUpdatedWhole(bare, code)) {
        if (isIn(created, table)) continue;
        add(
          'update-all-rows',
          `UPDATE ${table} without WHERE rewrites every row of the table in one transaction: it holds every row's lock to the end (the running version's writes to the table wait) and leaves a dead copy of each row; update in batches by key range`,
        );
      }
    }
    // EXPLAIN ANALYZE runs the statement it explains (only the plan is printed): its risks are this one's.
    const explained = explainedAndRun(text);
    if (explained !== undefined) {
      for (const risk of findRisks(
        explained,
        createdBefore,
        { lockTimeout: false },
        routines,
        reading,
        depth,
      )) {
        risks.push({ ...risk, line, message: `EXPLAIN ANALYZE runs the statement: ${risk.message}` });
      }
    }
    // A function or procedure this file creates runs its body where the file calls it.
    for (const key of routines.size > 0 ? calledNames(bare, code) : []) {
      const routine = routines.get(key);
      if (!routine || reading.has(key)) continue;
      reading.add(key);
      if (depth >= MAX_CALL_DEPTH) {
        add(
          'calls-too-deep',
          `${routine.name}() is called ${depth + 1} routines deep: its body is not read for risks (nor for the lock_timeout check); read it yourself`,
        );
        continue;
      }
      const body = findRisks(
        routine.body,
        createdBefore,
        { lockTimeout: false },
        routines,
        reading,
        depth + 1,
      );
      for (const risk of body) {
        risks.push({ ...risk, line, message: `${routine.name}(), called here: ${risk.message}` });
      }
    }
    const routine = routineBody(text);
    if (routine) routines.set(tableKey(routine.name), routine);
    // A dropped table is gone, and a name an older table is renamed or moved to holds that table's rows.
    for (const name of dropped) forget(createdBefore, name, schema);
    const moved = new RegExp(
      String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${IDENT})\s+(?:RENAME\s+TO\s+(${NAME})|SET\s+SCHEMA\s+(${NAME}))`,
      'i',
    ).exec(code);
    if (moved) {
      const from = nameParts(moved[1]!);
      const to =
        moved[2] !== undefined
          ? [...from.slice(0, -1), ...nameParts(moved[2])]
          : [...nameParts(moved[3]!), from.at(-1)!];
      forget(createdBefore, moved[1]!, schema);
      forget(createdBefore, to.map((part) => `"${part.replace(/"/g, '""')}"`).join('.'), schema);
    }

    const alter = new RegExp(
      String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${IDENT})\s*\*?\s*`,
      'i',
    ).exec(code);
    if (alter) {
      const isNew = isIn(created, alter[1]!);
      for (const action of alterActions(code.slice(alter[0].length))) {
        const act = withoutQuotedNames(action);
        if (/^DROP\s+(?!CONSTRAINT\b)/i.test(act)) {
          add(
            'drop-column',
            'DROP COLUMN breaks the running version that still reads it: stop reading it first, drop it in a later release (expand/contract)',
          );
        }
        if (/^ALTER\s+(COLUMN\s+)?"?[\w$\u0080-\uffff]+"?\s+(SET\s+DATA\s+)?TYPE\b/i.test(act)) {
          add(
            'column-type',
            'changing a column type rewrites the table under an exclusive lock and can break readers: add a new column, backfill, switch, drop the old one',
          );
        }
        if (!isNew && /^ALTER\s+(COLUMN\s+)?"?[\w$\u0080-\uffff]+"?\s+SET\s+NOT\s+NULL\b/i.test(act)) {
          add(
            'set-not-null',
            'SET NOT NULL scans the table under an exclusive lock: add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it, then set NOT NULL',
          );
        }
        if (!isNew && /^SET\s+(TABLESPACE|LOGGED|UNLOGGED)\b/i.test(act)) {
          add(
            'table-rewrite',
            `SET ${/^SET\s+(\w+)/i.exec(act)![1]!.toUpperCase()} rewrites the whole table under an ACCESS EXCLUSIVE lock: every read and write of it waits until the copy ends`,
          );
        }
        if (/^RENAME\b/i.test(act)) {
          add(
            'rename',
            'RENAME breaks the running version that uses the old name: add the new name, copy or alias, switch readers, drop the old name later',
          );
        }
        if (isNew) continue;
        const column = new RegExp(
          String.raw`^ADD\s+(?!(?:CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN|EXCLUDE)\b)(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})\s*(.*)$`,
          'i',
        ).exec(action);
        if (column) {
          const definition = withoutQuotedNames(column[2]!);
          // A column constraint that builds an index: the same lock as ADD UNIQUE / PRIMARY KEY.
          if (/\b(UNIQUE|PRIMARY\s+KEY)\b/i.test(definition.replace(/\([^()]*\)/g, ''))) {
            add(
              'add-constraint-index',
              `ADD COLUMN ${column[1]} UNIQUE / PRIMARY KEY builds its index while holding a lock that blocks reads and writes: add the column, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX`,
            );
          }
          if (
            /\bNOT\s+NULL\b/i.test(definition) &&
            !/\bDEFAULT\b/i.test(definition) &&
            !/\bGENERATED\b/i.test(definition) &&
            !REWRITING_TYPE.test(definition)
          ) {
            add(
              'add-column-not-null',
              `ADD COLUMN ${column[1]} NOT NULL without a DEFAULT fails on a table with rows and breaks the running version's inserts: add it nullable or with a DEFAULT`,
            );
          }
          if (
            VOLATILE_DEFAULT.test(definition) ||
            REWRITING_TYPE.test(definition) ||
            /\bGENERATED\b.*\b(STORED|IDENTITY)\b/i.test(definition)
          ) {
            add(
              'add-column-rewrite',
              `ADD COLUMN ${column[1]} with a per-row value (a volatile DEFAULT, serial, identity or a stored generated column) rewrites the table under an exclusive lock: add it nullable without the default, backfill in batches, then set the default`,
            );
          }
          const validated = columnConstraintValidated(definition);
          if (validated) {
            add(
              'add-constraint-validated',
              `ADD COLUMN ${column[1]} ${validated === 'CHECK' ? 'CHECK' : 'REFERENCES with a value (DEFAULT or generated)'} checks every existing row while ADD COLUMN holds its ACCESS EXCLUSIVE lock (every read and write of the table waits): add the column without it, then ADD CONSTRAINT ... ${validated === 'CHECK' ? 'CHECK (...)' : 'FOREIGN KEY (...) REFERENCES ...'} NOT VALID, then VALIDATE CONSTRAINT in a later statement`,
            );
          }
        } else if (/^ADD\s+(CONSTRAINT\s+"?[\w$\u0080-\uffff]+"?\s+)?(FOREIGN\s+KEY|CHECK)\b/i.test(act)) {
          if (!/\bNOT\s+VALID\b/i.test(act)) {
            // What PostgreSQL locks while it checks the rows: a CHECK takes ACCESS EXCLUSIVE on the table, a
            // FOREIGN KEY SHARE ROW EXCLUSIVE on it and on the table it references.
            add(
              'add-constraint-validated',
              /^ADD\s+(CONSTRAINT\s+\S+\s+)?CHECK\b/i.test(act)
                ? 'ADD CONSTRAINT ... CHECK checks every existing row while it holds an ACCESS EXCLUSIVE lock (every read and write of the table waits): add it NOT VALID, then VALIDATE CONSTRAINT in a later statement (which lets reads and writes go on)'
                : 'ADD CONSTRAINT ... FOREIGN KEY checks every existing row while it holds a lock that blocks writes to this table and to the one it references: add it NOT VALID, then VALIDATE CONSTRAINT in a later statement (which lets reads and writes go on)',
            );
          }
        } else if (/^ADD\s+(CONSTRAINT\s+"?[\w$\u0080-\uffff]+"?\s+)?(UNIQUE|PRIMARY\s+KEY)\b/i.test(act)) {
          if (!/\bUSING\s+INDEX\b/i.test(act)) {
            add(
              'add-constraint-index',
              'ADD UNIQUE / PRIMARY KEY builds its index while holding a lock that blocks reads and writes: CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX',
            );
          }
        } else if (/^ADD\s+(CONSTRAINT\s+"?[\w$\u0080-\uffff]+"?\s+)?EXCLUDE\b/i.test(act)) {
          add(
            'add-constraint-index',
            'ADD EXCLUDE builds its index and checks every row while holding a lock that blocks reads and writes (it cannot use an index built CONCURRENTLY): add it in a maintenance window, or check the rule in the application',
          );
        }
      }
    }
    // A routine by its signature, which may hold blanks and a type's parentheses: ALTER FUNCTION
    // f(a numeric(10, 2)) RENAME TO g.
    const renamed =
      /^ALTER\s+(?:(?:VIEW|INDEX|SEQUENCE|TYPE|SCHEMA|DOMAIN|FOREIGN\s+TABLE|MATERIALIZED\s+VIEW)\s+(IF\s+EXISTS\s+)?\S+|(?:FUNCTION|PROCEDURE|ROUTINE|AGGREGATE)\s+[^(\s]+(?:\s*\((?:[^()]|\([^()]*\))*\))?)\s+RENAME\b/i;
    if (renamed.test(bare)) {
      add(
        'rename',
        'RENAME breaks the running version that uses the old name: add the new name, copy or alias, switch readers, drop the old name later',
      );
    }
    const index = new RegExp(
      String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:${IDENT}\s+)?ON\s+(?:ONLY\s+)?(${IDENT})`,
      'i',
    ).exec(code);
    if (index && !index[1] && !isIn(created, index[2]!)) {
      add(
        'index-without-concurrently',
        `CREATE INDEX on existing table ${index[2]} blocks writes while it builds: use CREATE INDEX CONCURRENTLY (outside a transaction)`,
      );
    }
  }
  if (options.lockTimeout !== false) {
    const missing = lockTimeoutRisk(statements, created);
    if (missing) risks.push(missing);
  }
  return risks.sort((a, b) => a.line - b.line);
}

export interface FindOptions {
  /**
   * Whether to report lock-taking statements run without a lock_timeout (default true). Off for a part of
   * a file (a DO block's body: the file's own walk reads it) and for Liquibase changelogs' <sql> bodies.
   */
  lockTimeout?: boolean;
}

/** What a statement locks on a table that may be in use, e.g. "ALTER TABLE users"; undefined if nothing. */
function lockTaken(bare: string, code: string, created: Set<string>): string | undefined {
  for (const [pattern, what] of LOCKING_STATEMENTS) {
    const match = pattern.exec(bare);
    if (!match) continue;
    const table = withName(match, code)!;
    // An index is dropped from its table: not one this file created, as far as a name tells.
    if (what !== 'DROP INDEX' && isIn(created, table)) return undefined;
    return `${what} ${table}`;
  }
  return undefined;
}

/** The statements that lock a table, each with its table's name as its first group. */
const LOCKING_STATEMENTS: Array<[RegExp, string]> = [
  [new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${IDENT})`, 'id'), 'ALTER TABLE'],
  [
    new RegExp(
      String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)(?:IF\s+NOT\s+EXISTS\s+)?(?:${IDENT}\s+)?ON\s+(?:ONLY\s+)?(${IDENT})`,
      'id',
    ),
    'CREATE INDEX on',
  ],
  [new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(${IDENT})`, 'id'), 'DROP TABLE'],
  [new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(${IDENT})`, 'id'), 'TRUNCATE'],
  [new RegExp(String.raw`^LOCK\s+(?:TABLE\s+)?(?:ONLY\s+)?(${IDENT})`, 'id'), 'LOCK TABLE'],
  [
    new RegExp(
      String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\b.*?\bON\s+(${IDENT})`,
      'id',
    ),
    'CREATE TRIGGER on',
  ],
  [
    new RegExp(String.raw`^DROP\s+INDEX\s+(?!CONCURRENTLY\b)(?:IF\s+EXISTS\s+)?(${IDENT})`, 'id'),
    'DROP INDEX',
  ],
];

/** Whether a lock_timeout value turns it on: 0 (and DEFAULT, the server's default 0) waits forever. */
function lockTimeoutOn(value: string): boolean {
  const bare = value
    .trim()
    .replace(/^'(.*)'$/s, '$1')
    .trim();
  return !/^(0+(\.0*)?\s*(us|ms|s|min|h|d)?|DEFAULT)$/i.test(bare);
}

/**
 * A statement that takes a lock on a table in use (ALTER TABLE, CREATE INDEX without CONCURRENTLY, DROP,
 * TRUNCATE, LOCK, CREATE TRIGGER) while no lock_timeout is set. Waiting for its lock behind a long
 * transaction, it makes every query on the table queue behind it: the outage a migration must not cause
 * (seed 01: "No downtime during migration"). One finding per file, at the first such statement, counting
 * the others. SET lock_timeout (SESSION or LOCAL, until the transaction ends), set_config('lock_timeout',
 * ...) and RESET are followed, also inside a DO block.
 */
function lockTimeoutRisk(statements: SqlStatement[], created: Set<string>): SqlRisk | undefined {
  const tracker = lockTimeoutTracker(created);
  for (const statement of statements) tracker.statement(statement);
  return tracker.risk();
}

/**
 * Follows lock_timeout through a migration read in order, for the no-lock-timeout finding: SQL statements
 * (SET, SET LOCAL until the transaction ends, set_config, RESET; the statements of a DO block) and changes
 * that lock a table without being SQL (a Liquibase change type), `what` naming them.
 */
export function lockTimeoutTracker(created: Set<string>): {
  statement(statement: SqlStatement): void;
  lockingChange(line: number, what: string): void;
  risk(): SqlRisk | undefined;
} {
  let session = false;
  let local = false;
  let first: { line: number; what: string } | undefined;
  let count = 0;
  const locks = (line: number, what: string) => {
    if (session || local) return;
    count += 1;
    first ??= { line, what };
  };
  /** `via`: the routine whose body the statement is in, called on `line`. */
  const read = (line: number, text: string, code: string, via?: string) => {
    const bare = withoutQuotedNames(code);
    const set = /^SET\s+(SESSION\s+|LOCAL\s+)?lock_timeout\s*(?:=|\bTO\b)\s*(.*)$/i.exec(text);
    const setConfig = /\bset_config\s*\(\s*'lock_timeout'\s*,\s*'([^']*)'\s*,\s*(true|false)\s*\)/i.exec(
      text,
    );
    if (set) {
      if (/^LOCAL/i.test(set[1] ?? '')) local = lockTimeoutOn(set[2]!);
      else session = lockTimeoutOn(set[2]!);
    } else if (setConfig) {
      if (/true/i.test(setConfig[2]!)) local = lockTimeoutOn(setConfig[1]!);
      else session = lockTimeoutOn(setConfig[1]!);
    } else if (/^RESET\s+(lock_timeout|ALL)\b/i.test(bare)) {
      session = false;
      local = false;
    } else if (/^(COMMIT|END|ABORT|ROLLBACK(?!\s+(WORK\s+|TRANSACTION\s+)?TO\b))\b/i.test(bare)) {
      local = false;
    }
    const what = lockTaken(bare, code, created);
    if (what) locks(line, via ? `${what} (in ${via}(), called here)` : what);
  };
  /** The functions and procedures created so far: a call runs its body's statements where it is. */
  const routines = new Map<string, { name: string; body: string; lockTimeout: boolean }>();
  /** A statement at `line` (of the file, or of a DO block or routine run there), and the routines it calls. */
  /** `seen`: the routines already read for this statement of the file (once each, as findRisks reads them). */
  const run = (line: number, text: string, code: string, seen: Set<string>, via?: string, depth = 0) => {
    read(line, text, code, via);
    const routine = routineBody(text);
    if (routine) {
      // CREATE FUNCTION ... SET lock_timeout = '5s' (or FROM CURRENT): the setting holds while its body runs.
      const setting =
        /\bSET\s+lock_timeout\s*(?:=\s*|\bTO\s+)('[^']*'|[^\s;]+)|\bSET\s+lock_timeout\s+FROM\s+CURRENT\b/i.exec(
          routine.options,
        );
      const lockTimeout =
        !!setting && (setting[1] === undefined ? session || local : lockTimeoutOn(setting[1]));
      routines.set(tableKey(routine.name), { ...routine, lockTimeout });
    }
    if (routines.size === 0) return;
    for (const key of calledNames(withoutQuotedNames(code), code)) {
      const called = routines.get(key);
      // A routine called again (by itself, another, or twice) runs the same statements again: read once.
      if (!called || seen.has(key) || depth >= MAX_CALL_DEPTH) continue;
      seen.add(key);
      const saved = { session, local };
      if (called.lockTimeout) session = true;
      for (const inner of splitStatements(called.body)) {
        run(line, inner.text, inner.code, seen, called.name, depth + 1);
      }
      // A routine's own SET clause is undone when it returns; a SET in its body stays.
      if (called.lockTimeout) ({ session, local } = saved);
    }
  };
  return {
    statement({ line, text, code }) {
      const block = doBlockBody(text);
      if (block !== undefined) {
        const seen = new Set<string>();
        for (const inner of splitStatements(plpgsqlAsSql(block))) run(line, inner.text, inner.code, seen);
      } else run(line, text, code, new Set());
    },
    lockingChange: locks,
    risk() {
      if (!first) return undefined;
      const others = count - 1;
      return {
        line: first.line,
        rule: 'migrations.no-lock-timeout',
        message:
          `${first.what} runs with no lock_timeout set${others ? ` (and ${others} more statement(s) of this file that take locks)` : ''}: ` +
          "if a long transaction holds the table, it waits for its lock and every query on the table queues behind it; start the migration with SET lock_timeout = '5s' (or SET LOCAL in its transaction) and retry it when it times out",
      };
    },
  };
}
