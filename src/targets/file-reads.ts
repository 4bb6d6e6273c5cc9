// Arguments a program reads as "the contents of this local file", which it then sends somewhere: curl's
// `-d @FILE`, `-F name=@FILE`, `-H @FILE`, `-T FILE`, `-K FILE`; az's `@FILE` in any argument (or after its
// first "="); aws's `file://FILE` and `fileb://FILE` parameter values; `gh api -F key=@FILE` and `--input FILE`;
// wget's `--post-file`/`--body-file`; `kubectl`/`oc create secret|configmap --from-file`/`--from-env-file`. A
// templated value there would choose a file of the runner to send away (`@/home/runner/.ssh/id_rsa`,
// `@/proc/self/environ`, which holds the job's secrets). So a template that names the file, or starts its name,
// is refused when the config loads; a template that starts a value where the tool looks for its marker is
// checked once rendered (the value must not start with it); a template in a file name after a fixed directory
// or prefix (`@payload-{{env}}.json`) is checked once rendered to stay one plain name there. Pure.
import { programName } from './programs.ts';
import { PLACEHOLDER } from './placeholder.ts';

/**
 * How the tool finds a file in the argument (from `from` on, the option's value):
 * - at: a value starting with "@" (curl -d, --data-binary, --json, -H);
 * - az: any argument, split at its first "=": the part after it (or the whole) starting with "@";
 * - form: curl -F NAME=@FILE or NAME=<FILE, the file up to ";";
 * - field: gh api -F KEY=@FILE;
 * - urlencode: curl --data-urlencode @FILE or NAME@FILE, when the argument holds no "=";
 * - cookie: curl -b FILE, when the argument holds no "=";
 * - aws: a value starting with file:// or fileb://, or KEY@=file://… in shorthand;
 * - file: the whole value is a file (curl -T, -K, wget --post-file, gh api --input, --from-env-file);
 * - keyed-file: [KEY=]FILE (kubectl --from-file).
 */
export type FileRule =
  'at' | 'az' | 'form' | 'field' | 'urlencode' | 'cookie' | 'aws' | 'file' | 'keyed-file';

export interface FileRead {
  /** The word's index in the command. */
  index: number;
  /** Where the option's value starts in the word (after `-d`, `--from-file=`). */
  from: number;
  rule: FileRule;
  /** The tool and option, for messages ("curl -d", "az"). */
  how: string;
  /** The safe way to pass a value there (a clause starting with a verb). */
  safe: string;
}

/** A template site in such an argument: its word (templates unrendered), or the variable it reaches it through. */
export type FileSite = { read: FileRead; word: string } | FileVia;
export interface FileVia {
  read: FileRead;
  via: string;
  /** Part of the file's name (checked as a plain name), or where a marker may start. */
  file: boolean;
}

const MARKERS: Record<FileRule, readonly string[]> = {
  at: ['@'],
  az: ['@'],
  form: ['@', '<'],
  field: ['@'],
  urlencode: ['@'],
  cookie: [],
  aws: ['file://', 'fileb://'],
  file: [],
  'keyed-file': [],
};

const CURL_WITH_VALUE = new Set('AbcCdDeEFHKmoPQrtTuUwxXyYz'.split(''));
const CURL_LONG_WITH_VALUE = new Set([
  ...[
    '--url',
    '--output',
    '--request',
    '--user',
    '--max-time',
    '--connect-timeout',
    '--retry',
    '--write-out',
  ],
  ...['--retry-delay', '--retry-max-time', '--cacert', '--capath', '--cert', '--key', '--proxy', '--resolve'],
  ...[
    '--connect-to',
    '--user-agent',
    '--referer',
    '--cookie-jar',
    '--dump-header',
    '--limit-rate',
    '--range',
  ],
  ...['--continue-at', '--form-string', '--data-raw', '--oauth2-bearer', '--unix-socket', '--interface'],
]);
const CURL_SAFE_DATA =
  'pass the value with --data-raw, which reads no file (--data-raw "version={{…}}"), or after fixed text (-d version={{…}})';
const CURL_FILES: Record<string, { rule: FileRule; safe: string }> = {
  d: { rule: 'at', safe: CURL_SAFE_DATA },
  '--data': { rule: 'at', safe: CURL_SAFE_DATA },
  '--data-ascii': { rule: 'at', safe: CURL_SAFE_DATA },
  '--data-binary': { rule: 'at', safe: CURL_SAFE_DATA },
  '--json': {
    rule: 'at',
    safe: 'write the JSON in the config with the value inside it (--json \'{"version":"{{…}}"}\')',
  },
  H: { rule: 'at', safe: 'write the header name in the config (-H "X-Version: {{…}}")' },
  '--header': { rule: 'at', safe: 'write the header name in the config (-H "X-Version: {{…}}")' },
  '--proxy-header': { rule: 'at', safe: 'write the header name in the config (--proxy-header "X-A: {{…}}")' },
  '--data-urlencode': {
    rule: 'urlencode',
    safe: 'give it a name in the config (--data-urlencode version={{…}}), which reads no file',
  },
  F: { rule: 'form', safe: 'use --form-string, which reads no file (--form-string version={{…}})' },
  '--form': { rule: 'form', safe: 'use --form-string, which reads no file (--form-string version={{…}})' },
  T: { rule: 'file', safe: 'pass the value in the URL (curl -T dist/app.tgz https://host/{{…}}/)' },
  '--upload-file': {
    rule: 'file',
    safe: 'pass the value in the URL (curl -T dist/app.tgz https://host/{{…}}/)',
  },
  K: { rule: 'file', safe: 'pass the value as an argument of its own (a config file holds options)' },
  '--config': {
    rule: 'file',
    safe: 'pass the value as an argument of its own (a config file holds options)',
  },
  b: { rule: 'cookie', safe: 'write the cookie name in the config (-b session={{…}}), which reads no file' },
  '--cookie': {
    rule: 'cookie',
    safe: 'write the cookie name in the config (-b session={{…}}), which reads no file',
  },
};

/** curl: its options that read a file, written apart, attached to a short one, or ending a cluster (-sSd @f). */
function curlReads(words: readonly string[], at: number): FileRead[] {
  const reads: FileRead[] = [];
  const push = (index: number, from: number, option: string) => {
    const found = CURL_FILES[option];
    if (found && index < words.length)
      reads.push({ index, from, how: `curl ${option.length === 1 ? `-${option}` : option}`, ...found });
  };
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word.startsWith('--')) {
      if (Object.hasOwn(CURL_FILES, word)) push(++j, 0, word);
      else if (CURL_LONG_WITH_VALUE.has(word)) j++;
      continue;
    }
    if (!word.startsWith('-') || word === '-') continue;
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (!CURL_WITH_VALUE.has(letter)) continue;
      if (c + 1 < word.length) push(j, c + 1, letter);
      else push(++j, 0, letter);
      break;
    }
  }
  return reads;
}

/** `--opt VALUE` or `--opt=VALUE` (or a getopt prefix of it from `min`): the value's word and offset. */
function longValue(
  words: readonly string[],
  j: number,
  option: string,
  min = option.length,
): { index: number; from: number } | undefined {
  const word = words[j]!;
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  if (name.length < min || !option.startsWith(name)) return undefined;
  return eq < 0 ? { index: j + 1, from: 0 } : { index: j, from: eq + 1 };
}

/** The arguments of the command at `at` that its program reads a local file from, if it is such a tool. */
export function fileReadWords(words: readonly string[], at: number): FileRead[] {
  const name = programName(words[at]!);
  const after = (k: number) => k > at && k < words.length;
  switch (name) {
    case 'curl':
      return curlReads(words, at);
    case 'az':
      // azure-cli expands "@FILE" in every argument, or in the part after its first "=", before parsing them.
      return words.flatMap((_, k) =>
        after(k)
          ? [
              {
                index: k,
                from: 0,
                rule: 'az' as const,
                how: 'az',
                safe: 'pass the value in an argument of its own (--settings VERSION={{…}}), with a value that does not start with "@" (az has no way to pass a leading "@" as text)',
              },
            ]
          : [],
      );
    case 'aws':
      // A parameter's value (--opt VALUE, --opt=VALUE) starting with file:// or fileb://.
      return words.flatMap((word, k) => {
        if (!after(k) || (word.startsWith('--') && !word.includes('='))) return [];
        const name = word.slice(0, word.indexOf('='));
        const from = word.startsWith('--') && !name.includes('{{') ? name.length + 1 : 0;
        const safe =
          'pass the value in a parameter of its own, with a value that does not start with file:// or fileb://';
        return [{ index: k, from, rule: 'aws' as const, how: 'aws', safe }];
      });
    case 'gh': {
      const api = words.findIndex((w, k) => after(k) && w === 'api');
      if (api < 0) return [];
      const reads: FileRead[] = [];
      for (let j = api + 1; j < words.length; j++) {
        const word = words[j]!;
        if (word === '--') break;
        const field =
          word === '-F'
            ? { index: j + 1, from: 0 }
            : word.startsWith('-F')
              ? { index: j, from: 2 }
              : word.startsWith('--field')
                ? longValue(words, j, '--field')
                : undefined;
        const input = word.startsWith('--input') ? longValue(words, j, '--input') : undefined;
        if (field && field.index < words.length)
          reads.push({
            ...field,
            rule: 'field',
            how: 'gh api -F',
            safe: 'use -f/--raw-field, which reads no file (-f version={{…}})',
          });
        if (input && input.index < words.length)
          reads.push({
            ...input,
            rule: 'file',
            how: 'gh api --input',
            safe: 'pass the value with -f key={{…}}, which reads no file',
          });
        if ((field ?? input)?.index === j + 1) j++;
      }
      return reads;
    }
    case 'wget':
    case 'kubectl':
    case 'oc': {
      const options: Array<[string, number, FileRule]> =
        name === 'wget'
          ? [
              ['--post-file', '--post-f'.length, 'file'],
              ['--body-file', '--body-f'.length, 'file'],
            ]
          : [
              ['--from-file', '--from-file'.length, 'keyed-file'],
              ['--from-env-file', '--from-env-file'.length, 'file'],
            ];
      const reads: FileRead[] = [];
      for (let j = at + 1; j < words.length; j++) {
        if (words[j] === '--') break;
        for (const [option, min, rule] of options) {
          const value = words[j]!.startsWith('--') ? longValue(words, j, option, min) : undefined;
          if (!value || value.index >= words.length) continue;
          reads.push({
            ...value,
            rule,
            how: `${name} ${option}`,
            safe:
              name === 'wget'
                ? 'pass the value in the URL, or with --post-data=version={{…}}, which reads no file'
                : 'pass the value with --from-literal=key={{…}}, which reads no file',
          });
          if (value.index === j + 1) j++;
        }
      }
      return reads;
    }
  }
  return [];
}

/** A character of an argument: fixed text (-1), from the template at this occurrence (≥ 0), or unknown (-2). */
interface Char {
  c: string;
  from: number;
}

/** Where the tool finds its marker and the file's name in `region`, or undefined: it reads no file there. */
function locate(
  rule: FileRule,
  text: string,
): { marker?: [number, number]; file: [number, number] } | undefined {
  const eq = text.indexOf('=');
  switch (rule) {
    case 'at':
      return text.startsWith('@') ? { marker: [0, 1], file: [1, text.length] } : undefined;
    case 'file':
      return { file: [0, text.length] };
    case 'cookie':
      return eq < 0 ? { file: [0, text.length] } : undefined;
    case 'keyed-file':
      return { file: [eq + 1, text.length] };
    case 'az': {
      const p = eq + 1;
      return text[p] === '@' && text.length > p + 1
        ? { marker: [p, p + 1], file: [p + 1, text.length] }
        : undefined;
    }
    case 'field':
    case 'form': {
      if (eq < 0 || !MARKERS[rule].includes(text[eq + 1] ?? '')) return undefined;
      const semicolon = rule === 'form' ? text.indexOf(';', eq + 2) : -1;
      return { marker: [eq + 1, eq + 2], file: [eq + 2, semicolon < 0 ? text.length : semicolon] };
    }
    case 'urlencode': {
      const at = text.indexOf('@');
      return eq >= 0 || at < 0 ? undefined : { marker: [at, at + 1], file: [at + 1, text.length] };
    }
    case 'aws': {
      const start = MARKERS.aws.find((m) => text.startsWith(m));
      if (start) return { marker: [0, start.length], file: [start.length, text.length] };
      const shorthand = /@=(fileb?:\/\/)/.exec(text);
      if (!shorthand) return undefined;
      const begin = shorthand.index + 2;
      const comma = text.indexOf(',', begin);
      return {
        marker: [begin, begin + shorthand[1]!.length],
        file: [begin + shorthand[1]!.length, comma < 0 ? text.length : comma],
      };
    }
  }
}

/** The characters of `word` from `from` on, each template rendered by `render` (undefined: unknown, one char). */
function charsOf(word: string, from: number, render: (name: string) => string | undefined): Char[] {
  const chars: Char[] = [];
  let last = 0;
  let occurrence = 0;
  const fixed = (text: string) => chars.push(...[...text].map((c) => ({ c, from: -1 })));
  for (const match of word.matchAll(PLACEHOLDER)) {
    fixed(word.slice(last, match.index));
    const value = render(match[1]!);
    if (value === undefined) chars.push({ c: '\u0001', from: -2 });
    else chars.push(...[...value].map((c) => ({ c, from: occurrence })));
    occurrence++;
    last = match.index + match[0].length;
  }
  fixed(word.slice(last));
  // `from` counts the fixed text of the option before the value (`-d`, `--from-file=`): no template is there.
  return chars.slice(from);
}

/** What the value of a template does there: nothing, start a marker, name part of a file, or choose the file. */
export type FileClass = 'safe' | 'inner' | 'marker' | 'file' | 'chooses';
const RANK: Record<FileClass, number> = { safe: 0, inner: 1, marker: 2, file: 3, chooses: 4 };

/**
 * For each template name in `word` (templates unrendered, whatever their values): 'chooses' when it starts the
 * name of the file read (or follows only "." and "/"), refused when the config loads; 'file' when it is part of
 * that name after fixed text; 'marker' when its value could start a marker; 'inner' when it could add one after
 * fixed text (an "=" and a marker after it, aws's KEY@=file://…); 'safe' otherwise.
 */
export function fileClasses(read: FileRead, word: string): Map<string, FileClass> {
  const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const region = charsOf(word, read.from, () => '\u0001');
  const classes = new Map<string, FileClass>();
  const set = (k: number, cls: FileClass) => {
    const name = names[k]!;
    if (RANK[cls] > RANK[classes.get(name) ?? 'safe']) classes.set(name, cls);
  };
  const isValue = (i: number) => region[i] !== undefined && region[i].from >= 0;
  const fixedAt = (c: string, from = 0) =>
    region.findIndex((ch, i) => i >= from && ch.from < 0 && ch.c === c);
  const startsFixed = (i: number, marker: string) =>
    [...marker].every((m, k) => region[i + k] !== undefined && !isValue(i + k) && region[i + k]!.c === m);
  const leading = (i: number) => {
    for (let k = i; isValue(k); k++) set(region[k]!.from, 'marker');
  };
  const all = (cls: FileClass, to = region.length) => {
    for (let k = 0; k < to; k++) if (isValue(k)) set(region[k]!.from, cls);
  };
  const fileRange = (start: number, end = region.length) => {
    let named = false;
    for (let k = start; k < end; k++)
      if (isValue(k)) set(region[k]!.from, named ? 'file' : 'chooses');
      else if (!/[./]/.test(region[k]!.c)) named = true;
  };
  const eq = fixedAt('=');
  switch (read.rule) {
    case 'at':
      if (startsFixed(0, '@')) fileRange(1);
      else leading(0);
      break;
    case 'file':
      fileRange(0);
      break;
    case 'cookie':
      if (eq < 0) fileRange(0);
      break;
    case 'keyed-file':
      // A value before the "=" could add one, and so start the file's name.
      if (eq < 0) fileRange(0);
      else {
        all('inner', eq);
        fileRange(eq + 1);
      }
      break;
    case 'az':
    case 'form':
    case 'field': {
      // A value anywhere could add the first "=" and a marker after it.
      all('inner', eq < 0 ? region.length : eq);
      const p = eq + 1;
      if (eq < 0 && read.rule !== 'az') {
        leading(0);
        break;
      }
      const marker = MARKERS[read.rule].find((m) => startsFixed(p, m));
      if (marker === undefined) leading(p);
      else {
        const semicolon = read.rule === 'form' ? fixedAt(';', p) : -1;
        fileRange(p + 1, semicolon < 0 ? region.length : semicolon);
      }
      break;
    }
    case 'urlencode': {
      if (eq >= 0) break;
      const at = fixedAt('@');
      all('inner', at < 0 ? region.length : at);
      leading(0);
      if (at >= 0) fileRange(at + 1);
      break;
    }
    case 'aws': {
      // Shorthand (KEY@=file://…): a value anywhere could add a key read from a file.
      all('inner');
      leading(0);
      const marker = MARKERS.aws.find((m) => startsFixed(0, m));
      if (marker !== undefined) fileRange(marker.length);
      const text = region.map((ch) => (ch.from < 0 ? ch.c : '\u0001')).join('');
      for (const match of text.matchAll(/@=(fileb?:\/\/)/g)) {
        const begin = match.index + 2 + match[1]!.length;
        const comma = fixedAt(',', begin);
        fileRange(begin, comma < 0 ? region.length : comma);
      }
      break;
    }
  }
  return classes;
}

const PLAIN_NAME = /^[A-Za-z0-9._+-]$/;

function markersSaid(rule: FileRule): string {
  switch (rule) {
    case 'form':
      return '"@FILE" or "<FILE"';
    case 'aws':
      return '"file://FILE" or "fileb://FILE"';
    default:
      return '"@FILE"';
  }
}

/** The message for a template in the name of a file read, refused when the config loads. */
export function fileChosenMessage(name: string, read: FileRead, word: string): string {
  return `{{${name}}} is in the name of the local file ${read.how} reads and sends (${word.slice(read.from) || word}): its value would choose a file of the runner to send (its keys, or the job's secrets in /proc/self/environ); name the file in the config, a command per environment if it differs, and ${read.safe}`;
}

function markerMessage(name: string, read: FileRead, marker: string, through = ''): string {
  return `the value of {{${name}}}${through} starts with "${marker}" where ${read.how} reads ${markersSaid(read.rule)} as a local file, whose contents it sends: a value never names a file a program reads (it could send the runner's keys, or the job's secrets in /proc/self/environ); ${read.safe}`;
}

function pathMessage(name: string, read: FileRead, word: string, found: string, through = ''): string {
  return `the value of {{${name}}}${through} is part of the name of the local file ${read.how} reads and sends (${word.slice(read.from) || word}), and ${found === '..' ? 'is ".."' : `holds ${JSON.stringify(found)}`}: it could name another file of the runner; a value in a file name may hold only letters, digits and . _ + - (not ".."), or name the file in the config`;
}

/**
 * Why the argument `word` (templates unrendered) of a tool that reads a file is refused once rendered with
 * `values`, or undefined. Templates with no value in `values` (a shell variable's stand-in) are unknown.
 */
export function fileReadProblem(
  read: FileRead,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const region = charsOf(word, read.from, (name) => values[name]);
  const text = region.map((ch) => ch.c).join('');
  const found = locate(read.rule, text);
  if (!found) return undefined;
  if (found.marker) {
    const from = region.slice(...found.marker).find((ch) => ch.from >= 0);
    if (from) return markerMessage(names[from.from]!, read, text.slice(...found.marker));
  }
  const file = region.slice(...found.file);
  const first = file.findIndex((ch) => ch.from >= 0);
  if (first < 0) return undefined;
  const before = file
    .slice(0, first)
    .map((ch) => ch.c)
    .join('');
  if (!/[^./\u0001]/.test(before)) return fileChosenMessage(names[file[first]!.from]!, read, word);
  const bad = file.find((ch) => ch.from >= 0 && !PLAIN_NAME.test(ch.c));
  if (bad) return pathMessage(names[bad.from]!, read, word, bad.c);
  let component: Char[] = [];
  for (const ch of [...file, { c: '/', from: -1 }]) {
    if (ch.c !== '/') {
      component.push(ch);
      continue;
    }
    const value = component.find((c) => c.from >= 0);
    if (value && component.map((c) => c.c).join('') === '..')
      return pathMessage(names[value.from]!, read, word, '..');
    component = [];
  }
  return undefined;
}

/**
 * A value reaching such an argument through a shell variable set from fixed text and templates (`v={{x}}; curl
 * -d "$v"`): where in the variable it lands is not known, so each value is checked on its own, as if it started
 * the value (`file`: as part of a file's name). Why it is refused, or undefined.
 */
export function fileViaProblem(name: string, value: string, site: FileVia): string | undefined {
  const { read } = site;
  const through = ` (through $${site.via}, set from it)`;
  const said = `$${site.via}`;
  if (site.file) {
    const bad = [...value].find((c) => !PLAIN_NAME.test(c)) ?? (value === '..' ? '..' : undefined);
    return bad === undefined ? undefined : pathMessage(name, read, said, bad, through);
  }
  // In the key of kubectl --from-file=KEY=FILE: an "=" would start the file's name with the value.
  if (read.rule === 'keyed-file')
    return value.includes('=') ? pathMessage(name, read, said, '=', through) : undefined;
  // The value alone, after a key's "=", or cut short before the text that follows it (file: then ://).
  for (const text of [value, `x=${value}`]) {
    const found = locate(read.rule, text);
    if (found?.marker) return markerMessage(name, read, text.slice(...found.marker), through);
  }
  const prefix = MARKERS[read.rule].find(
    (m) => value !== '' && m.length > value.length && m.startsWith(value),
  );
  return prefix === undefined ? undefined : markerMessage(name, read, value, through);
}

/** Whether `literal` (the fixed text of a variable) could make a marker with its values: refused, not checked. */
export function holdsMarker(read: FileRead, literal: string): boolean {
  if (read.rule === 'aws') return /fileb?:|:\/\/|@=/.test(literal);
  if (read.rule === 'keyed-file') return literal.includes('=');
  return MARKERS[read.rule].some((m) => literal.includes(m));
}
