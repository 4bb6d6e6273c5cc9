// The demo's pure parts: version behaviours, the embedded router's weighted round-robin, spec parsing, ctl's plans, metrics text,
// haproxy "show stat" parsing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { behaviourFor } from '../../../examples/demo/lib/behaviour.ts';
import { pickWeighted } from '../../../examples/demo/lib/weighted.ts';
import {
  parseAddress,
  parseBackendSpec,
  parseNameList,
  parsePortMap,
  parseWeightSpec,
} from '../../../examples/demo/lib/specs.ts';
import {
  applyOrder,
  liveSlot,
  probeVerdict,
  raisedServers,
  removalCheck,
  splitCheck,
  switchPlan,
  weightPlan,
} from '../../../examples/demo/lib/plans.ts';
import { ServiceMetrics } from '../../../examples/demo/lib/metrics.ts';
import {
  parseBackendAlgo,
  parseShowStat,
  runtimeTarget,
} from '../../../examples/demo/lib/haproxy-runtime.ts';

describe('behaviourFor', () => {
  test('a plain version behaves well', () => {
    assert.deepEqual(behaviourFor('1.2.3'), {
      unhealthyAfterMs: undefined,
      errorRate: 0,
      errorEvery: undefined,
      extraLatencyMs: 0,
      crashAtStart: false,
    });
  });
  test('each word switches on its behaviour, case-insensitively, and words combine', () => {
    assert.equal(behaviourFor('2.0.0-unhealthy').unhealthyAfterMs, 1000);
    assert.equal(behaviourFor('2.0.0-ERRORS').errorRate, 0.3);
    assert.equal(behaviourFor('v2-slow').extraLatencyMs, 300);
    assert.equal(behaviourFor('crash-1').crashAtStart, true);
    assert.equal(behaviourFor('v4-FLAKY').errorEvery, 33);
    assert.equal(behaviourFor('v4-flaky').unhealthyAfterMs, undefined, 'flaky stays healthy');
    const both = behaviourFor('3-slow-errors');
    assert.equal(both.errorRate, 0.3);
    assert.equal(both.extraLatencyMs, 300);
    assert.equal(both.crashAtStart, false);
  });
});

describe('pickWeighted', () => {
  const backends = (blue: number, green: number, greenEnabled = true) => [
    { name: 'blue', weight: blue, enabled: true },
    { name: 'green', weight: green, enabled: greenEnabled },
  ];
  const picks = (candidates: ReturnType<typeof backends>, n: number, scores = new Map<string, number>()) =>
    Array.from({ length: n }, () => pickWeighted(candidates, scores)?.name ?? '-');
  const count = (names: string[]) =>
    names.reduce<Record<string, number>>((c, n) => ({ ...c, [n]: (c[n] ?? 0) + 1 }), {});

  test('every run of as many picks as the total weight gives each backend exactly its weight', () => {
    // A canary's steps: the counts are the weights, in the first run of picks and in any later one.
    for (const [blue, green] of [
      [95, 5],
      [90, 10],
      [75, 25],
      [50, 50],
      [100, 0],
      [0, 100],
      [1, 255],
    ] as const) {
      const seen = picks(backends(blue, green), 3 * (blue + green));
      for (let start = 0; start + blue + green <= seen.length; start += 7) {
        const window = count(seen.slice(start, start + blue + green));
        assert.deepEqual(
          [window.blue ?? 0, window.green ?? 0],
          [blue, green],
          `${blue}/${green} from pick ${start}`,
        );
      }
    }
    // A fresh baseline beside the canary: three ways, 25/25/50.
    const three = [...backends(50, 25), { name: 'baseline', weight: 25, enabled: true }];
    assert.deepEqual(count(picks(three, 100)), { blue: 50, green: 25, baseline: 25 });
  });
  test('a small share is spread out, not bunched', () => {
    const seen = picks(backends(95, 5), 100);
    const greens = seen.flatMap((n, i) => (n === 'green' ? [i] : []));
    assert.equal(greens.length, 5);
    for (let i = 1; i < greens.length; i++) assert.equal(greens[i]! - greens[i - 1]!, 20);
  });
  test('skips disabled and excluded backends, and gives nothing when none is eligible', () => {
    assert.deepEqual(count(picks(backends(50, 50, false), 10)), { blue: 10 });
    const scores = new Map<string, number>();
    for (let i = 0; i < 5; i++)
      assert.equal(pickWeighted(backends(50, 50), scores, new Set(['green']))?.name, 'blue');
    assert.equal(pickWeighted(backends(0, 0), new Map()), undefined);
    assert.equal(pickWeighted(backends(0, 50, false), new Map()), undefined);
  });
});

describe('spec parsing', () => {
  test('backends, weights, addresses, port maps, name lists', () => {
    assert.deepEqual(parseBackendSpec('blue=127.0.0.1:8081'), {
      name: 'blue',
      host: '127.0.0.1',
      port: 8081,
    });
    assert.deepEqual(parseWeightSpec('green=10'), { name: 'green', weight: 10 });
    assert.deepEqual(parseAddress('9000', 'X'), { host: '127.0.0.1', port: 9000 });
    // The IPv6 loopback as a URL writes it; the host kept without brackets, as sockets take it.
    assert.deepEqual(parseAddress('[::1]:9000', 'X'), { host: '::1', port: 9000 });
    assert.deepEqual(parseBackendSpec('six=[::1]:8081'), { name: 'six', host: '::1', port: 8081 });
    assert.deepEqual(
      [...parsePortMap('blue=1, green=2 i1=3', 'DEMO_PORTS')],
      [
        ['blue', 1],
        ['green', 2],
        ['i1', 3],
      ],
    );
    assert.deepEqual(parseNameList('i1, i2,i3', '--instances'), ['i1', 'i2', 'i3']);
  });
  test('errors name the flag and the bad text', () => {
    assert.throws(() => parseBackendSpec('blue'), /--backend: "blue" must look like blue=127.0.0.1:8081/);
    assert.throws(
      () => parseBackendSpec('blue=127.0.0.1:99999'),
      /--backend blue: "99999" is not a TCP port/,
    );
    assert.throws(() => parseWeightSpec('green=-1'), /--weight green: "-1" is not a weight/);
    assert.throws(() => parseWeightSpec('green=300'), /0 to 256/);
    assert.throws(() => parsePortMap('blue=1,blue=2', 'DEMO_PORTS'), /DEMO_PORTS: "blue" is listed twice/);
    assert.throws(() => parsePortMap(' , ', 'DEMO_PORTS'), /DEMO_PORTS is empty/);
    assert.throws(
      () => parseNameList('i1,$(rm)', '--instances'),
      /--instances: "\$\(rm\)" is not a valid name/,
    );
    assert.throws(() => parseAddress('::1:9000', 'X'), /X: "::1:9000": write an IPv6 address in brackets/);
    for (const text of ['[::1:9000', '::1]:9000', '[]:9000'])
      assert.throws(() => parseAddress(text, 'X'), /must look like \[::1\]:8080/, text);
  });
});

describe('ctl plans', () => {
  test('switch gives the slot everything and every other server nothing', () => {
    assert.deepEqual(switchPlan({ blue: 100, green: 0, canary: 5 }, 'green'), {
      blue: 0,
      green: 100,
      canary: 0,
    });
    assert.throws(
      () => switchPlan({ blue: 100 }, 'green'),
      /slot "green" is not a server of the router \(servers: blue\)/,
    );
  });
  test('weight splits between slot and stable, and rejects nonsense', () => {
    assert.deepEqual(weightPlan({ blue: 100, green: 0 }, 'green', 25, 'blue'), { green: 25, blue: 75 });
    assert.throws(() => weightPlan({ blue: 100, green: 0 }, 'green', 101, 'blue'), /0 to 100, got 101/);
    assert.throws(() => weightPlan({ blue: 100, green: 0 }, 'blue', 10, 'blue'), /must differ/);
    assert.throws(() => weightPlan({ blue: 100, green: 0 }, 'green', 10, 'red'), /stable slot "red"/);
  });
  test('weight with a fresh baseline splits three ways, and rejects what cannot add up', () => {
    const three = { blue: 100, green: 0, baseline: 0 };
    const at = (w: number, b: number) =>
      weightPlan(three, 'green', w, 'blue', { slot: 'baseline', weight: b });
    assert.deepEqual(at(10, 10), { green: 10, baseline: 10, blue: 80 });
    assert.deepEqual(at(50, 50), { green: 50, baseline: 50, blue: 0 });
    assert.deepEqual(at(100, 0), { green: 100, baseline: 0, blue: 0 });
    assert.deepEqual(at(0, 0), { green: 0, baseline: 0, blue: 100 });
    assert.throws(() => at(60, 60), /--weight 60 and --baseline-weight 60 add up to more than 100/);
    assert.throws(() => at(10, 101), /--baseline-weight must be a whole number from 0 to 100, got 101/);
    assert.throws(
      () => weightPlan(three, 'green', 10, 'blue', { slot: 'blue', weight: 10 }),
      /--baseline "blue" is also the --stable slot/,
    );
    assert.throws(
      () => weightPlan({ blue: 100, green: 0 }, 'green', 10, 'blue', { slot: 'baseline', weight: 10 }),
      /baseline slot "baseline" is not a server of the router \(servers: blue, green\)/,
    );
  });
  test('weights are raised before they are cut, so the total never drops to zero', () => {
    assert.deepEqual(applyOrder({ blue: 100, green: 0 }, { blue: 0, green: 100 }), [
      ['green', 100],
      ['blue', 0],
    ]);
    assert.deepEqual(applyOrder({ blue: 50, green: 50 }, { blue: 50, green: 50 }), []);
  });
  test('every server given more traffic is checked first, also one that already has a share', () => {
    // A canary at 50 % switched to: it is raised, and must be able to take everything.
    assert.deepEqual(raisedServers({ blue: 50, green: 50 }, switchPlan({ blue: 50, green: 50 }, 'green')), [
      'green',
    ]);
    assert.deepEqual(raisedServers({ blue: 100, green: 0 }, { blue: 95, green: 5 }), ['green']);
    // The rollback: the canary's share goes back to the stable slot, which is raised.
    assert.deepEqual(raisedServers({ blue: 75, green: 25 }, { green: 0, blue: 100 }), ['blue']);
    assert.deepEqual(raisedServers({ blue: 100, green: 0 }, { blue: 100, green: 0 }), []);
    assert.deepEqual(raisedServers({ blue: 100 }, { blue: 90, base: 10 }), ['base']);
  });
  test("a split the router's balance algorithm cannot make is refused; one it makes by connections is warned about", () => {
    const split = { green: 10, blue: 90 };
    assert.deepEqual(splitCheck('roundrobin', split), { ok: true });
    assert.deepEqual(splitCheck(undefined, split), { ok: true });
    const first = splitCheck('first', split);
    assert.ok(!first.ok);
    assert.match(first.reason, /"first".*green=10 blue=90 cannot be split/);
    const leastconn = splitCheck('leastconn', split);
    assert.ok(leastconn.ok);
    assert.match(leastconn.warning ?? '', /open connections, not requests/);
    // A switch puts one server on everything: every algorithm does that.
    assert.deepEqual(splitCheck('first', { green: 100, blue: 0 }), { ok: true });
    assert.deepEqual(splitCheck('leastconn', { green: 0, blue: 100 }), { ok: true });
  });
  test('a failed probe refuses a server with no traffic, and one with a share only once its port stays closed', () => {
    assert.equal(probeVerdict(0, 'ECONNREFUSED', false), 'refuse');
    assert.equal(probeVerdict(0, 'ETIMEDOUT', false), 'refuse');
    // The stable slot of a canary's rollback: slow is not down, and a closed port may be a restart.
    assert.equal(probeVerdict(50, 'ETIMEDOUT', false), 'slow');
    assert.equal(probeVerdict(50, 'ETIMEDOUT', true), 'slow');
    assert.equal(probeVerdict(50, 'ECONNREFUSED', false), 'retry');
    assert.equal(probeVerdict(50, 'ECONNRESET', true), 'refuse');
  });
  test('the live slot is the heaviest one', () => {
    assert.equal(liveSlot({ blue: 10, green: 90 }), 'green');
    assert.equal(liveSlot({ i2: 100, i1: 100 }), 'i1');
    assert.equal(liveSlot({ blue: 0, green: 0 }), undefined);
  });
  test('removing every server that takes traffic is refused', () => {
    assert.deepEqual(removalCheck(['blue', 'green'], ['green']), { ok: true });
    assert.deepEqual(removalCheck(['blue'], ['green']), { ok: true });
    const refused = removalCheck(['green'], ['green']);
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.reason : '', /green holds all the traffic/);
  });
});

describe('ServiceMetrics', () => {
  test('renders a counter by code and a cumulative histogram in Prometheus text format', () => {
    const m = new ServiceMetrics('2.0.0');
    m.observe(200, 0.003);
    m.observe(200, 0.2);
    m.observe(500, 3);
    const text = m.render(1234);
    assert.match(text, /^# TYPE http_requests_total counter$/m);
    assert.match(text, /^http_requests_total\{code="200",version="2.0.0"\} 2$/m);
    assert.match(text, /^http_requests_total\{code="500",version="2.0.0"\} 1$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{version="2.0.0",le="0.005"\} 1$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{version="2.0.0",le="0.25"\} 2$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{version="2.0.0",le="5"\} 3$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{version="2.0.0",le="\+Inf"\} 3$/m);
    assert.match(text, /^http_request_duration_seconds_count\{version="2.0.0"\} 3$/m);
    assert.match(text, /^process_resident_memory_bytes 1234$/m);
    assert.ok(text.endsWith('\n'));
  });
  test('labels every application series with the slot when given (two processes of one version)', () => {
    const m = new ServiceMetrics('1.0.0', 'baseline');
    m.observe(200, 0.003);
    const text = m.render(0);
    assert.match(text, /^http_requests_total\{code="200",version="1.0.0",slot="baseline"\} 1$/m);
    assert.match(
      text,
      /^http_request_duration_seconds_bucket\{version="1.0.0",slot="baseline",le="0.005"\} 1$/m,
    );
    assert.match(text, /^http_request_duration_seconds_count\{version="1.0.0",slot="baseline"\} 1$/m);
  });
  test('escapes label values', () => {
    const text = new ServiceMetrics('a"b\\c').render(0);
    assert.match(text, /version="a\\"b\\\\c"/);
  });
});

describe('runtimeTarget', () => {
  test("reads the runtime API's address as a stats socket line writes it", () => {
    assert.deepEqual(runtimeTarget('/run/haproxy/admin.sock'), { path: '/run/haproxy/admin.sock' });
    assert.deepEqual(runtimeTarget('unix@/run/haproxy/admin.sock'), { path: '/run/haproxy/admin.sock' });
    assert.deepEqual(runtimeTarget('admin.sock'), { path: 'admin.sock' });
    assert.deepEqual(runtimeTarget('/tmp/a:1/admin.sock'), { path: '/tmp/a:1/admin.sock' });
    assert.deepEqual(runtimeTarget('127.0.0.1:9999'), { host: '127.0.0.1', port: 9999 });
    assert.deepEqual(runtimeTarget('ipv4@127.0.0.1:9999'), { host: '127.0.0.1', port: 9999 });
    assert.deepEqual(runtimeTarget('ipv6@[::1]:9999'), { host: '::1', port: 9999 });
    assert.throws(() => runtimeTarget('ipv6@::1:9999'), /write an IPv6 address in brackets/);
    assert.throws(() => runtimeTarget('127.0.0.1:99999'), /"99999" is not a TCP port/);
  });
});

describe('parseBackendAlgo', () => {
  test("reads the backend's balance algorithm from show stat", () => {
    const csv = [
      '# pxname,svname,status,weight,algo',
      'be_app,blue,UP,100,',
      'be_app,BACKEND,UP,100,leastconn',
      'other,BACKEND,UP,1,roundrobin',
    ].join('\n');
    assert.equal(parseBackendAlgo(csv, 'be_app'), 'leastconn');
    assert.equal(parseBackendAlgo(csv, 'other'), 'roundrobin');
    assert.equal(parseBackendAlgo(csv, 'none'), undefined);
    assert.equal(parseBackendAlgo('# pxname,svname,status\n', 'be_app'), undefined);
  });
});

describe('parseShowStat', () => {
  test('reads the servers of one backend', () => {
    const csv = [
      '# pxname,svname,qcur,qmax,scur,status,weight,',
      'fe_app,FRONTEND,,,3,OPEN,,',
      'be_app,blue,0,0,2,UP,100,',
      'be_app,green,0,0,0,MAINT,0,',
      'be_app,BACKEND,0,0,2,UP,100,',
      'other,x,0,0,0,UP,1,',
      '',
    ].join('\n');
    assert.deepEqual(parseShowStat(csv, 'be_app'), [
      { name: 'blue', status: 'UP', weight: 100, current: 2 },
      { name: 'green', status: 'MAINT', weight: 0, current: 0 },
    ]);
    assert.throws(() => parseShowStat('# pxname,svname\n', 'be_app'), /no "status" column/);
  });
});
