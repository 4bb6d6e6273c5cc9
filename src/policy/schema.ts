// The `approvals:` section of .github/deploy.yml (top level = defaults for every environment; per environment
// = overrides). It states who may deploy and approve, how many approvals, windows, freezes and the hotfix
// and rollback overrides. Strict like the rest of the config; defaults are applied in resolve.ts, so this
// file only says what a user may write.
import * as z from 'zod';
import { DURATION_LIMITS, durationUpTo } from '../config/duration.ts';
import { didYouMean } from '../config/suggest.ts';
import {
  abbreviatedZone,
  canonicalTimeZone,
  CURRENT_NAMES,
  isUtcOffset,
  isValidTimeZone,
  parseClockTime,
  parseDateTime,
  WEEKDAYS,
} from './windows.ts';
import { releaseTagPatternProblem } from './release-tags.ts';

const nonEmpty = z.string().min(1, 'must not be empty');

/** A GitHub login ("alice", optionally "@alice") or a team as "org/team-slug". */
export const PRINCIPAL_PATTERN =
  /^@?(?:[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}|[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9._-]*)$/;

const PRINCIPAL_MESSAGE = 'must be a GitHub user such as "alice" or a team written "org/team-slug"';

/** Why a user or team is refused: blanks around a valid name are named as such, saying what to write. */
function principalProblem(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  const trimmed = text.trim();
  if (trimmed === '') return `must not be empty: ${PRINCIPAL_MESSAGE.replace(/^must be /, 'name ')}`;
  if (trimmed !== text && PRINCIPAL_PATTERN.test(trimmed))
    return `"${text}" has blanks around the name, which GitHub never matches: write "${trimmed}"`;
  return PRINCIPAL_MESSAGE;
}

// A regex (not a refinement), so the JSON schema keeps the pattern.
const principal = z.string().regex(PRINCIPAL_PATTERN, { error: (issue) => principalProblem(issue.input) });

const samePrincipal = (name: string) => name.replace(/^@/, '').toLowerCase();

/**
 * Refuses an entry written twice in a list of names (`same` says when two entries are the same: logins
 * without case or "@"). The decision reads a repeat as one entry, but a list with one is usually a list with
 * a typo or a name missing (two approvers meant, one written twice), which only the writer can say.
 */
function listedOnce<T>(same: (entry: T) => string, describe: (entry: T) => string) {
  return (list: readonly T[], ctx: z.core.$RefinementCtx<readonly T[]>) => {
    const first = new Map<string, number>();
    list.forEach((entry, index) => {
      const key = same(entry);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `${describe(entry)} is listed twice (also at [${earlier}]): write each once`,
        });
    });
  };
}

const principalsOnce = listedOnce<string>(samePrincipal, (name) => {
  const plain = samePrincipal(name);
  return plain.includes('/') ? `team "${name}"` : `"${name}"`;
});

/**
 * A name GitHub matches exactly (a check run's name): blanks around it or an empty one never match, so the
 * gate would wait for a check that never comes; refused, saying what to write. A regex, so the JSON schema
 * says so too.
 */
const exactName = (what: string) =>
  z.string().regex(/^\S(?:[\s\S]*\S)?$/, {
    error: (issue) => {
      const text = typeof issue.input === 'string' ? issue.input : '';
      return text.trim() === ''
        ? `must not be empty: write the ${what}`
        : `"${text}" has blanks around the ${what}, which GitHub never matches: write "${text.trim()}"`;
    },
  });

/**
 * The longest check name `required_checks` takes, in bytes of UTF-8. GitHub documents no limit on a check run's
 * name (its REST description and OpenAPI schema give none), but the App looks each one up by name in a URL
 * (`GET …/commits/{ref}/check-runs?check_name=…`), percent-encoded to up to three times its bytes; a name of
 * 100 KB made that request fail (the server refuses a request line that long), so the /deploy that read it got
 * no answer. 1,024 bytes is far past any real check name (a workflow job's `name / job (matrix values)`), and
 * its URL (at most ~3 KB) stays well inside what HTTP servers take (8 KB is the usual request-line limit).
 */
export const CHECK_NAME_MAX_BYTES = 1024;

const checkName = exactName('check name').refine(
  (name) => new TextEncoder().encode(name).length <= CHECK_NAME_MAX_BYTES,
  {
    error: (issue) =>
      `is ${new TextEncoder().encode(String(issue.input)).length} bytes long: a check name here is at most ${CHECK_NAME_MAX_BYTES} bytes (no check GitHub runs has a longer one; the name goes into the URL the App looks the check up with)`,
  },
);

/** Generous bounds on every list: a policy is read on every decision, so a huge one would stall the app. */
export const POLICY_LIMITS = {
  principals: 1000,
  windows: 100,
  freezes: 1000,
  checks: 1000,
  requires: 100,
  groups: 20,
  releaseTags: 100,
};

/**
 * A list of users and teams. Written empty it is refused: `approvers: []` reads as "nobody" to some and
 * "everybody" to others, and the policy takes an absent list as "anyone with write permission"; so the
 * empty list is never silently taken the open way.
 */
const principals = (description: string) =>
  z
    .array(principal)
    .min(
      1,
      'is an empty list, which could mean nobody or everybody: leave the key out for anyone with write permission, or name who may',
    )
    .max(POLICY_LIMITS.principals)
    .superRefine(principalsOnce)
    .optional()
    .meta({ description });

const clockTime = z
  .string()
  .refine((text) => parseClockTime(text) !== undefined, {
    message: 'must be a 24-hour time "HH:MM" such as "10:00" ("24:00" for the end of the day)',
  })
  // The rule above, for the JSON Schema (editors took "9:00" and "25:00").
  .meta({ pattern: '^(?:(?:[01]\\d|2[0-3]):[0-5]\\d|24:00)$' });

export const windowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(WEEKDAYS.length)
      .meta({ description: 'Local weekdays the window is open: mon, tue, wed, thu, fri, sat, sun.' }),
    start: clockTime.meta({ description: 'Local opening time, "HH:MM".' }),
    end: clockTime.meta({ description: 'Local closing time, "HH:MM" (exclusive); "24:00" for midnight.' }),
  })
  .refine(
    (window) => {
      // A malformed time has its own error; only two valid times can be in the wrong order.
      const [start, end] = [parseClockTime(window.start), parseClockTime(window.end)];
      return start === undefined || end === undefined || start < end;
    },
    {
      message:
        'must be later than start: a window crossing midnight is written as two windows (e.g. 22:00-24:00 and 00:00-02:00 the next day)',
      path: ['end'],
    },
  )
  .meta({ description: 'A weekly window in the policy time zone when deployments may start.' });

/** Why a `timezone` is refused, saying what is allowed. */
export function timeZoneProblem(value: string): string {
  const allowed = 'use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"';
  if (value.trim() === '') return `must not be empty: ${allowed}`;
  if (value.trim() !== value && isValidTimeZone(value.trim()))
    return `"${value}" has blanks around the name: write "${value.trim()}"`;
  const canonical = canonicalTimeZone(value);
  if ((canonical !== undefined && isUtcOffset(canonical)) || /^(?:UTC|GMT)\s*[+\-\u2212]\d/i.test(value))
    return (
      `"${value}" is a fixed UTC offset, not a time zone: ${allowed} (a zone follows its daylight-saving ` +
      'changes; for an offset all year round, "Etc/GMT-1" is UTC+01:00, its sign inverted as IANA writes it)'
    );
  const abbreviated = abbreviatedZone(value);
  if (abbreviated !== undefined)
    return `"${value}" is an abbreviation, not a time zone name: Intl would read it as ${abbreviated}, which may not be the place meant; ${allowed}`;
  // Suggested by the names people write today (Asia/Kolkata), not ICU's old spellings (Asia/Calcutta).
  const known = Intl.supportedValuesOf('timeZone').map((name) => CURRENT_NAMES[name] ?? name);
  return `unknown time zone "${value}": ${allowed}${didYouMean(value, known)}`;
}

const timeZone = z
  .string()
  .superRefine((value, ctx) => {
    if (isValidTimeZone(value)) return;
    ctx.addIssue({ code: 'custom', message: timeZoneProblem(value) });
  })
  .meta({
    description: 'IANA time zone of the windows and of freeze times written without an offset. Default UTC.',
  });

const dateTime = z.string().refine((text) => parseDateTime(text, 'UTC') !== undefined, {
  message:
    'must be an ISO date-time such as "2025-12-24T18:00:00Z", "2025-12-24T18:00+01:00" or "2025-12-24T18:00" (read in the policy time zone)',
});

export const freezeSchema = z
  .strictObject({
    from: dateTime.meta({ description: 'Start of the freeze (ISO date-time).' }),
    to: dateTime.meta({ description: 'End of the freeze, exclusive (ISO date-time).' }),
    reason: nonEmpty.meta({ description: 'Shown to whoever tries to deploy during the freeze.' }),
  })
  // Times without an offset are compared as UTC here; resolve.ts checks again in the real time zone.
  .refine(
    (freeze) => {
      const [from, to] = [parseDateTime(freeze.from, 'UTC'), parseDateTime(freeze.to, 'UTC')];
      return from === undefined || to === undefined || from < to;
    },
    {
      message: 'must be later than from',
      path: ['to'],
    },
  )
  .meta({ description: 'A period when no deployment may start (hotfixes only with hotfix.bypass_freezes).' });

const requiredCount = (description: string) =>
  z.number().int().min(0).max(20).optional().meta({ description });

const GROUP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,38}[A-Za-z0-9_.-])?$/;

export const approvalGroupSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        GROUP_NAME,
        'must be a short label (1-40 letters, digits, spaces, "_", "." or "-", starting with a letter or digit), e.g. "Security"',
      )
      .meta({ description: 'A short label, named in the replies when the group still needs approvals.' }),
    approvers: z
      .array(principal)
      .min(1, 'is an empty list: a group names who belongs to it')
      .max(POLICY_LIMITS.principals)
      .superRefine(principalsOnce)
      .meta({ description: 'Who belongs to the group (users and org/team).' }),
    required: z
      .number()
      .int()
      .min(1)
      .max(20)
      .optional()
      .meta({ description: 'Approvals needed from members of this group. Default 1.' }),
  })
  .superRefine((group, ctx) => {
    // A team may have any number of members; listed users can give one approval each.
    const users = new Set(group.approvers.map(samePrincipal));
    const required = group.required ?? 1;
    // An empty list has its own error.
    if (users.size === 0 || [...users].some((p) => p.includes('/')) || required <= users.size) return;
    ctx.addIssue({
      code: 'custom',
      path: ['required'],
      message: `requires ${required} approvals but only ${users.size} approver${users.size === 1 ? ' is' : 's are'} listed in the group: it could never be met`,
    });
  })
  .meta({ description: 'An approval group: this many of the approvals must come from its members.' });

const approvalGroups = (description: string) =>
  z
    .array(approvalGroupSchema)
    .max(POLICY_LIMITS.groups)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((group, index) => {
        const key = group.name.toLowerCase();
        if (seen.has(key))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${group.name}" names two groups (names compare without case): give each group its own name`,
          });
        seen.add(key);
      });
    })
    .optional()
    .meta({ description });

export const hotfixSchema = z
  .strictObject({
    approvers: principals('Who may approve a hotfix (users and org/team). Default: the normal approvers.'),
    required: requiredCount('Approvals a hotfix needs. Default: the normal number.'),
    groups: approvalGroups(
      'Approval groups of a hotfix, each needing its own approvals (e.g. a manager and a security engineer). Default: the normal groups when hotfix.approvers is not set, else none.',
    ),
    bypass_windows: z.boolean().optional().meta({
      description:
        'A hotfix may start outside the deploy windows. Default: true when hotfix.approvers or hotfix.groups is set and a hotfix needs at least one approval, else false (the override needs its own approvers, asked).',
    }),
    bypass_freezes: z
      .boolean()
      .optional()
      .meta({ description: 'A hotfix may start during a freeze. Default false.' }),
    requires_reason: z
      .boolean()
      .optional()
      .meta({ description: 'A hotfix must give a reason (--reason "..."). Default true.' }),
  })
  .meta({ description: 'Rules for `/deploy <env> --hotfix --reason "..."`.' });

export const rollbackSchema = z
  .strictObject({
    approvers: principals('Who may approve a rollback. Default: the normal approvers.'),
    required: requiredCount('Approvals a rollback needs. Default 0: a rollback is immediate.'),
    groups: approvalGroups('Approval groups of a rollback. Default: none.'),
    bypass_windows: z
      .boolean()
      .optional()
      .meta({ description: 'A rollback may start outside the deploy windows. Default true.' }),
    bypass_freezes: z
      .boolean()
      .optional()
      .meta({ description: 'A rollback may start during a freeze. Default true.' }),
  })
  .meta({ description: 'Rules for `/rollback <env>` (redeploying a SHA that was live before).' });

export const approvalsSchema = z
  .strictObject({
    deployers: principals(
      'Who may deploy (users and org/team). Empty or absent: anyone with write permission.',
    ),
    approvers: principals(
      'Who may approve or veto (users and org/team). Empty or absent: anyone with write permission.',
    ),
    required: requiredCount('Approvals needed. Default 1 for a production environment, 0 otherwise.'),
    groups: approvalGroups(
      'Approval groups: besides `required` in all, each group needs its own approvals from its members (e.g. one manager and one security engineer). Their members may approve too. Empty or absent: none.',
    ),
    allow_self_approval: z
      .boolean()
      .optional()
      .meta({ description: "May the pull request's author approve its deployment? Default false." }),
    expires_after: durationUpTo(DURATION_LIMITS.age, { timer: false })
      .optional()
      .meta({ description: 'An approval older than this no longer counts. Absent or 0: never expires.' }),
    requires: z
      .union([
        nonEmpty,
        z
          .array(nonEmpty)
          .min(1)
          .max(POLICY_LIMITS.requires)
          .superRefine(
            listedOnce<string>(
              (name) => name.toLowerCase(),
              (name) => `environment "${name}"`,
            ),
          ),
      ])
      .optional()
      .meta({
        description:
          'Environment(s) that must have a successful deployment of the same commit first (e.g. staging).',
      }),
    required_checks: z
      .array(
        z.union([
          checkName,
          z.strictObject({
            name: checkName,
            app: z
              .string()
              .regex(
                /^[a-z0-9][a-z0-9-]{0,99}$/i,
                'an app is the slug of the GitHub App that posts the check, e.g. github-actions',
              ),
          }),
        ]),
      )
      .max(POLICY_LIMITS.checks)
      .superRefine(
        listedOnce<string | { name: string; app: string }>(
          (entry) =>
            typeof entry === 'string'
              ? JSON.stringify([entry])
              : JSON.stringify([entry.name, entry.app.toLowerCase()]),
          (entry) =>
            typeof entry === 'string' ? `check "${entry}"` : `check "${entry.name}" from ${entry.app}`,
        ),
      )
      .optional()
      .meta({
        description:
          'Checks that must have passed on the commit: a name (every check run of that name must pass), or {name, app} to count only the runs of that GitHub App (its slug, e.g. github-actions), so that no other app or workflow can post a green check of the same name.',
      }),
    release_tags: z
      .array(
        // A refinement of each pattern, so its error is said at the pattern (file, line, column).
        z.string().superRefine((pattern, ctx) => {
          const problem = releaseTagPatternProblem(pattern);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .min(
        1,
        'is an empty list, which no tag could match: leave the key out to deploy any commit, or list the release tags (e.g. "v*")',
      )
      .max(POLICY_LIMITS.releaseTags)
      .superRefine(
        listedOnce<string>(
          (pattern) => pattern,
          (pattern) => `pattern "${pattern}"`,
        ),
      )
      .optional()
      .meta({
        description:
          'Deploy only tagged releases: the commit must be the commit of a tag whose name matches one of these globs (e.g. "v*"; `*` matches any characters but "/", `**` also "/"). Checked for deployments and hotfixes, not rollbacks. Protect the pattern with a tag ruleset: anyone who may push tags could otherwise create a matching one.',
      }),
    timezone: timeZone.optional(),
    windows: z
      .array(windowSchema)
      .max(POLICY_LIMITS.windows)
      .optional()
      .meta({ description: 'When deployments may start. Empty or absent: any time.' }),
    freezes: z.array(freezeSchema).max(POLICY_LIMITS.freezes).optional().meta({
      description:
        'Periods when no deployment may start. Top-level freezes apply to every environment, in addition to its own.',
    }),
    hotfix: hotfixSchema.optional(),
    rollback: rollbackSchema.optional(),
    // Empty is harmless here: it means what an absent list means, maintainers and admins only.
    global_lockers: z
      .array(principal)
      .max(POLICY_LIMITS.principals)
      .superRefine(principalsOnce)
      .optional()
      .meta({
        description:
          'Who may take and force-release the global lock (/lock --global), besides maintainers and admins; they need write permission. Top level only.',
      }),
  })
  .meta({
    description:
      'Deployment policy for the GitHub App: who may deploy and approve, approvals, windows, freezes. At the top level: defaults for every environment.',
  });

export type ApprovalsConfig = z.output<typeof approvalsSchema>;
