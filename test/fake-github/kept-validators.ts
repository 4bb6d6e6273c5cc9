// Ajv validators kept on disk between test processes. The fake GitHub checks every request, response and
// webhook against GitHub's descriptions; compiling those validators was up to half the CPU of a test file of
// the App (the issue_comment webhook alone ~2 s), and every test file is a process of its own. A validator
// is kept (node_modules/.cache/fake-github-validators) as the standalone code Ajv generates for it, which
// does what the compiled one does, errors included; the next process loads it in milliseconds.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _, type Ajv, type Code, type ValidateFunction } from 'ajv';
import standaloneCodeModule from 'ajv/dist/standalone/index.js';

// Ajv's standalone generator is CommonJS; under Node's ESM loader its default export is the function.
const standaloneCode = standaloneCodeModule as unknown as (ajv: Ajv, validate: ValidateFunction) => string;
const require = createRequire(import.meta.url);

/** Bump when what kept code depends on changes in a way its name does not capture. */
const KEPT_VERSION = 1;

/**
 * The fake's own sources: they shape what is compiled (openapi.ts rewrites the description before compiling,
 * webhooks.ts picks the schemas and their references), so a change to any of them is a new key, with no
 * version to bump by hand.
 */
export const FAKE_SOURCES = (() => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.ts'))
    .sort())
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(dir, name)))
      .update('\0');
  return hash.digest('hex');
})();

/** formats.ts, where kept code loads its formats from (ajv-formats' own regular expressions are inlined). */
const FORMATS_MODULE = fileURLToPath(new URL('./formats.ts', import.meta.url));

/** The `code` option of an Ajv instance whose validators are kept: sources kept, `formats` from formats.ts. */
export function keptCodeOptions(formats: 'FULL_FORMATS' | 'BODY_FORMATS'): {
  source: true;
  formats: Code;
} {
  return { source: true, formats: _`require(${FORMATS_MODULE})[${formats}]` };
}

const CACHE = join(
  dirname(require.resolve('ajv/package.json')).replace(/\/ajv$/, ''),
  '.cache',
  'fake-github-validators',
);

/**
 * What `instance()` compiles from `schema`, loaded from disk when kept, else compiled and kept. The file is
 * named by a hash of everything the code depends on: `identity` (the instance's options and the schemas it
 * holds, as the caller names them), the fake's own sources, Ajv's and ajv-formats' versions, formats.ts's
 * path, and `schema`. It is
 * written whole or not at all (a rename); one that cannot be read or written only costs a compile.
 */
export function keptValidator(instance: () => Ajv, identity: unknown[], schema: unknown): ValidateFunction {
  let file: string | undefined;
  try {
    const key = JSON.stringify([
      KEPT_VERSION,
      FAKE_SOURCES,
      require('ajv/package.json').version,
      require('ajv-formats/package.json').version,
      FORMATS_MODULE,
      identity,
      schema,
    ]);
    file = join(CACHE, `${createHash('sha256').update(key).digest('hex')}.cjs`);
    return require(file) as ValidateFunction;
  } catch {
    // Not kept yet: compiled below.
  }
  const validate = instance().compile(schema as object);
  try {
    const code = standaloneCode(instance(), validate);
    mkdirSync(CACHE, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file!);
  } catch {
    // Not kept: the next process compiles it again.
  }
  return validate;
}
