// A stopped command is stopped with what it started outside its process group: a child started with setsid
// (or a program that daemonizes itself) is not reached by the group's signal, but is found through /proc by
// its parent links before the signal, and signalled too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { CommandFailed, runCommand } from '../../../src/targets/run-command.ts';
import {
  environHolds,
  parseStat,
  readProcessTable,
  RUN_MARKER,
  straysSince,
  treeOf,
  type ProcessInfo,
} from '../../../src/util/process-tree.ts';
import { runGateCommand } from '../../../src/gates/gate-command.ts';
import { pidsFile, pidsIn, running, untilEnded } from '../../helpers/process-tree.ts';

const p = (pid: number, ppid: number, pgrp: number, start = `${pid}00`): ProcessInfo => ({
  pid,
  ppid,
  pgrp,
  start,
});

test('the tree of a command: every descendant through its parent links, whatever its process group', () => {
  const table = [
    p(1, 0, 1),
    p(100, 1, 100), // the command, leader of its group
    p(101, 100, 100), // a child in the group
    p(102, 100, 102), // a child that called setsid
    p(103, 102, 102), // its child, in the new group
    p(104, 103, 500), // and one more level, in yet another group
    p(200, 1, 200), // a daemon reparented to init: nothing links it to the command any more
    p(201, 1, 100), // the same, still in the command's group (the group's signal reaches it)
  ];
  const pids = (members: ProcessInfo[]) => members.map((m) => m.pid).sort((a, b) => a - b);
  assert.deepEqual(pids(treeOf([{ pid: 100 }], table)), [100, 101, 102, 103, 104]);
  // Read again from the members seen before, once the command itself has exited and its children went to init.
  const later = [p(1, 0, 1), p(102, 1, 102), p(103, 102, 102), p(105, 103, 103), p(101, 1, 100)];
  const before = treeOf([{ pid: 100 }], table);
  assert.deepEqual(pids(treeOf(before, later)), [101, 102, 103, 105]);
  // A pid the kernel gave to another process since (another start) is not a member.
  assert.deepEqual(pids(treeOf([{ pid: 102, start: '1' }], later)), []);
  assert.deepEqual(treeOf([{ pid: 999 }], table), []);
  // A cycle (a corrupt table) ends.
  assert.deepEqual(pids(treeOf([{ pid: 7 }], [p(7, 8, 7), p(8, 7, 8)])), [7, 8]);
});

test('a stat line is read after the last parenthesis: a command name may hold spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[0] = 'S';
  const line = `4242 (evil) (name ) 9) ${fields.join(' ')}`;
  assert.deepEqual(parseStat(4242, line), { pid: 4242, ppid: 4, pgrp: 5, start: '22' });
  assert.equal(parseStat(1, 'garbage'), undefined);
});

test(
  'a cancelled command is stopped with its setsid children and what they started',
  { skip: process.platform !== 'linux' && 'needs /proc', timeout: 30_000 },
  async (t) => {
    // A `sleep` in a session of its own, and a shell in another that started a `sleep` of its own: none of
    // them in the command's process group. Each prints its pid; the command then waits.
    const script =
      'setsid sleep 60 & echo $!; ' + "setsid /bin/sh -c 'sleep 60 & echo $!; echo $$; wait' & " + 'wait';
    const command = resolveCommand(['/bin/sh', '-c', script], 'hooks.migrate', {
      shell: false,
      timeoutMs: 300_000,
      env: {},
    });
    const pids: number[] = [];
    t.after(() => {
      for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGKILL');
    });
    const cancel = new AbortController();
    const error = await runCommand(
      command,
      {},
      {
        signal: cancel.signal,
        onOutput: (line) => {
          pids.push(Number(line.line));
          if (pids.length === 3) cancel.abort();
        },
      },
    ).then(
      () => assert.fail('the command cannot succeed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CommandFailed, String(error));
    assert.equal(error.reasonCode, 'cancelled', error.message);
    assert.equal(pids.length, 3);
    assert.ok(
      pids.every((pid) => pid > 1),
      pids.join(' '),
    );
    assert.deepEqual(await untilEnded(pids), [], 'processes of the command still running');
  },
);

test("a stray is a marked process started since the command, outside this process's tree", () => {
  const table = [
    p(1, 0, 1, '1'),
    p(50, 1, 50, '500'), // this process
    p(60, 50, 60, '900'), // a command of it still running (started after the stopped one)
    p(61, 60, 60, '950'), // its child
    p(70, 1, 70, '400'), // a daemon an earlier command left behind on purpose: started before
    p(80, 1, 80, '700'), // a daemon started since, handed to init
    p(81, 80, 80, '710'), // its child
    p(90, 1, 90, '800'), // started since, but not marked (another program's)
  ];
  const marked = new Set([60, 61, 70, 80, 81]);
  const strays = straysSince(table, '600', 50, (pid) => marked.has(pid));
  assert.deepEqual(
    strays.map((s) => s.pid),
    [80, 81],
  );
  assert.ok(environHolds(`PATH=/bin\0${RUN_MARKER}=abc\0HOME=/`, RUN_MARKER, 'abc'));
  assert.ok(!environHolds(`${RUN_MARKER}=abcd\0`, RUN_MARKER, 'abc'));
  assert.ok(!environHolds(`X${RUN_MARKER}=abc\0`, RUN_MARKER, 'abc'));
});

/** Runs `script` as a command (sh -c); each line it prints is a pid, `ready` ends its start. */
async function runScript(script: string, signal?: AbortSignal, onReady?: (pids: number[]) => void) {
  const command = resolveCommand(['/bin/sh', '-c', script], 'hooks.migrate', {
    shell: false,
    timeoutMs: 300_000,
    env: {},
  });
  const pids: number[] = [];
  const outcome = await runCommand(
    command,
    {},
    {
      signal,
      onOutput: (line) => {
        if (line.line === 'ready') onReady?.(pids);
        else if (/^\d+$/.test(line.line)) pids.push(Number(line.line));
      },
    },
  ).then(
    () => 'ok' as const,
    (e: unknown) => e,
  );
  return { outcome, pids };
}

// Double forks: setsid starts a shell in a session of its own, which starts the daemon in the background and
// exits at once, so the daemon's parent is init (or a subreaper) before the command goes on. One daemon
// ignores SIGTERM (only the SIGKILL 2 s later ends it), one runs under nohup.
const DAEMONS =
  `setsid /bin/sh -c 'sleep 300 >/dev/null 2>&1 & echo $!'; ` +
  `setsid /bin/sh -c 'trap "" TERM; nohup sleep 300 >/dev/null 2>&1 & echo $!'; `;

test(
  "a cancelled command's double-forked daemons, already handed to init, are stopped with it; a daemon an earlier command left is not",
  { skip: process.platform !== 'linux' && 'needs /proc', timeout: 30_000 },
  async (t) => {
    const all: number[] = [];
    t.after(() => {
      for (const pid of all) if (running(pid)) process.kill(pid, 'SIGKILL');
    });
    // A deploy command that starts a service and exits: the service is meant to outlive it.
    const service = await runScript(`setsid /bin/sh -c 'sleep 300 >/dev/null 2>&1 & echo $!'`);
    all.push(...service.pids);
    assert.equal(service.outcome, 'ok');
    assert.equal(service.pids.length, 1);

    const cancel = new AbortController();
    let linked: number[] = [];
    const stopped = await runScript(`${DAEMONS} echo ready; sleep 60`, cancel.signal, (daemons) => {
      // When cancelled, nothing links the daemons to this process (and so to the command) any more.
      const ours = new Set(treeOf([{ pid: process.pid }], readProcessTable()).map((p) => p.pid));
      linked = daemons.filter((pid) => ours.has(pid));
      cancel.abort();
    });
    all.push(...stopped.pids);
    assert.ok(stopped.outcome instanceof CommandFailed, String(stopped.outcome));
    assert.equal(stopped.outcome.reasonCode, 'cancelled');
    assert.equal(stopped.pids.length, 2);
    assert.deepEqual(linked, [], 'the daemons were not handed to init before the cancel');
    assert.deepEqual(await untilEnded(stopped.pids), [], 'daemons of the cancelled command still running');
    assert.ok(running(service.pids[0]!), "the earlier command's service was stopped too");
  },
);

/** Waits (up to 10 s) until `file` names `count` pids, and returns them. */
async function pidsWritten(file: string, count: number): Promise<number[]> {
  for (let i = 0; i < 200 && pidsIn(file).length < count; i++) await new Promise((r) => setTimeout(r, 50));
  return pidsIn(file);
}

test(
  "a stopped gate's daemons are stopped, not those of a gate running beside it nor a service a command left since",
  { skip: process.platform !== 'linux' && 'needs /proc', timeout: 30_000 },
  async (t) => {
    const stopFirst = new AbortController();
    const stopSecond = new AbortController();
    const service: number[] = [];
    t.after(() => {
      // The gates too, if an assertion failed while they ran (a cancel stops them with what they started).
      stopFirst.abort();
      stopSecond.abort();
      for (const pid of service) if (running(pid)) process.kill(pid, 'SIGKILL');
    });
    // Two gates running at the same time (as validate.ts runs them: this process's environment), started one
    // after the other, each with double-forked daemons of its own written to a file, then waiting.
    const gate = (file: string, signal: AbortSignal) =>
      runGateCommand(['/bin/sh', '-c', `{ ${DAEMONS} } > '${file}'; sleep 60`], {
        cwd: process.cwd(),
        env: process.env,
        signal,
      });
    const firstFile = pidsFile(t, 'process-tree-first-');
    const first = gate(firstFile, stopFirst.signal);
    const firstDaemons = await pidsWritten(firstFile, 2);
    const secondFile = pidsFile(t, 'process-tree-second-');
    const second = gate(secondFile, stopSecond.signal);
    const secondDaemons = await pidsWritten(secondFile, 2);
    // A command that starts a service meant to outlive it (a build server other gates use), and exits.
    const started = await runScript(`setsid /bin/sh -c 'sleep 300 >/dev/null 2>&1 & echo $!'`);
    service.push(...started.pids);
    assert.equal(started.outcome, 'ok');
    assert.equal(service.length, 1);
    assert.equal(firstDaemons.length, 2);
    assert.equal(secondDaemons.length, 2);

    stopFirst.abort();
    const firstResult = await first;
    assert.ok(!firstResult.ok && /was stopped/.test(firstResult.reason), JSON.stringify(firstResult));
    assert.deepEqual(await untilEnded(firstDaemons), [], "the stopped gate's daemons still run");
    // Its stop is over (the last SIGKILL went when the gate's command exited): what still runs was left alone.
    assert.deepEqual(
      secondDaemons.filter(running),
      secondDaemons,
      'the daemons of the gate beside it were stopped',
    );
    assert.ok(running(service[0]!), 'the service a command left was stopped');

    stopSecond.abort();
    const secondResult = await second;
    assert.ok(!secondResult.ok && /was stopped/.test(secondResult.reason), JSON.stringify(secondResult));
    assert.deepEqual(
      await untilEnded(secondDaemons),
      [],
      "the second gate's daemons still run once it was stopped",
    );
    assert.ok(running(service[0]!), 'the service a command left was stopped');
  },
);
