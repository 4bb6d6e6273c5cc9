import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildGate, checkBudget, streamSizes } from '../../../src/gates/build.ts';
import { parseSize, type BuildConfig } from '../../../src/gates/schema/build.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const buildScript = fileURLToPath(new URL('../../fixtures/gates/build/build.mjs', import.meta.url));
let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'build-gate-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

function context(env: Record<string, string> = {}, signal = new AbortController().signal): GateContext {
  return {
    cwd,
    changedFiles: async () => [],
    signal,
    log: () => {},
    env: { PATH: process.env.PATH, ...env },
  };
}

async function run(config: Record<string, unknown>, env: Record<string, string> = {}, signal?: AbortSignal) {
  const parsed: BuildConfig = buildGate.schema.parse({ command: [process.execPath, buildScript], ...config });
  return buildGate.run(parsed, context(env, signal));
}

describe('parseSize', () => {
  it('reads decimal and binary units', () => {
    assert.equal(parseSize('250kB'), 250_000);
    assert.equal(parseSize('1.5MB'), 1_500_000);
    assert.equal(parseSize('2KiB'), 2048);
    assert.equal(parseSize(512), 512);
    assert.equal(parseSize('250 kilobytes'), undefined);
  });
});

describe('checkBudget', () => {
  const files = [
    { path: 'dist/a.js', raw: 600, gzip: 100 },
    { path: 'dist/b.js', raw: 500, gzip: 90 },
  ];
  it('per file: only the file over budget is reported, with actual and budget', () => {
    const findings = checkBudget({ path: 'dist/*.js', max: 550 }, files);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.path, 'dist/a.js');
    assert.match(findings[0]!.message, /600 B is over the budget of 550 B/);
  });
  it('total: the sum is compared', () => {
    assert.equal(checkBudget({ path: 'dist/*.js', max: 1000, per: 'total' }, files).length, 1);
    assert.equal(checkBudget({ path: 'dist/*.js', max_gzip: 190, per: 'total' }, files).length, 0);
  });
});

describe('build gate', () => {
  it('passes when the build succeeds within its budgets and expected files exist', async () => {
    const verdict = await run({
      budgets: [{ path: 'dist/**/*.js', max: '2kB', max_gzip: '1.5kB' }],
      expect: ['dist/app.js', 'dist/*.js'],
    });
    assert.equal(verdict.status, 'pass', JSON.stringify(verdict));
    assert.match(verdict.summary, /2 file\(s\) within 1 budget/);
  });

  it('blocks on a non-zero exit with the tail of the output', async () => {
    const verdict = await run({}, { FAIL: '1' });
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /exited with code 2/);
    assert.match(verdict.findings[0]!.message, /Can't resolve '\.\/missing'/);
    assert.match(verdict.findings[0]!.message, /earlier lines/);
  });

  it('redacts a secret the failing build printed from the finding', async () => {
    const token = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join(''); // never literal in the repo
    const print = 'console.error("auth with " + process.env.TOKEN); process.exit(1)';
    const verdict = await buildGate.run(
      buildGate.schema.parse({ command: [process.execPath, '-e', print] }),
      context({ TOKEN: token }),
    );
    assert.equal(verdict.status, 'block');
    assert.match(verdict.findings[0]!.message, /auth with ghp_…q7R8/);
    assert.ok(!JSON.stringify(verdict).includes(token), 'the token reached the verdict');
  });

  it('blocks when the program does not exist, naming it', async () => {
    const verdict = await buildGate.run(
      buildGate.schema.parse({ command: 'no-such-build-tool --prod' }),
      context(),
    );
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /"no-such-build-tool" was not found/);
  });

  it('blocks a gzip budget overrun, reporting actual vs budget', async () => {
    const verdict = await run(
      { budgets: [{ path: 'dist/app.js', max: '100kB', max_gzip: '2kB' }] },
      { SIZE: '8000' },
    );
    assert.equal(verdict.status, 'block');
    assert.equal(verdict.findings[0]!.rule, 'build.budget-gzip');
    assert.match(
      verdict.findings[0]!.message,
      /dist\/app\.js: [\d.]+ kB gzipped is over the budget of 2\.0 kB/,
    );
  });

  it('blocks when a budget glob or an expected file matches nothing', async () => {
    const verdict = await run({
      budgets: [{ path: 'dist/**/*.css', max: '10kB' }],
      expect: ['dist/app.js.map'],
    });
    assert.equal(verdict.status, 'block');
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['build.missing-artifact', 'build.budget-no-files'],
    );
    assert.match(verdict.findings[1]!.message, /dist\/\*\*\/\*\.css matches no file/);
  });

  it('warns when the output matches the warnings pattern', async () => {
    const verdict = await run({ warnings: '^WARNING' }, { WARN: '1' });
    assert.equal(verdict.status, 'warn');
    assert.match(verdict.findings[0]!.message, /export "x" was not found/);
    assert.equal((await run({ warnings: '^WARNING' })).status, 'pass');
  });

  it('warns on the warning lines of common build tools by default; warnings: false turns it off', async () => {
    const verdict = await run({}, { WARN: '1' });
    assert.equal(verdict.status, 'warn');
    assert.equal(verdict.summary, 'build succeeded with warnings');
    assert.match(
      verdict.findings[0]!.message,
      /^1 warning line\(s\) in the build output:\nWARNING in \.\/src\/app\.js/,
    );
    assert.equal((await run({})).status, 'pass');
    assert.equal((await run({ warnings: false }, { WARN: '1' })).status, 'pass');
    const script = join(cwd, 'tools.mjs');
    const warnings = [
      '[WARNING] Using platform encoding (UTF-8 actually) to copy filtered resources',
      'warning: unused variable: `x`',
      'warning[E0170]: pattern binding `A` is named the same as one of the variants',
      '▲ [WARNING] "import.meta" is not available in the configured target environment',
      '(!) Some chunks are larger than 500 kB after minification',
      'w: file:///r/src/App.kt:3:5 Parameter "x" is never used',
      'src/main.c:3:5: warning: unused variable "y" [-Wunused-variable]',
      'src/A.java:12: warning: [deprecation] foo() in Bar has been deprecated',
      'Program.cs(12,5): warning CS0168: The variable "e" is declared but never used',
      '  3:5  warning  "x" is defined but never used  no-unused-vars',
    ];
    const quiet = [
      'npm WARN deprecated inflight@1.0.6: This module is not supported',
      ' WARN  deprecated glob@7.2.3',
      'warning package.json: No license field',
      'webpack 5.90.0 compiled with 2 warnings in 812 ms',
      '1 warning generated.',
      '    0 Warning(s)',
      'src/warnings.ts: 12 modules transformed',
    ];
    await writeFile(
      script,
      [...warnings, ...quiet].map((line) => `console.log(${JSON.stringify(line)});`).join('\n'),
    );
    const tools = await buildGate.run(
      buildGate.schema.parse({ command: [process.execPath, script] }),
      context(),
    );
    assert.equal(tools.status, 'warn');
    assert.equal(
      tools.findings[0]!.message,
      `10 warning line(s) in the build output:\n${warnings.join('\n')}`,
    );
  });

  it('blocks on warning lines with on_warnings: block, naming the first ones (seed 03: no warnings)', async () => {
    const verdict = await run({ on_warnings: 'block' }, { WARN: '1' });
    assert.equal(verdict.status, 'block');
    assert.match(
      verdict.summary,
      /^the build printed 1 warning line\(s\) and on_warnings is block, the first: WARNING in \.\/src\/app\.js/,
    );
    assert.deepEqual(
      verdict.findings.map((f) => [f.rule, f.severity]),
      [['build.warnings', 'error']],
    );
    assert.match(verdict.findings[0]!.message, /\nWARNING in \.\/src\/app\.js/);
    // A clean build passes; warn is the default, and says so.
    assert.equal((await run({ on_warnings: 'block' })).status, 'pass');
    assert.equal((await run({ on_warnings: 'warn' }, { WARN: '1' })).status, 'warn');
    // A long first warning is cut in the one-line summary, and a secret in it is redacted.
    const token = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
    const script = join(cwd, 'warn.mjs');
    await writeFile(script, `console.log(${JSON.stringify(`WARNING: token=${token} ${'x'.repeat(5000)}`)});`);
    const long = await buildGate.run(
      buildGate.schema.parse({
        command: [process.execPath, script],
        warnings: '^WARNING',
        on_warnings: 'block',
      }),
      context(),
    );
    assert.equal(long.status, 'block');
    assert.ok(!JSON.stringify(long).includes(token));
    assert.ok(long.summary.length < 400, `${long.summary.length} characters`);
  });

  it("shows warning lines with secrets redacted and each line cut, as a failed build's output is", async () => {
    const token = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
    const password = ['Zq8#vL2!', 'pW9xR4tY7u'].join('');
    const script = join(cwd, 'warn.mjs');
    await writeFile(
      script,
      [
        `console.log(${JSON.stringify(`WARNING: deprecated option token=${token}`)});`,
        `console.log(${JSON.stringify(`WARNING: registry https://ci:${password}@npm.internal/ is deprecated`)});`,
        `console.log('WARNING: ' + 'x'.repeat(50000));`,
      ].join('\n'),
    );
    const verdict = await buildGate.run(
      buildGate.schema.parse({ command: [process.execPath, script], warnings: '^WARNING' }),
      context(),
    );
    assert.equal(verdict.status, 'warn');
    const message = verdict.findings[0]!.message;
    assert.ok(!message.includes(token) && !message.includes(password), message.slice(0, 300));
    assert.match(
      message,
      /^3 warning line\(s\) in the build output:\nWARNING: deprecated option token=ghp_…q7R8\n/,
    );
    assert.ok(message.length < 3000, `${message.length} characters`);
  });

  // The build never ends by itself: the gate can only return because the abort stopped it (without that, the
  // test's own timeout is the backstop), and the build's process is gone afterwards.
  it('stops the build and blocks when the gate is aborted', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const pidFile = join(await mkdtemp(join(tmpdir(), 'build-abort-')), 'pid');
    const config = buildGate.schema.parse({
      command: [
        process.execPath,
        '-e',
        // Written whole then renamed: the poll below never reads a file created but not yet written.
        'const fs = require("fs"); fs.writeFileSync(process.argv[1] + ".tmp", String(process.pid)); fs.renameSync(process.argv[1] + ".tmp", process.argv[1]); setInterval(() => {}, 1000)',
        pidFile,
      ],
    });
    // Aborted once the build is running (it has written its pid).
    const poll = setInterval(() => {
      if (existsSync(pidFile)) {
        clearInterval(poll);
        controller.abort();
      }
    }, 20);
    const verdict = await buildGate.run(config, context({}, controller.signal));
    clearInterval(poll);
    assert.equal(verdict.status, 'block');
    assert.match(verdict.summary, /was stopped: the gate was cancelled/);
    const pid = Number(await readFile(pidFile, 'utf8'));
    assert.ok(pid > 0);
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the build was stopped');
    await rm(dirname(pidFile), { recursive: true, force: true });
  });

  it('rejects configs that check nothing, bad sizes and bad patterns', () => {
    assert.equal(buildGate.schema.safeParse({}).success, false);
    assert.equal(
      buildGate.schema.safeParse({ budgets: [{ path: 'dist/*.js', max: '250 kilobytes' }] }).success,
      false,
    );
    assert.equal(buildGate.schema.safeParse({ budgets: [{ path: 'dist/*.js' }] }).success, false);
    assert.equal(buildGate.schema.safeParse({ command: 'make', warnings: '(' }).success, false);
    // Blocking on warnings needs a command's output and a pattern to read it with.
    for (const config of [
      { command: 'make', warnings: false, on_warnings: 'block' },
      { expect: ['dist/a.js'], on_warnings: 'block' },
      { command: 'make', on_warnings: 'always' },
    ]) {
      const parsed = buildGate.schema.safeParse(config);
      assert.equal(parsed.success, false, JSON.stringify(config));
      assert.deepEqual(parsed.error.issues[0]!.path, ['on_warnings']);
    }
    assert.equal(buildGate.schema.safeParse({ command: 'make', on_warnings: 'block' }).success, true);
  });
});

describe('streamSizes', () => {
  it('gives the same raw and gzip sizes as one gzipSync at level 9, whatever the file size', async () => {
    // Empty, one byte, below and across the read stream's 64 KiB chunks, compressible and not.
    const contents = [
      Buffer.alloc(0),
      Buffer.from('x'),
      Buffer.from('const a = 1;\n'.repeat(3000)),
      randomBytes(70_000),
      Buffer.from(randomBytes(200_000).toString('hex')),
      Buffer.from('function f() { return 42; }\n'.repeat(100_000)),
    ];
    for (const [i, content] of contents.entries()) {
      const file = join(cwd, `out-${i}.js`);
      await writeFile(file, content);
      assert.deepEqual(await streamSizes(createReadStream(file)), {
        raw: content.length,
        gzip: gzipSync(content, { level: 9 }).length,
      });
    }
  });

  it('keeps the event loop turning while a large output is compressed', async () => {
    // Already in memory, so only compression is pending: a synchronous gzip would let the loop turn no
    // time at all before the result.
    const content = Buffer.from(randomBytes(3_000_000).toString('hex'));
    async function* source() {
      yield content;
    }
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const sizes = await streamSizes(source());
    running = false;
    assert.deepEqual(sizes, { raw: content.length, gzip: gzipSync(content, { level: 9 }).length });
    assert.ok(turns > 0, 'the event loop did not turn while 6 MB were compressed');
  });
});
