// A seeded, bounded fuzz of the App's command parsing and of the replies built from it alone: comment bodies
// made of every command word, flags, values, quotes, look-alike and invisible characters, Markdown, HTML,
// mentions and code fences, long values, CRLF, and the same bodies quoted (`> /deploy`), fenced, indented as
// code or behind other text. The parser never throws; a command in a quote or code is never taken; the
// refusal reply and the note on commands below the first line carry no user text that renders
// (test/app/hostile-comments.test.ts checks the same end to end, for chosen values). Parameter lists are made
// on purpose too: random words seldom make one the parser reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText } from '../../../app/commands/help.ts';
import { laterCommandsNote } from '../../../app/commands/later-commands.ts';
import { COMMAND_NAMES, parseCommand, usage } from '../../../app/commands/parse.ts';
import { refusalReply } from '../../../app/handlers/comment.ts';
import { fuzzSeeds, rng, type Random } from '../../helpers/random.ts';

// FUZZ_SEEDS=1-100 hunts with more seeds; the suite runs these.
const SEEDS = fuzzSeeds([1, 2, 3]);
const RUNS_PER_SEED = 3000;

const HOSTILE = [
  '@evil',
  '@acme/team',
  '[click](https://evil.example)',
  '![p](https://evil.example/p.png)',
  '<img src=x>',
  '<!-- x -->',
  '-->',
  '**bold**',
  '~~gone~~',
  '_em_',
  '#12',
  'GH-3',
  'acme/web#4',
  'https://evil.example',
  'www.evil.example',
  'x@evil.example',
  '`id`',
  '```',
  '~~~',
  '$(id)',
  '| a | b |',
  '\u202eexe',
  '\u200b',
  '\u2066x\u2069',
  '\ufeff',
  '\u0000',
  '\u001b[31m',
  '\u0085',
  '\u2028',
  '\u2029',
  'ｐｒｏｄ',
  '\u0440rod',
  '／deploy',
  '\\',
  '&lt;',
  '&#64;evil',
  '\ud800',
  '😀',
  "'",
  '"',
  "'quoted @evil **bold**'",
  '"dq [a](https://evil.example)"',
  'A'.repeat(300),
];
const WORDS = [
  'production',
  'staging',
  'prod',
  'at',
  'in',
  'to',
  'for',
  '--force',
  '--hotfix',
  '--reason',
  '--dry-run',
  '--queue',
  '--strategy',
  '--global',
  '--history',
  '--since',
  '-f',
  '--',
  '|',
  'note=',
  'version=',
  'a=b',
  '=y',
  '12:00',
  '25:99',
  '2026-12-05',
  'tomorrow',
  'UTC',
  'Europe/Berlin',
  'abc1234',
  'a'.repeat(41),
  ...Object.getOwnPropertyNames(Object.prototype),
  '__proto__',
];
/** Ways a command is shown as something else than a command: a quote, code, or text before it. */
const NOT_A_COMMAND: Array<(body: string) => string> = [
  (b) => `> ${b}`,
  (b) => `>${b}`,
  (b) => ` > ${b}`,
  (b) => `>> ${b}`,
  (b) => `\`\`\`\n${b}\n\`\`\``,
  (b) => `~~~\n${b}\n~~~`,
  (b) => `\`\`\` bash\n${b}\n\`\`\``,
  (b) => `    ${b}`,
  (b) => `\t${b}`,
  (b) => `  \t${b}`,
  (b) => `<!-- ${b} -->`,
  (b) => `\`${b}\``,
  (b) => `text ${b}`,
  (b) => `<details>${b}`,
  (b) => `* ${b}`,
  (b) => `1. ${b}`,
  (b) => `# ${b}`,
  (b) => `\n${b}`,
  (b) => `\r\n${b}`,
];
const LATER = [
  '\n> /deploy production',
  '\n/deploy production',
  '\r\n/rollback @evil',
  '\n```\n/deploy\n```',
];

// What the app writes itself and may render: the help, its tags, the usage of every command, plain names.
const OWN_CODE = [...COMMAND_NAMES.map((name) => `\`${usage(name)}\``), '`to <sha>`', '`at <time>`'];
const OWN_TAGS = ['<details><summary>How to write commands</summary>', '</details>', '<sub>', '</sub>'];
const RENDERS: Array<[RegExp, string]> = [
  [/<!--|-->/, 'an HTML comment'],
  [/<[A-Za-z/!?]/, 'an HTML tag'],
  [/(?<!\\)\]\(|!\[(?!\\)|(?<!\\)\[click/, 'a Markdown link or image'],
  [/(?<![\w`\\])@(?:evil|acme)/, 'a mention'],
  [/(?<!\\)#\d|\bGH-\d|\w#\d/i, 'an issue reference'],
  [/https?:\/\/evil|www\.evil|x@evil/, 'an autolink'],
  [
    /[\u061C\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u,
    'an invisible character',
  ],
  [/[\p{Cc}\u2028\u2029](?<!\n)/u, 'a control character or line separator'],
  [/(?<!\\)\*\*bold|(?<!\\)~~gone|(?<!\\)_em(?<!\\)_|(?<!\\)__bold/, 'emphasis'],
  [/^\|/m, 'a table row'],
  [/\$\(id\)|(?<!\\)`id`/, 'shell text unescaped'],
  // A fence opened by a value would swallow the rest of the reply.
  [/^ {0,3}(?:`{3,}|~{3,})/m, 'a code fence'],
];

/** What in a reply renders from user text; undefined when nothing does. */
function rendered(reply: string): string | undefined {
  let text = reply;
  for (const own of [helpText(), ...OWN_TAGS, ...OWN_CODE]) text = text.split(own).join('');
  text = text.replace(/`[A-Za-z0-9._/=:+-]+…?`/g, '`code`');
  return RENDERS.find(([pattern]) => pattern.test(text))?.[1];
}

/**
 * `/deploy`'s parameters: names the parser takes (lowercase letters, digits, `_`: `_em_` is one, and emphasis if
 * written raw) and names it does not, given once or twice, with values it takes, refuses (a leading `-`, too
 * long) or leaves empty. Random words seldom make a valid `| key=value` list.
 */
const PARAM_NAMES = [
  'note',
  'version',
  '_em_',
  '__bold__',
  'a_b_',
  '__proto__',
  'x',
  'em**bold**',
  '@evil',
  '#12',
];
const PARAM_VALUES = ['1', '-x', '--force', '', '_em_', 'A'.repeat(300), '**bold**', '@evil'];

function commentOf(random: Random): { body: string; shownAsCommand: boolean } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  if (random() < 0.15) {
    const params = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const name = pick(PARAM_NAMES);
      return `${name}=${pick(PARAM_VALUES)}${random() < 0.3 ? ` ${name}=1` : ''}`;
    });
    return {
      body: `/deploy ${pick(['production', 'staging --dry-run'])} | ${params.join(' ')}`,
      shownAsCommand: true,
    };
  }
  const parts = [`/${pick(COMMAND_NAMES)}`];
  for (let n = 1 + Math.floor(random() * 6); n > 0; n--) {
    let word = random() < 0.4 ? pick(HOSTILE) : pick(WORDS);
    if (random() < 0.1) word = `${pick(['--', '-', ''])}${word}${pick(['=', '', `=${pick(HOSTILE)}`])}`;
    parts.push(word);
  }
  let body = parts.join(pick([' ', ' ', ' ', '  ', '\t']));
  const shownAsCommand = random() >= 0.3;
  if (!shownAsCommand) body = pick(NOT_A_COMMAND)(body);
  if (random() < 0.2) body += pick(LATER);
  return { body, shownAsCommand };
}

test('random and hostile comments: the parser never throws, never takes a quoted or code command, and its replies render no user text', () => {
  const kinds = new Set<string>();
  for (const seed of SEEDS) {
    const random = rng(seed);
    for (let run = 0; run < RUNS_PER_SEED; run++) {
      const { body, shownAsCommand } = commentOf(random);
      const where = `seed ${seed}, run ${run}: ${JSON.stringify(body).slice(0, 600)}`;
      const parsed = parseCommand(body);
      kinds.add(parsed.kind);
      if (!shownAsCommand)
        assert.equal(parsed.kind, 'none', `a command taken from a quote or code: ${where}`);
      if (parsed.kind === 'invalid') {
        assert.ok(parsed.message, `a refusal without a message: ${where}`);
        const reply = refusalReply(parsed);
        assert.equal(rendered(reply), undefined, `${rendered(reply)} in the refusal: ${where}\n${reply}`);
      }
      const note = laterCommandsNote(body);
      assert.equal(rendered(note), undefined, `${rendered(note)} in the note: ${where}\n${note}`);
    }
  }
  // Commands were parsed and refused too, not only ignored.
  for (const kind of ['none', 'invalid', 'deploy', 'status']) assert.ok(kinds.has(kind), `no ${kind} parsed`);
});
