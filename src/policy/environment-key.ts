// GitHub's environment names ignore case: a workflow's job for "Production" deploys to the environment the
// config calls `production`. The config refuses two keys differing only in case (policyIssues), so a name
// GitHub gives matches at most one key; this finds it, so every decision about it reads that key's policy
// and the approvals, gates and notices written under that key.

/**
 * Pure: the config's key for the GitHub environment `name`: the key written exactly so, else the one key
 * equal to it without case; undefined when none is (or, in a config the loader would refuse, several are).
 */
export function configEnvironment(
  environments: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  if (Object.hasOwn(environments, name)) return name;
  const lower = name.toLowerCase();
  const keys = Object.keys(environments).filter((key) => key.toLowerCase() === lower);
  return keys.length === 1 ? keys[0] : undefined;
}
