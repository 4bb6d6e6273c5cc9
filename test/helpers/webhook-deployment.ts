// A deployment of production by the CLI with one signed webhook channel (`audit`, its URL and secret read from
// HOOK_URL and HOOK_SECRET) over a recorded target: the setup of the CLI's notification-timing tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedTarget, type RecordedTarget } from './recorded-target.ts';

export function webhookDeployment(
  t: { after(fn: () => unknown): void },
  prefix: string,
  strategy: string,
): { dir: string; target: RecordedTarget; config: string } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
state_dir: ${dir}/state
notifications:
  channels:
    audit: { type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET }
${target.targetYaml}environments:
  production:
    strategy: ${strategy}
`,
  );
  return { dir, target, config };
}
