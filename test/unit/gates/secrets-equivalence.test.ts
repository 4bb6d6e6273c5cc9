// The secret scanner's fast paths (issue 16: byte-level keyword search, no `d` flag on the rules, lazy
// context) against the scan as specified, written the plain way: every line decoded, its keywords found in
// its ASCII-lowercased text, each rule of those keywords matched with indices, the value's context computed
// up front. Same hits, to the column and the raw value, on generated source and on random mixes of every
// rule's secrets with the shapes that decide between a finding and none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SCAN_OPTIONS,
  SECRET_RULES,
  fingerprint,
  redact,
  scanBytes,
  scanText,
  secretEndsPattern,
} from '../../../src/gates/secret-rules.ts';
import type { SecretHit } from '../../../src/gates/secret-rules.ts';
import { FileScanner } from '../../../src/gates/secrets-file.ts';
import { generateFile } from '../../../bench/generate-source.ts';
import { rng } from '../../helpers/random.ts';
import type { Random } from '../../helpers/random.ts';

/** The specified scan of a text: line by line, nothing skipped for speed. */
function referenceScan(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  let offset = 0;
  for (const [index, line] of text.split('\n').entries()) {
    // ASCII case only: a keyword's letters are ASCII, and no other character stands for one (Kelvin sign).
    const lower = line.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    let taken: Array<[number, number]> = [];
    const found: SecretHit[] = [];
    for (const rule of SECRET_RULES) {
      if (!rule.keywords.some((keyword) => lower.includes(keyword))) continue;
      const spans: Array<[number, number]> = [];
      for (const m of line.matchAll(
        new RegExp(rule.pattern.source, `${rule.pattern.flags.replace('d', '')}d`),
      )) {
        const value = m.groups?.secret ?? m[0];
        const column = m.indices?.groups?.secret?.[0] ?? m.index;
        const span: [number, number] = [column, column + value.length];
        if (taken.some(([start, end]) => start < span[1] && span[0] < end)) continue;
        // A key block: the 400 characters of the text from its header on.
        const secret = rule.multiline ? text.slice(offset + m.index, offset + m.index + 400) : value;
        const context = {
          quoted: m.groups?.open !== undefined,
          next: /\S/.exec(line.slice(span[1], span[1] + 200))?.[0] ?? '',
          rest: line.slice(span[1], span[1] + 200),
        };
        if (rule.accept && !rule.accept(secret, DEFAULT_SCAN_OPTIONS, context)) continue;
        spans.push(span);
        found.push({
          rule: rule.id,
          description: rule.description,
          line: index + 1,
          column: column + 1,
          secret,
        });
      }
      taken = [...taken, ...spans];
    }
    hits.push(...found.sort((a, b) => a.column - b.column));
    offset += line.length + 1;
  }
  return hits;
}

// Secret-shaped values are assembled at run time so that this repository never contains one literally.
const j = (...parts: string[]) => parts.join('');
const S = {
  awsId: j('AKIA', 'Q3EGRUZ5VX7W2M4N'),
  awsSecret: j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYz9Qk3LmNp0'),
  github: j('ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'),
  githubPat: j('github_pat_', '11A7QKZ3NB0wX9pLr4Tb2_', 'Hk8sDq3Vn6Yt1Gm5Jx0Lc7Pw2Rz9Fb4Ne6Ua3Ki8Oy5Sd'),
  slackToken: j('xoxb-', '2048-4096-', 'aB3dE5gH7jK9mN1pQ3sT5vW7'),
  slackHook: j('https://hooks.slack.com/services/', 'T0ABCDEFG/B0HIJKLMN/', 'q1W2e3R4t5Y6u7I8o9P0a1S2'),
  stripe: j('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc9Qx2'),
  azure: j('q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6', 'q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K'),
  jwt: j('eyJhbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'SflKxwRJSMeKKF2QT4fwpMeJ'),
  password: j('Zq8#vL2!', 'pW9xR4tY7u'),
  value: j('q7Zt9wLk2Vx8Rb4N', 'c6Hy3Pm5Jd1Gf0Ts'),
  keyBody: j('MIIEowIBAAKCAQEA7b3Lq9', 'xYz0123456789abcdefABCDEF'),
  gitlab: j('glpat-', 'x7Rq2Lm9Vt4Kp8Wz3Nb6'),
  gcp: j('AIza', 'SyD4x7Qw9eR2tY6uI8oP0aS3dF5gH7jK9lZ'),
  openai: j('sk-proj-', 'a1B2c3D4e5F6g7H8i9J0', 'T3BlbkFJ', 'k1L2m3N4o5P6q7R8s9T0'),
  urlPassword: j('Zq8#vL2!', 'pW9xR4tY7u'),
};

/** Pieces of a line: secrets in their settings, near misses, and text around them. */
const PIECES: Array<(r: Random) => string> = [
  () => `token = "${S.github}"`,
  () => `AWS_SECRET_ACCESS_KEY=${S.awsSecret}`,
  () => `aws_key: '${S.awsSecret}' ${S.awsId}`,
  () => `id ${S.awsId.slice(0, -7)}EXAMPLE`,
  () => `Authorization: ${S.githubPat}`,
  () => `${S.slackToken} ${S.slackHook}`,
  () => `key=${S.stripe}`,
  () => `AccountKey=${S.azure.slice(0, 86)}==;`,
  () => `bearer ${S.jwt}`,
  () => `GITLAB_TOKEN=${S.gitlab} maps: ${S.gcp}`,
  () => `client = OpenAI(api="${S.openai}")`,
  (r) =>
    `${pick(r, ['DATABASE_URL=postgres://app', 'url: redis://', 'https://deploy'])}:${S.urlPassword}@${pick(r, ['db:5432/app', 'cache', 'example.org'])}`,
  () => 'url: postgres://postgres:postgres@localhost:5432/test http://host:8080/x@y',
  () => `"private_key": "-----BEGIN PRIVATE KEY-----\\n${S.keyBody}\\n"`,
  () => `-----BEGIN RSA PRIVATE KEY-----\n${S.keyBody}\naGVsbG8gd29ybGQ=\n-----END RSA PRIVATE KEY-----`,
  () => '-----BEGIN PRIVATE KEY-----',
  (r) =>
    `${pick(r, ['password', 'PassWord', 'PASSWD', 'pwd', 'api_key', 'Api-Key', 'apikey'])}: '${S.password}'`,
  (r) =>
    `${pick(r, ['secret', 'SECRET', 'auth', 'credential', 'access_key'])}=${S.value}${pick(r, ['', ' ', ';', '(', ',', ' '.repeat(250) + 'x'])}`,
  () => `accesskey = "${S.value}"`,
  () => `api\u212Aey = "${S.value}"`,
  () => 'password: process.env.DB_PASSWORD,',
  () => 'secret_env: AUDIT_WEBHOOK_SECRET',
  () => 'token=header[i]; auth=getAuth(x)',
  () => `api_key = "your-api-key-here" token: ${S.value.toLowerCase()}`,
  () => 'credentials:kEnumerable,',
  () => 'tok',
  () => 'en',
  () => 'é日本😀',
  () => '\r',
  () => '   ',
  (r) => generateFile(Math.floor(r() * 1e6), 80).split('\n')[0]!,
  (r) => Math.floor(r() * 36 ** 8).toString(36),
];
const SEPARATORS = ['', ' ', '\n', '\r\n', '; ', '\n\n', '\t'];
const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

function mix(r: Random): string {
  let text = '';
  const pieces = 1 + Math.floor(r() * 12);
  for (let i = 0; i < pieces; i++) text += pick(r, PIECES)(r) + pick(r, SEPARATORS);
  return text;
}

/**
 * scanBytes over `text` placed `pad` bytes into a buffer that starts `shift` bytes into its memory; checks
 * the number it returns, the line at the end (what the next chunk of a file starts at).
 */
function scanAt(text: string, pad: number, shift: number): SecretHit[] {
  const bytes = Buffer.from(text);
  const memory = new Uint8Array(shift + pad + bytes.length + 8).fill(0x61);
  const buffer = Buffer.from(memory.buffer, shift, pad + bytes.length);
  bytes.copy(buffer, pad);
  const hits: SecretHit[] = [];
  const lastLine = scanBytes(buffer, pad, buffer.length, buffer.length, 1, DEFAULT_SCAN_OPTIONS, (hit) =>
    hits.push(hit),
  );
  assert.equal(lastLine, text.split('\n').length, `the line at the end of ${JSON.stringify(text)}`);
  return hits;
}

test('the scanner finds what the plain line-by-line scan finds, on random mixes of every rule', () => {
  const r = rng(16);
  const rules = new Set<string>();
  let findings = 0;
  for (let i = 0; i < 3000; i++) {
    const text = mix(r);
    const expected = referenceScan(text);
    assert.deepEqual(scanText(text), expected, `text ${i}: ${JSON.stringify(text)}`);
    // Wherever the text sits in memory and in its buffer (even or odd addresses).
    assert.deepEqual(scanAt(text, i % 5, (i >> 2) % 4), expected, `text ${i} at ${i % 5}, ${(i >> 2) % 4}`);
    for (const hit of expected) rules.add(hit.rule);
    findings += expected.length;
  }
  // The mixes reach every rule, and many findings.
  assert.deepEqual([...rules].sort(), SECRET_RULES.map((rule) => rule.id).sort());
  assert.ok(findings > 3000, `${findings} findings`);
});

test('the scanner finds what the plain line-by-line scan finds on generated source files', () => {
  let findings = 0;
  for (let seed = 1; seed <= 24; seed++) {
    const text = generateFile(seed, 16 * 1024 + seed * 997);
    const expected = referenceScan(text);
    assert.deepEqual(scanText(text), expected, `seed ${seed}`);
    assert.deepEqual(scanAt(text, seed % 3, seed % 2), expected, `seed ${seed}, shifted`);
    findings += expected.length;
  }
  assert.ok(findings > 0);
});

/** For each keyword, a line its rule reports. */
const BY_KEYWORD: Record<string, string> = {
  private_key: `"private_key": "-----BEGIN PRIVATE KEY-----\\n${S.keyBody}\\n"`,
  'private key': `-----BEGIN EC PRIVATE KEY-----\n${S.keyBody}\n-----END EC PRIVATE KEY-----`,
  ...Object.fromEntries(
    ['akia', 'asia', 'abia', 'acca'].map((k) => [k, `${k.toUpperCase()}Q3EGRUZ5VX7W2M4N`]),
  ),
  aws: `aws_secret=${S.awsSecret}`,
  accountkey: `AccountKey=${S.azure.slice(0, 86)}==`,
  ...Object.fromEntries(['p', 'o', 'u', 's', 'r'].map((c) => [`gh${c}_`, `gh${c}_${S.github.slice(4)}`])),
  github_pat_: S.githubPat,
  'hooks.slack.com': S.slackHook,
  xox: S.slackToken,
  ...Object.fromEntries(
    ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'].map((k) => [k, `${k}${S.stripe.slice(8)}`]),
  ),
  eyj: S.jwt,
  'glpat-': S.gitlab,
  aiza: S.gcp,
  t3blbkfj: S.openai,
  '://': `postgres://app:${S.urlPassword}@db`,
  ...Object.fromEntries(
    SECRET_RULES.find((r) => r.id === 'generic-secret')!.keywords.map((k) => [
      k,
      `${k.toUpperCase()} = "${S.value}"`,
    ]),
  ),
};

test('every keyword is found at every byte offset, address parity and line ending around it', () => {
  const keywords = SECRET_RULES.flatMap((rule) =>
    rule.keywords.map((keyword) => ({ keyword, rule: rule.id })),
  );
  for (const { keyword, rule } of keywords) {
    const line = BY_KEYWORD[keyword];
    assert.ok(line, `no example line for the keyword ${keyword}`);
    for (const before of ['', 'x ', '\n', 'é\r\n', 'ab ']) {
      for (const after of ['', '\n', '\r\n', ' y']) {
        const text: string = `${before}${line}${after}`;
        const expected = referenceScan(text);
        assert.ok(
          expected.some((hit) => hit.rule === rule),
          `${keyword}: ${rule} in ${JSON.stringify(text)}`,
        );
        for (let pad = 0; pad < 4; pad++)
          for (const shift of [0, 1])
            assert.deepEqual(
              scanAt(text, pad, shift),
              expected,
              `${keyword} in ${JSON.stringify(text)} at ${pad}, ${shift}`,
            );
      }
    }
  }
});

test('a 1 MB line with keywords all along and secrets at both ends: the same hits, whole or streamed', async (t) => {
  const line = `${S.github} ${'ab token auth xy '.repeat(64 * 1024)} password = "${S.password}"`;
  const text = `first\r\n${line}\r\n${S.stripe}`;
  const expected = referenceScan(text);
  assert.deepEqual(
    expected.map((hit) => [hit.rule, hit.line]),
    [
      ['github-token', 2],
      ['generic-secret', 2],
      ['stripe-key', 3],
    ],
  );
  assert.deepEqual(scanText(text), expected);
  const dir = await mkdtemp(join(tmpdir(), 'secrets-equivalence-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'long.txt'), text);
  const scan = new FileScanner(DEFAULT_SCAN_OPTIONS).scanSync(join(dir, 'long.txt'), 'long.txt');
  assert.ok(scan.kind === 'scanned');
  assert.deepEqual(
    scan.findings,
    expected.map((hit) => ({
      rule: hit.rule,
      description: hit.description,
      line: hit.line,
      column: hit.column,
      redacted: redact(hit.secret),
      print: fingerprint(hit.rule, 'long.txt', hit.secret),
    })),
  );
});

test("a rule's secret group must end its pattern, so its column is the match's end minus its length", () => {
  for (const rule of SECRET_RULES) assert.ok(secretEndsPattern(rule.pattern.source), rule.id);
  assert.equal(secretEndsPattern(String.raw`\b(?<secret>ab[c)]+)\b(?![a-z])`), true);
  assert.equal(secretEndsPattern('whole match'), true);
  // Characters consumed after the group, an optional group, a group in an alternation: refused.
  assert.equal(secretEndsPattern('(?<secret>ab)c'), false);
  assert.equal(secretEndsPattern(String.raw`(?<secret>ab)\s`), false);
  assert.equal(secretEndsPattern('(?<secret>ab)?'), false);
  assert.equal(secretEndsPattern('(?:(?<secret>ab)|cd)'), false);
  assert.equal(secretEndsPattern('(?<secret>a(b)'), false);
});
