import { test } from 'node:test';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as FileSystem from 'node:fs';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { scanFiles, secretsGate } from '../../../src/gates/secrets.ts';
import { CHUNK_BYTES } from '../../../src/gates/secrets-file.ts';
import { runGates } from '../../../src/gates/runner.ts';
import type { SecretsConfig } from '../../../src/gates/schema/secrets.ts';
import {
  DEFAULT_SCAN_OPTIONS,
  redact,
  redactSecrets,
  scanText,
  shannonEntropy,
} from '../../../src/gates/secret-rules.ts';
import { changedFilesProvider } from '../../../src/gates/changes.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { git } from '../../helpers/git.ts';

// Secret-shaped values are assembled at run time so that this repository never contains one literally.
const j = (...parts: string[]) => parts.join('');
const S = {
  awsId: j('AKIA', 'Q3EGRUZ5VX7W2M4N'),
  awsSecret: j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYz9Qk3LmNp0'),
  github: j('ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'),
  githubPat: j(
    'github_pat_',
    '11A7QKZ3NB0wX9pLr4Tb2_',
    'Hk8sDq3Vn6Yt1Gm5Jx0Lc7Pw2Rz9Fb4Ne6Ua3Ki8Oy5Sd1Th7Wv2Xm4Cq9Ej',
  ),
  slackToken: j('xoxb-', '2048-4096-', 'aB3dE5gH7jK9mN1pQ3sT5vW7'),
  slackHook: j('https://hooks.slack.com/services/', 'T0ABCDEFG/B0HIJKLMN/', 'q1W2e3R4t5Y6u7I8o9P0a1S2'),
  stripe: j('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc9Qx2'),
  azure:
    j(
      'q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6',
      'q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9==',
    ).slice(0, 86) + '==',
  jwt: j(
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    '.',
    'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ',
    '.',
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ),
  password: j('Zq8#vL2!', 'pW9xR4tY7u'),
  keyBody: j('MIIEowIBAAKCAQEA7b3Lq9', 'xYz0123456789abcdefABCDEF'),
};
const keyBlock = (kind: string) =>
  [
    `-----BEGIN ${kind}PRIVATE KEY-----`,
    S.keyBody,
    'aGVsbG8gd29ybGQgdGhpcyBpcyBmYWtl',
    `-----END ${kind}PRIVATE KEY-----`,
  ].join('\n');
const gcpJson = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'demo',
    private_key_id: 'abc',
    private_key: `-----BEGIN PRIVATE KEY-----\n${S.keyBody}\n-----END PRIVATE KEY-----\n`,
    client_email: 'svc@demo.iam.gserviceaccount.com',
  },
  null,
  2,
);

async function repo(t: { after(fn: () => Promise<void>): void }, files: Record<string, string | Buffer>) {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-gate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q');
  await write(dir, files);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'base', '--allow-empty');
  await git(dir, 'tag', 'base');
  return dir;
}
async function write(dir: string, files: Record<string, string | Buffer>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
function context(cwd: string, baseRef?: string): GateContext {
  return {
    cwd,
    ...(baseRef ? { baseRef } : {}),
    changedFiles: changedFilesProvider(cwd, baseRef),
    signal: new AbortController().signal,
    log: () => {},
    env: process.env,
  };
}
const run = (config: unknown, ctx: GateContext) =>
  secretsGate.run(secretsGate.schema.parse(config) as SecretsConfig, ctx);

test('detects every built-in kind, with line numbers, and never puts the raw secret in the verdict', async (t) => {
  const dir = await repo(t, {
    'config/aws.ini': `[default]\naws_access_key_id = ${S.awsId}\naws_secret_access_key = ${S.awsSecret}\n`,
    'src/github.ts': `const a = 1;\nexport const token = '${S.github}';\nexport const pat = "${S.githubPat}";\n`,
    'src/slack.py': `SLACK = "${S.slackToken}"\nHOOK = "${S.slackHook}"\n`,
    'src/pay.rb': `Stripe.api_key = "${S.stripe}"\n`,
    'deploy/azure.env': `CONN=DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=${S.azure};EndpointSuffix=core.windows.net\n`,
    'keys/id_rsa': keyBlock('RSA '),
    'keys/id_ed25519': keyBlock('OPENSSH '),
    'keys/gcp.json': gcpJson,
    'test/auth.http': `Authorization: Bearer ${S.jwt}\n`,
    'src/db.ts': `const db = {\n  host: 'localhost',\n  password: '${S.password}',\n};\n`,
  });
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '13 secrets in 10 files of the tree');
  // gcp.json also holds a PEM header inside the JSON string: the specific rule wins, the secret counts once.
  assert.deepEqual(
    verdict.findings.map((f) => `${f.path}:${f.line} ${f.rule}`),
    [
      'config/aws.ini:2 secrets.aws-access-key-id',
      'config/aws.ini:3 secrets.aws-secret-access-key',
      'deploy/azure.env:1 secrets.azure-storage-key',
      'keys/gcp.json:5 secrets.gcp-service-account-key',
      'keys/id_ed25519:1 secrets.private-key',
      'keys/id_rsa:1 secrets.private-key',
      'src/db.ts:3 secrets.generic-secret',
      'src/github.ts:2 secrets.github-token',
      'src/github.ts:3 secrets.github-fine-grained-token',
      'src/pay.rb:1 secrets.stripe-key',
      'src/slack.py:1 secrets.slack-token',
      'src/slack.py:2 secrets.slack-webhook',
      'test/auth.http:1 secrets.jwt',
    ],
  );
  const rules = new Set(verdict.findings.map((f) => f.rule));
  for (const rule of [
    'aws-access-key-id',
    'aws-secret-access-key',
    'azure-storage-key',
    'gcp-service-account-key',
    'private-key',
    'generic-secret',
    'github-token',
    'github-fine-grained-token',
    'stripe-key',
    'slack-token',
    'slack-webhook',
    'jwt',
  ]) {
    assert.ok(rules.has(`secrets.${rule}`), `missing ${rule}: ${[...rules].join(', ')}`);
  }
  const json = JSON.stringify(verdict);
  for (const [name, secret] of Object.entries(S)) {
    assert.ok(!json.includes(secret), `${name} leaked into the verdict`);
    assert.ok(!json.includes(secret.slice(4, -4)), `the middle of ${name} leaked into the verdict`);
  }
  const github = verdict.findings.find((f) => f.rule === 'secrets.github-token')!;
  assert.match(github.message, /^GitHub token ghp_…q7R8 \(fingerprint [0-9a-f]{64}\)$/);
  assert.equal(github.column, 23);
  const key = verdict.findings.find((f) => f.path === 'keys/id_rsa')!;
  assert.match(key.message, /^private key block RSA PRIVATE KEY block \(fingerprint/);
});

test('exact findings per file', async (t) => {
  const dir = await repo(t, {
    'a.txt': `line one\nkey: ${S.github}\n\nAKIA in prose is fine, ${S.awsId} is not\n`,
  });
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.deepEqual(
    verdict.findings.map((f) => [f.line, f.column, f.rule]),
    [
      [2, 6, 'secrets.github-token'],
      [4, 24, 'secrets.aws-access-key-id'],
    ],
  );
});

test('no false positives on placeholders, references to the environment, low-entropy values and AWS examples', async (t) => {
  const dir = await repo(t, {
    'src/ok.ts': [
      'const password = process.env.DB_PASSWORD;',
      'const token = config.auth.tokenValue;',
      "password: 'changeme-changeme'",
      "api_key = '<your-api-key-here>'",
      'secret: ${{ secrets.DEPLOY_TOKEN }}',
      "password = 'aaaaaaaaaaaaaaaa'",
      `aws_access_key_id = ${j('AKIA', 'IOSFODNN7EXAMPLE')}`,
      'const tokenizer = new Tokenizer();',
      "tokenizer: 'whitespace-tokenizer-v2'",
      'secret_env: AUDIT_WEBHOOK_SECRET',
      'token_env: SLACK_BOT_TOKEN_V2',
      'const passwordHash = await bcrypt.hash(password, 10);',
      "auth_url = 'https://auth.example.com/oauth2/token'",
      'ghp_ is the prefix of GitHub tokens',
    ].join('\n'),
  });
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.deepEqual(verdict, { status: 'pass', summary: 'no secrets in 1 file of the tree', findings: [] });
});

test('an upper-case value is still a secret unless it reads as a variable name', async (t) => {
  const dir = await repo(t, {
    'deploy.env': [
      'PASSWORD=Q7XK2PLMZ8RTVW4N',
      'API_TOKEN=AB3D_9XQ2_ZK7P_M4RT',
      'SECRET_NAME=DB_PASSWORD',
    ].join('\n'),
  });
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.deepEqual(
    verdict.findings.map((f) => [f.line, f.rule]),
    [
      [1, 'secrets.generic-secret'],
      [2, 'secrets.generic-secret'],
    ],
  );
});

test('scope "changed" scans only the files changed against the base; without a base, the whole tree', async (t) => {
  const dir = await repo(t, {
    'old.ts': `export const token = '${S.github}';\n`,
    'app.ts': 'export const a = 1;\n',
  });
  await write(dir, {
    'app.ts': `export const a = 1;\nexport const key = '${S.stripe}';\n`,
    'new.ts': 'export {};\n',
  });
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'change');
  const changed = await run({}, context(dir, 'base'));
  assert.equal(changed.status, 'block');
  assert.equal(changed.summary, '1 secret in 2 changed files');
  assert.deepEqual(
    changed.findings.map((f) => [f.path, f.line, f.rule]),
    [['app.ts', 2, 'secrets.stripe-key']],
  );
  const noBase = await run({}, context(dir));
  assert.equal(noBase.summary, '2 secrets in 3 files of the tree');
});

test('allowlist by path glob and by the fingerprint printed in the finding', async (t) => {
  const dir = await repo(t, {
    'fixtures/fake-keys/id_rsa': keyBlock('RSA '),
    'src/a.ts': `const token = '${S.github}';\n`,
    'src/b.ts': `const token = '${S.github}';\n`,
  });
  const first = await run({ scope: 'all', allow: { paths: ['fixtures/**'] } }, context(dir));
  assert.deepEqual(
    first.findings.map((f) => f.path),
    ['src/a.ts', 'src/b.ts'],
  );
  const print = /fingerprint ([0-9a-f]{64})/.exec(first.findings[0]!.message)![1]!;
  // The fingerprint covers rule, path and secret: the same token in b.ts is still reported.
  const second = await run(
    { scope: 'all', allow: { paths: ['fixtures/**'], fingerprints: [print] } },
    context(dir),
  );
  assert.equal(second.summary, '1 secret in 3 files of the tree (1 allowed by fingerprint)');
  assert.equal(second.findings[0]!.path, 'src/b.ts');
  assert.equal(secretsGate.schema.safeParse({ allow: { fingerprints: ['abc'] } }).success, false);
});

test('binary files and files over the size limit are skipped and counted', async (t) => {
  const dir = await repo(t, {
    'img.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(S.github)]),
    'big.log': `${'x'.repeat(2000)}\n${S.github}\n`,
    'small.txt': 'hello\n',
  });
  const verdict = await run({ scope: 'all', max_file_bytes: 1000 }, context(dir));
  assert.deepEqual(verdict, {
    status: 'pass',
    summary: 'no secrets in 3 files of the tree (1 binary skipped, 1 over 1000 bytes skipped)',
    findings: [],
  });
});

test('gitleaks JSON and SARIF reports: findings redacted; malformed or missing reports block', async (t) => {
  const dir = await repo(t, { 'README.md': 'hi\n' });
  const gitleaks = [
    {
      Description: 'Identified a Slack Bot token',
      StartLine: 3,
      EndLine: 3,
      StartColumn: 10,
      EndColumn: 60,
      Match: `token = "${S.slackToken}"`,
      Secret: S.slackToken,
      File: join(dir, 'src/bot.js'),
      Commit: '5d1c7e8',
      Entropy: 4.2,
      RuleID: 'slack-bot-token',
      Fingerprint: `5d1c7e8:src/bot.js:slack-bot-token:3`,
    },
  ];
  await write(dir, {
    'reports/gitleaks.json': JSON.stringify(gitleaks),
    'reports/gitleaks.sarif': JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'gitleaks',
              rules: [{ id: 'github-pat', shortDescription: { text: 'GitHub PAT' } }],
            },
          },
          results: [
            {
              ruleId: 'github-pat',
              message: { text: 'github-pat has detected secret for file lib/x.js.' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'lib/x.js' },
                    region: { startLine: 7, startColumn: 3, snippet: { text: S.github } },
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  // gitleaks' SARIF saved under another name (`--report-format sarif --report-path gitleaks.sarif.json`) is
  // SARIF by its content; an object that is no SARIF log either is refused saying so.
  await write(dir, {
    'reports/named/gitleaks.sarif.json': await readFile(join(dir, 'reports/gitleaks.sarif'), 'utf8'),
    'reports/other/gitleaks.json': JSON.stringify({ findings: [] }),
  });
  const renamed = await run(
    { scope: 'all', reports: 'reports/named/*.json', allow: { paths: ['reports/**'] } },
    context(dir),
  );
  assert.deepEqual(
    renamed.findings.map((f) => [f.path, f.line, f.rule]),
    [['lib/x.js', 7, 'secrets.gitleaks.github-pat']],
  );
  const other = await run(
    { scope: 'all', reports: 'reports/other/*.json', allow: { paths: ['reports/**'] } },
    context(dir),
  );
  assert.equal(other.status, 'block');
  assert.match(other.summary, /^reports\/other\/gitleaks\.json is not a SARIF 2\.1\.0 log/);
  // The reports hold the raw secrets themselves: keep them out of the tree scan.
  const verdict = await run(
    { scope: 'all', reports: 'reports/gitleaks.*', allow: { paths: ['reports/**'] } },
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.rule]),
    [
      ['src/bot.js', 3, 'secrets.gitleaks.slack-bot-token'],
      ['lib/x.js', 7, 'secrets.gitleaks.github-pat'],
    ],
  );
  assert.match(
    verdict.findings[0]!.message,
    /^Identified a Slack Bot token xoxb…5vW7 \(fingerprint [0-9a-f]{64}\)$/,
  );
  assert.match(
    verdict.findings[1]!.message,
    /^github-pat has detected secret for file lib\/x\.js\. ghp_…q7R8 \(fingerprint /,
  );
  const json = JSON.stringify(verdict);
  assert.ok(!json.includes(S.slackToken) && !json.includes(S.github), 'a reported secret leaked');

  await writeFile(join(dir, 'reports/gitleaks.json'), JSON.stringify(gitleaks).slice(0, 100));
  const truncated = await run({ scope: 'all', reports: 'reports/gitleaks.json' }, context(dir));
  assert.equal(truncated.status, 'block');
  assert.match(
    truncated.summary,
    /^gitleaks report reports\/gitleaks\.json is not valid JSON \(it ends before the JSON does: truncated\?\)$/,
  );
  const none = await run({ scope: 'all', reports: 'out/leaks.json' }, context(dir));
  assert.equal(none.summary, `no gitleaks report matched out/leaks.json in ${dir}`);
});

test('a directory that is not a git work tree cannot be listed: the gate throws (the runner blocks)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-nogit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(
    run({ scope: 'all' }, context(dir)),
    /cannot list the files to scan in .*git ls-files failed/,
  );
});

test('redact keeps at most 4 + 4 characters of long values and nothing of short ones', () => {
  assert.equal(redact(S.github), 'ghp_…q7R8');
  assert.equal(redact('abcdefghijklmn'), 'ab…');
  assert.equal(redact('short'), '…');
  assert.equal(redact(keyBlock('EC ')), 'EC PRIVATE KEY block');
});

test('redactSecrets cleans free text, including a whole key block', () => {
  const text = `token=${S.github}\n${keyBlock('RSA ')}\nafter`;
  const clean = redactSecrets(text);
  assert.equal(clean, 'token=ghp_…q7R8\nRSA PRIVATE KEY block\nafter');
  const cut = redactSecrets(keyBlock('RSA ').split('\n').slice(0, 2).join('\n'));
  assert.equal(cut, 'RSA PRIVATE KEY block');
});

test('scanText reports the same as a line-by-line scan and entropy behaves', () => {
  const text = ['a', `x = "${S.github}"`, 'b', `y = "${S.stripe}" z = "${S.github}"`].join('\n');
  assert.deepEqual(
    scanText(text).map((h) => [h.rule, h.line, h.column]),
    [
      ['github-token', 2, 6],
      ['stripe-key', 4, 6],
      ['github-token', 4, 49],
    ],
  );
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
});

// Lines made to make a backtracking regex re-scan the rest of the line from every position: each took
// minutes per megabyte before the rules were bounded. A synchronous scan cannot be interrupted by a test
// timeout, so each runs in a child process that is killed after a generous bound.
test('hostile long lines are scanned in time proportional to their length', async () => {
  const n = 400_000;
  const hostile = {
    'name then a long word': `'token=' + 'x'.repeat(${n})`,
    'a long word then a name': `'x'.repeat(${n}) + ' token'`,
    'names with no value': `'token'.repeat(${n / 5})`,
    'JWT starts inside one run': `'eyJ-'.repeat(${n / 4})`,
    'key headers': `'-----BEGIN PRIVATE KEY-----'.repeat(${Math.round(n / 27)})`,
  };
  const rules = new URL('../../../src/gates/secret-rules.ts', import.meta.url).href;
  for (const [name, expression] of Object.entries(hostile)) {
    const script = `const { scanText } = await import(${JSON.stringify(rules)}); scanText(${expression});`;
    const child = await execa(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
      reject: false,
    });
    assert.equal(child.timedOut, false, `${name}: the scan did not finish within 20 s`);
    assert.equal(child.exitCode, 0, `${name}: ${child.stderr}`);
  }
  // Still found at the end of such a line.
  const tail = scanText(`${'x'.repeat(n)} password = "${S.password}"`);
  assert.deepEqual(
    tail.map((hit) => hit.rule),
    ['generic-secret'],
  );
});

/** A file whose scan takes far longer than a few milliseconds: many lines with secret-like assignments. */
function busyFile(bytes: number): string {
  const line = `const password = "${S.password}"; // token for the auth of the api_key\n`;
  return line.repeat(Math.ceil(bytes / line.length));
}

/**
 * Counts the bytes the scan reads (node:fs readSync, which the main-thread scanner imports: the builtin's ESM
 * exports are synced to the patched function) until the test ends; `onRead` runs after each read. The work
 * done, counted, not timed: "stopped early" is "read far less than the file".
 */
function countReads(t: { after(fn: () => void): void }, onRead: (total: number) => void = () => {}) {
  const fs = createRequire(import.meta.url)('node:fs') as typeof FileSystem;
  const original = fs.readSync;
  let total = 0;
  fs.readSync = ((...args: Parameters<typeof original>) => {
    const read = (original as (...a: unknown[]) => number)(...args);
    total += read;
    onRead(total);
    return read;
  }) as typeof original;
  syncBuiltinESMExports();
  t.after(() => {
    fs.readSync = original;
    syncBuiltinESMExports();
  });
  return () => total;
}

/** The file the stopping tests scan: many chunks (CHUNK_BYTES each), so "stopped early" is read plainly. */
const BIG_FILE = 8 * 1024 * 1024;

test('the scan stops between lines when its signal is aborted, also inside one large file', async (t) => {
  const text = busyFile(BIG_FILE);
  const dir = await repo(t, { 'big.ts': text });
  const controller = new AbortController();
  // Aborted as soon as the scan has read its first chunk of the file: the scan is inside it.
  const read = countReads(t, (total) => {
    if (total > 0) controller.abort(new Error('timed out'));
  });
  const result = await scanFiles(dir, ['big.ts'], 2 * BIG_FILE, DEFAULT_SCAN_OPTIONS, controller.signal);
  assert.deepEqual(result, { error: 'the secret scan was stopped' });
  // It stopped at the next chunk, not once the whole file was scanned.
  assert.ok(read() <= 2 * CHUNK_BYTES, `read ${read()} bytes of ${BIG_FILE} after the abort`);
});

test('under the runner a secret scan given a short timeout blocks as timed out at its deadline', async (t) => {
  const text = busyFile(BIG_FILE);
  const dir = await repo(t, { 'big.ts': text });
  const read = countReads(t);
  const report = await runGates(
    [
      {
        name: 'secrets',
        gate: secretsGate,
        // A huge entropy bar: no finding, so a scan that ran to the end would pass.
        config: secretsGate.schema.parse({ max_file_bytes: 2 * BIG_FILE, entropy: 8 }),
        required: true,
        timeoutMs: 50,
      },
    ],
    {
      cwd: dir,
      // The changed files are known at once, so the scan is under way when the deadline comes.
      baseRef: 'base',
      changedFiles: async () => [{ path: 'big.ts', addedLines: [1], status: 'added' }],
      log: () => {},
      env: {},
    },
    { concurrency: 1 },
  );
  const gate = report.gates[0]!;
  assert.equal(gate.status, 'block');
  assert.equal(gate.summary, 'timed out after 50ms');
  // Decided at the deadline, not after the whole file: the scan (which yields every chunk) was cut short.
  const atVerdict = read();
  assert.ok(atVerdict < BIG_FILE, `the whole file (${BIG_FILE} bytes) was read before the verdict`);
  // And it was stopped, not left reading on in the background.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(read(), atVerdict, 'the scan went on after the verdict');
});

test('a gitleaks finding of a rule that matches a file by its path only (StartLine 0, no secret) blocks on that file', async (t) => {
  const dir = await repo(t, { 'README.md': 'hi\n' });
  // gitleaks' path-only rules (a committed .p12 key store) write no line, column or secret: Go's zero values.
  await write(dir, {
    'reports/gitleaks.json': JSON.stringify([
      {
        RuleID: 'pkcs12-file',
        Description: 'Found a PKCS #12 file, which commonly contain bundled private keys.',
        StartLine: 0,
        EndLine: 0,
        StartColumn: 0,
        EndColumn: 0,
        Match: 'file detected: certs/client.p12',
        Secret: '',
        File: 'certs/client.p12',
        SymlinkFile: '',
        Commit: '',
        Entropy: 0,
        Author: '',
        Email: '',
        Date: '',
        Message: '',
        Tags: [],
        Fingerprint: 'certs/client.p12:pkcs12-file:0',
      },
    ]),
  });
  const verdict = await run(
    { scope: 'all', reports: 'reports/gitleaks.json', allow: { paths: ['reports/**'] } },
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.rule]),
    [['certs/client.p12', undefined, 'secrets.gitleaks.pkcs12-file']],
  );
  assert.match(
    verdict.findings[0]!.message,
    /^Found a PKCS #12 file, which commonly contain bundled private keys\. \(the file itself, by its path\) \(fingerprint [0-9a-f]{64}\)$/,
  );
});

test('gitleaks paths under GITHUB_WORKSPACE are repository-relative when the gate runs elsewhere', async (t) => {
  const dir = await repo(t, { 'README.md': 'hi\n' });
  const workspace = '/home/runner/work/app/app';
  const finding = {
    Description: 'Identified a Slack Bot token',
    StartLine: 3,
    Secret: S.slackToken,
    File: `${workspace}/src/bot.js`,
    RuleID: 'slack-bot-token',
  };
  await write(dir, { 'reports/gitleaks.json': JSON.stringify([finding]) });
  const verdict = await run(
    { scope: 'changed', reports: 'reports/gitleaks.json' },
    { ...context(dir, 'base'), env: { GITHUB_WORKSPACE: workspace } },
  );
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line]),
    [['src/bot.js', 3]],
  );
});

// Code is not data: ordinary and minified JavaScript assigns to names such as token, auth and credentials all
// the time. Lines taken from real bundles (undici, @actions/core, Octokit, Probot, pg) read as secrets once
// the bundles were small enough to be scanned.
test('source code that assigns to secret-like names is not a secret; the same names given data still are', () => {
  const code = [
    'for(let i=policyHeader.length;i!==0;i--){let token=policyHeader[i-1].trim();if(referrerPolicyTokens.has(token))',
    'exports.TOKEN=exports.STRICT_TOKEN=exports.CONNECTION_TOKEN_CHARS=void 0;',
    'cache:kEnumerableProperty,credentials:kEnumerableProperty,attribute:kEnumerableProperty,',
    'let includeCredentials=request.credentials==="include"||request.credentials==="same-origin"',
    'exports.PersonalAccessTokenCredentialHandler=exports.BearerCredentialHandler=exports.BasicCredentialHandler=void 0;',
    'authentication.expiresAt=toTimestamp2(apiTimeInMs,response.data.expires_in)',
    'let cachedAuthentication=getCachedAuthentication(state,options.auth);',
    'let method=options.type==="delete"?deleteToken:deleteAuthorization;',
    'createProbotOctokitWithDefaults({githubToken:this.#state.githubToken,Octokit:this.#state.OctokitBase})',
    '  const authMessage = clientFirstMessageBare + "," + serverFirstMessage + "," + clientFinalMessage',
    'return privateKey.includes("-----BEGIN RSA PRIVATE KEY-----")',
    'const pkcs8Begin="-----BEGIN PRIVATE KEY-----",pkcs8End="-----END PRIVATE KEY-----";',
  ].join('\n');
  assert.deepEqual(
    scanText(code).map((hit) => `${hit.rule}@${hit.line}`),
    [],
  );

  // The same names with data: quoted in code, alone on a .env or YAML line, and a key block with its body.
  const value = 'q7Zt9wLk2Vx8Rb4Nc6Hy3Pm5Jd1Gf0Ts';
  const body = 'MIIEpAIBAAKCAQEA3x9Q7kLm2Vt8Rb4Nc6Hy3Pm5Jd1Gf0TsQ7Zt9wLk2Vx8Rb4Nc6Hy3Pm5Jd1Gf0Ts';
  const data = [
    `const token = "${value}";`,
    `credentials: '${value}',`,
    `API_TOKEN=${value}`,
    `auth_token: ${value}`,
    `{"key": "-----BEGIN RSA PRIVATE KEY-----\\n${body}\\n-----END RSA PRIVATE KEY-----"}`,
  ].join('\n');
  assert.deepEqual(
    scanText(data).map((hit) => `${hit.rule}@${hit.line}`),
    ['generic-secret@1', 'generic-secret@2', 'generic-secret@3', 'generic-secret@4', 'private-key@5'],
  );
});

test('a regex literal assigned to a secret-like name is a pattern, not a secret; the same value as data still is', () => {
  const value = 'q7Zt9wLk2Vx8Rb4Nc6Hy3Pm5Jd1Gf0Ts';
  const patterns = [
    'const AUTH_TOKEN_RE = /^x-amz-security-token$/i;',
    'const tokenPattern = /Bearer-Token-Header-Value/gi;',
    'const SECRET_PATTERN = /Bearer-Token-Header[-_]Value/g, other = 1;',
    `const SECRET_PATTERN = /${value}/g;`,
    `  apiKey: /${value}/,`,
    `if (TOKEN_RE.test(x)) token_re = /${value}/u.source;`,
  ].join('\n');
  const source = { ...DEFAULT_SCAN_OPTIONS, regexLiterals: true };
  assert.deepEqual(
    scanText(patterns, source).map((hit) => `${hit.rule}@${hit.line}`),
    [],
  );
  // A value in quotes, or one starting with a slash that is no regex literal (a base64 key), is data.
  const data = [
    `const SECRET_PATTERN = "/${value}/";`,
    `API_KEY=/${value}`,
    `API_KEY=/${value.slice(0, 10)}/${value.slice(10)}`,
    `const token = "${value}";`,
  ].join('\n');
  assert.deepEqual(
    scanText(data, source).map((hit) => `${hit.rule}@${hit.line}`),
    ['generic-secret@1', 'generic-secret@2', 'generic-secret@3', 'generic-secret@4'],
  );
  // A token of a known format is found wherever it stands, a regex literal too.
  const github = j('ghp_', 'aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5');
  assert.deepEqual(
    scanText(`const TOKEN_RE = /${github}/;`, source).map((hit) => hit.rule),
    ['github-token'],
  );
});

test('a value between slashes is a pattern only in a language with regex literals: in YAML, .env or ini it is a secret', async (t) => {
  const value = 'q7Zt9wLk2Vx8Rb4Nc6Hy3Pm5Jd1Gf0Ts';
  const base64 = `/${value.slice(0, 12)}+${value.slice(12)}/`;
  const dir = await repo(t, {
    'config/app.yaml': `api_key: /${value}/\nsigning_secret: ${base64}\n`,
    '.env': `API_TOKEN=/${value}/\n`,
    'settings.ini': `[auth]\npassword = ${base64}\n`,
    'deploy/values.toml': `token = /${value}/gi\n`,
    'src/patterns.ts': `export const SECRET_PATTERN = /${value}/g;\nexport const apiKey = /${value}/;\n`,
    'lib/patterns.mjs': `const TOKEN_RE = /^${value}$/i;\n`,
    'lib/check.rb': `TOKEN_RE = /${value}/\n`,
    'public/index.html': `<script>const apiKeyPattern = /${value}/g;</script>\n`,
  });
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.rule]),
    [
      ['.env', 1, 'secrets.generic-secret'],
      ['config/app.yaml', 1, 'secrets.generic-secret'],
      ['config/app.yaml', 2, 'secrets.generic-secret'],
      ['deploy/values.toml', 1, 'secrets.generic-secret'],
      ['settings.ini', 2, 'secrets.generic-secret'],
    ],
  );
  // Text with no file kind (a message to redact) is data too.
  assert.equal(scanText(`api_key: /${value}/`).length, 1);
});

test('scope all: a tracked file deleted in the working tree has nothing to scan, and does not block', async (t) => {
  const dir = await repo(t, { 'src/kept.ts': 'export const a = 1;\n', 'dist/old-chunk.js': 'export {};\n' });
  await rm(join(dir, 'dist/old-chunk.js'));
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.equal(verdict.status, 'pass', verdict.summary);
  assert.equal(verdict.summary, 'no secrets in 1 file of the tree');
});

test('cloud and service keys beyond GitHub and AWS, and a password in a URL, are found; dev passwords and variables in URLs are not', async (t) => {
  const gitlab = j('glpat-', 'x7Rq2Lm9Vt4Kp8Wz3Nb6');
  const gcp = j('AIza', 'SyD4x7Qw9eR2tY6uI8oP0aS3dF5gH7jK9lZ');
  const openai = j('sk-proj-', 'a1B2c3D4e5F6g7H8i9J0', 'T3BlbkFJ', 'k1L2m3N4o5P6q7R8s9T0');
  const dir = await repo(t, {
    '.env': [
      `DATABASE_URL=postgres://app:${S.password}@db.internal:5432/app`,
      `REDIS_URL=redis://:${S.password}@cache:6379`,
      `GITLAB_TOKEN=${gitlab}`,
    ].join('\n'),
    'src/maps.js': `const maps = loadMaps("${gcp}");\nconst ai = new OpenAI({ key: "${openai}" });\n`,
    'docker-compose.yml': [
      'DATABASE_URL: postgres://postgres:postgres@localhost:5432/test',
      'url: postgres://app:${DB_PASSWORD}@db/app',
      'url: mysql://root:$MYSQL_ROOT_PASSWORD@db/app',
      'url: https://user:<password>@registry.example.org',
      'homepage: https://example.org:8443/docs',
    ].join('\n'),
  });
  const verdict = await run({ scope: 'all' }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.column, f.rule]),
    [
      ['.env', 1, 29, 'secrets.url-credentials'],
      ['.env', 2, 20, 'secrets.url-credentials'],
      ['.env', 3, 14, 'secrets.gitlab-token'],
      ['src/maps.js', 1, 24, 'secrets.gcp-api-key'],
      ['src/maps.js', 2, 31, 'secrets.openai-api-key'],
    ],
  );
  // Redacted as every other secret: never the password or the key itself.
  const shown = JSON.stringify(verdict);
  for (const secret of [S.password, gitlab, gcp, openai]) assert.ok(!shown.includes(secret));
  assert.equal(
    redactSecrets(`connecting to postgres://app:${S.password}@db`),
    'connecting to postgres://app:Zq…@db',
  );
});
