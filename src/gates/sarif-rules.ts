// A SARIF run's rules and its invocations' overrides of them, as tables built once: a result's rule and the
// level an override gives it are then a few map lookups, not a scan of every rule for every override of
// every result (a log of 20 000 results, 2 000 rules and 2 000 overrides was billions of comparisons).
import { SarifReportError } from './sarif-error.ts';

export interface RuleLike {
  id?: string | undefined;
}

export interface ComponentLike<R extends RuleLike> {
  name?: string | undefined;
  rules?: R[] | undefined;
}

/** §3.52 reportingDescriptorReference: a rule named by id and/or index, in the driver or an extension. */
export interface RuleReference {
  id?: string | undefined;
  index?: number | undefined;
  toolComponent?: { index?: number | undefined } | undefined;
}

/** A rule as a reference finds it: the component holding it (0 the driver, n extension n-1), the rule when listed. */
export interface FoundRule<R> {
  component: number;
  rule?: R;
}

/** One step of building or reading the tables (tests count them: the work is linear in the log). */
export type LookupStep = () => void;

const noStep: LookupStep = () => {};

/** The id itself, then each shorter component-wise prefix: "CA1000/1/x", "CA1000/1", "CA1000" (§3.27.5). */
function* idAndPrefixes(id: string): Generator<string> {
  for (let candidate: string | undefined = id; candidate;) {
    yield candidate;
    const slash = candidate.lastIndexOf('/');
    candidate = slash > 0 ? candidate.slice(0, slash) : undefined;
  }
}

/** Whether `id` is `ruleId` itself or one of its more specific ids ("CA1000/1" of "CA1000"). */
function isOrIsUnder(id: string, ruleId: string): boolean {
  return id === ruleId || id.startsWith(`${ruleId}/`);
}

/** A run's rules by id: the first listed with an id, the driver's before the extensions' (as a scan would find it). */
export class RuleLookup<R extends RuleLike> {
  private readonly byId = new Map<string, FoundRule<R>>();
  private readonly components: ReadonlyArray<ComponentLike<R>>;
  private readonly step: LookupStep;

  constructor(components: ReadonlyArray<ComponentLike<R>>, step: LookupStep = noStep) {
    this.components = components;
    this.step = step;
    for (const [component, { rules }] of components.entries()) {
      for (const rule of rules ?? []) {
        step();
        if (rule.id !== undefined && !this.byId.has(rule.id)) this.byId.set(rule.id, { component, rule });
      }
    }
  }

  /**
   * The rule a reference names (§3.52.3): its default level and security-severity decide a result that has
   * none of its own. An index that names no rule is a broken log (read without its rule, an "error" rule's
   * result would default to "warning" and pass), so it is refused. Undefined: the reference names no rule.
   */
  find(reference: RuleReference, where: string): FoundRule<R> | undefined {
    // §3.54.4: a toolComponent index points into tool.extensions; without one, the rule is the driver's.
    const extensionIndex = reference.toolComponent?.index;
    const componentIndex =
      extensionIndex !== undefined && extensionIndex >= 0 && this.components[extensionIndex + 1]
        ? extensionIndex + 1
        : 0;
    const component = this.components[componentIndex]!;
    const index = reference.index;
    const id = reference.id;
    if (index !== undefined && index >= 0) {
      this.step();
      const rule = component.rules?.[index];
      if (!rule) {
        throw new SarifReportError(
          `${where}: ruleIndex ${index} names no rule (${component.name ?? 'the tool'} lists ${component.rules?.length ?? 0}): the log is broken or cut short`,
        );
      }
      // An index naming another rule than the id (§3.52.3 wants both to name one rule): gosec writes
      // such indexes (securego/gosec#933), dalfox wrote 0 on every result. The id is what the tool
      // meant and what the finding shows, so the listed rule of that id decides, not the other one's
      // default level.
      if (id && rule.id !== undefined && !isOrIsUnder(id, rule.id)) {
        const named = this.byIdIn(id, componentIndex);
        if (named) return named;
      }
      return { component: componentIndex, rule };
    }
    // §3.27.5: a ruleId may be hierarchical ("CA1000/1", "js/sql-injection/2"): the more specific id of
    // a rule the tool lists as "CA1000". The exact id first, then each shorter prefix.
    if (!id) return undefined;
    for (const candidate of idAndPrefixes(id)) {
      this.step();
      const found = this.byId.get(candidate);
      if (found) return found;
    }
    // A rule the tool does not list (gitleaks lists none for some rules) is still the rule of that id.
    return { component: componentIndex };
  }

  /** The listed rule of `id` (or of a shorter prefix of it) in one component. */
  private byIdIn(id: string, component: number): FoundRule<R> | undefined {
    for (const candidate of idAndPrefixes(id)) {
      this.step();
      const found = this.byId.get(candidate);
      if (found?.component === component) return found;
    }
    return undefined;
  }
}

/** The override that decides a rule's level: its level as written (checked where it is used) and where it is. */
export interface OverrideEntry {
  level: unknown;
  where: string;
  order: number;
}

/**
 * One invocation's ruleConfigurationOverrides (§3.20.5, §3.51) by the rule each names. The first override
 * of a rule that sets a level decides it, as reading them in order would. Each override's descriptor is
 * resolved once, here: one naming no rule the log lists by index refuses the log.
 */
export class OverrideTable<R extends RuleLike> {
  private readonly byRule = new Map<R, OverrideEntry>();
  /** Rules the tool does not list, by component then id. */
  private readonly byUnlistedId = new Map<number, Map<string, OverrideEntry>>();
  private readonly step: LookupStep;

  constructor(
    overrides: ReadonlyArray<{ descriptor: RuleReference; configuration: { level?: unknown } }>,
    rules: RuleLookup<R>,
    whereOf: (overrideIndex: number) => string,
    step: LookupStep = noStep,
  ) {
    this.step = step;
    for (const [order, override] of overrides.entries()) {
      step();
      const where = whereOf(order);
      const target = rules.find(override.descriptor, `${where}.descriptor`);
      if (!target || override.configuration.level === undefined) continue;
      const entry = { level: override.configuration.level, where: `${where}.configuration.level`, order };
      if (target.rule) {
        if (!this.byRule.has(target.rule)) this.byRule.set(target.rule, entry);
        continue;
      }
      const id = override.descriptor.id!;
      let ids = this.byUnlistedId.get(target.component);
      if (!ids) this.byUnlistedId.set(target.component, (ids = new Map()));
      if (!ids.has(id)) ids.set(id, entry);
    }
  }

  /**
   * The override of a result's rule. A listed rule is matched as the same descriptor. A rule the tool does
   * not list is known only by the result's ruleId, whose leading components are the rule's id (§3.27.5;
   * trailing ones name a subset of its results, and a descriptor's id is always a whole rule, §3.49.3): an
   * override of "CA1000" is one of the rule of result "CA1000/1". Of several that match, the first listed.
   */
  levelOf(found: FoundRule<R>, ruleId: string | undefined): OverrideEntry | undefined {
    this.step();
    if (found.rule) return this.byRule.get(found.rule);
    const ids = this.byUnlistedId.get(found.component);
    if (!ids || !ruleId) return undefined;
    let first: OverrideEntry | undefined;
    for (const candidate of idAndPrefixes(ruleId)) {
      this.step();
      const entry = ids.get(candidate);
      if (entry && (!first || entry.order < first.order)) first = entry;
    }
    return first;
  }
}
