// Writes schema/deploy.schema.json from the zod schema, so editors can complete and check deploy.yml.
// The output is deterministic (sorted keys, trailing newline): a test compares the committed file with a
// fresh generation, and fails when schema.ts changed without `npm run schema`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { deployConfig, EXTENSION_KEYS_JSON_SCHEMA } from '../src/config/schema.ts';

export const SCHEMA_PATH = join(import.meta.dirname, '..', 'schema', 'deploy.schema.json');
export const SCHEMA_ID = 'urn:deploy-action:schema:deploy-config';

/** Sorts object keys recursively; arrays keep their order (it can matter, e.g. tuple items). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** The JSON Schema text for what a user may write in `.github/deploy.yml`. */
export function generateJsonSchema(): string {
  const generated = z.toJSONSchema(deployConfig, { io: 'input', reused: 'ref' });
  const schema = {
    ...generated,
    ...EXTENSION_KEYS_JSON_SCHEMA,
    $id: SCHEMA_ID,
    title: 'deploy-action configuration (.github/deploy.yml)',
    description:
      'Environments, their targets and deployment strategies (direct, rolling, blue-green, canary), ' +
      'health checks and hooks. Generated from src/config/schema.ts by `npm run schema`: do not edit.',
  };
  return `${JSON.stringify(sortKeys(schema), null, 2)}\n`;
}

if (import.meta.main) {
  await writeFile(SCHEMA_PATH, generateJsonSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}
