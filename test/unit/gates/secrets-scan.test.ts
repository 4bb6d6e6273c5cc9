// The secret scan's engine (issue 16): streamed reads give the findings of a whole-text scan whatever the
// chunk boundaries; the byte-level keyword prefilter finds what the case-insensitive regex found; time is
// linear in the input whatever the line length; worker threads give the same findings as one thread.
import { test } from 'node:test';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as FileSystem from 'node:fs';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  DEFAULT_SCAN_OPTIONS,
  fingerprint,
  redact,
  scanBytes,
  scanText,
} from '../../../src/gates/secret-rules.ts';
import type { SecretHit } from '../../../src/gates/secret-rules.ts';
import { CHUNK_BYTES, FileScanner } from '../../../src/gates/secrets-file.ts';
import { scanFiles } from '../../../src/gates/secrets.ts';

// Secret-shaped values are assembled at run time so that this repository never contains one literally.
const j = (...parts: string[]) => parts.join('');
const S = {
  awsId: j('AKIA', 'Q3EGRUZ5VX7W2M4N'),
  github: j('ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'),
  stripe: j('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc9Qx2'),
  password: j('Zq8#vL2!', 'pW9xR4tY7u'),
  value: j('q7Zt9wLk2Vx8Rb4N', 'c6Hy3Pm5Jd1Gf0Ts'),
  azure: j('q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6', 'q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8'),
  keyBody: j('MIIEowIBAAKCAQEA7b3Lq9', 'xYz0123456789abcdefABCDEF'),
};
const keyBlock = [
  '-----BEGIN RSA PRIVATE KEY-----',
  S.keyBody,
  'aGVsbG8gd29ybGQgdGhpcyBpcyBmYWtl',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-scan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const asFinding = (path: string) => (hit: SecretHit) => ({
  rule: hit.rule,
  description: hit.description,
  line: hit.line,
  column: hit.column,
  redacted: redact(hit.secret),
  print: fingerprint(hit.rule, path, hit.secret),
});

/** What one scan of the whole file in memory finds: the reference for the streamed scans. */
function wholeScan(bytes: Buffer, path: string) {
  const hits: SecretHit[] = [];
  scanBytes(bytes, 0, bytes.length, bytes.length, 1, DEFAULT_SCAN_OPTIONS, (hit) => hits.push(hit));
  return hits.map(asFinding(path));
}

/** Ordinary lines, then a line of `filler` bytes that ends where the next secret line must straddle. */
function fileWithBoundaries(chunk: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  const add = (text: string | Buffer) => {
    const bytes = typeof text === 'string' ? Buffer.from(text) : text;
    parts.push(bytes);
    size += bytes.length;
  };
  const secrets = [
    `token = "${S.github}"\n`,
    `${keyBlock}\n`,
    `password: '${S.password}'\r\n`,
    `é日本😀 api_key = "${S.value}" and ${S.awsId}\n`,
    `CONN=AccountName=x;AccountKey=${S.azure.slice(0, 86)}==;\n`,
    // Invalid UTF-8 before a secret: decoded to U+FFFD as in a whole-text decode.
    Buffer.concat([Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0x20]), Buffer.from(` key ${S.stripe}\n`)]),
  ];
  for (let round = 0; round < 4; round++) {
    for (const [i, secret] of secrets.entries()) {
      // Land the secret line a few bytes before, on, or after a chunk boundary, or within the key block's
      // lookahead of one.
      const target = (Math.floor(size / chunk) + 1) * chunk + [-40, -3, 0, 5, -1200, -1700][(i + round) % 6]!;
      while (size < target - 120) add(`const v${size} = compute(a, b); // ordinary line\n`);
      if (size < target) add(`${'x'.repeat(Math.max(0, target - size - 1))}\n`);
      add(secret);
    }
  }
  add(`${'y'.repeat(3 * chunk)} secret = "${S.value}"\n`); // a line longer than the buffer
  add(`last line without a newline: ${S.github}`);
  return Buffer.concat(parts);
}

test('a streamed scan finds what a whole-file scan finds, wherever the chunk boundaries fall', async (t) => {
  const dir = await tempDir(t);
  const chunk = 16 * 1024;
  const bytes = fileWithBoundaries(chunk);
  await writeFile(join(dir, 'f.txt'), bytes);
  const expected = wholeScan(bytes, 'f.txt');
  // Every kind is there, on many lines.
  assert.deepEqual(
    new Set(expected.map((f) => f.rule)),
    new Set([
      'github-token',
      'private-key',
      'generic-secret',
      'aws-access-key-id',
      'azure-storage-key',
      'stripe-key',
    ]),
  );
  assert.ok(expected.length >= 25, `${expected.length} findings`);
  // For valid UTF-8 the byte scan is the text scan.
  const text = `a\n${keyBlock}\né ${S.awsId} x token = "${S.github}"\r\n`;
  assert.deepEqual(wholeScan(Buffer.from(text), 'p'), scanText(text).map(asFinding('p')));

  for (const size of [chunk, chunk + 1, 3 * chunk - 7]) {
    const scanner = new FileScanner(DEFAULT_SCAN_OPTIONS, size);
    const sync = scanner.scanSync(join(dir, 'f.txt'), 'f.txt');
    const async = await scanner.scan(join(dir, 'f.txt'), 'f.txt');
    for (const scan of [sync, async]) {
      assert.equal(scan.kind, 'scanned');
      if (scan.kind !== 'scanned') continue;
      assert.equal(scan.bytes, bytes.length);
      assert.deepEqual(scan.findings, expected, `chunks of ${size} bytes`);
    }
    // The buffer grew for the long line only, and not for the next file.
    assert.equal(scanner.bufferBytes, size);
  }
});

test('a size from lstat ends the reads early only when it is right: a file that grew or shrank is read to its end', async (t) => {
  const dir = await tempDir(t);
  const lines = `const a = 1;\ntoken = "${S.github}"\npassword: '${S.password}'\n`;
  // One read, and several (16 KB chunks): the secrets at the end.
  const files = { 'small.ts': lines, 'big.ts': `${'x'.repeat(40 * 1024)}\n${lines}` };
  const scanner = new FileScanner(DEFAULT_SCAN_OPTIONS, 16 * 1024);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    const whole = scanner.scanSync(join(dir, name), name);
    assert.ok(whole.kind === 'scanned' && whole.findings.length === 2, name);
    const size = Buffer.byteLength(text);
    // Right, smaller (the file grew since its lstat), larger (it shrank), none.
    for (const given of [size, 100, size - 1, size + 100, 0]) {
      assert.deepEqual(scanner.scanSync(join(dir, name), name, given), whole, `${name}, size ${given}`);
      const scanned = await scanner.scan(join(dir, name), name, undefined, given);
      assert.deepEqual(scanned, whole, `${name}, size ${given}`);
    }
  }
});

test('the keyword prefilter finds keywords in any ASCII case, overlapping ones too, and nothing else', () => {
  const rules = (text: string) => scanText(text).map((hit) => `${hit.rule}@${hit.column}`);
  // Case does not matter to the keywords (the rules decide their own case).
  assert.deepEqual(rules(`PASSWORD = "${S.value}"`), ['generic-secret@13']);
  assert.deepEqual(rules(`Api-Key: '${S.value}'`), ['generic-secret@11']);
  // Keywords that overlap ("acca" ends where "accountkey" starts) each bring their rule.
  assert.deepEqual(rules(`ACCAccountKey=${S.azure.slice(0, 86)}==`), ['azure-storage-key@15']);
  // Columns count UTF-16 units, as in the text: 'é' is one, '😀' two.
  assert.deepEqual(rules(`é😀 ${S.github}`), ['github-token@5']);
  // Not keywords: 'accesskey' (the rule's regex would match it, the prefilter never let it through), and
  // letters that only lowercase to a keyword outside ASCII (the Kelvin sign).
  assert.deepEqual(rules(`accesskey = "${S.value}"`), []);
  assert.deepEqual(rules(`api\u212Aey = "${S.value}"`), []);
  // A keyword at the very end of the text, and one split by a line break, are handled.
  assert.deepEqual(rules('x token'), []);
  assert.deepEqual(rules('tok\nen = "q7Zt9wLk2Vx8Rb4Nc6Hy3Pm5Jd1Gf0Ts"'), []);
});

// Lines shaped to make a backtracking or re-scanning scanner quadratic, 4 MiB of each: scanned linearly, each
// takes well under a second; quadratic work on them would take hours, so the test's own timeout is the
// backstop and no clock is read here. How the time grows (1x against 8x) is measured by the benchmark
// (npm run bench:secrets, "Linearity of the rules").
test(
  'hostile line shapes of 4 MiB are scanned to the end, and what they hold is found',
  { timeout: 300_000 },
  () => {
    const hex = (n: number) => {
      let state = 7;
      let out = '';
      while (out.length < n) out += ((state = (state * 1103515245 + 12345) & 0x7fffffff) >> 8).toString(16);
      return out.slice(0, n);
    };
    const size = 4 * 1024 * 1024;
    // [shape, how many findings it holds]
    const shapes: Record<string, [(n: number) => string, number]> = {
      'hex after a secret-like word': [(n) => `secret ${hex(n)}`, 0],
      'hex after an assignment': [(n) => `token=${hex(n)}`, 1],
      'a long word then a name': [(n) => `${'x'.repeat(n)} password`, 0],
      'names with no value': [(n) => 'token'.repeat(n / 5), 0],
      'a JWT start inside one run': [(n) => 'eyJ-'.repeat(n / 4), 0],
      // Each header is checked for a body in the 400 characters after it.
      'key headers': [(n) => '-----BEGIN PRIVATE KEY-----'.repeat(n / 27), 0],
      'overlapping keywords': [(n) => 'ACCAccountKey='.repeat(n / 14), 0],
      'secrets back to back': [(n) => `${S.github} `.repeat(n / 41), Math.floor(size / 41)],
      'many short lines': [(n) => `password = "${S.password}"\n`.repeat(n / 31), Math.floor(size / 31)],
    };
    for (const [name, [make, findings]] of Object.entries(shapes)) {
      const bytes = Buffer.from(make(size));
      let hits = 0;
      scanBytes(bytes, 0, bytes.length, bytes.length, 1, DEFAULT_SCAN_OPTIONS, () => hits++);
      assert.equal(hits, findings, name);
    }
  },
);

/** Counts node:fs readSync calls and bytes (the scanner imports it; the builtin's ESM exports are synced). */
function countReads(t: { after(fn: () => void): void }) {
  const fs = createRequire(import.meta.url)('node:fs') as typeof FileSystem;
  const original = fs.readSync;
  const counted = { calls: 0, bytes: 0 };
  fs.readSync = ((...args: Parameters<typeof original>) => {
    const read = (original as (...a: unknown[]) => number)(...args);
    counted.calls++;
    counted.bytes += read;
    return read;
  }) as typeof original;
  syncBuiltinESMExports();
  t.after(() => {
    fs.readSync = original;
    syncBuiltinESMExports();
  });
  return counted;
}

// Streamed: each byte is read once, a chunk at a time, into one chunk-sized buffer, and every block's
// findings are found. The time for 4x the file is measured by the benchmark (npm run bench:secrets).
test('a large file is streamed: each byte read once, a chunk at a time, in a buffer of one chunk', async (t) => {
  const dir = await tempDir(t);
  // Mostly ordinary code, some lines with secret-like names, a secret now and then.
  const block = [
    ...Array.from({ length: 40 }, (_, i) => `  const value${i} = compute(options.item${i}, ${i}); // plain`),
    '  const token = await getToken(id); // auth header',
    `  password: '${S.password}',`,
  ].join('\n');
  const perBlock = scanText(`${block}\n`).length;
  assert.ok(perBlock > 0);
  const blocks = Math.ceil((16 * 1024 * 1024) / (block.length + 1));
  const bytes = Buffer.from(`${block}\n`.repeat(blocks));
  await writeFile(join(dir, 'large.txt'), bytes);
  const scanner = new FileScanner(DEFAULT_SCAN_OPTIONS);
  const reads = countReads(t);
  const result = scanner.scanSync(join(dir, 'large.txt'), 'large.txt');
  assert.equal(result.kind, 'scanned');
  assert.equal(result.kind === 'scanned' && result.findings.length, blocks * perBlock);
  assert.equal(reads.bytes, bytes.length, 'each byte is read once');
  assert.ok(reads.calls <= Math.ceil(bytes.length / CHUNK_BYTES) + 2, `${reads.calls} reads`);
  assert.equal(scanner.bufferBytes, CHUNK_BYTES);
});

async function tree(dir: string, files: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = `src/m${i % 5}/f${i}.ts`;
    const lines = [`export const a${i} = 1;`];
    for (let k = 0; k < 200; k++) lines.push(`const v${k} = compute(${k}); // token ${k}`);
    if (i % 3 === 0) lines.push(`const token = "${S.github}";`);
    if (i % 4 === 0) lines.push(`password: '${S.password}'`, keyBlock);
    paths.push(path);
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), lines.join('\n'));
  }
  await writeFile(join(dir, 'bin.dat'), Buffer.from([1, 0, 2]));
  await writeFile(join(dir, 'huge.txt'), 'x'.repeat(200_000));
  return [...paths, 'bin.dat', 'huge.txt'];
}

test('worker threads give the findings and counts of one thread; an abort stops them', async (t) => {
  const dir = await tempDir(t);
  const paths = await tree(dir, 60);
  const one = await scanFiles(dir, paths, 100_000, DEFAULT_SCAN_OPTIONS, undefined, { threads: 1 });
  const many = await scanFiles(dir, paths, 100_000, DEFAULT_SCAN_OPTIONS, undefined, {
    threads: 3,
    minWorkerBytes: 0,
  });
  assert.ok('candidates' in one && 'candidates' in many);
  assert.deepEqual(one.stats, { files: 60, bytes: one.stats.bytes, binary: 1, large: 1 });
  assert.equal(one.candidates.length, 20 + 15 * 2);
  assert.deepEqual(many, one);
  // Findings carry no secret, only its redacted form and fingerprint.
  const json = JSON.stringify(many);
  for (const secret of Object.values(S)) assert.ok(!json.includes(secret.slice(4, -4)));

  const controller = new AbortController();
  const pending = scanFiles(dir, paths, 100_000, DEFAULT_SCAN_OPTIONS, controller.signal, {
    threads: 2,
    minWorkerBytes: 0,
  });
  controller.abort();
  assert.deepEqual(await pending, { error: 'the secret scan was stopped' });
});

test('the main thread and a worker share the batches of a larger tree and give the findings of one thread', async (t) => {
  const dir = await tempDir(t);
  // 150 files: three batches (64 files each at most), so the worker takes the first and the main thread
  // the next while the worker is busy.
  const paths = await tree(dir, 150);
  const one = await scanFiles(dir, paths, 100_000, DEFAULT_SCAN_OPTIONS, undefined, { threads: 1 });
  const two = await scanFiles(dir, paths, 100_000, DEFAULT_SCAN_OPTIONS, undefined, {
    threads: 2,
    minWorkerBytes: 0,
  });
  assert.ok('candidates' in one);
  assert.equal(one.candidates.length, 50 + 38 * 2);
  assert.deepEqual(two, one);
});

test('an unreadable file fails the scan with its path and the reason', async (t) => {
  const dir = await tempDir(t);
  const paths = await tree(dir, 3);
  const result = await scanFiles(dir, [...paths, 'gone.ts'], 100_000, DEFAULT_SCAN_OPTIONS);
  assert.deepEqual(result, { error: 'cannot read gone.ts to scan it for secrets: ENOENT' });
});

test('a UTF-16 file with its byte order mark (a Windows tool wrote it) is scanned as text, not skipped as binary', async (t) => {
  const dir = await tempDir(t);
  // Was { kind: 'binary' } for its zero bytes: the keys in it were never seen.
  const text = `# deploy settings\r\n$token = "${S.github}"\r\n${'filler line\r\n'.repeat(3000)}aws = ${S.awsId}\r\n`;
  const le = Buffer.from(text, 'utf16le');
  const expected = wholeScan(Buffer.from(text), 'settings.ps1');
  assert.deepEqual(
    expected.map((f) => `${f.line}:${f.rule}`),
    ['2:github-token', '3003:aws-access-key-id'],
  );
  for (const [name, bytes] of [
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()])],
  ] as const) {
    await writeFile(join(dir, 'settings.ps1'), bytes);
    // Chunks smaller than the file: it is kept whole until its end, then scanned once.
    const scanner = new FileScanner(DEFAULT_SCAN_OPTIONS, 16 * 1024);
    for (const scan of [
      scanner.scanSync(join(dir, 'settings.ps1'), 'settings.ps1'),
      await scanner.scan(join(dir, 'settings.ps1'), 'settings.ps1'),
    ]) {
      assert.equal(scan.kind, 'scanned', name);
      if (scan.kind !== 'scanned') continue;
      assert.equal(scan.bytes, bytes.length);
      assert.deepEqual(scan.findings, expected, name);
    }
  }
  // A byte order mark in front of plain text: UTF-16 here, but every other reader sees the keys.
  const plain = `aws = ${S.awsId}\ntoken = "${S.github}"\n`;
  for (const bom of [
    [0xff, 0xfe],
    [0xfe, 0xff],
  ]) {
    await writeFile(join(dir, 'hidden.env'), Buffer.concat([Buffer.from(bom), Buffer.from(plain)]));
    const scan = new FileScanner(DEFAULT_SCAN_OPTIONS).scanSync(join(dir, 'hidden.env'), 'hidden.env');
    assert.equal(scan.kind, 'scanned');
    assert.deepEqual(scan.kind === 'scanned' ? scan.findings.map((f) => f.rule).sort() : [], [
      'aws-access-key-id',
      'github-token',
    ]);
  }
  // Zero bytes without a UTF-16 byte order mark are still binary, as for git.
  await writeFile(join(dir, 'blob.bin'), Buffer.concat([Buffer.from('x\0y'), Buffer.from(S.github)]));
  assert.equal(
    new FileScanner(DEFAULT_SCAN_OPTIONS).scanSync(join(dir, 'blob.bin'), 'blob.bin').kind,
    'binary',
  );
});
