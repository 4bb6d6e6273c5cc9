// A seeded, bounded fuzz of the config loader: valid configs (the example, the fixtures, the docs' snippets)
// mutated as data (keys dropped, renamed, duplicated; values of the wrong type, unicode, huge numbers, deep
// nesting, prototype names) and as text (tabs, anchors and aliases, stray brackets, control and invisible
// characters, CRLF, a BOM). Whatever the input, parseConfig answers ok or errors; each error is located inside
// the text, has a path and carries no raw control or invisible character; resolving an accepted config throws
// nothing but ResolveError. The same seeds every run: a failure names its seed and the input.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, ResolveError } from '../../../src/config/resolve.ts';
import { completed, configSnippets } from '../../helpers/doc-snippets.ts';
import { fuzzSeeds, rng, type Random } from '../../helpers/random.ts';

const root = join(import.meta.dirname, '../../..');
// FUZZ_SEEDS=1-200 (a range) hunts with more seeds; the suite runs these.
const SEEDS = fuzzSeeds([1, 2, 3]);
const RUNS_PER_SEED = 300;

/** Raw C0/C1 controls, line separators, and the invisible format characters a message must show escaped. */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

async function validTexts(): Promise<string[]> {
  const files = [
    'examples/demo/deploy.yml',
    ...readdirSync(join(root, 'test/fixtures/config')).map((f) => `test/fixtures/config/${f}`),
  ];
  const texts = files.map((file) => readFileSync(join(root, file), 'utf8'));
  for (const snippet of await configSnippets()) {
    try {
      texts.push(completed(snippet.text));
    } catch {
      // A snippet that is not YAML on its own (a fragment of a list): not a seed.
    }
  }
  return texts.filter((text) => parseConfig(text, 'deploy.yml').ok);
}

const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];
const ODD_STRINGS = [
  '',
  ' ',
  '\u200b',
  '\u202eevil',
  '\u2066x\u2069',
  '\ufeff',
  'a\nb',
  'a\r\nb',
  '\u0007bell',
  '\u001b[31mred',
  'x\u0000y',
  '\u0085',
  '\u2028',
  'é',
  'ｐｒｏｄ',
  '😀',
  '\ud800',
  '$(id)',
  '`id`',
  '../../etc',
  '0s',
  '-5m',
  '99999999d',
  '1.5s',
  'NaN',
  'Infinity',
  '150%',
  '-5%',
  '1e309',
  '{{version}}',
  '{{constructor}}',
  '{{}}',
  'x'.repeat(3000),
];
const ODD_NUMBERS = [0, -1, 0.5, 1e308, -1e308, 2 ** 53 + 1, 1e-9, 101, Number.NaN, Infinity, -Infinity];

function fuzzer(random: Random, seeds: unknown[]) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const keys = new Set<string>();
  const strings = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) {
        keys.add(key);
        walk(inner);
      }
    else if (typeof value === 'string') strings.add(value);
  };
  seeds.forEach(walk);
  const keyList = [...keys];
  const stringList = [...strings];

  const value = (depth = 0): unknown =>
    pick<() => unknown>([
      () => pick(PROTO_NAMES),
      () => pick(stringList),
      () => pick(ODD_STRINGS),
      () => pick(ODD_NUMBERS),
      () => pick([true, false, null]),
      () => [],
      () => ({}),
      () => (depth < 3 ? [pick(stringList), value(depth + 1)] : 'x'),
      () => (depth < 3 ? { [pick(keyList)]: value(depth + 1) } : 'x'),
      () => (depth < 3 ? { [pick(ODD_STRINGS)]: value(depth + 1) } : 'x'),
      () => structuredClone(pick(seeds)),
    ])();

  const set = (node: Record<string, unknown>, key: string, inner: unknown) =>
    Object.defineProperty(node, key, { value: inner, enumerable: true, writable: true, configurable: true });

  /** A few changes somewhere in the document's tree. */
  function mutateData(doc: unknown): void {
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      let node = doc as Record<string, unknown>;
      for (let depth = 0; depth < 8 && random() > 0.25; depth++) {
        const entries = Object.keys(node);
        const child = entries.length ? node[pick(entries)] : undefined;
        if (!child || typeof child !== 'object') break;
        node = child as Record<string, unknown>;
      }
      const entries = Object.keys(node);
      const r = random();
      if (Array.isArray(node)) {
        if (r < 0.3 && node.length) node.splice(Math.floor(random() * node.length), 1);
        else if (r < 0.7 || !node.length) node.push(value());
        else node[Math.floor(random() * node.length)] = value();
      } else if (r < 0.2 && entries.length) delete node[pick(entries)];
      else if (r < 0.5 && entries.length) node[pick(entries)] = value();
      else if (r < 0.6 && entries.length) {
        const key = pick(entries);
        const moved = node[key];
        delete node[key];
        set(
          node,
          pick([...keyList, `${key}s`, key.toUpperCase(), key.replace(/_/g, '-'), `${key}\u200b`]),
          moved,
        );
      } else set(node, pick([...keyList, ...keyList, ...PROTO_NAMES]), value());
    }
  }

  /** A few changes to the lines of a valid text. */
  function mutateText(text: string): string {
    const lines = text.split('\n');
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const at = Math.floor(random() * lines.length);
      const line = lines[at]!;
      const r = random();
      if (r < 0.1) lines.splice(at, 1);
      else if (r < 0.2) lines.splice(at, 0, pick(lines));
      else if (r < 0.3) lines[at] = line.replace(/^( *) {2}/, '$1\t');
      else if (r < 0.4) lines[at] = line.replace(/: (\S.*)$/, pick([': &a $1', ': *a', ': *missing']));
      else if (r < 0.55) {
        const p = Math.floor(random() * (line.length + 1));
        const insert = pick([
          '\u0000',
          '\u0001',
          '\u001b',
          '\u007f',
          '\u0085',
          '\u009b',
          '\ufeff',
          '\u200b',
          '\u202e',
          '\ud800',
          '\u2028',
          '\t',
          '"',
          "'",
          '{',
          '}',
          '[',
          ']',
          ':',
          '- ',
          '&',
          '*',
          '!',
          '|',
          '>',
          '%',
          '@',
          '`',
          '\\',
          '#',
        ]);
        lines[at] = line.slice(0, p) + insert + line.slice(p);
      } else if (r < 0.7)
        lines[at] = line.replace(
          /\d+/,
          pick([
            '1e309',
            '-0',
            '0x10',
            '0o7',
            '.inf',
            '-.inf',
            '.nan',
            '99999999999999999999',
            '1_000',
            '08',
          ]),
        );
      else if (r < 0.85)
        lines[at] = line.replace(
          /: (\S.*)$/,
          `: ${pick([
            '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x',
            '{a: {b: {c: {d: 1}}}}',
            '|',
            '>-',
            '~',
            'yes',
            'off',
            '"\\x07"',
            '"\\u0000"',
            '"\\e[1m"',
            '"\\u202e"',
            '!!str 5',
            '!!int x',
            '!!binary aGk=',
            '!foo x',
            '2001-12-14t21:59:43.10-05:00',
          ])}`,
        );
      else
        lines.splice(
          at,
          0,
          pick([
            '---',
            '...',
            '%YAML 1.1',
            ']',
            '}',
            '<<: *a',
            '? complex',
            'x-a: &a [*a]',
            'x-l: &l [a, a, a, a, a, a, a, a, a]',
            'x-m: &m [*l, *l, *l, *l, *l, *l, *l, *l, *l]',
          ]),
        );
    }
    let out = lines.join(random() < 0.2 ? '\r\n' : '\n');
    if (random() < 0.1) out = `\ufeff${out}`;
    if (random() < 0.05) out = out.replace(/\n/g, '\r');
    return out;
  }

  return { pick, mutateData, mutateText };
}

/** Every property a loader's answer must have, whatever the text; the first broken one as a message. */
function brokenProperty(text: string): string | undefined {
  const result = parseConfig(text, 'deploy.yml');
  if (!result.ok) {
    if (result.errors.length === 0) return 'refused without an error';
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    for (const error of result.errors) {
      const shown = formatConfigError(error);
      if (error.file !== 'deploy.yml') return `an error for another file: ${shown}`;
      if (typeof error.path !== 'string') return `an error without a path: ${shown}`;
      if (!(error.line >= 1 && error.line <= lines.length && error.column >= 1))
        return `an error outside the text: ${shown}`;
      if (error.column > lines[error.line - 1]!.length + 1) return `a column past its line's end: ${shown}`;
      if (UNSHOWABLE.test(error.message) || UNSHOWABLE.test(error.path))
        return `a raw control or invisible character: ${JSON.stringify(shown)}`;
    }
    return undefined;
  }
  for (const warning of result.warnings)
    if (UNSHOWABLE.test(warning.message) || UNSHOWABLE.test(warning.path))
      return `a raw control or invisible character in a warning: ${JSON.stringify(formatConfigError(warning))}`;
  for (const name of Object.keys(result.config.environments)) {
    try {
      resolveEnvironment(result.config, name);
    } catch (error) {
      if (!(error instanceof ResolveError)) return `resolving ${name} threw ${(error as Error).stack}`;
      if (UNSHOWABLE.test(error.message))
        return `a raw character in a ResolveError: ${JSON.stringify(error.message)}`;
    }
  }
  return undefined;
}

test('mutated valid configs: always ok or located, printable errors; resolving throws only ResolveError', async () => {
  const texts = await validTexts();
  assert.ok(texts.length >= 10, `only ${texts.length} valid configs to start from`);
  const docs = texts.map((text) => parse(text) as unknown);
  let accepted = 0;
  for (const seed of SEEDS) {
    const random = rng(seed);
    const { pick, mutateData, mutateText } = fuzzer(random, docs);
    for (let run = 0; run < RUNS_PER_SEED; run++) {
      let text: string;
      if (random() < 0.5) {
        const doc = structuredClone(pick(docs));
        mutateData(doc);
        text = stringify(doc, { aliasDuplicateObjects: false });
      } else text = mutateText(pick(texts));
      let broken: string | undefined;
      try {
        broken = brokenProperty(text);
      } catch (error) {
        broken = `parseConfig threw ${(error as Error).stack}`;
      }
      assert.equal(
        broken,
        undefined,
        `seed ${seed}, run ${run}: ${broken}\n--- input:\n${text.slice(0, 2000)}`,
      );
      if (parseConfig(text, 'deploy.yml').ok) accepted++;
    }
  }
  // Not only refusals: the accepted configs were resolved too.
  assert.ok(accepted > SEEDS.length * RUNS_PER_SEED * 0.05, `only ${accepted} mutated configs accepted`);
});

test('an invisible character in a value is shown as its escape, not as a value that reads as empty', () => {
  // Before: `expected a mapping, got the string "​"`, the zero-width space raw between the quotes.
  for (const [written, shown] of [
    ['\\u200b', '"\\u200b"'],
    ['\\u202eevil', '"\\u202eevil"'],
  ] as const) {
    const result = parseConfig(`target: "${written}"\nenvironments:\n  production: {}\n`, 'deploy.yml');
    assert.equal(result.ok, false);
    const messages = result.ok ? [] : result.errors.map(formatConfigError);
    assert.deepEqual(
      messages.filter((m) => m.startsWith('deploy.yml:1:9: target: ')),
      [`deploy.yml:1:9: target: expected a mapping, got the string ${shown}`],
      messages.join('\n'),
    );
    for (const message of messages) assert.doesNotMatch(message, UNSHOWABLE);
  }
});

test('a stray "]" at the top level is one error, and what follows it is located on its own line', () => {
  // Before: one error for every token after the "]" (70 for the demo config), and after a plain value that
  // ran over two lines ("a\n  b") every position was a line early: the "---" reported on the line "  b".
  const text = 'environments:\n  production: {}\n]\nnote: a\n  b\n---\ny: 1\n';
  const result = parseConfig(text, 'deploy.yml');
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.errors.map(formatConfigError), [
    'deploy.yml:3:1: Unexpected flow-seq-end token in YAML stream: "]"',
    'deploy.yml:6:1: a second YAML document starts here ("---"): a deploy config is one document; remove the line or move the rest into the first',
  ]);
});
