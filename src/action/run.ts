// The Action's entry: inputs are read in one place (inputs.ts), the pipeline runs, outputs are set.
// The GitHub reporter (Deployments tab, check runs, summary, PR comment) comes with the Action-on-GitHub work;
// until then the action reports to the job log.
import * as core from '@actions/core';
import { ConfigLoadError } from '../config/errors.ts';
import { loadConfigFile } from '../config/load.ts';
import { runPipeline } from '../pipeline/pipeline.ts';
import { terminalReporter } from '../report/terminal.ts';
import { readInputs } from './inputs.ts';
import { pullRequestFromEvent } from './pull-request-event.ts';

export async function run(): Promise<void> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGTERM', cancel);
  process.once('SIGINT', cancel);
  try {
    const inputs = readInputs();
    const config = await loadConfigFile(inputs.config);
    const result = await runPipeline(
      {
        config,
        environment: inputs.environment,
        version: inputs.version,
        sha: inputs.sha,
        runId: process.env.GITHUB_RUN_ID,
      },
      {
        reporter: terminalReporter({ color: false }),
        signal: controller.signal,
        gates: {
          cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
          // On a pull request, changed-line checks compare against its base branch.
          baseRef: process.env.GITHUB_BASE_REF ? `origin/${process.env.GITHUB_BASE_REF}` : undefined,
          pullRequest: pullRequestFromEvent(process.env, inputs.token),
        },
      },
    );
    core.setOutput('status', result.status);
    core.setOutput('rolled-back', String(result.rollbacks.length > 0));
    if (result.status !== 'succeeded') core.setFailed(`${result.status} [${result.code}]: ${result.message}`);
  } catch (error) {
    if (error instanceof ConfigLoadError) {
      for (const e of error.errors)
        core.error(e.message, {
          file: e.file,
          startLine: e.line,
          startColumn: e.column,
          title: e.path || 'config',
        });
      core.setFailed(`${error.errors.length} error(s) in the deploy config`);
    } else {
      core.setFailed((error as Error).message);
    }
  }
}
