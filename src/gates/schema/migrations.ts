// The migrations gate's section under `gates:`: the up and down commands, the database, and the SQL files
// scanned for destructive statements.
// Only the schema and its option types: config loading imports this, never the gate's run code.
import * as z from 'zod';
import { commandLine } from '../../config/command-line-schema.ts';
import { gateCommonFields, gateEnv } from './common.ts';

export const migrationsConfigSchema = z.strictObject({
  ...gateCommonFields,
  up: commandLine.meta({
    description: 'Applies the migrations, e.g. "npm run migrate:up". Gets DATABASE_URL.',
  }),
  down: commandLine.meta({ description: 'Reverts them, e.g. "npm run migrate:down". Gets DATABASE_URL.' }),
  verify: commandLine.optional().meta({
    description:
      'Checks the migrated database (seed 01: tables, indexes and constraints in place, seed data present), e.g. ' +
      '"psql -v ON_ERROR_STOP=1 -f db/verify.sql" or "npm run db:verify". Run after up and again after ' +
      'down→up, with DATABASE_URL and the PG* variables of the test database; a non-zero exit blocks.',
  }),
  database_url: z
    .string()
    .min(1)
    .optional()
    .meta({
      description:
        'PostgreSQL server URL of a role allowed to CREATE DATABASE; the gate creates its own database there. ' +
        'Default: the DATABASE_URL environment variable.',
    }),
  env: gateEnv('Extra environment for up and down.'),
  down_check: z
    .enum(['baseline', 'none'])
    .optional()
    .meta({
      description:
        '"baseline" (default): after down, the schema must be what it was before up (down reverts everything). ' +
        '"none": when down reverts only the last migration.',
    }),
  ignore: z.array(z.string().min(1)).optional().meta({
    description:
      "Globs of qualified names left out of the comparison, added to the migration tools' bookkeeping tables.",
  }),
  files: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .meta({
      description:
        'Globs of SQL migration files scanned for destructive statements, e.g. "migrations/*.up.sql".',
    }),
  exclude: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Globs left out of the scan. Default: down migrations (*.down.sql, *_down.sql, down/, Flyway U1__*, sqitch revert/).' }),
  risks: z
    .enum(['block', 'warn', 'off'])
    .optional()
    .meta({ description: 'What a destructive statement does to the verdict. Default: warn.' }),
});

export type MigrationsConfig = z.output<typeof migrationsConfigSchema>;
