// Against a real, throwaway PostgreSQL cluster (test/helpers/postgres.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import pg from 'pg';
import { changedFilesProvider } from '../../../src/gates/changes.ts';
import { failureLocation, migrationsGate, redactUrl } from '../../../src/gates/migrations.ts';
import { findSqlRisks } from '../../../src/gates/sql-risks.ts';
import type { MigrationsConfig } from '../../../src/gates/schema/migrations.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/gates/migrations/', import.meta.url));
const migrate = `${fixtures}migrate.mjs`;
let server: TestPostgres;

before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

function context(env: NodeJS.ProcessEnv = {}, signal = new AbortController().signal): GateContext {
  return {
    cwd: fixtures,
    changedFiles: async () => [],
    signal,
    log: () => {},
    env: { PATH: process.env.PATH, ...env },
  };
}

function config(set: string, extra: Record<string, unknown> = {}): MigrationsConfig {
  return migrationsGate.schema.parse({
    up: [process.execPath, migrate, set, 'up'],
    down: [process.execPath, migrate, set, 'down', 'all'],
    database_url: server.adminUrl,
    ...extra,
  });
}

async function testDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'deploy_gate_%'");
    return rows.map((row) => row.datname as string);
  } finally {
    await client.end();
  }
}

describe('migrations gate (real PostgreSQL)', () => {
  it('passes a clean migration set, times each step and drops its database', async () => {
    const verdict = await migrationsGate.run(config('clean'), context());
    assert.equal(verdict.status, 'pass', JSON.stringify(verdict, null, 2));
    assert.match(
      verdict.summary,
      // No file globs: the pass says the files were not scanned.
      /up\/down\/up consistent; migration files not scanned: gates\.migrations\.files is not set \(up [\d.]+m?s, down [\d.]+m?s, up again [\d.]+m?s\)/,
    );
    assert.deepEqual(await testDatabases(), []);
  });

  it('verify checks the migrated database after up and after down→up (seed 01: "verify seed data")', async () => {
    const verify = (sql: string, expected: string) => [
      process.execPath,
      `${fixtures}verify.mjs`,
      sql,
      expected,
    ];
    const passing = await migrationsGate.run(
      config('clean', { verify: verify('SELECT count(*) FROM profiles', '0') }),
      context(),
    );
    assert.equal(passing.status, 'pass', JSON.stringify(passing, null, 2));
    assert.match(
      passing.summary,
      /\(up [\d.]+m?s, verify [\d.]+m?s, down [\d.]+m?s, up again [\d.]+m?s, verify again [\d.]+m?s\)/,
    );

    // A seed row the migrations never insert: found missing after up and again after down→up, down still run.
    const failing = await migrationsGate.run(
      config('clean', {
        verify: verify("SELECT count(*) FROM users WHERE email = 'admin@example.com'", '1'),
      }),
      context(),
    );
    assert.equal(failing.status, 'block');
    const failed = failing.findings.filter((f) => f.rule === 'migrations.verify-failed');
    assert.deepEqual(
      failed.map((f) => f.message.split(':')[0]),
      ['verify failed', 'verify again failed'],
    );
    assert.match(failed[0]!.message, /seed check failed: .* gave 0, expected 1/);
    assert.match(failing.summary, /down [\d.]+m?s, up again/);
    assert.deepEqual(await testDatabases(), []);
  });

  it('blocks a down that leaves a table behind, naming it and its columns', async () => {
    const verdict = await migrationsGate.run(config('forgetful-down'), context());
    assert.equal(verdict.status, 'block');
    const messages = verdict.findings.map((f) => f.message);
    assert.ok(
      messages.includes('table public.profiles exists after down but not before up'),
      messages.join('\n'),
    );
    assert.ok(messages.includes('column public.profiles.bio (text) exists after down but not before up'));
    assert.ok(verdict.findings.every((f) => f.rule === 'migrations.down-incomplete'));
    assert.deepEqual(await testDatabases(), []);
  });

  it('blocks when down→up does not rebuild the same schema, naming the difference', async () => {
    const one = config('drops-too-much', {
      down: [process.execPath, migrate, 'drops-too-much', 'down'],
      down_check: 'none',
    });
    const verdict = await migrationsGate.run(one, context());
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.message),
      ['column public.users.nickname (text) exists after the first up but not after down→up'],
    );
  });

  it('blocks a down→up that loses rows up had put in, naming the table and the counts (seed 01: no data loss)', async () => {
    // 002's down deletes every role, 001's seed rows too; up again puts back only its own.
    const verdict = await migrationsGate.run(
      config('loses-rows', { down: [process.execPath, migrate, 'loses-rows', 'down'], down_check: 'none' }),
      context(),
    );
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => `${f.rule}: ${f.message}`),
      [
        'migrations.rows-lost: table public.roles has 1 row(s) after down→up, 3 after the first up: down removed rows that up did not put back',
      ],
    );
    // A down that reverts all: the seed rows are back with their table, and the bookkeeping's rows are not counted.
    const all = await migrationsGate.run(config('loses-rows'), context());
    assert.equal(all.status, 'pass', all.summary);
  });

  it("counts rows in what the gate's role can count: a table under row security for tenants is left out, not an error", async () => {
    // A role that may create databases but is no superuser (a managed server's): FORCE ROW LEVEL SECURITY
    // holds its owner to the policy, and the policy's unset setting fails every query of the table but the
    // app's, which sets it.
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    const role = `gate_owner_${process.pid}`;
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN CREATEDB`);
      const url = new URL(server.adminUrl);
      url.username = role;
      const psql = (sql: string) => ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql];
      const verdict = await migrationsGate.run(
        config('clean', {
          database_url: url.toString(),
          up: psql(
            [
              'CREATE TABLE accounts (tenant int NOT NULL, name text)',
              "INSERT INTO accounts VALUES (1, 'a'), (2, 'b')",
              'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY',
              'ALTER TABLE accounts FORCE ROW LEVEL SECURITY',
              "CREATE POLICY tenant ON accounts USING (tenant = current_setting('app.tenant')::int)",
            ].join('; '),
          ),
          down: psql('DROP TABLE accounts'),
        }),
        context(),
      );
      assert.equal(verdict.status, 'pass', verdict.summary);
      assert.deepEqual(verdict.findings, []);
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it("blocks a failing up with the tool's error output, and still drops the database", async () => {
    const verdict = await migrationsGate.run(config('failing-up'), context());
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /^up failed: ".*" exited with code 1/);
    assert.match(verdict.findings[0]!.message, /migration failed: type "integr" does not exist/);
    assert.deepEqual(await testDatabases(), []);
  });

  it('drops its database when the gate is cancelled mid-step', async () => {
    const controller = new AbortController();
    const slow = config('clean', { up: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'] });
    setTimeout(() => controller.abort(), 300);
    const verdict = await migrationsGate.run(slow, context({}, controller.signal));
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /was stopped: the gate was cancelled/);
    assert.deepEqual(await testDatabases(), []);
  });

  it("names the file and line psql stopped at, and never prints the server's password", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-psql-'));
    try {
      await mkdir(join(dir, 'db'));
      await writeFile(join(dir, 'db/001_users.sql'), 'CREATE TABLE users (id int);\n');
      await writeFile(
        join(dir, 'db/002_age.sql'),
        '-- adds the age\nALTER TABLE users ADD COLUMN name text;\nALTER TABLE users ADD COLUMN age integr;\n',
      );
      // The test server trusts every connection, so any password gets in; a tool may print it when it fails.
      const url = new URL(server.adminUrl);
      url.password = 'Zq9-sw0rdfish/77';
      const psql =
        'echo "connecting to $DATABASE_URL"; psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -f db/001_users.sql -f db/002_age.sql';
      const verdict = await migrationsGate.run(
        migrationsGate.schema.parse({
          up: ['sh', '-c', psql],
          down: ['sh', '-c', 'psql -X -q "$DATABASE_URL" -c "DROP TABLE users"'],
          database_url: url.toString(),
        }),
        { ...context(), cwd: dir },
      );
      assert.equal(verdict.status, 'block');
      const failure = verdict.findings.find((f) => f.rule === 'migrations.step-failed')!;
      assert.equal(`${failure.path}:${failure.line}`, 'db/002_age.sql:3');
      assert.match(failure.message, /psql:db\/002_age\.sql:3: ERROR: +type "integr" does not exist/);
      assert.match(failure.message, /connecting to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(JSON.stringify(verdict), /sw0rdfish/);
      assert.deepEqual(await testDatabases(), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the scan of the migration files when there is no database to run them on', async () => {
    const { database_url: _, ...rest } = config('drops-too-much', { files: 'drops-too-much/*.sql' });
    const verdict = await migrationsGate.run(rest, context());
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => `${f.path ?? ''}:${f.rule}`),
      [
        ':migrations.no-database',
        'drops-too-much/002_email_index.up.sql:migrations.index-without-concurrently',
        'drops-too-much/002_email_index.up.sql:migrations.no-lock-timeout',
      ],
    );
  });

  it("runs a tool that reads libpq's PG* variables on the throwaway database, not the runner's", async () => {
    const admin = new URL(server.adminUrl);
    const ctx = context({
      PGHOST: admin.hostname,
      PGPORT: admin.port,
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
    });
    const verdict = await migrationsGate.run(
      config('clean', {
        up: [
          'psql',
          '-X',
          '-q',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          'CREATE TABLE IF NOT EXISTS gate_probe (id int)',
        ],
        down: ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'DROP TABLE gate_probe'],
      }),
      ctx,
    );
    assert.equal(verdict.status, 'pass', verdict.summary);
    const client = new pg.Client({ connectionString: server.adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT to_regclass('public.gate_probe') AS found");
      assert.equal(rows[0].found, null);
    } finally {
      await client.query('DROP TABLE IF EXISTS gate_probe');
      await client.end();
    }
  });

  it("runs psql on the throwaway database when the runner's PGSERVICE or PGHOSTADDR names another server", async () => {
    // A service's host and dbname win over PGHOST / PGDATABASE, and PGHOSTADDR over the host: either would
    // send up and down (psql reading the PG* variables) to the runner's database instead of the test one.
    const dir = await mkdtemp(join(tmpdir(), 'migrations-service-'));
    const admin = new URL(server.adminUrl);
    const client = new pg.Client({ connectionString: server.adminUrl });
    await client.connect();
    try {
      const serviceFile = join(dir, 'pg_service.conf');
      await writeFile(
        serviceFile,
        `[real]\nhost=${admin.hostname}\nport=${admin.port}\ndbname=postgres\nuser=postgres\n`,
      );
      const psql = (sql: string) => ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql];
      const probe = config('clean', {
        up: psql('CREATE TABLE IF NOT EXISTS gate_probe (id int)'),
        down: psql('DROP TABLE gate_probe'),
      });
      // Run on the service's database, up would change nothing in the test one ("up changed nothing").
      const service = await migrationsGate.run(
        probe,
        context({ PGSERVICE: 'real', PGSERVICEFILE: serviceFile }),
      );
      assert.equal(service.status, 'pass', service.summary);
      assert.deepEqual(service.findings, []);
      // 127.0.0.2 is a loopback address the test server does not listen on: a refused connection at once.
      const hostaddr = await migrationsGate.run(
        { ...probe, env: { PGHOSTADDR: '127.0.0.2' } },
        context({ PGHOSTADDR: '127.0.0.2' }),
      );
      assert.equal(hostaddr.status, 'pass', hostaddr.summary);
      const { rows } = await client.query("SELECT to_regclass('public.gate_probe') AS found");
      assert.equal(rows[0].found, null);
    } finally {
      await client.query('DROP TABLE IF EXISTS gate_probe');
      await client.end();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("leaves out the bookkeeping tools keep after down (Liquibase, Rails, Django, Kysely, sqlx, EF Core, Phinx, Doctrine, yoyo, sql-migrate, sqitch's schema, a serial's sequence)", async () => {
    // Their tables (and sqitch's schema) are made by the first up and kept by a rollback, as these tools do.
    const bookkeeping = [
      'CREATE TABLE IF NOT EXISTS databasechangelog (id text)',
      'CREATE TABLE IF NOT EXISTS databasechangeloglock (id int PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS ar_internal_metadata (key text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS django_migrations (id serial PRIMARY KEY)',
      // node-pg-migrate's table: its serial's sequence goes with it.
      'CREATE TABLE IF NOT EXISTS pgmigrations (id serial PRIMARY KEY, name text)',
      'CREATE TABLE IF NOT EXISTS migrations (id serial PRIMARY KEY, name text)',
      'CREATE TABLE IF NOT EXISTS kysely_migration (name text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS kysely_migration_lock (id text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS _sqlx_migrations (version bigint PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" ("MigrationId" text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS phinxlog (version bigint PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS doctrine_migration_versions (version text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS _yoyo_migration (migration_hash text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS _yoyo_log (id text PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS _yoyo_version (version int PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS yoyo_lock (locked int PRIMARY KEY)',
      'CREATE TABLE IF NOT EXISTS gorp_migrations (id text PRIMARY KEY)',
      'CREATE SCHEMA IF NOT EXISTS sqitch',
      'CREATE TABLE IF NOT EXISTS sqitch.changes (change_id text PRIMARY KEY)',
    ];
    const psql = (sql: string) => ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql];
    const verdict = await migrationsGate.run(
      config('clean', {
        up: psql([...bookkeeping, 'CREATE TABLE accounts (id int)'].join('; ')),
        down: psql('DROP TABLE accounts'),
      }),
      context(),
    );
    assert.equal(verdict.status, 'pass', verdict.summary);
    assert.deepEqual(verdict.findings, []);
  });

  it('uses DATABASE_URL from the environment when the config has none', async () => {
    const { database_url: _, ...rest } = config('clean');
    const verdict = await migrationsGate.run(rest, context({ DATABASE_URL: server.adminUrl }));
    assert.equal(verdict.status, 'pass');
  });

  it('blocks with a reason when there is no server or it cannot be reached, without leaking the password', async () => {
    const { database_url: _, ...rest } = config('clean');
    const none = await migrationsGate.run(rest, context());
    assert.equal(none.status, 'block');
    assert.match(none.summary, /set gates\.migrations\.database_url or DATABASE_URL/);

    const unreachable = await migrationsGate.run(
      { ...rest, database_url: 'postgres://app:s3cret@127.0.0.1:1/postgres' },
      context(),
    );
    assert.equal(unreachable.status, 'block');
    assert.match(
      unreachable.summary,
      /cannot create a test database on postgres:\/\/app:\*\*\*@127\.0\.0\.1:1/,
    );
    assert.doesNotMatch(JSON.stringify(unreachable), /s3cret/);
  });

  it('scans migration files for destructive statements (warn by default), skipping down files', async () => {
    const clean = await migrationsGate.run(config('clean', { files: 'clean/*.sql' }), context());
    assert.equal(clean.status, 'pass');
    assert.match(clean.summary, /^up\/down\/up consistent; 2 migration file\(s\) scanned/);
    const risky = await migrationsGate.run(
      config('drops-too-much', { files: ['drops-too-much/*.sql'], down_check: 'none' }),
      context(),
    );
    assert.equal(risky.status, 'warn', JSON.stringify(risky, null, 2));
    assert.deepEqual(
      risky.findings.map((f) => `${f.path}:${f.line}:${f.rule}:${f.severity}`),
      [
        'drops-too-much/002_email_index.up.sql:1:migrations.index-without-concurrently:warning',
        'drops-too-much/002_email_index.up.sql:1:migrations.no-lock-timeout:warning',
      ],
    );
    const blocking = await migrationsGate.run(
      config('drops-too-much', { files: 'drops-too-much/*.sql', risks: 'block', down_check: 'none' }),
      context(),
    );
    assert.equal(blocking.status, 'block');
    // What the statement does blocks; the missing lock_timeout stays advice (it may be set for the role).
    assert.deepEqual(
      blocking.findings.map((f) => `${f.rule}:${f.severity}`),
      ['migrations.index-without-concurrently:error', 'migrations.no-lock-timeout:warning'],
    );
  });

  /** A repository of migration files (path → SQL) whose up and down change nothing: only the scan speaks. */
  async function scanOnly(
    files: Record<string, string>,
    extra: Record<string, unknown> = {},
    ctx: Partial<GateContext> = {},
  ) {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-scan-'));
    try {
      for (const [path, sql] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), sql);
      }
      const noop = ['true'];
      const verdict = await migrationsGate.run(
        config('clean', { up: noop, down: noop, files: '**/*.sql', ...extra }),
        { ...context(), cwd: dir, ...ctx },
      );
      return verdict.findings
        .filter((f) => f.rule !== 'migrations.no-change')
        .map((f) => `${f.path}:${f.line}:${f.rule}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('leaves out the down, undo and revert files of each tool, not every name containing "down"', async () => {
    const findings = await scanOnly({
      'db/V3__drop_markdown_column.sql': 'ALTER TABLE posts DROP COLUMN markdown;',
      'db/U3__drop_markdown_column.sql': 'DROP TABLE posts;',
      'migrations/000042_countdown.up.sql': 'TRUNCATE countdowns;',
      'migrations/000042_countdown.down.sql': 'DROP TABLE countdowns;',
      'sqitch/deploy/users.sql': 'CREATE TABLE users (id int);',
      'sqitch/revert/users.sql': 'DROP TABLE users;',
      'sql/7_orders_down.sql': 'DROP TABLE orders;',
    });
    assert.deepEqual(findings, [
      'db/V3__drop_markdown_column.sql:1:migrations.drop-column',
      'db/V3__drop_markdown_column.sql:1:migrations.no-lock-timeout',
      'migrations/000042_countdown.up.sql:1:migrations.truncate',
      'migrations/000042_countdown.up.sql:1:migrations.no-lock-timeout',
    ]);
  });

  it('flags an up migration without its down file, whatever the tool names it', async () => {
    const findings = await scanOnly({
      'migrations/000001_users.up.sql': 'CREATE TABLE users (id int);',
      'migrations/000001_users.down.sql': 'DROP TABLE users;',
      'migrations/000002_orders.up.sql': 'CREATE TABLE orders (id int);',
      'migrations/003_tags_up.sql': 'CREATE TABLE tags (id int);',
      'migrations/003_tags_down.sql': 'DROP TABLE tags;',
      'migrations/V4__plain.sql': 'CREATE TABLE plain (id int);',
    });
    assert.deepEqual(findings, ['migrations/000002_orders.up.sql:undefined:migrations.no-down']);
  });

  it("scans a Prisma or Atlas directory whole, leaving out its directories and the tool's own files", async () => {
    const findings = await scanOnly(
      {
        'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
        'prisma/migrations/README.md': '# Migrations\n',
        'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" ("id" INT);\n',
        'prisma/migrations/20240201000000_drop/migration.sql': 'DROP TABLE "Post";\n',
        'atlas/atlas.sum': 'h1:abc=\n',
        'atlas/20240101000000.sql': 'SELECT 1;\n',
        // A migration the scan cannot read is still named.
        'knex/20240101_users.js': 'exports.up = (knex) => knex.schema.dropTable("users");\n',
      },
      { files: ['prisma/migrations/**', 'atlas/*', 'knex/*'] },
    );
    assert.deepEqual(findings, [
      'knex/20240101_users.js:undefined:migrations.unreadable',
      'prisma/migrations/20240201000000_drop/migration.sql:1:migrations.drop-table',
      'prisma/migrations/20240201000000_drop/migration.sql:1:migrations.no-lock-timeout',
    ]);
  });

  it('reads Liquibase changelogs for risks and refuses a file it cannot read as SQL, naming it', async () => {
    const liquibase = (name: string) =>
      readFileSync(new URL(`../../fixtures/gates/migrations/liquibase/${name}`, import.meta.url), 'utf8');
    const findings = await scanOnly(
      {
        'db/changelog.yaml': liquibase('changelog.yaml'),
        'db/migrate/20240101120000_add_users.rb': liquibase('20240101120000_add_users.rb'),
      },
      { files: ['db/*.yaml', 'db/migrate/*'] },
    );
    assert.deepEqual(findings, [
      'db/changelog.yaml:25:migrations.drop-column',
      'db/changelog.yaml:25:migrations.no-lock-timeout',
      'db/changelog.yaml:32:migrations.drop-table',
      'db/changelog.yaml:33:migrations.column-type',
      'db/migrate/20240101120000_add_users.rb:undefined:migrations.unreadable',
    ]);
  });

  it('with a base commit, scans the migrations of this change and flags an edited one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-change-'));
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    try {
      await mkdir(join(dir, 'db'));
      await writeFile(join(dir, 'db/V1__init.sql'), 'CREATE TABLE users (id int);\n');
      await writeFile(join(dir, 'db/V2__drop_legacy.sql'), 'DROP TABLE legacy;\n');
      await writeFile(join(dir, 'db/R__views.sql'), 'CREATE OR REPLACE VIEW v AS SELECT 1;\n');
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-q', '-m', 'base');
      await writeFile(join(dir, 'db/V1__init.sql'), 'CREATE TABLE users (id int, name text);\n');
      await writeFile(join(dir, 'db/R__views.sql'), 'CREATE OR REPLACE VIEW v AS SELECT 2;\n');
      await writeFile(join(dir, 'db/V3__names.sql'), 'ALTER TABLE users RENAME COLUMN name TO full_name;\n');
      await git('add', '.');
      await git('commit', '-q', '-m', 'change');
      const noop = ['true'];
      const verdict = await migrationsGate.run(config('clean', { up: noop, down: noop, files: 'db/*.sql' }), {
        ...context(),
        cwd: dir,
        baseRef: 'HEAD~1',
        changedFiles: changedFilesProvider(dir, 'HEAD~1'),
      });
      assert.deepEqual(
        verdict.findings
          .filter((f) => f.rule !== 'migrations.no-change')
          .map((f) => `${f.path}:${f.line ?? ''}:${f.rule}`),
        [
          'db/V1__init.sql::migrations.applied-edited',
          'db/V3__names.sql:1:migrations.rename',
          'db/V3__names.sql:1:migrations.no-lock-timeout',
        ],
      );
      assert.equal(verdict.status, 'warn');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('knows a table made by an earlier migration of the change is new, in the order the tools apply them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-order-'));
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    try {
      await mkdir(join(dir, 'db'));
      await writeFile(join(dir, 'db/V1__users.sql'), 'CREATE TABLE users (id int, email text);\n');
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-q', '-m', 'base');
      await writeFile(join(dir, 'db/V2__orders.sql'), 'CREATE TABLE orders (id int, user_id int);\n');
      await writeFile(
        join(dir, 'db/V10__indexes.sql'),
        'CREATE INDEX orders_user_idx ON orders (user_id);\nCREATE INDEX users_email_idx ON users (email);\n',
      );
      await git('add', '.');
      await git('commit', '-q', '-m', 'change');
      const noop = ['true'];
      const verdict = await migrationsGate.run(config('clean', { up: noop, down: noop, files: 'db/*.sql' }), {
        ...context(),
        cwd: dir,
        baseRef: 'HEAD~1',
        changedFiles: changedFilesProvider(dir, 'HEAD~1'),
      });
      assert.deepEqual(
        verdict.findings
          .filter((f) => f.rule !== 'migrations.no-change')
          .map((f) => `${f.path}:${f.line}:${f.rule}`),
        [
          'db/V10__indexes.sql:2:migrations.index-without-concurrently',
          'db/V10__indexes.sql:2:migrations.no-lock-timeout',
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says so when none of the migration files is in this change (the files not set: see the first test)', async () => {
    const unchanged = await migrationsGate.run(config('clean', { files: 'clean/*.sql' }), {
      ...context(),
      baseRef: 'HEAD~1',
      changedFiles: async () => [{ path: 'src/app.ts', status: 'modified' as const, addedLines: [1] }],
    });
    assert.equal(unchanged.status, 'pass');
    assert.match(
      unchanged.summary,
      /^up\/down\/up consistent; no migration file of this change matches clean\/\*\.sql \(2 already merged, not scanned\)/,
    );
  });

  it('blocks when the migration file glob matches nothing', async () => {
    const verdict = await migrationsGate.run(config('clean', { files: 'db/migrate/*.sql' }), context());
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /no migration file matches db\/migrate\/\*\.sql/);
  });
});

describe('constraint rules against what PostgreSQL does', () => {
  it('flags an added constraint exactly when PostgreSQL scans the table to check it', async () => {
    const client = new pg.Client({ connectionString: server.adminUrl });
    await client.connect();
    try {
      await client.query('CREATE TABLE rule_u (id int PRIMARY KEY); INSERT INTO rule_u VALUES (1)');
      await client.query(
        'CREATE TABLE rule_t (id int); INSERT INTO rule_t SELECT 1 FROM generate_series(1, 100)',
      );
      const scans = async () => {
        await client.query('SELECT pg_stat_force_next_flush()');
        await client.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await client.query(
          "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'rule_t'",
        );
        return Number(rows[0].seq_scan);
      };
      const statements = [
        'ALTER TABLE rule_t ADD COLUMN a int CHECK (a > 0)',
        'ALTER TABLE rule_t ADD COLUMN b int DEFAULT 1 CONSTRAINT b_pos CHECK (b > 0)',
        'ALTER TABLE rule_t ADD COLUMN c int DEFAULT 1 REFERENCES rule_u (id)',
        'ALTER TABLE rule_t ADD COLUMN d int DEFAULT NULL REFERENCES rule_u',
        'ALTER TABLE rule_t ADD CONSTRAINT e_fk FOREIGN KEY (c) REFERENCES rule_u (id)',
        'ALTER TABLE rule_t ADD CHECK (id > 0)',
        // Not checked: a new column without a value is NULL in every row; NOT VALID checks nothing now.
        'ALTER TABLE rule_t ADD COLUMN f int REFERENCES rule_u (id)',
        'ALTER TABLE rule_t ADD COLUMN g int, ADD CONSTRAINT g_fk FOREIGN KEY (g) REFERENCES rule_u NOT VALID',
        'ALTER TABLE rule_t ADD CONSTRAINT h_pos CHECK (id > 0) NOT VALID',
        'ALTER TABLE rule_t ADD COLUMN i int DEFAULT 7',
      ];
      for (const statement of statements) {
        const before = await scans();
        await client.query(statement);
        const scanned = (await scans()) > before;
        const flagged = findSqlRisks(`${statement};`, [], { lockTimeout: false }).some(
          (risk) => risk.rule === 'migrations.add-constraint-validated',
        );
        assert.equal(
          flagged,
          scanned,
          `${statement}: PostgreSQL ${scanned ? 'scans' : 'does not scan'} the table`,
        );
      }
    } finally {
      await client.query('DROP TABLE IF EXISTS rule_t, rule_u');
      await client.end();
    }
  });
});

describe('redactUrl', () => {
  it('hides the password only', () => {
    assert.equal(redactUrl('postgres://u:pw@h:5432/db'), 'postgres://u:***@h:5432/db');
  });
});

describe('failureLocation', () => {
  it("reads Flyway's report, and names no file outside the repository", () => {
    const flyway = [
      'ERROR: Migration V2__add_age.sql failed',
      '---------------------------------',
      'SQL State  : 42704',
      'Message    : ERROR: type "integr" does not exist',
      'Location   : db/migration/V2__add_age.sql (/repo/db/migration/V2__add_age.sql)',
      'Line       : 4',
    ].join('\n');
    assert.deepEqual(failureLocation(flyway, '/repo'), { path: 'db/migration/V2__add_age.sql', line: 4 });
    assert.deepEqual(failureLocation('psql:/repo/db/1.sql:2: ERROR:  x', '/repo'), {
      path: 'db/1.sql',
      line: 2,
    });
    assert.equal(failureLocation('psql:../../etc/passwd:1: ERROR:  x', '/repo'), undefined);
    assert.equal(failureLocation('psql:/etc/passwd:1: ERROR:  x', '/repo'), undefined);
    assert.equal(failureLocation('migration failed', '/repo'), undefined);
  });
});
