// A provider's request headers and a metric command's variables are sent only while a rollout is analysed:
// one that fetch or the child process cannot take as written is refused when the config is loaded, at its
// key, rather than failing every interval (fetch refuses a bad header) or silently changing what is sent (a
// variable named "A=B" reaches the command as A, set to "B=...").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accepts, errorsOf, TARGET } from '../../helpers/config-text.ts';

const withProvider = (provider: string) =>
  `${TARGET}environments:
  production:
    strategy: canary
    analysis:
      providers:
        p: ${provider}
      metrics:
        m: { provider: p, query: 'up' }
      checks:
        - check: "m < 0.5"
`;
const prometheus = (headers: string) =>
  withProvider(`{ type: prometheus, url: "http://127.0.0.1:9090", headers: ${headers} }`);
const command = (env: string) =>
  withProvider(`{ type: command, run: ./metrics.sh, env: ${env} }`).replace(", query: 'up'", '');

describe("analysis providers' headers and variables", () => {
  it('accepts the headers and variables fetch and a process take', () => {
    accepts(prometheus('{ Authorization: "Bearer abc.def", X-Scope-OrgID: "team-a", "x_y!": "ü ok" }'));
    // Leading and trailing blanks (a block scalar's last newline) are dropped by fetch itself.
    accepts(prometheus('{ Authorization: "Bearer abc\\n" }'));
    // Blanks inside the value are its own; around it, any number of them (trimmed by index, not a regex that
    // backtracks over each run of blanks).
    accepts(prometheus(`{ Authorization: "  Bearer${' '.repeat(2000)}abc  " }`));
    accepts(command('{ PROM_URL: "http://x", _A1: "" }'));
  });

  it('refuses a header name fetch refuses, at its key', () => {
    for (const [name, where] of [
      ['"Bad Name"', '["Bad Name"]: invalid key "Bad Name"'],
      ['"X:A"', '["X:A"]: invalid key "X:A"'],
      ['""', '[""]: invalid key ""'],
      ['"Ünicode"', '["Ünicode"]: invalid key "Ünicode" (character 1 is U+00DC, not ASCII)'],
    ])
      assert.deepEqual(errorsOf(prometheus(`{ ${name}: x }`)), [
        `deploy.yml:11:73: environments.production.analysis.providers.p.headers${where}: an HTTP header name is letters, digits and !#$%&'*+-.^_\`|~ (no spaces or ":")`,
      ]);
  });

  it('refuses a header value fetch refuses, without showing it (it is often a credential)', () => {
    for (const value of ['"Bearer abc\\ndef"', '"Bearer \\u201Cabc\\u201D"'])
      assert.deepEqual(errorsOf(prometheus(`{ Authorization: ${value} }`)), [
        'deploy.yml:11:88: environments.production.analysis.providers.p.headers.Authorization: this header value cannot be sent: it holds a line break or a character beyond Latin-1 (such as a typographic quote); its value is not shown',
      ]);
  });

  it("refuses a metric command's variable name a shell cannot read, as a target command's", () => {
    for (const [name, where] of [
      ['"A=B"', '["A=B"]: invalid key "A=B"'],
      ['""', '[""]: invalid key ""'],
      ['"1A"', '.1A: invalid key "1A"'],
      ['"a-b"', '.a-b: invalid key "a-b"'],
    ])
      assert.deepEqual(errorsOf(command(`{ ${name}: x }`)), [
        `deploy.yml:11:55: environments.production.analysis.providers.p.env${where}: an environment variable name is letters, digits and "_", not starting with a digit`,
      ]);
  });
});
