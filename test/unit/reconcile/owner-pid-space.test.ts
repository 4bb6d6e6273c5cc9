// A rollout's owner in the record names its PID namespace and boot as a lock's holder does, and is judged as
// the locks judge theirs: a process of another PID namespace that shares the host name (a container with
// docker --uts=host, or compose's fixed `hostname:`) cannot be seen from here, so it is `unknown` (reconcile
// leaves its rollout alone), never `ended` because its pid is absent here or another process's. An owner of
// an older record, which names no namespace, is judged by its host name alone, as before.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { ownerStatusFor, thisProcessOwner } from '../../../src/reconcile/owner.ts';
import { emptyRecord, parseRecord, type RolloutOwner } from '../../../src/state/record.ts';
import { ownerText } from '../../../src/util/lock-takeover.ts';

const OWNER_MODULE = join(import.meta.dirname, '../../../src/reconcile/owner.ts');
const here = JSON.parse(ownerText()) as { pidns?: string; boot?: string };
const skipOffLinux = { skip: process.platform !== 'linux' && 'no /proc here' };
/** A process in a PID namespace of its own needs unshare(1) and the right to use it (root, here). */
const unshareRefused =
  process.platform !== 'linux' ||
  spawnSync('unshare', ['--pid', '--kill-child', '--mount-proc', 'true'], { stdio: 'ignore' }).status !== 0;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The pid of a process that has exited (nothing of this namespace has it now). */
function deadPid(): number {
  const child = spawnSync('true', { stdio: 'ignore' });
  assert.throws(() => process.kill(child.pid!, 0), { code: 'ESRCH' });
  return child.pid!;
}

const status = (owner: RolloutOwner) => ownerStatusFor({})(owner);

test('a rollout owner names the PID namespace and boot its lock would', skipOffLinux, () => {
  const owner = thisProcessOwner();
  const lock = JSON.parse(ownerText()) as Record<string, unknown>;
  assert.deepEqual(
    { pid: owner.pid, host: owner.host, pidns: owner.pidns, boot: owner.boot, started: owner.started },
    { pid: lock.pid, host: lock.host, pidns: lock.pidns, boot: lock.boot, started: lock.started },
  );
  assert.match(String(owner.pidns), /^pid:\[\d+\]$/);
  // Kept by the record (a rollout written with it reads back with it).
  const record = {
    ...emptyRecord('local', 'production', new Date(0)),
    rollout: {
      deploymentId: '1',
      version: 'v2',
      strategy: 'rolling',
      phase: 'production',
      step: 0,
      steps: 1,
      startedAt: new Date(0).toISOString(),
      owner,
      recovery: [],
    },
  };
  const parsed = parseRecord(JSON.parse(JSON.stringify(record)));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  assert.deepEqual(parsed.record.rollout?.owner, owner);
});

test(
  'a live owner in another PID namespace sharing the host name is unknown, not ended',
  { skip: unshareRefused && 'unshare --pid is refused here' },
  async () => {
    const script = `
      import { thisProcessOwner } from ${JSON.stringify(OWNER_MODULE)};
      process.stdout.write(JSON.stringify(thisProcessOwner()) + '\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(
      'unshare',
      ['--pid', '--kill-child', '--mount-proc', process.execPath, '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const line = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout!.on('data', (data: Buffer) => {
        out += data.toString();
        if (out.includes('\n')) done(out.split('\n')[0]!);
      });
      child.on('exit', (code) => fail(new Error(`the owner exited (${code})`)));
    });
    const owner = JSON.parse(line) as Extract<RolloutOwner, { kind: 'process' }>;
    assert.equal(owner.host, hostname());
    assert.notEqual(owner.pidns, here.pidns, 'a namespace of its own');
    // Its pid here is another process's (or none): it says nothing of the owner, which is still rolling out.
    const seen = await status(owner);
    assert.equal(seen.state, 'unknown', JSON.stringify(seen));
    assert.match(seen.state === 'unknown' ? seen.reason : '', /in another PID namespace/);
  },
);

test(
  'owners of this namespace, another boot of it, or an older record are judged as before',
  skipOffLinux,
  async () => {
    const pid = deadPid();
    const owner = (extra: object): RolloutOwner => ({ kind: 'process', pid, host: hostname(), ...extra });
    assert.equal((await status(owner({ pidns: here.pidns, boot: here.boot }))).state, 'ended');
    assert.equal(
      (await status(owner({ pidns: here.pidns, boot: 'another-boot' }))).state,
      'ended',
      'this machine before a reboot: its processes are gone',
    );
    assert.equal((await status(owner({}))).state, 'ended', 'an older record’s owner, by its host name');
    assert.equal((await status(owner({ pidns: 'pid:[4026532999]', boot: here.boot }))).state, 'unknown');
    assert.equal((await status(thisProcessOwner())).state, 'running');
  },
);
