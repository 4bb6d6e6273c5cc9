// The commands of a script that read a manifest, values or compose file (kubectl apply -f -, helm -f m.yaml), the
// programs that quote what they write into one, and why a value reaching a reader as text is refused. Pure.
import { programName } from './programs.ts';

/** Programs that read a manifest, a values or a compose file given as `-f -` (`--filename=-`, `--values -`). */
export const MANIFEST_READERS = new Set([
  ...['kubectl', 'oc', 'helm', 'docker', 'podman', 'nerdctl', 'docker-compose'],
  // kapp deploy -f -, argocd app create -f -, skaffold -f (its config names the builds it runs), nomad job run -
  // (a job spec in HCL or JSON: its fields are read by hcl-fields.ts and nomad-fields.ts).
  ...['kapp', 'argocd', 'skaffold', 'nomad'],
]);

/**
 * The words of a command that reads its standard input (or the file `file`) as a manifest (kubectl apply -f -,
 * helm upgrade … -f values.yaml), said, or undefined.
 */
/** Standard input by a file name. */
const STDIN_NAMES = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

export function manifestReader(words: readonly string[], file = '-'): string | undefined {
  const at = words.findIndex((w) => MANIFEST_READERS.has(programName(w)));
  if (at < 0) return undefined;
  const bare = (path: string) => path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const same = (path: string | undefined) =>
    path !== undefined &&
    (bare(path) === bare(file) ||
      // kubectl apply -f k8s/ reads each manifest in the directory (-R: below it too).
      (file !== '-' &&
        /\.(ya?ml|json)$/.test(file) &&
        (['', '.'].includes(bare(path))
          ? !bare(file).includes('/')
          : bare(file).startsWith(`${bare(path)}/`))) ||
      // Standard input by its name: kubectl apply -f /dev/stdin reads it as -f - does.
      (file === '-' && STDIN_NAMES.has(path)));
  // docker stack deploy -c FILE (--compose-file): a compose file; -c elsewhere in docker is its context.
  const stack = programName(words[at]!) === 'docker' && words.includes('stack');
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    const attached = (
      stack
        ? /^(?:--filename=|--values=|--file=|--compose-file=|-f|-c)(.+)$/
        : /^(?:--filename=|--values=|--file=|-f)(.+)$/
    ).exec(word)?.[1];
    if (
      (/^(-f|--filename|--values|--file)$/.test(word) || (stack && /^(-c|--compose-file)$/.test(word))) &&
      same(words[k + 1])
    )
      return words.slice(at, k + 2).join(' ');
    if (word !== '-f' && word !== '-c' && same(attached)) return words.slice(at, k + 1).join(' ');
  }
  // nomad job run|plan|validate FILE (and the older nomad run FILE): the job spec is its operand.
  if (programName(words[at]!) === 'nomad') {
    const verb = words.findIndex((w, k) => k > at && /^(run|plan|validate)$/.test(w));
    const spec = verb < 0 ? undefined : words.slice(verb + 1).find((w) => !w.startsWith('-') || w === '-');
    if (same(spec)) return words.slice(at, words.indexOf(spec!, verb) + 1).join(' ');
  }
  return undefined;
}

/**
 * A file a here-document is written to (cat > m.yaml <<EOF, cat <<EOF >> m.yaml, tee m.yaml <<EOF) that a
 * command further on reads as a manifest (kubectl apply -f m.yaml): how, or undefined. `readers` are the
 * script's commands naming a reader (manifestReaderCommands), split roughly (at ; & | newlines and
 * parentheses), which can only find more readers than there are; those from `from` on count.
 */
export function manifestFileReader(
  files: readonly string[],
  readers: readonly { start: number; end: number; text: string }[],
  from: number,
): string | undefined {
  for (const file of files)
    for (const command of readers) {
      if (command.end <= from) continue;
      const words = command.text
        .slice(Math.max(0, from - command.start))
        .trim()
        .split(/\s+/)
        .map((w) => w.replace(/['"]/g, ''));
      const reader = manifestReader(words, file);
      if (reader !== undefined) return `${reader}, once written to ${file}`;
    }
  return undefined;
}

/**
 * The parts of a script, split roughly as manifestFileReader reads them, that name a manifest reader: read once
 * per script, since every command writing a file asks (splitting the rest of the script each time was
 * quadratic in its length).
 */
export function manifestReaderCommands(script: string): { start: number; end: number; text: string }[] {
  const found: { start: number; end: number; text: string }[] = [];
  for (const m of script.matchAll(/[^;&|\n()]+/g))
    if (m[0].split(/\s+/).some((w) => MANIFEST_READERS.has(programName(w.replace(/['"]/g, '')))))
      found.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  return found;
}

/**
 * Programs whose output quotes the values they are given (a serializer writes it): what they feed a manifest
 * reader is theirs to make safe (helm template … --set-string, kubectl create … -o yaml, jq --arg, yq).
 * envsubst has its own rule (envsubstMessage).
 */
export const MANIFEST_RENDERERS: ReadonlySet<string> = new Set([
  'helm',
  'kustomize',
  'kubectl',
  'oc',
  'jq',
  'yq',
  'envsubst',
]);

/** Why a value fed to a manifest reader as text (`how`: "in a here-string", …) is refused at load. */
export function manifestFedMessage(name: string, reader: string, how: string): string {
  return `{{${name}}} reaches ${reader} as text (${how}), which it reads as the manifest or values it deploys: a value there could add structure (a newline and "command:", ", privileged: true" in a flow list) or fill any field, and only a here-document's body is read as YAML and checked field by field; write the manifest as a here-document (${reader.split(',')[0]} <<EOF … EOF), or set the value with a tool that quotes it (kubectl set image, helm --set-string)`;
}

/** Why a value in the name of a file a command prints into a manifest reader (cat k8s/{{env}}.yaml |) is refused. */
export function manifestFileFedMessage(name: string, reader: string, printer: string, file: string): string {
  return `{{${name}}} is in the name of the file ${programName(printer) || 'a command'} prints into ${reader} (${file}), which reads it as the manifest or values it deploys: its value would choose what is deployed (even a plain word picks any file of the checkout), as in kubectl apply -f manifests/{{${name}}}.yaml; name the file in the config, a command per environment under environments.<name>.target if it differs`;
}
