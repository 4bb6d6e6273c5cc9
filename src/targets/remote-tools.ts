// Tools that run a command line on remote hosts, through the remote host's shell or a module that splits it:
// `ansible HOST -a CMD` (the command, shell and raw modules; other modules take key=value arguments, where a
// value adds keys), `gcloud compute ssh VM --command CMD` (and ssh's words after its `--`), `aws ssm
// send-command --parameters commands=…`, `az vm run-command invoke --scripts …`, `salt TARGET cmd.run CMD`,
// `heroku run CMD…` (its words joined into a line the dyno's shell runs). None
// quotes a value for the remote side, and none says which shell reads it, so a template there is refused
// (ssh's own remote line is read by remote-line.ts instead); the safe form passes the value to a fixed script
// that is already on the host, in a way the tool keeps as data. Pure.
import { flyOperands } from './deploy-sources.ts';
import { moshWords } from './mosh.ts';
import { programName, type CodeOperand, type Parser } from './programs.ts';
import { lookupTable } from './lookup-table.ts';

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

/** ansible's short options that take a value (ansible(1)); the others (-b, -K, -k, -C, -D, -o, -v) take none. */
const ANSIBLE_SHORT_WITH_VALUE = new Set('aBcefilMmPtTu'.split(''));
/** ansible's long options whose value chooses what runs: argparse also takes any unique prefix (--arg). */
const ANSIBLE_CHOOSING: ReadonlyArray<{ option: string; prefix: string; short: string }> = [
  { option: '--args', prefix: '--ar', short: 'a' },
  { option: '--module-name', prefix: '--module-n', short: 'm' },
  { option: '--module-path', prefix: '--module-p', short: 'M' },
];

const ANSIBLE_SAFE: Record<string, string> = lookupTable({
  a: 'the module runs it on the hosts (the command, shell and raw modules as a command line, others as key=value arguments a value can add to): write it without a template, and pass the value as a variable of a playbook that quotes it (ansible-playbook deploy.yml -e version=… with "{{ version | quote }}" in the task)',
  m: 'its value would choose the module that runs on the hosts (shell runs a command line): write the module without a template',
  M: 'its value would choose where modules are loaded from, and so their code: write the path without a template',
});

/**
 * ansible and ansible-console: -a/--args (the module's arguments, the command line for command/shell/raw), -m
 * (the module) and -M (where modules come from), written apart, attached, at the end of a cluster of flags
 * (-ba CMD, -bKaCMD) or as a unique prefix of the long option (--arg CMD, --module-n=shell).
 */
const parseAnsible: Parser = (words, at, model) => {
  const push = (index: number, letter: string, said: string) => {
    if (index < words.length) model.code.push(operand(index, at, `ansible ${said}`, ANSIBLE_SAFE[letter]!));
  };
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') return;
    if (word.startsWith('--')) {
      const name = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
      const choosing = ANSIBLE_CHOOSING.find((c) => name.startsWith(c.prefix) && c.option.startsWith(name));
      if (!choosing) continue;
      const said = choosing.short === 'a' ? '-a' : `${choosing.option}`;
      if (word.includes('=')) push(j, choosing.short, said);
      else push(++j, choosing.short, said);
      continue;
    }
    if (!word.startsWith('-') || word === '-') continue;
    // A cluster of flags: the first letter that takes a value takes the rest of the word, or the next word.
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (!ANSIBLE_SHORT_WITH_VALUE.has(letter)) continue;
      const said = letter === 'a' ? '-a' : `-${letter}`;
      const chooses = letter in ANSIBLE_SAFE;
      if (c + 1 < word.length) {
        if (chooses) push(j, letter, said);
      } else {
        j++;
        if (chooses) push(j, letter, said);
      }
      break;
    }
  }
};

/** gcloud compute ssh VM --command CMD, and the ssh words after its `--`. */
const parseGcloud: Parser = (words, at, model) => {
  gcloudMetadata(words, at, model);
  gcloudScp(words, at, model);
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
    const flag = valueOf(words, j, ['--ssh-flag']);
    if (flag !== undefined) {
      // gcloud splits each --ssh-flag value on spaces into ssh's own options: a value there can add any of them,
      // -oProxyCommand=… and -oLocalCommand=… among them, written apart or attached.
      model.code.push(
        operand(
          flag,
          at,
          'gcloud compute ssh --ssh-flag',
          'gcloud splits it into ssh options, and a value could add one that runs a command (-oProxyCommand=…, -oLocalCommand=…): write the ssh flags without a template (a Host block of ~/.ssh/config can set them per host)',
        ),
      );
      if (flag > j) j++;
      continue;
    }
    // --container C: gcloud runs `sudo docker exec -it -- C /bin/sh` through the remote shell, the name unquoted.
    const container = valueOf(words, j, ['--container']);
    if (container !== undefined) {
      model.code.push(
        operand(
          container,
          at,
          'gcloud compute ssh --container',
          'gcloud puts the container name unquoted in the command line the remote shell runs (sudo docker exec -it -- NAME /bin/sh): write the container name without a template, or pass the value to a fixed script on the host with ssh itself (ssh HOST ./deploy.sh {{…}}), where it must be one plain word',
        ),
      );
      if (container > j) j++;
      continue;
    }
    const index = valueOf(words, j, ['--command']);
    if (index === undefined) continue;
    model.code.push(operand(index, at, 'gcloud compute ssh --command', safe));
    if (index > j) j++;
  }
};

/** gcloud compute scp --scp-flag FLAGS: gcloud splits it into scp's options (-S PROGRAM, -oProxyCommand=…). */
function gcloudScp(words: readonly string[], at: number, model: Parameters<Parser>[2]): void {
  const scp = words.findIndex(
    (w, k) =>
      k > at && w === 'scp' && ['compute', 'tpus', 'tpu-vm', 'workstations'].includes(words[k - 1] ?? ''),
  );
  if (scp < 0) return;
  for (let j = scp + 1; j < words.length; j++) {
    const flag = valueOf(words, j, ['--scp-flag']);
    if (flag === undefined) continue;
    model.code.push(
      operand(
        flag,
        at,
        'gcloud compute scp --scp-flag',
        'gcloud splits it into scp options, and a value could add one that runs a program (-S PROGRAM, -oProxyCommand=…): write the scp flags without a template (a Host block of ~/.ssh/config can set them per host)',
      ),
    );
    if (flag > j) j++;
  }
}

/**
 * gcloud compute --metadata KEY=VALUE,… and --metadata-from-file KEY=FILE,…: the VM runs its startup-script and
 * shutdown-script keys as root, and a value anywhere in the list can add one (`1,startup-script=…`).
 */
function gcloudMetadata(words: readonly string[], at: number, model: Parameters<Parser>[2]): void {
  if (!words.slice(at + 1).includes('compute')) return;
  for (let j = at + 1; j < words.length; j++) {
    const index = valueOf(words, j, ['--metadata', '--metadata-from-file']);
    if (index === undefined) continue;
    const option = words[j]!.startsWith('--metadata-from-file') ? '--metadata-from-file' : '--metadata';
    model.code.push(
      operand(
        index,
        at,
        `gcloud compute ${option}`,
        'the VM runs its startup-script key as root, and a value anywhere in the list can add that key after a comma: write the metadata without a template, and let the startup script read the value from a metadata key set by a command of its own',
      ),
    );
    if (index > j) j++;
  }
}

/** aws options whose value is the command an instance or a container runs, by service and operation. */
const AWS_COMMANDS: ReadonlyArray<{ service: string; operation: string; option: string; safe: string }> = [
  {
    service: 'ssm',
    operation: 'send-command',
    option: '--parameters',
    safe: 'the instances run those commands through a shell: write them without a template, and give the value as a parameter of a document of your own that passes it to a script as data',
  },
  {
    service: 'ssm',
    operation: 'start-session',
    option: '--parameters',
    safe: 'the instances run those commands through a shell: write them without a template, and give the value as a parameter of a document of your own that passes it to a script as data',
  },
  {
    service: 'ec2',
    operation: 'run-instances',
    option: '--user-data',
    safe: 'the instance runs it as a script as root at boot: write it without a template (file://user-data.sh), and let the script read the value from a tag or a parameter store',
  },
  {
    service: 'ec2',
    operation: 'create-launch-template',
    option: '--launch-template-data',
    safe: 'its UserData is a script instances run as root at boot, and a value in the JSON can add or end that key: write it without a template (file://template.json), and let the script read the value from a tag or a parameter store',
  },
  {
    service: 'ec2',
    operation: 'create-launch-template-version',
    option: '--launch-template-data',
    safe: 'its UserData is a script instances run as root at boot, and a value in the JSON can add or end that key: write it without a template (file://template.json), and let the script read the value from a tag or a parameter store',
  },
  {
    service: 'ec2',
    operation: 'modify-instance-attribute',
    option: '--user-data',
    safe: 'the instance runs it as a script as root at boot: write it without a template (file://user-data.sh), and let the script read the value from a tag or a parameter store',
  },
  {
    service: 'autoscaling',
    operation: 'create-launch-configuration',
    option: '--user-data',
    safe: 'the instances run it as a script as root at boot: write it without a template (file://user-data.sh), and let the script read the value from a tag or a parameter store',
  },
  {
    service: 'ecs',
    operation: 'execute-command',
    option: '--command',
    safe: 'the container runs it as a command line: write it without a template, and run a fixed script of the image that reads the value from its task definition or a parameter store',
  },
];

/**
 * aws SERVICE OPERATION: the options that carry a command (ssm send-command --parameters, ecs execute-command
 * --command), and --cli-input-json/--cli-input-yaml on any operation, which set every option at once (a value
 * there can add --parameters or --command, or name the file:// they are read from).
 */
const parseAws: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const input = valueOf(words, j, ['--cli-input-json', '--cli-input-yaml']);
    if (input !== undefined) {
      const option = words[j]!.startsWith('--cli-input-yaml') ? '--cli-input-yaml' : '--cli-input-json';
      model.code.push(
        operand(
          input,
          at,
          `aws ${option}`,
          "it sets any of the operation's options (the commands an instance runs among them), and a file:// value chooses the file they are read from: write it without a template, and give the value as its own option (--instance-ids {{…}})",
        ),
      );
      if (input > j) j++;
    }
  }
  for (const { service, operation, option, safe } of AWS_COMMANDS) {
    const op = words.findIndex((w, k) => k > at && w === operation && words[k - 1] === service);
    if (op < 0) continue;
    for (let j = op + 1; j < words.length; j++) {
      const index = valueOf(words, j, [option]);
      if (index === undefined) continue;
      model.code.push(operand(index, at, `aws ${service} ${operation} ${option}`, safe));
      if (index > j) j++;
    }
  }
};

/** az options whose value is a command line a container or a cluster runs. */
const AZ_COMMANDS: ReadonlyArray<{ group: string; verb: string; option: string; safe: string }> = [
  {
    group: 'vm',
    verb: 'create',
    option: '--custom-data',
    safe: 'cloud-init runs it on the VM as root: write it without a template, and let the script read the value from a tag of the VM',
  },
  {
    group: 'vm',
    verb: 'create',
    option: '--user-data',
    safe: 'cloud-init runs it on the VM as root: write it without a template, and let the script read the value from a tag of the VM',
  },
  {
    group: 'vm',
    verb: 'update',
    option: '--user-data',
    safe: 'cloud-init runs it on the VM as root: write it without a template, and let the script read the value from a tag of the VM',
  },
  {
    group: 'vmss',
    verb: 'create',
    option: '--custom-data',
    safe: 'cloud-init runs it on the VMs as root: write it without a template, and let the script read the value from a tag of the scale set',
  },
  {
    group: 'vmss',
    verb: 'create',
    option: '--user-data',
    safe: 'cloud-init runs it on the VMs as root: write it without a template, and let the script read the value from a tag of the scale set',
  },
  {
    group: 'vmss',
    verb: 'update',
    option: '--custom-data',
    safe: 'cloud-init runs it on the VMs as root: write it without a template, and let the script read the value from a tag of the scale set',
  },
  {
    group: 'vmss',
    verb: 'update',
    option: '--user-data',
    safe: 'cloud-init runs it on the VMs as root: write it without a template, and let the script read the value from a tag of the scale set',
  },
  {
    group: 'extension',
    verb: 'set',
    option: '--settings',
    safe: 'the extension runs its commandToExecute (or the script it names) on the VM as root, and a value in the JSON can add or end that key: write the settings without a template (@settings.json), and let the script read the value from a tag of the VM',
  },
  {
    group: 'extension',
    verb: 'set',
    option: '--protected-settings',
    safe: 'the extension runs its commandToExecute (or the script it names) on the VM as root, and a value in the JSON can add or end that key: write the settings without a template (@settings.json), and let the script read the value from a tag of the VM',
  },
  {
    group: 'config',
    verb: 'set',
    option: '--startup-file',
    safe: 'the app runs it as its startup command line: write it without a template, and let the command read the value from an app setting',
  },
  {
    group: 'webapp',
    verb: 'create',
    option: '--startup-file',
    safe: 'the app runs it as its startup command line: write it without a template, and let the command read the value from an app setting',
  },
  {
    group: 'container',
    verb: 'exec',
    option: '--exec-command',
    safe: 'the container runs it as a command line: write it without a template, and run a fixed script of the image that reads the value from an environment variable of the container group',
  },
  {
    group: 'command',
    verb: 'invoke',
    option: '--command',
    safe: 'the cluster runs it through a shell (kubectl and helm lines): write it without a template, and give the value as a file (--file) a fixed command reads',
  },
];

/** az container exec --exec-command CMD, az aks command invoke --command CMD. */
function azCommands(words: readonly string[], at: number, model: Parameters<Parser>[2]): void {
  for (const { group, verb, option, safe } of AZ_COMMANDS) {
    const op = words.findIndex((w, k) => k > at && w === verb && words[k - 1] === group);
    if (op < 0) continue;
    // az vm extension set, az vmss extension set: the group before `extension` is said too.
    const said =
      group === 'command'
        ? `az aks command invoke ${option}`
        : group === 'extension'
          ? `az ${words[op - 2] ?? 'vm'} extension set ${option}`
          : `az ${group} ${verb} ${option}`;
    for (let j = op + 1; j < words.length; j++) {
      const index = valueOf(words, j, group === 'command' ? [option, '-c'] : [option]);
      if (index === undefined) continue;
      model.code.push(operand(index, at, said, safe));
      if (index > j) j++;
    }
  }
}

/**
 * Properties a resource runs as code or as a command line: a VM's userData/customData (cloud-init runs them as
 * root), an extension's settings (commandToExecute, fileUris), a container's command, args and entrypoint, an
 * app's startup command. A path ending in one of them (any case, `[n]` aside) takes no template in its value.
 */
const AZ_CODE_PROPERTIES = new Set(
  [
    ...['userData', 'customData', 'commandToExecute', 'command', 'commands', 'commandLine', 'appCommandLine'],
    ...['startupCommand', 'script', 'scripts', 'settings', 'protectedSettings', 'fileUris', 'args'],
    ...['entrypoint', 'entryPoint', 'startupScript', 'initScript', 'postCreateCommand'],
  ].map((p) => p.toLowerCase()),
);

/**
 * az's generic update arguments, on any `az … update` (and create commands that take them): --set PATH=VALUE …,
 * --add PATH VALUE|KEY=VALUE …, --remove PATH [INDEX]. A template in a path chooses which property is set (a
 * VM's userData, a container's command), and one in the value of a property that is code or a command line is
 * run: both are code operands. Any other value is parsed as JSON by az, so it is checked once rendered to add no
 * structure (an object at a parent path could add userData).
 */
function azGenericUpdate(words: readonly string[], at: number, model: Parameters<Parser>[2]): void {
  const options = words.findIndex((w, k) => k > at && w.startsWith('-'));
  const operation = words.slice(at + 1, options < 0 ? words.length : options).join(' ');
  const said = (option: string) => `az ${operation} ${option}`;
  const safe =
    "the path chooses which property of the resource is set (a VM's userData or customData runs as root, a container's command, an extension's commandToExecute), and such a property's value is run: write the path in the config, and give a value only to a property that holds data (--set tags.version={{…}})";
  const hasTemplate = (text: string) => /\{\{/.test(text);
  // A path from a variable ($P) is not known here: it could be one of those.
  const codePath = (path: string) =>
    path.includes('$') ||
    AZ_CODE_PROPERTIES.has(
      path
        .replace(/\[[^\]]*\]/g, '')
        .split('.')
        .at(-1)!
        .toLowerCase(),
    );
  // One KEY=VALUE (or PATH alone) word of --set or --add at index k; `path` is the property path before it.
  const assignment = (k: number, option: string, prefix: string) => {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const key = eq < 0 ? '' : word.slice(0, eq);
    const path = prefix && key ? `${prefix}.${key}` : prefix || key;
    if (hasTemplate(key) || (eq >= 0 && hasTemplate(word.slice(eq + 1)) && codePath(path)))
      model.code.push(operand(k, at, said(option), safe));
    else if (hasTemplate(word)) model.yamlValues.set(k, `a value of az's ${option}, which az parses as JSON`);
  };
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    const option = /^--(set|add|remove)(=|$)/.exec(word);
    if (!option) continue;
    const name = `--${option[1]}`;
    // --set=PATH=VALUE: the first of its words attached.
    const first = option[2] === '=' ? j : j + 1;
    let path = '';
    for (let k = first; k < words.length; k++) {
      if (k > j && words[k]!.startsWith('-')) break;
      const text = k === j ? word.slice(name.length + 1) : words[k]!;
      const index = k;
      if (name === '--set') {
        const eq = text.indexOf('=');
        const key = eq < 0 ? text : text.slice(0, eq);
        if (hasTemplate(key) || (eq >= 0 && hasTemplate(text.slice(eq + 1)) && codePath(key)))
          model.code.push(operand(index, at, said(name), safe));
        else if (hasTemplate(text))
          model.yamlValues.set(index, `a value of az's ${name}, which az parses as JSON`);
      } else if (k === first) {
        // --add/--remove PATH: the property the values are added to, or removed.
        path = text;
        if (hasTemplate(text)) model.code.push(operand(index, at, said(name), safe));
      } else if (name === '--add') {
        // KEY=VALUE adds an object's property; a value starting with { or [ (not a template's {{) is JSON.
        if (text.includes('=') && !/^(\[|\{(?!\{))/.test(text)) assignment(index, name, path);
        else if (hasTemplate(text)) {
          if (codePath(path)) model.code.push(operand(index, at, said(name), safe));
          else model.yamlValues.set(index, `a value of az's ${name}, which az parses as JSON`);
        }
      }
      j = k;
    }
  }
}

/** az vm run-command invoke/create --scripts …: each word up to the next option is a line the VM runs. */
const parseAz: Parser = (words, at, model) => {
  azCommands(words, at, model);
  azGenericUpdate(words, at, model);
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

/**
 * Salt execution functions whose arguments are a command line, code, a template that is rendered (jinja runs
 * code), state data (a state can be cmd.run), or another function to call (salt's docs: cmd, state, publish,
 * saltutil, slsutil, at, cron, schedule, event modules).
 */
const SALT_CODE = new RegExp(
  [
    String.raw`^cmd\.(run\w*|shell\w*|exec_code\w*|script\w*|powershell\w*|retcode|call)$`,
    String.raw`^state\.(single|template\w*|high|low|sls_id|pkg|request)$`,
    String.raw`^(publish|saltutil)\.(publish|full_data|runner|wheel|cmd\w*)$`,
    String.raw`^(slsutil\.renderer|at\.at|cron\.set_job|cron\.set_special|schedule\.(add|modify))$`,
    String.raw`^(event\.fire\w*|event\.send|mine\.send|module\.run|python\.(run|script))$`,
    String.raw`^(docker|dockermod|lxc|lxd|nspawn|chroot|jail|ssh)\.(run\w*|call|exec\w*|retcode|script\w*)$`,
  ].join('|'),
);
/** Salt functions whose positional arguments name the states that run (state.apply deploy). */
const SALT_STATES = /^state\.(apply|sls|sls_exists|highstate|top)$/;

/**
 * salt TARGET FUNCTION ARGS (salt-call FUNCTION ARGS, on the minion itself): the words after a cmd.run-like
 * function, wherever it is, are a command or code; a template where the function goes would choose it. A
 * compound call (test.ping,cmd.run) runs each function of the comma-separated list.
 */
const parseSalt: Parser = (words, at, model) => {
  const safe =
    'the minions run it as a command or as code: write it without a template, and give the value as pillar data to a state that quotes it (state.apply deploy, reading {{ pillar.version | quote }})';
  const functionAt = programName(words[at]!) === 'salt-call' ? 1 : 2;
  let operands = 0;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    const functions = word.split(',');
    const code = functions.find((f) => SALT_CODE.test(f));
    if (code !== undefined) {
      for (let k = j + 1; k < words.length; k++) model.code.push(operand(k, at, `salt ${code}`, safe));
      return;
    }
    const states = functions.find((f) => SALT_STATES.test(f));
    if (states !== undefined) {
      // The state names (and saltenv=, which picks the tree they come from); pillar= and other keys are data.
      for (let k = j + 1; k < words.length; k++)
        if (!/^[A-Za-z_]\w*=/.test(words[k]!) || /^saltenv=/.test(words[k]!))
          model.code.push(
            operand(
              k,
              at,
              `salt ${states}`,
              'its value would choose the states that run: write them without a template, and give the value as pillar data (pillar=\'{"version": …}\')',
            ),
          );
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

/**
 * fly (flyctl): the command line a machine runs. ssh console and console -C/--command (run over fly's SSH
 * session), machine exec [MACHINE] COMMAND (its last operand), machine update -C/--command and --entrypoint,
 * console --entrypoint (fly splits them into the words the machine runs: its program and arguments), machine
 * run/create --command (the shell --shell opens) and machine clone --override-cmd. machine run/create IMAGE
 * [COMMAND…] and their --entrypoint are read as docker run's (launchers.ts).
 */
const parseFly: Parser = (words, at, model) => {
  const name = programName(words[at]!);
  const operands = flyOperands(words, at);
  const [first, second] = [words[operands[0] ?? -1], words[operands[1] ?? -1]];
  const machine = first === 'machine' || first === 'machines' || first === 'm';
  const said = `${name} ${first === 'console' ? 'console' : `${first} ${second}`}`;
  const line =
    'the machine runs it as a command line (its first word the program, the rest its arguments; a shell in it runs its code): write it without a template, and run a fixed script of the image that reads the value from a variable or secret of the app (fly secrets set VERSION=…)';
  const split =
    'fly splits it into the words the machine runs (its program and arguments): write it without a template, and let the program read the value from a variable or secret of the app (-e VERSION=… or fly secrets set VERSION=…)';
  const options: Array<{ list: string[]; safe: string }> = [];
  if ((first === 'ssh' && second === 'console') || first === 'console')
    options.push({ list: ['-C', '--command'], safe: line });
  if (first === 'console' || (machine && second === 'update'))
    options.push({ list: ['--entrypoint'], safe: split });
  if (machine && second === 'update') options.push({ list: ['-C', '--command'], safe: split });
  if (machine && (second === 'run' || second === 'create')) options.push({ list: ['--command'], safe: line });
  if (machine && second === 'clone') options.push({ list: ['--override-cmd'], safe: split });
  for (const { list, safe } of options)
    for (let j = at + 1; j < words.length && words[j] !== '--'; j++) {
      const index = valueOf(words, j, list);
      if (index === undefined) continue;
      const option = list.find((o) => words[j] === o || words[j]!.startsWith(o)) ?? list[0]!;
      model.code.push(operand(index, at, `${said} ${option.replace(/=.*/, '')}`, safe));
      if (index > j) j++;
    }
  // machine exec [MACHINE] COMMAND: one operand is the command, two the machine and the command.
  if (machine && second === 'exec') {
    const rest = operands.slice(2);
    const command = rest.length >= 2 ? rest[1] : rest[0];
    if (command !== undefined) model.code.push(operand(command, at, `${said} COMMAND`, line));
  }
};

/** heroku run's options that take a value (heroku run --help); -x, --no-tty, --no-notify, --no-launcher take none. */
const HEROKU_RUN_VALUES = new Set(['-a', '--app', '-e', '--env', '-r', '--remote', '-s', '--size', '--type']);

/**
 * heroku run COMMAND… (run:detached too; run:inside DYNO COMMAND…): heroku joins the words into one command line
 * (quoting only a word with a space or a double quote, in double quotes where $ and ` still work) that the dyno's
 * shell runs, with the app's config vars (its secrets) in the environment. Every word of it, after heroku's own
 * options (read anywhere before a `--`, as oclif does), is code there.
 */
const parseHeroku: Parser = (words, at, model) => {
  const verb = words.slice(at + 1).find((w) => !w.startsWith('-'));
  if (verb !== 'run' && verb !== 'run:detached' && verb !== 'run:inside') return;
  const from = words.indexOf(verb, at + 1) + 1;
  let operands = 0;
  let dashes = false;
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (!dashes && word === '--') {
      dashes = true;
      continue;
    }
    if (!dashes && word.startsWith('-') && word !== '-') {
      if (HEROKU_RUN_VALUES.has(word)) j++;
      continue;
    }
    // run:inside DYNO COMMAND…: the dyno first.
    if (verb === 'run:inside' && operands++ === 0) continue;
    model.code.push(
      operand(
        j,
        at,
        `heroku ${verb} COMMAND`,
        "heroku joins its words into a command line the dyno's shell runs (a ; or $(…) in a value runs there, with the app's config vars): write the command without a template, and let a fixed script of the app read the value from a config var (heroku config:set VERSION=…)",
      ),
    );
  }
};

/** The parser of a remote execution tool, or undefined. */
/** What mosh runs: --ssh (split into ssh's command and options), --server, --client, the host's program. */
const MOSH_RUNS: Record<string, string> = lookupTable({
  '--ssh':
    'mosh splits it into the command it reaches the host with and its options, and a value could add one that runs a command (-oProxyCommand=…) or be another program: write it without a template (a Host block of ~/.ssh/config can set ssh options per host)',
  '--server':
    "the remote host's shell runs it as the command that starts mosh-server: write it without a template",
  '--client': 'mosh runs it as its client program here: write it without a template',
});

/** mosh: the commands it runs (MOSH_RUNS) and the program mosh-server runs on the host (mosh.ts). */
const parseMosh: Parser = (words, at, model) => {
  const { options, program } = moshWords(words, at);
  for (const { option, index } of options)
    if (index !== undefined && MOSH_RUNS[option])
      model.code.push(operand(index, at, `mosh ${option}`, MOSH_RUNS[option]));
  if (program !== undefined)
    model.code.push(
      operand(
        program,
        at,
        "mosh's remote command",
        'mosh-server runs its first word as the program on the host: write the program without a template and pass the value as its argument (mosh HOST -- ./deploy.sh {{…}})',
      ),
    );
};

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
    case 'fly':
    case 'flyctl':
      return parseFly;
    case 'heroku':
      return parseHeroku;
    case 'mosh':
      return parseMosh;
  }
  return undefined;
}
