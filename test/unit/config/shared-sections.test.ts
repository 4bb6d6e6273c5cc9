// A section many environments share (the top-level analysis, the environments map itself) is worked out once per
// validation, not once per environment: a top-level analysis was parsed and walked again for every environment,
// and each environment scanned all the others for its staging role, so 2,000 environments sharing 1,000 metrics
// took 12 s and 5,000 x 2,000 over a minute. Measured here by what the checks read, not by time: every property
// read of the shared section and of the environments map is counted through a proxy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import { semanticIssues } from '../../../src/config/semantics.ts';
import { configFindings } from '../../../src/config/warnings.ts';

const STRATEGIES = ['direct', 'blue-green', 'canary', 'rolling'] as const;

/** `environments` environments of each strategy in turn, every fourth another's staging, sharing `metrics` metrics. */
function configText(environments: number, metrics: number): string {
  const lines = [
    'target:',
    '  commands:',
    '    deploy: ./deploy.sh {{version}}',
    '    switch: ./switch.sh {{slot}}',
    '    set_weight: ./weight.sh {{weight}}',
    'analysis:',
    '  providers: { prom: { type: prometheus, url: "http://prometheus:9090" } }',
    '  min_samples: 2',
    '  metrics:',
    ...Array.from(
      { length: metrics },
      (_, i) => `    m${i}: { provider: prom, query: 'sum(increase(x_total{version="{{version}}"}[1m]))' }`,
    ),
    '  checks:',
    ...Array.from({ length: metrics }, (_, i) => `    - check: "m${i} < 100"`),
    'environments:',
    ...Array.from({ length: environments }, (_, i) => {
      const strategy = STRATEGIES[i % 4]!;
      const written = strategy === 'rolling' ? '{ type: rolling, instances: [a, b, c] }' : strategy;
      const staging = i % 4 === 0 && i + 1 < environments ? `, staging: e${i + 1}` : '';
      return `  e${i}: { strategy: ${written}${staging} }`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/** `value` and everything read through it, each property read counted in `counter`. */
function counted<T extends object>(value: T, counter: { reads: number }): T {
  const proxies = new WeakMap<object, object>();
  const wrap = (target: object): object => {
    let proxy = proxies.get(target);
    if (!proxy) {
      proxy = new Proxy(target, {
        get(object, key, receiver) {
          counter.reads++;
          const found: unknown = Reflect.get(object, key, receiver);
          return found !== null && typeof found === 'object' ? wrap(found) : found;
        },
      });
      proxies.set(target, proxy);
    }
    return proxy;
  };
  return wrap(value) as T;
}

/** The reads of the shared analysis and of the environments map while the config's checks and warnings run. */
function readsOf(environments: number, metrics: number): { analysis: number; environments: number } {
  const parsed = parseConfig(configText(environments, metrics), 'deploy.yml');
  assert.ok(parsed.ok, JSON.stringify(parsed.ok ? [] : parsed.errors.slice(0, 3)));
  const analysis = { reads: 0 };
  const map = { reads: 0 };
  const config: RawConfig = {
    ...parsed.config,
    analysis: counted(parsed.config.analysis!, analysis),
    environments: counted(parsed.config.environments, map),
  };
  assert.deepEqual(semanticIssues(config), []);
  assert.deepEqual(configFindings(config), { errors: [], warnings: [] });
  return { analysis: analysis.reads, environments: map.reads };
}

/** The same number of reads for each environment more, from `counts[0]` to `[1]` and from `[1]` to `[2]`. */
function assertLinear(reads: (environments: number) => number, counts = [8, 16, 32]): void {
  const [a, b, c] = counts.map(reads) as [number, number, number];
  const first = (b - a) / (counts[1]! - counts[0]!);
  const second = (c - b) / (counts[2]! - counts[1]!);
  assert.equal(
    second,
    first,
    `per environment: ${first} reads from ${counts[0]} to ${counts[1]} environments, ${second} from ${counts[1]} to ${counts[2]}`,
  );
}

test('an environment more reads the shared analysis as much with 40 metrics as with 10: it is resolved once', () => {
  const added = (metrics: number) => {
    const few = readsOf(8, metrics).analysis;
    const more = readsOf(16, metrics).analysis;
    return (more - few) / 8;
  };
  const small = added(10);
  const large = added(40);
  // Each environment reads a few of the section's settings (min_samples, its window's), never its metrics.
  assert.equal(large, small, `per environment: ${small} reads with 10 metrics, ${large} with 40`);
  assert.ok(small < 10, `an environment read the shared section ${small} times`);
});

test('the environments map is read a fixed number of times per environment: none scans all the others', () => {
  assertLinear((n) => readsOf(n, 4).environments);
});

test("an unknown variable in each environment's own target is said at each, without scanning the others", () => {
  assertLinear((n) => {
    const environments: RawConfig['environments'] = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `e${i}`,
        { target: { commands: { deploy: './d.sh {{bogus}}' } } },
      ]),
    );
    const map = { reads: 0 };
    const issues = semanticIssues({ environments: counted(environments, map) });
    assert.equal(issues.length, n);
    assert.match(issues[0]!.message, /^unknown template variable \{\{bogus\}\}/);
    return map.reads;
  });
});
