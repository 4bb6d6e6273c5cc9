// The secret values a config names instead of holding: each `*_env` key (a channel's token_env,
// webhook_url_env, url_env, secret_env; a Prometheus provider's headers_env, a mapping of such names) names a
// variable whose value is a secret, a webhook URL as a whole and in its parts. Read as soon as the config is
// loaded, so every output masks them from its first line: before, only a notifier knew them, made after the
// CLI's output and the Action's GitHub reporter, which showed a failing command's `echo $SLACK_URL` as it was.
import { urlSecrets } from '../util/secret-values.ts';

/** A config key that names a variable holding a secret. */
const SECRET_VARIABLE_KEY = /_env$/;

/**
 * The values of the variables of `env` that `config` names by a `*_env` key anywhere in it, each URL with its
 * parts (urlSecrets); unset or empty variables give nothing. Own keys only: a name such as `constructor` is
 * not a variable that is set.
 */
export function configSecretValues(config: unknown, env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  const add = (variable: string) => {
    const secret = Object.hasOwn(env, variable) ? env[variable] : undefined;
    if (secret) values.push(secret, ...urlSecrets(secret));
  };
  const namesVariables = (node: unknown): node is Record<string, string> =>
    typeof node === 'object' &&
    node !== null &&
    !Array.isArray(node) &&
    Object.values(node).every((variable) => typeof variable === 'string');
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (SECRET_VARIABLE_KEY.test(key) && typeof value === 'string') add(value);
      // A mapping of names to variables (a Prometheus provider's headers_env): each value names one. Only
      // one of strings: a name the config chose may end in "_env" too (an environment prod_env, a provider
      // metrics_env), and what is inside it, its channels' token_env, is still looked into.
      else if (SECRET_VARIABLE_KEY.test(key) && namesVariables(value)) Object.values(value).forEach(add);
      else visit(value);
    }
  };
  visit(config);
  return [...new Set(values)];
}
