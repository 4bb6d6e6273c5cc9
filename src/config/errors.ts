// Config errors: their shape and format, and the translation of zod issues into messages a user can act on
// (what was expected, what was found, what is allowed, what was probably meant). Locating an issue in the
// YAML source is load.ts's job; this file only decides the path, the message and which node it is about.
import * as z from 'zod';
import { closestMatch, didYouMean, listOf } from './suggest.ts';
import { invisibleCharacter, invisibleNameProblem, showInvisible } from './invisible.ts';
import { maskSecrets, PATH_KEY_MAX, quoted, shortenQuoted } from './shown.ts';
import { MIN_SECRET_LENGTH } from '../util/secret-values.ts';

// How a value is shown in a message (shown.ts), for the modules that already import errors.ts.
export { maskSecrets, oneLine, quoted, shortenQuoted, shortenRuns } from './shown.ts';

/** One problem in a config file. line/column are 1-based; 0 means the whole file (e.g. it does not exist). */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  /** The field, like `environments.production.strategy.steps[2]`; empty for the root. */
  path: string;
  message: string;
}

export type ConfigPath = readonly (string | number)[];

/** `file:line:column: path: message`, leaving out what is unknown (no position, root path). */
export function formatConfigError(error: ConfigError): string {
  const where = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  return error.path === '' ? `${where}: ${error.message}` : `${where}: ${error.path}: ${error.message}`;
}

export class ConfigLoadError extends Error {
  readonly errors: readonly ConfigError[];
  constructor(errors: readonly ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
    this.name = 'ConfigLoadError';
    this.errors = errors;
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `environments.production.strategy.steps[2]`; odd keys are bracketed: `environments["my env"]`. */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment) && segment.length <= PATH_KEY_MAX)
      text += text === '' ? segment : `.${segment}`;
    // An invisible character in a key (a name copied from a job summary) is shown as its escape; a long key
    // is cut short as a long value is (masked first: a credential cut short may no longer look like one).
    else text += `[${shortenQuoted(showInvisible(JSON.stringify(maskSecrets(segment))))}]`;
  }
  return text;
}

/** Which YAML node an issue is about: the value at the path, or the key that names it. */
export type IssueAnchor = 'value' | 'key';

export interface ExplainedIssue {
  path: (string | number)[];
  anchor: IssueAnchor;
  message: string;
  /** A required key that is missing, or the keys of which one is (the path is their mapping's). */
  missing?: string | readonly string[];
  /** The key an unknown key was probably meant to be. */
  meant?: string;
  /** A misspelt required key, named from the missing side (said once when its mapping names it too). */
  misspeltRequired?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Describing values and expectations

/** What was found, for "expected X, got Y". */
export function describeAnyValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return `the string ${quoted(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

/**
 * What was found, for a value that may be a secret: a scalar as long as a secret can be (MIN_SECRET_LENGTH,
 * the length below which the runner masks nothing) by its kind only; a short one (`REPLICAS: 3`, `true`) as
 * written, which tells the author what YAML read.
 */
function describeKind(value: unknown): string {
  if (
    (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
    String(value).length >= MIN_SECRET_LENGTH
  )
    return `a ${typeof value} (not shown: it may be a credential)`;
  return describeAnyValue(value);
}

/** The keys whose mapping is keyed by names the config chooses (an environment, a channel, a variable). */
const NAMED_ENTRIES: ReadonlySet<PropertyKey> = new Set([
  'environments',
  'channels',
  'providers',
  'metrics',
  'variables',
  'env',
  'headers',
]);

/**
 * Whether `path` is a `headers` or `env` field, or the value of one of its entries (an Authorization header, a
 * variable such as DATABASE_URL): the whole field written as text (`headers: "Authorization: Bearer …"`) holds
 * the credential as much as an entry does. Each key's role is read from the root: one under `environments` or
 * `channels` is a name the config chose, so an environment or a channel named `env` or `headers` holds no
 * secret for that.
 */
function holdsSecretValue(path: readonly PropertyKey[] | undefined): boolean {
  if (!path) return false;
  let named = false;
  for (const [i, key] of path.entries()) {
    // A list's index is no field; a name is not either. The key after either is a field again.
    const field: boolean = !named && typeof key === 'string';
    if (i >= path.length - 2 && field && (key === 'headers' || key === 'env')) return true;
    named = field && NAMED_ENTRIES.has(key);
  }
  return false;
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    default:
      return `a ${expected}`;
  }
}

/**
 * A number or a boolean written in quotes (`instances: "4"`, `production: "true"`) is text in YAML: the way
 * to write what was meant, when the field takes that kind. Empty when the text is not such a value.
 */
export function unquoteHint(input: unknown, takes: { number?: boolean; boolean?: boolean }): string {
  if (typeof input !== 'string') return '';
  const text = input.trim();
  if (takes.number && /^[-+]?\d+(?:\.\d+)?$/.test(text)) return `: write ${text} without quotes for a number`;
  if (takes.boolean && /^(?:true|false)$/i.test(text)) return `: write ${text.toLowerCase()} without quotes`;
  return '';
}

function showLiteral(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function valuesMessage(values: readonly unknown[], input: unknown): string {
  // Only text can be a quoted number or boolean; and a mapping is never coerced to text here (one with a
  // `toString` key, as YAML may write, cannot be).
  const text = typeof input === 'string' ? input.trim().toLowerCase() : undefined;
  const unquoted = unquoteHint(input, {
    number: values.some((v) => typeof v === 'number' && text !== undefined && v === Number(text)),
    boolean: values.some((v) => typeof v === 'boolean' && String(v) === text),
  });
  if (values.length === 1)
    return `expected ${showLiteral(values[0])}, got ${describeAnyValue(input)}${unquoted}`;
  const strings = values.filter((v): v is string => typeof v === 'string');
  const hint = (typeof input === 'string' ? didYouMean(input, strings) : '') || unquoted;
  return `expected one of ${listOf(values.map(showLiteral))}, got ${describeAnyValue(input)}${hint}`;
}

function sizeLimit(
  issue: { origin: string; inclusive?: boolean },
  bound: number | bigint,
  small: boolean,
): string {
  const count = Number(bound);
  switch (issue.origin) {
    case 'array':
    case 'set':
      return small
        ? `needs at least ${count} item${count === 1 ? '' : 's'}`
        : `allows at most ${count} item${count === 1 ? '' : 's'}`;
    case 'string':
      if (small && count === 1) return 'must not be empty';
      return `must be at ${small ? 'least' : 'most'} ${count} characters long`;
    default:
      if (issue.inclusive === false) return `must be ${small ? 'greater' : 'less'} than ${count}`;
      return `must be at ${small ? 'least' : 'most'} ${count}`;
  }
}

/**
 * Per-parse zod error map: the message for each leaf issue. Messages set in the schema itself take
 * precedence over this map (zod's rule), so a field's own wording always wins.
 */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  // A header's or a variable's value is often a credential (an API key, a DATABASE_URL): said by its kind only.
  const describe = holdsSecretValue(issue.path) ? describeKind : describeAnyValue;
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      // `release: 1.10` is the number 1.1 and `enabled: true` a boolean; quoted, each stays the text written.
      const quote =
        issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean')
          ? ': put the value in quotes to keep it as text, exactly as written'
          : '';
      // YAML 1.1 read yes/no/on/off as booleans; YAML 1.2, which this reader follows, reads them as text.
      const yes =
        issue.expected === 'boolean' &&
        typeof issue.input === 'string' &&
        /^(?:y|yes|n|no|on|off)$/i.test(issue.input)
          ? `: YAML 1.2 reads ${issue.input} as text, not as ${/^(?:y|yes|on)$/i.test(issue.input)}; write true or false`
          : '';
      // `production:` with nothing after it is null, not an empty mapping.
      const empty =
        issue.input === null && (issue.expected === 'object' || issue.expected === 'record')
          ? ': write {} for an empty mapping'
          : '';
      const unquoted = unquoteHint(issue.input, {
        number: issue.expected === 'number' || issue.expected === 'int',
        boolean: issue.expected === 'boolean',
      });
      return `expected ${expectedType(issue.expected)}, got ${describe(issue.input)}${quote}${yes}${empty}${unquoted}`;
    }
    case 'invalid_value':
      return valuesMessage(issue.values, issue.input);
    case 'too_small': {
      const got = typeof issue.input === 'number' ? `, got ${issue.input}` : '';
      return `${sizeLimit(issue, issue.minimum, true)}${got}`;
    }
    case 'too_big': {
      const got = typeof issue.input === 'number' ? `, got ${issue.input}` : '';
      return `${sizeLimit(issue, issue.maximum, false)}${got}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return `must be a URL, got ${describe(issue.input)}`;
      if (issue.format === 'regex' && 'pattern' in issue) {
        return `must match ${String(issue.pattern)}, got ${describe(issue.input)}`;
      }
      return `must be a valid ${issue.format}, got ${describe(issue.input)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Walking the schema along a path (for allowed keys, union branches and descriptions)

type Schema = z.core.$ZodType;

/** Strips wrappers that do not change the shape of what a user writes. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as z.core.$ZodTypeDef & {
      innerType?: Schema;
      in?: Schema;
      getter?: () => Schema;
    };
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else return current;
  }
}

function unionOptions(schema: Schema): readonly Schema[] | undefined {
  const def = unwrap(schema)._zod.def;
  return def.type === 'union' ? (def as z.core.$ZodUnionDef).options : undefined;
}

function objectShape(schema: Schema): Record<string, Schema> | undefined {
  const def = unwrap(schema)._zod.def;
  return def.type === 'object' ? (def as z.core.$ZodObjectDef).shape : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Object schemas among a union's options, looking through nested unions. */
function objectOptions(options: readonly Schema[]): Schema[] {
  return options.flatMap((option) =>
    objectShape(option) ? [option] : objectOptions(unionOptions(option) ?? []),
  );
}

/**
 * The options of a union that could describe `value`. For a mapping: the object option its discriminator
 * names, else the object options sharing most keys with it (so the allowed keys listed are the right ones).
 */
function relevantOptions(
  options: readonly Schema[],
  value: unknown,
  discriminator: string | undefined,
): Schema[] {
  if (!isPlainObject(value)) return [...options];
  let objects = objectOptions(options);
  if (discriminator !== undefined && discriminator in value) {
    const named = objects.filter((option) => {
      const field = objectShape(option)?.[discriminator];
      const def = field && unwrap(field)._zod.def;
      return (
        def?.type === 'literal' &&
        (def as z.core.$ZodLiteralDef<z.core.util.Literal>).values.includes(
          value[discriminator] as z.core.util.Literal,
        )
      );
    });
    if (named.length > 0) objects = named;
  }
  const overlap = (option: Schema) => Object.keys(value).filter((key) => key in objectShape(option)!).length;
  const best = Math.max(0, ...objects.map(overlap));
  return objects.filter((option) => overlap(option) === best);
}

/** The schema that validates the value at `path` below `schema`, given the value found there. */
export function schemaAt(schema: Schema, path: ConfigPath, value: unknown): Schema | undefined {
  let current: Schema | undefined = schema;
  let currentValue = value;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = childSchema(current, segment, currentValue);
    currentValue = valueAt(currentValue, [segment]).value;
  }
  return current;
}

function childSchema(schema: Schema, segment: string | number, value: unknown): Schema | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def;
  switch (def.type) {
    case 'object':
      return (def as z.core.$ZodObjectDef).shape[String(segment)];
    case 'record':
      return (def as z.core.$ZodRecordDef).valueType;
    case 'array':
      return (def as z.core.$ZodArrayDef).element;
    case 'tuple': {
      const tuple = def as z.core.$ZodTupleDef;
      return tuple.items[Number(segment)] ?? tuple.rest ?? undefined;
    }
    case 'union': {
      // The child of the option that takes the kind of value written there: in a list of health checks,
      // [0] is a check (a mapping), not the argv string of a command written as a list.
      const union = def as z.core.$ZodUnionDef & { discriminator?: string };
      const children = relevantOptions(union.options, value, union.discriminator)
        .map((option) => childSchema(option, segment, value))
        .filter((child) => child !== undefined);
      const written = valueAt(value, [segment]);
      return (
        (written.found ? children.find((child) => takesKind(child, written.value)) : undefined) ?? children[0]
      );
    }
    default:
      return undefined;
  }
}

/** Whether a schema takes values of the kind of `value` (a mapping, a list, a string...), if not the value. */
function takesKind(schema: Schema, value: unknown): boolean {
  const def = unwrap(schema)._zod.def;
  switch (def.type) {
    case 'object':
    case 'record':
      return isPlainObject(value);
    case 'array':
    case 'tuple':
      return Array.isArray(value);
    case 'union':
      return (def as z.core.$ZodUnionDef).options.some((option) => takesKind(option, value));
    case 'string':
    case 'enum':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

/** The keys an object schema allows, given the value written there (which picks a union's branch). */
export function allowedKeys(schema: Schema | undefined, value: unknown): string[] {
  if (schema === undefined) return [];
  const shape = objectShape(schema);
  if (shape) return Object.keys(shape);
  const def = unwrap(schema)._zod.def as z.core.$ZodTypeDef & { discriminator?: string };
  const options = unionOptions(schema);
  if (!options) return [];
  const keys = relevantOptions(options, value, def.discriminator).flatMap((option) =>
    allowedKeys(option, value),
  );
  return [...new Set(keys)];
}

/** The first `.meta({ description })` found on the schema or the wrappers inside it. */
export function describeSchema(schema: Schema | undefined): string | undefined {
  let current = schema;
  while (current) {
    const description = z.globalRegistry.get(current)?.description;
    if (description) return description;
    const def = current._zod.def as z.core.$ZodTypeDef & { innerType?: Schema; in?: Schema };
    current = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Turning zod issues into located, explained issues

function valueAt(root: unknown, path: ConfigPath): { found: boolean; value: unknown } {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number' && segment < current.length) {
      current = current[segment];
    } else if (isPlainObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

type Issue = z.core.$ZodIssue;

/**
 * A branch rejected the value as a whole: wrong kind (a number where a mapping was expected) or not one of
 * its literal values. Such branches are summed up together ("expected A, B or C") rather than explained.
 */
function failsAtRoot(issues: readonly Issue[]): boolean {
  return issues.some((issue) => {
    if (issue.path.length > 0) return false;
    if (issue.code === 'invalid_type' || issue.code === 'invalid_value') return true;
    if (issue.code === 'invalid_union' && issue.errors.length > 0) return issue.errors.every(failsAtRoot);
    return false;
  });
}

/** What the branches that failed on kind expected, for one combined "expected A, B or C" message. */
function expectations(issues: readonly Issue[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.path.length > 0) return [];
    if (issue.code === 'invalid_type') return [expectedType(issue.expected)];
    if (issue.code === 'invalid_value') return issue.values.map(showLiteral);
    if (issue.code === 'invalid_union') return issue.errors.flatMap((branch) => expectations(branch));
    return [];
  });
}

/**
 * Keys the branch does not know in the value itself, looking into a nested union (commandSpec in healthCheck)
 * through its closest branch: the command branch of a health check does not know "url" or "expect_status".
 */
function unknownKeyCount(issues: readonly Issue[]): number {
  return issues
    .filter((issue) => issue.path.length === 0)
    .reduce((sum, issue) => {
      if (issue.code === 'unrecognized_keys') return sum + issue.keys.length;
      if (issue.code !== 'invalid_union') return sum;
      const counts = issue.errors.filter((branch) => !failsAtRoot(branch)).map(unknownKeyCount);
      return sum + (counts.length > 0 ? Math.min(...counts) : 0);
    }, 0);
}

/**
 * How far into the value a branch got before it failed: the longest issue path, through nested unions. A
 * list of health checks fails the single-command branch at [0] (a string expected) and the list branch at
 * [0].timeout: the list branch is the one written.
 */
function reach(issues: readonly Issue[]): number {
  return Math.max(
    0,
    ...issues.map((issue) => {
      if (issue.code !== 'invalid_union') return issue.path.length;
      const inner = issue.errors.filter((branch) => !failsAtRoot(branch)).map(reach);
      return issue.path.length + Math.max(0, ...inner);
    }),
  );
}

/**
 * Members of the value whose kind the branch does not take (a mapping where it wants a string): `health:
 * [{ url: ... }, ""]` is a list of checks with one empty, not an argv list whose first item is not a string.
 */
function wrongKindCount(issues: readonly Issue[]): number {
  return issues.reduce((sum, issue) => {
    if (issue.code === 'invalid_union') {
      const counts = issue.errors.filter((branch) => !failsAtRoot(branch)).map(wrongKindCount);
      return sum + (counts.length > 0 ? Math.min(...counts) : issue.path.length > 0 ? 1 : 0);
    }
    const wrongKind = issue.code === 'invalid_type' || issue.code === 'invalid_value';
    return sum + (wrongKind && issue.path.length > 0 ? 1 : 0);
  }, 0);
}

/**
 * The branch of a failed union that best explains the failure: among the branches that accept this kind of
 * value, the one that recognises most of its keys, then the one that takes the kinds of more of its
 * members, then the one that got furthest into it, then the one with the fewest problems. Undefined when
 * every branch rejects the kind of value.
 */
/**
 * Unknown keys of the value that are a likely typo of a key the branch misses: `health: { ulr: ... }` is an
 * HTTP check with "url" misspelt, not a command whose "run" is missing.
 */
function typoCount(issues: readonly Issue[]): number {
  const missing = issues
    .filter(
      (issue) =>
        issue.path.length === 1 &&
        (issue.code === 'invalid_union' ||
          (issue.code === 'invalid_type' && issue.message === 'is required')),
    )
    .map((issue) => String(issue.path[0]));
  if (missing.length === 0) return 0;
  return issues
    .filter((issue) => issue.code === 'unrecognized_keys' && issue.path.length === 0)
    .flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []))
    .filter((key) => closestMatch(key, missing) !== undefined).length;
}

function mostRelevantBranch(branches: readonly (readonly Issue[])[]): number | undefined {
  let best: number | undefined;
  for (const [index, branch] of branches.entries()) {
    if (failsAtRoot(branch)) continue;
    if (best === undefined) {
      best = index;
      continue;
    }
    const current = branches[best]!;
    const fewerUnknown =
      unknownKeyCount(branch) - typoCount(branch) - (unknownKeyCount(current) - typoCount(current));
    const fewerWrongKinds = wrongKindCount(branch) - wrongKindCount(current);
    const further = reach(branch) - reach(current);
    if (
      fewerUnknown < 0 ||
      (fewerUnknown === 0 && fewerWrongKinds < 0) ||
      (fewerUnknown === 0 && fewerWrongKinds === 0 && further > 0) ||
      (fewerUnknown === 0 && fewerWrongKinds === 0 && further === 0 && branch.length < current.length)
    )
      best = index;
  }
  return best;
}

function sentence(description: string): string {
  return description.charAt(0).toLowerCase() + description.slice(1).replace(/\.$/, '');
}

/**
 * Explains zod issues for `data` (the parsed YAML) validated by `schema`: one entry per problem, with the
 * path it concerns and whether the value or the key should be pointed at.
 */
export function explainIssues(issues: readonly Issue[], data: unknown, schema: Schema): ExplainedIssue[] {
  const explained = withoutSafeIntegerRepeats(issues).flatMap((issue) => explain(issue, [], schema, data));
  // `enviroments:` is one mistake: the unknown key says "did you mean "environments"?", so "missing required
  // key "environments"" in the same mapping is not said as well.
  const meant = new Set(
    explained.flatMap((issue) =>
      issue.meant === undefined ? [] : [JSON.stringify([...issue.path.slice(0, -1), issue.meant])],
    ),
  );
  // `deplyo:` where deploy (a union) is required is named by the unknown key already: not again as missing.
  const named = new Set(
    explained.flatMap((issue) =>
      issue.meant === undefined ? [] : [JSON.stringify([...issue.path, issue.meant])],
    ),
  );
  return explained
    .filter(
      (issue) =>
        issue.missing === undefined ||
        ![issue.missing].flat().some((key) => meant.has(JSON.stringify([...issue.path, key]))),
    )
    .filter(
      (issue) =>
        issue.misspeltRequired === undefined ||
        !named.has(JSON.stringify([...issue.path, issue.misspeltRequired])),
    )
    .map(({ missing: _missing, meant: _meant, misspeltRequired: _misspelt, ...issue }) => issue);
}

/** zod's `int()` bound (a whole number beyond 2^53 is not exact), said besides a field's own bound. */
const isSafeIntegerBound = (issue: Issue) =>
  (issue.code === 'too_big' && Number(issue.maximum) === Number.MAX_SAFE_INTEGER) ||
  (issue.code === 'too_small' && Number(issue.minimum) === Number.MIN_SAFE_INTEGER);

/**
 * A whole number far out of range (`instances: 99999999999999999999`) breaks both the field's own bound
 * and the safe-integer bound of `int()`: the field's own says what is allowed, so the other one is dropped
 * ("must be at most 10000" and "must be at most 9007199254740991" were both reported).
 */
function withoutSafeIntegerRepeats(issues: readonly Issue[]): Issue[] {
  const pathKey = (issue: Issue) => JSON.stringify(issue.path.map(String));
  const bounded = new Set(
    issues
      .filter(
        (issue) => (issue.code === 'too_big' || issue.code === 'too_small') && !isSafeIntegerBound(issue),
      )
      .map(pathKey),
  );
  return issues
    .filter((issue) => !(isSafeIntegerBound(issue) && bounded.has(pathKey(issue))))
    .map((issue) =>
      issue.code === 'invalid_union'
        ? ({ ...issue, errors: issue.errors.map((branch) => withoutSafeIntegerRepeats(branch)) } as Issue)
        : issue,
    );
}

/**
 * Keys are ASCII: a key that looks right but is refused often holds a look-alike (a Cyrillic "а", a
 * zero-width space) that the message would show unchanged. Names the first such character and where it is.
 */
function notAscii(key: string): string {
  const chars = [...key];
  // Controls (DEL, C1, the line separators) are shown escaped already (oneLine): they need no note.
  const index = chars.findIndex((char) => char.codePointAt(0)! > 0x9f && !/[\u2028\u2029]/.test(char));
  if (index < 0) return '';
  const code = chars[index]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return ` (character ${index + 1} is U+${code}, not ASCII)`;
}

/**
 * Duration fields (`"30s"` or 0), each with what it accepts, registered by the schema that builds them
 * (duration.ts, the step pauses): the schema's own union says only "expected a string or 0", which does
 * not tell that `timeout: 600` lacks a unit.
 */
const durationFields = new WeakMap<Schema, { accepts: string; unit?: (value: number) => string }>();

export const DURATION_ACCEPTS =
  'a duration such as "30s", "5m", "1h" or "1h30m" (numbers followed by ms, s, m, h or d), or 0';

/**
 * Registers `schema` (the union a duration field validates with) as a duration field. `unit`: what a number
 * written without its unit may have meant, said within the field's bounds (duration.ts unitHint).
 */
export function durationField<T extends Schema>(
  schema: T,
  accepts: string = DURATION_ACCEPTS,
  unit?: (value: number) => string,
): T {
  durationFields.set(schema, { accepts, ...(unit ? { unit } : {}) });
  return schema;
}

/** A number, a boolean or a mapping where a duration was expected: what is accepted, and the unit a number lacks. */
function durationKindMessage(
  { accepts, unit: unitOf }: { accepts: string; unit?: (value: number) => string },
  value: unknown,
  description: string | undefined,
): string {
  const unit =
    typeof value === 'number' && value > 0 && Number.isFinite(value)
      ? `: ${unitOf?.(value) ?? `a duration needs its unit, such as "${value}s", "${value}m" or "${value}h"`}`
      : typeof value === 'number' && value < 0
        ? ': a duration cannot be negative'
        : '';
  // The generic description of a duration field repeats what `accepts` says; a field's own says what it is for.
  const about =
    description && !description.startsWith('A duration such as') ? ` (${sentence(description)})` : '';
  return `expected ${accepts}, got ${describeAnyValue(value)}${unit}${about}`;
}

const keyHints = new WeakMap<Schema, ReadonlyMap<string, string>>();

/**
 * Registers, for an object schema, what keys people write there by mistake mean and where they belong (a
 * rollback level's `timeout` is its command's): the unknown-key error says so instead of only listing keys.
 */
export function misplacedKeys<T extends Schema>(schema: T, hints: Record<string, string>): T {
  keyHints.set(schema, new Map(Object.entries(hints)));
  return schema;
}

const MERGE_KEYS =
  'YAML merge keys ("<<") are not supported: repeat the keys, or reuse a whole value with an alias (*name)';

function explain(
  issue: Issue,
  base: (string | number)[],
  baseSchema: Schema | undefined,
  root: unknown,
): ExplainedIssue[] {
  const relative = toPath(issue.path);
  const path = [...base, ...relative];
  const { found, value } = valueAt(root, path);
  const schemaHere = baseSchema && schemaAt(baseSchema, relative, valueAt(root, base).value);

  if (!found && path.length > 0) {
    const parent = path.slice(0, -1);
    const key = String(path.at(-1));
    let message = `missing required key "${key}"`;
    if (issue.code === 'invalid_union' && 'discriminator' in issue && 'options' in issue) {
      message += ` (one of ${listOf((issue.options as unknown[]).map(showLiteral))})`;
    }
    // A misspelt discriminator ("tpye") is the likely cause, and no other issue names it (no branch of the
    // union was chosen, so no "unknown key" either): name it, and point at it.
    const written = valueAt(root, parent).value;
    const typo =
      issue.code === 'invalid_union' && isPlainObject(written)
        ? Object.keys(written).find((other) => closestMatch(other, [key]) === key)
        : undefined;
    if (typo !== undefined) {
      return [
        {
          path: [...parent, typo],
          anchor: 'key',
          message: `unknown key ${JSON.stringify(typo)}: did you mean "${key}"? (${message})`,
          misspeltRequired: key,
        },
      ];
    }
    return [{ path: parent, anchor: 'value', message, missing: key }];
  }

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schemaHere, value);
      const listing = allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : '';
      const hints = schemaHere && keyHints.get(unwrap(schemaHere));
      return issue.keys.map((key) => ({
        path: [...path, key],
        anchor: 'key' as const,
        message:
          key === '<<'
            ? MERGE_KEYS
            : /^x-/.test(key)
              ? `unknown key "${key}": keys starting with "x-" (your own, such as one holding a YAML anchor) are allowed only at the top level of the file${listing}`
              : hints?.has(key)
                ? `unknown key "${key}": ${hints.get(key)}${listing}`
                : allowed.includes(`${key}_env`)
                  ? `unknown key "${key}": the config takes the name of the environment variable holding it, as "${key}_env" (its value never belongs in the repository)${listing}`
                  : invisibleCharacter(key)
                    ? `unknown key: ${invisibleNameProblem(key)}${listing}`
                    : `unknown key "${key}"${notAscii(key)}${didYouMean(key, allowed)}${listing}`,
        // A secret written where its variable's name goes (url for url_env) is that key, not also missing.
        meant:
          key === '<<' || hints?.has(key)
            ? undefined
            : allowed.includes(`${key}_env`)
              ? `${key}_env`
              : closestMatch(key, allowed),
      }));
    }
    case 'invalid_key': {
      // A merge key in a mapping of names (environments, variables) is a key there, refused by its rule.
      if (path.at(-1) === '<<') return [{ path, anchor: 'key', message: MERGE_KEYS }];
      const key = String(path.at(-1));
      // A name copied from a job summary: the character no one can see is the mistake, not the name's rule.
      const invisible = invisibleNameProblem(key);
      if (invisible) return [{ path, anchor: 'key', message: `invalid key: ${invisible}` }];
      const reasons = issue.issues.map((inner) => inner.message).join('; ');
      return [
        {
          path,
          anchor: 'key',
          message: `invalid key ${JSON.stringify(key)}${notAscii(key)}: ${reasons}`,
        },
      ];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && 'options' in issue) {
        return [{ path, anchor: 'value', message: valuesMessage(issue.options as unknown[], value) }];
      }
      // An empty list where a list is one of the forms: that list's own reason to be not empty (an empty
      // list of health checks), not another form's reading of [] (an argv with no program).
      const forms = schemaHere && unionOptions(schemaHere);
      const listForm =
        Array.isArray(value) && value.length === 0 && forms?.length === issue.errors.length
          ? forms.findIndex((form) => unwrap(form)._zod.def.type === 'array')
          : -1;
      const emptyList = listForm >= 0 ? issue.errors[listForm]! : [];
      if (
        emptyList.length > 0 &&
        emptyList.every((inner) => inner.path.length === 0 && inner.code === 'too_small')
      )
        return [{ path, anchor: 'value', message: emptyList[0]!.message }];
      const branch = mostRelevantBranch(issue.errors);
      if (branch !== undefined) {
        const options = schemaHere && unionOptions(schemaHere);
        const branchSchema = options?.length === issue.errors.length ? options[branch] : undefined;
        return issue.errors[branch]!.flatMap((inner) => explain(inner, path, branchSchema, root));
      }
      const description = describeSchema(schemaHere);
      const kind = schemaHere && durationFields.get(unwrap(schemaHere));
      if (kind) return [{ path, anchor: 'value', message: durationKindMessage(kind, value, description) }];
      const expected = [...new Set(issue.errors.flatMap((b) => expectations(b)))];
      const about = description ? ` (${sentence(description)})` : '';
      const literals = issue.errors.flatMap((b) =>
        b.flatMap((i) => (i.code === 'invalid_value' ? i.values : [])),
      );
      const hint =
        (typeof value === 'string'
          ? didYouMean(
              value,
              literals.filter((v) => typeof v === 'string'),
            )
          : '') ||
        unquoteHint(value, {
          number: expected.includes('a number') || expected.includes('a whole number'),
          boolean: expected.includes('true or false'),
        });
      const message = `expected ${listOf(expected)}, got ${describeAnyValue(value)}${hint}${about}`;
      return [{ path, anchor: 'value', message }];
    }
    default: {
      // A refinement's "needs one of these keys" (params.missing) is not said beside an unknown key naming one.
      const missing =
        issue.code === 'custom' ? (issue.params as { missing?: unknown } | undefined)?.missing : undefined;
      return [
        {
          path,
          anchor: 'value',
          message: issue.message,
          ...(Array.isArray(missing) ? { missing: missing.map(String) } : {}),
        },
      ];
    }
  }
}
