// Seed 01's build validation, "Validate source maps" (01:123): the build gate's `source_maps` globs name
// generated files whose source maps must be readable Source Map revision 3 maps: the one the file's
// sourceMappingURL comment names (a file beside it, or inline), else `<file>.map`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGate } from '../../../src/gates/build.ts';
import { sourceMapProblem } from '../../../src/gates/source-maps.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const MAP = JSON.stringify({ version: 3, sources: ['src/a.ts'], names: [], mappings: 'AAAA' });

async function dist(t: { after(fn: () => Promise<void>): void }, files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'source-maps-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'dist'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'dist', name), text);
  return dir;
}

const run = (dir: string, source_maps: string[]) =>
  buildGate.run(buildGate.schema.parse({ source_maps }), gateContext(dir));

test('valid maps pass: one its comment names, an inline one, and <file>.map without a comment', async (t) => {
  const inline = Buffer.from(MAP).toString('base64');
  const dir = await dist(t, {
    'a.js': 'x();\n//# sourceMappingURL=a.js.map\n',
    'a.js.map': MAP,
    'b.js': `y();\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${inline}\n`,
    'c.css': 'p{}\n',
    'c.css.map': MAP,
  });
  const verdict = await run(dir, ['dist/**/*.js', 'dist/**/*.css']);
  assert.equal(verdict.status, 'pass', verdict.summary);
});

test('a missing or broken map blocks, naming the file and what is wrong', async (t) => {
  const dir = await dist(t, {
    'gone.js': 'x();\n//# sourceMappingURL=gone.js.map\n',
    'none.js': 'x();\n',
    'v2.js': 'x();\n//# sourceMappingURL=v2.js.map\n',
    'v2.js.map': JSON.stringify({ version: 2, sources: [], mappings: '' }),
    'cut.js': 'x();\n//# sourceMappingURL=cut.js.map\n',
    'cut.js.map': MAP.slice(0, 20),
  });
  const verdict = await run(dir, ['dist/*.js']);
  assert.equal(verdict.status, 'block');
  const byFile = Object.fromEntries(verdict.findings.map((f) => [f.path, `${f.rule}: ${f.message}`]));
  assert.match(
    byFile['dist/gone.js']!,
    /^build\.source-map-missing: .*names dist\/gone\.js\.map, which does not exist$/,
  );
  assert.match(
    byFile['dist/none.js']!,
    /^build\.source-map-missing: .*no sourceMappingURL comment and no dist\/none\.js\.map$/,
  );
  assert.match(byFile['dist/v2.js']!, /^build\.source-map-invalid: .*version 2, not 3$/);
  assert.match(byFile['dist/cut.js']!, /^build\.source-map-invalid: .*not JSON/);
  // A glob that matches nothing: the build did not write what was expected.
  const nothing = await run(dir, ['out/**/*.js']);
  assert.equal(nothing.status, 'block');
  assert.equal(nothing.findings[0]!.rule, 'build.source-map-no-files');
});

test('what a revision 3 map must hold', () => {
  assert.equal(sourceMapProblem(MAP), undefined);
  assert.equal(sourceMapProblem(`)]}'\n${MAP}`), undefined, 'the XSSI prefix the spec allows');
  assert.equal(
    sourceMapProblem(JSON.stringify({ version: 3, sources: [], mappings: 'AAAA' })),
    '"mappings" but no "sources"',
  );
  assert.equal(sourceMapProblem(JSON.stringify({ version: 3, mappings: 'AAAA' })), 'no "sources" list');
  assert.equal(
    sourceMapProblem(
      JSON.stringify({ version: 3, sources: ['a', 'b'], sourcesContent: ['x'], mappings: '' }),
    ),
    '"sourcesContent" has 1 entries for 2 sources',
  );
  // An index map: each section's map is checked.
  const index = (map: unknown) =>
    JSON.stringify({ version: 3, sections: [{ offset: { line: 0, column: 0 }, map }] });
  assert.equal(sourceMapProblem(index(JSON.parse(MAP))), undefined);
  assert.equal(sourceMapProblem(index({ version: 3, mappings: '' })), 'sections[0]: no "sources" list');
});

test('an inline map of a real size is found: its comment begins far before the last 4 KB', async (t) => {
  const sources = Array.from({ length: 200 }, (_, i) => `src/module-${i}.ts`);
  const big = JSON.stringify({ version: 3, sources, names: [], mappings: 'AAAA;'.repeat(4000) });
  const inline = Buffer.from(big).toString('base64');
  assert.ok(inline.length > 20_000);
  const dir = await dist(t, {
    'app.js': `x();\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${inline}\n`,
  });
  const verdict = await run(dir, ['dist/*.js']);
  assert.equal(verdict.status, 'pass', verdict.findings.map((f) => f.message).join('\n'));
});

test("a link out of the checkout is not read, and a map's text reaches no finding", async (t) => {
  // What lies outside is the runner's (a key, a credentials file): not the build's to show.
  const outside = await mkdtemp(join(tmpdir(), 'source-maps-outside-'));
  t.after(() => rm(outside, { recursive: true, force: true }));
  await writeFile(join(outside, 'secret'), 'PRIVATEKEYMATERIAL0123456789\n');
  const dir = await dist(t, {
    'linked.js': 'x();\n//# sourceMappingURL=linked.js.map\n',
    'hostile.js': 'x();\n//# sourceMappingURL=hostile.js.map\n',
    'hostile.js.map': JSON.stringify({ version: '<img src=x onerror=alert(1)>'.repeat(1000) }),
    'garbage.js': 'x();\n//# sourceMappingURL=garbage.js.map\n',
    'garbage.js.map': 'SECRETISH<b>text</b> that is no JSON',
    'url.js': `x();\n//# sourceMappingURL=https://example.invalid/${'<b>'.repeat(2000)}\n`,
  });
  await symlink(join(outside, 'secret'), join(dir, 'dist', 'linked.js.map'));
  await symlink(join(outside, 'secret'), join(dir, 'dist', 'outside.js'));
  const verdict = await run(dir, ['dist/*.js']);
  assert.equal(verdict.status, 'block');
  const byFile: Record<string, string> = Object.fromEntries(verdict.findings.map((f) => [f.path, f.message]));
  assert.match(
    byFile['dist/linked.js']!,
    /dist\/linked\.js\.map is a link to outside the checkout, not read$/,
  );
  assert.match(byFile['dist/outside.js']!, /dist\/outside\.js is a link to outside the checkout, not read$/);
  assert.match(byFile['dist/hostile.js']!, /version of type string, not 3$/);
  assert.match(byFile['dist/garbage.js']!, /is no Source Map revision 3: not JSON$/);
  assert.ok(byFile['dist/url.js']!.length < 300, byFile['dist/url.js']);
  for (const message of Object.values(byFile)) {
    assert.ok(!/PRIVATEKEY|SECRETISH|<img|onerror/.test(message), message);
  }
});
