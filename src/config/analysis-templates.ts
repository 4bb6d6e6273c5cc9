// The analysis section's templates (prober URLs, PromQL queries, metric commands) are rendered only while a
// rollout is analysed: a variable the analyzer never sets, a metric command a value could run as code or that
// does not split into arguments, or a prober URL that is no http(s) URL would fail every interval and roll
// every deployment back. Refused with the config instead, at the field; what depends on a value's text stays
// checked when it is rendered.
import type { AnalysisConfigInput } from '../analysis/schema.ts';
import { ANALYSIS_TEMPLATE_VARIABLES } from './analysis-template-variables.ts';
import { splitCommand } from '../targets/command-line.ts';
import { commandChecks, type CommandChecks } from './command-checks.ts';
import { placeholders } from '../targets/template.ts';
import { malformedTemplateIssues } from './malformed-template.ts';
import { HTTP_URL, HTTP_URL_MESSAGE } from './http-url.ts';
import { didYouMean, listOf } from './suggest.ts';

type Path = (string | number)[];

export interface AnalysisTemplateIssue {
  path: Path;
  message: string;
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
  const issues: AnalysisTemplateIssue[] = [];
  // `stable`: a stable side's field (stable_url, stable_query), rendered only in a canary's side-by-side steps.
  const template = (text: string, at: Path, stable = false) => {
    issues.push(...malformedTemplateIssues(text, at, (name) => KNOWN.includes(name)));
    for (const name of new Set(placeholders(text))) {
      // An environment that is no canary never renders the stable side of an analysis it shares.
      if (stable && !user.canary) continue;
      const problem = variableProblem(name, user);
      if (problem) issues.push({ path: at, message: problem });
    }
  };
  for (const [name, provider] of Object.entries(analysis.providers ?? {})) {
    const at = [...path, 'providers', name];
    if (provider.type === 'http') {
      for (const key of ['url', 'stable_url'] as const) {
        const url = provider[key];
        if (url === undefined) continue;
        if (!HTTP_URL.test(url)) issues.push({ path: [...at, key], message: HTTP_URL_MESSAGE });
        else template(url, [...at, key], key === 'stable_url');
      }
    } else if (provider.type === 'command' || provider.type === 'logs') {
      const runAt = [...at, 'run'];
      const run = provider.run;
      if (typeof run === 'string') {
        // Read as the provider reads it (providers/command.ts): split without a shell, then checked as argv.
        const split = splitCommand(run);
        if (!split.ok) issues.push({ path: runAt, message: withoutShellOption(split.message) });
        else issues.push(...checks.argvProblems(split.argv).map((message) => ({ path: runAt, message })));
        template(run, runAt);
      } else {
        issues.push(...checks.argvProblems(run).map((message) => ({ path: runAt, message })));
        run.forEach((arg, index) => template(arg, [...runAt, index]));
      }
    }
  }
  for (const [name, metric] of Object.entries(analysis.metrics ?? {}))
    for (const key of ['query', 'stable_query'] as const) {
      const query = metric[key];
      if (query !== undefined) template(query, [...path, 'metrics', name, key], key === 'stable_query');
    }
  return issues;
}

/** A metrics command has no "shell" option (providers/command.ts runs it without one): what to do instead. */
function withoutShellOption(message: string): string {
  return message.replace(
    'set "shell: true" for this command, or write it as an argv list',
    'a metrics command runs without one, so write it as an argv list, or move the pipeline into a script',
  );
}

/** Why `{{name}}` would have no value when `user`'s analysis renders it, if it would not. */
function variableProblem(name: string, user: AnalysisUser): string | undefined {
  if (name === 'baseline_slot')
    return user.freshBaseline
      ? undefined
      : `{{baseline_slot}} has no value in environment "${user.name}": it is set by the canary strategy with baseline: fresh`;
  // Set by the strategies with slots only: each window of a direct or rolling environment failed on it and
  // rolled the release back (the monitor window at the latest).
  if (name === 'slot' && user.slotless)
    return (
      `{{slot}} has no value in environment "${user.name}": a ${user.slotless} environment has no slots (blue-green ` +
      'and canary set {{slot}}), so every analysis window there would fail and roll the release back; give ' +
      `environment "${user.name}" an analysis of its own without {{slot}} (select by {{version}} or {{environment}})` +
      (user.shared ? ', or move the top-level analysis into the environments with slots' : '')
    );
  if (KNOWN.includes(name)) return undefined;
  if (user.variables.includes(name))
    return `{{${name}}} is one of the environment's "variables", which analysis templates are not given: ${TAKES}`;
  const meant = didYouMean(name, KNOWN, (v) => `{{${v}}}`);
  return meant
    ? `unknown template variable {{${name}}}${meant}`
    : `{{${name}}} has no value in analysis templates: ${TAKES}`;
}
