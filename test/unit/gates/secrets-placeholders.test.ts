// The secrets gate on documentation: regexes that match secrets, and placeholders in the shape of one
// (README code blocks, scanner configs, .env examples), are not reported; a real key beside them still is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { secretsGate } from '../../../src/gates/secrets.ts';
import type { SecretsConfig } from '../../../src/gates/schema/secrets.ts';
import { DEFAULT_SCAN_OPTIONS, redactSecrets, scanText } from '../../../src/gates/secret-rules.ts';
import { changedFilesProvider } from '../../../src/gates/changes.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { git } from '../../helpers/git.ts';

// Secret-shaped values, placeholders too, are assembled at run time so that this repository never holds one.
const j = (...parts: string[]) => parts.join('');
const REAL = {
  awsId: j('AKIA', 'Q3EGRUZ5VX7W2M4N'),
  awsSecret: j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYz9Qk3LmNp0'),
  github: j('ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'),
  stripe: j('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc9Qx2'),
  slack: j('xoxb-', '2048-4096-', 'aB3dE5gH7jK9mN1pQ3sT5vW7'),
  password: j('Zq8#vL2!', 'pW9xR4tY7u'),
  value: j('q7Zt9wLk2Vx8Rb4N', 'c6Hy3Pm5Jd1Gf0Ts'),
  keyBody: j('MIIEowIBAAKCAQEA7b3Lq9', 'xYz0123456789abcdefABCDEF', 'q1W2e3R4t5Y6u7I8'),
};

const rules = (text: string, options = DEFAULT_SCAN_OPTIONS) =>
  scanText(text, options).map((hit) => `${hit.rule}@${hit.line}`);

test('regexes that match secrets are patterns in any file: a regex literal, a quoted or bare pattern', () => {
  const patterns = [
    // What a README's ```js block holds: the file is Markdown, the text is JavaScript.
    'const TOKEN_RE = /^x-amz-security-token$/i;',
    'const apiKeyPattern = /^sk_live_.+$/;',
    'const projectKey = /^sk-proj-.*$/;',
    'const secretRe = /^-----BEGIN.*PRIVATE.KEY-----$/m;',
    'SECRET_KEY_RE = /^secret_key_v1_.*_end$/',
    'token = /^github_pat_.+$/',
    'authorization = /^token-abc-def-ghi$/',
    'token: /Bearer-Token-Header-Value/g',
    // A scanner's or a linter's configuration: patterns in strings, or bare in YAML.
    'api_key_regex: ^sk_live_.+$',
    'secret_regex = "^sk_live_.+$"',
    "token_pattern: '.*_token=.*&'",
    'auth_pattern = ^Bearer-.+-token$',
    'password_rule: "(?i)^password-[a-z]+$"',
    'secret: "/^sk_live_.+$/"',
    'DATABASE_URL=postgres://admin:[^@]{8,}@localhost/db',
  ].join('\n');
  assert.deepEqual(rules(patterns), []);
});

test('a random value stays a secret whatever regex syntax surrounds it, and slashes alone are data', () => {
  const data = [
    `password: ^${REAL.value}$`,
    `password: "^${REAL.password}$"`,
    `password = "Ab3.*${REAL.value}"`,
    `api_key: /${REAL.value}/`,
    `token: "^${REAL.value}.*$"`,
    `secret = /^${REAL.value}$/i`,
  ].join('\n');
  assert.deepEqual(rules(data), [
    'generic-secret@1',
    'generic-secret@2',
    'generic-secret@3',
    'generic-secret@4',
    'generic-secret@5',
    'generic-secret@6',
  ]);
  // In a JavaScript file an unquoted regex literal is a pattern whatever it holds (as before).
  assert.deepEqual(
    rules(`const secret = /^${REAL.value}$/i;`, { ...DEFAULT_SCAN_OPTIONS, regexLiterals: true }),
    [],
  );
});

test('documentation placeholders in the shape of a token are not secrets: XXXX, 0000, counting up, "your…here", elided', () => {
  const X = (n: number, c = 'X') => c.repeat(n);
  const placeholders = [
    `AWS_ACCESS_KEY_ID=${j('AKIA', X(16))}`,
    `aws_access_key_id = ${j('AKIA', X(16, 'A'))}`,
    `AWS_ACCESS_KEY_ID=${j('AKIA', '1234567890ABCDEF')}`,
    `aws_secret_access_key=${j('abcdefghijklmnopqrstuvwxyz', '0123456789ABCD')}`,
    `GITHUB_TOKEN=${j('ghp_', X(36, 'x'))}`,
    `GITHUB_TOKEN=${j('ghp_', X(36, '0'))}`,
    `GITHUB_TOKEN=${j('ghp_', '1234567890abcdefghijklmnopqrstuvwxyz')}`,
    `GITHUB_TOKEN=${j('ghp_', 'YourGitHubPersonalAccessTokenGoesHere')}`,
    `GITHUB_TOKEN=${j('github_pat_', X(62, 'x'))}`,
    `STRIPE_KEY=${j('sk_live_', X(24, 'x'))}`,
    `STRIPE_KEY=${j('sk_test_', X(25, '0'))}`,
    `API_KEY=${j('sk_live_', 'abc123...')}`,
    `API_KEY=${j('sk_live_', 'Qm7dLx9…')}`,
    `SLACK_TOKEN=${j('xoxb-', 'your-bot-token-here')}`,
    `SLACK_TOKEN=${j('xoxb-', X(12, 'x'), '-', X(13, 'x'), '-', X(24, 'x'))}`,
    `SLACK_WEBHOOK=${j('https://hooks.slack.com/services/', 'T', X(8), '/B', X(8), '/', X(24))}`,
    `GITLAB_TOKEN=${j('glpat-', X(20, 'x'))}`,
    `GOOGLE_API_KEY=${j('AIzaSy', X(33))}`,
    `OPENAI_API_KEY=${j('sk-proj-', X(16, 'x'), 'T3BlbkFJ', X(20, 'x'))}`,
    `jwt: ${j('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', X(24))}`,
    `api_key: ${j('0123456789abcdef', '0123456789abcdef')}`,
    'API_TOKEN=<your-token-here>',
    `AWS_ACCESS_KEY_ID=${j('AKIA', 'IOSFODNN7EXAMPLE')}`,
    // A key block of placeholder lines, in a PEM file or a service account's JSON.
    j('-----BEGIN RSA ', 'PRIVATE KEY-----'),
    X(64),
    X(40),
    j('-----END RSA ', 'PRIVATE KEY-----'),
    `{"private_key": "${j('-----BEGIN ', 'PRIVATE KEY-----')}\\n${X(64)}\\n${j('-----END ', 'PRIVATE KEY-----')}\\n"}`,
  ].join('\n');
  assert.deepEqual(rules(placeholders), []);
  // Redaction of logs and messages keeps taking them out: a false hit costs nothing there.
  const redacted = redactSecrets(`pushed with ${j('ghp_', '1234567890abcdefghijklmnopqrstuvwxyz')}`);
  assert.ok(!redacted.includes('567890abcdef'), redacted);
});

test('real tokens are still found next to placeholders, and with an ellipsis after them', () => {
  const text = [
    `AWS_ACCESS_KEY_ID=${REAL.awsId} # not ${j('AKIA', 'X'.repeat(16))}`,
    `aws_secret_access_key = ${REAL.awsSecret}`,
    `GITHUB_TOKEN=${REAL.github}...`,
    `STRIPE_KEY=${REAL.stripe}`,
    `SLACK_TOKEN=${REAL.slack}`,
    `password: "${REAL.password}"`,
    j('-----BEGIN RSA ', 'PRIVATE KEY-----'),
    REAL.keyBody,
    j('-----END RSA ', 'PRIVATE KEY-----'),
  ].join('\n');
  assert.deepEqual(rules(text), [
    'aws-access-key-id@1',
    'aws-secret-access-key@2',
    'github-token@3',
    'stripe-key@4',
    'slack-token@5',
    'generic-secret@6',
    'private-key@7',
  ]);
  // A short value counting up may be a real, weak, password: only a long one reads as a placeholder.
  assert.deepEqual(rules(['password: 123456789012', 'url: postgres://app:abcdef123456@db/app'].join('\n')), [
    'generic-secret@1',
    'url-credentials@2',
  ]);
});

test('a README whose js block holds secret patterns and placeholders passes; a real key in the same block blocks', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-docs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const fence = '```';
  const block = (...lines: string[]) => [`${fence}js`, ...lines, fence].join('\n');
  const docs = block(
    '// Patterns the scanner uses:',
    'const awsKeyId = /AKIA[0-9A-Z]{16}/;',
    'const base64 = /[A-Za-z0-9+\\/]{40}/;',
    'const TOKEN_RE = /^x-amz-security-token$/i;',
    'const apiKeyPattern = /^sk_live_.+$/;',
    '// Configure it:',
    `const client = new Client({ accessKeyId: '${j('AKIA', 'X'.repeat(16))}', token: '<your-token-here>' });`,
    `process.env.STRIPE_KEY = '${j('sk_live_', '...')}';`,
  );
  const files: Record<string, string> = {
    'README.md': `# Usage\n\n${docs}\n`,
    'docs/scanner.rst':
      '.. code-block:: python\n\n   SECRET_RE = "^sk_live_.+$"\n   TOKEN_RE = r"^ghp_\\w{36}$"\n',
    '.gitleaks-example.yaml': "rules:\n  - id: stripe\n    secret_regex: '^sk_live_.+$'\n",
    'docs/leaked.md': block(
      'const TOKEN_RE = /^x-amz-security-token$/i;',
      `aws_access_key_id = ${REAL.awsId}`,
      `aws_secret_access_key = ${REAL.awsSecret}`,
      `const token = '${REAL.github}';`,
    ),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await git(dir, 'init', '-q');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'base');
  const ctx: GateContext = {
    cwd: dir,
    changedFiles: changedFilesProvider(dir, undefined),
    signal: new AbortController().signal,
    log: () => {},
    env: process.env,
  };
  const verdict = await secretsGate.run(secretsGate.schema.parse({ scope: 'all' }) as SecretsConfig, ctx);
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.rule]),
    [
      ['docs/leaked.md', 3, 'secrets.aws-access-key-id'],
      ['docs/leaked.md', 4, 'secrets.aws-secret-access-key'],
      ['docs/leaked.md', 5, 'secrets.github-token'],
    ],
  );
  assert.equal(verdict.summary, '3 secrets in 4 files of the tree');
});
