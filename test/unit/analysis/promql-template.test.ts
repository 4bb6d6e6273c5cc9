// Templated PromQL with hostile values in every place a placeholder can sit: a value is either exactly the
// string it is (decoded as Prometheus' lexer would) inside the literal the template opened, or refused with
// where and why. It can never end the literal, add to the query or widen a regex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegex, renderPromql, TemplateError } from '../../../src/analysis/promql.ts';

const HOSTILE = [
  '',
  'v1.2.3',
  'a"b',
  "a'b",
  'a`b',
  'a\\b',
  'ends\\',
  '\\"',
  "\\'",
  'line\nbreak',
  'cr\rx',
  'x"} or vector(1) #',
  "x'} or vector(1) #",
  'x`} or vector(1) #',
  '.*',
  '.+|x',
  'a{2}[b](c)^$?',
  '}) or on() vector(1) or up{a="',
  '$(touch /tmp/x) `id`',
  '-- --flag',
  'ünï\u202ecode 🚀',
  '{{version}}',
];

/**
 * The body of the string literal that opens at `start` in `query` decoded as Prometheus reads it (Go
 * unquoting), and where it ends; undefined when it never ends or holds what such a literal cannot.
 */
function literalAt(query: string, start: number): { text: string; end: number } | undefined {
  const quote = query[start]!;
  let text = '';
  for (let i = start + 1; i < query.length; i++) {
    const c = query[i]!;
    if (c === quote) return { text, end: i + 1 };
    if (quote === '`') {
      text += c;
      continue;
    }
    if (c === '\n') return undefined;
    if (c !== '\\') {
      text += c;
      continue;
    }
    const next = query[++i];
    const known: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', [quote]: quote };
    if (next === undefined || !(next in known)) return undefined;
    text += known[next];
  }
  return undefined;
}

/** Matches like a Prometheus regex matcher: the whole value. */
const fullMatch = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`, 'su').test(value);

for (const quote of ['"', "'", '`'] as const)
  for (const op of ['=', '!=', '=~', '!~', '=~ ']) {
    const regex = op.includes('~');
    const template = `sum(up{job="a",v${op}${quote}{{version}}${quote},x="y"}) by (le)`;
    test(`{{version}} in ${template}: exactly the value, or refused`, () => {
      const open = template.indexOf('{{') - 1; // the quote the template opens
      const suffix = template.slice(template.indexOf('}}') + 2);
      for (const value of HOSTILE) {
        let query: string;
        try {
          query = renderPromql(template, { version: value });
        } catch (error) {
          assert.ok(error instanceof TemplateError, String(error));
          // Only a backtick can end a raw string, and nothing can be escaped in one.
          assert.equal(quote, '`', `${JSON.stringify(value)} refused: ${(error as Error).message}`);
          assert.ok(value.includes('`'));
          assert.match((error as Error).message, /\{\{version\}\} \(character \d+\) is inside a `…` string/);
          continue;
        }
        assert.equal(query.slice(0, open), template.slice(0, open), JSON.stringify(value));
        const literal = literalAt(query, open);
        assert.ok(literal, `${JSON.stringify(value)}: the literal does not end: ${query}`);
        // The literal ends where the template's ends, and the rest of the query is the template's.
        assert.equal(query.slice(literal.end), suffix.slice(1), `${JSON.stringify(value)}: ${query}`);
        if (!regex) assert.equal(literal.text, value);
        else {
          assert.equal(literal.text, escapeRegex(value));
          assert.ok(fullMatch(literal.text, value), `${JSON.stringify(value)} does not match itself`);
          for (const other of ['', 'x', `${value}x`, 'v1x2x3', 'anything'])
            if (other !== value)
              assert.ok(!fullMatch(literal.text, other), `${JSON.stringify(value)} matches ${other}`);
        }
      }
    });
  }

test('outside a string (and in a # comment) only a plain word or number is written; anything else is refused', () => {
  assert.equal(renderPromql('sum(up) * {{weight}} / 100', { weight: '25' }), 'sum(up) * 25 / 100');
  assert.equal(
    renderPromql('rate(x_{{environment}}_total[1m])', { environment: 'prod_eu' }),
    'rate(x_prod_eu_total[1m])',
  );
  assert.equal(renderPromql('up # {{version}}', { version: 'v1.2.3' }), 'up # v1.2.3');
  for (const template of ['sum(up) * {{version}}', 'up{a="b"} # {{version}}', 'up{a="b"} # "\n{{version}}'])
    for (const value of HOSTILE.filter((v) => !/^[\w.:]+$/.test(v)))
      assert.throws(
        () => renderPromql(template, { version: value }),
        (e: Error) =>
          e instanceof TemplateError &&
          /^\{\{version\}\} \(character \d+\) is outside a quoted string, where its value ".*" would be read as PromQL: write it inside double quotes/s.test(
            e.message,
          ),
        `${template} with ${JSON.stringify(value)}`,
      );
});

test("a value glued to a name or a unit outside a string holds name characters only: no ':' or '.' to start a subquery", () => {
  for (const [template, value] of [
    ['rate(x[{{n}}m])', '5m:1'],
    ['rate(x[{{n}}m])', '1.5'],
    ['x_{{environment}}_total', 'a:b'],
    ['{{environment}}_total[5m]', 'x[1m:1'],
  ] as const)
    assert.throws(
      () => renderPromql(template, { n: value, environment: value }),
      /continues a name or a number outside a quoted string, where its value .* holds ':' or '\.'|outside a quoted string/,
      `${template} with ${value}`,
    );
  assert.equal(renderPromql('rate(x[{{n}}m])', { n: '5' }), 'rate(x[5m])');
  assert.equal(renderPromql('x_{{environment}}_total', { environment: 'prod_eu2' }), 'x_prod_eu2_total');
});

test('a comment or a quote of another kind inside a string does not change where a placeholder sits', () => {
  assert.equal(renderPromql(`up{a="#'\`",v="{{version}}"}`, { version: 'x"y' }), `up{a="#'\`",v="x\\"y"}`);
  assert.equal(
    renderPromql(`up{a='"\\''} # it's "{{version}}`, { version: 'v1' }),
    `up{a='"\\''} # it's "v1`,
  );
  assert.equal(renderPromql(`up{a="\\"",v="{{version}}"}`, { version: "'" }), `up{a="\\"",v="'"}`);
});

test('a placeholder after a backslash in a string is refused; a value-less variable is named', () => {
  assert.throws(
    () => renderPromql('up{v="\\{{version}}"}', { version: '"' }),
    /\{\{version\}\} \(character 8\) follows a backslash/,
  );
  assert.throws(() => renderPromql('up{v="{{slot}}"}', { version: 'v1' }), /\{\{slot\}\} has no value here/);
});

test('a plain word standing alone outside a string is a number, a duration or a name, never an operator, a modifier or a subquery', () => {
  const alone = (template: string, value: string) =>
    renderPromql(template, { version: value, weight: value });
  // What such a place is for: numbers, durations, names.
  assert.equal(alone('sum(up) * {{weight}} / 100', '25'), 'sum(up) * 25 / 100');
  assert.equal(alone('sum(up) * {{weight}}', '0.5'), 'sum(up) * 0.5');
  assert.equal(alone('rate(x[{{weight}}])', '5m'), 'rate(x[5m])');
  assert.equal(alone('rate(x[{{weight}}])', '1h30m'), 'rate(x[1h30m])');
  assert.equal(alone('sum({{version}})', 'job:requests:rate5m'), 'sum(job:requests:rate5m)');
  // Glued to a name, a plain word continues it, whatever it is.
  assert.equal(alone('x_{{version}}_total', 'or'), 'x_or_total');
  assert.equal(alone('{{version}}_total', '5m'), '5m_total');
  const refused = (template: string, value: string) =>
    assert.throws(
      () => alone(template, value),
      (e: Error) =>
        e instanceof TemplateError &&
        /stands alone outside a quoted string, where its value .* would be read as PromQL \(an operator, a modifier or a subquery\)/.test(
          e.message,
        ),
      `${template} with ${JSON.stringify(value)}`,
    );
  // Binary operators and set operators: `a {{v}} b` would become `a or b`.
  for (const keyword of ['or', 'OR', 'and', 'unless', 'atan2', 'bool'])
    refused('up{a="1"} {{version}} vector(1)', keyword);
  // Modifiers and grouping.
  for (const keyword of [
    'offset',
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'start',
    'end',
  ])
    refused('sum(up) {{version}} (x)', keyword);
  // A range turned into a subquery, and words that are none of the three.
  refused('max_over_time(x[{{weight}}])', '5m:1s');
  refused('sum(up) * {{weight}}', 'v1.2.3');
  refused('sum(up) * {{weight}}', '1.2.3');
  // In a comment anything plain is harmless (a newline, which would end it, is not plain).
  assert.equal(alone('up # {{version}}', 'or'), 'up # or');
});
