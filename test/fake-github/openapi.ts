// GitHub's official OpenAPI description, read once per process as kept pieces (kept-pieces.ts), and the
// request/response checks built from it. Validators are compiled lazily per operation (the description holds ~1000 operations; a test
// touches a dozen) and cached: in the process, and on disk for the next one (kept-validators.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction, ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { BODY_FORMATS } from './formats.ts';
import { keptPieces } from './kept-pieces.ts';
import type { Pieces } from './kept-pieces.ts';
import { keptCodeOptions, keptValidator } from './kept-validators.ts';

// ajv-formats is CommonJS; under Node's ESM loader its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

export interface OpenApiOperation {
  operationId: string;
  method: string;
  template: string;
  /** JSON pointer of the operation object inside the description, for $ref-based validation. */
  pointer: string;
  op: Json;
}

export interface RouteMatch {
  operation: OpenApiOperation;
  params: Record<string, string>;
}

interface CompiledRoute {
  operation: OpenApiOperation;
  strict: RegExp;
  loose: RegExp;
  names: string[];
  literalLength: number;
}

const SPEC_ID = 'github-openapi';
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

let loaded:
  | {
      pieces: Pieces<DescriptionMeta>;
      routes: CompiledRoute[];
      byMethod: Map<string, CompiledRoute[]>;
      loadMs: number;
    }
  | undefined;
let description: Json | undefined;
let ajvInstance: Ajv | undefined;
let paramAjvInstance: Ajv | undefined;
const validatorCache = new Map<string, ValidateFunction>();

function specPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@octokit/openapi/generated/api.github.com.json');
}

const pointerEscape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Parameters that GitHub lets hold '/' (file paths, git refs, compare ranges). */
const SLASHY_PARAMS = new Set(['path', 'ref', 'base', 'head', 'basehead', 'branch', 'tag']);

function compileTemplate(template: string, loose: boolean): { re: RegExp; names: string[] } {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const m of template.matchAll(/\{([^}]+)\}/g)) {
    source += regexEscape(template.slice(last, m.index));
    source += loose && SLASHY_PARAMS.has(m[1] as string) ? '(.+?)' : '([^/]+?)';
    names.push(m[1] as string);
    last = m.index + m[0].length;
  }
  source += regexEscape(template.slice(last));
  return { re: new RegExp(`^${source}$`), names };
}

/**
 * OpenAPI 3.0 `nullable` differs from what Ajv accepts: Ajv needs `type` beside it and does not add null to
 * an `enum`. Rewrite those spots once, in place, so `nullable` means what GitHub means.
 */
function normaliseNullable(node: unknown): unknown {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item = node[i];
      if (typeof item === 'object' && item !== null) {
        const next = normaliseNullable(item);
        if (next !== item) node[i] = next;
      }
    }
    return node;
  }
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Json;
  for (const key in obj) {
    const value = obj[key];
    if (typeof value !== 'object' || value === null || key === 'example' || key === 'examples') continue;
    const next = normaliseNullable(value);
    if (next !== value) obj[key] = next;
  }
  if (obj.nullable !== true) return obj;
  if (Array.isArray(obj.enum) && !obj.enum.includes(null)) obj.enum.push(null);
  if (obj.type === undefined) {
    const { nullable: _nullable, ...rest } = obj;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return obj;
}

/** The whole description, parsed and normalised (for Ajv, which compiles from it when a validator is not kept). */
export function openApiDescription(): Json {
  if (!description) {
    const text = readFileSync(specPath(), 'utf8');
    const spec = JSON.parse(text) as Json;
    normaliseNullable(spec.paths);
    normaliseNullable(spec.components);
    description = spec;
    descriptionHash = createHash('sha256').update(text).digest('hex');
  }
  return description;
}
let descriptionHash: string | undefined;

interface DescriptionMeta {
  /** sha256 of the description's text: kept validators are named by it. */
  specHash: string;
  /** [method, template, operationId] of every operation, in the description's order. */
  operations: Array<[string, string, string]>;
}

/**
 * The description as kept pieces (kept-pieces.ts): one per path item (`/paths/<template>`) and one per
 * component (`/components/<section>/<name>`), each normalised as the whole is, plus the operation list.
 */
function describedPieces(): Pieces<DescriptionMeta> {
  return keptPieces('github-openapi', specPath(), () => {
    const spec = openApiDescription();
    const pieces = new Map<string, unknown>();
    const operations: DescriptionMeta['operations'] = [];
    for (const [template, item] of Object.entries(spec.paths as Record<string, Json>)) {
      pieces.set(`/paths/${pointerEscape(template)}`, item);
      for (const method of HTTP_METHODS) {
        const op = item[method] as Json | undefined;
        if (op) operations.push([method, template, op.operationId as string]);
      }
    }
    for (const [section, entries] of Object.entries(spec.components as Record<string, Json>)) {
      for (const [name, value] of Object.entries(entries))
        pieces.set(`/components/${pointerEscape(section)}/${pointerEscape(name)}`, value);
    }
    return { meta: { specHash: descriptionHash!, operations }, pieces };
  });
}

const pointerUnescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * The value at a JSON pointer into the (normalised) description, read from the one piece that holds it:
 * path items are two tokens deep, components three.
 */
function at(pointer: string): unknown {
  const tokens = pointer.split('/').slice(1);
  const depth = tokens[0] === 'paths' ? 2 : tokens[0] === 'components' ? 3 : 0;
  let node: unknown =
    depth && tokens.length >= depth
      ? loaded!.pieces.piece(`/${tokens.slice(0, depth).join('/')}`)
      : openApiDescription();
  for (const token of tokens.slice(depth)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[pointerUnescape(token)];
  }
  return node;
}

/** Loads (once) the description's index and the route table; pieces are read when first asked for. */
export function loadOpenApi(): { loadMs: number } {
  if (!loaded) {
    const started = performance.now();
    const pieces = describedPieces();
    const routes: CompiledRoute[] = [];
    for (const [method, template, operationId] of pieces.meta.operations) {
      const pointer = `/paths/${pointerEscape(template)}/${method}`;
      const operation: OpenApiOperation = {
        operationId,
        method: method.toUpperCase(),
        template,
        pointer,
        get op() {
          return at(pointer) as Json;
        },
      };
      const strict = compileTemplate(template, false);
      const loose = compileTemplate(template, true);
      routes.push({
        operation,
        strict: strict.re,
        loose: loose.re,
        names: strict.names,
        literalLength: template.replace(/\{[^}]+\}/g, '').length,
      });
    }
    // Prefer the most specific template when several match (e.g. /git/refs vs a {param}).
    routes.sort((a, b) => b.literalLength - a.literalLength);
    const byMethod = new Map<string, CompiledRoute[]>();
    for (const route of routes) {
      const list = byMethod.get(route.operation.method) ?? [];
      list.push(route);
      byMethod.set(route.operation.method, list);
    }
    loaded = { pieces, routes, byMethod, loadMs: performance.now() - started };
  }
  return { loadMs: loaded.loadMs };
}

/** Finds the documented operation for a method and URL path; parameters like {path} or {ref} may hold '/'. */
export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  // Tests ask for the same few URLs over and over; trying ~1000 templates each time was a tenth of the
  // fake's CPU. The answer depends on the method and path alone, so it is kept (fresh params each time).
  const key = `${method} ${pathname}`;
  let found = matched.get(key);
  if (found === undefined) {
    found = findRoute(method, pathname) ?? null;
    if (matched.size >= MATCHED_KEPT) matched.clear();
    matched.set(key, found);
  }
  return found === null ? undefined : { operation: found.operation, params: { ...found.params } };
}

const MATCHED_KEPT = 10_000;
const matched = new Map<string, RouteMatch | null>();

function findRoute(method: string, pathname: string): RouteMatch | undefined {
  loadOpenApi();
  const routes = loaded!.byMethod.get(method) ?? [];
  for (const kind of ['strict', 'loose'] as const) {
    for (const route of routes) {
      const m = route[kind].exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] as string);
      });
      return { operation: route.operation, params };
    }
  }
  return undefined;
}

// strict: false because the description uses OpenAPI keywords (example, discriminator, x-github...).
const BODY_OPTIONS = {
  strict: false,
  allErrors: true,
  validateSchema: false,
  logger: false,
  inlineRefs: false,
} as const;
// Path and query values arrive as strings; coerce them to the declared types before checking.
const PARAM_OPTIONS = { ...BODY_OPTIONS, coerceTypes: 'array' } as const;

function ajv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv({ ...BODY_OPTIONS, code: keptCodeOptions('BODY_FORMATS') });
    addFormats(ajvInstance);
    // A uri may be exactly "" (see formats.ts); every other format is ajv-formats' own.
    ajvInstance.addFormat('uri', BODY_FORMATS.uri);
    ajvInstance.addSchema(openApiDescription(), SPEC_ID);
  }
  return ajvInstance;
}

function paramAjv(): Ajv {
  if (!paramAjvInstance) {
    paramAjvInstance = new Ajv({ ...PARAM_OPTIONS, code: keptCodeOptions('FULL_FORMATS') });
    addFormats(paramAjvInstance);
    paramAjvInstance.addSchema(openApiDescription(), SPEC_ID);
  }
  return paramAjvInstance;
}

/** Follows `$ref: '#/components/...'` on non-schema objects (parameters, responses, request bodies). */
function deref(obj: Json, pointer: string): { obj: Json; pointer: string } {
  loadOpenApi();
  let current = obj;
  let where = pointer;
  while (typeof current.$ref === 'string') {
    where = current.$ref.slice(1);
    current = at(where) as Json;
  }
  return { obj: current, pointer: where };
}

/** A validator of bodies (`ajv()`) or of parameters (`paramAjv()`) for `schema`, kept on disk. */
function kept(kind: 'body' | 'params', schema: Json): ValidateFunction {
  loadOpenApi();
  const [instance, options] = kind === 'body' ? [ajv, BODY_OPTIONS] : [paramAjv, PARAM_OPTIONS];
  return keptValidator(instance, ['openapi', kind, options, loaded!.pieces.meta.specHash], schema);
}

function cached(key: string, make: () => ValidateFunction): ValidateFunction {
  let v = validatorCache.get(key);
  if (!v) {
    v = make();
    validatorCache.set(key, v);
  }
  return v;
}

export interface ParamIssue {
  where: 'path' | 'query';
  message: string;
}

function parameterSchema(operation: OpenApiOperation, location: 'path' | 'query'): Json {
  const list = (operation.op.parameters as Json[] | undefined) ?? [];
  const properties: Json = {};
  const required: string[] = [];
  list.forEach((p, i) => {
    const { obj, pointer } = deref(p, `${operation.pointer}/parameters/${i}`);
    if (obj.in !== location) return;
    properties[obj.name as string] = { $ref: `${SPEC_ID}#${pointer}/schema` };
    if (obj.required) required.push(obj.name as string);
  });
  // Unknown query parameters are client bugs (a misspelt filter is silently ignored by GitHub).
  return { type: 'object', properties, required, additionalProperties: false };
}

export function formatErrors(errors: ErrorObject[] | null | undefined, root: string): string {
  return (errors ?? [])
    .map((e) => {
      const extra =
        e.keyword === 'enum'
          ? ` (allowed: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : e.keyword === 'additionalProperties'
            ? ` ('${(e.params as { additionalProperty: string }).additionalProperty}')`
            : '';
      return `${root}${e.instancePath || ''} ${e.message ?? e.keyword}${extra}`;
    })
    .join('; ');
}

/** Validates (and coerces in place) path and query parameters. Returns problems, empty when fine. */
export function validateParams(
  operation: OpenApiOperation,
  path: Record<string, unknown>,
  query: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (const [where, values] of [
    ['path', path],
    ['query', query],
  ] as const) {
    const v = cached(`${operation.pointer}#${where}`, () =>
      kept('params', parameterSchema(operation, where)),
    );
    if (!v(values)) problems.push(formatErrors(v.errors, `${where} parameters`));
  }
  return problems;
}

/** The JSON request-body schema pointer, or undefined when the operation takes no JSON body. */
function requestBodyPointer(operation: OpenApiOperation): { pointer: string; required: boolean } | undefined {
  const rb = operation.op.requestBody as Json | undefined;
  if (!rb) return undefined;
  const { obj, pointer } = deref(rb, `${operation.pointer}/requestBody`);
  const content = obj.content as Record<string, Json> | undefined;
  if (!content?.['application/json']) return undefined;
  return { pointer: `${pointer}/content/application~1json/schema`, required: obj.required === true };
}

export function validateRequestBody(operation: OpenApiOperation, body: unknown): string[] {
  const rb = requestBodyPointer(operation);
  if (!rb) {
    const empty =
      body === undefined || (typeof body === 'object' && body !== null && !Object.keys(body).length);
    return empty ? [] : [`${operation.operationId} takes no request body`];
  }
  if (body === undefined) return rb.required ? ['request body is required'] : [];
  const v = cached(`${rb.pointer}#body`, () => kept('body', { $ref: `${SPEC_ID}#${rb.pointer}` }));
  const problems: string[] = [];
  if (!v(body)) problems.push(formatErrors(v.errors, 'body'));
  // GitHub ignores unknown top-level fields; for a test double that hides typos, so they are flagged.
  const schema = deref({ $ref: `#${rb.pointer}` }, rb.pointer).obj;
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) {
    const known = Object.keys(schema.properties as Json);
    for (const key of Object.keys(body as Json)) {
      if (!known.includes(key))
        problems.push(`body has unknown property '${key}' (known: ${known.join(', ')})`);
    }
  }
  return problems;
}

/** Validates a response body against the operation's documented response for that status. */
export function validateResponse(operation: OpenApiOperation, status: number, body: unknown): string[] {
  const responses = operation.op.responses as Record<string, Json>;
  const declared = responses[String(status)] ?? responses.default;
  if (!declared) {
    return [
      `status ${status} is not documented for ${operation.operationId} (${Object.keys(responses).join(', ')})`,
    ];
  }
  const { obj, pointer } = deref(declared, `${operation.pointer}/responses/${status}`);
  const content = obj.content as Record<string, Json> | undefined;
  if (!content) return body === undefined ? [] : [`status ${status} of ${operation.operationId} has no body`];
  const type = content['application/json'] ? 'application/json' : Object.keys(content)[0];
  if (!type || !content[type]?.schema) return [];
  const schemaPointer = `${pointer}/content/${pointerEscape(type)}/schema`;
  const v = cached(`${schemaPointer}#response`, () => kept('body', { $ref: `${SPEC_ID}#${schemaPointer}` }));
  return v(body) ? [] : [formatErrors(v.errors, `response ${status}`)];
}

/** A schema object from components, for building response objects. */
export function componentSchema(name: string): Json {
  loadOpenApi();
  const schema = at(`/components/schemas/${pointerEscape(name)}`) as Json | undefined;
  if (!schema) throw new Error(`OpenAPI description has no components.schemas.${name}`);
  return schema;
}

export function resolveSchemaRef(ref: string): Json {
  return deref({ $ref: ref }, '').obj;
}
