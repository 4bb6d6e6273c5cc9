// Documentation placeholders that have the shape of a secret: `AKIAXXXXXXXXXXXXXXXX`, `ghp_xxxx…`,
// `sk_live_0000…`, `xoxb-your-bot-token-here`, `api_key: 0123456789abcdef…`. A real key is random: it holds no
// placeholder word, is not one character over and over, and does not count up through the alphabet.
import { shannonEntropy } from './secret-entropy.ts';

/** Words and marks that say "put yours here", in any value (the AWS documentation keys end in EXAMPLE). */
export const PLACEHOLDER =
  /example|sample|changeme|change_me|placeholder|dummy|your[_-]|xxxx|\*\*\*\*|<[^>]*>|\$\{|\{\{/i;

/**
 * "your" opening the value or a word of it, "here" ending it (`ghp_YourGitHubTokenGoesHere`): four letters at
 * a fixed place, one random token in a million has them.
 */
const PLACEHOLDER_WORDS = /(?:^|[-_./])your|here$/i;

/**
 * Whether the random part of a token of a known format (what follows its fixed prefix) is a placeholder:
 * a placeholder word, hardly more than one character (`XXXX`, `0000`, `xxxx-xxxx`: under 2 bits each
 * where a random token has 4 or more), or characters counting up (`1234567890abcdef…`).
 */
export function isPlaceholderToken(body: string): boolean {
  return isPlaceholderValue(body) || isCountingUp(body);
}

/**
 * The same for a value of free form (a password, a key assigned to a name): counting up only from 16
 * characters, since a short one (`12345678`, `abc123456789`) may be a real, weak, password.
 */
export function isPlaceholderValue(value: string): boolean {
  return (
    PLACEHOLDER.test(value) ||
    PLACEHOLDER_WORDS.test(value) ||
    (value.length >= 8 && shannonEntropy(value) < 2) ||
    (value.length >= 16 && isCountingUp(value))
  );
}

/**
 * At least 60 % of neighbouring characters one code point apart, going up (`abcdef`, `123456`,
 * `abc123def456`): a random text of 62 characters has that for about 1 pair in 62.
 */
export function isCountingUp(value: string): boolean {
  if (value.length < 8) return false;
  let up = 0;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) - value.charCodeAt(i - 1) === 1) up++;
  return up >= 0.6 * (value.length - 1);
}

/**
 * A value elided in documentation (`sk_live_abc123...`, `ghp_a1B2…`): what is written is a start to show,
 * not the secret. `rest` is the text after the value on its line.
 */
export function isElided(value: string, rest: string): boolean {
  return value.includes('...') || rest.startsWith('…');
}
