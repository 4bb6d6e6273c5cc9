// Every gate by the name it has under `gates:` in deploy.yml (the section's schema is schema/section.ts,
// which config loading imports without this file's run code).
import { auditGate } from './audit.ts';
import { buildGate } from './build.ts';
import { infrastructureGate } from './infrastructure.ts';
import { migrationsGate } from './migrations.ts';
import { reviewGate } from './review.ts';
import type { GateEntry } from './runner.ts';
import type { Gate } from './types.ts';
import { DEFAULT_GATE_TIMEOUT_MS } from './schema/common.ts';
import type { GateName, GatesConfig } from './schema/section.ts';
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
} as const satisfies { [Name in GateName]: Gate<NonNullable<GatesConfig[Name]>> };

export const GATE_NAMES = Object.keys(GATES) as GateName[];

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
