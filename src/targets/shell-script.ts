// `{{variable}}` templates in a `shell: true` command. A value is never written into the script: each
// template becomes a reference to the DEPLOY_* environment variable that holds it, written for the quoting
// context the template sits in ("${DEPLOY_VERSION}" bare, ${DEPLOY_VERSION} inside "…", '"${DEPLOY_VERSION}"'
// inside '…'). The shell expands a parameter exactly once and never parses its value as code, so even if this
// lexer misjudged a context the worst outcome is a wrongly split word, never a command run from a value.
// Contexts where the shell would evaluate or re-parse the expansion (`…`, ${…}, $((…)), quoted here-documents)
// or where the template's own quoting would be escaped are refused, with the offset and the safe form. So are
// templates whose value would choose what runs (launchers.ts), and those inside a substitution whose output or
// input escapes these rules: $(…) whose output is split into words, starts an argument where options are read
// or reaches a word that must be plain; >(…) or <(…) that a shell or an interpreter reads as code.
//
// This file is the public face; the parts live in files of one concern each: shell-reading.ts (the lexer and
// the checks on each command), shell-sites.ts (what a reading reports), shell-render.ts (`shell: true`
// rendering), argv-commands.ts (argv commands), rendered-values.ts (checks on values once rendered),
// shell-messages.ts, shell-frames.ts, inline-bodies.ts, program-resolution.ts, manifest-readers.ts and
// heredoc-documents.ts.
export {
  NUMERIC_VARIABLES,
  envNameFor,
  type TemplateContext,
  type ShellTemplateRefusal,
  type TemplateSite,
  type ShellTemplateProblem,
  type ShellTemplateAnalysis,
  type InlineContext,
} from './shell-sites.ts';
export { codeOperandMessage, chosenWordMessage } from './shell-messages.ts';
export { analyzeShellTemplate } from './shell-reading.ts';
export { renderShellScript, type RenderedScript } from './shell-render.ts';
export { bashOnlyUnderSh } from './inline-bodies.ts';
export { shellScriptIn, argvShellProblems, renderArgvCommand } from './argv-commands.ts';
export {
  remoteValueProblem,
  isRemotePath,
  remotePathProblem,
  makeValueProblem,
  macroValueProblem,
  structuredValueProblem,
  githubFileProblem,
  sedValueProblem,
  sshValueProblem,
  xargsItemProblem,
  argvOptionProblem,
} from './rendered-values.ts';
