// What a provider is given to authenticate with never comes back in what it says. Its messages quote text
// it does not control (a Prometheus server's error text and warnings, a command's stderr and stdout), and a
// proxy answering "invalid token <token>" or a script running `echo "denied for $API_TOKEN" >&2` echoes the
// credential into the job log, a check run and a recording. Each is masked there as `***`, in every form
// util/secret-values.ts knows (its lines, URL-encoded, as JSON writes it).
import { secretValueRedactor } from '../../util/secret-values.ts';
import type { ProviderError } from '../types.ts';

/**
 * The credentials in request headers: each value whole, the part after an auth scheme (`Bearer <token>`,
 * which a server may quote alone), and basic auth's decoded `user:password` and password.
 */
export function headerSecrets(headers: Readonly<Record<string, string>> = {}): string[] {
  return Object.values(headers).flatMap((value) => {
    const scheme = /^\s*([A-Za-z][\w-]*)\s+(\S.*?)\s*$/.exec(value);
    if (!scheme) return [value];
    const credential = scheme[2]!;
    if (scheme[1]!.toLowerCase() !== 'basic') return [value, credential];
    const userinfo = Buffer.from(credential, 'base64').toString('utf8');
    const colon = userinfo.indexOf(':');
    return [value, credential, userinfo, ...(colon >= 0 ? [userinfo.slice(colon + 1)] : [])];
  });
}

/** `errors` with every one of `secrets` in their messages masked (none: the errors as they are). */
export function ownSecretsHider(
  secrets: readonly string[],
): <E extends Pick<ProviderError, 'message'>>(errors: E[]) => E[] {
  const hide = secretValueRedactor(secrets);
  return (errors) =>
    secrets.length === 0 ? errors : errors.map((error) => ({ ...error, message: hide(error.message) }));
}
