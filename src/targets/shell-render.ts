// Renders a `shell: true` script: each template becomes a reference to the DEPLOY_* variable holding its value,
// written for its quoting context, once every check the reading asked for has passed on the value.
import { type TemplateContext, envNameFor } from './shell-sites.ts';
import { analyzeShellTemplate } from './shell-reading.ts';
import {
  makeValueProblem,
  macroValueProblem,
  githubFileProblem,
  sedValueProblem,
  remoteValueProblem,
  structuredValueProblem,
  hclBareValueProblem,
  optionValueMessage,
  xargsItemProblem,
  remotePathProblem,
} from './rendered-values.ts';
import { type TemplateValues, TemplateError } from './template.ts';
import { versionValueProblem } from './package-installs.ts';
import {
  volumeNameProblem,
  userIdProblem,
  containerNameProblem,
  containerValueProblem,
} from './container-mounts.ts';
import { helmSetValueProblem } from './helm-values.ts';
import { extraVarsValueProblem } from './ansible-vars.ts';
import { jsonValueProblem, jsonFieldProblem } from './json-arguments.ts';
import { fileViaProblem, fileReadProblem } from './file-reads.ts';
import { shorthandValueProblem } from './aws-shorthand.ts';
import { programName } from './programs.ts';

export interface RenderedScript {
  /** The script as /bin/sh receives it: templates replaced by references, values nowhere in it. */
  script: string;
  /** The variables those references read, to be set in the command's environment. */
  env: Record<string, string>;
}

/** How a reference to the value is written in each context, so it expands to exactly one literal word. */
function reference(context: TemplateContext, envName: string): string {
  switch (context) {
    case 'bare':
    case 'comment':
      return `"\${${envName}}"`;
    case 'single':
      return `'"\${${envName}}"'`;
    case 'double':
    case 'heredoc':
    case 'arithmetic':
      return `\${${envName}}`;
  }
}

/** For `shell: true` commands. Throws a TemplateError for a refused context or a variable with no value. */
export function renderShellScript(template: string, values: TemplateValues): RenderedScript {
  const analysis = analyzeShellTemplate(template);
  if (!analysis.ok) throw new TemplateError(analysis.problems[0]!.message);
  const env: Record<string, string> = {};
  const owner: Record<string, string> = {};
  let script = '';
  let from = 0;
  // Whether the templates that start the current argument have all been empty so far.
  let emptySoFar = false;
  for (const site of analysis.sites) {
    const value = values[site.name];
    if (value === undefined) throw new TemplateError(`{{${site.name}}} has no value here`);
    if (site.context === 'arithmetic' && !/^\d+$/.test(value))
      throw new TemplateError(`{{${site.name}}} is used inside $((…)) but its value is not a number`);
    const make = site.make ? makeValueProblem(site.name, value) : undefined;
    if (make) throw new TemplateError(`${make} (character ${site.start + 1})`);
    const macro = site.macro ? macroValueProblem(site.name, value) : undefined;
    if (macro) throw new TemplateError(`${macro} (character ${site.start + 1})`);
    const github =
      site.githubFile === undefined ? undefined : githubFileProblem(site.name, value, site.githubFile);
    if (github) throw new TemplateError(`${github} (character ${site.start + 1})`);
    const sed = site.sed === undefined ? undefined : sedValueProblem(site.name, value, site.sed);
    if (sed) throw new TemplateError(`${sed} (character ${site.start + 1})`);
    const remote = site.remote ? remoteValueProblem(site.name, value) : undefined;
    if (remote) throw new TemplateError(`${remote} (character ${site.start + 1})`);
    const version = site.version ? versionValueProblem(site.name, value) : undefined;
    if (version) throw new TemplateError(`${version} (character ${site.start + 1})`);
    const volume = site.volume ? volumeNameProblem(site.name, value) : undefined;
    if (volume) throw new TemplateError(`${volume} (character ${site.start + 1})`);
    const user = site.containerUser ? userIdProblem(site.name, value) : undefined;
    if (user) throw new TemplateError(`${user} (character ${site.start + 1})`);
    const containerName = site.containerName
      ? containerNameProblem(site.containerName.check, site.containerName.word, values)
      : undefined;
    if (containerName) throw new TemplateError(`${containerName} (character ${site.start + 1})`);
    const containerValue = site.containerValue
      ? containerValueProblem(site.containerValue, site.name, value)
      : undefined;
    if (containerValue) throw new TemplateError(`${containerValue} (character ${site.start + 1})`);
    const helm = site.helmSet
      ? helmSetValueProblem(site.name, value, site.helmSet.option, site.helmSet.key)
      : undefined;
    if (helm) throw new TemplateError(`${helm} (character ${site.start + 1})`);
    const jinja = site.jinja ? extraVarsValueProblem(site.name, value) : undefined;
    if (jinja) throw new TemplateError(`${jinja} (character ${site.start + 1})`);
    const structured =
      site.structured === undefined ? undefined : structuredValueProblem(site.name, value, site.structured);
    if (structured) throw new TemplateError(`${structured} (character ${site.start + 1})`);
    const bare = site.hclBare ? hclBareValueProblem(site.name, value) : undefined;
    if (bare) throw new TemplateError(`${bare} (character ${site.start + 1})`);
    const json = site.json ? jsonValueProblem(site.name, value, site.json.slot, site.json.where) : undefined;
    if (json) throw new TemplateError(`${json} (character ${site.start + 1})`);
    const jsonImage = site.jsonField
      ? jsonFieldProblem(site.jsonField.field, site.jsonField.where, values)
      : undefined;
    if (jsonImage) throw new TemplateError(`${jsonImage} (character ${site.start + 1})`);
    // Every argument it reaches that a program reads a file from: one variable may reach several.
    for (const read of site.fileReads ?? []) {
      const file =
        'via' in read
          ? fileViaProblem(site.name, value, read)
          : fileReadProblem(read.read, read.word, values);
      if (file) throw new TemplateError(`${file} (character ${site.start + 1})`);
    }
    // After the file reads: `Value@=file://…` is refused for what it reads before for its structure.
    const shorthand = site.shorthand ? shorthandValueProblem(site.name, value, site.shorthand) : undefined;
    if (shorthand) throw new TemplateError(`${shorthand} (character ${site.start + 1})`);
    if (site.leading) {
      if (site.leading.first) emptySoFar = true;
      if (emptySoFar && value.startsWith('-'))
        throw new TemplateError(
          `${optionValueMessage(site.name, site.leading.program)}${site.leading.via ? ` (through $${site.leading.via}, set from it: write "$${site.leading.via}" after --, or attached to its option)` : ''} (character ${site.start + 1})`,
        );
      emptySoFar &&= value === '';
      if (site.beforeSubstitution && emptySoFar)
        throw new TemplateError(
          `{{${site.name}}} is empty, so the output of the $(…) after it starts an argument of ${programName(site.leading.program)}: that output could start with "-", which ${programName(site.leading.program)} would read as an option, and no check can see it; give {{${site.name}}} a value, or put -- before the argument where ${programName(site.leading.program)} ends its options there (character ${site.start + 1})`,
        );
    }
    const item = site.xargsItem ? xargsItemProblem(site.name, value, site.xargsItem, values) : undefined;
    if (item) throw new TemplateError(`${item} (character ${site.start + 1})`);
    const path = site.remotePath
      ? remotePathProblem(site.remotePath.program, site.remotePath.word, site.remotePath.mode, values)
      : undefined;
    if (path) throw new TemplateError(`${path} (character ${site.start + 1})`);
    const envName = envNameFor(site.name);
    if (owner[envName] !== undefined && owner[envName] !== site.name && env[envName] !== value)
      throw new TemplateError(
        `{{${owner[envName]}}} and {{${site.name}}} would both be passed as ${envName}: rename one of them`,
      );
    owner[envName] = site.name;
    env[envName] = value;
    script += template.slice(from, site.start) + reference(site.context, envName);
    from = site.end;
  }
  return { script: script + template.slice(from), env };
}
