// allow_delete / allow_replace patterns against Terraform resource addresses, which are not file paths: a
// for_each key may hold a "/" (aws_s3_object.assets["css/app.css"]) and instance keys are in brackets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePlan } from '../../../src/gates/infrastructure.ts';

function plan(...deleted: string[]) {
  return {
    format_version: '1.2',
    planned_values: {},
    resource_changes: deleted.map((address) => ({ address, change: { actions: ['delete'] } })),
  };
}

function verdicts(allow_delete: string[], ...deleted: string[]): string[] {
  const { findings } = judgePlan(plan(...deleted), { plan: 'tfplan.json', allow_delete });
  return findings.map((finding) => `${finding.severity}: ${finding.message}`);
}

test('a "*" pattern allows addresses whose for_each key holds a "/"', () => {
  assert.deepEqual(
    verdicts(
      ['aws_s3_object.assets*', 'module.web.*'],
      'aws_s3_object.assets["css/app.css"]',
      'module.web.aws_s3_object.page["docs/index.html"]',
    ),
    [
      'notice: aws_s3_object.assets["css/app.css"] will be destroyed (allowed)',
      'notice: module.web.aws_s3_object.page["docs/index.html"] will be destroyed (allowed)',
    ],
  );
});

test("brackets in a pattern are the address's own: web[*] allows every instance of web, no other resource", () => {
  assert.deepEqual(
    verdicts(
      ['aws_instance.web[*]'],
      'aws_instance.web[0]',
      'aws_instance.web["blue"]',
      'aws_instance.webhook',
    ),
    [
      'notice: aws_instance.web[0] will be destroyed (allowed)',
      'notice: aws_instance.web["blue"] will be destroyed (allowed)',
      'error: aws_instance.webhook will be destroyed: add it to allow_delete if that is intended',
    ],
  );
});

test('a pattern without "*" allows its one address only', () => {
  assert.deepEqual(
    verdicts(['aws_instance.web'], 'aws_instance.web', 'aws_instance.web[0]', 'aws_instance.web2'),
    [
      'notice: aws_instance.web will be destroyed (allowed)',
      'error: aws_instance.web[0] will be destroyed: add it to allow_delete if that is intended',
      'error: aws_instance.web2 will be destroyed: add it to allow_delete if that is intended',
    ],
  );
});
