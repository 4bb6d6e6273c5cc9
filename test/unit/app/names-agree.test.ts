// A name the App's /deploy parser accepts is one the deployment payload (what the Action reads) and deploy.yml
// accept, and the other way round: strategies, parameter names and environment names each have one rule, so
// the App can never create a deployment the Action then refuses, nor refuse what the config allows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../../app/commands/parse.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { parseDeploymentPayload } from '../../../src/github/deployment-payload.ts';

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};
const parsed = (comment: string): boolean => parseCommand(comment).kind === 'deploy';

describe('the App, the payload and deploy.yml agree on names', () => {
  it('strategies', () => {
    for (const strategy of ['direct', 'rolling', 'blue-green', 'canary', 'Canary', 'bluegreen', 'recreate']) {
      const app = parsed(`/deploy production --strategy ${strategy}`);
      const payload = accepts(() => parseDeploymentPayload({ strategy }));
      assert.equal(app, payload, `strategy ${strategy}: App ${app}, payload ${payload}`);
    }
  });

  it('parameter names', () => {
    for (const name of ['replicas', 'max_surge', '_private', 'a1', 'Replicas', '1st', 'max-surge', 'x.y']) {
      const app = parsed(`/deploy production | ${name}=3`);
      const payload = accepts(() => parseDeploymentPayload({ params: { [name]: '3' } }));
      assert.equal(app, payload, `parameter ${name}: App ${app}, payload ${payload}`);
    }
  });

  it('environment names', () => {
    for (const name of [
      'production',
      'staging-eu.1',
      'Prod_2',
      '9live',
      '-prod',
      '.hidden',
      'a/b',
      'prod:1',
    ]) {
      const app = parsed(`/deploy ${name}`);
      const config = parseConfig(
        `target:\n  commands:\n    deploy: ./deploy.sh\nenvironments:\n  ${JSON.stringify(name)}: {}\n`,
        'deploy.yml',
      ).ok;
      assert.equal(app, config, `environment ${name}: App ${app}, deploy.yml ${config}`);
    }
  });
});
