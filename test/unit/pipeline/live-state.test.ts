// What is live: the `current` command is the source of truth when configured, cross-checked against the
// record (a warning when they differ); without it, the record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import {
  askCurrent,
  disagreementOf,
  readLiveForRun,
  readLiveState,
  unknownStableProblem,
} from '../../../src/pipeline/live-state.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';

function env(current?: string) {
  const print =
    current === undefined
      ? ''
      : `    current: ${JSON.stringify([process.execPath, '-e', `console.log(${JSON.stringify(current)})`])}\n`;
  const parsed = parseConfig(
    `target:\n  commands:\n    deploy: deploy {{slot}}\n    switch: switch {{slot}}\n${print}environments:\n  production:\n    strategy: blue-green\n`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return resolveEnvironment(parsed.config, 'production');
}

function record(version: string, slot: string): EnvironmentRecord {
  const at = '2026-01-01T00:00:00.000Z';
  return { ...emptyRecord('local', 'production', new Date(at)), live: { version, slot, since: at } };
}

test('without a current command the record says what is live; with neither, nothing is known', async () => {
  assert.deepEqual(await readLiveState(env(), record('v3', 'green'), {}), { slot: 'green', version: 'v3' });
  assert.deepEqual(await readLiveState(env(), undefined, {}), {});
});

test('the current command wins; the record fills in the version only for the same slot', async () => {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  assert.deepEqual(await readLiveState(env('green'), record('v3', 'green'), { warn }), {
    slot: 'green',
    version: 'v3',
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(await readLiveState(env('blue'), record('v3', 'green'), { warn }), {
    slot: 'blue',
    version: undefined,
  });
  assert.deepEqual(warnings, [
    'production: the current command says slot blue but the state record says version v3 on slot green; going by the current command',
  ]);
});

test('disagreement is only about what both sides say', () => {
  assert.equal(disagreementOf({ slot: 'blue' }, { version: 'v1' }), undefined);
  assert.equal(disagreementOf({ slot: 'blue', version: 'v1' }, { slot: 'blue', version: 'v1' }), undefined);
  assert.deepEqual(disagreementOf({ version: 'v2' }, { version: 'v1', slot: 'blue' }), {
    current: 'version v2',
    recorded: 'version v1 on slot blue',
  });
  assert.equal(disagreementOf({ slot: 'blue' }, undefined), undefined);
  // Nothing serves where the record names a release: the run deploys as a first one, and says why.
  assert.deepEqual(disagreementOf({}, { version: 'v1', slot: 'blue' }), {
    current: 'nothing live',
    recorded: 'version v1 on slot blue',
  });
  assert.equal(disagreementOf({}, {}), undefined);
  assert.equal(disagreementOf({}, undefined), undefined);
});

test('a current command that prints nothing while the record names a live release is warned about', async () => {
  const warnings: string[] = [];
  assert.deepEqual(await readLiveState(env(''), record('v3', 'green'), { warn: (m) => warnings.push(m) }), {
    slot: undefined,
    version: undefined,
  });
  assert.deepEqual(warnings, [
    'production: the current command says nothing live but the state record says version v3 on slot green; going by the current command',
  ]);
});

test('blue-green is refused when the current command prints nothing while the record names a live slot', async () => {
  // A router drained by hand (every weight 0) still runs the recorded release on green: as a first deployment
  // the run could pick green, replace that release and tear it down on rollback.
  const warnings: string[] = [];
  const read = await readLiveForRun(env(''), record('v3', 'green'), { warn: (m) => warnings.push(m) });
  assert.deepEqual(read.live, { slot: undefined, version: undefined });
  assert.match(
    read.problem ?? '',
    /^the current command of production prints nothing \(nothing serves\), but the state record says v3 on slot green is live\. Nothing was deployed: blue-green picks .* which may be green: .* If green is to serve \(a router drained by hand, every weight at 0\), give it its traffic back and run again/s,
  );
  assert.equal(warnings.length, 1);
  // Nothing recorded, or a recorded slot the environment no longer has (it cannot be picked): a first deployment.
  assert.equal((await readLiveForRun(env(''), undefined, { warn: () => {} })).problem, undefined);
  assert.equal(
    (await readLiveForRun(env(''), record('v3', 'purple'), { warn: () => {} })).problem,
    undefined,
  );
  // Direct picks no slot: the warning is all.
  const parsed = parseConfig(
    `target:\n  commands:\n    deploy: deploy {{version}}\n    current: ${JSON.stringify([process.execPath, '-e', ''])}\nenvironments:\n  production:\n    strategy: direct\n`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const direct = await readLiveForRun(
    resolveEnvironment(parsed.config, 'production'),
    record('v3', 'green'),
    {
      warn: () => {},
    },
  );
  assert.equal(direct.problem, undefined);
});

test('a current command naming a slot longer than the record keeps is refused, never cut; a long version is passed on (the record cuts it)', async () => {
  const long = `slot-${'x'.repeat(5000)}`;
  for (const printed of [long, JSON.stringify({ slot: long, version: 'v1' })])
    await assert.rejects(
      readLiveState(env(printed), undefined, {}),
      /the current command printed a slot name of 5005 characters \("slot-x{35}"…\); a slot name has at most 100/,
    );
  const version = `v${'1'.repeat(5000)}`;
  assert.deepEqual(await readLiveState(env(JSON.stringify({ slot: 'blue', version })), undefined, {}), {
    slot: 'blue',
    version,
  });
});

test('a current command that logs more than a result keeps is still read from its last line', async () => {
  const script = `for (let i = 0; i < 2048; i++) console.log('log ' + 'x'.repeat(1020)); console.log(JSON.stringify({ slot: 'blue', version: 'v7' }))`;
  const parsed = parseConfig(
    `target:\n  commands:\n    deploy: deploy {{slot}}\n    switch: switch {{slot}}\n    current: ${JSON.stringify([process.execPath, '-e', script])}\nenvironments:\n  production:\n    strategy: blue-green\n`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  assert.deepEqual(await readLiveState(resolveEnvironment(parsed.config, 'production'), undefined, {}), {
    slot: 'blue',
    version: 'v7',
  });
});

test('a run on direct or rolling goes on with a warning when the current command fails; blue-green is refused', async () => {
  const failing = (strategy: string) => {
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: deploy {{version}}\n    switch: switch {{slot}}\n    current: ${JSON.stringify([process.execPath, '-e', 'process.exit(3)'])}\nenvironments:\n  production:\n    strategy: ${strategy}\n`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return resolveEnvironment(parsed.config, 'production');
  };
  const warnings: string[] = [];
  const direct = await readLiveForRun(failing('direct'), record('v3', 'green'), {
    warn: (m) => warnings.push(m),
  });
  assert.deepEqual(direct, { live: {} });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^could not read what is live: /);
  const blueGreen = await readLiveForRun(failing('blue-green'), record('v3', 'green'), { warn: () => {} });
  assert.match(
    blueGreen.problem ?? '',
    /^could not read what is live on production: .*Nothing was deployed: blue-green picks/s,
  );
  // A slot it has is read as before.
  assert.deepEqual(await readLiveForRun(env('green'), undefined, { warn: () => {} }), {
    live: { slot: 'green', version: undefined },
  });
});

test('with no current command, a recorded slot the environment lacks refuses the run, naming the record', async () => {
  // The slots renamed in deploy.yml (blue, green) after the record was written (purple): the record, not a
  // current command there is none of, says so; the way out is to name the slots again or adopt what serves.
  const read = await readLiveForRun(env(), record('v3', 'purple'), { warn: () => {} });
  assert.deepEqual(read.live, { slot: 'purple', version: 'v3' });
  assert.equal(
    read.problem,
    'the state record of production says slot "purple" is live, which is not one of its slots (blue, green). ' +
      'Nothing was deployed: blue-green picks the slot to deploy on by the live one, and deploying on a slot ' +
      'that may be serving would replace production in place; set the slots to the names the record keeps, or ' +
      'add a current command that prints the live slot and run deploy-action reconcile -e production --adopt-current',
  );
});

test("the current command's {{environment}} and {{strategy}} are the environment's, whatever a variable so named holds", async () => {
  // {{environment}} may choose a directory (cd envs/{{environment}}: targets/placeholder.ts) because it is a name
  // the config lists; a variable so named stood in for it here (before: "elsewhere.x"), though never in the
  // deployment's own commands (deploymentValues).
  const current = [
    process.execPath,
    '-e',
    'console.log(JSON.stringify({ version: process.argv.slice(1).join(".") }))',
    '{{environment}}',
    '{{strategy}}',
  ];
  const parsed = parseConfig(
    `target:\n  commands:\n    deploy: deploy {{slot}}\n    switch: switch {{slot}}\n    current: ${JSON.stringify(current)}\n` +
      'environments:\n  production:\n    strategy: blue-green\n    variables: { environment: elsewhere, strategy: x }\n',
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  assert.deepEqual(await askCurrent(env, env.target.current!, {}), {
    slot: undefined,
    version: 'production.blue-green',
  });
});

test('a canary beside a live slot whose version nothing names is refused when its analysis reads the stable side by version', async () => {
  const canary = (current: string, query: string) => {
    const print = `    current: ${JSON.stringify([process.execPath, '-e', `console.log(${JSON.stringify(current)})`])}\n`;
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: deploy {{slot}}\n    set_weight: weight {{slot}} {{weight}}\n${print}` +
        'environments:\n  production:\n    strategy: { type: canary, steps: [10, 100], pause: 1m }\n    monitor: 0\n' +
        '    analysis:\n      providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n' +
        `      metrics: { m: { provider: prom, query: '${query}' } }\n      checks: [{ check: "m < 1" }]\n`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return resolveEnvironment(parsed.config, 'production');
  };
  const byVersion = 'x{version="{{version}}"}';
  // Before: deployed, and every interval of the 10 % step failed on the stable side's {{version}} and rolled
  // the canary back after max_provider_errors.
  const read = await readLiveForRun(canary('blue', byVersion), undefined, { warn: () => {} });
  assert.deepEqual(read.live, { slot: 'blue', version: undefined });
  assert.equal(
    read.problem,
    'the version serving on slot blue of production is not known (the current command printed the slot ' +
      'without a version, and the state record names none for it), and the analysis of each canary step reads ' +
      'the stable version with {{version}} (environments.production.analysis.metrics.m.query, for the stable side): it would have no value ' +
      'there, fail at every interval and roll the canary back. Nothing was deployed: make the current command ' +
      'print the version too ({"slot": "blue", "version": "..."}), or read the stable side by {{slot}} (a ' +
      'stable_query or stable_url)',
  );
  // The version known (printed, or recorded for that slot), or a stable side read by slot: deployed.
  const known = await readLiveForRun(canary('{"slot":"blue","version":"v3"}', byVersion), undefined, {
    warn: () => {},
  });
  assert.equal(known.problem, undefined);
  const recorded = await readLiveForRun(canary('blue', byVersion), record('v3', 'blue'), { warn: () => {} });
  assert.equal(recorded.problem, undefined);
  const bySlot = await readLiveForRun(canary('blue', 'x{slot="{{slot}}"}'), undefined, { warn: () => {} });
  assert.equal(bySlot.problem, undefined);
  // Nothing live at all is a first deployment: its one step, at 100 %, reads no stable side.
  assert.equal(
    (await readLiveForRun(canary('', byVersion), undefined, { warn: () => {} })).problem,
    undefined,
  );
});

test('a metric command that needs the unknown stable version is told to select by slot, not given a stable_ field it has not', () => {
  const parsed = parseConfig(
    'target:\n  commands:\n    deploy: deploy {{slot}}\n    set_weight: weight {{slot}} {{weight}}\n' +
      'environments:\n  production:\n    strategy: { type: canary, steps: [10, 100], pause: 1m }\n    monitor: 0\n' +
      '    analysis:\n      providers: { c: { type: command, run: ["./m.sh", "--version", "{{version}}"] } }\n' +
      '      metrics: { m: { provider: c } }\n      checks: [{ check: "m < 1" }]\n',
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const problem = unknownStableProblem(resolveEnvironment(parsed.config, 'production'), { slot: 'blue' });
  // Before: "read the stable side by {{slot}} (a stable_query or stable_url)", which a command provider has not.
  assert.match(
    problem ?? '',
    /\(environments\.production\.analysis\.providers\.c\.run\[2\], for the stable side\).*print the version too \(\{"slot": "blue", "version": "\.\.\."\}\), or select by \{\{slot\}\} in that command \(it runs for the stable side too, \{\{slot\}\} then the stable slot\)$/,
  );
});

test("the refusal of an unknown stable version names the field by its path: the shared analysis, or the environment's own", () => {
  const config = (analysisAt: 'shared' | 'own') => {
    const analysis =
      '  providers: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n' +
      `  metrics: { m: { provider: prom, query: 'x{v="{{version}}"}' } }\n` +
      '  checks: [{ check: "m < 1" }]\n';
    const env =
      'environments:\n  production:\n    strategy: { type: canary, steps: [10, 100], pause: 1m }\n    monitor: 0\n';
    const parsed = parseConfig(
      'target:\n  commands:\n    deploy: deploy {{slot}}\n    set_weight: weight {{slot}} {{weight}}\n' +
        (analysisAt === 'shared'
          ? `analysis:\n${analysis}${env}`
          : `${env}    analysis:\n${analysis.replace(/^/gm, '    ')}`),
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return unknownStableProblem(resolveEnvironment(parsed.config, 'production'), { slot: 'blue' }) ?? '';
  };
  // Before: "(its metrics.m.query)" either way, leaving the author to guess which analysis to edit.
  assert.match(
    config('shared'),
    /reads the stable version with \{\{version\}\} \(analysis\.metrics\.m\.query, in the shared analysis production uses, for the stable side\): /,
  );
  assert.match(
    config('own'),
    /reads the stable version with \{\{version\}\} \(environments\.production\.analysis\.metrics\.m\.query, for the stable side\): /,
  );
});

test('a canary over a version served from no known slot is refused before anything runs: its stable slot would be a guess', async () => {
  const canary = (current?: string) => {
    const print =
      current === undefined
        ? ''
        : `    current: ${JSON.stringify([process.execPath, '-e', `console.log(${JSON.stringify(current)})`])}\n`;
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: deploy {{slot}}\n    set_weight: weight {{slot}} {{weight}} {{stable_slot}}\n${print}` +
        'environments:\n  production:\n    strategy: { type: canary, steps: [10, 100] }\n',
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return resolveEnvironment(parsed.config, 'production');
  };
  const at = '2026-01-01T00:00:00.000Z';
  const unslotted = {
    ...emptyRecord('local', 'production', new Date(at)),
    live: { version: 'v3', since: at },
  };
  // Before: deployed the canary on blue and sent 90 % of the traffic, and all of it on a rollback, to green,
  // the slot slotsFor takes for stable when none is live, which nothing said served v3.
  const fromRecord = await readLiveForRun(canary(), unslotted, { warn: () => {} });
  assert.deepEqual(fromRecord.live, { slot: undefined, version: 'v3' });
  assert.equal(
    fromRecord.problem,
    'v3 serves on production from no known slot (the state record names its version but no slot, as after a ' +
      'direct or rolling deployment). Nothing was deployed: a canary sends the stable share of every step, and ' +
      'all traffic when it rolls back, to the slot serving the stable version, and deploys on the other one; ' +
      'with no slot known both would be a guess (green for stable), which may serve nothing or be the one serving ' +
      'v3. Add a current command to the target that prints the live slot and version ' +
      '({"slot": "...", "version": "v3"}), and run again',
  );
  const fromCurrent = await readLiveForRun(canary('{"version":"v3"}'), undefined, { warn: () => {} });
  assert.match(
    fromCurrent.problem ?? '',
    /^v3 serves on production from no known slot \(the current command printed a version without a slot\)\. Nothing was deployed: .* Make the current command print the live slot too \(\{"slot": "\.\.\.", "version": "v3"\}\), and run again$/,
  );
  // The example to print is JSON a current command can copy, whatever the version holds.
  const quoted = await readLiveForRun(canary('{"version":"v3 \\"rc\\""}'), undefined, { warn: () => {} });
  assert.match(quoted.problem ?? '', /\(\{"slot": "\.\.\.", "version": "v3 \\"rc\\""\}\)/);
  // A slot known, or nothing live at all (a first deployment: no traffic goes to a stable slot): deployed.
  assert.equal(
    (await readLiveForRun(canary(), record('v3', 'green'), { warn: () => {} })).problem,
    undefined,
  );
  assert.equal((await readLiveForRun(canary(), undefined, { warn: () => {} })).problem, undefined);
  // Blue-green over the same record switches to its idle slot with nothing to switch back to (its own words).
  assert.equal((await readLiveForRun(env(), unslotted, { warn: () => {} })).problem, undefined);
});

test('a current command that prints nothing over a record with a version but no slot: nothing live, not a version from no known slot', async () => {
  // The record of a direct or rolling deployment keeps no slot; the current command says nothing serves. The record
  // filled in its version as if the current command had printed it (undefined slot "the same" as none recorded):
  // direct and rolling went on with a previous version nothing serves, and a canary was refused as if the current
  // command had "printed a version without a slot".
  const at = '2026-01-01T00:00:00.000Z';
  const unslotted = {
    ...emptyRecord('local', 'production', new Date(at)),
    live: { version: 'v3', since: at },
  };
  const warnings: string[] = [];
  assert.deepEqual(await readLiveState(env(''), unslotted, { warn: (m) => warnings.push(m) }), {
    slot: undefined,
    version: undefined,
  });
  assert.deepEqual(warnings, [
    'production: the current command says nothing live but the state record says version v3; going by the current command',
  ]);
  const parsed = parseConfig(
    `target:\n  commands:\n    deploy: deploy {{slot}}\n    set_weight: weight {{slot}} {{weight}} {{stable_slot}}\n` +
      `    current: ${JSON.stringify([process.execPath, '-e', ''])}\n` +
      'environments:\n  production:\n    strategy: { type: canary, steps: [10, 100] }\n',
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const canary = await readLiveForRun(resolveEnvironment(parsed.config, 'production'), unslotted, {
    warn: () => {},
  });
  assert.equal(canary.problem, undefined, 'a first deployment: nothing serves');
  assert.deepEqual(canary.live, { slot: undefined, version: undefined });
});
