// Every gate by the name it has under `gates:` in deploy.yml, and the section's own schema.
import * as z from 'zod';
import { duration } from '../config/duration.ts';
import { auditGate } from './audit.ts';
import { buildGate } from './build.ts';
import { DEFAULT_GATE_TIMEOUT_MS } from './common.ts';
import { infrastructureGate } from './infrastructure.ts';
import { migrationsGate } from './migrations.ts';
import { reviewGate } from './review.ts';
import type { GateEntry } from './runner.ts';
import { sarifGate } from './sarif.ts';
import { secretsGate } from './secrets.ts';
import { testsGate } from './tests.ts';

export const GATES = {
  tests: testsGate,
  audit: auditGate,
  secrets: secretsGate,
  sarif: sarifGate,
  review: reviewGate,
  build: buildGate,
  migrations: migrationsGate,
  infrastructure: infrastructureGate,
} as const;

export type GateName = keyof typeof GATES;
export const GATE_NAMES = Object.keys(GATES) as GateName[];

export const gatesConfigSchema = z.strictObject({
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(32)
    .optional()
    .meta({ description: 'How many gates run at once (default: all of them).' }),
  timeout: duration.optional().meta({ description: 'Default time limit of each gate (default 10m).' }),
  tests: testsGate.schema.optional(),
  audit: auditGate.schema.optional(),
  secrets: secretsGate.schema.optional(),
  sarif: sarifGate.schema.optional(),
  review: reviewGate.schema.optional(),
  build: buildGate.schema.optional(),
  migrations: migrationsGate.schema.optional(),
  infrastructure: infrastructureGate.schema.optional(),
});

export type GatesConfig = z.output<typeof gatesConfigSchema>;

export class UnknownGateError extends Error {}

/** The configured gates as runner entries, optionally only those named (`--only tests,audit`). */
export function gateEntries(section: GatesConfig, only?: string[]): GateEntry[] {
  const configured = GATE_NAMES.filter((name) => section[name] !== undefined);
  for (const name of only ?? []) {
    if (!(GATE_NAMES as string[]).includes(name))
      throw new UnknownGateError(`unknown gate "${name}": the gates are ${GATE_NAMES.join(', ')}`);
    if (!configured.includes(name as GateName))
      throw new UnknownGateError(
        `gate "${name}" is not configured under gates: (configured: ${configured.join(', ') || 'none'})`,
      );
  }
  return configured
    .filter((name) => !only || only.includes(name))
    .map((name) => {
      const config = section[name] as { required?: boolean; timeout?: number };
      return {
        name,
        gate: GATES[name],
        config,
        required: config.required ?? true,
        timeoutMs: config.timeout ?? section.timeout ?? DEFAULT_GATE_TIMEOUT_MS,
      };
    });
}
