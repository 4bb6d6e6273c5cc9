// Pure: the packages a package manager's "outdated" report lists, in the shape each one prints it. The format
// is told from the content unless the config names it:
//
// - `npm outdated --json`: an object keyed by package name, each `{current, wanted, latest, dependent,
//   location}`; `current` is left out when the package is not installed, and a package several workspaces
//   depend on has an array of those objects. An error is printed as `{"error": {code, summary, detail}}`.
// - `pnpm outdated --format json`: an object keyed by package name, each `{current, latest, wanted,
//   isDeprecated, dependencyType}` (with `--recursive`, `dependentPackages: [{name, location}]`, no name for
//   a workspace without one; with `--long`, `latestManifest`, whose `deprecated` is the message). A package
//   listed more than once (newer pnpm) is keyed `name@current (dev)`, with the dependency type. It lists a
//   package whose latest version is deprecated even when that is the one installed. pnpm may print its
//   warnings (" WARN  ...") on stdout before the JSON.
// - `yarn outdated --json` (yarn 1): JSON lines; the packages are the `{"type": "table"}` record's body,
//   columns named by its head (Package, Current, Wanted, Latest, Workspace with workspaces, Package Type,
//   URL). Nothing outdated prints nothing at all.
// - `pip list --outdated --format=json`: an array of `{name, version, latest_version, latest_filetype}`.
// - `go list -m -u -json all`: a stream of JSON objects, one a module (`Path`, `Version`, `Main`,
//   `Indirect`, `Update: {Path, Version}` when a newer version exists, `Retracted: [reason]` when the
//   version is retracted, `Deprecated: message`, `Error: {Err}`; `Replace: {Path, Version, …}` with the
//   same fields for the module a replace directive builds instead, no Version for a directory).

import { redactCredentials } from '../report/redact.ts';
import { withoutPnpmLogLines } from './pnpm-log.ts';
import { jsonSyntaxProblem } from './json-error.ts';

export type Ecosystem = 'npm' | 'pnpm' | 'yarn' | 'pip' | 'go';
export type OutdatedFormat = Ecosystem | 'auto';

export interface OutdatedPackage {
  name: string;
  /** Undefined: not installed (npm, pnpm). */
  current?: string;
  /** The newest version the declared range allows (npm, pnpm, yarn). */
  wanted?: string;
  /** Undefined: the report names none. */
  latest?: string;
  /** What pnpm says beside a name it lists more than once (`dev`, `optional`, `peer`). */
  label?: string;
  /** Who depends on it, when the report says (a workspace). */
  dependent?: string;
  /** A Go module only an indirect dependency needs. */
  indirect?: boolean;
  /** Deprecated by its author (pnpm: its latest version; Go: the module). */
  deprecated?: boolean;
  /** The author's deprecation message, when the report gives it (pnpm's `latestManifest` with `--long`, Go's). */
  deprecation?: string;
  /** Go: the version in use is retracted by its author, for these reasons. */
  retracted?: string[];
  /** Go: the module path its `replace` directive builds instead (when another than its own). */
  replacedBy?: string;
  /** Why the tool could not look its versions up (Go's `Error`). */
  error?: string;
}

export interface OutdatedReport {
  ecosystem: Ecosystem;
  /**
   * npm's or pnpm's report with nothing in it that tells them apart (`{}`, nothing outdated) and no format
   * set: `ecosystem` says npm for want of better, and the caller may know the tool from its command.
   */
  ambiguous?: true;
  /** Go lists every module, up to date or not; the other tools only what is outdated. */
  packages: OutdatedPackage[];
}

export type OutdatedRead = { ok: true; report: OutdatedReport } | { ok: false; message: string };

/** npm allows 214 characters, PyPI and Go module paths in practice far fewer. */
const MAX_NAME = 512;

/** Characters kept of text from the report (a name, a version, an error) in a message. */
const MAX_SHOWN = 200;

/** Report text as a message shows it: cut, and quoted when it is more than a plain name. */
export function shownName(text: string): string {
  const cut = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  return /^[\w@./+~:-]+$/.test(cut) ? cut : JSON.stringify(cut);
}

/**
 * What a tool printed (its error, a line that is no JSON), quoted and cut, credentials redacted: an error
 * can quote a registry URL with its token, and a log line a secret.
 */
function quoted(text: string, max: number): string {
  return JSON.stringify(redactCredentials(text).slice(0, max));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`;
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${String(value).slice(0, 60)}`;
}

/** How to make each tool write its JSON report. */
const HOW = {
  npm: '`npm outdated --json`',
  pnpm: '`pnpm outdated --format json`',
  yarn: '`yarn outdated --json`',
  pip: '`pip list --outdated --format=json`',
  go: '`go list -m -u -json all`',
} as const;
const ANY = Object.values(HOW).join(', ');

class ReportError extends Error {}

/**
 * Pure: the packages `text` lists. `file` names the report in messages; `format` is the config's (`auto`:
 * told from the content). Text that is no report of the format, or of any, is an error saying what it is.
 * `parsed`: the text's one JSON value, when the caller has parsed it already (in steps, for a big report).
 */
export function readOutdatedReport(
  text: string,
  file: string,
  format: OutdatedFormat,
  parsed?: { value: unknown },
): OutdatedRead {
  try {
    const report = read(text, file, format, parsed);
    const long = report.packages.find((pkg) => pkg.name.length > MAX_NAME);
    // The ignore globs match each name, in time that grows with its length squared for some globs
    // (`*eslint*plugin*`): a name no registry allows is refused before it can hold the gate up.
    if (long !== undefined)
      throw new ReportError(
        `${file}: package ${shownName(long.name)} has a name of ${long.name.length} characters; no registry allows one longer than ${MAX_NAME}`,
      );
    return { ok: true, report };
  } catch (error) {
    if (error instanceof ReportError) return { ok: false, message: error.message };
    throw error;
  }
}

function read(
  whole: string,
  file: string,
  format: OutdatedFormat,
  parsed: { value: unknown } | undefined,
): OutdatedReport {
  // Only in front of a JSON value: pnpm's warnings are not the report, and without one they say what it is.
  const text = parsed === undefined ? withoutPnpmLogLines(whole) : whole;
  if (parsed === undefined && text.trim() === '') {
    if (format === 'yarn') return { ecosystem: 'yarn', packages: [] };
    throw new ReportError(`${file} is empty: no outdated report`);
  }
  const values = parsed ? [parsed.value] : jsonValues(text, file);
  const first = values[0];
  // A stream is Go's or yarn's, by its first value; their readers say which later value is not theirs.
  const shape: Ecosystem | 'node' | undefined = Array.isArray(first)
    ? values.length === 1
      ? 'pip'
      : undefined
    : isObject(first)
      ? typeof first.Path === 'string'
        ? 'go'
        : typeof first.type === 'string' && 'data' in first
          ? 'yarn'
          : values.length === 1
            ? 'node'
            : undefined
      : undefined;
  if (shape === undefined) {
    const what =
      values.length > 1
        ? `a stream of ${values.length} JSON values, starting with neither a Go module nor a yarn record`
        : describe(first);
    throw new ReportError(`${file} is ${what}, not an outdated report: write one with ${ANY}`);
  }
  const fits =
    format === 'auto' || shape === format || (shape === 'node' && (format === 'npm' || format === 'pnpm'));
  if (!fits) {
    const seen = shape === 'node' ? 'npm or pnpm' : shape;
    throw new ReportError(
      `${file} has the shape of ${seen}'s report, not of ${format}'s (format: ${format}): write it with ${HOW[format as Ecosystem]}, or set format to auto`,
    );
  }
  switch (shape) {
    case 'pip':
      return readPip(first as unknown[], file);
    case 'go':
      return readGo(values, file);
    case 'yarn':
      return readYarn(values, file);
    case 'node':
      return readNode(
        first as Record<string, unknown>,
        file,
        format === 'pnpm' || format === 'npm' ? format : undefined,
        text !== whole,
      );
  }
}

/**
 * The JSON values of `text`: one (npm, pnpm, pip), or a stream of them (go's objects one after another,
 * yarn's one a line).
 */
function jsonValues(text: string, file: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const values: unknown[] = [];
    for (const slice of topLevelValues(text, file)) {
      try {
        values.push(JSON.parse(slice.text));
      } catch (inner) {
        if (!(inner instanceof SyntaxError)) throw inner;
        throw new ReportError(
          `${file}:${slice.line}: the JSON value starting there does not read (${jsonSyntaxProblem(inner, slice.text, slice)})`,
        );
      }
    }
    if (values.length === 1) throw new ReportError(`${file} is not JSON (${jsonSyntaxProblem(error, text)})`);
    return values;
  }
}

/** The top-level objects of a stream, cut where each one's braces close; anything else between them is an error. */
function topLevelValues(text: string, file: string): Array<{ text: string; line: number; column: number }> {
  const slices: Array<{ text: string; line: number; column: number }> = [];
  let line = 1;
  let depth = 0;
  let start = 0;
  let startLine = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 0) {
      if (/\s/.test(c)) continue;
      if (c !== '{') throw new ReportError(`${file} is not JSON: ${notJsonHint(text, line)}`);
      start = i;
      startLine = line;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0)
        slices.push({
          text: text.slice(start, i + 1),
          line: startLine,
          column: start - text.lastIndexOf('\n', start - 1),
        });
    }
  }
  if (depth !== 0) throw new ReportError(`${file}:${startLine}: the JSON value starting there is cut short`);
  return slices;
}

/** Why text that is no JSON is not read: the table a tool prints without its JSON option, or what is there. */
function notJsonHint(text: string, line: number): string {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  if (/^Package\s+Current\s+Wanted\s+Latest/.test(first))
    return `it is the table npm, pnpm or yarn prints, not their JSON: run ${HOW.npm}, ${HOW.pnpm} or ${HOW.yarn}`;
  if (/^Package\s+Version\s+Latest/.test(first))
    return `it is the table pip prints, not its JSON: run ${HOW.pip}`;
  const at = text.split('\n')[line - 1] ?? '';
  return `line ${line} starts ${quoted(at.trim(), 60)}; write the report with ${ANY}`;
}

/** A field that must be a string when present. */
function optionalString(entry: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new ReportError(`${where}: "${key}" is ${describe(value)}, not a string`);
  return value;
}

function readNode(
  map: Record<string, unknown>,
  file: string,
  format: 'npm' | 'pnpm' | undefined,
  /** pnpm's log lines came before the JSON: npm prints none there. */
  pnpmLog: boolean,
): OutdatedReport {
  const packages: OutdatedPackage[] = [];
  let npm = false;
  let pnpm = false;
  for (const [name, value] of Object.entries(map)) {
    // npm's error object; a package named "error" has versions instead.
    if (
      name === 'error' &&
      isObject(value) &&
      !('latest' in value || 'wanted' in value || 'current' in value)
    ) {
      const text = [value.code, value.summary, value.detail]
        .filter((part) => typeof part === 'string')
        .join(': ');
      throw new ReportError(
        `${file}: npm reported an error instead of outdated packages: ${quoted(text || JSON.stringify(value), 300)}`,
      );
    }
    const entries = Array.isArray(value) ? value : [value];
    if (entries.length === 0) throw new ReportError(`${file}: package ${shownName(name)} is an empty array`);
    for (const [index, entry] of entries.entries()) {
      const where = `${file}: package ${shownName(name)}${Array.isArray(value) ? ` (item ${index + 1})` : ''}`;
      if (!isObject(entry))
        throw new ReportError(
          `${where} is ${describe(entry)}, not an object of versions (current, wanted, latest)`,
        );
      const current = optionalString(entry, 'current', where);
      const wanted = optionalString(entry, 'wanted', where);
      const latest = optionalString(entry, 'latest', where);
      if (current === undefined && wanted === undefined && latest === undefined)
        throw new ReportError(
          `${where} has none of "current", "wanted" and "latest": not an outdated report entry`,
        );
      // npm names the project itself as the dependent of every direct dependency: only a list says more.
      let dependent = Array.isArray(value) ? optionalString(entry, 'dependent', where) : undefined;
      if ('dependent' in entry || 'location' in entry) npm = true;
      if (
        'dependencyType' in entry ||
        'isDeprecated' in entry ||
        'dependentPackages' in entry ||
        'latestManifest' in entry
      )
        pnpm = true;
      if (entry.dependentPackages !== undefined) {
        // A workspace without a name (a root package.json often has none) has only its location: JSON leaves
        // out the name pnpm writes as undefined, and pnpm's own table shows the location instead.
        const dependents = entry.dependentPackages;
        const named = (d: unknown) =>
          isObject(d) ? (typeof d.name === 'string' ? d.name : d.location) : undefined;
        if (!Array.isArray(dependents) || !dependents.every((d) => typeof named(d) === 'string'))
          throw new ReportError(`${where}: "dependentPackages" is not a list of {name, location}`);
        dependent = dependents.map((d) => named(d) as string).join(', ') || undefined;
      }
      if (entry.isDeprecated !== undefined && typeof entry.isDeprecated !== 'boolean')
        throw new ReportError(`${where}: "isDeprecated" is ${describe(entry.isDeprecated)}, not a boolean`);
      // With --long, the latest version's manifest, as the registry gave it: its `deprecated` is the message
      // (pnpm's isDeprecated is whether there is one).
      const manifest = entry.latestManifest;
      if (manifest !== undefined && manifest !== null && !isObject(manifest))
        throw new ReportError(`${where}: "latestManifest" is ${describe(manifest)}, not an object`);
      const deprecation =
        isObject(manifest) && typeof manifest.deprecated === 'string' && manifest.deprecated !== ''
          ? manifest.deprecated
          : undefined;
      packages.push({
        ...pnpmKeyName(name, current),
        ...(current !== undefined && { current }),
        ...(wanted !== undefined && { wanted }),
        ...(latest !== undefined && { latest }),
        ...(dependent !== undefined && { dependent }),
        ...((entry.isDeprecated === true || deprecation !== undefined) && { deprecated: true }),
        ...(deprecation !== undefined && { deprecation }),
      });
    }
  }
  if (npm && pnpm && format === undefined)
    throw new ReportError(
      `${file} mixes npm's fields (dependent, location) and pnpm's (dependencyType, isDeprecated): set format`,
    );
  // pnpm's {} (nothing outdated) after its warnings is still pnpm's.
  if (pnpmLog && !npm) pnpm = true;
  const ecosystem = format ?? (pnpm ? 'pnpm' : 'npm');
  return { ecosystem, packages, ...(format === undefined && !npm && !pnpm && { ambiguous: true as const }) };
}

/** The labels pnpm puts after a package's name: its dependency type, or a GitHub Action. */
const PNPM_KEY = /^(@[^@\s/]+\/[^@\s]+|[^@\s]+)(?:@(\S+))?(?: \((dev|optional|peer|github action)\))?$/;

/**
 * The package name of pnpm's key: a package it lists more than once (installed at several versions, or as a
 * dependency and a dev dependency, across a workspace) is keyed `name@current`, with ` (dev)` and the like
 * after it. No npm name holds a space or an `@` past its scope's, so a key that is more is the name in front;
 * any other key is the name as it is.
 */
function pnpmKeyName(key: string, current: string | undefined): { name: string; label?: string } {
  const parts = PNPM_KEY.exec(key);
  if (parts === null || parts[0] === parts[1] || (parts[2] !== undefined && parts[2] !== current))
    return { name: key };
  return { name: parts[1]!, ...(parts[3] !== undefined && { label: parts[3] }) };
}

function readPip(list: unknown[], file: string): OutdatedReport {
  const packages = list.map((entry, index): OutdatedPackage => {
    const where = `${file}: item ${index + 1}`;
    if (!isObject(entry)) throw new ReportError(`${where} is ${describe(entry)}, not a package`);
    const fields = ['name', 'version', 'latest_version'].map((key) => {
      const value = entry[key];
      if (typeof value !== 'string' || value === '')
        throw new ReportError(
          `${where}: "${key}" is ${value === undefined ? 'missing' : describe(value)}; pip writes {name, version, latest_version, latest_filetype}`,
        );
      return value;
    });
    return { name: fields[0]!, current: fields[1]!, latest: fields[2]! };
  });
  return { ecosystem: 'pip', packages };
}

function readYarn(records: unknown[], file: string): OutdatedReport {
  const packages: OutdatedPackage[] = [];
  let legend = false;
  let tables = 0;
  for (const [index, record] of records.entries()) {
    const where = `${file}: record ${index + 1}`;
    if (!isObject(record) || typeof record.type !== 'string')
      throw new ReportError(`${where} is ${describe(record)}, not a yarn record ({"type", "data"})`);
    if (record.type === 'error')
      throw new ReportError(
        `${file}: yarn reported an error: ${quoted(typeof record.data === 'string' ? record.data : String(JSON.stringify(record.data)), 300)}`,
      );
    if (record.type === 'info' && typeof record.data === 'string' && record.data.startsWith('Color legend'))
      legend = true;
    if (record.type !== 'table') continue;
    tables++;
    const data = record.data;
    const head = isObject(data) ? data.head : undefined;
    const body = isObject(data) ? data.body : undefined;
    if (!Array.isArray(head) || !head.every((cell) => typeof cell === 'string') || !Array.isArray(body))
      throw new ReportError(`${where}: the table has no "head" of column names and "body" of rows`);
    const column = (name: string): number => head.indexOf(name);
    const [nameAt, currentAt, wantedAt, latestAt, workspaceAt] = [
      'Package',
      'Current',
      'Wanted',
      'Latest',
      'Workspace',
    ].map(column);
    if (nameAt! < 0 || currentAt! < 0 || latestAt! < 0)
      throw new ReportError(
        `${where}: the table's columns are ${JSON.stringify(head.slice(0, 10))}, without Package, Current and Latest: not yarn outdated's`,
      );
    for (const [rowIndex, row] of body.entries()) {
      if (!Array.isArray(row) || row.length !== head.length || !row.every((cell) => typeof cell === 'string'))
        throw new ReportError(`${where}: row ${rowIndex + 1} is not ${head.length} strings, one a column`);
      const cell = (at: number) => (at >= 0 && row[at] !== '' ? (row[at] as string) : undefined);
      const name = cell(nameAt!);
      if (name === undefined) throw new ReportError(`${where}: row ${rowIndex + 1} has no package name`);
      packages.push({
        name,
        ...(cell(currentAt!) !== undefined && { current: cell(currentAt!) }),
        ...(cell(wantedAt!) !== undefined && { wanted: cell(wantedAt!) }),
        ...(cell(latestAt!) !== undefined && { latest: cell(latestAt!) }),
        ...(cell(workspaceAt!) !== undefined && { dependent: cell(workspaceAt!) }),
      });
    }
  }
  // yarn prints its colour legend just before the table of outdated packages: without the table, the
  // output was cut short.
  if (legend && tables === 0)
    throw new ReportError(
      `${file} has yarn's colour legend but no table of outdated packages after it: cut short?`,
    );
  return { ecosystem: 'yarn', packages };
}

function readGo(modules: unknown[], file: string): OutdatedReport {
  const packages: OutdatedPackage[] = [];
  for (const [index, module] of modules.entries()) {
    const where = `${file}: module ${index + 1}`;
    if (!isObject(module) || typeof module.Path !== 'string' || module.Path === '')
      throw new ReportError(`${where} is ${describe(module)} without a "Path": not a module of ${HOW.go}`);
    const at = `${file}: module ${shownName(module.Path)}`;
    // The main module (and with workspaces, each of them) is the project itself.
    if (module.Main === true) continue;
    const replace = module.Replace;
    if (replace !== undefined && !(isObject(replace) && typeof replace.Path === 'string'))
      throw new ReportError(`${at}: "Replace" is ${describe(replace)}, not {"Path", "Version"}`);
    // Replaced by a directory: built from that, whatever the versions.
    if (replace !== undefined && replace.Version === undefined) continue;
    if (module.Indirect !== undefined && typeof module.Indirect !== 'boolean')
      throw new ReportError(`${at}: "Indirect" is ${describe(module.Indirect)}, not a boolean`);
    // Replaced by another module or version: that is what is built, and go list -u looks up its update,
    // retraction and deprecation on the Replace object (the original's are of a version not in use).
    const used = replace ?? module;
    const from = replace !== undefined ? `${at}: "Replace"` : at;
    const version = optionalString(used, 'Version', from);
    const error = used.Error;
    if (error !== undefined && !(isObject(error) && typeof error.Err === 'string'))
      throw new ReportError(`${from}: "Error" is ${describe(error)}, not {"Err": …}`);
    // go list -e names a module it could not resolve with its error and no version ("not a known
    // dependency", a module path it could not find): a module whose versions are unknown, not a bad report.
    if (version === undefined && error === undefined) throw new ReportError(`${from} has no "Version"`);
    const update = used.Update;
    if (update !== undefined && !(isObject(update) && typeof update.Version === 'string'))
      throw new ReportError(`${from}: "Update" is ${describe(update)}, not {"Path", "Version"}`);
    // With -u: the author's reasons this version is retracted ("retracted by module author" when none is
    // given), and the module's deprecation message from its latest go.mod.
    const retracted = used.Retracted;
    if (
      retracted !== undefined &&
      !(Array.isArray(retracted) && retracted.every((reason) => typeof reason === 'string'))
    )
      throw new ReportError(`${from}: "Retracted" is ${describe(retracted)}, not a list of reasons`);
    const deprecation = optionalString(used, 'Deprecated', from);
    packages.push({
      name: module.Path,
      ...(version !== undefined && { current: version }),
      // No update: this version is the latest, or go could not say, and Error says why. An update go found is
      // newer whatever else failed (the retractions or deprecation of the latest go.mod, looked up apart).
      ...(update !== undefined
        ? { latest: update.Version as string }
        : error === undefined && version !== undefined && { latest: version }),
      ...(replace !== undefined && replace.Path !== module.Path && { replacedBy: replace.Path as string }),
      ...(module.Indirect === true && { indirect: true }),
      ...(retracted !== undefined && retracted.length > 0 && { retracted: retracted as string[] }),
      ...(deprecation !== undefined && deprecation !== '' && { deprecated: true, deprecation }),
      ...(error !== undefined && { error: redactCredentials((error as { Err: string }).Err) }),
    });
  }
  return { ecosystem: 'go', packages };
}
