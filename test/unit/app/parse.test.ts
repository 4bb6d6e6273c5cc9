import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_COMMAND_LINE, parseCommand, showInput } from '../../../app/commands/parse.ts';
import { helpText } from '../../../app/commands/help.ts';
import type { ParseResult } from '../../../app/commands/command.ts';
import { oneValue } from '../../../src/cli/usage.ts';

const valid: Array<[string, ParseResult]> = [
  ['/deploy production', { kind: 'deploy', environment: 'production', dryRun: false, params: {} }],
  ['  /deploy staging-eu.1', { kind: 'deploy', environment: 'staging-eu.1', dryRun: false, params: {} }],
  [
    '/deploy production --strategy canary --dry-run',
    { kind: 'deploy', environment: 'production', strategy: 'canary', dryRun: true, params: {} },
  ],
  [
    '/deploy production --strategy=blue-green',
    { kind: 'deploy', environment: 'production', strategy: 'blue-green', dryRun: false, params: {} },
  ],
  [
    '/deploy production --hotfix --reason "payments down, see INC-42"',
    {
      kind: 'deploy',
      environment: 'production',
      dryRun: false,
      hotfix: { reason: 'payments down, see INC-42' },
      params: {},
    },
  ],
  [
    "/deploy production | replicas=3 region='eu west' note=é",
    {
      kind: 'deploy',
      environment: 'production',
      dryRun: false,
      params: { replicas: '3', region: 'eu west', note: 'é' },
    },
  ],
  [
    '/deploy production\nthanks!\n/deploy staging',
    { kind: 'deploy', environment: 'production', dryRun: false, params: {} },
  ],
  ['/deploy production\r\nmore', { kind: 'deploy', environment: 'production', dryRun: false, params: {} }],
  ['/approve-deploy', { kind: 'approve-deploy' }],
  ['/approve-deploy production', { kind: 'approve-deploy', environment: 'production' }],
  ['/reject-deploy', { kind: 'reject-deploy' }],
  [
    '/reject-deploy production tests are red',
    { kind: 'reject-deploy', environment: 'production', reason: 'tests are red' },
  ],
  [
    '/reject-deploy production "flaky; retry"',
    { kind: 'reject-deploy', environment: 'production', reason: 'flaky; retry' },
  ],
  ['/rollback production', { kind: 'rollback', environment: 'production' }],
  ['/rollback production to ABCDEF1', { kind: 'rollback', environment: 'production', toSha: 'abcdef1' }],
  [
    '/lock production --reason "db migration"',
    { kind: 'lock', target: { scope: 'environment', environment: 'production' }, reason: 'db migration' },
  ],
  ['/lock --global', { kind: 'lock', target: { scope: 'global' } }],
  [
    '/unlock production',
    { kind: 'unlock', target: { scope: 'environment', environment: 'production' }, force: false },
  ],
  ['/unlock --global --force', { kind: 'unlock', target: { scope: 'global' }, force: true }],
  ['/promote production', { kind: 'promote', environment: 'production', full: false }],
  ['/promote staging-eu.1 --full', { kind: 'promote', environment: 'staging-eu.1', full: true }],
  ['/pause production', { kind: 'pause', environment: 'production' }],
  ['/resume production', { kind: 'resume', environment: 'production' }],
  ['/abort production', { kind: 'abort', environment: 'production' }],
  [
    '/abort production error rate 5 % on checkout',
    { kind: 'abort', environment: 'production', reason: 'error rate 5 % on checkout' },
  ],
  [
    '/abort production --reason "p99 > 2s; see INC-7"',
    { kind: 'abort', environment: 'production', reason: 'p99 > 2s; see INC-7' },
  ],
  ['/abort production "flaky; retry"', { kind: 'abort', environment: 'production', reason: 'flaky; retry' }],
  // A free-text value starting with a dash and no letter is the value, as the CLI reads it.
  [
    '/abort production --reason "-5% conversion"',
    { kind: 'abort', environment: 'production', reason: '-5% conversion' },
  ],
  [
    '/lock production --reason "-- do not deploy"',
    { kind: 'lock', target: { scope: 'environment', environment: 'production' }, reason: '-- do not deploy' },
  ],
  [
    '/deploy production --hotfix --reason "-40% checkout, INC-9"',
    {
      kind: 'deploy',
      environment: 'production',
      dryRun: false,
      hotfix: { reason: '-40% checkout, INC-9' },
      params: {},
    },
  ],
  ['/status', { kind: 'status' }],
  ['/status staging', { kind: 'status', environment: 'staging' }],
  ['/help', { kind: 'help' }],
];

const notCommands = [
  '',
  'LGTM',
  'please /deploy production',
  '> /deploy production',
  '`/deploy production`',
  'thanks\n/deploy production',
  '/etc/hosts is wrong',
  '/cc @alice',
  '/shrug',
  '/',
  '/ deploy production',
  'hello\u200bworld',
];

const invalid: Array<[string, string, RegExp?]> = [
  // unicode look-alikes: refused, never normalised into a valid command
  ['/d\u0435ploy production', 'lookalike_characters', /U\+0435 at column 3/], // Cyrillic е
  ['\uFF0Fdeploy production', 'lookalike_characters'], // fullwidth solidus
  ['\u2215deploy production', 'lookalike_characters'], // division slash
  ['\u200B/deploy production', 'lookalike_characters'], // zero-width space in front
  ['\u202E/deploy production', 'lookalike_characters'], // RTL override in front
  ['\uFEFF/deploy production', 'lookalike_characters'], // BOM
  ['/deploy\u200B production', 'lookalike_characters'],
  ['/deploy pro\u200Dduction', 'lookalike_characters'],
  ['/deploy production\u202E', 'lookalike_characters'],
  ['/deploy\u00A0production', 'lookalike_characters'], // no-break space
  ['/deploy\u3000production', 'lookalike_characters'], // ideographic space
  ['/ｄeploy production', 'lookalike_characters'], // fullwidth letter (NFKC → d)
  ['/deploy ｐroduction', 'lookalike_characters'],
  ['/deploy pr\u043Eduction', 'lookalike_characters'], // Cyrillic о in the environment
  ['/deploy \u{1D429}roduction', 'lookalike_characters'], // mathematical bold p
  ['/deploy production \u2014dry-run', 'lookalike_characters'], // em dash for --
  ['/deploy production --dr\u0443-run', 'lookalike_characters'],
  ['/deploy production --strategy c\u0430nary', 'lookalike_characters'],
  ['/rollback production t\u043E abcdef1', 'lookalike_characters'],
  ['/rollback production to abcdef\u0661', 'lookalike_characters'], // Arabic-Indic digit one
  ['/deploy production | k\u0435y=1', 'lookalike_characters'],
  ['/approve-deploy pro\uFB01le', 'lookalike_characters'], // ﬁ ligature
  // ...in every control command and each of its fields
  ['/pr\u043Emote production', 'lookalike_characters'],
  ['/promote pr\u043Eduction', 'lookalike_characters'],
  ['/promote production \u2014full', 'lookalike_characters'],
  ['/promote production --f\u0443ll', 'lookalike_characters'],
  ['\uFF0Fpause production', 'lookalike_characters'],
  ['/pause pro\u200Bduction', 'lookalike_characters'],
  ['/res\u0435me production', 'lookalike_characters'],
  ['/resume ｐroduction', 'lookalike_characters'],
  ['/abort\u00A0production', 'lookalike_characters'],
  ['/abort production --r\u0435ason "x"', 'lookalike_characters'],
  ['/abort production rate\u200Bup', 'lookalike_characters'],
  // control characters
  ['/promote production\u0000', 'control_characters'],
  ['/pause production\u0007', 'control_characters'],
  ['/resume production\u2029', 'control_characters'],
  ['/abort production --reason "a\u001b[31mred"', 'control_characters'],
  ['/abort production why\u0085not', 'control_characters'],
  ['/deploy production\u0000', 'control_characters'],
  ['/deploy production --hotfix --reason "a\u001b[31mred"', 'control_characters'],
  ['/deploy production\u2028/deploy staging', 'control_characters'],
  // shell metacharacters never reach anything
  ['/deploy production; rm -rf /', 'shell_metacharacters'],
  ['/deploy production && curl evil', 'shell_metacharacters'],
  ['/deploy production || true', 'shell_metacharacters'],
  ['/deploy production & sleep 1', 'shell_metacharacters'],
  ['/deploy $(id)', 'shell_metacharacters'],
  ['/deploy "$(id)"', 'shell_metacharacters'],
  ["/deploy '$(id)'", 'shell_metacharacters'],
  ['/deploy `id`', 'shell_metacharacters'],
  ['/deploy production | cmd=`id`', 'shell_metacharacters'],
  ['/deploy $HOME', 'shell_metacharacters'],
  ['/deploy ${HOME}', 'shell_metacharacters'],
  ['/deploy production > /tmp/x', 'shell_metacharacters'],
  ['/deploy production < /etc/passwd', 'shell_metacharacters'],
  ['/deploy production 2>&1', 'shell_metacharacters'],
  ['/deploy production (x)', 'shell_metacharacters'],
  ['/deploy prod*', 'shell_metacharacters'],
  ['/deploy production # comment', 'shell_metacharacters'],
  ['/deploy production | a=1 | b=2', 'shell_metacharacters'],
  ['/promote production; /abort production', 'shell_metacharacters'],
  ['/pause $(id)', 'shell_metacharacters'],
  ['/resume `id`', 'shell_metacharacters'],
  ['/abort production && curl evil', 'shell_metacharacters'],
  ['/abort production because $HOME', 'shell_metacharacters'],
  ['/abort production --reason "$(id)"', 'shell_metacharacters'],
  ['/abort production > /tmp/x', 'shell_metacharacters'],
  ['/deploy "production', 'unbalanced_quotes'],
  ['/abort production "oops', 'unbalanced_quotes'],
  ['/promote "production', 'unbalanced_quotes'],
  ["/lock production --reason 'oops", 'unbalanced_quotes'],
  // environment names
  ['/deploy', 'missing_environment'],
  ['/rollback', 'missing_environment'],
  ['/lock', 'missing_environment'],
  ['/promote', 'missing_environment'],
  ['/promote --full', 'missing_environment'],
  ['/pause', 'missing_environment'],
  ['/resume', 'missing_environment'],
  ['/abort', 'missing_environment'],
  ['/abort --reason "why"', 'missing_environment'],
  ['/promote ../etc', 'invalid_environment_name'],
  ['/pause prod/eu', 'invalid_environment_name'],
  ['/resume .hidden', 'invalid_environment_name'],
  ['/abort "prod eu"', 'invalid_environment_name'],
  [`/abort ${'a'.repeat(256)}`, 'invalid_environment_name'],
  ['/promote -- --production', 'invalid_environment_name'],
  ['/deploy -- --production', 'invalid_environment_name'],
  ['/deploy ../etc', 'invalid_environment_name'],
  ['/deploy prod/eu', 'invalid_environment_name'],
  ['/deploy "prod eu"', 'invalid_environment_name'],
  ['/deploy .hidden', 'invalid_environment_name'],
  ['/deploy ~root', 'invalid_environment_name'],
  ['/deploy {a,b}', 'invalid_environment_name'],
  [`/deploy ${'a'.repeat(256)}`, 'invalid_environment_name'],
  ['/status prod:eu', 'invalid_environment_name'],
  // options
  ['/deploy production --force', 'unknown_option', /no option `--force`/],
  ['/deploy production --stratgy canary', 'unknown_option', /did you mean --strategy\?/],
  ['/deploy production -s canary', 'unknown_option'],
  ['/help --verbose', 'unknown_option', /takes no options/],
  ['/deploy production --strategy', 'missing_option_value'],
  ['/deploy production --strategy --dry-run', 'missing_option_value'],
  ['/deploy production --dry-run=yes', 'invalid_option_value'],
  ['/deploy production --strategy canary --strategy direct', 'duplicate_option'],
  ['/deploy production --strategy yolo', 'invalid_strategy'],
  ['/deploy production --strategy Canary', 'invalid_strategy'],
  ['/deploy production staging', 'unexpected_argument'],
  ['/lock production maintenance', 'unexpected_argument'],
  ['/help me', 'unexpected_argument'],
  ['/approve-deploy production now', 'unexpected_argument'],
  ['/lock production --global', 'conflicting_target'],
  ['/promote production --force', 'unknown_option', /no option `--force`; it accepts --full/],
  ['/promote production --ful', 'unknown_option', /did you mean --full\?/],
  ['/pause production --full', 'unknown_option', /takes no options/],
  ['/resume production --now', 'unknown_option', /takes no options/],
  ['/abort production --rason "x"', 'unknown_option', /did you mean --reason\?/],
  ['/abort production --full', 'unknown_option'],
  ['/promote production --full=yes', 'invalid_option_value'],
  ['/promote production --full --full', 'duplicate_option'],
  ['/abort production --reason', 'missing_option_value'],
  ['/lock production --reason --global', 'missing_option_value'],
  ['/abort production --reason -', 'missing_option_value'],
  ['/deploy production | slot=../../x', 'invalid_param', /parameter slot names a built-in template variable/],
  ['/deploy production | environment=x', 'invalid_param'],
  ['/abort production --reason=--force', 'missing_option_value'],
  ['/abort production --reason a --reason b', 'duplicate_option'],
  ['/promote production staging', 'unexpected_argument'],
  ['/pause production now', 'unexpected_argument'],
  ['/resume production now', 'unexpected_argument'],
  ['/abort production broken --reason "broken"', 'conflicting_reason'],
  ['/abort production --reason ""', 'invalid_reason'],
  ['/abort production --reason "   "', 'invalid_reason'],
  [`/abort production --reason "${'x'.repeat(501)}"`, 'invalid_reason'],
  [`/abort production ${'word '.repeat(101)}`, 'invalid_reason'],
  ['/promote production | full=1', 'params_not_allowed'],
  ['/abort production | reason=x', 'params_not_allowed'],
  // hotfix
  ['/deploy production --hotfix', 'hotfix_reason_required'],
  ['/deploy production --hotfix --reason ""', 'invalid_reason'],
  ['/deploy production --hotfix --reason "   "', 'invalid_reason'],
  [`/deploy production --hotfix --reason "${'x'.repeat(501)}"`, 'invalid_reason'],
  ['/deploy production --reason "why"', 'reason_without_hotfix'],
  // rollback SHAs
  ['/rollback production to abc', 'invalid_sha'],
  ['/rollback production to xyz1234', 'invalid_sha'],
  [`/rollback production to ${'a'.repeat(41)}`, 'invalid_sha'],
  ['/rollback production to', 'invalid_sha'],
  ['/rollback production from abcdef1', 'unexpected_argument'],
  ['/rollback production to abcdef1 now', 'unexpected_argument'],
  // params
  ['/lock production | a=1', 'params_not_allowed'],
  ['/deploy production | novalue', 'invalid_param'],
  ['/deploy production | Key=1', 'invalid_param'],
  ['/deploy production | 1key=1', 'invalid_param'],
  ['/deploy production | __proto__=1 __proto__=2', 'duplicate_param'],
  ['/deploy production | a=1 a=2', 'duplicate_param'],
  [`/deploy production | a=${'v'.repeat(257)}`, 'invalid_param'],
  ['/deploy production | version=v1/2', 'invalid_param'],
  ['/deploy production | version="v 2"', 'invalid_param'],
  [`/deploy production | ${Array.from({ length: 33 }, (_, i) => `k${i}=1`).join(' ')}`, 'too_many_params'],
  // commands
  ['/deplo production', 'unknown_command', /did you mean `\/deploy`/],
  ['/Deploy production', 'unknown_command'],
  ['/approve production', 'unknown_command', /\/approve-deploy/],
  ['/deploy-now production', 'unknown_command'],
  ['/promot production', 'unknown_command', /did you mean `\/promote`/],
  ['/pasue production', 'unknown_command', /did you mean `\/pause`/],
  ['/Resume production', 'unknown_command'],
  ['/abrot production', 'unknown_command', /did you mean `\/abort`/],
  // size
  [`/deploy production --hotfix --reason "${'x'.repeat(MAX_COMMAND_LINE)}"`, 'too_long'],
  [`/abort production --reason "${'x'.repeat(MAX_COMMAND_LINE)}"`, 'too_long'],
  [`/promote ${'p'.repeat(MAX_COMMAND_LINE)}`, 'too_long'],
];

test('valid commands parse into the discriminated union', () => {
  for (const [body, expected] of valid) assert.deepEqual(parseCommand(body), expected, JSON.stringify(body));
});

test('conversation is not a command: only a first line starting with a command word counts', () => {
  for (const body of notCommands)
    assert.deepEqual(parseCommand(body), { kind: 'none' }, JSON.stringify(body));
});

test('a command line indented as a Markdown code block (four columns: spaces or a tab) is not a command', () => {
  const code = [
    '    /deploy production',
    '     /approve-deploy production',
    '\t/deploy production',
    '  \t/lock --global',
    ' \t /unlock production --force',
    '    /deploy production\n/deploy production',
    '```\n/deploy production\n```',
    '~~~\n/approve-deploy\n~~~',
  ];
  for (const body of code) assert.deepEqual(parseCommand(body), { kind: 'none' }, JSON.stringify(body));
  // Up to three spaces is still a paragraph in Markdown, so still a command.
  for (const indent of ['', ' ', '  ', '   '])
    assert.equal(parseCommand(`${indent}/deploy production`).kind, 'deploy', JSON.stringify(indent));
});

test('hostile and malformed commands are refused with a stable code and a message', () => {
  for (const [body, code, message] of invalid) {
    const result = parseCommand(body);
    assert.equal(result.kind, 'invalid', `${JSON.stringify(body)} → ${JSON.stringify(result)}`);
    if (result.kind !== 'invalid') continue;
    assert.equal(result.code, code, `${JSON.stringify(body)}: ${result.message}`);
    assert.ok(result.message.length > 10);
    if (message) assert.match(result.message, message);
  }
});

test('a tab between words separates them like a space; a tab inside a word or quoted value is refused', () => {
  const spaced = [
    '/deploy production --strategy canary --hotfix --reason "db fix" | version=1.2.3 region=eu',
    '/lock production --reason "db migration"',
    '/deploy production at 2026-12-01 10:30',
  ];
  for (const body of spaced) {
    const tabbed = body.replace(/ /g, (_, i: number) =>
      body.slice(0, i).split('"').length % 2 ? '\t' : ' ',
    );
    assert.notEqual(tabbed, body);
    assert.deepEqual(parseCommand(tabbed), parseCommand(body), JSON.stringify(tabbed));
    assert.notEqual(parseCommand(tabbed).kind, 'invalid', JSON.stringify(tabbed));
  }
  assert.deepEqual(parseCommand('/status\t'), parseCommand('/status'));
  for (const body of [
    '/lock production --reason "db\tmigration"',
    "/deploy production | note='a\tb'",
    '/deploy production | note=a\\\tb',
  ]) {
    const result = parseCommand(body);
    assert.equal(result.kind, 'invalid', JSON.stringify(body));
    if (result.kind !== 'invalid') continue;
    assert.equal(result.code, 'control_characters', `${JSON.stringify(body)}: ${result.message}`);
    assert.match(result.message, /contains a tab \(U\+0009\)/);
  }
});

test('a refusal names the command it aimed at and shows user input short, in one code span', () => {
  const refusal = parseCommand(`/deploy production --${'z'.repeat(100)}`);
  assert.equal(refusal.kind, 'invalid');
  if (refusal.kind !== 'invalid') return;
  assert.equal(refusal.command, 'deploy');
  assert.equal(refusal.code, 'unknown_option');
  assert.match(refusal.message, /`--z{38}…`/);
  assert.doesNotMatch(refusal.message, /z{41}/);
  // Anything that is not a plain word is escaped text instead: a backtick can never end a code span early.
  assert.equal(showInput('a`b'), 'a\\`b');
});

test('a parameter named __proto__ is refused: read back from JSON it would be dropped without a word', () => {
  const refusal = parseCommand('/deploy production | region=eu __proto__=1');
  assert.equal(refusal.kind, 'invalid');
  if (refusal.kind !== 'invalid') return;
  assert.equal(refusal.code, 'invalid_param');
  assert.match(refusal.message, /parameter name `__proto__` is reserved/);
  // Other names of Object.prototype's are ordinary names.
  const ok = parseCommand('/deploy production | constructor=1 to_string=2');
  assert.equal(ok.kind, 'deploy');
  if (ok.kind === 'deploy') assert.deepEqual(ok.params, { constructor: '1', to_string: '2' });
});

test('an empty value is named as empty, never shown as nothing between two spaces', () => {
  for (const [body, code, shown] of [
    ['/deploy production --strategy=', 'invalid_strategy', '/deploy: `""` (empty) is not a strategy'],
    ['/deploy production --strategy ""', 'invalid_strategy', '/deploy: `""` (empty) is not a strategy'],
    ['/deploy production | version=', 'invalid_param', '/deploy: version `""` (empty): a version is'],
    ['/deploy production | =x', 'invalid_param', '/deploy: parameter name `""` (empty) must be'],
    ['/deploy ""', 'invalid_environment_name', '/deploy: `""` (empty) is not a valid environment name'],
  ] as const) {
    const refusal = parseCommand(body);
    assert.equal(refusal.kind, 'invalid', body);
    if (refusal.kind !== 'invalid') continue;
    assert.equal(refusal.code, code, body);
    assert.ok(refusal.message.startsWith(shown), `${body}: ${refusal.message}`);
  }
});

// No timings asserted here (a busy machine would fail them): the parser reads at most MAX_COMMAND_LINE + 2
// characters of a body, so its cost does not depend on the body's length.
test('a huge comment is refused as too long, reading only up to the first line limit', () => {
  const huge = `/deploy production ${'a'.repeat(5_000_000)}`;
  const result = parseCommand(huge);
  assert.equal(result.kind, 'invalid');
  if (result.kind === 'invalid') assert.equal(result.code, 'too_long');
  // A huge body after a short command line is fine: only the first line is a command.
  assert.equal(parseCommand(`/status\n${'x'.repeat(1_000_000)}`).kind, 'status');
  // Pathological quoting stays linear.
  const quotes = `/deploy ${'"a" '.repeat(240)}`;
  assert.equal(parseCommand(quotes).kind, 'invalid');
});

test('the help text lists every command with its usage', () => {
  const help = helpText();
  for (const name of [
    'deploy',
    'approve-deploy',
    'reject-deploy',
    'rollback',
    'lock',
    'unlock',
    'promote',
    'pause',
    'resume',
    'abort',
    'status',
    'help',
  ]) {
    assert.match(help, new RegExp(`\`/${name}[ \`]`));
  }
  assert.match(help, /--hotfix --reason/);
  assert.match(help, /\/promote <environment> \[--full\]/);
  assert.match(help, /\/abort <environment> \[reason\]/);
});

test('the help text says where commands are read: the conversation, not a review or its comments on the diff', () => {
  assert.match(
    helpText(),
    /first line of a comment in the pull request’s conversation; a review and its comments on the diff are not read/,
  );
});

test('the word after an option that takes a value is its value exactly when the CLI takes it as one', () => {
  // Every App option that takes a value, each given the same words; the CLI's rule is oneValue's (src/cli/usage.ts).
  // Before: "-5% für Kunden" and "— see INC-7" were refused as options with look-alike characters, "-" was taken.
  const options = [
    '/abort production --reason',
    '/lock production --reason',
    '/deploy production --hotfix --reason',
    '/deploy production --strategy',
    '/status --history --since',
  ];
  const words = [
    ...['-5% conversion', '-- do not deploy', '---x', '-1', '--5', '- x', '-é', '-5% für Kunden'],
    ...['— see INC-7', 'plain words', '--force', '--full', '--global', '--hotfix', '-e production', '-e'],
    ...['-E', '-', '--', '--reason=x', '--dry-run'],
  ];
  // Read as an option: refused as one, or its characters checked as an option's (a value's own check, as the
  // strategy's, names the value: "the strategy -é contains …").
  const asOption = (app: ParseResult) =>
    app.kind === 'invalid' &&
    (app.code === 'missing_option_value' ||
      app.code === 'unknown_option' ||
      (app.code === 'lookalike_characters' && /^(?:the option |\/)/.test(app.message)));
  for (const option of options)
    for (const word of words) {
      let cli = true;
      try {
        oneValue()(word);
      } catch {
        cli = false;
      }
      for (const written of [`${option} ${JSON.stringify(word)}`, `${option}=${JSON.stringify(word)}`]) {
        const app = parseCommand(written);
        assert.equal(!asOption(app), cli, `${written}: ${JSON.stringify(app)}`);
      }
    }
});
