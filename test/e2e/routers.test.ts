// Zero downtime, proven: real haproxy and the embedded router in front of real demo services, under
// continuous load (300 rps asked), while `ctl` moves traffic between slots and rolls instances. Every failed
// request (network error, timeout or status >= 500) fails the test; a load client that could not keep its
// rate on a busy machine is reported, and fails the test only when too little load was left to prove it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setupDemo } from '../helpers/demo.ts';
import { assertZeroDowntime, describeLoad, lastFullBucket, startLoad, type Load } from '../helpers/load.ts';

const RPS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The load's counts once at least one request has been answered (bounded: 30 s). */
async function answered(load: Load): Promise<ReturnType<Load['snapshot']>> {
  for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
    const snapshot = load.snapshot();
    if (snapshot.ok + snapshot.failed > 0) return snapshot;
  }
  assert.fail('no request was answered within 30 s of starting the load');
}

for (const kind of ['haproxy', 'embedded'] as const) {
  describe(`zero downtime through ${kind === 'haproxy' ? 'haproxy' : 'the embedded router'}`, () => {
    test('blue-green: weights 100/0 -> 0/100, old slot torn down and redeployed, all under load', async (t) => {
      const demo = await setupDemo(t, kind, { blue: 100, green: 0 });
      await demo.ctl('deploy', '--slot', 'blue', '--version', '1.0.0');
      await demo.ctl('switch', '--slot', 'blue');
      await demo.ctl('deploy', '--slot', 'green', '--version', '2.0.0');

      const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 120_000 });
      t.after(() => load.stop());
      await sleep(800);
      // Answered before the first weight change: all by 1.0.0. (Read from the answers, not the first 500 ms
      // of send times: a router slowed by a busy machine may route a request sent then after the change.)
      const before = await answered(load);
      await demo.ctl('weight', '--slot', 'green', '--weight', '50', '--stable', 'blue');
      await sleep(600);
      await demo.ctl('switch', '--slot', 'green');
      await sleep(600);
      assert.deepEqual(JSON.parse(await demo.ctl('current')), { slot: 'green', version: '2.0.0' });
      await demo.ctl('teardown', '--slot', 'blue');
      // The idle slot is redeployed (restarted) while green serves: nobody may notice.
      await demo.ctl('deploy', '--slot', 'blue', '--version', '3.0.0');
      await demo.ctl('switch', '--slot', 'blue');
      await sleep(1200);
      const report = await load.stop();

      assertZeroDowntime(t, report);
      for (const v of ['1.0.0', '2.0.0', '3.0.0']) {
        assert.ok((report.byVersion[v] ?? 0) > 50, `too little traffic on ${v}: ${describeLoad(report)}`);
      }
      const settled = lastFullBucket(report);
      assert.deepEqual(
        Object.keys(settled.byVersion),
        ['3.0.0'],
        `traffic did not settle on 3.0.0: ${JSON.stringify(settled)}`,
      );
      assert.deepEqual(Object.keys(before.byVersion), ['1.0.0'], JSON.stringify(before));
    });

    test('rolling: three instances rolled one by one under load', async (t) => {
      const demo = await setupDemo(t, kind, { i1: 100, i2: 100, i3: 100 });
      for (const i of ['i1', 'i2', 'i3']) await demo.ctl('deploy', '--slot', i, '--version', '1.0.0');
      const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 120_000 });
      t.after(() => load.stop());
      await sleep(600);
      await demo.ctl('roll', '--instances', 'i1,i2,i3', '--version', '2.0.0');
      await sleep(1000);
      const report = await load.stop();

      assertZeroDowntime(t, report);
      assert.ok((report.byVersion['1.0.0'] ?? 0) > 50, describeLoad(report));
      assert.ok((report.byVersion['2.0.0'] ?? 0) > 50, describeLoad(report));
      const settled = lastFullBucket(report);
      assert.deepEqual(
        Object.keys(settled.byVersion),
        ['2.0.0'],
        `traffic did not settle on 2.0.0: ${JSON.stringify(settled)}`,
      );
      const status = JSON.parse(await demo.ctl('status')) as {
        processes: Record<string, { version: string; running: boolean }>;
      };
      for (const i of ['i1', 'i2', 'i3'])
        assert.deepEqual([status.processes[i]?.version, status.processes[i]?.running], ['2.0.0', true]);
    });
  });
}
