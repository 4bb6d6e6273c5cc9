// Which Node.js releases the built CLI runs on: the maintained release lines whose APIs it uses
// (fs.glob is stable from 22.17). Pure, so it can be tested without an old Node at hand.
export const MINIMUM_NODE = { major: 22, minor: 17 } as const;

/** A one-line explanation when `version` (process.versions.node) is too old, else undefined. */
export function nodeReleaseProblem(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  const { major: needMajor, minor: needMinor } = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `needs Node.js 24 (or ${needMajor}.${needMinor} and newer), and this is Node.js ${version}: ` +
    `install Node.js 24 LTS (for example \`nvm install 24\`) and run it again`
  );
}
