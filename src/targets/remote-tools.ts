// Tools that run a command line on remote hosts, through the remote host's shell or a module that splits it:
// `ansible HOST -a CMD` (the command, shell and raw modules; other modules take key=value arguments, where a
// value adds keys), `gcloud compute ssh VM --command CMD` (and ssh's words after its `--`), `aws ssm
// send-command --parameters commands=…`, `az vm run-command invoke --scripts …`, `salt TARGET cmd.run CMD`. None
// quotes a value for the remote side, and none says which shell reads it, so a template there is refused
// (ssh's own remote line is read by remote-line.ts instead); the safe form passes the value to a fixed script
// that is already on the host, in a way the tool keeps as data. Pure.
import { programName, type CodeOperand, type Parser } from './programs.ts';

const operand = (index: number, at: number, how: string, safe: string): CodeOperand => ({
  index,
  program: at,
  kind: 'remote-option',
  how,
  safe: () => safe,
});

/** The value of `option` (`--opt VALUE` or `--opt=VALUE`, or `-o VALUE`) at word j: its index, or undefined. */
function valueOf(words: readonly string[], j: number, options: readonly string[]): number | undefined {
  const word = words[j]!;
  if (options.includes(word)) return j + 1 < words.length ? j + 1 : undefined;
  if (options.some((o) => o.startsWith('--') && word.startsWith(`${o}=`))) return j;
  if (options.some((o) => /^-\w$/.test(o) && word.startsWith(o) && word.length > 2 && !word.startsWith('--')))
    return j;
  return undefined;
}

/** ansible and ansible-console's -a/--args: the module's arguments, the command line for command/shell/raw. */
const parseAnsible: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const index = valueOf(words, j, ['-a', '--args']);
    if (index === undefined) continue;
    model.code.push(
      operand(
        index,
        at,
        'ansible -a',
        'the module runs it on the hosts (the command, shell and raw modules as a command line, others as key=value arguments a value can add to): write it without a template, and pass the value as a variable of a playbook that quotes it (ansible-playbook deploy.yml -e version=… with "{{ version | quote }}" in the task)',
      ),
    );
    if (index > j) j++;
  }
};

/** gcloud compute ssh VM --command CMD, and the ssh words after its `--`. */
const parseGcloud: Parser = (words, at, model) => {
  const ssh = words.findIndex(
    (w, k) =>
      k > at && w === 'ssh' && ['compute', 'tpus', 'workstations', 'tpu-vm'].includes(words[k - 1] ?? ''),
  );
  if (ssh < 0) return;
  const safe =
    'the remote shell runs it: write it without a template, and pass the value to a fixed script on the host with ssh itself (ssh HOST ./deploy.sh {{…}}), where it must be one plain word';
  for (let j = ssh + 1; j < words.length; j++) {
    if (words[j] === '--') {
      for (let k = j + 1; k < words.length; k++)
        model.code.push(operand(k, at, 'gcloud compute ssh --', safe));
      return;
    }
    const index = valueOf(words, j, ['--command']);
    if (index === undefined) continue;
    model.code.push(operand(index, at, 'gcloud compute ssh --command', safe));
    if (index > j) j++;
  }
};

/** aws ssm send-command --parameters …: the commands a Run Command document runs on the instances. */
const parseAws: Parser = (words, at, model) => {
  const send = words.findIndex((w, k) => k > at && (w === 'send-command' || w === 'start-session'));
  if (send < 0 || words[send - 1] !== 'ssm') return;
  for (let j = send + 1; j < words.length; j++) {
    const index = valueOf(words, j, ['--parameters']);
    if (index === undefined) continue;
    model.code.push(
      operand(
        index,
        at,
        `aws ssm ${words[send]} --parameters`,
        'the instances run those commands through a shell: write them without a template, and give the value as a parameter of a document of your own that passes it to a script as data',
      ),
    );
    if (index > j) j++;
  }
};

/** az vm run-command invoke/create --scripts …: each word up to the next option is a line the VM runs. */
const parseAz: Parser = (words, at, model) => {
  const run = words.findIndex((w, k) => k > at && w === 'run-command');
  if (run < 0) return;
  const safe =
    'the VM runs those lines through its shell: write them without a template, and pass the value with --parameters, which the script reads as an argument';
  for (let j = run + 1; j < words.length; j++) {
    const word = words[j]!;
    if (/^--(scripts?|script-uri)=/.test(word)) {
      model.code.push(operand(j, at, `az vm run-command ${word.slice(0, word.indexOf('='))}`, safe));
      continue;
    }
    if (!/^--(scripts?|script-uri)$/.test(word)) continue;
    for (let k = j + 1; k < words.length && !words[k]!.startsWith('--'); k++, j++)
      model.code.push(operand(k, at, `az vm run-command ${word}`, safe));
  }
};

/** Salt execution functions whose arguments are a command line or code. */
const SALT_CODE =
  /^cmd\.(run\w*|shell\w*|exec_code\w*|script\w*|powershell\w*|retcode|call)$|^(state\.single|event\.fire\w*)$/;

/**
 * salt TARGET FUNCTION ARGS (salt-call FUNCTION ARGS, on the minion itself): the words after a cmd.run-like
 * function, wherever it is, are a command or code; a template where the function goes would choose it.
 */
const parseSalt: Parser = (words, at, model) => {
  const safe =
    'the minions run it as a command or as code: write it without a template, and give the value as pillar data to a state that quotes it (state.apply deploy, reading {{ pillar.version | quote }})';
  const functionAt = programName(words[at]!) === 'salt-call' ? 1 : 2;
  let operands = 0;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (SALT_CODE.test(word)) {
      for (let k = j + 1; k < words.length; k++) model.code.push(operand(k, at, `salt ${word}`, safe));
      return;
    }
    if (word.startsWith('-')) {
      // Options written apart that take a value (salt(1)); the target types (-G, -E, -L, …) take none.
      if (
        /^-[tbc]$|^--(out|out-file|return|timeout|batch-size|state-output|log-level|config-dir)$/.test(word)
      )
        j++;
      continue;
    }
    if (++operands === functionAt && /\{\{/.test(word))
      model.code.push(
        operand(
          j,
          at,
          'salt FUNCTION',
          'its value would choose the execution function (cmd.run runs a command): write the function without a template',
        ),
      );
  }
};

/** The parser of a remote execution tool, or undefined. */
export function remoteToolParser(name: string): Parser | undefined {
  switch (programName(name)) {
    case 'ansible':
    case 'ansible-console':
      return parseAnsible;
    case 'gcloud':
      return parseGcloud;
    case 'aws':
      return parseAws;
    case 'az':
      return parseAz;
    case 'salt':
    case 'salt-ssh':
    case 'salt-call':
      return parseSalt;
  }
  return undefined;
}
