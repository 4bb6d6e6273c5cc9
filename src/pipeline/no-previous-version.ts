// Why a hook's {{previous_version}} has no value, and what to do: said by every runner of hooks (the pipeline's
// executor, reconcile's after_success and rollback levels), not only the template's "has no value here".
import { CommandFailed } from '../targets/run-command.ts';
import { TemplateError, type TemplateValues } from '../targets/template.ts';

/**
 * After the template's own message: nothing live is known (a first deployment, or a first one this tool
 * records), and what to do about it. '' for any other error, or when the values do name a previous version.
 * `beforeDeploy`: a backup or migrate hook, which stops the run before anything is deployed.
 */
export function noPreviousVersion(
  error: unknown,
  values: TemplateValues,
  environment: string,
  beforeDeploy: boolean,
): string {
  const template =
    error instanceof TemplateError || (error instanceof CommandFailed && error.reasonCode === 'template');
  if (!template || !/\{\{previous_version\}\} has no value/.test(error.message)) return '';
  if (values.previous_version !== undefined) return '';
  return (
    `: no earlier version of ${environment} is recorded or reported live (a first deployment, or the first this ` +
    'tool records, with no current command printing what serves), so there is none to name' +
    // Staging's deployment may have gone before production's hooks: only this environment's is not.
    (beforeDeploy ? `. Nothing was deployed to ${environment}` : '') +
    ": have the target's current command print the live version, or write the hook so it needs none " +
    "(for example {{sha}} or {{version}} in a backup's name)"
  );
}
