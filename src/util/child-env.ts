// The environment every command this program starts receives (target commands, hooks, gate commands, metrics
// and logs commands, its own git calls): this process's environment without what the runner gives a
// JavaScript action and not a workflow's `run:` step, then the command's own variables. The runner gives the
// action its inputs as INPUT_* (the github-token, the state-key, which authenticates the state records read
// back: a deploy script holding it could sign a record of its own) and the Actions runtime's token and
// service URLs (caches, artifacts, results). A `run:` step gets none of them, nor should a command run here.
// The OIDC request pair (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN) stays: the runner gives it to `run:` steps too
// (with `permissions: id-token: write`), and keyless signing or a cloud login in a command reads it.
// No imports: the CLI's start uses it (defaultVersion), before anything else loads.

/** Variables of this process no command receives, by exact name (compared in upper case, as Windows does). */
const WITHHELD_NAMES: ReadonlySet<string> = new Set([
  // The Actions runtime: its token, and the services it is for.
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_SERVICE_V2',
  // The App's marker key, which `deploy-action state-key` derives every environment's state key from, and the
  // one being rotated out: the App still accepts the records signed with the state keys derived from it.
  'DEPLOY_ACTION_MARKER_KEY',
  'DEPLOY_ACTION_MARKER_KEY_PREVIOUS',
]);

/** Prefixes of withheld variables: the action's inputs (INPUT_GITHUB-TOKEN, INPUT_STATE-KEY, every other). */
const WITHHELD_PREFIXES: readonly string[] = ['INPUT_'];

/** Whether a variable of this process's environment is kept from the commands it starts. */
export function isWithheld(name: string): boolean {
  const upper = name.toUpperCase();
  return WITHHELD_NAMES.has(upper) || WITHHELD_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/**
 * A command's environment: `base` (this process's environment, read now: it holds the command's marker,
 * util/process-group.ts) without the withheld variables, then `own`, which wins (the config's `env:` and
 * the DEPLOY_* values: set on purpose, never withheld). Spawn with `extendEnv: false`.
 */
export function commandEnv(
  own: Readonly<Record<string, string>> = {},
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base))
    if (value !== undefined && !isWithheld(name)) env[name] = value;
  return Object.assign(env, own);
}
