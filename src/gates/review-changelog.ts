// The review gate's "CHANGELOG updated" rule (seeds 02 and 05, pre-deployment checklist): the change adds
// or edits a changelog file or a changelog fragment (changesets, towncrier), unless its pull request carries
// a skip label. Pure: the changed files, the repository's files and the labels are read by the gate.
import picomatch from 'picomatch';
import { oneLine } from '../github/user-text.ts';
import type { ChangedFile, Finding } from './types.ts';

/**
 * What counts as a changelog entry when `changelog_paths` is not written: a changelog file at any depth (a
 * monorepo's packages keep their own), a changeset (not the README changesets puts in `.changeset/`), a
 * towncrier or scriv fragment. Matched without regard to case (ChangeLog, changelog.md).
 */
export const DEFAULT_CHANGELOG_PATHS: readonly string[] = [
  '**/{CHANGELOG,CHANGES,HISTORY,NEWS}{,.md,.markdown,.rst,.txt,.adoc}',
  '.changeset/!(README).md',
  '**/changelog.d/**',
  '**/newsfragments/**',
];

export const DEFAULT_SKIP_LABELS: readonly string[] = ['skip-changelog'];

/** The pull request's labels: none without one (a push, the CLI), or GitHub's answer, or why it failed. */
export type LabelsRead =
  { kind: 'none' } | { kind: 'read'; names: string[] } | { kind: 'failed'; message: string };

/** Whether a file at HEAD matches the paths; `unknown`: git could not list the files, and why. */
export type ChangelogKept = true | false | { unknown: string };

export interface ChangelogFacts {
  /** `changelog` as written; undefined: not written (then the rule applies only where a changelog is kept). */
  written: 'block' | 'warn' | undefined;
  kept: ChangelogKept;
  /** Whether the run has a base commit to compare with (without one nothing is "changed"). */
  hasBase: boolean;
  /** The changed files that carry an entry (changelogEntries). */
  entries: string[];
  /** Read only when no entry was found: with one, labels do not matter. */
  labels: LabelsRead;
  skipLabels: readonly string[];
}

export type ChangelogDecision =
  /** Not written, and the repository keeps no changelog (or git cannot list its files): silent. */
  | { ok: true; reason: 'not-applied'; why: 'not-kept' | 'not-listed' }
  | { ok: true; reason: 'entry'; paths: string[] }
  | { ok: true; reason: 'skipped'; label: string }
  | { ok: true; reason: 'unchecked'; why: 'no-base' }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'none' }
  | { ok: false; reason: 'labels-unknown'; message: string };

/** The rule's paths as one matcher: without regard to case, dot files and directories included. */
export function changelogMatcher(paths: readonly string[]): (path: string) => boolean {
  return picomatch([...paths], { dot: true, nocase: true });
}

/**
 * The changed files that carry a changelog entry: a new file matching the paths, or one edited or renamed
 * with at least one added line. A deleted changelog, or one only cut down, is no entry.
 */
export function changelogEntries(
  changed: readonly ChangedFile[],
  matches: (path: string) => boolean,
): string[] {
  return changed
    .filter((f) => f.status === 'added' || (f.status !== 'deleted' && f.addedLines.length > 0))
    .map((f) => f.path)
    .filter(matches);
}

const labelKey = (name: string) => name.trim().toLowerCase();

export function decideChangelog(facts: ChangelogFacts): ChangelogDecision {
  if (facts.written === undefined) {
    // Not asked for: a project that keeps no changelog is not told to.
    if (facts.kept === false) return { ok: true, reason: 'not-applied', why: 'not-kept' };
    // Git cannot list the files (a directory that is no repository): that it keeps one is not shown either.
    // With a base, git diff fails too, and the gate says so.
    if (facts.kept !== true) return { ok: true, reason: 'not-applied', why: 'not-listed' };
  }
  if (!facts.hasBase) return { ok: true, reason: 'unchecked', why: 'no-base' };
  if (facts.entries.length > 0) return { ok: true, reason: 'entry', paths: facts.entries };
  // No skip label configured: what the labels are does not matter.
  if (facts.skipLabels.length > 0 && facts.labels.kind === 'failed')
    return { ok: false, reason: 'labels-unknown', message: facts.labels.message };
  if (facts.labels.kind === 'read') {
    const skips = new Set(facts.skipLabels.map(labelKey));
    const label = facts.labels.names.find((name) => skips.has(labelKey(name)));
    if (label !== undefined) return { ok: true, reason: 'skipped', label };
  }
  return { ok: false, reason: facts.kept === false ? 'none' : 'missing' };
}

/** User text (a glob, a label) as one bounded line; the finding's readers escape it for where it is shown. */
function shown(text: string, max = 100): string {
  const chars = [...oneLine(text).trim()];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

function list(values: readonly string[], max = 6): string {
  const named = values.slice(0, max).map((v) => `"${shown(v)}"`);
  return named.join(', ') + (values.length > max ? ` and ${values.length - max} more` : '');
}

export interface ChangelogWording {
  /** `changelog` as it applies: written, or warn where a changelog is kept. */
  level: 'block' | 'warn';
  paths: readonly string[];
  skipLabels: readonly string[];
  /** The pull request's number; undefined: no pull request in this run. */
  pullRequest: number | undefined;
}

/** The decision as findings: none for a pass, a notice for a skip, else one at the rule's level. */
export function changelogFindings(decision: ChangelogDecision, wording: ChangelogWording): Finding[] {
  const severity: Finding['severity'] = wording.level === 'block' ? 'error' : 'warning';
  const pr = wording.pullRequest === undefined ? undefined : `pull request #${wording.pullRequest}`;
  const paths = `gates.review.changelog_paths (${list(wording.paths)})`;
  const skip = wording.skipLabels.length
    ? pr
      ? `, or label ${pr} ${list(wording.skipLabels, 3)} when it needs no entry`
      : `, or, on a pull request, label it ${list(wording.skipLabels, 3)} when it needs no entry`
    : '';
  switch (decision.reason) {
    case 'not-applied':
    case 'entry':
      return [];
    case 'skipped':
      return [
        {
          rule: 'review.changelog-skipped',
          severity: 'notice',
          message: `${pr ?? 'the pull request'} is labelled "${shown(decision.label)}": the changelog check was skipped`,
        },
      ];
    case 'unchecked':
      return [
        {
          rule: 'review.changelog-unchecked',
          severity: 'notice',
          message: 'no base commit in this run to compare with: the changelog check was skipped',
        },
      ];
    case 'labels-unknown':
      return [
        {
          rule: 'review.changelog-labels-unknown',
          severity,
          message:
            `no changelog entry among the changed files, and the labels of ${pr ?? 'the pull request'} cannot be ` +
            `read to know whether one of ${list(wording.skipLabels, 3)} excuses it (the token needs ` +
            `pull-requests: read): ${shown(decision.message, 300)}`,
        },
      ];
    case 'none':
      return [
        {
          rule: 'review.changelog-none',
          severity,
          message:
            `no file of the repository matches ${paths}, so no change can carry a changelog entry: create ` +
            'the changelog (CHANGELOG.md), set changelog_paths to where the project keeps it, or set changelog: off',
        },
      ];
    case 'missing':
      return [
        {
          rule: 'review.changelog-missing',
          severity,
          message: `no changelog entry among the changed files: add or edit a file matching ${paths}${skip}`,
        },
      ];
  }
}
