// envsubst copies its standard input to its output with `$NAME` and `${NAME}` replaced by the values of those
// environment variables: all of them, or only those its SHELL-FORMAT argument names (gettext's envsubst(1)). In
// a `shell: true` script every value is exported as a DEPLOY_* variable, so `envsubst < k8s.tmpl | kubectl
// apply -f -` writes the values unescaped into a manifest: a newline or YAML punctuation in one adds fields (a
// container's command:), which the checks of a here-document's values (structuredValueProblem) never see.
// shell-script.ts refuses such an envsubst when its output reaches a manifest reader. Pure.

/**
 * What an envsubst command (`words[0]` is envsubst; quotes removed) substitutes: 'none' with -v/--variables
 * (it prints the names of the variables only) or -h/-V, 'all' without a SHELL-FORMAT, or the index of its
 * SHELL-FORMAT argument.
 */
export function envsubstFormat(words: readonly string[]): 'none' | 'all' | number {
  let options = true;
  for (let j = 1; j < words.length; j++) {
    const word = words[j]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word !== '-') {
      if (/^-[a-zA-Z]*[vhV]|^--(variables|help|version)$/.test(word)) return 'none';
      continue;
    }
    return j;
  }
  return 'all';
}

/** The variables a SHELL-FORMAT names (`'$IMAGE ${TAG}'`). */
export function formatVariables(format: string): string[] {
  return [...format.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map((m) => m[1]!);
}

/** Why an envsubst whose output reaches a manifest reader is refused at load. */
export function envsubstMessage(template: string, how: string, envsubst: string, reader: string): string {
  return `{{${template}}} ${how}, and "${envsubst}" substitutes it unescaped into what "${reader}" reads as a manifest, where a value with a newline or YAML punctuation could add fields (a container's command:) and no check of the value sees it; set the value with a tool that quotes it (kubectl set image deploy/app app=registry/app:{{${template}}}, helm … --set-string image.tag={{${template}}}), or give envsubst a SHELL-FORMAT naming only variables set in the config (envsubst '$IMAGE_REPO' < k8s.tmpl)`;
}
