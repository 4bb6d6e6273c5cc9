// The one version rule, in a file of its own: the CLI checks --version with it at start, and the rest of
// deployment-payload.ts (the payload's zod schema) is not needed there.

/**
 * The one version rule: the payload, the action's inputs, workflow_dispatch inputs, the App's /deploy and the
 * CLI all use it. Not empty (an empty version would be deployed and recorded as live) and not starting with
 * "-" (a command given the version as an argument would read it as an option, e.g. `--help`).
 */
export const VERSION_RULE = /^(?!-)[\w.+-]{1,128}$/;
export const VERSION_RULE_TEXT =
  'a version is 1-128 letters, digits, ".", "_", "+" or "-", and does not start with "-"';
