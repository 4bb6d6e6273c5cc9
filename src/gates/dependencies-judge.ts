// Pure: what the packages an outdated report lists mean under the gate's policy. A package is behind when its
// installed version is before the latest, whatever its declared range allows: one whose range stops it at
// 1.x while 2.0 is out is a major version behind (the finding says the range is why).
import picomatch from 'picomatch';
import type { Ecosystem, OutdatedPackage, OutdatedReport } from './outdated-report.ts';
import { shownName } from './outdated-report.ts';
import type { LevelAction } from './schema/dependencies.ts';
import type { Finding } from './types.ts';
import { versionDistance, type Level, type VersionScheme } from './version-distance.ts';

export interface DependencyPolicy {
  major: LevelAction;
  minor: LevelAction;
  patch: LevelAction;
  incomparable: LevelAction;
  /** A package its author deprecated, behind or not. */
  deprecated: LevelAction;
  /** A version in use that its author retracted (Go). */
  retracted: LevelAction;
  ignore: string[];
}

export const DEFAULT_POLICY: DependencyPolicy = {
  major: 'warn',
  minor: 'warn',
  patch: 'warn',
  incomparable: 'warn',
  deprecated: 'warn',
  retracted: 'block',
  ignore: [],
};

export interface DependencyCounts {
  major: number;
  minor: number;
  patch: number;
  incomparable: number;
  /** Deprecated by its author (also counted as behind, current or incomparable). */
  deprecated: number;
  /** A retracted version in use (also counted as behind, current or incomparable). */
  retracted: number;
  /** Listed, and not behind the latest (Go lists every module; pnpm a deprecated one that is up to date). */
  current: number;
  ignored: number;
}

export interface DependencyJudgement {
  findings: Finding[];
  counts: DependencyCounts;
}

const SCHEME: Record<Ecosystem, VersionScheme> = {
  npm: 'semver',
  pnpm: 'semver',
  yarn: 'semver',
  go: 'semver',
  pip: 'pep440',
};

const BEHIND: Record<Level, string> = {
  major: 'a major version behind',
  minor: 'a minor version behind',
  patch: 'a patch behind',
};

/** PEP 503: pip compares names case-insensitively, with runs of -, _ and . alike. */
const normalisePip = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** Pure: the findings for `report` under `policy`. */
export function judgeDependencies(report: OutdatedReport, policy: DependencyPolicy): DependencyJudgement {
  const { ecosystem } = report;
  const normalise = ecosystem === 'pip' ? normalisePip : (name: string) => name;
  const ignored =
    policy.ignore.length > 0
      ? picomatch(policy.ignore.map(normalise), { dot: true, nocase: ecosystem === 'pip' })
      : () => false;
  const counts: DependencyCounts = {
    major: 0,
    minor: 0,
    patch: 0,
    incomparable: 0,
    deprecated: 0,
    retracted: 0,
    current: 0,
    ignored: 0,
  };
  const findings: Finding[] = [];
  const finding = (rule: Level | 'incomparable' | 'deprecated' | 'retracted', message: string) => {
    counts[rule]++;
    const action = policy[rule];
    if (action === 'off') return;
    findings.push({
      rule: `dependencies.${rule}`,
      severity: action === 'block' ? 'error' : 'warning',
      message,
    });
  };

  for (const pkg of report.packages) {
    if (ignored(normalise(pkg.name))) {
      counts.ignored++;
      continue;
    }
    const name = shownName(pkg.name);
    const about = context(pkg, ecosystem);
    const version = pkg.current ?? pkg.wanted;
    const named = version !== undefined ? `${name} ${shownName(version)}` : name;
    const where = context(pkg, ecosystem, false);
    if (pkg.retracted !== undefined) {
      // Go's own words when the author gave no reason.
      const reasons = pkg.retracted.filter((reason) => reason !== 'retracted by module author');
      const why = reasons.length > 0 ? `: ${shownName(reasons.join('; '))}` : '';
      finding('retracted', `${named}: this version is retracted by its author (${where})${why}`);
    }
    if (pkg.deprecated) {
      // pnpm lists a package whose latest version is deprecated even when it is the one installed: no
      // update takes it off the list, only replacing the package. Go's deprecation is the module's.
      const what =
        ecosystem === 'go'
          ? 'the module is deprecated by its author'
          : pkg.latest !== undefined
            ? `its latest version, ${shownName(pkg.latest)}, is deprecated`
            : 'its latest version is deprecated';
      const message = pkg.deprecation !== undefined ? `: ${shownName(pkg.deprecation)}` : '';
      finding('deprecated', `${named}: ${what} (${where})${message}`);
    }
    // Go's error with no newer version found: whether one exists is unknown.
    if (pkg.error !== undefined && pkg.latest === undefined) {
      finding(
        'incomparable',
        `${named}: its versions could not be looked up (${about}): ${shownName(pkg.error)}`,
      );
      continue;
    }
    // Not installed: what an install would take is what the range allows.
    const current = pkg.current ?? pkg.wanted;
    const from =
      pkg.current !== undefined
        ? shownName(pkg.current)
        : pkg.wanted !== undefined
          ? `(not installed; its range gives ${shownName(pkg.wanted)})`
          : '(not installed)';
    if (current === undefined || pkg.latest === undefined) {
      const why =
        current === undefined
          ? 'it is not installed and the report names no version its range allows'
          : 'the report names no latest version';
      finding('incomparable', `${name} ${from}: cannot compare with the latest: ${why} (${about})`);
      continue;
    }
    const latest = shownName(pkg.latest);
    const distance = versionDistance(current, pkg.latest, SCHEME[ecosystem]);
    if (distance.kind === 'same' || distance.kind === 'ahead') {
      counts.current++;
      continue;
    }
    if (distance.kind === 'incomparable') {
      finding('incomparable', `${name} ${from} → ${latest}: cannot compare: ${distance.why} (${about})`);
      continue;
    }
    // Go found the update but failed at something else: its words go with the finding.
    const failed = pkg.error !== undefined ? `; go also reported: ${shownName(pkg.error)}` : '';
    finding(
      distance.level,
      `${name} ${from} → ${latest}: ${BEHIND[distance.level]} (${about}${rangeNote(pkg, ecosystem)}${failed})`,
    );
  }
  return { findings, counts };
}

/** The ecosystem, and where the report places the package; pnpm's deprecated latest unless it is the finding. */
function context(pkg: OutdatedPackage, ecosystem: Ecosystem, deprecation = true): string {
  const parts: string[] = [ecosystem];
  if (pkg.replacedBy !== undefined) parts.push(`replaced by ${shownName(pkg.replacedBy)}`);
  if (pkg.indirect) parts.push('indirect');
  if (pkg.label !== undefined) parts.push(pkg.label);
  if (pkg.dependent !== undefined) parts.push(`in ${shownName(pkg.dependent)}`);
  if (deprecation && pkg.deprecated && ecosystem === 'pnpm') parts.push('the latest is deprecated');
  return parts.join(', ');
}

/** Why an update has not happened: the declared range stops short of the latest, or allows a newer one. */
function rangeNote(pkg: OutdatedPackage, ecosystem: Ecosystem): string {
  if (pkg.wanted === undefined || pkg.current === undefined || pkg.latest === undefined) return '';
  const scheme = SCHEME[ecosystem];
  const wanted = shownName(pkg.wanted);
  const toWanted = versionDistance(pkg.current, pkg.wanted, scheme);
  const wantedToLatest = versionDistance(pkg.wanted, pkg.latest, scheme);
  if (toWanted.kind === 'behind')
    return wantedToLatest.kind === 'behind' ? `; its range allows up to ${wanted}` : '; within its range';
  return toWanted.kind === 'same' && wantedToLatest.kind === 'behind' ? `; its range stops at ${wanted}` : '';
}
