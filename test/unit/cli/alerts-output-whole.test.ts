// `alerts --output FILE` whose write fails half-way (here a file size limit, as a full disk would): the rule
// file keeps the rules it held, whole, and no draft is left beside it. Written in place, the file was cut
// at the limit: Prometheus then loads a truncated rule file (or none), and the rules it had are gone.
import assert from 'node:assert/strict';
import { chmod, chown, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli } from '../../helpers/cli.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

// Checks enough that the rule file is longer than the 1 KiB limit below.
const metrics = Array.from(
  { length: 6 },
  (_, i) =>
    `    memory${i}: { provider: prom, query: 'max(app_memory_bytes_of_the_service_${i}{version="{{version}}",slot="{{slot}}"})' }`,
).join('\n');
const checks = Array.from({ length: 6 }, (_, i) => `    - check: "memory${i} < 1000000000"`).join('\n');
const CONFIG = `target:
  commands:
    deploy: ./d.sh
    switch: ./s.sh {{slot}}
environments:
  production:
    strategy: blue-green
analysis:
  providers:
    prom: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
${metrics}
  checks:
${checks}
`;
const BEFORE = 'groups: [] # the rules in use before\n';

/** `alerts` with the process's file size limit at 1 KiB (`ulimit -f 1`): a longer write fails with EFBIG. */
async function alertsLimited(config: string, output: string) {
  const args = ['alerts', '-c', config, '-e', 'production', '-v', 'v1', '--slot', 'blue', '-o', output];
  return startCli(args, { prefix: ['bash', '-c', 'ulimit -f 1 && exec "$@"', 'bash'] }).done;
}

test('alerts --output: a write that fails leaves the file as it was, and no draft beside it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-whole-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  await writeFile(config, CONFIG);
  // Unlimited, the rule file is longer than the limit: so the limited write below fails part-way.
  const full = await startCli(['alerts', '-c', config, '-e', 'production', '-v', 'v1', '--slot', 'blue'])
    .done;
  assert.equal(full.code, EXIT_CODES.success, full.stderr);
  assert.ok(full.stdout.length > 1024, `${full.stdout.length} bytes`);

  const rules = join(dir, 'rules.yml');
  await writeFile(rules, BEFORE);
  const failed = await alertsLimited(config, rules);
  assert.equal(failed.code, EXIT_CODES.invalidOrBlocked, failed.stderr);
  assert.match(failed.stderr, /output_unwritable: .*EFBIG/);
  assert.equal(await readFile(rules, 'utf8'), BEFORE, 'the rules held before are kept whole');
  assert.deepEqual((await readdir(dir)).sort(), ['deploy.yml', 'rules.yml'], 'no draft left');

  // Through a link (a rules directory linking to the file): the same, and the link stays a link.
  const linked = join(dir, 'linked.yml');
  await symlink(rules, linked);
  const throughLink = await alertsLimited(config, linked);
  assert.equal(throughLink.code, EXIT_CODES.invalidOrBlocked, throughLink.stderr);
  assert.equal(await readFile(rules, 'utf8'), BEFORE);
});

test('alerts --output: a write that succeeds replaces the file, through a link the file it leads to', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-whole-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  await writeFile(config, CONFIG);
  const rules = join(dir, 'rules.yml');
  await writeFile(rules, BEFORE);
  const linked = join(dir, 'linked.yml');
  await symlink(rules, linked);
  const args = ['alerts', '-c', config, '-e', 'production', '-v', 'v1', '--slot', 'blue', '-o', linked];
  const written = await startCli(args).done;
  assert.equal(written.code, EXIT_CODES.success, written.stderr);
  assert.match(await readFile(rules, 'utf8'), /alert: /);
  assert.deepEqual((await readdir(dir)).sort(), ['deploy.yml', 'linked.yml', 'rules.yml']);
  const { lstat } = await import('node:fs/promises');
  assert.ok((await lstat(linked)).isSymbolicLink(), 'the link stays a link');
});

// The account Prometheus runs as in its image (nobody): the rule file's owner, not the writer.
const OTHER = 65534;
const asRoot = process.getuid?.() === 0;

test("alerts --output: the replaced file keeps its owner, group and mode (root writing another account's file)", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-whole-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  await writeFile(config, CONFIG);
  const rules = join(dir, 'rules.yml');
  await writeFile(rules, BEFORE);
  // Not root, the writer can give a file no other owner: it is its own, as the draft is.
  const owner = asRoot ? { uid: OTHER, gid: OTHER } : await stat(rules);
  await chown(rules, owner.uid, owner.gid);
  await chmod(rules, 0o640);
  const args = ['alerts', '-c', config, '-e', 'production', '-v', 'v1', '--slot', 'blue', '-o', rules];
  const written = await startCli(args).done;
  assert.equal(written.code, EXIT_CODES.success, written.stderr);
  assert.match(await readFile(rules, 'utf8'), /alert: /);
  const after = await stat(rules);
  assert.deepEqual(
    { uid: after.uid, gid: after.gid, mode: after.mode & 0o7777 },
    { uid: owner.uid, gid: owner.gid, mode: 0o640 },
    'its owner still reads it',
  );
});

test('alerts --output: a file the writer may write in a directory it may not add to is written in place, as before', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-whole-'));
  t.after(async () => {
    await chmod(dir, 0o700);
    await rm(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'deploy.yml');
  await writeFile(config, CONFIG);
  const rules = join(dir, 'rules.yml');
  await writeFile(rules, BEFORE);
  await chmod(config, 0o644);
  await chmod(rules, 0o666);
  // Root may add to any directory: the command runs as root without the capability that lets it (the owner's
  // bits then decide, r-x), not as another account, which may not reach a checkout under a private directory.
  await chmod(dir, 0o555);
  const prefix = asRoot ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--'] : [];
  const args = ['alerts', '-c', config, '-e', 'production', '-v', 'v1', '--slot', 'blue', '-o', rules];
  const written = await startCli(args, { prefix }).done;
  assert.equal(written.code, EXIT_CODES.success, written.stderr);
  assert.match(await readFile(rules, 'utf8'), /alert: /);
  assert.deepEqual((await readdir(dir)).sort(), ['deploy.yml', 'rules.yml'], 'no draft left');
});

test('alerts --output: a rule file mounted on its own (bound into a container) is written in place, as before', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alerts-whole-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'deploy.yml');
  await writeFile(config, CONFIG);
  // The host's file, and the name it is bound to (`docker run -v ./rules.yml:/rules/deploy.yml`): no other
  // file can be renamed over a mount (EBUSY). The mount is made in a mount namespace of the command's own.
  const host = join(dir, 'host-rules.yml');
  const rules = join(dir, 'rules.yml');
  await writeFile(host, BEFORE);
  await writeFile(rules, '');
  const prefix = ['unshare', '-rm', 'bash', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'bash'];
  const args = ['alerts', '-c', config, '-e', 'production', '-v', 'v1', '--slot', 'blue', '-o', rules];
  const written = await startCli(args, { prefix: [...prefix, host, rules] }).done;
  assert.equal(written.code, EXIT_CODES.success, written.stderr);
  assert.match(await readFile(host, 'utf8'), /alert: /, 'written through the mount to the file bound there');
  assert.deepEqual(
    (await readdir(dir)).sort(),
    ['deploy.yml', 'host-rules.yml', 'rules.yml'],
    'no draft left',
  );
});
