// Turns the `approvals:` sections of a validated config into the policy of one environment: the
// environment's section overrides the top-level one key by key (hotfix and rollback key by key too), freezes
// add up, and every default is applied here so the evaluation never has to guess.
import { isProductionEnvironment } from '../config/resolve.ts';
import type { RawConfig } from '../config/schema.ts';
import { unknownEnvironmentMessage } from '../config/suggest.ts';
import { timeZoneProblem, type ApprovalsConfig } from './schema.ts';
import {
  canonicalTimeZone,
  isValidTimeZone,
  parseClockTime,
  parseDateTime,
  type DeployWindow,
  type Freeze,
} from './windows.ts';

/** A user login or an `org/team` slug, lower-cased (GitHub compares both case-insensitively). */
export type Principal = string;

export interface ApprovalRule {
  /** Empty: anyone with write permission. With groups, their members are in it. */
  approvers: Principal[];
  required: number;
  /**
   * Besides `required` in all, each group needs `required` of the counted approvals from its members (a
   * person in two groups counts for both). Absent: none.
   */
  groups?: ApprovalGroup[];
}

export interface ApprovalGroup {
  /** The label written in the config, named in replies. */
  name: string;
  /** Never empty. */
  approvers: Principal[];
  required: number;
}

export interface Policy {
  environment: string;
  production: boolean;
  /** Empty: anyone with write permission. */
  deployers: Principal[];
  approvers: Principal[];
  required: number;
  /** Absent: none. */
  groups?: ApprovalGroup[];
  allowSelfApproval: boolean;
  /** Undefined: approvals never expire. */
  expiresAfterMs: number | undefined;
  requires: string[];
  /** Checks that must have passed: by name, and by the app that posts them when the config says. */
  requiredChecks: RequiredCheck[];
  /** Globs of the tags a deployed commit must carry one of (release_tags). Empty: any commit. */
  releaseTags: string[];
  timezone: string;
  /** Empty: any time. */
  windows: DeployWindow[];
  freezes: Freeze[];
  hotfix: ApprovalRule & { bypassWindows: boolean; bypassFreezes: boolean; requiresReason: boolean };
  rollback: ApprovalRule & { bypassWindows: boolean; bypassFreezes: boolean };
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

export function normalizePrincipal(name: string): Principal {
  return name.replace(/^@/, '').toLowerCase();
}

export function isTeam(principal: Principal): boolean {
  return principal.includes('/');
}

function principalsOf(list: readonly string[] | undefined): Principal[] {
  return [...new Set((list ?? []).map(normalizePrincipal))];
}

function groupsOf(list: ApprovalsConfig['groups']): ApprovalGroup[] {
  return (list ?? []).map((group) => ({
    name: group.name,
    approvers: principalsOf(group.approvers),
    required: group.required ?? 1,
  }));
}

/**
 * A rule's approvers once it has groups: its own list plus every group's members (groups admit their members;
 * with groups and no list, only their members approve, not anyone with write permission).
 */
function withGroups(approvers: Principal[], groups: ApprovalGroup[]): Principal[] {
  if (groups.length === 0) return approvers;
  return [...new Set([...approvers, ...groups.flatMap((group) => group.approvers)])];
}

/**
 * A rule's count is at least its largest group's: that changes no decision (a group's approvals are counted
 * approvals), but a count of 0 reads as "no approval needed", and the App then skips reading who pushed
 * to the pull request, whose approval for a group would be a self-approval.
 */
function atLeastGroups(required: number, groups: ApprovalGroup[]): number {
  return Math.max(required, ...groups.map((group) => group.required));
}

/** `groups` on a rule only when it has some, so a policy without groups reads as before. */
const groupsField = (groups: ApprovalGroup[]) => (groups.length > 0 ? { groups } : {});

/**
 * The policy for `environment`. Throws PolicyError for an environment the config does not define, or for
 * cross-references the schema cannot check (see policyIssues, which reports them with their path).
 */
export function resolvePolicy(config: RawConfig, environment: string): Policy {
  const env = config.environments[environment];
  if (!env || !Object.hasOwn(config.environments, environment))
    throw new PolicyError(unknownEnvironmentMessage(environment, Object.keys(config.environments)));
  const problems = policyIssues(config).filter(
    (issue) => issue.path[0] === 'approvals' || issue.path[1] === environment,
  );
  if (problems.length > 0)
    throw new PolicyError(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));

  const top: ApprovalsConfig = config.approvals ?? {};
  const own: ApprovalsConfig = env.approvals ?? {};
  const pick = <K extends keyof ApprovalsConfig>(key: K): ApprovalsConfig[K] => own[key] ?? top[key];
  const production = isProductionEnvironment(environment, env.production);
  const timezone = canonicalTimeZone(pick('timezone') ?? 'UTC')!;
  const rules = mergedRules(config, environment);
  const hotfix = { ...top.hotfix, ...own.hotfix };
  const rollback = { ...top.rollback, ...own.rollback };
  const hotfixRule = ruleOf(rules.hotfixes);
  // The top level's `requires` is for the environments it does not name: `requires: staging` there means
  // "staging first" for every other environment, not that staging waits for itself (which never happens).
  const requires = own.requires ?? [top.requires ?? []].flat().filter((name) => name !== environment);

  return {
    environment,
    production,
    deployers: principalsOf(pick('deployers')),
    ...ruleOf(rules.deployments),
    allowSelfApproval: pick('allow_self_approval') ?? false,
    expiresAfterMs: pick('expires_after') || undefined,
    requires: [...new Set([requires].flat())],
    requiredChecks: uniqueChecks(pick('required_checks') ?? []),
    releaseTags: [...new Set(pick('release_tags') ?? [])],
    timezone,
    windows: (pick('windows') ?? []).map((window) => ({
      days: [...new Set(window.days)],
      startMinute: parseClockTime(window.start)!,
      endMinute: parseClockTime(window.end)!,
    })),
    // A freeze written without an offset is read in the time zone of the section it is written in.
    freezes: [
      ...freezesOf(top.freezes, canonicalTimeZone(top.timezone ?? 'UTC')!),
      ...freezesOf(own.freezes, timezone),
    ],
    hotfix: {
      ...hotfixRule,
      // An override of the windows needs its own approvers or groups (or saying so): else --hotfix would be
      // a way around the windows with the normal approvals. And they must be asked: with none required
      // (`required: 0`, written or inherited), --hotfix would be a way around the windows with no approval.
      bypassWindows:
        hotfix.bypass_windows ??
        ((hotfix.approvers !== undefined || (hotfix.groups?.length ?? 0) > 0) && hotfixRule.required > 0),
      bypassFreezes: hotfix.bypass_freezes ?? false,
      requiresReason: hotfix.requires_reason ?? true,
    },
    rollback: {
      ...ruleOf(rules.rollbacks),
      bypassWindows: rollback.bypass_windows ?? true,
      bypassFreezes: rollback.bypass_freezes ?? true,
    },
  };
}

type Path = (string | number)[];

/** A value of an approvals section, with where it is written (the environment's section or the top level). */
interface Written<T> {
  value: T;
  path: Path;
}

/**
 * One approval rule of an environment as its sections merge into it, with where each part is written: the one
 * merge resolvePolicy builds the policy from and mergedRuleIssues judges, so that what is inherited cannot
 * differ between the policy and the check of the policy.
 */
interface MergedRule {
  /** The rule's own approvers list, else the one it inherits, as written (no groups); undefined: none. */
  list?: Written<string[]>;
  /**
   * Who may approve: that list (the normal rule's approvers with their groups' members, for a rule that
   * inherits them) plus the rule's groups' members; said where the list is written, else where the groups
   * are. Undefined: nobody is listed, so anyone with write permission approves.
   */
  approvers?: Written<Principal[]>;
  /** As written or inherited, before the groups raise it; no path: the default. */
  required: { value: number; path?: Path };
  groups?: Written<ApprovalGroup[]>;
  /** A hotfix rule that writes nothing of its own: the normal rule, whose problems are said for it. */
  inherited?: true;
}

/**
 * The environment's section over the top level, key by key (hotfix and rollback key by key too). A hotfix
 * without approvers of its own takes the normal approvers (with their groups' members), and the normal groups
 * unless it has groups or approvers of its own (their members may not approve it otherwise), and the normal
 * count. A rollback takes the normal approvers (with their groups' members), but no groups, and needs none
 * by default.
 */
function mergedRules(
  config: RawConfig,
  name: string,
): { deployments: MergedRule; hotfixes: MergedRule; rollbacks: MergedRule } {
  const env = config.environments[name]!;
  const top: ApprovalsConfig = config.approvals ?? {};
  const own: ApprovalsConfig = env.approvals ?? {};
  const from = <T>(get: (a: ApprovalsConfig) => T | undefined, ...key: string[]): Written<T> | undefined => {
    const mine = get(own);
    if (mine !== undefined) return { value: mine, path: ['environments', name, 'approvals', ...key] };
    const theirs = get(top);
    return theirs === undefined ? undefined : { value: theirs, path: ['approvals', ...key] };
  };
  const groupsFrom = (get: (a: ApprovalsConfig) => ApprovalsConfig['groups'], ...key: string[]) => {
    const written = from(get, ...key);
    return written && { value: groupsOf(written.value), path: written.path };
  };
  const admitted = (
    list: Written<string[]> | undefined,
    groups: Written<ApprovalGroup[]> | undefined,
  ): Written<Principal[]> | undefined => {
    const value = withGroups(principalsOf(list?.value), groups?.value ?? []);
    if (value.length === 0) return undefined;
    return { value, path: list?.path ?? groups!.path };
  };

  const list = from((a) => a.approvers, 'approvers');
  const groups = groupsFrom((a) => a.groups, 'groups');
  const required = from((a) => a.required, 'required') ?? {
    value: isProductionEnvironment(name, env.production) ? 1 : 0,
  };
  const deployments: MergedRule = {
    ...(list ? { list } : {}),
    ...optional('approvers', admitted(list, groups)),
    required,
    ...(groups ? { groups } : {}),
  };

  const hotfixList = from((a) => a.hotfix?.approvers, 'hotfix', 'approvers');
  const hotfixGroups =
    groupsFrom((a) => a.hotfix?.groups, 'hotfix', 'groups') ?? (hotfixList ? undefined : groups);
  const hotfixRequired = from((a) => a.hotfix?.required, 'hotfix', 'required');
  const inheritedList = hotfixList ?? list;
  const hotfixes: MergedRule = {
    ...(inheritedList ? { list: inheritedList } : {}),
    ...optional('approvers', admitted(hotfixList ?? deployments.approvers, hotfixGroups)),
    required: hotfixRequired ?? required,
    ...(hotfixGroups ? { groups: hotfixGroups } : {}),
    ...(!hotfixList && !hotfixRequired && hotfixGroups === groups ? { inherited: true as const } : {}),
  };

  const rollbackList = from((a) => a.rollback?.approvers, 'rollback', 'approvers');
  const rollbackGroups = groupsFrom((a) => a.rollback?.groups, 'rollback', 'groups');
  const rollbackInherited = rollbackList ?? list;
  const rollbacks: MergedRule = {
    ...(rollbackInherited ? { list: rollbackInherited } : {}),
    ...optional('approvers', admitted(rollbackList ?? deployments.approvers, rollbackGroups)),
    required: from((a) => a.rollback?.required, 'rollback', 'required') ?? { value: 0 },
    ...(rollbackGroups ? { groups: rollbackGroups } : {}),
  };
  return { deployments, hotfixes, rollbacks };
}

const optional = <K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };

/** The policy's rule: the merged approvers (none: anyone with write permission), the count at least each group's. */
function ruleOf(rule: MergedRule): ApprovalRule {
  const groups = rule.groups?.value ?? [];
  return {
    approvers: rule.approvers?.value ?? [],
    required: atLeastGroups(rule.required.value, groups),
    ...groupsField(groups),
  };
}

function freezesOf(list: ApprovalsConfig['freezes'], timezone: string): Freeze[] {
  return (list ?? []).map((freeze) => ({
    from: parseDateTime(freeze.from, timezone)!,
    to: parseDateTime(freeze.to, timezone)!,
    reason: freeze.reason,
  }));
}

export interface PolicyIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Problems in the approvals sections that relate one part of the config to another: a required prior
 * environment that does not exist (or is the environment itself), more approvals required than listed
 * approvers can give, a freeze ending before it starts in its own time zone. For the config loader's
 * semantic pass, so they are reported at file:line:column.
 */
export function policyIssues(config: RawConfig): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const names = Object.keys(config.environments);
  const sections: Array<{ path: (string | number)[]; section: ApprovalsConfig; self?: string }> = [];
  if (config.approvals) sections.push({ path: ['approvals'], section: config.approvals });
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.approvals)
      sections.push({ path: ['environments', name, 'approvals'], section: env.approvals, self: name });
  }
  // GitHub's environment names ignore case: "Production" and "production" are one environment, so two
  // policies for it would let the laxer one decide.
  const seen = new Map<string, string>();
  for (const name of names) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined)
      issues.push({
        path: ['environments', name],
        message: `is the same GitHub environment as "${first}" (GitHub ignores case in environment names): define it once`,
      });
    else seen.set(name.toLowerCase(), name);
  }
  issues.push(...mergedRuleIssues(config));
  for (const { path, section, self } of sections) {
    const requires = section.requires === undefined ? [] : [section.requires].flat();
    requires.forEach((name, index) => {
      const at = typeof section.requires === 'string' ? [...path, 'requires'] : [...path, 'requires', index];
      if (!names.includes(name))
        issues.push({
          path: at,
          message: unknownEnvironmentMessage(name, names),
        });
      else if (name === self)
        issues.push({ path: at, message: `an environment cannot require a prior deployment to itself` });
    });
    // An environment's rule without groups of its own takes the top level's (key by key): its approvers are
    // then more than this section lists, and mergedRuleIssues judges the rule as resolved.
    const topGroups = (get: (a: ApprovalsConfig) => ApprovalsConfig['groups']) =>
      self === undefined || get(section) !== undefined || !config.approvals
        ? undefined
        : get(config.approvals);
    const rules: Array<{
      at: (string | number)[];
      approvers?: string[];
      required?: number;
      groups?: ApprovalsConfig['groups'];
      inheritedGroups?: ApprovalsConfig['groups'];
    }> = [
      {
        at: path,
        approvers: section.approvers,
        required: section.required,
        groups: section.groups,
        inheritedGroups: topGroups((a) => a.groups),
      },
      {
        at: [...path, 'hotfix'],
        approvers: section.hotfix?.approvers,
        required: section.hotfix?.required,
        groups: section.hotfix?.groups,
        inheritedGroups: topGroups((a) => a.hotfix?.groups),
      },
      {
        at: [...path, 'rollback'],
        approvers: section.rollback?.approvers,
        required: section.rollback?.required,
        groups: section.rollback?.groups,
        inheritedGroups: topGroups((a) => a.rollback?.groups),
      },
    ];
    for (const rule of rules) {
      if (rule.inheritedGroups?.length) continue;
      // The groups' members approve too.
      const listed =
        rule.approvers === undefined
          ? []
          : principalsOf([...rule.approvers, ...(rule.groups ?? []).flatMap((group) => group.approvers)]);
      if (rule.required === undefined || listed.length === 0 || listed.some(isTeam)) continue;
      if (rule.required > listed.length)
        issues.push({
          path: [...rule.at, 'required'],
          message: `requires ${rule.required} approvals but only ${listed.length} approver${listed.length === 1 ? ' is' : 's are'} listed: it could never be met`,
        });
    }
    // The global lock is one for the whole repository: who may take it is not an environment's business.
    if (self !== undefined && section.global_lockers !== undefined)
      issues.push({
        path: [...path, 'global_lockers'],
        message: 'belongs in the top-level approvals section: the global lock stops every environment',
      });
    // The schema refuses these; a config built another way must not reach Intl (a bare RangeError).
    if (section.timezone !== undefined && !isValidTimeZone(section.timezone)) {
      issues.push({
        path: [...path, 'timezone'],
        message: timeZoneProblem(section.timezone),
      });
      continue;
    }
    const timezone = section.timezone ?? config.approvals?.timezone ?? 'UTC';
    if (!isValidTimeZone(timezone)) continue;
    (section.freezes ?? []).forEach((freeze, index) => {
      const from = parseDateTime(freeze.from, timezone);
      const to = parseDateTime(freeze.to, timezone);
      // The instants are said: written apart, two local times can be one instant (both in the hour the clocks
      // skip) or out of order (in the repeated hour, each is its first occurrence).
      if (from && to && from >= to)
        issues.push({
          path: [...path, 'freezes', index, 'to'],
          message: `must be later than from (in ${canonicalTimeZone(timezone)}, from is ${from.toISOString()} and to is ${to.toISOString()}; a local time the clocks skip is the instant they jump, one they show twice its first occurrence)`,
        });
    });
  }
  return issues;
}

/**
 * The approval rules as each environment resolves them (mergedRules), when the count and the approvers come
 * from different places (the top level and the environment, or the normal rule inherited by hotfixes): more
 * approvals than the listed users could give is never met. Both from one place is reported by policyIssues.
 */
function mergedRuleIssues(config: RawConfig): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const name of Object.keys(config.environments)) {
    const merged = mergedRules(config, name);
    const rules = [
      { what: 'deployments', rule: merged.deployments },
      { what: 'hotfixes', rule: merged.hotfixes },
      { what: 'rollbacks', rule: merged.rollbacks },
    ];
    for (const { what, rule } of rules) {
      const list = rule.approvers;
      // No list: anyone with write permission, no count is too high. Inherited: said once, for the normal rule.
      if (!list || rule.inherited) continue;
      const listed = list.value;
      if (listed.some(isTeam) || rule.required.value <= listed.length) continue;
      const approversPath = list.path;
      const requiredPath = rule.required.path;
      // Written side by side in one section (the list, the count and any groups, an empty list of groups too):
      // policyIssues' own check says so at `required`. It sees a section's approvers list and groups only, not
      // groups alone, groups from elsewhere, nor groups another section takes away (`groups: []`).
      const sectionOf = (at: Path) => at.slice(0, -1).join('.');
      if (
        rule.list &&
        list.path === rule.list.path &&
        requiredPath &&
        sectionOf(requiredPath) === sectionOf(approversPath) &&
        (!rule.groups || sectionOf(rule.groups.path) === sectionOf(requiredPath))
      )
        continue;
      // Said where the environment's own section touches the rule (its count, else its groups), else where the
      // approvers are listed.
      const own = (at: Path | undefined) => at?.[0] === 'environments';
      const path = own(approversPath)
        ? approversPath
        : own(requiredPath)
          ? requiredPath!
          : own(rule.groups?.path)
            ? rule.groups!.path
            : approversPath;
      const count = requiredPath
        ? `${rule.required.value} approvals (${requiredPath.join('.')})`
        : `${rule.required.value} approval${rule.required.value === 1 ? '' : 's'} (the default)`;
      issues.push({
        path,
        // Both from the top level: the same problem in every environment, said once (the loader dedupes).
        message: `${path[0] === 'environments' ? `in environment "${name}", ` : ''}${what} need ${count} but only ${listed.length} approver${listed.length === 1 ? ' is' : 's are'} listed (${approversPath.join('.')}): it could never be met`,
      });
    }
  }
  return issues;
}

export interface RequiredCheck {
  name: string;
  /** Slug of the GitHub App whose check runs count (any app when absent). */
  app?: string;
}

/** The config's required checks, each once (a name alone and the same name bound to an app are two rules). */
function uniqueChecks(entries: ReadonlyArray<string | { name: string; app: string }>): RequiredCheck[] {
  const seen = new Map<string, RequiredCheck>();
  for (const entry of entries) {
    const check =
      typeof entry === 'string' ? { name: entry } : { name: entry.name, app: entry.app.toLowerCase() };
    seen.set(JSON.stringify([check.name, check.app ?? null]), check);
  }
  return [...seen.values()];
}

/** How a required check is named to people: `test`, or `test from github-actions`. */
export function requiredCheckLabel(check: RequiredCheck): string {
  return check.app ? `${check.name} from ${check.app}` : check.name;
}
