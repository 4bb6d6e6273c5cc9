// The analysis section's templates (prober URLs, PromQL queries, metric commands) are rendered only while a
// rollout is analysed: each mistake in them is refused when the config is loaded (and so by `validate`), at
// its field, rather than failing every interval of the analysis and rolling the deployment back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { accepts, errorsOf, TARGET } from '../../helpers/config-text.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, ResolveError } from '../../../src/config/resolve.ts';
import { stableVersionUse } from '../../../src/config/analysis-templates.ts';

/** A canary environment whose analysis has these providers and one metric `m` read from provider `p`. */
const withAnalysis = (providers: string, metric = '{ provider: p }', extra = '') =>
  `${TARGET}environments:
  production:
    strategy: canary
${extra}    analysis:
      providers:
${providers}      metrics:
        m: ${metric}
      checks:
        - check: "m < 0.5"
`;
const PROM = '        p: { type: prometheus, url: "http://127.0.0.1:9090" }\n';
const promQuery = (query: string) => withAnalysis(PROM, `{ provider: p, query: '${query}' }`);
const command = (run: string) => withAnalysis(`        p: { type: command, run: ${run} }\n`);
const prober = (fields: string) => withAnalysis(`        p: { type: http, ${fields} }\n`);

describe('analysis templates are checked when the config is loaded', () => {
  it('accepts every variable the analyzer sets, where it sets it', () => {
    // A canary whose every metrics window is a step below 100 % (no monitor window, the 100 % step not
    // watched): each variable has a value in each of them.
    accepts(
      withAnalysis(
        PROM,
        `{ provider: p, query: 'x{v="{{version}}",s="{{stable_version}}",sl="{{slot}}",st="{{stable_slot}}",e="{{environment}}",p="{{phase}}"} * {{weight}}' }`,
        '    monitor: 0\n',
      ),
    );
    accepts(command('["./metrics.sh", "{{version}}", "{{slot}}"]'));
    accepts(prober('url: "http://{{slot}}.internal:8080/health?v={{version}}"'));
    // A template written with spaces, and a scheme in capitals, are URLs as fetch reads them; the stable side
    // is read in the steps below 100 % only, so {{stable_slot}} has a value wherever it is read.
    accepts(
      prober('url: "http://{{ slot }}.internal/health", stable_url: "HTTPS://{{ stable_slot }}.internal/"'),
    );
  });

  it('refuses {{stable_version}}, {{stable_slot}}, {{baseline_slot}} and {{weight}} in a template read in a window that has none', () => {
    // Before: valid; the canary's monitor window (1h by default) found no value at every interval and rolled
    // the release back.
    assert.deepEqual(errorsOf(promQuery('x{v="{{stable_version}}"}')), [
      'deploy.yml:13:34: environments.production.analysis.metrics.m.query: {{stable_version}} has no value in ' +
        'the monitor window of environment "production": it is set only in a canary\'s steps below 100 %, where ' +
        'the stable version serves beside the canary, so that window would fail at every interval and roll the ' +
        'release back; select by {{version}} (in those steps the stable side is read with the same template, ' +
        '{{version}} then the stable version), or use {{stable_version}} in a stable_query or stable_url, read ' +
        'in those steps only',
    ]);
    assert.match(
      errorsOf(promQuery('x{s="{{stable_slot}}"}')).join('\n'),
      /query: \{\{stable_slot\}\} has no value in the monitor window .*; select by \{\{slot\}\}/,
    );
    assert.match(
      errorsOf(promQuery('x * {{weight}}')).join('\n'),
      /query: \{\{weight\}\} has no value in the monitor window of environment "production": it is a canary step's traffic share, set in canary steps only, .*; leave it out of the analysis/,
    );
    // A command and a prober URL are read in every window too.
    assert.match(
      errorsOf(command('["./metrics.sh", "{{stable_version}}"]')).join('\n'),
      /providers\.p\.run\[1\]: \{\{stable_version\}\} has no value in the monitor window/,
    );
    assert.match(
      errorsOf(prober('url: "http://x/?w={{weight}}"')).join('\n'),
      /providers\.p\.url: \{\{weight\}\} has no value in the monitor window/,
    );
  });

  it("names the window: a canary's step at 100 %, a blue-green switch's, a rolling batch's, a staging validation", () => {
    const paused = (query: string) =>
      withAnalysis(PROM, `{ provider: p, query: '${query}' }`, '    monitor: 0\n').replace(
        '    strategy: canary\n',
        '    strategy: { type: canary, steps: [10, 100], pause: 5m }\n',
      );
    // A canary-wide pause watches the step at 100 % too, where the stable version no longer serves.
    assert.match(
      errorsOf(paused('x{a="{{stable_version}}"}')).join('\n'),
      /\{\{stable_version\}\} has no value in the analysis of the canary step at 100 % of environment "production"/,
    );
    // ... and where the step's share still has a value.
    accepts(paused('x * {{weight}}'));
    const other = (strategy: string, variable: string) =>
      errorsOf(
        withAnalysis(PROM, `{ provider: p, query: 'x{a="{{${variable}}}"}' }`, '    monitor: 0\n').replace(
          '    strategy: canary\n',
          `    strategy: ${strategy}\n`,
        ),
      ).join('\n');
    assert.match(
      other('blue-green', 'weight'),
      /\{\{weight\}\} has no value in the verify_after_switch window of environment "production"/,
    );
    assert.match(
      other('{ type: blue-green, analysis_before_switch: 1m, verify_after_switch: 0 }', 'stable_slot'),
      /\{\{stable_slot\}\} has no value in the analysis_before_switch window/,
    );
    assert.match(
      other('{ type: rolling, instances: [a, b], pause: 1m }', 'stable_version'),
      /\{\{stable_version\}\} has no value in the analysis of a rolling batch/,
    );
    // No window reads the metrics: nothing renders it (a direct environment without a monitor window).
    accepts(
      withAnalysis(PROM, `{ provider: p, query: 'x * {{weight}}' }`, '    monitor: 0\n').replace(
        '    strategy: canary\n',
        '    strategy: direct\n',
      ),
    );
    // As another environment's staging environment, its validation_window (15m by default) is watched.
    const staging = withAnalysis(
      PROM,
      `{ provider: p, query: 'x * {{weight}}' }`,
      '    monitor: 0\n',
    ).replace('environments:\n', 'environments:\n  live:\n    staging: production\n    monitor: 0\n');
    assert.match(
      errorsOf(staging).join('\n'),
      /\{\{weight\}\} has no value in the validation_window \(as a staging environment\) of environment "production"/,
    );
    accepts(staging.replace('    staging: production\n', ''));
  });

  it('for a shared analysis, also says to give the environment an analysis of its own', () => {
    const text = `${TARGET}analysis:
  providers:
    p: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
    m: { provider: p, query: 'x{v="{{version}}"} * {{weight}}' }
  checks:
    - check: "m < 0.5"
environments:
  production:
    strategy: canary
    monitor: 0
  staging:
    strategy: blue-green
    monitor: 0
`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:10:30: analysis.metrics.m.query: {{weight}} has no value in the verify_after_switch window of ' +
        'environment "staging": it is a canary step\'s traffic share, set in canary steps only, so that window ' +
        'would fail at every interval and roll the release back; leave it out of the analysis (a rate selected ' +
        'by {{version}} does not depend on the share), or give environment "staging" an analysis of its own ' +
        'without {{weight}}',
    ]);
  });

  it('says what a metric command does instead: it has no stable_ field, it runs for each side', () => {
    // Before: it said to use {{stable_version}} in a stable_query or stable_url, which a command provider has not.
    assert.deepEqual(errorsOf(command('["./metrics.sh", "{{stable_version}}"]')), [
      'deploy.yml:11:51: environments.production.analysis.providers.p.run[1]: {{stable_version}} has no value in ' +
        'the monitor window of environment "production": it is set only in a canary\'s steps below 100 %, where ' +
        'the stable version serves beside the canary, so that window would fail at every interval and roll the ' +
        'release back; select by {{version}} (in those steps the command runs for the stable side too, ' +
        '{{version}} then the stable version)',
    ]);
    assert.match(
      errorsOf(command('"./metrics.sh --slot {{stable_slot}}"')).join('\n'),
      /run: \{\{stable_slot\}\} has no value .*; select by \{\{slot\}\} \(in those steps the command runs for the stable side too, \{\{slot\}\} then the stable slot\)$/,
    );
  });

  it('tells an environment that is no canary to select by what it has: no stable side, no slot under rolling', () => {
    const other = (strategy: string, variable: string) =>
      errorsOf(
        withAnalysis(PROM, `{ provider: p, query: 'x{a="{{${variable}}}"}' }`, '    monitor: 0\n').replace(
          '    strategy: canary\n',
          `    strategy: ${strategy}\n`,
        ),
      ).join('\n');
    // Before: "select by {{slot}}", which a rolling environment refuses too, and a stable_query "read in those
    // steps", which it has none of.
    assert.match(
      other('{ type: rolling, instances: [a, b], pause: 1m }', 'stable_slot'),
      /\{\{stable_slot\}\} has no value in the analysis of a rolling batch .*; select by \{\{version\}\}, the new version \(a rolling environment reads no stable side: only a canary's steps do\)$/,
    );
    assert.match(
      other('blue-green', 'stable_slot'),
      /\{\{stable_slot\}\} has no value in the verify_after_switch window .*; select by \{\{slot\}\}, the new slot \(a blue-green environment reads no stable side: only a canary's steps do\)$/,
    );
    assert.match(
      other('blue-green', 'stable_version'),
      /; select by \{\{version\}\}, the new version \(a blue-green environment reads no stable side: only a canary's steps do\)$/,
    );
  });

  it('leaves a metric no check reads, and a provider of none that is read, to their variables: never rendered', () => {
    // Before: refused as failing the monitor window; the analyzer reads only the metrics its checks read
    // (analysis/analyzer.ts), so the config ran as written.
    const text = `${TARGET}environments:
  production:
    strategy: canary
    analysis:
      preset: none
      providers:
        p: { type: prometheus, url: "http://127.0.0.1:9090" }
        c: { type: command, run: ["./m.sh", "{{stable_version}}"] }
      metrics:
        m: { provider: p, query: 'x{v="{{version}}"}' }
        share: { provider: p, query: 'x{v="{{version}}"} / {{weight}}', stable_query: 'x{s="{{stable_slot}}"}' }
        cmp: { provider: c }
      checks:
        - check: "m < 0.5"
`;
    accepts(text);
    // Read by a check, the same metric is refused; so is an unknown name anywhere (a typo stays one).
    assert.match(
      errorsOf(
        text.replace(
          '        - check: "m < 0.5"\n',
          '        - check: "m < 0.5"\n        - check: "share < 2"\n',
        ),
      ).join('\n'),
      /metrics\.share\.query: \{\{weight\}\} has no value in the monitor window/,
    );
    assert.match(
      errorsOf(text.replace('/ {{weight}}', '/ {{wieght}}')).join('\n'),
      /metrics\.share\.query: unknown template variable \{\{wieght\}\}/,
    );
    // The seeds preset reads its metrics by name (error_rate): refused there without a check of one's own.
    assert.match(
      errorsOf(text.replace('      preset: none\n', '').replace('share:', 'error_rate:')).join('\n'),
      /metrics\.error_rate\.query: \{\{weight\}\} has no value in the monitor window/,
    );
  });

  it('refuses a variable the analyzer never sets, with what was probably meant', () => {
    assert.deepEqual(errorsOf(promQuery('x{v="{{versoin}}"}')), [
      'deploy.yml:13:34: environments.production.analysis.metrics.m.query: unknown template variable {{versoin}}: did you mean {{version}}?',
    ]);
    // {{sha}} is a command's variable, not the analysis's: it would have no value at every interval.
    assert.deepEqual(errorsOf(prober('url: "http://x/health?sha={{sha}}"')), [
      "deploy.yml:11:31: environments.production.analysis.providers.p.url: {{sha}} has no value in analysis templates: they take {{version}}, {{stable_version}}, {{slot}}, {{stable_slot}}, {{environment}}, {{weight}}, {{phase}} and {{baseline_slot}} (with a canary's baseline: fresh)",
    ]);
  });

  it("refuses an environment's own variable: analysis templates are not given them", () => {
    const text = withAnalysis(
      PROM,
      `{ provider: p, query: 'x{region="{{region}}"}' }`,
      '    variables: { region: eu }\n',
    );
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:14:34: environments.production.analysis.metrics.m.query: {{region}} is one of the environment\'s "variables", which analysis templates are not given: they take {{version}}, {{stable_version}}, {{slot}}, {{stable_slot}}, {{environment}}, {{weight}}, {{phase}} and {{baseline_slot}} (with a canary\'s baseline: fresh)',
    ]);
  });

  it('refuses {{baseline_slot}} where no fresh baseline runs', () => {
    assert.deepEqual(errorsOf(promQuery('x{slot="{{baseline_slot}}"}')), [
      'deploy.yml:13:34: environments.production.analysis.metrics.m.query: {{baseline_slot}} has no value in environment "production": it is set by the canary strategy with baseline: fresh',
    ]);
  });

  it("accepts {{baseline_slot}} in a shared analysis's stable side, which only the fresh canary renders", () => {
    const text = readFileSync(
      new URL('../../fixtures/config/shared-analysis-fresh-baseline.yml', import.meta.url),
      'utf8',
    );
    accepts(text);
    // The same in the canary side, which the direct environment renders too, is refused there.
    assert.deepEqual(
      errorsOf(
        text.replace(
          `query: 'sum(rate(x{version="{{version}}"}[1m]))'`,
          `query: 'sum(rate(x{slot="{{baseline_slot}}"}[1m]))'`,
        ),
      ),
      [
        'deploy.yml:23:42: analysis.metrics.error_rate.query: {{baseline_slot}} has no value in environment "staging": it is set by the canary strategy with baseline: fresh',
        // And in the canary's own monitor window (1h by default), where no baseline serves any more.
        'deploy.yml:23:42: analysis.metrics.error_rate.query: {{baseline_slot}} has no value in the monitor ' +
          'window of environment "production": it is set only in a canary\'s steps below 100 %, where the fresh ' +
          'baseline serves beside the canary, so that window would fail at every interval and roll the release ' +
          'back; select by {{slot}} (in those steps the side compared with is read with the same template, ' +
          "{{slot}} then the baseline's slot), or use {{baseline_slot}} in a stable_query or stable_url, read in " +
          'those steps only, or give environment "production" an analysis of its own without {{baseline_slot}}',
      ],
    );
  });

  it('refuses {{slot}} where no slot is set: a direct or rolling environment, its own analysis or a shared one', () => {
    const text = readFileSync(
      new URL('../../fixtures/config/shared-analysis-fresh-baseline.yml', import.meta.url),
      'utf8',
    ).replace(`x{version="{{version}}"}`, `x{slot="{{slot}}"}`);
    // Before: valid; staging's monitor window found {{slot}} without a value and rolled the release back.
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:23:42: analysis.metrics.error_rate.query: {{slot}} has no value in environment "staging": a ' +
        'direct environment has no slots (blue-green and canary set {{slot}}), so every analysis window there ' +
        'would fail and roll the release back; give environment "staging" an analysis of its own without ' +
        '{{slot}} (select by {{version}} or {{environment}}), or move the top-level analysis into the ' +
        'environments with slots',
    ]);
    // Staging with an analysis of its own: the shared one, {{slot}} and all, is the canary's alone.
    accepts(
      text.replace(
        '        deploy: ./deploy.sh --version {{version}}\n',
        '        deploy: ./deploy.sh --version {{version}}\n' +
          '    analysis:\n' +
          '      providers: { prom: { type: prometheus, url: "http://prometheus:9090" } }\n' +
          '      metrics: { error_rate: { provider: prom, query: \'sum(rate(x{env="{{environment}}"}[1m]))\' } }\n',
      ),
    );
    // A rolling environment's own analysis; blue-green and canary set it.
    const own = (strategy: string) =>
      withAnalysis(PROM, `{ provider: p, query: 'x{slot="{{slot}}"}' }`).replace(
        '    strategy: canary\n',
        `    strategy: ${strategy}\n`,
      );
    assert.match(
      errorsOf(own('{ type: rolling, instances: [a, b] }')).join('\n'),
      /a rolling environment has no slots/,
    );
    assert.match(errorsOf(own('direct')).join('\n'), /a direct environment has no slots/);
    assert.doesNotMatch(errorsOf(own('direct')).join('\n'), /move the top-level analysis/);
    accepts(own('blue-green'));
    accepts(own('canary'));
  });

  it('leaves {{slot}} to a direct or rolling environment that runs no analysis window', () => {
    // Before: refused as failing every window, though with monitor: 0 and no watched batch (as preset: fast
    // has them) none runs; an environment cannot opt out of the shared analysis the canaries use.
    const text = readFileSync(
      new URL('../../fixtures/config/shared-analysis-fresh-baseline.yml', import.meta.url),
      'utf8',
    ).replace(`x{version="{{version}}"}`, `x{slot="{{slot}}"}`);
    accepts(text.replace('    strategy: direct\n', '    strategy: direct\n    monitor: 0\n'));
    accepts(
      text.replace(
        '    strategy: direct\n',
        '    strategy: { type: rolling, instances: [a, b], pause: 0 }\n    monitor: 0\n',
      ),
    );
    // A watched batch is a window: refused.
    assert.match(
      errorsOf(
        text.replace(
          '    strategy: direct\n',
          '    strategy: { type: rolling, instances: [a, b], pause: 1m }\n    monitor: 0\n',
        ),
      ).join('\n'),
      /\{\{slot\}\} has no value in environment "staging": a rolling environment has no slots/,
    );
  });

  it('a direct or rolling strategy asked for one deployment meets a {{slot}} analysis before anything runs', () => {
    const text = withAnalysis(PROM, `{ provider: p, query: 'x{slot="{{slot}}"}' }`).replace(
      '    strategy: canary\n',
      '    strategy: blue-green\n',
    );
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok);
    // Before: resolved, and the monitor window failed on {{slot}} and rolled the release back.
    assert.throws(
      () => resolveEnvironment(result.config, 'production', { strategy: 'direct' }),
      new ResolveError(
        'environments.production.analysis.metrics.m.query: {{slot}} has no value with strategy "direct", asked ' +
          'for this deployment instead of environment "production"\'s own: a direct deployment has no slots, so ' +
          'every analysis window would fail and roll the release back; deploy with the configured strategy, or ' +
          'give the environment an analysis without {{slot}}',
      ),
    );
    // Strategies with slots, and the configured one, resolve.
    assert.equal(
      resolveEnvironment(result.config, 'production', { strategy: 'canary' }).strategy.type,
      'canary',
    );
    assert.equal(resolveEnvironment(result.config, 'production').strategy.type, 'blue-green');
  });

  it('a strategy asked for one deployment meets a variable one of its windows has no value for, before anything runs', () => {
    // Valid as configured: a canary without a monitor window renders {{weight}} in its steps only.
    const text = withAnalysis(PROM, `{ provider: p, query: 'x * {{weight}}' }`, '    monitor: 0\n');
    const result = parseConfig(text, 'deploy.yml');
    assert.ok(result.ok);
    // Before: resolved, and the blue-green switch's window found no {{weight}} and rolled the release back.
    assert.throws(
      () => resolveEnvironment(result.config, 'production', { strategy: 'blue-green' }),
      new ResolveError(
        'environments.production.analysis.metrics.m.query: {{weight}} has no value in the verify_after_switch ' +
          'window of strategy "blue-green", asked for this deployment instead of environment "production"\'s own, ' +
          'so that window would fail at every interval and roll the release back; deploy with the configured ' +
          'strategy, or give the environment an analysis without {{weight}}',
      ),
    );
    // A strategy none of whose windows reads the metrics (direct, no monitor window), and the configured one.
    assert.equal(
      resolveEnvironment(result.config, 'production', { strategy: 'direct' }).strategy.type,
      'direct',
    );
    assert.equal(resolveEnvironment(result.config, 'production').strategy.type, 'canary');
  });

  it('accepts {{baseline_slot}} where a fresh baseline runs', () => {
    const target = `target:
  commands:
    deploy: ./deploy.sh {{slot}} {{version}}
    set_weight: ./weight.sh {{slot}} {{weight}} {{baseline_slot}} {{baseline_weight}}
    teardown: ./teardown.sh {{slot}}
`;
    accepts(
      `${target}environments:
  production:
    strategy: { type: canary, baseline: fresh }
    analysis:
      providers:
        p: { type: prometheus, url: "http://127.0.0.1:9090" }
      metrics:
        m: { provider: p, query: 'x{slot="{{slot}}"}', stable_query: 'x{slot="{{baseline_slot}}"}' }
      checks:
        - check: "m < 0.5"
`,
    );
  });

  it('refuses a template that is not one (one brace short)', () => {
    assert.deepEqual(errorsOf(promQuery('x{v="{{version}"}')), [
      'deploy.yml:13:34: environments.production.analysis.metrics.m.query: "{{version}" is not a template: write {{version}}, two braces on each side',
    ]);
  });

  it("refuses a metric command a value could run as code, as a target command's", () => {
    assert.deepEqual(errorsOf(command(`"python -c 'print({{version}})'"`)), [
      'deploy.yml:11:34: environments.production.analysis.providers.p.run: {{version}} is inside the code "python -c" runs: python would run code in its value; pass the value as an argument instead: python -c \'… sys.argv[1] …\' {{version}}',
    ]);
    assert.deepEqual(errorsOf(command(`["python", "-c", "print({{version}})"]`)), [
      'deploy.yml:11:34: environments.production.analysis.providers.p.run: {{version}} is inside the code "python -c" runs: python would run code in its value; pass the value as an argument instead: python -c \'… sys.argv[1] …\' {{version}}',
    ]);
  });

  it('refuses a metric command line that needs a shell, which a metrics command never has', () => {
    assert.deepEqual(errorsOf(command('"./metrics.sh | jq .error_rate"')), [
      'deploy.yml:11:34: environments.production.analysis.providers.p.run: "|" needs a shell: a metrics command runs without one, so write it as an argv list, or move the pipeline into a script',
    ]);
  });

  it("refuses a prober URL that is not an http(s) URL, as a health check's", () => {
    assert.deepEqual(errorsOf(prober('url: "not a url"')), [
      'deploy.yml:11:31: environments.production.analysis.providers.p.url: must be an http:// or https:// URL (templates allowed)',
    ]);
    assert.deepEqual(errorsOf(prober('url: "http://x/", stable_url: "ftp://x/"')), [
      'deploy.yml:11:56: environments.production.analysis.providers.p.stable_url: must be an http:// or https:// URL (templates allowed)',
    ]);
  });

  it('checks the top-level analysis too, at its own path', () => {
    const text = `${TARGET}analysis:
  providers:
    p: { type: prometheus, url: "http://127.0.0.1:9090" }
  metrics:
    m: { provider: p, query: 'x{v="{{versoin}}"}' }
  checks:
    - check: "m < 0.5"
environments:
  production:
    strategy: canary
  staging:
    strategy: canary
`;
    const expected = [
      'deploy.yml:10:30: analysis.metrics.m.query: unknown template variable {{versoin}}: did you mean {{version}}?',
    ];
    assert.deepEqual(errorsOf(text), expected);
    // Also when every environment has an analysis of its own: the section is still the author's.
    assert.deepEqual(
      errorsOf(text.replaceAll('strategy: canary', 'strategy: canary\n    analysis: {}')),
      expected,
    );
  });
});

describe('a logs provider: its command is checked as a metrics command is', () => {
  const logs = (run: string) =>
    withAnalysis(`        p: { type: logs, run: ${run} }\n`, '{ provider: p, field: error_lines }');
  it('accepts the variables the analyzer sets, refuses one it never sets, at its argument', () => {
    accepts(logs('["kubectl", "logs", "-l", "app=web,version={{version}}", "--since=1m"]'));
    assert.deepEqual(errorsOf(logs('["kubectl", "logs", "-l", "version={{versoin}}"]')), [
      'deploy.yml:11:57: environments.production.analysis.providers.p.run[3]: unknown template variable {{versoin}}: did you mean {{version}}?',
    ]);
  });
});

describe('stableVersionUse: where a canary step needs the stable version', () => {
  const prom = { type: 'prometheus' as const, url: 'http://127.0.0.1:9090' };
  it('finds the stable side read by {{version}}, or {{stable_version}} on either side, in what a metric reads', () => {
    assert.deepEqual(
      stableVersionUse(
        { providers: { prom }, metrics: { error_rate: { provider: 'prom', query: 'x{v="{{version}}"}' } } },
        [],
      ),
      { path: ['metrics', 'error_rate', 'query'], variable: 'version' },
    );
    // The stable side read by slot: the canary's {{version}} is its own.
    const bySlot = { provider: 'prom', query: 'x{v="{{version}}"}', stable_query: 'x{s="{{slot}}"}' };
    assert.equal(stableVersionUse({ providers: { prom }, metrics: { error_rate: bySlot } }, []), undefined);
    assert.deepEqual(
      stableVersionUse(
        { providers: { prom }, metrics: { error_rate: { ...bySlot, query: 'x{v="{{stable_version}}"}' } } },
        ['analysis'],
      ),
      { path: ['analysis', 'metrics', 'error_rate', 'query'], variable: 'stable_version' },
    );
    // A prober's URL and a command are read for the stable side too; a provider no metric reads is never asked.
    assert.deepEqual(
      stableVersionUse(
        {
          providers: { probe: { type: 'http', url: 'http://x/?v={{version}}' } },
          metrics: { p95: { provider: 'probe' } },
        },
        [],
      ),
      { path: ['providers', 'probe', 'url'], variable: 'version' },
    );
    assert.equal(
      stableVersionUse(
        {
          providers: { prom, unused: { type: 'command', run: ['./m.sh', '{{version}}'] } },
          metrics: { error_rate: bySlot },
        },
        [],
      ),
      undefined,
    );
    // A metric no check reads is never asked either (preset: none, no check on it).
    assert.equal(
      stableVersionUse(
        {
          preset: 'none',
          providers: { prom },
          metrics: { error_rate: bySlot, other: { provider: 'prom', query: 'y{v="{{stable_version}}"}' } },
          checks: [{ check: 'error_rate < 0.01' }],
        },
        [],
      ),
      undefined,
    );
  });
});
