import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/load.ts';
import { generateJsonSchema, SCHEMA_ID, SCHEMA_PATH } from '../../../scripts/gen-schema.ts';

describe('schema/deploy.schema.json', () => {
  it('is up to date with src/config/schema.ts (run `npm run schema` after changing it)', async () => {
    const committed = await readFile(SCHEMA_PATH, 'utf8');
    assert.equal(committed, generateJsonSchema(), 'schema/deploy.schema.json is stale: run `npm run schema`');
  });

  it('is deterministic', () => {
    assert.equal(generateJsonSchema(), generateJsonSchema());
  });

  it('lets an editor check a deploy.yml: accepts a valid config, rejects an unknown key', () => {
    const schema = JSON.parse(generateJsonSchema()) as { $id: string };
    assert.equal(schema.$id, SCHEMA_ID);
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    const valid = {
      target: { commands: { deploy: './deploy.sh {{version}}', set_weight: ['./w.sh', '{{weight}}'] } },
      environments: {
        production: { strategy: { type: 'canary', steps: [10, { weight: 50, pause: '5m' }] }, monitor: 0 },
      },
    };
    assert.equal(validate(valid), true, JSON.stringify(validate.errors));
    assert.equal(validate({ environments: { production: { stratgy: 'canary' } } }), false);
    assert.equal(validate.errors?.[0]?.params.additionalProperty, 'stratgy');
  });

  it('knows the manual steps and control keys (issue 14)', () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(
      JSON.parse(generateJsonSchema()) as object,
    );
    const config = (production: object) => ({
      target: { commands: { deploy: './deploy.sh', set_weight: './w.sh {{weight}}', switch: './s.sh' } },
      environments: { production },
    });
    for (const production of [
      {
        strategy: {
          type: 'canary',
          steps: [
            { weight: 25, pause: 'manual' },
            { weight: 50, approval: 2 },
          ],
        },
        control: { max_wait_in_job: '1h', poll_interval: '5s' },
      },
      { strategy: { type: 'blue-green', pre_switch: 'manual' } },
      { strategy: { type: 'blue-green', pre_switch: { approval: 2 } } },
      { strategy: { type: 'rolling', instances: 2, pause: 'manual' } },
      { strategy: { type: 'rolling', instances: 2, pause: '30s', approval: 1 } },
    ])
      assert.equal(validate(config(production)), true, JSON.stringify(validate.errors));
    for (const production of [
      { control: { poll: '5s' } },
      { strategy: { type: 'canary', steps: [{ weight: 25, approval: 0 }] } },
      { strategy: { type: 'blue-green', pre_switch: { approvals: 2 } } },
    ])
      assert.equal(validate(config(production)), false, JSON.stringify(production));
  });
});

/**
 * An editor checking deploy.yml with the schema must not pass what `validate` refuses for a field's own form
 * (rules across fields, and a duration's bounds, are the loader's: README "Configure"). Each config here is
 * judged the same by both.
 */
describe('schema/deploy.schema.json and the loader agree on each field', () => {
  const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(
    JSON.parse(generateJsonSchema()) as object,
  );
  const TARGET = `target:
  commands:
    deploy: ./deploy.sh {{version}}
    switch: ./switch.sh {{slot}}
    set_weight: ./weight.sh {{slot}} {{weight}}
`;
  const env = (fields: string) => `${TARGET}environments:\n  production:\n${fields}`;
  const cases: Array<[string, boolean]> = [
    [`${TARGET}environments: {}\n`, false],
    ...(
      [
        ['5m', true],
        ['"500ms"', true],
        ['1.5h', true],
        ['0', true],
        ['"0s"', true],
        ['"5 minutes"', false],
        ['"1h30m"', true],
        ['"2m30s"', true],
        ['"30s1m"', false],
        ['"1m1m"', false],
        ['"5ms5s"', false],
        ['"30"', false],
        ['"0"', false],
        ['"5%"', false],
        ['"1e3s"', false],
        ['" 5m"', false],
        ['"5M"', false],
        ['2026-01-01', false],
      ] as const
    ).map(([value, ok]): [string, boolean] => [env(`    monitor: ${value}\n`), ok]),
    [env('    control: { poll_interval: 5s }\n'), true],
    [env('    control: { poll_interval: 0 }\n'), false],
    [env('    health: { url: "http://x/", timeout: 0 }\n'), false],
    [env('    health: { url: "http://x/", timeout: 1s }\n'), true],
    [env('    strategy: { type: canary, steps: [{ weight: 10, pause: manual }] }\n'), true],
    [env('    strategy: { type: canary, steps: [{ weight: 10, pause: Manual }] }\n'), false],
    [env('    strategy: { type: canary, steps: [{ weight: 10, pause: soon }] }\n'), false],
    [env('    strategy: { type: canary, steps: [10], pause: manual }\n'), false],
    [env('    strategy: { type: rolling, instances: 4, max_surge: "100%" }\n'), true],
    [env('    strategy: { type: rolling, instances: 4, max_surge: "007%" }\n'), true],
    [env('    strategy: { type: rolling, instances: 4, max_surge: "101%" }\n'), false],
    [env('    strategy: { type: rolling, instances: 4, max_surge: "1000%" }\n'), false],
    [`${env('    url: https://x.example\n')}gates: { tests: { thresholds: { lines: 80 } } }\n`, true],
    [
      `${env('    url: https://x.example\n')}gates: { tests: { thresholds: { lines: 0, branches: 1 } } }\n`,
      true,
    ],
    [`${env('    url: https://x.example\n')}gates: { tests: { thresholds: { lines: 0.8 } } }\n`, false],
    [`${env('    url: https://x.example\n')}gates: { tests: { thresholds: { lines: "80%" } } }\n`, false],
    ...(
      [
        ['targets: { error_rate: 0.01 }', true],
        ['targets: { error_rate: "1%" }', true],
        ['targets: { error_rate: " 2.5 % " }', true],
        ['targets: { error_rate: "100%" }', true],
        ['targets: { error_rate: 0 }', true],
        ['targets: { error_rate: 1 }', false],
        ['targets: { error_rate: 5 }', false],
        ['targets: { error_rate: "101%" }', false],
        ['targets: { error_rate: "1 percent" }', false],
        ['baseline: b.json, tolerance: 1', true],
        ['baseline: b.json, tolerance: "10%"', true],
        ['baseline: b.json, tolerance: 10', false],
      ] as const
    ).map(([fields, ok]): [string, boolean] => [
      `${env('    url: https://x.example\n')}gates: { performance: { report: k6.json, ${fields} } }\n`,
      ok,
    ]),
    ...(
      [
        ['"10:00"', '"12:00"', true],
        ['"00:00"', '"24:00"', true],
        ['"9:00"', '"17:00"', false],
        ['"25:00"', '"26:00"', false],
        ['"10:60"', '"12:00"', false],
        ['"10:00"', '"24:30"', false],
      ] as const
    ).map(([start, end, ok]): [string, boolean] => [
      env(`    approvals: { windows: [{ days: [mon], start: ${start}, end: ${end} }] }\n`),
      ok,
    ]),
    ...(
      [
        ['2026-12-31', true],
        ['2026-13-01', false],
        ['2026-00-10', false],
        ['2026-01-32', false],
      ] as const
    ).map(([expires, ok]): [string, boolean] => [
      `${env('    url: https://x.example\n')}gates: { audit: { allow: [{ id: GHSA-x, reason: r, expires: "${expires}" }] } }\n`,
      ok,
    ]),
    [`state_dir: "  "\n${TARGET}environments:\n  production: {}\n`, false],
    [env('    staging: " "\n'), false],
    [env('    url: "HTTPS://example.com/"\n'), true],
    [env('    url: "ftp://example.com/"\n'), false],
    [env('    strategy: { type: blue-green, slots: [a, a] }\n'), false],
    [env('    strategy: { type: rolling, instances: [a, b, a] }\n'), false],
    ...(
      [
        ['{ type: http, url: "http://{{slot}}.internal/" }', true],
        ['{ type: http, url: "not a url" }', false],
        ['{ type: http, url: "http://x/", stable_url: "ftp://x/" }', false],
        ['{ type: prometheus, url: "http://x/", headers: { X-Scope-OrgID: a } }', true],
        ['{ type: prometheus, url: "http://x/", headers: { "Bad Name": a } }', false],
        ['{ type: command, run: ./m.sh, env: { PROM_URL: a } }', true],
        ['{ type: command, run: ./m.sh, env: { "A=B": a } }', false],
      ] as const
    ).map(([provider, ok]): [string, boolean] => [
      env(`    strategy: canary\n    analysis:\n      providers:\n        p: ${provider}\n`),
      ok,
    ]),
  ];
  for (const [text, ok] of cases)
    it(`${ok ? 'accepts' : 'refuses'} ${JSON.stringify(text.replace(TARGET, '').replace('environments:\n  production:\n', ''))}`, () => {
      const loaded = parseConfig(text, 'deploy.yml');
      assert.equal(loaded.ok, ok, loaded.ok ? 'the loader accepts it' : JSON.stringify(loaded.errors));
      assert.equal(validate(parse(text)), ok, `the schema ${ok ? 'refuses' : 'accepts'} it`);
    });
});
