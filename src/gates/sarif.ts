// The sarif gate: reads any SARIF 2.1.0 report (semgrep, trivy, CodeQL, ESLint, gitleaks) and blocks on
// error-level results or on a security severity at or above the threshold (the seeds' "no critical/high").
// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { sarifConfigSchema } from './schema/sarif.ts';
import type { SarifConfig } from './schema/sarif.ts';
import { matchFiles, toList } from './match-files.ts';
import { parseJsonSteps } from './json-steps.ts';
import { readReportFile } from './report-file.ts';
import { redactReported } from './secret-rules.ts';
import { relativeToRoots, repositoryRoots } from './repo-path.ts';
import { runAtOnce, Turns } from './turns.ts';
import { SarifReportError } from './sarif-error.ts';
import { OverrideTable, RuleLookup } from './sarif-rules.ts';
import type { FoundRule, LookupStep } from './sarif-rules.ts';
import type { Finding, Gate, GateContext, GateVerdict } from './types.ts';
import { jsonSyntaxProblem } from './json-error.ts';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/**
 * Where a result's effective level came from (§3.27.10): its own `level`; the run's configuration override
 * of its rule; its rule's `defaultConfiguration.level`; SARIF's "warning" for a failure with none of these;
 * or "none" because its kind is not a failure.
 */
export type SarifLevelSource = 'result' | 'override' | 'rule' | 'default' | 'kind';

export interface SarifResult {
  tool: string;
  ruleId: string;
  /** The rule's `name` (§3.49.7), where the tool lists one other than its id: Psalm's "TaintedSql" for "244". */
  ruleName?: string;
  level: SarifLevel;
  /** Which step of SARIF's resolution gave `level` (a result without one takes its rule's, or "warning"). */
  levelSource: SarifLevelSource;
  message: string;
  /** Repository-relative when inside the runner's workspace or `cwd`, else as the report says. */
  path?: string;
  line?: number;
  column?: number;
  securitySeverity?: number;
  /** region.snippet.text, when the tool includes it (may hold a secret: never print it). */
  snippet?: string;
  suppressed: boolean;
  /** A suppression that is under review or rejected: the result is not suppressed, and its finding says why. */
  suppressionStatus?: 'underReview' | 'rejected';
  /**
   * baselineState "absent" (§3.27.24): the result was in the baseline run and is not in this one, i.e. it
   * was fixed. Tools that compare against a baseline (sarif-multitool match-results-forward) list them.
   */
  absent: boolean;
  /**
   * The other baselineStates (§3.27.24): "unchanged" and "updated" were in the baseline run too (still in
   * the code: judged like any result, and the finding says so), "new" was not.
   */
  baselineState?: 'new' | 'unchanged' | 'updated';
  /**
   * §3.27.9: "fail" (the default) is a problem; "pass", "notApplicable" and "informational" say there is
   * none, so a rule's security-severity does not make them block; "open" and "review" still may.
   */
  kind: 'notApplicable' | 'pass' | 'fail' | 'review' | 'open' | 'informational';
  /**
   * The result's own `level` where its kind set it aside (§3.27.10: a kind other than "fail" has level
   * "none"): shown in the finding, never judged.
   */
  statedLevel?: SarifLevel;
}

export { SarifReportError };

// The fields this gate reads, with their SARIF types (loose: a tool's other fields are its business). A
// field of the wrong type (a number for a message, a string for a line) is the log's error, named by its
// path, not a crash or a result read as something else. Levels, kinds and security-severity are checked
// where they are read, with messages that list the allowed values.
const text = z.string().optional();
const count = (min: number) => z.number().int().min(min).max(Number.MAX_SAFE_INTEGER).optional();
const properties = z.record(z.string(), z.unknown()).optional();
/** §3.11.7, §3.49.11: a rule's or tool's message strings, by the id a result's message names. */
const messageStrings = z.record(z.string(), z.looseObject({ text, markdown: text })).optional();
const ruleSchema = z.looseObject({
  id: text,
  name: text,
  messageStrings,
  defaultConfiguration: z.looseObject({ level: z.unknown().optional() }).optional(),
  properties,
});
const componentSchema = z.looseObject({
  name: text,
  rules: z.array(ruleSchema).optional(),
  globalMessageStrings: messageStrings,
});
const resultSchema = z.looseObject({
  ruleId: text,
  ruleIndex: count(-1),
  rule: z
    .looseObject({
      id: text,
      index: count(-1),
      toolComponent: z.looseObject({ index: count(-1) }).optional(),
    })
    .optional(),
  level: z.unknown().optional(),
  kind: z.unknown().optional(),
  message: z
    .looseObject({ text, markdown: text, id: text, arguments: z.array(z.string()).optional() })
    .optional(),
  locations: z
    .array(
      z.looseObject({
        physicalLocation: z
          .looseObject({
            artifactLocation: z.looseObject({ uri: text, uriBaseId: text, index: count(-1) }).optional(),
            region: z
              .looseObject({
                // 1-based per SARIF, yet some tools (KICS, regal) write 0 or -1 for "the whole file": such a
                // result keeps its file and loses only the line, rather than the whole log being refused.
                startLine: count(Number.MIN_SAFE_INTEGER),
                startColumn: count(Number.MIN_SAFE_INTEGER),
                snippet: z.looseObject({ text }).optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  properties,
  suppressions: z.array(z.looseObject({ status: text })).optional(),
  baselineState: z.unknown().optional(),
  // §3.48.6: the invocation whose configuration (its rule overrides) produced the result.
  provenance: z.looseObject({ invocationIndex: count(-1) }).optional(),
});
/** §3.52 reportingDescriptorReference: a rule named by id and/or index, in the driver or an extension. */
const descriptorReferenceSchema = z.looseObject({
  id: text,
  index: count(-1),
  toolComponent: z.looseObject({ index: count(-1) }).optional(),
});
/** §3.51: a rule's configuration as this invocation ran it (its level replaces the rule's default). */
const configurationOverrideSchema = z.looseObject({
  descriptor: descriptorReferenceSchema,
  configuration: z.looseObject({ level: z.unknown().optional() }),
});
const runSchema = z.looseObject({
  tool: z.looseObject({ driver: componentSchema, extensions: z.array(componentSchema).optional() }),
  // Each result is checked where it is read (resultSchema), one at a time: a log of 100 000 results is
  // not one step the event loop waits for.
  results: z.array(z.unknown()).optional(),
  // §3.24: the files the results name by index (artifactLocation.index); each checked when a result names it.
  artifacts: z.array(z.unknown()).optional(),
  originalUriBaseIds: z.record(z.string(), z.looseObject({ uri: text, uriBaseId: text })).optional(),
  invocations: z
    .array(
      z.looseObject({
        executionSuccessful: z.boolean().optional(),
        ruleConfigurationOverrides: z.array(configurationOverrideSchema).optional(),
      }),
    )
    .optional(),
});
const logSchema = z.looseObject({ version: z.literal('2.1.0'), runs: z.array(runSchema) });
const artifactSchema = z.looseObject({
  location: z.looseObject({ uri: text, uriBaseId: text }).optional(),
});

type Run = z.output<typeof runSchema>;
type Rule = z.output<typeof ruleSchema>;
type Result = z.output<typeof resultSchema>;
type DescriptorReference = z.output<typeof descriptorReferenceSchema>;

/** A zod path as the log's own JSON path: runs[0].results[3].message.text. */
function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index ? '.' : ''}${String(key)}`))
    .join('');
}

/** A finding's message: the first line, and not a whole file of it. */
const MAX_MESSAGE = 1000;

/**
 * Parses a SARIF 2.1.0 log into flat results. Throws SarifReportError naming the file on any problem.
 * Absolute paths are made relative to the first of `roots` that contains them (the runner's workspace,
 * then the gate's directory), so annotations land on the right file wherever the tool or the gate ran.
 */
export function parseSarif(
  text: string,
  file: string,
  roots: string | string[],
  /** Called on each step of finding rules and overrides (tests count them: linear in the log's size). */
  step?: LookupStep,
): SarifResult[] {
  return runAtOnce(sarifSteps(text, file, roots, step));
}

/** parseSarif, taking turns of the event loop between results; throws the signal's reason once cancelled. */
export function readSarif(
  text: string,
  file: string,
  roots: string | string[],
  turns: Turns,
): Promise<SarifResult[]> {
  return turns.run(sarifSteps(text, file, roots));
}

/**
 * What to do with a log of another SARIF version. The .NET compilers' /errorlog (MSBuild's ErrorLog, the
 * Roslyn analyzers' output) writes SARIF 1.0 unless asked for 2.1; drafts of 2.x come from older tools.
 */
export function otherSarifVersion(version: unknown): string {
  if (typeof version !== 'string') return '';
  if (/^1\./.test(version)) {
    return ': it is SARIF 1.0, as the .NET compilers write it unless asked for 2.1: set `<ErrorLog>file.sarif,version=2.1</ErrorLog>` (on the command line `-p:ErrorLog=file.sarif%2Cversion=2.1`), or convert the log with the SARIF Multitool (`sarif transform --sarif-output-version Current`)';
  }
  if (/^2\./.test(version)) {
    return ': it is a draft of SARIF 2.1.0: convert it with the SARIF Multitool (`sarif transform --sarif-output-version Current`) or update the tool that wrote it';
  }
  return '';
}

/**
 * Psalm's --output-format=json: an array of its issues, each with `type` (the issue's name), `shortcode`
 * (its number), `file_path` and `line_from` (vimeo/psalm IssueData, written by JsonReport).
 */
function isPsalmJson(data: unknown): boolean {
  if (!Array.isArray(data) || data.length === 0) return false;
  const first: unknown = data[0];
  return (
    first !== null &&
    typeof first === 'object' &&
    ['type', 'shortcode', 'file_path', 'line_from'].every((key) => key in first)
  );
}

/** parseSarif's work, one step per result. */
function* sarifSteps(
  text: string,
  file: string,
  roots: string | string[],
  step: LookupStep = () => {},
): Generator<void, SarifResult[]> {
  const bases = (Array.isArray(roots) ? roots : [roots]).filter(Boolean);
  let data: unknown;
  try {
    // In steps: a big log's JSON.parse held the event loop for seconds.
    data = yield* parseJsonSteps(text);
  } catch (error) {
    throw new SarifReportError(`${file} is not valid JSON (${jsonSyntaxProblem(error, text)})`);
  }
  if (isPsalmJson(data)) {
    throw new SarifReportError(
      `${file} is Psalm's JSON report (--output-format=json), not a SARIF log: have Psalm write SARIF with --report=${file.replace(/\.json$/i, '')}.sarif (or --output-format=sarif) and point the gate at that file`,
    );
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (!data || typeof data !== 'object' || version !== '2.1.0') {
    throw new SarifReportError(
      `${file} is not a SARIF 2.1.0 log (version ${JSON.stringify(version)?.slice(0, 40)})${otherSarifVersion(version)}`,
    );
  }
  if (!Array.isArray((data as { runs?: unknown }).runs)) {
    throw new SarifReportError(`${file} has no "runs" array`);
  }
  const parsed = logSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SarifReportError(`${file}: ${jsonPath(issue.path)}: ${issue.message} (SARIF 2.1.0)`);
  }
  const results: SarifResult[] = [];
  // §3.14.23: a run without results is a tool that failed or did not analyse; so is an invocation that
  // says it did not succeed. Read as "no results", either would pass what was never scanned.
  if (parsed.data.runs.length === 0) {
    throw new SarifReportError(`${file} has no runs: no tool's results are in it`);
  }
  parsed.data.runs.forEach((run, runIndex) => {
    const tool = run.tool.driver.name ?? 'the tool';
    if (run.results === undefined) {
      throw new SarifReportError(
        `${file}: runs[${runIndex}] has no "results": per SARIF, ${tool} failed or did not analyse`,
      );
    }
    const failed = (run.invocations ?? []).findIndex(
      (invocation) => invocation.executionSuccessful === false,
    );
    if (failed >= 0) {
      throw new SarifReportError(
        `${file}: runs[${runIndex}].invocations[${failed}].executionSuccessful is false: ${tool} did not finish its analysis`,
      );
    }
  });
  for (const [runIndex, run] of parsed.data.runs.entries()) {
    const components = [run.tool.driver, ...(run.tool.extensions ?? [])];
    const tables: RunRules = { rules: new RuleLookup(components, step), overrides: new Map(), step };
    const toolName = run.tool.driver.name ?? 'unknown tool';
    for (const [resultIndex, raw] of (run.results ?? []).entries()) {
      yield;
      const checked = resultSchema.safeParse(raw);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        throw new SarifReportError(
          `${file}: ${jsonPath(['runs', runIndex, 'results', resultIndex, ...issue.path])}: ${issue.message} (SARIF 2.1.0)`,
        );
      }
      const result = checked.data;
      const where = `${file}: runs[${runIndex}].results[${resultIndex}]`;
      const reference = referenceOf(result);
      const rule = tables.rules.find(reference, where);
      const ruleId = result.ruleId ?? result.rule?.id ?? rule?.rule?.id ?? 'unknown-rule';
      const kind = checkEnum(result.kind, KINDS, `${where}.kind`);
      const baselineState = checkEnum(result.baselineState, BASELINE_STATES, `${where}.baselineState`);
      const stated = checkEnum(result.level, LEVELS, `${where}.level`);
      const { level, source: levelSource } = effectiveLevel({
        result: stated,
        kind,
        override: () => overrideLevel(result, rule, run, tables, `${file}: runs[${runIndex}]`, where),
        rule: () =>
          checkEnum(
            rule?.rule?.defaultConfiguration?.level,
            LEVELS,
            `${file}: rule "${ruleId}" defaultConfiguration.level`,
          ),
      });
      const location = result.locations?.[0]?.physicalLocation;
      const artifact = artifactOf(location?.artifactLocation, run, file, runIndex, `${where}.locations[0]`);
      const path = artifact?.uri
        ? repoPath(artifact.uri, artifact.uriBaseId, run, bases, `${where}.locations[0]`)
        : undefined;
      const severity =
        securitySeverity(result.properties, `${where}.properties`) ??
        securitySeverity(rule?.rule?.properties, `${file}: rule "${ruleId}" properties`);
      const snippet = location?.region?.snippet?.text;
      const ruleName = rule?.rule?.name?.trim();
      results.push({
        tool: toolName,
        ruleId,
        ...(ruleName && ruleName !== ruleId ? { ruleName } : {}),
        level,
        levelSource,
        message: firstLine(messageText(result.message, rule, components)).slice(0, MAX_MESSAGE),
        ...(path ? { path } : {}),
        ...(location?.region?.startLine && location.region.startLine >= 1
          ? { line: location.region.startLine }
          : {}),
        ...(location?.region?.startLine && location.region.startLine >= 1 && location.region.startColumn! >= 1
          ? { column: location.region.startColumn }
          : {}),
        ...(severity !== undefined ? { securitySeverity: severity } : {}),
        ...(snippet ? { snippet } : {}),
        ...suppression(result.suppressions, `${where}.suppressions`),
        absent: baselineState === 'absent',
        ...(baselineState !== undefined && baselineState !== 'absent' ? { baselineState } : {}),
        kind: kind ?? 'fail',
        ...(stated !== undefined && stated !== level ? { statedLevel: stated } : {}),
      });
    }
  }
  return results;
}

/** The rule a result names (§3.27.7): `rule`, its id and index defaulting to `ruleId` and `ruleIndex`. */
function referenceOf(result: Result): DescriptorReference {
  const id = result.rule?.id ?? result.ruleId;
  const index = result.rule?.index ?? result.ruleIndex;
  const component = result.rule?.toolComponent;
  return {
    ...(id !== undefined ? { id } : {}),
    ...(index !== undefined ? { index } : {}),
    ...(component ? { toolComponent: component } : {}),
  };
}

/**
 * §3.27.10's order for a result's level, pure: for a kind other than "fail", "none"; else its own; else the
 * run's override of its rule, the rule's default, and "warning". The override and the rule are read only
 * when reached, so a malformed value the resolution never reaches does not refuse the log.
 */
export function effectiveLevel(sources: {
  result: SarifLevel | undefined;
  kind: SarifResult['kind'] | undefined;
  override: () => SarifLevel | undefined;
  rule: () => SarifLevel | undefined;
}): { level: SarifLevel; source: SarifLevelSource } {
  // "If kind has any value other than "fail", then if level is absent, it SHALL default to "none", and if it
  // is present, it SHALL have the value "none"" (§3.27.10): a level only grades a failure. A passed check
  // that says "error" (a tool writing its rule's level on every outcome) is a passed check, not an error.
  if (sources.kind && sources.kind !== 'fail') return { level: 'none', source: 'kind' };
  if (sources.result) return { level: sources.result, source: 'result' };
  const override = sources.override();
  if (override) return { level: override, source: 'override' };
  const rule = sources.rule();
  if (rule) return { level: rule, source: 'rule' };
  return { level: 'warning', source: 'default' };
}

/** A run's rules, and its invocations' overrides of them once one is needed: each built once per run. */
interface RunRules {
  rules: RuleLookup<Rule>;
  overrides: Map<number, OverrideTable<Rule>>;
  step: LookupStep;
}

/**
 * The level the invocation that produced the result gave its rule (§3.20.5 ruleConfigurationOverrides,
 * §3.51): `provenance.invocationIndex` names the invocation; without it, a run's only invocation made every
 * result. An override naming no rule the log lists by index, or an invocation index past the list, is a
 * broken log and refused, as a ruleIndex naming no rule is.
 */
function overrideLevel(
  result: Result,
  rule: FoundRule<Rule> | undefined,
  run: Run,
  tables: RunRules,
  runWhere: string,
  where: string,
): SarifLevel | undefined {
  if (!rule) return undefined;
  const invocations = run.invocations ?? [];
  const named = result.provenance?.invocationIndex;
  let invocationIndex: number | undefined;
  if (named !== undefined && named >= 0) {
    if (named >= invocations.length) {
      throw new SarifReportError(
        `${where}.provenance.invocationIndex ${named} names no invocation (the run lists ${invocations.length}): the log is broken or cut short`,
      );
    }
    invocationIndex = named;
  } else if (invocations.length === 1) invocationIndex = 0;
  if (invocationIndex === undefined) return undefined;
  let table = tables.overrides.get(invocationIndex);
  if (!table) {
    const at = invocationIndex;
    table = new OverrideTable(
      invocations[at]!.ruleConfigurationOverrides ?? [],
      tables.rules,
      (overrideIndex) => `${runWhere}.invocations[${at}].ruleConfigurationOverrides[${overrideIndex}]`,
      tables.step,
    );
    tables.overrides.set(invocationIndex, table);
  }
  const override = table.levelOf(rule, result.rule?.id ?? result.ruleId);
  return override && checkEnum(override.level, LEVELS, override.where);
}

/**
 * §3.27.23, §3.35.3: a result is suppressed when it has suppressions and every one of them is accepted (a
 * status left out is accepted). One under review or rejected leaves the result open, whatever the others say:
 * an inSource suppression that a reviewer rejected externally is a finding again (the SARIF SDK reads it so).
 */
function suppression(
  suppressions: Array<{ status?: string }> | undefined,
  field: string,
): Pick<SarifResult, 'suppressed' | 'suppressionStatus'> {
  if (!suppressions || suppressions.length === 0) return { suppressed: false };
  const statuses = suppressions.map(
    (entry, index) =>
      checkEnum(entry.status, SUPPRESSION_STATUSES, `${field}[${index}].status`) ?? 'accepted',
  );
  const open = statuses.find((status) => status !== 'accepted');
  return open ? { suppressed: false, suppressionStatus: open } : { suppressed: true };
}

/** A value the spec enumerates must be one of them: "ERROR" is no level, and taken as none it would pass. */
function checkEnum<T extends string>(value: unknown, allowed: readonly T[], field: string): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new SarifReportError(
    `${field} is ${JSON.stringify(value)?.slice(0, 200)}, not one of ${allowed.map((v) => `"${v}"`).join(', ')} (SARIF 2.1.0)`,
  );
}

/** GitHub's `security-severity`: a number from 0.0 to 10.0, usually written as a string. */
function securitySeverity(
  properties: Record<string, unknown> | undefined,
  field: string,
): number | undefined {
  const value = properties?.['security-severity'];
  if (value === undefined) return undefined;
  const number =
    typeof value === 'string' && value.trim() !== ''
      ? Number(value)
      : typeof value === 'number'
        ? value
        : NaN;
  if (!Number.isFinite(number) || number < 0 || number > 10) {
    throw new SarifReportError(
      `${field}["security-severity"] is ${JSON.stringify(value)?.slice(0, 200)}: it must be a number from 0.0 to 10.0`,
    );
  }
  return number;
}

function repoPath(uri: string, baseId: string | undefined, run: Run, roots: string[], where: string): string {
  let absolute: string | undefined;
  const field = `${where}.physicalLocation.artifactLocation`;
  const base = baseId && !/^[a-z]+:/i.test(uri) ? baseOf(run, baseId, field) : undefined;
  let full: string;
  try {
    full = !base ? uri : base.absolute ? new URL(uri, base.uri).href : `${base.uri}${uri}`;
    if (full.startsWith('file:')) absolute = fileURLToPath(full);
    else if (isAbsolute(full)) absolute = full;
  } catch (error) {
    // new URL and fileURLToPath refuse what is no URI here (a bad base, a file: URL with a host).
    throw new SarifReportError(
      `${field}.uri ${JSON.stringify(uri.slice(0, 200))}${base ? ` (base ${JSON.stringify(base.uri.slice(0, 200))})` : ''} is not a usable URI: ${(error as Error).message}`,
    );
  }
  if (!absolute) return safeDecode(full).replace(/^\.\//, '');
  const inside = relativeToRoots(absolute, roots);
  if (inside !== undefined) return inside;
  // A relative uri against a base outside the repository (trivy's ROOTPATH "file:///") is taken as
  // relative to the scanned directory, the repository.
  if (base && !isAbsolute(uri)) return safeDecode(`${base.below}${uri}`).replace(/^\.\//, '');
  return absolute;
}

/**
 * What a uriBaseId stands for (§3.14.14): its originalUriBaseIds entry's uri, which may itself be relative to
 * another base (`"SRCROOT": {"uri": "src/", "uriBaseId": "REPOROOT"}`), and so on up to an absolute URI, or
 * to a base the log leaves unknown (no uri: the scanned directory, the repository). `uri` ends with "/";
 * `below`: the part of it below the outermost absolute base. A base the log does not list is unknown too;
 * bases naming each other in a loop are a broken log.
 */
function baseOf(
  run: Run,
  id: string,
  field: string,
): { uri: string; absolute: boolean; below: string } | undefined {
  const bases = run.originalUriBaseIds ?? {};
  let below = '';
  const seen: string[] = [];
  for (let at: string | undefined = id; at !== undefined;) {
    if (seen.includes(at)) {
      throw new SarifReportError(
        `${field}.uriBaseId ${JSON.stringify(id.slice(0, 200))}: the run's originalUriBaseIds name each other in a loop (${[...seen, at].map((name) => JSON.stringify(name.slice(0, 100))).join(' → ')})`,
      );
    }
    seen.push(at);
    const entry: { uri?: string; uriBaseId?: string } | undefined = Object.hasOwn(bases, at)
      ? bases[at]
      : undefined;
    if (entry?.uri === undefined) break;
    const own = entry.uri.endsWith('/') || entry.uri === '' ? entry.uri : `${entry.uri}/`;
    const unusable = (why: string) =>
      new SarifReportError(
        `${field}.uriBaseId ${JSON.stringify(id.slice(0, 100))}: its base ${JSON.stringify(at!.slice(0, 100))} in originalUriBaseIds, ${JSON.stringify(own.slice(0, 200))}, is not a usable URI: ${why}`,
      );
    if (/^[a-z]+:/i.test(own)) {
      try {
        return { uri: new URL(below, own).href, absolute: true, below };
      } catch (error) {
        throw unusable((error as Error).message);
      }
    }
    // A relative reference (RFC 3986 §4.2): what a URI may hold, no space or control character.
    if (!/^[\w\-.~!$&'()*+,;=:@/%]*$/.test(own))
      throw unusable('a relative reference holds no such character');
    below = `${own}${below}`;
    at = entry.uriBaseId;
  }
  return below === '' ? undefined : { uri: below, absolute: false, below };
}

/**
 * Where a result's artifactLocation points: its own uri, or (§3.4.5: with an index, the uri may be left out)
 * the run's artifacts[index]'s, its uriBaseId with it unless the result gives its own. An index naming no
 * artifact is a broken log, refused as a ruleIndex naming no rule is.
 */
function artifactOf(
  location: { uri?: string; uriBaseId?: string; index?: number } | undefined,
  run: Run,
  file: string,
  runIndex: number,
  where: string,
): { uri?: string; uriBaseId?: string } | undefined {
  if (!location || location.uri !== undefined || location.index === undefined || location.index < 0)
    return location;
  const artifacts = run.artifacts ?? [];
  if (location.index >= artifacts.length) {
    throw new SarifReportError(
      `${where}.physicalLocation.artifactLocation.index ${location.index} names no artifact (the run lists ${artifacts.length}): the log is broken or cut short`,
    );
  }
  const checked = artifactSchema.safeParse(artifacts[location.index]);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new SarifReportError(
      `${file}: ${jsonPath(['runs', runIndex, 'artifacts', location.index, ...issue.path])}: ${issue.message} (SARIF 2.1.0)`,
    );
  }
  const own = checked.data.location;
  const uriBaseId = location.uriBaseId ?? own?.uriBaseId;
  return { ...(own?.uri !== undefined ? { uri: own.uri } : {}), ...(uriBaseId ? { uriBaseId } : {}) };
}

/**
 * A result's message (§3.11): its text (or markdown); else, by its id, the rule's message string of that id
 * or the tool component's global one (§3.11.7); its {0}, {1}, … placeholders filled from its arguments, {{
 * and }} as braces (§3.11.5). A string the log does not have shows its id.
 */
function messageText(
  message: Result['message'],
  rule: FoundRule<Rule> | undefined,
  components: ReadonlyArray<z.output<typeof componentSchema>>,
): string {
  if (!message) return '';
  const id = message.id;
  const own = (strings: Record<string, { text?: string; markdown?: string }> | undefined) =>
    id !== undefined && strings && Object.hasOwn(strings, id)
      ? (strings[id]!.text ?? strings[id]!.markdown)
      : undefined;
  const template =
    message.text ??
    message.markdown ??
    own(rule?.rule?.messageStrings) ??
    own(components[rule?.component ?? 0]?.globalMessageStrings) ??
    own(components[0]?.globalMessageStrings);
  if (template === undefined) return id ?? '';
  const args = message.arguments;
  if (!args) return template;
  // Filled only as far as a finding shows: "{0}" a million times with a megabyte argument is a terabyte.
  let filled = '';
  let last = 0;
  for (const match of template.matchAll(/\{\{|\}\}|\{(\d+)\}/g)) {
    const index = match[1];
    filled +=
      template.slice(last, match.index) +
      (index === undefined ? match[0][0]! : (args[Number(index)] ?? match[0]));
    last = match.index + match[0].length;
    if (filled.length > MAX_FILLED) return filled.slice(0, MAX_FILLED);
  }
  return filled + template.slice(last);
}
/** What of a message with arguments is filled in: enough for its first line, MAX_MESSAGE of it shown. */
const MAX_FILLED = 64 * 1024;

/** The first line of a message that has any text: one that starts with a line break is not empty. */
function firstLine(text: string): string {
  return text.split(/\r\n|\r|\n/).find((line) => line.trim() !== '') ?? '';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const LEVELS: SarifLevel[] = ['none', 'note', 'warning', 'error'];
const KINDS: Array<SarifResult['kind']> = [
  'notApplicable',
  'pass',
  'fail',
  'review',
  'open',
  'informational',
];
/** Kinds that say the result is not a problem. */
const NOT_A_PROBLEM: ReadonlySet<string> = new Set(['pass', 'notApplicable', 'informational']);
const BASELINE_STATES = ['new', 'unchanged', 'updated', 'absent'] as const;
const SUPPRESSION_STATUSES = ['accepted', 'underReview', 'rejected'] as const;
/** After "level X" in a finding: where X came from, when not from the result itself. */
const LEVEL_SOURCE_NOTE: Record<SarifLevelSource, string> = {
  result: '',
  override: " from the run's override of its rule",
  rule: " from its rule's default",
  default: " by SARIF's default (none in the result or its rule)",
  kind: ' for a kind other than "fail"',
};
const MAX_FINDINGS = 1000;

/** After "level none for a kind other than "fail"": the level the result wrote, set aside by its kind. */
/**
 * The rule a finding names: its id, unless that id is only a number and the rule has a name. Psalm's SARIF
 * gives each rule its issue code as the id ("244") and the issue type as the name ("TaintedSql"); the
 * number alone says nothing to a reader. Other ids stay as the tool wrote them (Trivy's names are
 * categories, "OsPackageVulnerability", not the CVE the id is).
 */
function shownRule(result: SarifResult): string {
  const name = result.ruleName;
  return name !== undefined && /^\d+$/.test(result.ruleId) && /^[A-Za-z][\w.:/-]{0,99}$/.test(name)
    ? name
    : result.ruleId;
}

function statedNote(result: SarifResult): string {
  if (result.statedLevel === undefined) return '';
  return ` (kind "${result.kind}"; its level "${result.statedLevel}" applies only to kind "fail", SARIF 2.1.0 §3.27.10)`;
}

export const sarifGate: Gate<SarifConfig> = {
  name: 'sarif',
  schema: sarifConfigSchema,
  run: runSarifGate,
};

async function runSarifGate(config: SarifConfig, ctx: GateContext): Promise<GateVerdict> {
  const patterns = toList(config.files);
  const files = await matchFiles(patterns, ctx.cwd);
  if (files.length === 0) {
    return {
      status: 'block',
      summary: `no SARIF file matched ${patterns.join(', ')} in ${ctx.cwd}`,
      findings: [],
    };
  }
  const minLevel = LEVELS.indexOf(config.level ?? 'error');
  const minSeverity = config.security_severity ?? 7;
  const blocking: Finding[] = [];
  const others: Finding[] = [];
  // Results, counted as the log lists them; alike ones share one finding (below).
  let blockingResults = 0;
  let otherResults = 0;
  /**
   * Results alike in all a finding shows (rule, place, level, message) are one finding that counts them:
   * Snyk Open Source writes one result per dependency path that brings a vulnerable package in, all at
   * package.json:1 with the same text, so hoek on 4 paths was 4 findings no reader could tell apart.
   */
  const alike = new Map<string, { finding: Finding; count: number }>();
  let suppressed = 0;
  let absent = 0;
  const turns = new Turns(ctx.signal);
  for (const file of files) {
    const read = await readReportFile(ctx.cwd, file, repositoryRoots(ctx), 'SARIF file');
    if (!read.ok) return { status: 'block', summary: read.message, findings: [] };
    let results: SarifResult[];
    try {
      results = await readSarif(read.text, file, repositoryRoots(ctx), turns);
    } catch (error) {
      if (error instanceof SarifReportError) return { status: 'block', summary: error.message, findings: [] };
      throw error;
    }
    for (const result of results) {
      const turn = turns.take();
      if (turn) await turn;
      if (result.suppressed) {
        suppressed++;
        continue;
      }
      // Fixed since the baseline: listed by the tool, but no longer in the code.
      if (result.absent) {
        absent++;
        continue;
      }
      const byLevel = LEVELS.indexOf(result.level) >= minLevel && result.level !== 'none';
      // A passed or not-applicable check of a severe rule is not a severe finding.
      const bySeverity =
        result.securitySeverity !== undefined &&
        result.securitySeverity >= minSeverity &&
        !NOT_A_PROBLEM.has(result.kind);
      // The effective level is always shown, and where it came from when the result did not say it: a
      // result without a level (gitleaks, Bandit) reads "warning" by SARIF's rule, below the default threshold.
      const shown = [
        shownRule(result) !== result.ruleId ? `rule id ${result.ruleId}` : '',
        `level ${result.level}${LEVEL_SOURCE_NOTE[result.levelSource]}${statedNote(result)}`,
        bySeverity ? `security-severity ${result.securitySeverity}` : '',
        result.suppressionStatus
          ? `its suppression is ${result.suppressionStatus === 'rejected' ? 'rejected' : 'under review'}`
          : '',
        // A result already in the baseline is still in the code; saying so tells an old finding from a new one.
        result.baselineState ? `${result.baselineState} since the baseline` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const finding: Finding = {
        ...(result.path ? { path: result.path } : {}),
        ...(result.line ? { line: result.line } : {}),
        ...(result.column ? { column: result.column } : {}),
        rule: shownRule(result),
        // A tool may quote what it matched (semgrep's $X in a message): no secret reaches a finding.
        message: `${result.tool}: ${redactReported(result.message, [result.snippet])} (${shown})`,
        severity: byLevel || bySeverity ? 'error' : result.level === 'warning' ? 'warning' : 'notice',
      };
      if (byLevel || bySeverity) blockingResults++;
      else otherResults++;
      const key = JSON.stringify([
        finding.rule,
        finding.path,
        finding.line,
        finding.column,
        finding.severity,
        finding.message,
      ]);
      const seen = alike.get(key);
      if (seen) {
        seen.count++;
        continue;
      }
      alike.set(key, { finding, count: 1 });
      (byLevel || bySeverity ? blocking : others).push(finding);
    }
  }
  for (const { finding, count } of alike.values()) {
    // The message ends with the "(level …)" note: the count joins it.
    if (count > 1) finding.message = `${finding.message.slice(0, -1)}, ${count} identical results)`;
  }
  const findings = [...blocking, ...others];
  const shown = findings.slice(0, MAX_FINDINGS);
  const where = `${files.length} SARIF file${files.length === 1 ? '' : 's'}`;
  const extra = [
    otherResults ? `${otherResults} below the thresholds` : '',
    suppressed ? `${suppressed} suppressed` : '',
    absent ? `${absent} fixed since the baseline` : '',
    findings.length > MAX_FINDINGS ? `first ${MAX_FINDINGS} listed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const tail = extra ? ` (${extra})` : '';
  if (blockingResults > 0) {
    return {
      status: 'block',
      summary: `${blockingResults} blocking result(s) in ${where}${tail}`,
      findings: shown,
    };
  }
  return { status: 'pass', summary: `no blocking results in ${where}${tail}`, findings: shown };
}
