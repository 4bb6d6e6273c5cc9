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
});
