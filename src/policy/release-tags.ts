// `release_tags`: an environment that deploys only tagged releases. Pure: which tag names a pattern matches,
// what a pattern that no git tag name can match looks like, and the literal prefix the App lists tags under.
// The App reads the tags (app/facts/release-tags.ts); evaluate.ts decides on what it read.
import picomatch from 'picomatch';

/** A tag the App read, with the commit it points at (an annotated tag dereferenced to its commit). */
export interface ReleaseTag {
  /** The tag's name, without `refs/tags/`. */
  name: string;
  /** The full SHA of the commit it points at. */
  sha: string;
}

/**
 * What the App read of the tags for a decision: the tags matching the patterns whose commit it knows (every
 * one of them, or at least one on the commit deployed), or why it could not tell (fail closed).
 */
export type ReleaseTagFacts = { ok: true; tags: readonly ReleaseTag[] } | { ok: false; reason: string };

// `*` stops at `/` (picomatch's default, as for paths): `v*` is v1.2.3, not v1/hotfix; `**` crosses `/`.
const OPTIONS = { dot: true } as const;

/** Whether a tag name matches one of the patterns (validated by releaseTagPatternProblem). */
export function releaseTagMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  return picomatch([...patterns], OPTIONS);
}

// Characters picomatch may read as more than themselves: the literal prefix ends before the first of them.
const GLOB_CHARACTER = /[*?[\]{}()!+@\\]/;

/**
 * The literal start every tag the patterns match shares (e.g. "v" for `v*` and `v2.*`): the App lists only
 * the tags under it. Empty: all tags.
 */
export function releaseTagPrefix(patterns: readonly string[]): string {
  const prefixes = patterns.map((pattern) => {
    const at = pattern.search(GLOB_CHARACTER);
    return at === -1 ? pattern : pattern.slice(0, at);
  });
  if (prefixes.length === 0) return '';
  let common = prefixes[0]!;
  for (const prefix of prefixes.slice(1)) {
    let length = 0;
    while (length < common.length && length < prefix.length && common[length] === prefix[length]) length++;
    common = common.slice(0, length);
  }
  return common;
}

/** A brace group that is glob syntax: a list (`{a,b}`) or a range (`{1..3}`); `{1}` is itself. */
const BRACE_GROUP = /\{(?:[^{}]*,[^{}]*|[A-Za-z0-9-]+\.\.[A-Za-z0-9-]+)\}/g;

/**
 * The pattern with each brace group as `*` (innermost first): what is left is what a matching name holds as
 * written. `v{1..3}.*` holds no "..", `release@{1,2}` no "@{".
 */
function withoutBraceGroups(pattern: string): string {
  let text = pattern;
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(BRACE_GROUP, '*');
  }
  return text;
}

/**
 * Why a `release_tags` pattern can never match a git tag name, or is not the glob it looks like; undefined
 * when it is fine. Git refuses in a ref name: controls and spaces, `~ ^ : \`, `..`, `@{`, `//`, a part
 * starting with `.`, a name starting or ending with `/`, ending with `.` or `.lock`.
 */
export function releaseTagPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'must not be empty: write a tag name or a glob such as "v*"';
  if (pattern.trim() !== pattern)
    return `"${pattern}" has blanks around the pattern, which no tag name has: write "${pattern.trim()}"`;
  if (/^refs\//.test(pattern))
    return `"${pattern}" is matched against the tag's name, without refs/tags/: write "${pattern.replace(/^refs\/(?:tags\/)?/, '')}"`;
  if (pattern.startsWith('!'))
    return `"${pattern}" is a negated pattern, which would allow every other tag: list the tags that are releases`;
  const never = (what: string) => `"${pattern}" can never match a git tag name: git refuses ${what} in one`;
  if (/[\p{Cc}\s]/u.test(pattern)) return never('spaces and control characters');
  const forbidden = /[~^:\\]/.exec(pattern);
  if (forbidden)
    return never(forbidden[0] === '^' ? '"^" (for a negated class write [!...])' : `"${forbidden[0]}"`);
  const names = withoutBraceGroups(pattern);
  if (names.includes('..')) return never('".."');
  if (names.includes('@{')) return never('"@{"');
  if (pattern.includes('//')) return never('"//"');
  if (pattern.startsWith('/') || pattern.endsWith('/')) return never('a "/" at the start or the end');
  if (/(?:^|\/)\./.test(pattern)) return never('a part starting with "."');
  if (pattern.endsWith('.') || pattern.endsWith('.lock')) return never('a name ending with "." or ".lock"');
  try {
    picomatch.makeRe(pattern, { ...OPTIONS, strictBrackets: true });
  } catch (error) {
    return `"${pattern}" is not a valid glob: ${(error as Error).message}`;
  }
  return undefined;
}
