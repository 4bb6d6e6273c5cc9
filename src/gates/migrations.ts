// The migrations gate (seed 01, "database migration validation") against a real, throwaway PostgreSQL
// database: up → schema → down → schema (back to where it started) → up → schema, which must equal the
// first, and no table may have fewer rows after down→up than after the first up (rows lost). The database
// is created for this run and dropped at the end, whatever happened. The migration files are also scanned
// for destructive statements (sql-risks.ts).
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type pg from 'pg';
import { formatDuration } from '../config/duration.ts';
import type { CommandLine } from '../config/command-line-schema.ts';
import { migrationsConfigSchema } from './schema/migrations.ts';
import type { MigrationsConfig } from './schema/migrations.ts';
import { outputTail, runRequiredCommand } from './gate-command.ts';
import { matchFiles, toList } from './match-files.ts';
import { readReportFile } from './report-file.ts';
import { repositoryRoots } from './repo-path.ts';
import {
  DEFAULT_IGNORED,
  describeDifference,
  diffSnapshots,
  readRowCounts,
  readSnapshot,
  rowsLost,
  withoutIgnored,
  type Snapshot,
} from './schema-snapshot.ts';
import type { ChangelogResult } from './changelog-risks.ts';
import { findYamlChangelogRisks } from './changelog-yaml-risks.ts';
import { readXmlReport } from './xml-thread.ts';
import { createdTables, findSqlRisks } from './sql-risks.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';

// The reverting half of each tool's layout: golang-migrate / node-pg-migrate (NNN_x.down.sql), *_down.sql,
// down/ directories, Flyway undo migrations (U1__x.sql), sqitch's revert/. Not every name with "down" in
// it: V3__drop_markdown_column.sql or 042_countdown.sql are up migrations.
const DEFAULT_EXCLUDE = [
  '**/*.down.sql',
  '**/*_down.sql',
  '**/*-down.sql',
  '**/down.sql',
  '**/down/**',
  '**/U[0-9]*__*',
  '**/revert/**',
];
/**
 * What the tools keep beside their migrations, which a glob of the directory (prisma/migrations/**) takes in
 * too: not migrations, never scanned. Prisma's migration_lock.toml, Atlas's atlas.sum, sqitch's plan and
 * config, a README, a .gitkeep. A migration in a language the scan cannot read (.js, .py, .rb) still says so.
 */
const COMPANIONS = [
  '**/migration_lock.toml',
  '**/atlas.sum',
  '**/sqitch.plan',
  '**/sqitch.conf',
  '**/*.md',
  '**/*.txt',
  '**/.gitkeep',
  '**/.keep',
  '**/README',
];
const CONNECT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 60_000;

/** The URL without its password, safe for a log or a finding. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: only this gate talks to PostgreSQL, and every other run would pay for
  // compiling the driver at start.
  const { default: postgres } = await import('pg');
  const client = new postgres.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  client.on('error', () => {}); // a dropped connection surfaces as the failing query's error
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

class StepFailure extends Error {
  readonly finding: Finding;
  constructor(finding: Finding) {
    super(finding.message);
    this.finding = finding;
  }
}

interface Timings {
  steps: string[];
}

const URL_CREDENTIALS = /(\b[a-z][a-z\d+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi;

/**
 * Hides the server's password in what the migration tool printed: the tool gets it in DATABASE_URL and may
 * print the URL, or the password alone, when it fails. Any URL's credentials are hidden too.
 */
export function passwordHider(serverUrl: string): (text: string) => string {
  let secrets: string[] = [];
  try {
    const password = new URL(serverUrl).password;
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // a stray % stays as written
    }
    if (password) secrets = [...new Set([password, decoded])].sort((a, b) => b.length - a.length);
  } catch {
    // an unparseable URL has no password to hide; the gate refuses it anyway
  }
  return (text) =>
    secrets.reduce((t, secret) => t.split(secret).join('***'), text.replace(URL_CREDENTIALS, '$1***@'));
}

/**
 * Where a migration failed, from the tool's own report of it: psql (`psql:db/002_x.sql:3: ERROR: ...`) and
 * Flyway (`Location : db/V2__x.sql (...)` and `Line : 3`). Only a file inside the repository is named.
 */
export function failureLocation(output: string, cwd: string): { path: string; line: number } | undefined {
  const psql = /^psql:(.+?):(\d+): (?:ERROR|FATAL):/m.exec(output);
  const flywayFile = /^Location\s*: (.+?)(?: \(.*\))?\s*$/m.exec(output);
  const flywayLine = /^Line\s*: (\d+)\s*$/m.exec(output);
  const [file, line] = psql
    ? [psql[1]!, psql[2]!]
    : flywayFile && flywayLine
      ? [flywayFile[1]!, flywayLine[1]!]
      : [undefined, undefined];
  if (!file) return undefined;
  const path = relative(cwd, resolve(cwd, file));
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return undefined;
  return { path: path.split(sep).join('/'), line: Number(line) };
}

/**
 * The throwaway database as libpq's variables: a tool that reads PGHOST / PGDATABASE instead of
 * DATABASE_URL (psql -f, pg_restore, a Makefile) must reach it, not the server the runner's environment
 * names, which may be a real one.
 */
function libpqEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname).replace(/^\[|\]$/g, '');
  return {
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
    ...(host ? { PGHOST: host } : {}),
    ...(parsed.port ? { PGPORT: parsed.port } : {}),
    ...(parsed.username ? { PGUSER: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { PGPASSWORD: decodeURIComponent(parsed.password) } : {}),
  };
}

/**
 * libpq's variables that send a tool elsewhere whatever PGHOST and PGDATABASE say: a service (PGSERVICE, its
 * file's host and dbname win over the PG* variables) and PGHOSTADDR (the address connected to, whatever the
 * host). From the runner's environment or the gate's `env`, they would run up and down on that server.
 */
const REDIRECTING_LIBPQ = ['PGSERVICE', 'PGSERVICEFILE', 'PGHOSTADDR'];

/** The environment without the variables that would point a tool away from the test database. */
function withoutRedirects(env: NodeJS.ProcessEnv | Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !REDIRECTING_LIBPQ.includes(entry[0].toUpperCase()),
    ),
  );
}

/** The test database and what the steps run with: its environment, the run's timings, the password hider. */
interface StepContext {
  ctx: GateContext;
  env: Record<string, string>;
  timings: Timings;
  hide: (text: string) => string;
}

/** Runs one step's command and times it; its failure as a finding under `rule`, undefined when it passed. */
async function runStep(
  name: string,
  command: CommandLine,
  { ctx, env, timings, hide }: StepContext,
  rule: string,
): Promise<Finding | undefined> {
  ctx.log(`migrations: ${name}`);
  const outcome = await runRequiredCommand(command, ctx, env);
  timings.steps.push(`${name} ${formatDuration(outcome.durationMs)}`);
  if (outcome.ok) return undefined;
  const at = failureLocation(outcome.output, ctx.cwd);
  return {
    ...(at ?? {}),
    rule,
    severity: 'error',
    message: hide(`${name} failed: ${outcome.reason}\n${outputTail(outcome.output, 30)}`.trimEnd()),
  };
}

/** up or down: a failure ends the exercise (nothing after it can be judged). */
async function step(name: string, command: CommandLine, on: StepContext): Promise<void> {
  const failed = await runStep(name, command, on, 'migrations.step-failed');
  if (failed) throw new StepFailure(failed);
}

/**
 * The user's check of the migrated database (`verify`): a failure is a finding, not the end of the exercise,
 * so down and up again are still tried and reported.
 */
async function verifyStep(name: string, command: CommandLine, on: StepContext): Promise<Finding[]> {
  const failed = await runStep(name, command, on, 'migrations.verify-failed');
  return failed ? [failed] : [];
}

function differenceFindings(
  left: Snapshot,
  right: Snapshot,
  leftLabel: string,
  rightLabel: string,
  rule: string,
): Finding[] {
  return diffSnapshots(left, right).map((difference) => ({
    rule,
    severity: 'error' as const,
    message: describeDifference(difference, leftLabel, rightLabel),
  }));
}

/** Runs up → down → up on a fresh database at `url`, compares the schemas and runs `verify` after each up. */
async function exercise(
  url: string,
  config: MigrationsConfig,
  ctx: GateContext,
  timings: Timings,
): Promise<Finding[]> {
  const ignore = [...DEFAULT_IGNORED, ...(config.ignore ?? [])];
  const snapshot = async () => withoutIgnored(await withClient(url, readSnapshot), ignore);
  const rowCounts = async (of: Snapshot) => withClient(url, (client) => readRowCounts(client, of));
  const env = { ...withoutRedirects(config.env ?? {}), ...libpqEnv(url), DATABASE_URL: url };
  const hide = passwordHider(url);
  const on: StepContext = { ctx: { ...ctx, env: withoutRedirects(ctx.env) }, env, timings, hide };
  const findings: Finding[] = [];

  const before = await snapshot();
  await step('up', config.up, on);
  const afterUp = await snapshot();
  const rowsAfterUp = await rowCounts(afterUp);
  if (diffSnapshots(before, afterUp).length === 0) {
    findings.push({
      rule: 'migrations.no-change',
      severity: 'notice',
      message: 'up changed nothing in the schema',
    });
  }
  if (config.verify) findings.push(...(await verifyStep('verify', config.verify, on)));
  await step('down', config.down, on);
  if ((config.down_check ?? 'baseline') === 'baseline') {
    const afterDown = await snapshot();
    findings.push(
      ...differenceFindings(before, afterDown, 'before up', 'after down', 'migrations.down-incomplete'),
    );
  }
  await step('up again', config.up, on);
  const afterUpAgain = await snapshot();
  // What up put in the tables (seed rows, a data migration's) must be back after down→up: fewer rows is data
  // the cycle lost (seed 01: "no data loss"). The values are verify's to check: a default such as now() differs.
  for (const lost of rowsLost(rowsAfterUp, await rowCounts(afterUpAgain))) {
    findings.push({
      rule: 'migrations.rows-lost',
      severity: 'error',
      message: `table ${lost.table} has ${lost.after} row(s) after down→up, ${lost.before} after the first up: down removed rows that up did not put back`,
    });
  }
  // The seed data and what the schema snapshot does not compare must be back after down→up too.
  if (config.verify) findings.push(...(await verifyStep('verify again', config.verify, on)));
  findings.push(
    ...differenceFindings(
      afterUp,
      afterUpAgain,
      'after the first up',
      'after down→up',
      'migrations.not-repeatable',
    ),
  );
  return findings;
}

function isSql(path: string): boolean {
  return /\.(sql|psql|pgsql|ddl)$/i.test(path);
}

/**
 * The risks of one migration file by what it is: SQL (plain, Flyway, golang-migrate, Prisma, sqitch, a
 * Liquibase SQL changelog) or a Liquibase XML / YAML / JSON changelog. Anything else (a Rails, Alembic,
 * Django or Knex migration in Ruby, Python or JavaScript) cannot be read for risks and says so.
 */
async function risksOf(
  path: string,
  text: string,
  newTables: Set<string>,
  signal: AbortSignal,
): Promise<ChangelogResult> {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  if (isSql(path)) return { ok: true, risks: findSqlRisks(text, newTables) };
  // The XML validator reads a changelog in one step that cannot stop: a big one (1 MB and more) is read in
  // the XML reports' worker thread, which a cancellation ends at once (xml-thread.ts).
  if (extension === 'xml') return readXmlReport('liquibase', text, path, signal);
  if (['yaml', 'yml', 'json'].includes(extension)) return findYamlChangelogRisks(text);
  return {
    ok: false,
    message:
      'not a file the destructive-statement scan can read: it reads SQL files (.sql) and Liquibase changelogs (.xml, .yaml, .json); point gates.migrations.files at those, or set risks: off',
  };
}

interface Scan {
  findings: Finding[];
  /** What was scanned, for the summary: a pass must say when no file was. */
  note?: string;
}

async function riskFindings(config: MigrationsConfig, ctx: GateContext): Promise<Scan> {
  const level = config.risks ?? 'warn';
  if (level === 'off') return { findings: [], note: 'migration files not scanned (risks: off)' };
  if (config.files === undefined) {
    return { findings: [], note: 'migration files not scanned: gates.migrations.files is not set' };
  }
  const patterns = toList(config.files);
  const excluded = picomatch(config.exclude ?? DEFAULT_EXCLUDE, { dot: true });
  const companion = picomatch(COMPANIONS, { dot: true, nocase: true });
  const files = (await matchFiles(patterns, ctx.cwd, { noDirectories: true })).filter(
    (path) => !excluded(path) && !companion(path),
  );
  if (files.length === 0) {
    return {
      findings: [
        {
          rule: 'migrations.no-files',
          severity: 'error',
          message: `no migration file matches ${patterns.join(', ')} in ${ctx.cwd} (after excluding ${(config.exclude ?? DEFAULT_EXCLUDE).join(', ')})`,
        },
      ],
    };
  }
  const findings: Finding[] = [];
  let scanned = files;
  if (ctx.baseRef) {
    // With a base, the migrations of this change are scanned: the ones already merged have run everywhere
    // (their DROP is history, not this deployment's), and would otherwise warn or block every deployment.
    let changed;
    try {
      changed = await ctx.changedFiles();
    } catch (error) {
      return {
        findings: [
          {
            rule: 'migrations.changes-unknown',
            severity: 'error',
            message: `cannot tell which migration files this change adds: ${(error as Error).message}`,
          },
        ],
      };
    }
    const status = new Map(changed.map((file) => [file.path, file.status]));
    scanned = files.filter((path) => status.has(path) && status.get(path) !== 'deleted');
    if (scanned.length === 0) {
      return {
        findings: [],
        note: `no migration file of this change matches ${patterns.join(', ')} (${files.length} already merged, not scanned)`,
      };
    }
    for (const path of scanned) {
      // Flyway's repeatable migrations (R__x.sql) are meant to be edited; any other one has already run.
      if (status.get(path) !== 'modified' || /(^|\/)R__[^/]*$/.test(path)) continue;
      findings.push({
        path,
        rule: 'migrations.applied-edited',
        severity: level === 'block' ? 'error' : 'warning',
        message: `${path} was already merged and is changed here: databases that ran it will not run it again (Flyway and others refuse the changed checksum); add a new migration instead`,
      });
    }
  }
  for (const path of scanned) {
    // golang-migrate, node-pg-migrate (SQL), dbmigrate...: NNN_x.up.sql is reverted by NNN_x.down.sql.
    const pair = /^(.*[._-])(up)(\.sql)$/i.exec(path);
    if (!pair) continue;
    const [, stem, up, extension] = pair as unknown as [string, string, string, string];
    const down = `${stem}${up === 'UP' ? 'DOWN' : up === 'Up' ? 'Down' : 'down'}${extension}`;
    if (!(await exists(join(ctx.cwd, down)))) {
      findings.push({
        path,
        rule: 'migrations.no-down',
        severity: level === 'block' ? 'error' : 'warning',
        message: `${path} has no ${down.split('/').pop()} beside it: this migration cannot be rolled back`,
      });
    }
  }
  // In the order the tools apply them (V2 before V10), so a table created by an earlier migration of this
  // change is known to be new and empty when a later one indexes it. Without a base nothing is known new.
  const newTables = new Set<string>();
  const added = new Set(
    ctx.baseRef ? (await ctx.changedFiles()).filter((f) => f.status === 'added').map((f) => f.path) : [],
  );
  scanned = [...scanned].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const path of scanned) {
    // Read as reports are: inside the repository (a symlink out of it is refused), bounded, decoded.
    const read = await readReportFile(ctx.cwd, path, repositoryRoots(ctx), 'migration file', {
      source: true,
    });
    if (!read.ok) {
      findings.push({ rule: 'migrations.unreadable', severity: 'error', message: read.message });
      continue;
    }
    const risks = await risksOf(path, read.text, newTables, ctx.signal);
    if (added.has(path) && isSql(path)) for (const table of createdTables(read.text)) newTables.add(table);
    if (!risks.ok) {
      findings.push({
        path,
        rule: 'migrations.unreadable',
        severity: 'error',
        message: `${path}: ${risks.message}`,
      });
      continue;
    }
    for (const risk of risks.risks) {
      findings.push({
        path,
        line: risk.line,
        rule: risk.rule,
        // `risks: block` blocks on what a statement does; a missing lock_timeout is advice (it may be set for
        // the role or the connection, which the files do not show), so it never blocks alone.
        severity: level === 'block' && risk.rule !== 'migrations.no-lock-timeout' ? 'error' : 'warning',
        message: risk.message,
      });
    }
  }
  return { findings, note: `${scanned.length} migration file(s) scanned` };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function verdict(findings: Finding[], timings: Timings, note: string | undefined): GateVerdict {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const steps = timings.steps.length ? ` (${timings.steps.join(', ')})` : '';
  if (errors.length > 0) {
    const first = errors[0]!.message.split('\n')[0]!;
    const more = errors.length > 1 ? ` and ${errors.length - 1} more` : '';
    return { status: 'block', summary: `${first}${more}${steps}`, findings };
  }
  if (warnings.length > 0) {
    return {
      status: 'warn',
      summary: `up/down/up consistent; ${warnings.length} risky statement(s)${note ? ` (${note})` : ''}${steps}`,
      findings,
    };
  }
  return { status: 'pass', summary: `up/down/up consistent${note ? `; ${note}` : ''}${steps}`, findings };
}

/** Blocked before the database: the scan's findings, which need none, are kept beside the reason. */
function blocked(message: string, scanned: Finding[] = []): GateVerdict {
  return {
    status: 'block',
    summary: message,
    findings: [{ rule: 'migrations.no-database', severity: 'error', message }, ...scanned],
  };
}

export const migrationsGate: Gate<MigrationsConfig> = {
  name: 'migrations',
  schema: migrationsConfigSchema,
  async run(config, ctx) {
    const { findings, note } = await riskFindings(config, ctx);
    const timings: Timings = { steps: [] };
    const serverUrl = config.database_url ?? ctx.env.DATABASE_URL;
    if (!serverUrl) {
      return blocked(
        'no PostgreSQL server to test migrations on: set gates.migrations.database_url or DATABASE_URL',
        findings,
      );
    }
    try {
      new URL(serverUrl);
    } catch {
      return blocked(
        'the PostgreSQL URL (gates.migrations.database_url or DATABASE_URL) is not a valid URL',
        findings,
      );
    }
    const database = `deploy_gate_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    try {
      await withClient(serverUrl, (admin) => admin.query(`CREATE DATABASE "${database}"`));
    } catch (error) {
      return blocked(
        `cannot create a test database on ${redactUrl(serverUrl)}: ${(error as Error).message}`,
        findings,
      );
    }
    ctx.log(`migrations: created database ${database} on ${redactUrl(serverUrl)}`);
    try {
      findings.push(...(await exercise(databaseUrl(serverUrl, database), config, ctx, timings)));
    } catch (error) {
      if (error instanceof StepFailure) findings.push(error.finding);
      else {
        findings.push({
          rule: 'migrations.error',
          severity: 'error',
          message: `reading the schema of ${database} failed: ${(error as Error).message}`,
        });
      }
    } finally {
      try {
        await withClient(serverUrl, (admin) =>
          admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
        );
      } catch (error) {
        findings.push({
          rule: 'migrations.cleanup',
          severity: 'warning',
          message: `could not drop test database ${database}: ${(error as Error).message}`,
        });
      }
    }
    return verdict(findings, timings, note);
  },
};
