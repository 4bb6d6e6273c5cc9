import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
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
