import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createdTables, findSqlRisks, splitStatements } from '../../../src/gates/sql-risks.ts';

// The lock_timeout rule has its own tests; the others leave it out.
const rulesOf = (sql: string) =>
  findSqlRisks(sql, [], { lockTimeout: false }).map((r) => `${r.line}:${r.rule.replace('migrations.', '')}`);

describe('splitStatements', () => {
  it('splits on semicolons outside quotes, dollar quotes and comments, with start lines', () => {
    const sql = [
      '-- a comment; not a statement',
      "INSERT INTO t VALUES ('a;b', 'it''s');",
      '',
      'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;',
      '/* block; comment */ SELECT',
      '  2;',
    ].join('\n');
    const statements = splitStatements(sql);
    assert.deepEqual(
      statements.map((s) => s.line),
      [2, 4, 5],
    );
    assert.equal(statements[0]!.text, "INSERT INTO t VALUES ('a;b', 'it''s')");
    assert.match(statements[1]!.text, /\$body\$ SELECT 1; \$body\$/);
    assert.equal(statements[2]!.text, 'SELECT 2');
  });
  it('reads comments, strings and bodies as PostgreSQL and psql do', () => {
    const sql = [
      '/* outer /* nested */ still the comment; DROP TABLE a; */ SELECT 1;',
      "INSERT INTO t VALUES (E'it\\'s; DROP TABLE b'), (e'\\\\');",
      'CREATE FUNCTION f() RETURNS void AS $fn1$ SELECT 1; DROP TABLE c; $fn1$ LANGUAGE sql;',
      '\\set ON_ERROR_STOP on',
      '\\i common.sql',
      'SELECT 2;',
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql',
      'BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 3; END;',
      'SELECT 4 \\gset',
      'SELECT 5;',
    ].join('\n');
    assert.deepEqual(
      splitStatements(sql).map((s) => `${s.line}:${s.code}`),
      [
        '1:SELECT 1',
        "2:INSERT INTO t VALUES (E''), (e'')",
        '3:CREATE FUNCTION f() RETURNS void AS $$ LANGUAGE sql',
        '6:SELECT 2',
        '7:CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 3; END',
        '9:SELECT 4',
        '10:SELECT 5',
      ],
    );
  });

  it('finds a statement after a nested comment or a psql meta-command', () => {
    const sql = [
      '/* a /* b */ c */ DROP TABLE users;',
      '\\set ON_ERROR_STOP on',
      'ALTER TABLE users DROP COLUMN nickname;',
      'CREATE FUNCTION f() RETURNS void AS $fn1$ SELECT 1; DROP TABLE tmp; $fn1$ LANGUAGE sql;',
      "SELECT E'\\'; DROP TABLE x; ';",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:drop-table', '3:drop-column']);
  });
});

describe('findSqlRisks', () => {
  it('flags destructive and locking statements with their line', () => {
    const sql = [
      'DROP TABLE legacy_sessions;',
      'ALTER TABLE users DROP COLUMN nickname;',
      'ALTER TABLE users ALTER COLUMN email TYPE varchar(320);',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      'ALTER TABLE users ADD COLUMN tenant_id integer NOT NULL;',
      'ALTER TABLE users RENAME COLUMN name TO full_name;',
      'TRUNCATE audit_log;',
      'CREATE INDEX users_email_idx ON users (email);',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:drop-table',
      '2:drop-column',
      '3:column-type',
      '4:set-not-null',
      '5:add-column-not-null',
      '6:rename',
      '7:truncate',
      '8:index-without-concurrently',
    ]);
  });

  it('flags a rename of what the running version calls or reads by name: a function by its signature, a view, a domain', () => {
    const sql = [
      'ALTER FUNCTION total_due(customer_id int, since date) RENAME TO amount_due;',
      'alter procedure archive_orders RENAME TO archive_old_orders;',
      'ALTER VIEW active_users RENAME TO current_users;',
      'ALTER DOMAIN email RENAME TO email_address;',
      // Not a rename: nothing the running version names changes.
      'ALTER FUNCTION total_due(int, date) OWNER TO app;',
      // A type's own parentheses in the signature; an aggregate.
      'ALTER FUNCTION public.tax(amount numeric(10, 2), code varchar(3)) RENAME TO vat;',
      'ALTER AGGREGATE total(int) RENAME TO grand_total;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:rename', '2:rename', '3:rename', '4:rename', '6:rename', '7:rename']);
  });

  it('flags drops that lose data beyond a table: a database, what a role owns, a sequence, a materialized view', () => {
    const sql = [
      'DROP DATABASE app;',
      'drop owned by app_user cascade;',
      'DROP SEQUENCE IF EXISTS orders_id_seq;',
      'DROP MATERIALIZED VIEW daily_totals;',
      // Dropped to be created again: nothing stored is lost.
      'DROP VIEW IF EXISTS active_users;',
      'DROP FUNCTION IF EXISTS touch();',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:drop-database',
      '2:drop-owned',
      '3:drop-sequence',
      '4:drop-materialized-view',
    ]);
  });

  it('flags a drop with CASCADE that takes table columns with it (their type, domain, collation, function)', () => {
    // Each of these, run against PostgreSQL, dropped the column of a table made with it.
    const sql = [
      'DROP TYPE mood CASCADE;',
      'drop domain if exists positive_int cascade;',
      'DROP EXTENSION citext CASCADE;',
      'DROP COLLATION german CASCADE;',
      'DROP FUNCTION doubled(int) CASCADE;',
      'DO $$ BEGIN DROP TYPE status CASCADE; END $$;',
      // A generated column of the routine or text search configuration, a table stored with the access method,
      // a materialized view of the aggregate.
      'DROP ROUTINE doubled(int) CASCADE;',
      'DROP TEXT SEARCH CONFIGURATION IF EXISTS app_search CASCADE;',
      'DROP ACCESS METHOD columnar CASCADE;',
      'DROP AGGREGATE median(numeric) CASCADE;',
      // Without CASCADE PostgreSQL refuses while anything depends on it: nothing is lost.
      'DROP TYPE mood;',
      'DROP FUNCTION IF EXISTS touch() RESTRICT;',
      "COMMENT ON TYPE mood IS 'DROP TYPE x CASCADE';",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:drop-cascade',
      '2:drop-cascade',
      '3:drop-cascade',
      '4:drop-cascade',
      '5:drop-cascade',
      '6:drop-cascade',
      '7:drop-cascade',
      '8:drop-cascade',
      '9:drop-cascade',
      '10:drop-cascade',
    ]);
    assert.match(findSqlRisks(sql)[0]!.message, /^DROP TYPE \.\.\. CASCADE also drops .*table columns/);
    assert.match(findSqlRisks(sql)[7]!.message, /^DROP TEXT SEARCH CONFIGURATION \.\.\. CASCADE/);
  });

  it('leaves alone a staging table the change creates, fills and drops again: it held nothing before', () => {
    const sql = [
      'CREATE TABLE staging_emails (id int, email text);',
      'CREATE TEMP TABLE "Id_Map" (old int, new int);',
      'INSERT INTO staging_emails SELECT id, email FROM users;',
      'DELETE FROM staging_emails;',
      'TRUNCATE TABLE staging_emails, "Id_Map";',
      'DROP TABLE IF EXISTS public.staging_emails, "Id_Map";',
      // A table that was there before: its rows are lost.
      'DROP TABLE staging_emails, legacy_users CASCADE;',
      'TRUNCATE ONLY staging_emails, users RESTART IDENTITY;',
      'DELETE FROM users;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['7:drop-table', '8:truncate', '9:delete-all-rows']);
    // Dropped, then made again: the old table's rows are lost, whatever comes after.
    assert.deepEqual(
      rulesOf(
        [
          'DROP TABLE users;',
          'DO $$ BEGIN TRUNCATE accounts; END $$;',
          'CREATE TABLE users (id int);',
          'CREATE TABLE accounts (id int);',
        ].join('\n'),
      ),
      ['1:drop-table', '2:truncate'],
    );
    // A DELETE built as text names no table the change made: every row of whatever it names.
    assert.deepEqual(
      rulesOf(
        [
          'CREATE TABLE staging_emails (id int);',
          "DO $$ BEGIN EXECUTE 'DELETE FROM ' || quote_ident('users'); END $$;",
          "DO $$ BEGIN EXECUTE format('DELETE FROM %I', 'staging_emails'); END $$;",
          "DO $$ BEGIN EXECUTE format('DROP TABLE staging_emails, %I', 'users'); END $$;",
          "DO $$ BEGIN EXECUTE format('TRUNCATE staging_emails, %s RESTART IDENTITY', 'users'); END $$;",
        ].join('\n'),
      ),
      ['2:delete-all-rows', '3:delete-all-rows', '4:drop-table', '5:truncate'],
    );
    // Made by an earlier migration of the same change: as new.
    assert.deepEqual(findSqlRisks('DROP TABLE import_batch;', ['import_batch'], { lockTimeout: false }), []);
  });

  it('knows a new table by the table PostgreSQL would act on: quoted case, a temporary table, the search_path, a rename', () => {
    const cases: Array<[string[], string[]]> = [
      // "Users" is not users: the old table, with its rows, is dropped.
      [
        ['CREATE TABLE "Users" (id int);', 'DROP TABLE users;', 'DELETE FROM "USERS";'],
        ['2:drop-table', '3:delete-all-rows'],
      ],
      // A temporary table hides the real one only when unqualified: public.users is the real one.
      [
        [
          'CREATE TEMP TABLE users (id int);',
          'TRUNCATE public.users;',
          'UPDATE public.users SET active = false;',
          'DROP TABLE users;',
        ],
        ['2:truncate', '3:update-all-rows'],
      ],
      // Created in the schema first on the search_path; the real table is dropped once it is back to public.
      [
        [
          'SET search_path TO staging, public;',
          'CREATE TABLE users (id int);',
          'DELETE FROM users;',
          'RESET search_path;',
          'DROP TABLE users;',
          "SELECT set_config('search_path', 'staging', false);",
          'TRUNCATE users;',
        ],
        ['5:drop-table'],
      ],
      // A new table dropped, and an old one renamed to its name: that one has rows.
      [
        [
          'CREATE TABLE tmp (id int);',
          'DROP TABLE tmp;',
          'ALTER TABLE users RENAME TO tmp;',
          'DROP TABLE tmp;',
        ],
        ['3:rename', '4:drop-table'],
      ],
      [
        ['CREATE TABLE app.tmp (id int);', 'ALTER TABLE app.users SET SCHEMA app2;', 'DROP TABLE app.tmp;'],
        [],
      ],
    ];
    for (const [sql, rules] of cases) assert.deepEqual(rulesOf(sql.join('\n')), rules, sql.join(' '));
    // An earlier migration of the change that made its table under another search_path made that one.
    assert.deepEqual(createdTables('SET search_path = staging;\nCREATE TABLE users (id int);'), [
      'staging.users',
    ]);
    // A temporary table is gone with its session: for a later file, t is the real one.
    assert.deepEqual(createdTables('CREATE TABLE "Users" (id int);\nCREATE TEMP TABLE t (id int);'), [
      'Users',
    ]);
  });

  it('flags a DELETE without its own WHERE, also in a WITH and beside a WHERE of a subquery', () => {
    const sql = [
      'WITH gone AS (DELETE FROM sessions RETURNING *) INSERT INTO archive SELECT * FROM gone;',
      'WITH recent AS (SELECT id FROM t WHERE at > now()) DELETE FROM users;',
      'DELETE FROM users USING (SELECT id FROM banned WHERE true) b;',
      'WITH a AS (DELETE FROM u WHERE id = 1 RETURNING *), b AS (DELETE FROM v RETURNING *) SELECT 1;',
      // Its own WHERE, in a CTE or with a subquery in it: not every row.
      'WITH gone AS (DELETE FROM sessions WHERE expired RETURNING *) SELECT count(*) FROM gone;',
      'DELETE FROM users WHERE id IN (SELECT id FROM banned);',
      "WITH q AS (SELECT 'DELETE FROM users' AS text) SELECT * FROM q;",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:delete-all-rows',
      '2:delete-all-rows',
      '3:delete-all-rows',
      '4:delete-all-rows',
    ]);
  });

  it('flags an UPDATE without its own WHERE on a table in use, also in a WITH, not ON CONFLICT DO UPDATE', () => {
    const sql = [
      'UPDATE users SET active = true;',
      'UPDATE ONLY public.users SET score = (SELECT max(s) FROM scores WHERE scores.id = users.id);',
      'WITH moved AS (UPDATE orders SET state = 1 RETURNING id) SELECT count(*) FROM moved;',
      // Its own WHERE, or not an UPDATE statement: not every row.
      'UPDATE users SET active = true WHERE id IN (SELECT id FROM banned);',
      'UPDATE users SET a = b.a FROM b WHERE users.id = b.id;',
      'INSERT INTO users (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET active = true;',
      'SELECT * FROM users FOR UPDATE;',
      "SELECT 'UPDATE users SET a = 1';",
      // A table this file creates is new: filling it is no rewrite of a table in use.
      'CREATE TABLE fresh (id int, a int);',
      'UPDATE fresh SET a = 1;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:update-all-rows', '2:update-all-rows', '3:update-all-rows']);
    assert.match(
      findSqlRisks(sql)[0]!.message,
      /^UPDATE users without WHERE rewrites every row of the table/,
    );
  });

  it('takes a WHERE that keeps every row (WHERE true, WHERE 1 = 1) for none', () => {
    const sql = [
      'DELETE FROM users WHERE true;',
      'UPDATE users SET a = 1 WHERE 1 = 1;',
      'WITH d AS (DELETE FROM sessions WHERE NOT FALSE RETURNING *) SELECT count(*) FROM d;',
      'DELETE FROM users WHERE trueish;',
      'DELETE FROM users WHERE 1 = 2;',
      "DELETE FROM users WHERE 'a' = 'b';",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:delete-all-rows', '2:update-all-rows', '3:delete-all-rows']);
  });

  it('flags maintenance that locks a table in use for as long as it runs, not its concurrent forms', () => {
    const sql = [
      'VACUUM FULL users;',
      'VACUUM (FULL, ANALYZE) users;',
      'CLUSTER users USING users_pkey;',
      'REINDEX TABLE users;',
      'REINDEX (VERBOSE) INDEX users_pkey;',
      'REFRESH MATERIALIZED VIEW stats;',
      'ALTER TABLE users SET TABLESPACE fast;',
      'ALTER TABLE users SET UNLOGGED;',
      'VACUUM ANALYZE users;',
      'REINDEX INDEX CONCURRENTLY users_pkey;',
      'REINDEX (VERBOSE) TABLE CONCURRENTLY users;',
      'REFRESH MATERIALIZED VIEW CONCURRENTLY stats;',
      'CREATE TABLE fresh (id int PRIMARY KEY);',
      'VACUUM FULL fresh;',
      'ALTER TABLE fresh SET LOGGED;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:table-rewrite',
      '2:table-rewrite',
      '3:table-rewrite',
      '4:reindex-without-concurrently',
      '5:reindex-without-concurrently',
      '6:refresh-without-concurrently',
      '7:table-rewrite',
      '8:table-rewrite',
    ]);
  });

  it('flags an EXCLUDE constraint and a column added UNIQUE or PRIMARY KEY, which build an index under lock', () => {
    const sql = [
      'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
      'ALTER TABLE orders ADD COLUMN code text UNIQUE;',
      "ALTER TABLE orders ADD COLUMN ref text CONSTRAINT orders_ref_key UNIQUE NOT NULL DEFAULT '';",
      "ALTER TABLE orders ADD COLUMN note text DEFAULT 'unique';",
      'ALTER TABLE orders ADD COLUMN "primary key" int;',
      'CREATE TABLE fresh (id int);',
      'ALTER TABLE fresh ADD COLUMN code text UNIQUE;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:add-constraint-index',
      '2:add-constraint-index',
      '3:add-constraint-index',
    ]);
  });

  it('names a REINDEX with options in parentheses inside a transaction instead of crashing', () => {
    const risks = findSqlRisks('BEGIN;\nREINDEX (VERBOSE) TABLE CONCURRENTLY users;\nCOMMIT;', [], {
      lockTimeout: false,
    });
    assert.deepEqual(
      risks.map((r) => `${r.line}:${r.rule}`),
      ['2:migrations.concurrently-in-transaction'],
    );
    assert.match(
      risks[0]!.message,
      /^REINDEX TABLE \.\.\. CONCURRENTLY cannot run inside the transaction opened on line 1/,
    );
  });

  it('reads the statement EXPLAIN ANALYZE runs, not one EXPLAIN only plans', () => {
    const sql = [
      'EXPLAIN ANALYZE DELETE FROM users;',
      'EXPLAIN ANALYSE VERBOSE UPDATE users SET a = 1;',
      'EXPLAIN (ANALYZE, BUFFERS) DELETE FROM sessions;',
      'EXPLAIN (FORMAT json, ANALYZE true) WITH d AS (DELETE FROM t RETURNING *) SELECT 1;',
      'EXPLAIN DELETE FROM users;',
      'EXPLAIN (ANALYZE false) DELETE FROM users;',
      'EXPLAIN (ANALYZE off, COSTS) UPDATE users SET a = 1;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:delete-all-rows',
      '2:update-all-rows',
      '3:delete-all-rows',
      '4:delete-all-rows',
    ]);
    assert.match(findSqlRisks(sql)[0]!.message, /^EXPLAIN ANALYZE runs the statement: DELETE without WHERE/);
  });

  it('reads the statement an EXECUTE builds with format(), in a DO block', () => {
    const sql = [
      "DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'legacy'); END $$;",
      "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables LOOP EXECUTE format('TRUNCATE %I.%I', 'public', t); END LOOP; END $$;",
      "DO $$ BEGIN EXECUTE format('ANALYZE %I', 'users'); END $$;",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:drop-table', '2:truncate']);
  });

  it('reads the statement an EXECUTE runs from a dollar-quoted string, in a DO block or a routine', () => {
    const sql = [
      'DO $do$ BEGIN EXECUTE $q$DROP TABLE legacy$q$; END $do$;',
      "DO $do$ BEGIN execute format($$ALTER TABLE users DROP COLUMN %I$$, 'note'); END $do$;",
      'CREATE PROCEDURE purge() LANGUAGE plpgsql AS $p$ BEGIN EXECUTE $$TRUNCATE audit$$; END $p$;',
      'CALL purge();',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:drop-table', '2:drop-column', '4:truncate']);
  });

  it('reads the body of a function or procedure the file creates where the file calls it, not before', () => {
    const sql = [
      "CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE legacy'; END $$;",
      'CREATE OR REPLACE PROCEDURE public.reset_flags() LANGUAGE sql AS $$ UPDATE flags SET on_ = false $$;',
      'CREATE FUNCTION "Backfill"() RETURNS void AS \'DELETE FROM audit\' LANGUAGE sql;',
      'CREATE FUNCTION counts() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;',
      'CREATE FUNCTION on_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE cache; RETURN NEW; END $$;',
      'CREATE TRIGGER w AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION on_write();',
      'SELECT purge();',
      'CALL reset_flags();',
      'SELECT "Backfill"(), counts();',
      "SELECT 'purge()';",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['7:drop-table', '8:update-all-rows', '9:delete-all-rows']);
    assert.match(
      findSqlRisks(sql, [], { lockTimeout: false })[0]!.message,
      /^purge\(\), called here: DROP TABLE loses data/,
    );
  });

  it('flags a column constraint PostgreSQL checks against every row under the ADD COLUMN lock', () => {
    const sql = [
      'ALTER TABLE users ADD COLUMN age int CHECK (age > 0);',
      'ALTER TABLE users ADD COLUMN "Score" int DEFAULT 0 CONSTRAINT score_pos CHECK ("Score" >= 0);',
      'ALTER TABLE orders ADD COLUMN user_id int DEFAULT 1 REFERENCES users (id);',
      'ALTER TABLE orders ADD COLUMN org_id int DEFAULT NULL CONSTRAINT o_fk REFERENCES orgs, ADD COLUMN n int;',
      // Not checked now: a new column with no value is NULL in every row; a table this file creates is empty.
      'ALTER TABLE orders ADD COLUMN shop_id int REFERENCES shops (id);',
      'ALTER TABLE orders ADD COLUMN note text DEFAULT check_note(1);',
      'CREATE TABLE tags (id int);',
      'ALTER TABLE tags ADD COLUMN n int CHECK (n > 0);',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:add-constraint-validated',
      '2:add-constraint-validated',
      '3:add-constraint-validated',
      '4:add-constraint-validated',
    ]);
    const [check, , references] = findSqlRisks(sql, [], { lockTimeout: false });
    // The table-level forms say what they lock: a CHECK blocks reads too, a FOREIGN KEY both tables' writes.
    const [tableCheck, foreignKey] = findSqlRisks(
      'ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0);\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;',
      [],
      { lockTimeout: false },
    );
    assert.match(
      tableCheck!.message,
      /^ADD CONSTRAINT \.\.\. CHECK .* ACCESS EXCLUSIVE lock \(every read and write/,
    );
    assert.match(
      foreignKey!.message,
      /^ADD CONSTRAINT \.\.\. FOREIGN KEY .* blocks writes to this table and to the one it references/,
    );
    assert.match(
      check!.message,
      /^ADD COLUMN age CHECK checks every existing row while ADD COLUMN holds its ACCESS EXCLUSIVE lock .*: add the column without it, then ADD CONSTRAINT \.\.\. CHECK \(\.\.\.\) NOT VALID, then VALIDATE CONSTRAINT/,
    );
    assert.match(
      references!.message,
      /^ADD COLUMN user_id REFERENCES with a value \(DEFAULT or generated\) checks every existing row .* FOREIGN KEY \(\.\.\.\) REFERENCES \.\.\. NOT VALID, then VALIDATE CONSTRAINT/,
    );
  });

  it('reads the routines a DO block or another routine calls, and each routine once however they call back', () => {
    const sql = [
      'CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE legacy; END $$;',
      'CREATE FUNCTION run_all() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM purge(); PERFORM run_all(); END $$;',
      'DO $$ BEGIN PERFORM purge(); END $$;',
      'SELECT run_all();',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['3:drop-table', '4:drop-table']);
    assert.match(
      findSqlRisks(sql, [], { lockTimeout: false })[1]!.message,
      /^run_all\(\), called here: purge\(\), called here: DROP TABLE/,
    );
  });

  it('counts the lock a called routine takes for the lock_timeout check, with its SET clause or body SET', () => {
    const lockRules = (...lines: string[]) =>
      findSqlRisks(lines.join('\n'))
        .filter((r) => r.rule === 'migrations.no-lock-timeout')
        .map((r) => `${r.line}:${r.message.split(' runs')[0]}`);
    const body = '$$ BEGIN ALTER TABLE users ADD COLUMN a text; END $$';
    const create = `CREATE FUNCTION add_a() RETURNS void LANGUAGE plpgsql AS ${body};`;
    assert.deepEqual(lockRules(create, 'SELECT add_a();'), ['2:ALTER TABLE users (in add_a(), called here)']);
    assert.deepEqual(lockRules(create, 'DO $$ BEGIN PERFORM add_a(); END $$;'), [
      '2:ALTER TABLE users (in add_a(), called here)',
    ]);
    assert.deepEqual(
      lockRules(
        'CREATE PROCEDURE add_b() LANGUAGE sql BEGIN ATOMIC ALTER TABLE users ADD COLUMN b text; END;',
        'CALL add_b();',
      ),
      ['2:ALTER TABLE users (in add_b(), called here)'],
    );
    // Created but never called: its body does not run.
    assert.deepEqual(lockRules(create), []);
    // A lock_timeout set before the call, in the routine's SET clause, or in its body before the lock.
    assert.deepEqual(lockRules("SET lock_timeout = '5s';", create, 'SELECT add_a();'), []);
    assert.deepEqual(
      lockRules(
        `CREATE FUNCTION add_a() RETURNS void LANGUAGE plpgsql SET lock_timeout = '5s' AS ${body};`,
        'SELECT add_a();',
      ),
      [],
    );
    assert.deepEqual(
      lockRules(
        "CREATE FUNCTION add_a() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET lock_timeout = '5s'; ALTER TABLE users ADD COLUMN a text; END $$;",
        'SELECT add_a();',
      ),
      [],
    );
    // Its SET clause holds only while it runs; 0 is none.
    assert.deepEqual(
      lockRules(
        `CREATE FUNCTION add_a() RETURNS void LANGUAGE plpgsql SET lock_timeout = '5s' AS ${body};`,
        'SELECT add_a();',
        'ALTER TABLE orders ADD COLUMN b text;',
      ),
      ['3:ALTER TABLE orders'],
    );
    assert.deepEqual(
      lockRules(
        `CREATE FUNCTION add_a() RETURNS void LANGUAGE plpgsql SET lock_timeout = 0 AS ${body};`,
        'SELECT add_a();',
      ),
      ['2:ALTER TABLE users (in add_a(), called here)'],
    );
  });

  it('reads a DO block whose body is a string literal, as PostgreSQL runs it', () => {
    const sql = [
      "DO 'BEGIN DROP TABLE legacy; END';",
      "DO LANGUAGE plpgsql E'BEGIN TRUNCATE audit_log; RAISE NOTICE \\'done\\'; END';",
      "DO 'BEGIN RAISE NOTICE ''drop table users''; END';",
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:drop-table', '2:truncate']);
  });

  it('reads unquoted column names with letters beyond ASCII or a $ as names', () => {
    const sql = [
      'ALTER TABLE users ALTER COLUMN straße TYPE text;',
      'ALTER TABLE users ALTER total$eur SET NOT NULL;',
      'ALTER TABLE users ADD CONSTRAINT größe_check CHECK (größe > 0);',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:column-type', '2:set-not-null', '3:add-constraint-validated']);
  });

  it('leaves safe, expand-style statements alone', () => {
    const sql = [
      'CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL);',
      'CREATE INDEX orders_user_idx ON orders (user_id);',
      'ALTER TABLE orders ALTER COLUMN user_id SET NOT NULL;',
      'ALTER TABLE users ADD COLUMN nickname text;',
      "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active';",
      'ALTER TABLE users DROP CONSTRAINT users_old_check;',
      'ALTER TABLE users ALTER COLUMN nickname DROP DEFAULT;',
      'CREATE INDEX CONCURRENTLY users_nick_idx ON users (nickname);',
      "COMMENT ON TABLE users IS 'DROP TABLE users; is not run';",
      '-- DROP TABLE users;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), []);
  });

  it('flags lock-taking DDL on existing tables run without a lock_timeout, once per file', () => {
    const lockRules = (sql: string) =>
      findSqlRisks(sql)
        .filter((r) => r.rule === 'migrations.no-lock-timeout')
        .map((r) => `${r.line}:${r.message.split(' runs')[0]}`);
    const ddl = [
      'CREATE TABLE tags (id int);',
      'ALTER TABLE tags ADD COLUMN label text;',
      'CREATE INDEX tags_label_idx ON tags (label);',
      'ALTER TABLE users ADD COLUMN nickname text;',
      'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;',
      'CREATE INDEX users_nick_idx ON users (nickname);',
    ];
    const risks = findSqlRisks(ddl.join('\n')).filter((r) => r.rule === 'migrations.no-lock-timeout');
    assert.deepEqual(
      risks.map((r) => r.line),
      [4],
    );
    assert.match(
      risks[0]!.message,
      /^ALTER TABLE users runs with no lock_timeout set \(and 2 more statement\(s\) of this file that take locks\): .*SET lock_timeout = '5s'/,
    );
    // Set before: nothing to say. Set to 0, reset, or SET LOCAL whose transaction ended: flagged again.
    assert.deepEqual(lockRules(["SET lock_timeout = '5s';", ...ddl].join('\n')), []);
    assert.deepEqual(lockRules(['SET lock_timeout TO 5000;', ...ddl].join('\n')), []);
    assert.deepEqual(lockRules(["SELECT set_config('lock_timeout', '3s', false);", ...ddl].join('\n')), []);
    assert.deepEqual(lockRules(["SET lock_timeout = '0';", ...ddl].join('\n')), ['5:ALTER TABLE users']);
    assert.deepEqual(
      lockRules(
        ["SET lock_timeout = '5s';", 'RESET lock_timeout;', 'CREATE INDEX i ON users (a);'].join('\n'),
      ),
      ['3:CREATE INDEX on users'],
    );
    assert.deepEqual(
      lockRules(
        [
          'BEGIN;',
          "SET LOCAL lock_timeout = '2s';",
          'ALTER TABLE users ADD COLUMN a text;',
          'COMMIT;',
          'ALTER TABLE orders DROP COLUMN b;',
        ].join('\n'),
      ),
      ['5:ALTER TABLE orders'],
    );
    // In a DO block too; CONCURRENTLY and new tables take no lock anyone waits on.
    assert.deepEqual(lockRules('DO $$ BEGIN ALTER TABLE users ADD COLUMN a text; END $$;'), [
      '1:ALTER TABLE users',
    ]);
    assert.deepEqual(
      lockRules(
        [
          'CREATE INDEX CONCURRENTLY i ON users (a);',
          'CREATE TABLE t (id int);',
          'CREATE INDEX ti ON t (id);',
        ].join('\n'),
      ),
      [],
    );
    // CREATE TABLE IF NOT EXISTS may be an existing table.
    assert.deepEqual(lockRules('CREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE t ADD COLUMN a int;'), [
      '2:ALTER TABLE t',
    ]);
  });

  it('names a quoted table as written (Prisma\'s "User"), and knows a quoted table the file creates is new', () => {
    const existing = ['ALTER TABLE "User" ADD COLUMN "age" INTEGER;', 'UPDATE "User" SET "age" = 0;'].join(
      '\n',
    );
    assert.deepEqual(
      findSqlRisks(existing).map((r) => r.message.split(/ runs | without /)[0]),
      ['ALTER TABLE "User"', 'UPDATE "User"'],
    );
    const created = [
      'CREATE TABLE "Order" ("id" SERIAL PRIMARY KEY, "note" TEXT);',
      'CREATE INDEX "Order_note_idx" ON "Order"("note");',
      'ALTER TABLE "Order" ADD CONSTRAINT "Order_note_check" CHECK ("note" <> \'\');',
      'UPDATE "Order" SET "note" = \'x\';',
      'VACUUM FULL "Order";',
    ].join('\n');
    assert.deepEqual(findSqlRisks(created), []);
  });

  it('takes CREATE TABLE IF NOT EXISTS for a table that may be there already, with rows', () => {
    const sql = [
      'CREATE TABLE IF NOT EXISTS users (id int);',
      'CREATE INDEX users_email_idx ON users (email);',
      'ALTER TABLE users ADD COLUMN age int NOT NULL;',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '2:index-without-concurrently',
      '3:add-column-not-null',
      '4:set-not-null',
    ]);
    assert.deepEqual(createdTables(sql), []);
    // A quoted name keeps its case: "Orders" is not orders.
    assert.deepEqual(createdTables('CREATE TABLE "Orders" (id int);'), ['Orders']);
  });

  it('reads keywords in strings and quoted names as data, and each ALTER TABLE action on its own', () => {
    const safe = [
      "ALTER TABLE users ADD COLUMN note text DEFAULT 'DROP it, then SET NOT NULL';",
      'ALTER TABLE users ADD COLUMN "rename" text, ADD COLUMN "drop" text;',
      'ALTER TABLE users ADD COLUMN price numeric(10,2) DEFAULT 0 NOT NULL;',
      "ALTER TABLE users ADD CONSTRAINT c CHECK (status IN ('a', 'b')) NOT VALID;",
      'CREATE TABLE public.orders (id int);',
      'CREATE INDEX orders_id_idx ON orders (id);',
    ].join('\n');
    assert.deepEqual(rulesOf(safe), []);
    const risky = [
      'ALTER TABLE users ADD COLUMN price numeric(10,2) NOT NULL;',
      'ALTER TABLE users ADD COLUMN a int, DROP COLUMN b;',
      'ALTER TABLE "Users" ALTER COLUMN "Full Name" TYPE varchar(10);',
      'ALTER TABLE users ALTER COLUMN "Email Address" SET NOT NULL;',
      'alter table "Users" drop "Email";',
      // A quoted name needs no blank beside it: PostgreSQL reads DROP"Email" as DROP "Email".
      'ALTER TABLE"Users"DROP"Email";',
      'ALTER TABLE users ALTER COLUMN"age"TYPE bigint;',
      'ALTER TABLE users ADD"code" int NOT NULL;',
      'DROP TABLE"Users";',
    ].join('\n');
    assert.deepEqual(rulesOf(risky), [
      '1:add-column-not-null',
      '2:drop-column',
      '3:column-type',
      '4:set-not-null',
      '5:drop-column',
      '6:drop-column',
      '7:column-type',
      '8:add-column-not-null',
      '9:drop-table',
    ]);
  });

  it('flags table rewrites, validating constraints, DROP SCHEMA and CONCURRENTLY inside a transaction', () => {
    const sql = [
      'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
      'ALTER TABLE users ADD COLUMN seq bigserial;',
      'ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;',
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
      'DROP SCHEMA legacy CASCADE;',
      'BEGIN;',
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);',
      'COMMIT;',
      'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), [
      '1:add-column-rewrite',
      '2:add-column-rewrite',
      '3:add-column-rewrite',
      '4:add-constraint-validated',
      '5:drop-schema',
      '7:concurrently-in-transaction',
    ]);
    const safe = [
      'ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();',
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
      "SET lock_timeout = '5s';",
      'CREATE TABLE t (id int);',
      'ALTER TABLE t ADD COLUMN n bigserial;',
    ].join('\n');
    assert.deepEqual(rulesOf(safe), []);
  });

  it("skips the down section of goose, dbmate and sql-migrate files, keeping the up section's lines", () => {
    const goose = [
      '-- +goose Up',
      'CREATE TABLE t (id int);',
      'ALTER TABLE users DROP COLUMN legacy;',
      '-- +goose Down',
      'DROP TABLE t;',
    ].join('\n');
    assert.deepEqual(rulesOf(goose), ['3:drop-column']);
    const dbmate = ['-- migrate:up', 'CREATE TABLE t (id int);', '', '-- migrate:down', 'DROP TABLE t;'];
    assert.deepEqual(rulesOf(dbmate.join('\n')), []);
    const sqlMigrate = ['-- +migrate Down', 'DROP TABLE t;', '-- +migrate Up', 'TRUNCATE t;'];
    assert.deepEqual(rulesOf(sqlMigrate.join('\n')), ['4:truncate']);
  });

  it('flags DELETE without WHERE and a UNIQUE or PRIMARY KEY built under lock, not their safe forms', () => {
    const sql = [
      'DELETE FROM sessions;',
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      'ALTER TABLE users ADD PRIMARY KEY (id);',
      "DELETE FROM sessions WHERE expires_at < now() - interval '30 days';",
      'CREATE UNIQUE INDEX CONCURRENTLY users_name_key ON users (name);',
      'ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE USING INDEX users_name_key;',
      'CREATE TABLE tags (id int);',
      'ALTER TABLE tags ADD PRIMARY KEY (id);',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:delete-all-rows', '2:add-constraint-index', '3:add-constraint-index']);
  });

  it('reads the statements a DO block runs, EXECUTE text included, and not what it only prints', () => {
    const sql = [
      'DO $$',
      'BEGIN',
      "  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE column_name = 'x') THEN",
      '    ALTER TABLE users DROP COLUMN x;',
      '  END IF;',
      'END',
      '$$;',
      "DO $do$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables LOOP EXECUTE 'TRUNCATE ' || r.tablename; END LOOP; END $do$;",
      "DO $$ BEGIN RAISE NOTICE 'DROP TABLE x'; INSERT INTO t VALUES (1); END $$;",
      'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM audit; END $$;',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:drop-column', '8:truncate']);
    assert.match(findSqlRisks(sql)[0]!.message, /^in the DO block: DROP COLUMN/);
  });

  it("skips the rows of pg_dump's COPY ... FROM stdin, and reads on after them", () => {
    const dump = [
      'COPY public.notes (id, body) FROM stdin;',
      "1\tit's DROP TABLE x; and /* an open comment",
      '2\tTRUNCATE in a row',
      '\\.',
      '',
      'DROP TABLE legacy;',
    ].join('\n');
    assert.deepEqual(rulesOf(dump), ['6:drop-table']);
  });

  it('reads names made of Flyway and Liquibase placeholders as names', () => {
    const sql = [
      'ALTER TABLE ${schema}.users DROP COLUMN nickname;',
      'ALTER TABLE ${schema}.${table} ALTER COLUMN email SET NOT NULL;',
      'CREATE TABLE ${schema}.tags (id int);',
      'CREATE INDEX tags_id_idx ON ${schema}.tags (id);',
    ].join('\n');
    assert.deepEqual(rulesOf(sql), ['1:drop-column', '2:set-not-null']);
  });

  it('knows when Liquibase, goose or dbmate wrap CONCURRENTLY in a transaction, and how the file opts out', () => {
    const liquibase = [
      '--liquibase formatted sql',
      '--changeset ana:1',
      'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
      '--changeset ana:2 runInTransaction:false',
      'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);',
    ].join('\n');
    assert.deepEqual(rulesOf(liquibase), ['3:concurrently-in-transaction']);
    assert.match(findSqlRisks(liquibase)[0]!.message, /changeset on line 2 .*runInTransaction:false/);
    const goose = ['-- +goose Up', 'CREATE INDEX CONCURRENTLY i ON users (a);'];
    assert.deepEqual(rulesOf(goose.join('\n')), ['2:concurrently-in-transaction']);
    assert.deepEqual(rulesOf(['-- +goose NO TRANSACTION', ...goose].join('\n')), []);
    const dbmate = ['-- migrate:up', 'CREATE INDEX CONCURRENTLY i ON users (a);'];
    assert.deepEqual(rulesOf(dbmate.join('\n')), ['2:concurrently-in-transaction']);
    assert.deepEqual(
      rulesOf('-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON users (a);'),
      [],
    );
  });
});

// Big files: each is read to its end and every finding is there. The work was quadratic in the size of a
// statement and in the number of CONCURRENTLY statements (minutes for 1 MB); the tests' timeout is the
// backstop, no clock is read. bench/gates.ts prints the figures.
describe('findSqlRisks on big files', () => {
  it('reads each routine once per statement and calls only so deep: a chain calling itself twice is no bomb', () => {
    const chain = (depth: number) => {
      const lines = [
        'CREATE FUNCTION f0() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE legacy; END $$;',
      ];
      for (let i = 1; i <= depth; i++) {
        lines.push(
          `CREATE FUNCTION f${i}() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM f${i - 1}(); PERFORM f${i - 1}(); END $$;`,
        );
      }
      lines.push(`SELECT f${depth}();`);
      return lines.join('\n');
    };
    // Read 2^n times, 20 deep took minutes; 2000 deep overflowed the stack.
    const started = performance.now();
    assert.deepEqual(
      findSqlRisks(chain(5)).map((r) => `${r.line}:${r.rule.replace('migrations.', '')}`),
      ['7:drop-table', '7:no-lock-timeout'],
    );
    const deep = findSqlRisks(chain(2000));
    assert.deepEqual(
      deep.map((r) => `${r.line}:${r.rule.replace('migrations.', '')}`),
      ['2002:calls-too-deep'],
    );
    assert.match(deep[0]!.message, /f1984\(\) is called 17 routines deep: its body is not read for risks/);
    assert.ok(performance.now() - started < 10_000, `${performance.now() - started} ms`);
  });

  const MB = 1024 * 1024;
  const repeat = (line: (n: number) => string, bytes: number) => {
    const parts: string[] = [];
    let size = 0;
    for (let n = 0; size < bytes; n++) {
      parts.push(line(n));
      size += parts.at(-1)!.length;
    }
    return parts;
  };

  it('reads one 1 MB statement (a function body, an INSERT) to its end', { timeout: 120_000 }, () => {
    const body = repeat((n) => `  SELECT ${n};\n`, MB);
    const fn = `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC\n${body.join('')}END;\nDROP TABLE legacy;\n`;
    const statements = splitStatements(fn);
    assert.equal(statements.length, 2);
    assert.equal(statements[1]!.line, body.length + 3);
    assert.deepEqual(rulesOf(fn), [`${body.length + 3}:drop-table`]);

    const rows = repeat((n) => `  (${n}, 'user ${n}; DROP TABLE x'),\n`, MB);
    const insert = `INSERT INTO users (id, name) VALUES\n${rows.join('')}  (0, 'last');\nTRUNCATE audit;\n`;
    assert.deepEqual(rulesOf(insert), [`${rows.length + 3}:truncate`]);
  });

  it(
    'tells each of 20 000 CONCURRENTLY statements that goose wraps it in a transaction',
    { timeout: 120_000 },
    () => {
      const statements = repeat((n) => `CREATE INDEX CONCURRENTLY i${n} ON users (c${n});\n`, MB);
      const sql = `-- +goose Up\n${statements.join('')}`;
      const risks = findSqlRisks(sql);
      assert.equal(risks.length, statements.length);
      assert.ok(risks.every((risk, n) => risk.line === n + 2 && /goose runs this file/.test(risk.message)));
    },
  );
});
