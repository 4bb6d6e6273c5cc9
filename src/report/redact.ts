// A command line or URL as logs, plans and summaries show it. Credentials written into a config's command
// (curl -H "Authorization: Bearer ...", https://user:password@host) are redacted by both the secrets gate's
// rules (tokens by shape and by entropy) and the config's own masking (URL passwords, well-known key
// shapes): each catches some the other does not.
import { maskSecrets } from '../config/shown.ts';
import { redactSecrets } from '../gates/secret-rules.ts';

export function redactCredentials(text: string): string {
  return maskSecrets(redactSecrets(text));
}
