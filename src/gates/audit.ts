// The audit gate (seed: `npm audit --audit-level=moderate`, "no critical/high vulnerabilities"): runs the
// package manager's audit (or reads its saved report) and blocks on advisories at or above the severity,
// unless an allowlist entry with a reason and an unexpired date covers them. An audit that cannot reach the
// advisory service gives no answer, and no answer blocks.
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { auditConfigSchema } from './schema/audit.ts';
import type { AllowEntry, AuditConfig } from './schema/audit.ts';
import { runGateCommand } from './gate-command.ts';
import { JSON_CHUNK, parseJsonSteps } from './json-steps.ts';
import { withoutPnpmLogLines } from './pnpm-log.ts';
import { readReportFile } from './report-file.ts';
import { repositoryRoots } from './repo-path.ts';
import { redactSecrets } from './secret-rules.ts';
import { runAtOnce, Turns } from './turns.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';

export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const auditGate: Gate<AuditConfig> = {
  name: 'audit',
  schema: auditConfigSchema,
  run: runAuditGate,
};

export interface Advisory {
  /** GHSA id when the report gives its URL, else the npm advisory number. */
  id: string;
  source?: string;
  url?: string;
  /**
   * The other ids the report names the advisory by (its CVE ids, its GHSA id, a scanner's alternative ids):
   * an allowlist entry may name any of them. Never a CWE id (a class of weakness, not an advisory).
   */
  aliases?: string[];
  package: string;
  severity: Severity;
  title: string;
  range?: string;
  fixAvailable?: boolean;
  /** The vulnerable version, where the report names it (Snyk). */
  version?: string;
  /**
   * The dependency paths that bring the vulnerable package in (Snyk lists one entry per path): how many,
   * and the first few, each as "root@1.0.0 › dep@2.0.0 › pkg@1.2.3".
   */
  paths?: { count: number; shown: string[] };
}

/** The report could not be read as an audit answer; `unreachable` when the service did not answer. */
export class AuditReportError extends Error {
  override name = 'AuditReportError';
}

const DEFAULT_COMMAND = ['npm', 'audit', '--json'];

async function runAuditGate(config: AuditConfig, ctx: GateContext): Promise<GateVerdict> {
  let text: string;
  let source: string;
  let exitCode = 0;
  if (config.report) {
    source = config.report;
    const read = await readReportFile(ctx.cwd, config.report, repositoryRoots(ctx), 'audit report');
    if (!read.ok) return block(read.message);
    text = read.text;
  } else {
    const command = config.command ?? DEFAULT_COMMAND;
    const result = await runGateCommand(command, ctx);
    if (!result.ok) return block(result.reason);
    source = `"${result.display}"`;
    text = result.stdout;
    exitCode = result.exitCode;
    if (text.trim() === '') {
      return block(
        `${source} printed no report (exit code ${exitCode}): the advisory service could not be reached or the audit failed` +
          stderrHint(result.stderr) +
          legacyEndpointHint(result.stderr),
      );
    }
  }
  let advisories: Advisory[];
  try {
    // In steps: a monorepo's npm audit report runs to many megabytes, and the cancel signal waited on it.
    advisories = await readAuditReport(text, source, new Turns(ctx.signal));
  } catch (error) {
    if (error instanceof AuditReportError) return block(error.message);
    throw error;
  }
  if (exitCode !== 0 && advisories.length === 0) {
    return block(
      `${source} exited with code ${exitCode} without reporting vulnerabilities: the advisory service could not be reached or the audit failed`,
    );
  }
  const lockfile = await findLockfile(ctx.cwd);
  return decideAudit(advisories, config.severity ?? 'moderate', config.allow ?? [], today(), lockfile);
}

/** Pure: the verdict for these advisories, threshold and allowlist on `date` (YYYY-MM-DD). */
export function decideAudit(
  advisories: Advisory[],
  threshold: Severity,
  allow: AllowEntry[],
  date: string,
  lockfile?: string,
): GateVerdict {
  const minimum = SEVERITIES.indexOf(threshold);
  const blocking: Finding[] = [];
  const accepted: Finding[] = [];
  const below: Finding[] = [];
  const used = new Set<AllowEntry>();
  let expired = 0;
  for (const advisory of advisories) {
    const where = lockfile ? { path: lockfile } : {};
    const text = describe(advisory);
    if (SEVERITIES.indexOf(advisory.severity) < minimum) {
      below.push({ ...where, rule: 'audit.vulnerability', severity: 'notice', message: text });
      continue;
    }
    // Every entry that names the advisory is used (one by its GHSA id, another by its CVE id); one that
    // has not expired decides, so a renewed entry beside an old one allows it.
    const ids = advisoryIds(advisory);
    const matching = allow.filter((candidate) => ids.has(normalId(candidate.id)));
    for (const candidate of matching) used.add(candidate);
    const entry = matching.find((candidate) => candidate.expires > date) ?? matching[0];
    // Which of its ids the entry named, when not the one the finding shows.
    const named = entry ? ids.get(normalId(entry.id))! : advisory.id;
    const by = named === advisory.id ? '' : named === advisory.url ? ' by its URL' : ` by its id ${named}`;
    if (entry && entry.expires > date) {
      accepted.push({
        ...where,
        rule: 'audit.allowed',
        severity: 'notice',
        message: `${text}; allowed${by} until ${entry.expires}: ${entry.reason}`,
      });
    } else if (entry) {
      expired++;
      blocking.push({
        ...where,
        rule: 'audit.allow-expired',
        severity: 'error',
        message: `${text}; its allowlist entry${by ? ` (naming it${by})` : ''} expired on ${entry.expires} (reason was: ${entry.reason})`,
      });
    } else {
      blocking.push({ ...where, rule: 'audit.vulnerability', severity: 'error', message: text });
    }
  }
  const namesCves = advisories.some((advisory) => advisory.aliases?.some((id) => CVE.test(id)));
  const unused = allow
    .filter((entry) => !used.has(entry))
    .map((entry): Finding => ({
      rule: 'audit.allow-unused',
      severity: 'notice',
      message:
        `allowlist entry ${entry.id} matches no reported advisory: remove it` +
        // npm 7+ and yarn 4 name an advisory by its GHSA id and npm number only: a CVE entry cannot match.
        (CVE.test(entry.id.trim()) && !namesCves
          ? ' (this report names no CVE ids: if it lists that advisory by another id, such as its GHSA id, write that id instead)'
          : ''),
    }));
  const counts = [
    accepted.length ? `${accepted.length} allowed` : '',
    below.length ? `${below.length} below ${threshold}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const tail = counts ? ` (${counts})` : '';
  const findings = [...blocking, ...accepted, ...below, ...unused];
  if (blocking.length > 0) {
    const expiredText = expired ? `, ${expired} with an expired allowlist entry` : '';
    return {
      status: 'block',
      summary: `${blocking.length} ${plural(blocking.length, 'advisory', 'advisories')} at or above ${threshold}${expiredText}${tail}`,
      findings,
    };
  }
  return {
    status: 'pass',
    summary:
      advisories.length === 0 ? 'no known vulnerabilities' : `no advisories at or above ${threshold}${tail}`,
    findings,
  };
}

/**
 * Reads npm (report v2, and v1 "advisories"), pnpm (same as npm v1), yarn classic (NDJSON), yarn 2/3
 * (npm v1, then yarn's events), yarn 4.0.0 (the registry's bulk answer, then yarn's events) and yarn 4.0.1
 * and later (one tree line per advisory, or a lone "No audit suggestions" event) reports.
 */
export function parseAuditReport(written: string, source: string): Advisory[] {
  return runAtOnce(auditReportSteps(written, source));
}

/** parseAuditReport, its JSON parsed in steps (json-steps.ts); throws the signal's reason once cancelled. */
export function readAuditReport(written: string, source: string, turns: Turns): Promise<Advisory[]> {
  return turns.run(auditReportSteps(written, source));
}

function* auditReportSteps(written: string, source: string): Generator<void, Advisory[]> {
  // A byte order mark (a wrapper script in PowerShell, a report saved by one and printed with cat) is no
  // part of the JSON: JSON.parse refused it, and the gate said the advisory service could not be reached.
  // pnpm's warnings (an .npmrc token it could not fill in, a slow registry) on standard output before the
  // JSON: the report is there, and was refused as "the advisory service could not be reached".
  const text = withoutPnpmLogLines(written.replace(/^\uFEFF/, ''));
  const tree = yield* yarnTreeReport(text, source);
  if (tree !== undefined) return tree;
  let data: Record<string, unknown>;
  let noSuggestions = false;
  try {
    data = (yield* parseJsonSteps(text)) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    if (text.trimStart().startsWith('{"type":')) return yield* parseYarnClassic(text, source);
    const berry = yield* yarnBerryReport(text, source);
    if (berry === undefined) {
      throw new AuditReportError(
        `${source} did not give a JSON audit report: the advisory service could not be reached or the audit failed` +
          ` (output starts with ${JSON.stringify(text.trim().slice(0, 80))})` +
          legacyEndpointHint(text.slice(0, 4096)),
      );
    }
    data = berry.report;
    noSuggestions = berry.noSuggestions;
  }
  // `snyk test --json`: one project's result, or with --all-projects an array of them.
  const snyk = snykProjects(data);
  if (snyk !== undefined) return yield* parseSnyk(snyk, source);
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new AuditReportError(`${source}: the audit report is not a JSON object`);
  }
  if (data.error !== undefined || data.statusCode !== undefined) {
    throw new AuditReportError(
      `${source}: the advisory service could not be reached or refused the audit (${errorText(data)})` +
        legacyEndpointHint(JSON.stringify(data.error) ?? ''),
    );
  }
  // The report's entries are checked and read one step each (a million of them are seconds of work).
  if (data.auditReportVersion === 2) return yield* parseNpmV2(data, source);
  if (data.advisories && typeof data.advisories === 'object') return yield* parseNpmV1(data, source);
  if (data.type === 'auditSummary' || data.type === 'auditAdvisory')
    return yield* parseYarnClassic(text, source);
  if (yield* isBulkAnswer(data)) return yield* parseBulkAnswer(data, source);
  // yarn 4.0.0 with nothing found: an empty answer, then its "No audit suggestions" event.
  if (Object.keys(data).length === 0 && noSuggestions) return [];
  throw new AuditReportError(
    `${source}: not an audit report this gate reads (expected npm "auditReportVersion": 2, npm v6/pnpm "advisories", yarn classic NDJSON, yarn 4.0.0's bulk answer, yarn 4's report tree or snyk test --json)` +
      otherAuditFormat(data),
  );
}

// The fields read, with their types (loose: the rest is npm's business). A wrong type is the report's
// error, named by its path, instead of a crash or "[object Object]" in a finding.
const text = z.string().optional();
const advisoryNumber = z.union([z.number(), z.string()]).optional();
const countSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const npmViaSchema = z.looseObject({
  source: advisoryNumber,
  name: text,
  dependency: text,
  title: text,
  url: text,
  severity: text,
  range: text,
});
/** An entry of npm v2's "vulnerabilities" (a record of them, checked one entry a step: checkedEntries). */
const npmV2EntrySchema = z.looseObject({
  severity: text,
  via: z.array(z.union([z.string(), npmViaSchema])).optional(),
  fixAvailable: z.unknown().optional(),
});
const npmV2MetadataSchema = z.looseObject({
  metadata: z.looseObject({ vulnerabilities: z.record(z.string(), countSchema) }),
});
const v1AdvisorySchema = z.looseObject({
  id: advisoryNumber,
  module_name: text,
  severity: text,
  title: text,
  url: text,
  github_advisory_id: text,
  vulnerable_versions: text,
  patched_versions: text,
});
const yarnEventSchema = z.looseObject({
  type: text,
  data: z.looseObject({ advisory: v1AdvisorySchema.optional() }).optional(),
});

/** `data` as `schema` reads it, or the report's error naming the first wrong field by its path. */
function checked<T>(schema: z.ZodType<T>, data: unknown, source: string, prefix: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  let issue: z.core.$ZodIssue = parsed.error.issues[0]!;
  let path: PropertyKey[] = [...issue.path];
  // A union (a "via" is a package name or an advisory) names the option that got furthest.
  while (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const deepest = issue.errors
      .map((issues) => issues[0]!)
      .reduce((a, b) => (b.path.length > a.path.length ? b : a));
    path = [...path, ...deepest.path];
    issue = deepest;
  }
  const where = path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 && !prefix ? '' : '.'}${String(key)}`,
    )
    .join('');
  throw new AuditReportError(`${source}: ${prefix}${where}: ${issue.message}`);
}

/**
 * The entries of the record `data`, each as `schema` reads it, one step (a yield) each: `checked` of the
 * whole record, with the same error for the first wrong entry, without holding the event loop for all of them.
 */
function* checkedEntries<T>(
  schema: z.ZodType<T>,
  data: unknown,
  source: string,
  prefix: string,
): Generator<void, Array<[string, T]>> {
  // Not an object: the record's own error, as the whole record's check gave it.
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    checked(z.record(z.string(), z.unknown()), data, source, prefix);
  const entries: Array<[string, T]> = [];
  for (const [key, value] of Object.entries(data as object)) {
    yield;
    entries.push([key, checked(schema, value, source, prefix ? `${prefix}.${key}` : key)]);
  }
  return entries;
}

function* parseNpmV2(data: Record<string, unknown>, source: string): Generator<void, Advisory[]> {
  if (
    !data.vulnerabilities ||
    typeof data.vulnerabilities !== 'object' ||
    !(data.metadata as { vulnerabilities?: unknown } | undefined)?.vulnerabilities
  ) {
    throw new AuditReportError(
      `${source}: npm audit report v2 without "vulnerabilities" or "metadata.vulnerabilities"`,
    );
  }
  const vulnerabilities = yield* checkedEntries(
    npmV2EntrySchema,
    data.vulnerabilities,
    source,
    'vulnerabilities',
  );
  const metadata = checked(npmV2MetadataSchema, data, source, '').metadata.vulnerabilities;
  const advisories = new Map<string, Advisory>();
  // metadata counts the entries of "vulnerabilities" by severity (checked below).
  const listed = new Map<string | undefined, number>();
  for (const [name, vulnerability] of vulnerabilities) {
    yield;
    listed.set(vulnerability.severity, (listed.get(vulnerability.severity) ?? 0) + 1);
    const fix =
      vulnerability.fixAvailable !== undefined ? { fixAvailable: vulnerability.fixAvailable !== false } : {};
    for (const via of vulnerability.via ?? []) {
      if (typeof via === 'string') continue; // reached through another package, listed under that one
      const advisory = toAdvisory(
        {
          source: via.source,
          url: via.url,
          package: via.name ?? via.dependency ?? name,
          severity: via.severity,
          title: via.title,
          range: via.range,
          // npm's own report names an advisory by its URL's GHSA id and npm number; any others, if it adds them.
          aliases: otherIds(via.github_advisory_id, via.cves, via.aliases),
        },
        source,
      );
      const key = `${advisory.id}\0${advisory.package}`;
      if (!advisories.has(key)) advisories.set(key, { ...advisory, ...fix });
    }
  }
  const total = Number(metadata.total ?? 0);
  if (total > 0 && advisories.size === 0) {
    throw new AuditReportError(
      `${source}: metadata counts ${total} vulnerabilities but the report names no advisory (truncated or malformed)`,
    );
  }
  // metadata counts the entries of "vulnerabilities" by severity: more counted than listed is a report
  // cut short or edited, and what it does not list would pass.
  for (const severity of SEVERITIES) {
    const count = listed.get(severity) ?? 0;
    if ((metadata[severity] ?? 0) > count) {
      throw new AuditReportError(
        `${source}: metadata counts ${metadata[severity]} ${severity} vulnerabilities but the report lists ${count} (truncated or edited)`,
      );
    }
  }
  return [...advisories.values()];
}

type V1Advisory = z.output<typeof v1AdvisorySchema>;

function* parseNpmV1(data: Record<string, unknown>, source: string): Generator<void, Advisory[]> {
  const advisories = yield* checkedEntries(v1AdvisorySchema, data.advisories, source, 'advisories');
  const read: Advisory[] = [];
  for (const [, advisory] of advisories) {
    yield;
    read.push(v1Advisory(advisory, source));
  }
  return read;
}

function v1Advisory(advisory: V1Advisory, source: string): Advisory {
  return toAdvisory(
    {
      source: advisory.id,
      url:
        advisory.url ??
        (advisory.github_advisory_id
          ? `https://github.com/advisories/${advisory.github_advisory_id}`
          : undefined),
      package: advisory.module_name,
      severity: advisory.severity,
      title: advisory.title,
      range: advisory.vulnerable_versions,
      fixAvailable: advisory.patched_versions ? advisory.patched_versions !== '<0.0.0' : undefined,
      // npm 6, pnpm, yarn classic and yarn 2/3 list its CVE ids; its GHSA id even where the url is npm's.
      aliases: otherIds(advisory.github_advisory_id, advisory.cves, advisory.aliases),
    },
    source,
  );
}

/**
 * yarn 2 and 3 (`yarn npm audit --json`) print the registry's answer, npm's v1 report, on one line, and when
 * nothing is found a yarn event after it ({"type":"info",…,"data":"No audit suggestions"}). The report is
 * that first line; an "error" event is the audit failing. Undefined when the output is not such lines.
 */
function* yarnBerryReport(
  text: string,
  source: string,
): Generator<void, { report: Record<string, unknown>; noSuggestions: boolean } | undefined> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const parsed: unknown[] = [];
  for (const line of lines) {
    // The first line is the registry's whole answer: in steps, as any big report.
    try {
      parsed.push(yield* parseJsonSteps(line));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return undefined;
    }
  }
  const [report, ...events] = parsed as Array<Record<string, unknown> | null>;
  if (!report || typeof report !== 'object' || Array.isArray(report) || 'type' in report) return undefined;
  let noSuggestions = false;
  for (const event of events) {
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') return undefined;
    if (event.type === 'error') {
      throw new AuditReportError(
        `${source}: the audit failed (${JSON.stringify(event.data)?.slice(0, 300) ?? 'no detail'})`,
      );
    }
    if (event.type !== 'info' && event.type !== 'warning') return undefined;
    if (event.type === 'info' && event.data === 'No audit suggestions') noSuggestions = true;
  }
  return { report, noSuggestions };
}

const yarnTreeLineSchema = z.looseObject({
  value: z.string(),
  children: z.looseObject({
    ID: advisoryNumber,
    Issue: text,
    URL: text,
    Severity: text,
    'Vulnerable Versions': text,
    'Tree Versions': z.array(z.string()).optional(),
    Dependents: z.array(z.string()).optional(),
  }),
});

type YarnLine = { kind: 'advisory'; raw: unknown } | { kind: 'event'; type: string; data: unknown };

/** One line of yarn 4.0.1+ output: an advisory of its tree, a yarn event, or neither (undefined). */
function yarnLine(line: string): YarnLine | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const entry = raw as Record<string, unknown>;
  const children = entry.children;
  if ('value' in entry && children !== null && typeof children === 'object' && !Array.isArray(children))
    return { kind: 'advisory', raw };
  if (typeof entry.type === 'string' && ['info', 'warning', 'error'].includes(entry.type))
    return { kind: 'event', type: entry.type, data: entry.data };
  return undefined;
}

/**
 * yarn 4.0.1 and later (`yarn npm audit --json`) print the advisories it found as its report tree, one line
 * each: {"value":"<package>","children":{"ID","Issue","URL","Severity","Vulnerable Versions","Tree Versions",
 * "Dependents"}} (yarnpkg/berry npmAuditUtils.getReportTree, written by treeUtils.emitTree with json); with
 * nothing found, only its "No audit suggestions" info event. A deprecation is a line with the ID
 * "<package> (deprecation)", no URL, severity moderate: kept as info. Undefined when the output is not that.
 */
function* yarnTreeReport(text: string, source: string): Generator<void, Advisory[] | undefined> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const read: YarnLine[] = [];
  for (const line of lines) {
    // One advisory or event a line: a line of a megabyte is another report (npm's, on one line), which
    // JSON.parse would have read whole in one step here, before the stepped parse.
    if (line.length > JSON_CHUNK) return undefined;
    const parsed = yarnLine(line);
    if (parsed === undefined) return undefined;
    read.push(parsed);
    yield;
  }
  if (read.length === 0) return undefined;
  const found = read.filter((line) => line.kind === 'advisory');
  const noSuggestions = read.some(
    (line) => line.kind === 'event' && line.type === 'info' && line.data === 'No audit suggestions',
  );
  if (found.length === 0 && !noSuggestions) return undefined;
  const failed = read.find((line) => line.kind === 'event' && line.type === 'error');
  if (failed?.kind === 'event') {
    throw new AuditReportError(
      `${source}: the audit failed (${JSON.stringify(failed.data)?.slice(0, 300) ?? 'no detail'})`,
    );
  }
  if (found.length > 0 && noSuggestions) {
    throw new AuditReportError(
      `${source}: yarn listed advisories and said "No audit suggestions" in the same output (edited or two outputs joined)`,
    );
  }
  const advisories = new Map<string, Advisory>();
  for (const [index, line] of read.entries()) {
    if (line.kind !== 'advisory') continue;
    yield;
    const entry = checked(yarnTreeLineSchema, line.raw, source, `line ${index + 1}`);
    const advisory = toAdvisory(
      deprecationAsInfo({
        source: entry.children.ID,
        url: entry.children.URL,
        package: entry.value,
        severity: entry.children.Severity,
        title: entry.children.Issue,
        range: entry.children['Vulnerable Versions'],
      }),
      source,
    );
    advisories.set(`${advisory.id}\0${advisory.package}`, advisory);
  }
  return [...advisories.values()];
}

const snykVulnerabilitySchema = z.looseObject({
  id: z.string(),
  title: text,
  severity: text,
  packageName: text,
  name: text,
  version: text,
  from: z.array(z.string()).optional(),
  isUpgradable: z.boolean().optional(),
  isPatchable: z.boolean().optional(),
  semver: z.looseObject({ vulnerable: z.union([z.array(z.string()), z.string()]).optional() }).optional(),
});
const snykProjectSchema = z.looseObject({
  vulnerabilities: z.array(z.unknown()),
  projectName: text,
  displayTargetFile: text,
  // snyk container test: the image's applications (an npm project inside it), each with its own vulnerabilities.
  applications: z.array(z.unknown()).optional(),
});

/** The dependency paths a Snyk finding lists in full; the rest are counted. */
const SNYK_PATHS_SHOWN = 3;

/**
 * `snyk test --json` (Snyk Open Source, and `snyk container test --json`): {"vulnerabilities": […], "ok",
 * "packageManager", "projectName", …}; with --all-projects an array of those, one a project. Undefined when
 * `data` is neither. A project that failed has {"ok": false, "error": "…"} instead.
 */
function snykProjects(data: unknown): unknown[] | undefined {
  const isProject = (entry: unknown): boolean =>
    entry !== null &&
    typeof entry === 'object' &&
    !Array.isArray(entry) &&
    typeof (entry as { ok?: unknown }).ok === 'boolean' &&
    (Array.isArray((entry as { vulnerabilities?: unknown }).vulnerabilities) ||
      typeof (entry as { error?: unknown }).error === 'string');
  if (Array.isArray(data)) return data.length > 0 && data.every(isProject) ? data : undefined;
  // A lone error ({"ok": false, "error": "…"}) is read as the service failing, as any audit's error is.
  return isProject(data) && Array.isArray((data as { vulnerabilities?: unknown }).vulnerabilities)
    ? [data]
    : undefined;
}

/**
 * Snyk lists a vulnerability once per dependency path that brings the package in (`from`): the same id on
 * the same package@version, five paths, five entries. Read as one advisory per (id, package, version),
 * counting its paths and keeping the first few; across --all-projects' projects too.
 */
function* parseSnyk(projects: unknown[], source: string): Generator<void, Advisory[]> {
  const advisories = new Map<string, Advisory>();
  // [where, project]: --all-projects' projects, and a container's applications after its own packages.
  const pending: Array<[string, unknown]> = projects.map((raw, index) => [
    projects.length > 1 ? `[${index}]` : '',
    raw,
  ]);
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const [where, raw] = next;
    const failed = (raw as { error?: unknown } | null)?.error;
    if (typeof failed === 'string') {
      throw new AuditReportError(
        `${source}${where ? `: project ${where}` : ''}: snyk could not test it (${failed.slice(0, 300)})`,
      );
    }
    const project = checked(snykProjectSchema, raw, source, where);
    for (const [appIndex, application] of (project.applications ?? []).entries())
      pending.push([`${where}${where ? '.' : ''}applications[${appIndex}]`, application]);
    for (const [entryIndex, entry] of project.vulnerabilities.entries()) {
      yield;
      const vulnerability = checked(
        snykVulnerabilitySchema,
        entry,
        source,
        `${where}${where ? '.' : ''}vulnerabilities[${entryIndex}]`,
      );
      const name = vulnerability.packageName ?? vulnerability.name;
      const vulnerable = vulnerability.semver?.vulnerable;
      const advisory = toAdvisory(
        {
          source: vulnerability.id,
          ...(name !== undefined ? { package: name } : {}),
          severity: vulnerability.severity === 'medium' ? 'moderate' : vulnerability.severity,
          title: vulnerability.title,
          range: Array.isArray(vulnerable) ? vulnerable.join(' || ') : vulnerable,
          fixAvailable: Boolean(vulnerability.isUpgradable || vulnerability.isPatchable),
          // {"CVE": […], "CWE": […], "GHSA": […], …} and the ids Snyk has retired for this one.
          aliases: otherIds(vulnerability.identifiers, vulnerability.alternativeIds),
        },
        source,
      );
      const key = `${advisory.id}\0${advisory.package}\0${vulnerability.version ?? ''}`;
      const seen = advisories.get(key) ?? {
        ...advisory,
        ...(vulnerability.version !== undefined ? { version: vulnerability.version } : {}),
        paths: { count: 0, shown: [] },
      };
      seen.fixAvailable = Boolean(seen.fixAvailable || advisory.fixAvailable);
      seen.paths!.count++;
      if (vulnerability.from && seen.paths!.shown.length < SNYK_PATHS_SHOWN)
        seen.paths!.shown.push(vulnerability.from.join(' › '));
      advisories.set(key, seen);
    }
  }
  return [...advisories.values()];
}

/** What a report users often point the gate at, that it does not read, is; '' when it is none of them. */
function otherAuditFormat(data: Record<string, unknown>): string {
  const dependencies = data.dependencies;
  if (
    Array.isArray(dependencies) &&
    dependencies.some((entry) => entry && typeof entry === 'object' && 'vulns' in entry)
  ) {
    // pip-audit --format json: {"dependencies": [{"name", "version", "vulns": [{"id", "fix_versions", …}]}], "fixes": […]}
    return ': it is a pip-audit report, which gives no severities to hold to a threshold; the audit gate reads npm, pnpm and yarn audits';
  }
  if (typeof data.auditReportVersion === 'number') {
    return `: npm audit report version ${data.auditReportVersion} is not one this gate knows (it reads version 2)`;
  }
  return '';
}

/**
 * yarn 4 adds each deprecated package it finds as an advisory of its own, id "<name> (deprecation)", severity
 * "moderate". A deprecation is no vulnerability: it is listed as info, below any threshold but the lowest.
 */
function deprecationAsInfo<T extends { source?: number | string; severity?: string; title?: string }>(
  raw: T,
): T {
  if (typeof raw.source !== 'string' || !raw.source.endsWith(' (deprecation)')) return raw;
  return { ...raw, severity: 'info', title: `deprecated: ${raw.title ?? 'no reason given'}` };
}

const bulkAdvisorySchema = z.looseObject({
  id: advisoryNumber,
  url: text,
  title: text,
  severity: text,
  vulnerable_versions: text,
});

/**
 * yarn 4.0.0 `yarn npm audit --json` (only that release: 4.0.1 prints its report tree, yarnTreeReport)
 * prints the registry's bulk answer as it came ({"<package>": [{id, url, title,
 * severity, vulnerable_versions, …}], …}, its deprecations added), then "No audit suggestions" as a yarn event
 * when nothing is at or above --severity. Whether `data` has that shape: an object of arrays of advisories.
 */
function* isBulkAnswer(data: Record<string, unknown>): Generator<void, boolean> {
  const values = Object.values(data);
  if (values.length === 0) return false;
  for (const value of values) {
    yield;
    if (
      !Array.isArray(value) ||
      !value.every((entry) => entry !== null && typeof entry === 'object' && 'severity' in entry)
    )
      return false;
  }
  return true;
}

function* parseBulkAnswer(data: Record<string, unknown>, source: string): Generator<void, Advisory[]> {
  const answer = yield* checkedEntries(z.array(bulkAdvisorySchema), data, source, '');
  const advisories = new Map<string, Advisory>();
  for (const [name, entries] of answer) {
    yield;
    for (const entry of entries) {
      const advisory = toAdvisory(
        deprecationAsInfo({
          source: entry.id,
          url: entry.url,
          package: name,
          severity: entry.severity,
          title: entry.title,
          range: entry.vulnerable_versions,
          aliases: otherIds(entry.github_advisory_id, entry.cves, entry.aliases),
        }),
        source,
      );
      advisories.set(`${advisory.id}\0${advisory.package}`, advisory);
    }
  }
  return [...advisories.values()];
}

function* parseYarnClassic(text: string, source: string): Generator<void, Advisory[]> {
  const advisories = new Map<string, Advisory>();
  let summary = false;
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    yield;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new AuditReportError(
        `${source}: line ${index + 1} of the yarn audit output is not JSON (truncated?)`,
      );
    }
    const event = checked(yarnEventSchema, raw, source, `line ${index + 1}`);
    if (event.type === 'error') {
      throw new AuditReportError(
        `${source}: the advisory service could not be reached or refused the audit (${JSON.stringify(event.data)?.slice(0, 300)})`,
      );
    }
    if (event.type === 'auditSummary') summary = true;
    if (event.type === 'auditAdvisory' && event.data?.advisory) {
      const advisory = v1Advisory(event.data.advisory, source);
      advisories.set(`${advisory.id}\0${advisory.package}`, advisory);
    }
  }
  if (!summary)
    throw new AuditReportError(`${source}: yarn audit output has no auditSummary line (truncated?)`);
  return [...advisories.values()];
}

function toAdvisory(
  raw: {
    source?: number | string;
    url?: string;
    package?: string;
    severity?: string;
    title?: string;
    range?: string;
    fixAvailable?: boolean;
    /** The advisory's other ids (otherIds). */
    aliases?: string[];
  },
  source: string,
): Advisory {
  const severity = raw.severity as Severity;
  if (!SEVERITIES.includes(severity)) {
    throw new AuditReportError(
      `${source}: advisory for ${raw.package ?? 'a package'} has an unknown severity ${JSON.stringify(raw.severity)}`,
    );
  }
  const ghsa = raw.url ? /GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}/i.exec(raw.url)?.[0] : undefined;
  const id = ghsa ?? (raw.source !== undefined ? String(raw.source) : raw.url);
  if (!id)
    throw new AuditReportError(
      `${source}: advisory for ${raw.package ?? 'a package'} has neither a URL nor an id`,
    );
  const main = new Set(
    [id, raw.source, raw.url]
      .filter((value) => value !== undefined)
      .map(String)
      .map(normalId),
  );
  const aliases = [...new Map((raw.aliases ?? []).map((alias) => [normalId(alias), alias])).entries()]
    .filter(([normal]) => !main.has(normal))
    .map(([, alias]) => alias);
  return {
    id,
    ...(raw.source !== undefined ? { source: String(raw.source) } : {}),
    ...(raw.url ? { url: raw.url } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    package: raw.package ?? 'unknown package',
    severity,
    // pnpm 11 writes "" where the registry gave no title.
    title: raw.title?.trim() || 'untitled advisory',
    ...(raw.range ? { range: raw.range } : {}),
    ...(raw.fixAvailable !== undefined ? { fixAvailable: raw.fixAvailable } : {}),
  };
}

const CVE = /^CVE-\d{4}-\d+$/i;

/** An id as an allowlist entry and a report are compared: whole, trimmed, case-insensitively. */
function normalId(id: string): string {
  return id.trim().toLowerCase();
}

/** Every id an allowlist entry may name the advisory by (normalId), each with the report's spelling. */
function advisoryIds(advisory: Advisory): Map<string, string> {
  const ids = new Map<string, string>();
  for (const id of [advisory.id, advisory.source, advisory.url, ...(advisory.aliases ?? [])]) {
    if (id !== undefined && !ids.has(normalId(id))) ids.set(normalId(id), id);
  }
  return ids;
}

/**
 * The ids a report gives an advisory besides its main one, from fields written as a string, a number, a
 * list of them, or (Snyk's `identifiers`) a record of such lists by kind ({"CVE": […], "GHSA": […]}). A
 * field of another shape is passed over: the advisory is then matched by its other ids only, and blocks
 * unless one of those is allowed. A CWE id, a class of weakness and not an advisory, is never taken.
 */
function otherIds(...fields: unknown[]): string[] {
  const found: string[] = [];
  const take = (value: unknown): void => {
    if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
    if (typeof value !== 'string') return;
    const id = value.trim();
    if (id !== '' && !/^CWE-/i.test(id)) found.push(id);
  };
  for (const field of fields) {
    if (Array.isArray(field)) field.forEach(take);
    else if (field !== null && typeof field === 'object') {
      for (const [kind, values] of Object.entries(field)) {
        if (kind.toUpperCase() !== 'CWE' && Array.isArray(values)) values.forEach(take);
      }
    } else take(field);
  }
  return found;
}

function describe(advisory: Advisory): string {
  const range = advisory.range ? ` ${advisory.range}` : '';
  const fix =
    advisory.fixAvailable === undefined
      ? ''
      : advisory.fixAvailable
        ? ', fix available'
        : ', no fix available';
  const version = advisory.version ? `@${advisory.version}` : '';
  return `${advisory.package}${version}${range}: ${advisory.severity}: ${advisory.title} (${advisory.id}${fix})${pathsText(advisory.paths)}`;
}

/** "; 5 dependency paths, e.g. a@1 › b@2 › c@3; …" for an advisory Snyk listed once a path. */
function pathsText(paths: Advisory['paths']): string {
  if (!paths || paths.count === 0) return '';
  const shown = paths.shown.join('; ');
  if (paths.count === 1) return shown ? `; through ${shown}` : '';
  const more = paths.count > paths.shown.length ? `; ${paths.count - paths.shown.length} more` : '';
  return `; ${paths.count} dependency paths${shown ? `: ${shown}${more}` : ''}`;
}

function errorText(data: Record<string, unknown>): string {
  const error = (data.error ?? {}) as { code?: string; summary?: string; detail?: string };
  const parts = [
    // snyk test --json: {"ok": false, "error": "<what went wrong>", "path": "…"}
    typeof data.error === 'string' ? data.error.slice(0, 300) : undefined,
    error.code,
    typeof data.statusCode === 'number' ? `HTTP ${data.statusCode}` : undefined,
    error.summary,
    typeof data.message === 'string' ? data.message : undefined,
  ].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return parts.join(': ') || 'no detail';
}

function stderrHint(stderr: string): string {
  // npm 7+ writes "npm error …", npm 6 "npm ERR! …", pnpm " ERR_PNPM_… …".
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error|\bERR[!_]/i.test(l));
  // Redacted before it is cut: an error line may quote a registry URL with its token or password.
  return line ? ` (${redactSecrets(line).slice(0, 200)})` : '';
}

/**
 * npm 6 and pnpm releases before its audit moved to the bulk advisory endpoint ask the registry's legacy
 * audit endpoint (/-/npm/v1/security/audits, /quick), which the public registry retired in April 2026 (HTTP
 * 410); npm 6 reports any refusal as ENOAUDIT, "may not support audit requests". Said so, with what to run,
 * when the output shows either; '' otherwise.
 */
function legacyEndpointHint(output: string): string {
  if (!/\bENOAUDIT\b|\/-\/npm\/v1\/security\/audits(?![\w-])/.test(output)) return '';
  return ': npm 6 and older pnpm releases ask the legacy audit endpoint (/-/npm/v1/security/audits), which the public registry retired in April 2026 (and a private registry may never have had): run the audit with npm 7 or later (it asks /-/npm/v1/security/advisories/bulk), or a pnpm release whose audit does';
}

async function findLockfile(cwd: string): Promise<string | undefined> {
  for (const name of ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock']) {
    if (
      await access(resolve(cwd, name)).then(
        () => true,
        () => false,
      )
    )
      return name;
  }
  return undefined;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

function block(summary: string): GateVerdict {
  return { status: 'block', summary, findings: [] };
}
