// Every gate by the name it has under `gates:` in deploy.yml. A gate's schema is here at once (from
// schema/, which config loading imports too); its run code, and what that pulls in (execa, pg, the XML and
// SARIF parsers), is imported when the gate first runs, so a run loads only the gates it configured and a
// process that never runs one (plan, validate, the App) loads none.
import type { GateEntry } from './runner.ts';
import { quoted } from '../config/shown.ts';
import { didYouMean } from '../config/suggest.ts';
import type { Gate, GateContext, GateVerdict } from './types.ts';
import { auditConfigSchema } from './schema/audit.ts';
import { buildConfigSchema } from './schema/build.ts';
import { customConfigSchema } from './schema/custom.ts';
import { dependenciesConfigSchema } from './schema/dependencies.ts';
import { DEFAULT_GATE_TIMEOUT_MS } from './schema/common.ts';
import { infrastructureConfigSchema } from './schema/infrastructure.ts';
import { migrationsConfigSchema } from './schema/migrations.ts';
import { performanceConfigSchema } from './schema/performance.ts';
import { reviewConfigSchema } from './schema/review.ts';
import { sarifConfigSchema } from './schema/sarif.ts';
import { secretsConfigSchema } from './schema/secrets.ts';
import type { GateName, GatesConfig } from './schema/section.ts';
import { testsConfigSchema } from './schema/tests.ts';

/**
 * A gate whose run code is imported on its first run. A failed import throws inside run(), which the
 * runner turns into a block like any crash.
 */
function lazyGate<Config>(
  name: GateName,
  schema: Gate<Config>['schema'],
  load: () => Promise<Gate<Config>>,
): Gate<Config> {
  let loaded: Promise<Gate<Config>> | undefined;
  return {
    name,
    schema,
    run: async (config: Config, ctx: GateContext): Promise<GateVerdict> =>
      (await (loaded ??= load())).run(config, ctx),
  };
}

export const GATES = {
  tests: lazyGate('tests', testsConfigSchema, async () => (await import('./tests.ts')).testsGate),
  audit: lazyGate('audit', auditConfigSchema, async () => (await import('./audit.ts')).auditGate),
  secrets: lazyGate('secrets', secretsConfigSchema, async () => (await import('./secrets.ts')).secretsGate),
  sarif: lazyGate('sarif', sarifConfigSchema, async () => (await import('./sarif.ts')).sarifGate),
  review: lazyGate('review', reviewConfigSchema, async () => (await import('./review.ts')).reviewGate),
  build: lazyGate('build', buildConfigSchema, async () => (await import('./build.ts')).buildGate),
  migrations: lazyGate(
    'migrations',
    migrationsConfigSchema,
    async () => (await import('./migrations.ts')).migrationsGate,
  ),
  infrastructure: lazyGate(
    'infrastructure',
    infrastructureConfigSchema,
    async () => (await import('./infrastructure.ts')).infrastructureGate,
  ),
  performance: lazyGate(
    'performance',
    performanceConfigSchema,
    async () => (await import('./performance.ts')).performanceGate,
  ),
  dependencies: lazyGate(
    'dependencies',
    dependenciesConfigSchema,
    async () => (await import('./dependencies.ts')).dependenciesGate,
  ),
  custom: lazyGate('custom', customConfigSchema, async () => (await import('./custom.ts')).customGate),
} as const satisfies { [Name in GateName]: Gate<NonNullable<GatesConfig[Name]>> };

export const GATE_NAMES = Object.keys(GATES) as GateName[];

export class UnknownGateError extends Error {}

/** The configured gates as runner entries, optionally only those named (`--only tests,audit`). */
export function gateEntries(section: GatesConfig, only?: string[]): GateEntry[] {
  const configured = GATE_NAMES.filter((name) => section[name] !== undefined);
  for (const name of only ?? []) {
    if (!(GATE_NAMES as string[]).includes(name))
      throw new UnknownGateError(
        `unknown gate ${quoted(name)}: the gates are ${GATE_NAMES.join(', ')}${didYouMean(name, GATE_NAMES)}`,
      );
    if (!configured.includes(name as GateName))
      throw new UnknownGateError(
        `gate ${quoted(name)} is not configured under gates: (configured: ${configured.join(', ') || 'none'})`,
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
