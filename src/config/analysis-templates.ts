// The analysis section's templates (prober URLs, PromQL queries, metric commands) are rendered only while a
// rollout is analysed: a variable the analyzer never sets, a metric command a value could run as code or that
// does not split into arguments, or a prober URL that is no http(s) URL would fail every interval and roll
// every deployment back. Refused with the config instead, at the field; what depends on a value's text stays
// checked when it is rendered.
import type { AnalysisConfigInput } from '../analysis/schema.ts';
import { readMetrics, resolveAnalysisConfig } from '../analysis/config.ts';
import { ANALYSIS_TEMPLATE_VARIABLES } from './analysis-template-variables.ts';
import { splitCommand } from '../targets/command-line.ts';
import { commandChecks, type CommandChecks } from './command-checks.ts';
import { placeholders } from '../targets/template.ts';
import { malformedTemplateIssues } from './malformed-template.ts';
import { HTTP_URL, HTTP_URL_MESSAGE } from './http-url.ts';
import { didYouMean, listOf } from './suggest.ts';
import type { WindowVariable } from './analysis-windows.ts';

type Path = (string | number)[];

export interface AnalysisTemplateIssue {
  path: Path;
  message: string;
  /**
   * A variable the analyzer knows that has no value where this environment renders it: `no-slot` ({{slot}}
   * with a strategy without slots), `unset-in-window` (one only some windows set, in a window that runs).
   */
  code?: 'no-slot' | 'unset-in-window';
  /** The variable, with a code. */
  variable?: string;
}

/** The environment the section is checked for: what has a value in its analysis. */
export interface AnalysisUser {
  name: string;
  /** A canary with baseline: fresh, the one strategy that sets {{baseline_slot}}. */
  freshBaseline: boolean;
  /** A canary (or unknown, as for an analysis no environment uses): the one strategy that renders a stable side. */
  canary: boolean;
  /**
   * Its strategy when it has no slots (direct, rolling): {{slot}} has no value in its windows. Undefined for
   * blue-green and canary, and for an analysis no environment uses.
   */
  slotless?: 'direct' | 'rolling';
  /** It uses the top-level analysis (it has none of its own). */
  shared?: boolean;
  /**
   * The variables a window this environment runs leaves without a value, each with that window
   * (analysis-windows.ts): its `url`, `query` and `run` are read in every window. Undefined: not known.
   */
  unsetIn?: Partial<Record<WindowVariable, string>>;
  /** The environment's own "variables": its commands get them, its analysis does not. */
  variables: readonly string[];
}

/** A strategy without slots, as AnalysisUser.slotless names it; undefined for one with slots. */
export function slotlessStrategy(type: string): AnalysisUser['slotless'] {
  return type === 'direct' || type === 'rolling' ? type : undefined;
}

const KNOWN: readonly string[] = ANALYSIS_TEMPLATE_VARIABLES;
const TAKES = `they take ${listOf(
  KNOWN.map((name) => `{{${name}}}`),
  'and',
)} (with a canary's baseline: fresh)`;

/** Every template of `analysis` (at `path`) checked for `user`, the environment that analyses with it. */
export function analysisTemplateIssues(
  analysis: AnalysisConfigInput,
  path: Path,
  user: AnalysisUser,
  checks: CommandChecks = commandChecks(),
): AnalysisTemplateIssue[] {
  return userIssues(sectionTemplates(analysis, checks), path, user, true);
}

/**
 * analysisTemplateIssues for the environments of one validation: what does not depend on the environment (a
 * section's templates, their variables and syntax, its URLs and commands, the metrics its checks read) is
 * worked out once per section, and said once per section and path. A top-level analysis shared by every
 * environment was parsed and walked again for each of them: 2,000 environments and 1,000 metrics took 12 s,
 * 5,000 and 2,000 over a minute. One cache per validation, as commandChecks: nothing outlives its config.
 */
export interface AnalysisChecks {
  /**
   * The issues analysisTemplateIssues finds, but those that do not depend on the environment only at the first
   * call for this section at this path (the caller keeps every issue once).
   */
  issues(analysis: AnalysisConfigInput, path: Path, user: AnalysisUser): AnalysisTemplateIssue[];
}

export function analysisChecks(checks: CommandChecks = commandChecks()): AnalysisChecks {
  // By object: a YAML alias makes one section the analysis of several environments, each at its own path.
  const sections = new Map<AnalysisConfigInput, { templates: SectionTemplates; said: Set<string> }>();
  return {
    issues(analysis, path, user) {
      let section = sections.get(analysis);
      if (!section) {
        section = { templates: sectionTemplates(analysis, checks), said: new Set() };
        sections.set(analysis, section);
      }
      const at = JSON.stringify(path);
      const first = !section.said.has(at);
      section.said.add(at);
      return userIssues(section.templates, path, user, first);
    },
  };
}

/** One template (or a URL or command refused before it is one), its path relative to the section's. */
interface TemplateSite {
  /** Its place in SectionTemplates.sites. */
  index: number;
  at: Path;
  /** What is wrong whatever the environment: its syntax, a URL that is no http(s) URL, a command's problems. */
  fixed: Array<{ at: Path; message: string }>;
  /** Its variables, once each, in order, by their key in SectionTemplates.uses. */
  uses: string[];
}

/** A section's templates, in the order they are checked, and where each variable is used. */
interface SectionTemplates {
  sites: TemplateSite[];
  /** By variable and Where: the variable, its Where, and the sites using it (in order). */
  uses: Map<string, { name: string; where: Where; sites: number[] }>;
}

function sectionTemplates(analysis: AnalysisConfigInput, checks: CommandChecks): SectionTemplates {
  const read = readParts(analysis);
  const sites: TemplateSite[] = [];
  const uses: SectionTemplates['uses'] = new Map();
  const site = (): TemplateSite => {
    const made: TemplateSite = { index: sites.length, at: [], fixed: [], uses: [] };
    sites.push(made);
    return made;
  };
  const fixed = (into: TemplateSite, at: Path, message: string) => into.fixed.push({ at, message });
  // `stable`: a stable side's field (stable_url, stable_query), rendered only in a canary's side-by-side steps.
  // `rendered`: a metric some check reads, or its provider; `run`: a metric command's, run for either side.
  const template = (into: TemplateSite, text: string, at: Path, where: Where) => {
    into.at = at;
    for (const issue of malformedTemplateIssues(text, at, (name) => KNOWN.includes(name)))
      fixed(into, issue.path, issue.message);
    for (const name of new Set(placeholders(text))) {
      const key = `${name}\0${where.stable ? 1 : 0}${where.rendered ? 1 : 0}${where.run ? 1 : 0}`;
      let use = uses.get(key);
      if (!use) {
        use = { name, where, sites: [] };
        uses.set(key, use);
      }
      use.sites.push(into.index);
      into.uses.push(key);
    }
  };
  for (const [name, provider] of Object.entries(analysis.providers ?? {})) {
    const at = ['providers', name];
    const rendered = read.providers(name);
    if (provider.type === 'http') {
      for (const key of ['url', 'stable_url'] as const) {
        const url = provider[key];
        if (url === undefined) continue;
        const here = site();
        if (!HTTP_URL.test(url)) fixed(here, [...at, key], HTTP_URL_MESSAGE);
        else template(here, url, [...at, key], { stable: key === 'stable_url', rendered });
      }
    } else if (provider.type === 'command' || provider.type === 'logs') {
      const runAt = [...at, 'run'];
      const run = provider.run;
      const where = { rendered, run: true };
      if (typeof run === 'string') {
        // Read as the provider reads it (providers/command.ts): split without a shell, then checked as argv.
        const here = site();
        const split = splitCommand(run);
        if (!split.ok) fixed(here, runAt, withoutShellOption(split.message));
        else for (const message of checks.argvProblems(split.argv)) fixed(here, runAt, message);
        template(here, run, runAt, where);
      } else {
        const command = site();
        for (const message of checks.argvProblems(run)) fixed(command, runAt, message);
        run.forEach((arg, index) => template(site(), arg, [...runAt, index], where));
      }
    }
  }
  for (const [name, metric] of Object.entries(analysis.metrics ?? {}))
    for (const key of ['query', 'stable_query'] as const) {
      const query = metric[key];
      if (query !== undefined)
        template(site(), query, ['metrics', name, key], {
          stable: key === 'stable_query',
          rendered: read.metrics(name),
        });
    }
  return { sites, uses };
}

/**
 * The issues of a section's templates for `user`, at `path`: with `fixed`, each site's environment-independent
 * ones too, in the order the templates are written. Without, only the sites using a variable that has no value
 * for `user` are visited, so an environment costs its variables' kinds and its issues, not the section's size.
 */
function userIssues(
  section: SectionTemplates,
  path: Path,
  user: AnalysisUser,
  fixed: boolean,
): AnalysisTemplateIssue[] {
  const problems = new Map<string, Omit<AnalysisTemplateIssue, 'path'>>();
  const visited = new Set<number>();
  for (const [key, use] of section.uses) {
    // An environment that is no canary never renders the stable side of an analysis it shares.
    if (use.where.stable && !user.canary) continue;
    const problem = variableProblem(use.name, user, use.where);
    if (!problem) continue;
    problems.set(key, problem);
    if (!fixed) for (const index of use.sites) visited.add(index);
  }
  const indexes = fixed ? section.sites.keys() : [...visited].sort((a, b) => a - b);
  const issues: AnalysisTemplateIssue[] = [];
  for (const index of indexes) {
    const site = section.sites[index]!;
    if (fixed) for (const { at, message } of site.fixed) issues.push({ path: [...path, ...at], message });
    for (const key of site.uses) {
      const problem = problems.get(key);
      if (problem) issues.push({ path: [...path, ...site.at], ...problem });
    }
  }
  return issues;
}

/** Where a template is: see analysisTemplateIssues. */
interface Where {
  stable?: boolean;
  rendered: boolean;
  run?: boolean;
}

/**
 * The metrics the analyzer reads (those a check reads, its own or the seeds preset's: analysis/analyzer.ts)
 * and their providers. A template of any other is never rendered, so no variable lacks a value there. All of
 * them when the section does not resolve (the load says why).
 */
function readParts(analysis: AnalysisConfigInput): {
  metrics: (name: string) => boolean;
  providers: (name: string) => boolean;
} {
  let metrics: Set<string>;
  try {
    metrics = new Set(resolveAnalysisConfig(analysis).checks.flatMap(readMetrics));
  } catch {
    return { metrics: () => true, providers: () => true };
  }
  const providers = new Set(
    [...metrics].flatMap((name) => {
      const metric = analysis.metrics?.[name];
      return metric && Object.hasOwn(analysis.metrics!, name) ? [metric.provider] : [];
    }),
  );
  return { metrics: (name) => metrics.has(name), providers: (name) => providers.has(name) };
}

/** A metrics command has no "shell" option (providers/command.ts runs it without one): what to do instead. */
function withoutShellOption(message: string): string {
  return message.replace(
    'set "shell: true" for this command, or write it as an argv list',
    'a metrics command runs without one, so write it as an argv list, or move the pipeline into a script',
  );
}

/** Why `{{name}}` would have no value when `user`'s analysis renders it, if it would not. */
function variableProblem(
  name: string,
  user: AnalysisUser,
  where: Where,
): Omit<AnalysisTemplateIssue, 'path'> | undefined {
  const problem = (message: string) => ({ message });
  // A template no check reads is never rendered: each known variable is as good as another there.
  if (!where.rendered && KNOWN.includes(name)) return undefined;
  if (name === 'baseline_slot' && !user.freshBaseline)
    return problem(
      `{{baseline_slot}} has no value in environment "${user.name}": it is set by the canary strategy with baseline: fresh`,
    );
  // Set by the strategies with slots only: each window of a direct or rolling environment failed on it and
  // rolled the release back (the monitor window at the latest). One that runs no window (monitor: 0, no
  // watched batch, no validation_window) renders it nowhere: every window there leaves all of unsetIn unset.
  const windowless = user.unsetIn !== undefined && Object.keys(user.unsetIn).length === 0;
  if (name === 'slot' && user.slotless && !windowless)
    return {
      code: 'no-slot',
      variable: name,
      message:
        `{{slot}} has no value in environment "${user.name}": a ${user.slotless} environment has no slots (blue-green ` +
        'and canary set {{slot}}), so every analysis window there would fail and roll the release back; give ' +
        `environment "${user.name}" an analysis of its own without {{slot}} (select by {{version}} or {{environment}})` +
        (user.shared ? ', or move the top-level analysis into the environments with slots' : ''),
    };
  // The stable side is read in a canary's steps below 100 % only, where each of these has a value.
  const window = where.stable ? undefined : user.unsetIn?.[name as WindowVariable];
  if (window !== undefined)
    return {
      code: 'unset-in-window',
      variable: name,
      message:
        `{{${name}}} has no value in ${window} of environment "${user.name}": ${SET_WHERE[name as WindowVariable]}, ` +
        `so that window would fail at every interval and roll the release back; ${instead(name as WindowVariable, user, where.run === true)}` +
        (user.shared
          ? `, or give environment "${user.name}" an analysis of its own without {{${name}}}`
          : ''),
    };
  if (KNOWN.includes(name)) return undefined;
  if (user.variables.includes(name))
    return problem(
      `{{${name}}} is one of the environment's "variables", which analysis templates are not given: ${TAKES}`,
    );
  const meant = didYouMean(name, KNOWN, (v) => `{{${v}}}`);
  return problem(
    meant
      ? `unknown template variable {{${name}}}${meant}`
      : `{{${name}}} has no value in analysis templates: ${TAKES}`,
  );
}

/** Where the analyzer sets each of the variables only some windows have (pipeline/metrics-analyzer.ts). */
const SET_WHERE: Record<WindowVariable, string> = {
  stable_version:
    "it is set only in a canary's steps below 100 %, where the stable version serves beside the canary",
  stable_slot:
    "it is set only in a canary's steps below 100 %, where the stable slot serves beside the canary",
  baseline_slot:
    "it is set only in a canary's steps below 100 %, where the fresh baseline serves beside the canary",
  weight: "it is a canary step's traffic share, set in canary steps only",
};

/**
 * What to write instead, in a template read in every window. A metric command (`run`) has no stable_ field:
 * it runs for each side, with that side's {{version}} and {{slot}}. An environment that is no canary reads no
 * stable side at all, and one without slots has no {{slot}} to select by.
 */
function instead(name: WindowVariable, user: AnalysisUser, run: boolean): string {
  if (name === 'weight') return INSTEAD.weight;
  if (!user.canary)
    return name === 'stable_version' || user.slotless
      ? `select by {{version}}, the new version (a ${user.slotless ?? 'blue-green'} environment reads no stable side: only a canary's steps do)`
      : "select by {{slot}}, the new slot (a blue-green environment reads no stable side: only a canary's steps do)";
  if (!run) return INSTEAD[name];
  return name === 'stable_version'
    ? 'select by {{version}} (in those steps the command runs for the stable side too, {{version}} then the stable version)'
    : name === 'stable_slot'
      ? 'select by {{slot}} (in those steps the command runs for the stable side too, {{slot}} then the stable slot)'
      : "select by {{slot}} (in those steps the command runs for the side compared with too, {{slot}} then the baseline's slot)";
}

const INSTEAD: Record<WindowVariable, string> = {
  stable_version:
    'select by {{version}} (in those steps the stable side is read with the same template, {{version}} then ' +
    'the stable version), or use {{stable_version}} in a stable_query or stable_url, read in those steps only',
  stable_slot:
    'select by {{slot}} (in those steps the stable side is read with the same template, {{slot}} then the ' +
    'stable slot), or use {{stable_slot}} in a stable_query or stable_url, read in those steps only',
  baseline_slot:
    'select by {{slot}} (in those steps the side compared with is read with the same template, {{slot}} then ' +
    "the baseline's slot), or use {{baseline_slot}} in a stable_query or stable_url, read in those steps only",
  weight: 'leave it out of the analysis (a rate selected by {{version}} does not depend on the share)',
};

/**
 * The first template that needs the stable version in a canary's steps below 100 %: one the stable side reads
 * with {{version}} (its `stable_url` or `url`, `stable_query` or `query`, a metric command), or {{stable_version}}
 * in one. Without a known stable version (a live slot whose version nothing names) it has no value there.
 */
export function stableVersionUse(
  analysis: AnalysisConfigInput,
  path: Path,
): { path: Path; variable: 'version' | 'stable_version' } | undefined {
  // `stable`: read for the stable side, where {{version}} is the stable version too.
  const uses = (text: string | undefined, at: Path, stable: boolean) => {
    const names = text === undefined ? [] : placeholders(text);
    if (stable && names.includes('version')) return { path: at, variable: 'version' } as const;
    if (names.includes('stable_version')) return { path: at, variable: 'stable_version' } as const;
    return undefined;
  };
  // A field read for the canary and, without a stable_ one, for the stable side too.
  const pair = (
    at: Path,
    key: string,
    own: string | undefined,
    stableKey: string,
    stable: string | undefined,
  ) =>
    stable === undefined
      ? uses(own, [...at, key], true)
      : (uses(stable, [...at, stableKey], true) ?? uses(own, [...at, key], false));
  // A metric no check reads, and a provider of none that is read, are never asked.
  const read = readParts(analysis);
  for (const [name, provider] of Object.entries(analysis.providers ?? {})) {
    if (!read.providers(name)) continue;
    const at = [...path, 'providers', name];
    let found;
    if (provider.type === 'http') found = pair(at, 'url', provider.url, 'stable_url', provider.stable_url);
    else if (provider.type === 'command' || provider.type === 'logs') {
      const run = provider.run;
      found =
        typeof run === 'string'
          ? uses(run, [...at, 'run'], true)
          : run.map((arg, index) => uses(arg, [...at, 'run', index], true)).find((use) => use !== undefined);
    }
    if (found) return found;
  }
  for (const [name, metric] of Object.entries(analysis.metrics ?? {})) {
    if (!read.metrics(name)) continue;
    const found = pair(
      [...path, 'metrics', name],
      'query',
      metric.query,
      'stable_query',
      metric.stable_query,
    );
    if (found) return found;
  }
  return undefined;
}
