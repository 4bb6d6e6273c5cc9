// Configs written to break `validate` or to slip something past it (an adversarial audit): YAML features a
// deploy config has no use for, bytes that are not text, typos that used to pass silently, and values that
// must never be echoed (credentials). Each gets one clean, located error; none a crash or a quiet default.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import { main } from '../../../src/cli/main.ts';
import { ConfigLoadError, formatConfigError, maskSecrets } from '../../../src/config/errors.ts';
import { decodeUtf8, loadConfigFile, parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment, ResolveError } from '../../../src/config/resolve.ts';
import { accepts, errorsOf, TARGET } from '../../helpers/config-text.ts';

const env = (fields: string) => `${TARGET}environments:\n  production:\n${fields}`;

const dir = mkdtempSync(join(tmpdir(), 'hostile-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('YAML features a deploy config has no use for', () => {
  const unsupported = (tag: string) =>
    `the YAML tag ${tag} is not supported: write the plain value (a deploy config holds only strings, numbers, true/false, lists and mappings)`;

  it('refuses tags other than the plain ones, at the tagged value: known, language-specific or unknown', () => {
    // Before: !!binary and !!set said "expected a string, got a mapping" ("a mapping, got a mapping"), and
    // an unknown tag such as !foo silently became the string after it.
    assert.deepEqual(errorsOf(env('    variables: { k: !!binary aGVsbG8= }\n')), [
      `deploy.yml:8:30: environments.production.variables.k: ${unsupported('!!binary')}`,
    ]);
    assert.deepEqual(errorsOf(`${TARGET}environments: !!set { production }\n`), [
      `deploy.yml:6:21: environments: ${unsupported('!!set')}`,
    ]);
    assert.deepEqual(errorsOf(env('    production: !!js/function "function () {}"\n')), [
      `deploy.yml:8:31: environments.production.production: ${unsupported('!!js/function')}`,
    ]);
    assert.deepEqual(errorsOf(env('    variables: { k: !foo bar }\n')), [
      `deploy.yml:8:26: environments.production.variables.k: ${unsupported('!foo')}`,
    ]);
    assert.deepEqual(errorsOf(env('    variables: { k: !!timestamp 2001-12-14 }\n')), [
      `deploy.yml:8:33: environments.production.variables.k: ${unsupported('!!timestamp')}`,
    ]);
    // A key can be tagged too.
    assert.match(errorsOf(env('    !!binary aGk=: 1\n')).join('\n'), /tag !!binary is not supported/);
    // The core schema's own tags only say which plain value is meant.
    accepts(env('    variables: { k: !!str 12 }\n    production: !!bool true\n'));
  });

  it('refuses a "__proto__" key anywhere, which validation used to drop without a word', () => {
    const message = 'the key "__proto__" is not allowed (it cannot be told from an object\'s prototype)';
    // Before: accepted, and the environment (or variable) was simply gone from the config.
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  __proto__: {}\n  production: {}\n`), [
      `deploy.yml:7:3: environments.__proto__: ${message}`,
    ]);
    assert.deepEqual(errorsOf(env('    variables: { __proto__: x }\n')), [
      `deploy.yml:8:18: environments.production.variables.__proto__: ${message}`,
    ]);
  });

  it('finds a key repeated through an alias, and an alias with no anchor before it, where they are', () => {
    // Before: the second "production" (an alias of the first key) silently replaced the first.
    assert.deepEqual(
      errorsOf(`${TARGET}environments:\n  &name production: { production: true }\n  *name : {}\n`),
      [
        'deploy.yml:8:3: environments: duplicate key "production": each key may appear only once in a mapping',
      ],
    );
    // Before: "cannot read the YAML: Unresolved alias …" at 1:1.
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  production: *nope\n`), [
      'deploy.yml:7:15: environments.production: the alias *nope refers to no anchor: write &nope on a value before it',
    ]);
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  staging: *later\n  production: &later {}\n`), [
      'deploy.yml:7:12: environments.staging: the alias *later refers to no anchor: write &later on a value before it',
    ]);
    // An anchor used after it is set is fine, and so is a reused anchor name (the nearest one counts).
    accepts(`${TARGET}environments:\n  &n staging: { production: false }\n  production: { staging: *n }\n`);
  });

  // No clock: expanded, these aliases are 9^9 and 2^40 copies, which would not end (or run out of memory)
  // within the test's own timeout, so reaching the error at all shows nothing was expanded.
  it(
    'refuses an alias bomb at once with a clear error, however the aliases nest',
    { timeout: 60_000 },
    () => {
      for (const [levels, fan] of [
        [9, 9], // the classic billion laughs
        [40, 2], // narrow and deep: 2^40 copies
      ] as const) {
        let text = 'l0: &l0 [lol]\n';
        for (let i = 1; i <= levels; i++)
          text += `l${i}: &l${i} [${Array.from({ length: fan }, () => `*l${i - 1}`).join(', ')}]\n`;
        assert.deepEqual(
          errorsOf(`${text}${TARGET}environments:\n  production: { variables: { k: *l${levels} } }\n`).at(0),
          'deploy.yml:1:1: aliases (*name) expand to too many copies of their values; a deploy config needs few: write the repeated parts out, or alias less',
        );
      }
    },
  );

  // Within the YAML library's alias count (each alias once, no nesting), one anchored list of 20,000 names
  // used by 100 environments was 2 million values to validate: 3 s here, and 1,000 aliases of a list of
  // 150,000 were minutes and gigabytes, for a file of a few hundred kilobytes (the App checks configs from
  // pull requests).
  it('refuses aliases that expand the config past its size cap, before validating it', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `i${i}`).join(', ');
    let text = `${TARGET}x-fleet: &fleet [${names}]\nenvironments:\n`;
    for (let i = 0; i < 100; i++) text += `  e${i}: { strategy: { type: rolling, instances: *fleet } }\n`;
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:1:1: aliases (*name) expand the config to more than 200000 keys, values and list items (a deploy config has a few hundred): write the repeated parts out, or alias less',
    ]);
    // The same list used once, or an x- key's own aliases (never read), stay within the cap.
    accepts(
      `${TARGET}x-fleet: &fleet [${names}]\nx-copies: [*fleet, *fleet, *fleet, *fleet, *fleet, *fleet, *fleet, *fleet, *fleet, *fleet, *fleet]\nenvironments:\n  e: { strategy: { type: rolling, instances: *fleet } }\n`,
    );
  });

  it('refuses a key YAML reads as another text, which renamed it without a word', () => {
    // Before: `1.0:` defined the environment "1", `0x10:` "16", `~:` "".
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  1.0: {}\n  0x10: {}\n  ~: {}\n`), [
      'deploy.yml:7:3: environments.1: the key 1.0 is read as "1": quote it ("1.0") to keep it as written',
      'deploy.yml:8:3: environments.16: the key 0x10 is read as "16": quote it ("0x10") to keep it as written',
      'deploy.yml:9:3: environments.null: the key ~ is read as "": quote it ("~") to keep it as written',
    ]);
    accepts(`${TARGET}environments:\n  "1.0": {}\n  123: {}\n  true: {}\n`);
  });

  it('names a merge key for what it is in a mapping of names too (environments, variables)', () => {
    const merge =
      'YAML merge keys ("<<") are not supported: repeat the keys, or reuse a whole value with an alias (*name)';
    // Before: 'invalid key "<<": environment names use letters, digits, ".", "_" and "-"'.
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  production: &p {}\n  <<: { staging: *p }\n`), [
      `deploy.yml:8:3: environments["<<"]: ${merge}`,
    ]);
    assert.deepEqual(errorsOf(env('    variables: { <<: { a: b } }\n')), [
      `deploy.yml:8:18: environments.production.variables["<<"]: ${merge}`,
    ]);
  });

  it('names a second document for what it is, not with the YAML library’s advice', () => {
    assert.deepEqual(errorsOf(`${TARGET}environments:\n  production: {}\n---\nother: 1\n`), [
      'deploy.yml:8:1: a second YAML document starts here ("---"): a deploy config is one document; remove the line or move the rest into the first',
    ]);
  });
});

describe('bytes that are not UTF-8 text', () => {
  const bytes = (...parts: Array<string | number[]>) =>
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

  it('are refused at their line and column, not read as U+FFFD', async () => {
    // Before: read as 'utf8', "café" in Latin-1 became "caf\uFFFD" and validated.
    const file = join(dir, 'latin1.yml');
    writeFileSync(file, bytes(env('    variables: { k: "caf'), [0xe9], '" }\n'));
    await assert.rejects(loadConfigFile(file), (error: unknown) => {
      assert.ok(error instanceof ConfigLoadError);
      assert.deepEqual(error.errors, [
        {
          file,
          line: 8,
          column: 25,
          path: '',
          message:
            'the file is not UTF-8 text: the byte 0xE9 here is not part of a character; save the file as UTF-8',
        },
      ]);
      return true;
    });
  });

  it('a U+FFFD written in the file is text; a sequence cut at the end is not', () => {
    assert.deepEqual(decodeUtf8(bytes('a: "\uFFFD\u00e9', [0xff], '"\n')), {
      ok: false,
      line: 1,
      column: 7,
      message:
        'the file is not UTF-8 text: the byte 0xFF here is not part of a character; save the file as UTF-8',
    });
    assert.deepEqual(decodeUtf8(bytes('a: b\nc: ', [0xe2, 0x82])), {
      ok: false,
      line: 2,
      column: 4,
      message:
        'the file is not UTF-8 text: the byte 0xE2 here is not part of a character; save the file as UTF-8',
    });
    assert.deepEqual(decodeUtf8(bytes('a: "\uFFFD"\n')), { ok: true, text: 'a: "\uFFFD"\n' });
  });

  it('a byte order mark and CRLF line ends are read, and errors keep their positions', async () => {
    const text = env('    stratgy: canary\n');
    const lf = errorsOf(text);
    assert.match(lf[0]!, /^deploy\.yml:8:5: .*did you mean "strategy"/);
    assert.deepEqual(errorsOf(`\uFEFF${text.replaceAll('\n', '\r\n')}`), lf);
    const file = join(dir, 'bom-crlf.yml');
    writeFileSync(file, bytes([0xef, 0xbb, 0xbf], env('    strategy: canary\n').replaceAll('\n', '\r\n')));
    assert.deepEqual(Object.keys((await loadConfigFile(file)).environments), ['production']);
  });
});

// A config path that is no regular file (a checkout's deploy.yml may be a symlink anywhere): /dev/zero was
// read until memory ran out. A pipe (`-c /dev/stdin`, `-c <(git show …)`) is read, up to the size cap.
describe('a config that is not a regular file', () => {
  it('a device is refused at once, never read', { timeout: 10_000 }, async () => {
    const zero = join(dir, 'zero.yml');
    symlinkSync('/dev/zero', zero);
    await assert.rejects(loadConfigFile(zero), (error: unknown) => {
      assert.ok(error instanceof ConfigLoadError);
      assert.deepEqual(error.errors, [
        {
          file: zero,
          line: 0,
          column: 0,
          path: '',
          message:
            'is not a regular file (a device or a socket): a config is a file of text; name the file itself',
        },
      ]);
      return true;
    });
  });

  it(
    'a pipe is read as the file it carries; one that never ends stops at the size cap',
    { timeout: 30_000 },
    async () => {
      const fifo = join(dir, 'pipe.yml');
      execFileSync('mkfifo', [fifo]);
      writeFileSync(join(dir, 'piped-source.yml'), env('    strategy: canary\n'));
      const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', join(dir, 'piped-source.yml'), fifo]);
      const written = once(writer, 'exit');
      assert.deepEqual(Object.keys((await loadConfigFile(fifo)).environments), ['production']);
      await written;
      const endless = join(dir, 'endless.yml');
      execFileSync('mkfifo', [endless]);
      const yes = spawn('sh', ['-c', 'exec yes "a: b" > "$1"', 'sh', endless]);
      await assert.rejects(loadConfigFile(endless), (error: unknown) => {
        assert.ok(error instanceof ConfigLoadError);
        assert.match(error.errors[0]!.message, /^the config is \d+ bytes; at most \d+ are read/);
        return true;
      });
      yes.kill();
    },
  );
});

describe('typos and blanks that used to pass silently', () => {
  it('refuses a config that defines no environment', () => {
    assert.deepEqual(errorsOf(`${TARGET}environments: {}\n`), [
      'deploy.yml:6:15: environments: defines no environment: add one, for example "production: {}", so there is something to deploy to',
    ]);
  });

  it('refuses names, directories and slots that are only spaces', () => {
    assert.deepEqual(errorsOf(`${TARGET}state_dir: "   "\nenvironments:\n  production: {}\n`), [
      'deploy.yml:6:12: state_dir: must not be only spaces',
    ]);
    assert.deepEqual(errorsOf(env('    smoke: { run: ./smoke.sh, cwd: " " }\n')), [
      'deploy.yml:8:36: environments.production.smoke.cwd: must not be only spaces',
    ]);
    assert.deepEqual(errorsOf(env('    strategy: { type: canary, slots: [blue, "  "] }\n')), [
      'deploy.yml:8:45: environments.production.strategy.slots[1]: must not be only spaces',
    ]);
    // Empty stays "must not be empty".
    assert.deepEqual(errorsOf(`${TARGET}state_dir: ""\nenvironments:\n  production: {}\n`), [
      'deploy.yml:6:12: state_dir: must not be empty',
    ]);
  });

  it('says a name must start with a letter or digit when its characters are all allowed ones', () => {
    // Before: "-rf", ".." and "_x" were refused saying names use letters, digits, ".", "_" and "-", which
    // they do: the message did not say what was wrong.
    for (const name of ['-rf', '..', '_x', '--help']) {
      const errors = errorsOf(`${TARGET}environments:\n  ${JSON.stringify(name)}: {}\n  production: {}\n`);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0]!, /^deploy\.yml:7:3: .*starting with a letter or digit$/, errors[0]);
    }
    const channel = errorsOf(
      `${TARGET}environments:\n  production: {}\nnotifications:\n  channels:\n    -ops: { type: slack, token_env: SLACK_BOT_TOKEN, channel: C0123456789 }\n`,
    );
    assert.match(channel.join('\n'), /channel names .*starting with a letter or digit/);
  });

  it('refuses an argv list whose program is empty', () => {
    assert.deepEqual(
      errorsOf('target:\n  commands:\n    deploy: ["", "{{version}}"]\nenvironments:\n  production: {}\n'),
      ['deploy.yml:3:14: target.commands.deploy[0]: the program (the first item) must not be empty'],
    );
  });

  it('refuses environment variable names a process cannot be given, and variables no template can name', () => {
    assert.deepEqual(
      errorsOf(
        'target:\n  env: { "A B": x, "X=Y": z, 1X: y }\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production: {}\n',
      ),
      [
        'deploy.yml:2:10: target.env["A B"]: invalid key "A B": an environment variable name is letters, digits and "_", not starting with a digit',
        'deploy.yml:2:20: target.env["X=Y"]: invalid key "X=Y": an environment variable name is letters, digits and "_", not starting with a digit',
        'deploy.yml:2:30: target.env.1X: invalid key "1X": an environment variable name is letters, digits and "_", not starting with a digit',
      ],
    );
    assert.deepEqual(errorsOf(env('    variables: { "my region": eu, "": x }\n')), [
      'deploy.yml:8:18: environments.production.variables["my region"]: invalid key "my region": a variable name is letters, digits and "_", not starting with a digit (it is used as {{name}})',
      'deploy.yml:8:35: environments.production.variables[""]: invalid key "": a variable name is letters, digits and "_", not starting with a digit (it is used as {{name}})',
    ]);
    accepts(
      'target:\n  env: { AWS_REGION: eu, _X1: y }\n  commands:\n    deploy: ./d.sh {{my_region}}\nenvironments:\n  production: { variables: { my_region: eu } }\n',
    );
  });

  it("refuses a {{variable}} where nothing fills it in, at the field; a tool's own braces pass", () => {
    // Before: each was used as written without a word: the deploy got "app:{{version}}", ran in the
    // directory deploy/{{environment}}, the on-call check was asked about "{{environment}}" and the
    // Deployments page linked to https://{{environment}}.example.com.
    const text = `state_dir: .state/{{environment}}
target:
  cwd: deploy/{{environment}}
  env: { IMAGE_TAG: "{{version}}" }
  commands:
    deploy: ./d.sh {{image}}
    health: { run: "./h.sh {{environment}}", env: { SLOT: "{{slot}} {{ region }}" } }
gates:
  custom:
    checks: [{ name: on-call, run: "./on-call.sh {{environment}}" }]
environments:
  production:
    url: https://{{environment}}.example.com
    variables: { image: "app:{{version}}", region: eu }
    gates:
      tests: { junit: ["reports/{{environment}}/*.xml"] }
`;
    const why = {
      command: "a command's cwd and env are used as written (only the command itself is a template)",
      gates:
        "a gates section's commands, files and globs are used as written (the gates run before anything is deployed)",
    };
    assert.deepEqual(errorsOf(text), [
      'deploy.yml:1:12: state_dir: {{environment}} is not filled in here: state_dir is used as written',
      `deploy.yml:3:8: target.cwd: {{environment}} is not filled in here: ${why.command}`,
      `deploy.yml:4:21: target.env.IMAGE_TAG: {{version}} is not filled in here: ${why.command}`,
      `deploy.yml:7:59: target.commands.health.env.SLOT: {{slot}}, {{region}} are not filled in here: ${why.command}`,
      `deploy.yml:10:36: gates.custom.checks[0].run: {{environment}} is not filled in here: ${why.gates}`,
      `deploy.yml:13:10: environments.production.url: {{environment}} is not filled in here: the environment's url (its link on GitHub) is used as written`,
      `deploy.yml:14:25: environments.production.variables.image: {{version}} is not filled in here: a variable's value is put into a command as it is; write the template in the command itself`,
      `deploy.yml:16:24: environments.production.gates.tests.junit[0]: {{environment}} is not filled in here: ${why.gates}`,
    ]);
    // Braces that name no variable are a tool's own (docker's Go templates), and pass where they are.
    accepts(
      `${TARGET}  env: { FMT: "{{.Names}}" }\ngates:\n  custom:\n    checks: [{ name: ps, run: "docker ps --format {{.Names}}" }]\nenvironments:\n  production: { strategy: canary, variables: { fmt: "{{json .}}" } }\n`,
    );
  });

  it('refuses a template with a brace missing, for a variable that exists; other brace syntax passes', () => {
    const deploy = (command: string) =>
      `target:\n  commands:\n    deploy: ${JSON.stringify(command)}\nenvironments:\n  production: { variables: { region: eu } }\n`;
    // Before: each reached the command as written, "{{version}" and all.
    for (const [command, written, name] of [
      ['./d.sh {{version}', '{{version}', 'version'],
      ['./d.sh {version}}', '{version}}', 'version'],
      ['./d.sh --region={{region', '{{region', 'region'],
      ['./d.sh {{ sha }/x', '{{ sha }', 'sha'],
    ])
      assert.deepEqual(errorsOf(deploy(command!)), [
        `deploy.yml:3:13: target.commands.deploy: ${JSON.stringify(written)} is not a template: write {{${name}}}, two braces on each side`,
      ]);
    accepts(deploy('./d.sh {{ version }} {{region}}'));
    accepts(deploy("docker ps --format '{{.Names}} {{.Status}}'"));
    accepts(deploy('./d.sh {{unrelated}'));
  });
});

describe('a config of 200 environments', () => {
  const environments = (staging: (i: number) => string) =>
    Array.from(
      { length: 200 },
      (_, i) =>
        `  e${i}:\n    strategy: { type: canary, steps: [10, { weight: 50, pause: 5m }] }\n    health: { url: "http://e${i}.internal/health" }\n${staging(i)}`,
    ).join('');

  // How long 200 environments (a staging chain through all of them) take to validate is measured by the
  // config benchmark (npm run bench:config: "environments chained by staging" and the environments curve),
  // not here.
  it('validates, and an error names ten environments, not 199', () => {
    accepts(`${TARGET}environments:\n${environments((i) => (i > 0 ? `    staging: e${i - 1}\n` : ''))}`);
    // Before: the message listed all 199 other environments on one line.
    const errors = errorsOf(
      `${TARGET}environments:\n${environments((i) => (i === 0 ? '    staging: e199x\n' : ''))}`,
    );
    assert.deepEqual(errors, [
      'deploy.yml:10:14: environments.e0.staging: unknown environment "e199x": did you mean "e199"? (environments: "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10" and 189 more)',
    ]);
  });
});

describe('what an error echoes is escaped, cut short, and never a credential', () => {
  const SECRETS = [
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'AKIAIOSFODNN7EXAMPLE',
    'sk_live_abcdefghijklmnopqrstuvwx',
    'xoxb-123456789012-abcdefghijkl',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'Zx8Qp2Lm9Vt4Rk7Wn3Hs6Jd1Fb5Gc0Ya',
  ];

  it('masks credential-shaped values wherever a message or a path would show them', () => {
    for (const secret of SECRETS) {
      const errors = [
        ...errorsOf(env(`    strategy: ${JSON.stringify(secret)}\n`)),
        ...errorsOf(env(`    monitor: ${JSON.stringify(secret)}\n`)),
        ...errorsOf(env(`    staging: ${JSON.stringify(secret)}\n`)),
        ...errorsOf(env(`    ${JSON.stringify(secret)}: 1\n`)),
        ...errorsOf(env(`    production: ${JSON.stringify(`token ${secret}`)}\n`)),
      ];
      assert.equal(errors.length, 5, errors.join('\n'));
      for (const error of errors) {
        assert.ok(!error.includes(secret.slice(8)), `${secret} shown in: ${error}`);
        assert.match(error, /…\[masked\]/);
      }
    }
  });

  it('masks the password of a URL, and leaves ordinary text alone', () => {
    assert.equal(
      maskSecrets('got "https://deploy:hunter2-pass@example.com/x"'),
      'got "https://deploy:…[masked]@example.com/x"',
    );
    const ordinary = [
      "environments.production.strategy.steps[2]: weight 20 is not above the previous step's 20",
      'unknown key "stratgy": did you mean "strategy"? (allowed here: url, production, strategy, validation_window, monitor_interval)',
      'invalid duration "99999999999999999999999999999999999...": use a number followed by ms, s, m, h or d',
      'environments.my-very-long-environment-name-for-staging.staging',
      'environments.my-service-name-production-eu-west-1-cluster2.staging',
      'unknown template variable {{deploy_payments_api_to_kubernetes_cluster_eu_west_1}}',
      'got the string "0123456789abcdef0123456789abcdef01234567"',
      // A mktemp directory in a command's path: mixed case and digits, but a path of words.
      '$ node /tmp/tmp.nzut9LwLA2/test/helpers/record-target.mjs /tmp/pipeline-6hypCi/calls.log deploy blue',
      '/home/runner/work/_temp/Xq7Lm2Pz9Rt4/node_modules/.bin/deploy',
    ];
    for (const text of ordinary) assert.equal(maskSecrets(text), text);
    // A base64 key with '/' in it is still a key.
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY9aB3';
    assert.equal(maskSecrets(`secret ${key} here`), `secret ${key.slice(0, 4)}…[masked] here`);
  });

  it('shows a long value cut short and escaped', () => {
    assert.deepEqual(errorsOf(env(`    monitor: "${'9'.repeat(400)}s\\n"\n`)), [
      `deploy.yml:8:14: environments.production.monitor: invalid duration "${'9'.repeat(37)}...": use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0`,
    ]);
    assert.deepEqual(errorsOf(env('    monitor: "5m\\u001b[2J"\n')), [
      'deploy.yml:8:14: environments.production.monitor: invalid duration "5m\\u001b[2J": use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
  });

  it('shows a long key, environment name or template variable cut short, in the path and the message', () => {
    // Before: values were cut to 80 characters but keys and {{names}} were echoed whole, in the path (the
    // Action's annotation title) and the message: a 500,000-character key gave a 500 KB error line.
    // Under the YAML library's 1,024 characters for a key, so the config's own checks see them.
    const long = (c: string) => c.repeat(1000);
    const cut = (c: string) => `${c.repeat(77)}...`;
    const cases: Array<[string, string]> = [
      [env(`    ${long('k')}: 1\n`), `environments.production["${cut('k')}"]`],
      [`${TARGET}environments:\n  ${long('e')}: {}\n`, `environments["${cut('e')}"]`],
      [env(`    variables: { ${long('v')}-x: 1 }\n`), `environments.production.variables["${cut('v')}"]`],
      // A name GitHub takes (at most 255 characters) is shown whole.
      [
        `${TARGET}environments:\n  ${'e'.repeat(255)}:\n    strategy: 5\n`,
        `environments.${'e'.repeat(255)}.strategy`,
      ],
      [
        `target:\n  commands:\n    deploy: ./deploy.sh {{${long('t')}}}\nenvironments:\n  production: {}\n`,
        'target.commands.deploy',
      ],
      // Over the YAML library's 1,024 characters for a key: its own error, at the key.
      [env(`    ${'y'.repeat(3000)}: 1\n`), `environments.production["${cut('y')}"]`],
    ];
    for (const [text, path] of cases) {
      const errors = errorsOf(text);
      assert.ok(errors.length > 0);
      for (const error of errors) {
        assert.ok(error.length < 600, `${error.length} characters: ${error.slice(0, 300)}`);
        assert.ok(error.includes(`: ${path}`), `${path} not in ${error.slice(0, 300)}`);
      }
    }
  });

  it('escapes line separators, DEL and C1 controls too, which JSON leaves as they are', () => {
    // Before: oneLine passed them through JSON.stringify, which returns U+2028 and U+009B (a terminal's
    // CSI) unchanged: the message could still break a line or drive the terminal.
    const errors = errorsOf(env('    "a\\u2028b\\u009b2Jc\\u007f": 1\n    monitor: "5m\\u2029"\n'));
    assert.deepEqual(errors, [
      'deploy.yml:8:5: environments.production["a\\u2028b\\u009b2Jc\\u007f"]: unknown key "a\\u2028b\\u009b2Jc\\u007f" (allowed here: url, production, strategy, staging, target, health, smoke, ready_timeout, pre_deploy_health, validation_window, monitor, monitor_interval, hooks, variables, gates, analysis, approvals, control, on_orphan, notifications)',
      'deploy.yml:9:14: environments.production.monitor: invalid duration "5m\\u2029" (write "5m"): use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
  });

  it('escapes format characters, which make a message read other than it is', () => {
    // Before: a right-to-left override, a zero-width joiner or a byte order mark reached the terminal as is.
    const errors = errorsOf(env('    monitor: "5m\\u202e\\u200d\\ufeff\\U000e0041"\n'));
    assert.deepEqual(errors, [
      'deploy.yml:8:14: environments.production.monitor: invalid duration "5m\\u202e\\u200d\\ufeff\\u{e0041}": use a number followed by ms, s, m, h or d (for example "30s", "5m", "1h", "1h30m"), or 0',
    ]);
  });

  it('`deploy-action validate` prints neither the credential nor a stack, in text or JSON', async () => {
    const secret = SECRETS[0]!;
    const file = join(dir, 'secret.yml');
    writeFileSync(
      file,
      env(`    strategy: ${secret}\n    url: "https://ci:${secret}@example.com"\n    monitor: 5\n`),
    );
    for (const json of [false, true]) {
      let out = '';
      const code = await main(['validate', '-c', file, ...(json ? ['--json'] : [])], {
        out: (text) => void (out += text),
        err: (text) => void (out += text),
      });
      assert.equal(code, 2);
      assert.ok(!out.includes(secret.slice(8)), out);
      assert.doesNotMatch(out, /\n\s+at /);
      assert.match(out, /environments\.production\.strategy/);
    }
  });
});

describe('every field of real configs, given hostile values', () => {
  const HOSTILE: unknown[] = [
    null,
    -1,
    1e309,
    '',
    '   ',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    [],
    {},
    { a: [1] },
    true,
    'a'.repeat(3000),
    '5x',
    '{{nope}}',
    '$(id)',
    '\u2028\u009b[2J',
  ];
  const paths = (node: unknown, path: (string | number)[] = []): (string | number)[][] =>
    isMap(node)
      ? node.items.flatMap((pair) => {
          const key = String((pair.key as { value: unknown }).value);
          return [[...path, key], ...paths(pair.value, [...path, key])];
        })
      : isSeq(node)
        ? node.items.flatMap((item, index) => [[...path, index], ...paths(item, [...path, index])])
        : [];

  for (const file of ['examples/demo/deploy.yml', 'test/fixtures/config/policy.yml']) {
    it(`${file}: no crash, and each error located, on one short line, without the credential`, () => {
      const text = readFileSync(join(import.meta.dirname, '..', '..', '..', file), 'utf8');
      let rejected = 0;
      for (const path of paths(parseDocument(text).contents as Node)) {
        for (const value of HOSTILE) {
          const doc = parseDocument(text);
          doc.setIn(path, doc.createNode(value));
          const result = parseConfig(doc.toString(), 'deploy.yml');
          if (result.ok) continue;
          rejected++;
          for (const error of result.errors) {
            const shown = formatConfigError(error);
            const where = `${JSON.stringify(path)} = ${JSON.stringify(value)?.slice(0, 30)}: ${shown.slice(0, 300)}`;
            assert.ok(error.line > 0 && error.column > 0, where);
            assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, where);
            assert.ok(!shown.includes('abcdefghijklmnopqrstuvwxyz0123'), where);
            assert.doesNotMatch(shown, /\bundefined\b|\[object Object\]/, where);
            // A message is a line a person reads: the allowed keys of a section at most, no 3,000 a's.
            assert.ok(shown.length < 600, where);
          }
        }
      }
      assert.ok(rejected > 100, `only ${rejected} mutations rejected: the walk found too few fields`);
    });
  }
});

describe('an environment asked for by name is one the config defines', () => {
  it('refuses Object.prototype’s names, which resolved to an environment with every default', async () => {
    const result = parseConfig(env('    strategy: canary\n'), 'deploy.yml');
    assert.ok(result.ok);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      assert.throws(
        () => resolveEnvironment(result.config, name),
        (error: unknown) =>
          error instanceof ResolveError &&
          error.message === `unknown environment "${name}": the config defines "production"`,
        name,
      );
    // Through the CLI: `plan -e constructor` printed a plan for it and exited 0.
    const file = join(dir, 'plain.yml');
    writeFileSync(file, env('    strategy: canary\n'));
    let out = '';
    const io = { out: (text: string) => void (out += text), err: (text: string) => void (out += text) };
    assert.equal(await main(['plan', '-c', file, '-e', 'constructor', '-v', '1.0.0'], io), 2);
    assert.match(out, /unknown environment "constructor"/);
    out = '';
    assert.equal(await main(['plan', '-c', file, '-e', 'prod\n::warning::x', '-v', '1.0.0'], io), 2);
    assert.match(out, /unknown environment "prod\\n::warning::x": the config defines "production"/);
  });

  it('a deployment’s parameters name declared variables only, and an undeclared name is shown escaped', () => {
    const result = parseConfig(env('    variables: { region: eu }\n'), 'deploy.yml');
    assert.ok(result.ok);
    assert.throws(
      () =>
        resolveEnvironment(result.config, 'production', {
          variables: { 'x\n::error::y': '1', constructor: '2' },
        }),
      (error: unknown) =>
        error instanceof ResolveError &&
        error.message ===
          'parameters "x\\n::error::y", "constructor" are not variables of environment "production" (it declares region)',
    );
    assert.equal(
      resolveEnvironment(result.config, 'production', { variables: { region: 'us' } }).variables.region,
      'us',
    );
  });

  it('a deployment’s parameters may not set a variable named like a built-in, even one the config declares', () => {
    // Before: `/deploy production | slot=../../x` set {{slot}} in a direct environment's hook
    // (kubectl apply -f k8s/{{slot}}/), where only a slot the config lists may choose the directory.
    const result = parseConfig(
      env(
        '    variables: { slot: main, region: eu }\n    hooks:\n      migrate: kubectl apply -f k8s/{{slot}}/\n',
      ),
      'deploy.yml',
    );
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors));
    assert.throws(
      () => resolveEnvironment(result.config, 'production', { variables: { slot: '../../x' } }),
      (error: unknown) =>
        error instanceof ResolveError &&
        error.message ===
          'parameter "slot" names a built-in template variable, which a deployment\'s parameters may not set, even where the config declares a variable so named: use another name in environment "production"\'s variables',
    );
    // The config's own value stands, and the other variables are set as before.
    const resolved = resolveEnvironment(result.config, 'production', { variables: { region: 'us' } });
    assert.deepEqual(resolved.variables, { slot: 'main', region: 'us' });
  });
});
