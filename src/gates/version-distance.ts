// Pure: how far one version is behind another, by the versioning scheme of the ecosystem: semver (npm, pnpm,
// yarn; Go modules with their "v") or PEP 440 (pip). The distance is positional: a change of the first
// number is a major one, of the second a minor one, anything after them (a third or later number, a
// prerelease, a post release) a patch, 0.x versions included (npm's caret reads a 0.x minor as breaking, but
// the gate judges how far behind a package is, not whether the update is compatible).
// What the scheme does not read ("git", a tag, a URL) cannot be compared, and says so.

export type VersionScheme = 'semver' | 'pep440';
export type Level = 'major' | 'minor' | 'patch';

export type Distance =
  | { kind: 'behind'; level: Level }
  | { kind: 'same' }
  | { kind: 'ahead' }
  | { kind: 'incomparable'; why: string };

/** Numbers in a version can be longer than a double holds exactly (Go's pseudo-version timestamps): as text. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Release {
  /** PEP 440's epoch, which outranks every release number ("0" in semver). */
  epoch: string;
  /** Major, minor, patch, then any further release numbers (PEP 440 allows 1.2.3.4). */
  numbers: string[];
  /** Orders two versions of the same numbers: negative when `this` one is earlier. */
  tail: SemverTail | Pep440Tail;
}
interface SemverTail {
  scheme: 'semver';
  pre: string[];
}
interface Pep440Tail {
  scheme: 'pep440';
  /** Each a rank, then a number compared within it (see parsePep440). */
  key: Array<[number, string]>;
}

const IDENTIFIER = String.raw`(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  String.raw`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(${IDENTIFIER}(?:\.${IDENTIFIER})*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$`,
);

function parseSemver(text: string): Release | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  return {
    epoch: '0',
    numbers: [match[1]!, match[2]!, match[3]!],
    tail: { scheme: 'semver', pre: match[4]?.split('.') ?? [] },
  };
}

/** semver §11: a release is after its prereleases; identifiers one by one, numbers below text; shorter first. */
function compareSemverTail(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNumber = /^\d+$/.test(x);
    const yNumber = /^\d+$/.test(y);
    if (xNumber && yNumber) {
      const order = compareDigits(x, y);
      if (order !== 0) return order;
    } else if (xNumber !== yNumber) return xNumber ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

// PEP 440's spellings, normalised or not: an epoch, release numbers, a pre, post and dev release, and a local
// label (not ordered here: an index, which pip asks for the latest, holds none).
const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

const PRE_PHASE: Record<string, string> = {
  a: '0',
  alpha: '0',
  b: '1',
  beta: '1',
  c: '2',
  rc: '2',
  pre: '2',
  preview: '2',
};

function parsePep440(text: string): Release | undefined {
  const match = PEP440.exec(text.trim());
  if (!match) return undefined;
  const numbers = match[2]!.split('.');
  while (numbers.length < 3) numbers.push('0');
  const phase = match[3] === undefined ? undefined : PRE_PHASE[match[3].toLowerCase()];
  const post = match[5] ?? (match[6] !== undefined ? match[6] || '0' : undefined);
  const dev = match[7] !== undefined ? match[8] || '0' : undefined;
  // PEP 440's order within one release: X.devN < X.aN.devM < X.aN < X.aN.postM < X.bN < X.rcN < X <
  // X.postN.devM < X.postN. As a key: the pre release (a dev release of X itself before all of them, none
  // after them), the post release (none first), the dev release (none last).
  const preRank: [number, string] =
    phase !== undefined ? [1, phase] : dev !== undefined && post === undefined ? [0, '0'] : [2, '0'];
  return {
    epoch: match[1] ?? '0',
    numbers,
    tail: {
      scheme: 'pep440',
      key: [
        preRank,
        [0, phase !== undefined ? match[4] || '0' : '0'],
        post !== undefined ? [1, post] : [0, '0'],
        dev !== undefined ? [0, dev] : [1, '0'],
      ],
    },
  };
}

function comparePep440Tail(a: Array<[number, string]>, b: Array<[number, string]>): number {
  for (let i = 0; i < a.length; i++) {
    const [rank, value] = a[i]!;
    const [otherRank, otherValue] = b[i]!;
    if (rank !== otherRank) return rank < otherRank ? -1 : 1;
    const order = compareDigits(value, otherValue);
    if (order !== 0) return order;
  }
  return 0;
}

/** Longer text is no version of any registry (and is not given to the patterns). */
const MAX_VERSION = 256;
const SCHEME_NAME: Record<VersionScheme, string> = {
  semver: 'a semver version',
  pep440: 'a PEP 440 version',
};
const LEVELS: Level[] = ['major', 'minor', 'patch'];

/** Pure: how far `current` is behind `latest`, each read by `scheme`. */
export function versionDistance(current: string, latest: string, scheme: VersionScheme): Distance {
  const parse = (text: string) =>
    text.length > MAX_VERSION ? undefined : scheme === 'semver' ? parseSemver(text) : parsePep440(text);
  const from = parse(current);
  const to = parse(latest);
  if (!from || !to) {
    const bad = !from ? current : latest;
    return { kind: 'incomparable', why: `${JSON.stringify(cut(bad))} is not ${SCHEME_NAME[scheme]}` };
  }
  const order = (value: number, level: Level): Distance =>
    value < 0 ? { kind: 'behind', level } : { kind: 'ahead' };
  const epoch = compareDigits(from.epoch, to.epoch);
  if (epoch !== 0) return order(epoch, 'major');
  // 1.2.3 and 1.2.3.0 are one release.
  for (let i = 0; i < Math.max(from.numbers.length, to.numbers.length); i++) {
    const number = compareDigits(from.numbers[i] ?? '0', to.numbers[i] ?? '0');
    if (number !== 0) return order(number, LEVELS[Math.min(i, 2)]!);
  }
  const tail =
    from.tail.scheme === 'semver' && to.tail.scheme === 'semver'
      ? compareSemverTail(from.tail.pre, to.tail.pre)
      : comparePep440Tail((from.tail as Pep440Tail).key, (to.tail as Pep440Tail).key);
  return tail === 0 ? { kind: 'same' } : order(tail, 'patch');
}

function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
