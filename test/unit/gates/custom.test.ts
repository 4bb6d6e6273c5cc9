// The custom gate: your own checks, each decided by its command's exit code, run for real.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CUSTOM_CHECK_MAX_OUTPUT, customGate, customVerdict } from '../../../src/gates/custom.ts';
import { runGates } from '../../../src/gates/runner.ts';
import { gateEntries } from '../../../src/gates/registry.ts';
import { parseConfig } from '../../../src/config/load.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { errorsOf, TARGET } from '../../helpers/config-text.ts';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'custom-gate-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

function context(signal = new AbortController().signal): GateContext {
  return { cwd, changedFiles: async () => [], signal, log: () => {}, env: { PATH: process.env.PATH } };
}

/** A check whose command is node running `script`. */
const node = (name: string, script: string, more: Record<string, unknown> = {}) => ({
  name,
  run: [process.execPath, '-e', script],
  ...more,
});

async function run(checks: unknown[], signal?: AbortSignal) {
  return customGate.run(customGate.schema.parse({ checks }), context(signal));
}

describe('custom gate', () => {
  it('passes when every command exits 0', async () => {
    const verdict = await run([node('on-call', 'console.log("alice is on call")'), node('backup', '')]);
    assert.deepEqual(verdict, { status: 'pass', summary: '2 check(s) passed', findings: [] });
  });

  it('blocks on a failed check, naming it with its exit code and its last output lines', async () => {
    const verdict = await run([
      node(
        'on-call',
        'console.log("checking the rota"); console.error("nobody is on call until 14:00"); process.exit(3)',
      ),
      node('backup', ''),
    ]);
    assert.equal(verdict.status, 'block');
    assert.equal(verdict.summary, '1 of 2 check(s) failed or gave no answer: on-call');
    assert.deepEqual(verdict.findings, [
      {
        rule: 'custom.on-call',
        severity: 'error',
        message: 'check "on-call" failed (exit code 3):\nchecking the rota\nnobody is on call until 14:00',
      },
    ]);
  });

  it('warns on a failed check with on_failure: warn; a block elsewhere still blocks', async () => {
    const warned = await run([node('ticket', 'process.exit(1)', { on_failure: 'warn' })]);
    assert.equal(warned.status, 'warn');
    assert.equal(warned.summary, '1 of 1 check(s) failed (warn): ticket');
    assert.equal(warned.findings[0]!.severity, 'warning');
    assert.match(warned.findings[0]!.message, /failed \(exit code 1\) \(no output\)$/);
    const both = await run([
      node('ticket', 'process.exit(1)', { on_failure: 'warn' }),
      node('on-call', 'process.exit(2)'),
    ]);
    assert.equal(both.status, 'block');
    assert.equal(both.summary, '1 of 2 check(s) failed or gave no answer: on-call');
  });

  it('a check that gives no answer blocks even with on_failure: warn (not found, timed out)', async () => {
    const verdict = await run([
      { name: 'missing', run: 'no-such-command-anywhere --now', on_failure: 'warn' },
      // sh prints at once: a node child could take longer than the timeout only to start on a busy machine,
      // and then had printed nothing.
      { name: 'slow', run: ['sh', '-c', 'echo waiting; exec sleep 60'], timeout: '1s', on_failure: 'warn' },
    ]);
    assert.equal(verdict.status, 'block');
    assert.equal(verdict.summary, '2 of 2 check(s) failed or gave no answer: missing, slow');
    assert.match(
      verdict.findings[0]!.message,
      /^check "missing" gave no answer: command "no-such-command-anywhere" was not found/,
    );
    assert.match(
      verdict.findings[1]!.message,
      /^check "slow" gave no answer: ".*" did not exit within its timeout and was stopped\nwaiting$/,
    );
  });

  it('never shows a secret the command printed', async () => {
    const token = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
    const verdict = await run([node('ticket', `console.log("token ${token} refused"); process.exit(1)`)]);
    assert.equal(verdict.status, 'block');
    assert.doesNotMatch(JSON.stringify(verdict), new RegExp(token));
  });

  it('gives each command its own env, and the commands run at once', async () => {
    // Each waits for the other's file: run one after the other, the first would time out.
    const wait = (mine: string, theirs: string) =>
      `require("fs").writeFileSync("${mine}", ""); const t = setInterval(() => { if (require("fs").existsSync("${theirs}")) { clearInterval(t); process.exit(process.env.WANT === "yes" ? 0 : 5) } }, 20)`;
    const verdict = await run([
      node('a', wait(join(cwd, 'a'), join(cwd, 'b')), { env: { WANT: 'yes' }, timeout: '20s' }),
      node('b', wait(join(cwd, 'b'), join(cwd, 'a')), { env: { WANT: 'yes' }, timeout: '20s' }),
    ]);
    assert.equal(verdict.status, 'pass', JSON.stringify(verdict));
  });

  it('a check that prints more than a check reads gives no answer: fifty at once may not hold a gigabyte each', async () => {
    // Only its last lines are kept; with the gates' 256 MiB a command, 50 checks run at once could hold
    // tens of gigabytes of output before any was cut.
    const verdict = await run([
      node('chatty', `process.stdout.write('x'.repeat(${CUSTOM_CHECK_MAX_OUTPUT + 1}))`),
      node('quiet', `process.stdout.write('x'.repeat(${CUSTOM_CHECK_MAX_OUTPUT - 1024}))`),
    ]);
    assert.equal(verdict.status, 'block');
    assert.equal(verdict.summary, '1 of 2 check(s) failed or gave no answer: chatty');
    assert.match(
      verdict.findings[0]!.message,
      new RegExp(
        `^check "chatty" gave no answer: ".*" printed more than ${CUSTOM_CHECK_MAX_OUTPUT} bytes of output and was stopped`,
      ),
    );
  });

  it('a cancelled gate stops its checks and blocks', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const verdict = await run([node('slow', 'setTimeout(() => {}, 60_000)')], controller.signal);
    assert.equal(verdict.status, 'block');
    assert.match(verdict.findings[0]!.message, /was stopped: the gate was cancelled/);
  });

  it('runs from deploy.yml through the gate runner, as `gates` runs it', async () => {
    const parsed = parseConfig(
      `${TARGET}gates:\n  custom:\n    checks:\n      - { name: on-call, run: "${process.execPath} -e process.exit(4)" }\nenvironments:\n  production: {}\n`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const { signal: _, ...ctx } = context();
    const report = await runGates(gateEntries(parsed.config.gates!), ctx, { concurrency: 2 });
    assert.equal(report.status, 'BLOCK');
    assert.deepEqual(report.reasons, ['custom: 1 of 1 check(s) failed or gave no answer: on-call']);
  });
});

describe('custom gate config', () => {
  const gate = (checks: string) =>
    `${TARGET}gates:\n  custom:\n    checks:\n${checks}environments:\n  production: {}\n`;
  it('refuses a repeated name, a bad name, a missing run and no checks, each at its path', () => {
    assert.deepEqual(
      errorsOf(gate('      - { name: a, run: "true" }\n      - { name: a, run: "false" }\n')),
      [
        'deploy.yml:10:17: gates.custom.checks[1].name: check "a" is already named at checks[0]: each check needs its own name',
      ],
    );
    assert.match(
      errorsOf(gate('      - { name: "on call", run: "true" }\n'))[0]!,
      /gates\.custom\.checks\[0\]\.name: a check name is 1-63 letters/,
    );
    assert.equal(
      errorsOf(gate('      - { name: a }\n'))[0],
      'deploy.yml:9:9: gates.custom.checks[0]: missing required key "run"',
    );
    assert.match(
      errorsOf(`${TARGET}gates:\n  custom:\n    checks: []\nenvironments:\n  production: {}\n`)[0]!,
      /gates\.custom\.checks: /,
    );
    assert.match(
      errorsOf(gate('      - { name: a, run: "true", on_failure: ignore }\n'))[0]!,
      /gates\.custom\.checks\[0\]\.on_failure: /,
    );
  });
});

describe("a gate command's env", () => {
  it('refuses a name no environment variable can have, at its key, in every gate that takes env', () => {
    // Before: accepted, and the command started without it (or not at all).
    const sections: Record<string, string> = {
      build: '{ command: make, env: ENV }',
      custom: '{ checks: [{ name: a, run: ./a.sh, env: ENV }] }',
      dependencies: '{ command: npm outdated --json, env: ENV }',
      migrations: '{ up: ./up.sh, down: ./down.sh, env: ENV }',
      performance: '{ report: k6.json, env: ENV }',
    };
    for (const [gate, section] of Object.entries(sections)) {
      const text = `${TARGET}gates:\n  ${gate}: ${section.replace('ENV', '{ "A=B": x, GOOD_1: y }')}\nenvironments:\n  production: {}\n`;
      const errors = errorsOf(text);
      assert.equal(errors.length, 1, `${gate}: ${JSON.stringify(errors)}`);
      assert.match(
        errors[0]!,
        /env\["A=B"\]: invalid key "A=B": an environment variable name is letters, digits and "_", not starting with a digit$/,
        gate,
      );
    }
  });
});

describe('customVerdict', () => {
  it('keeps the config order and says pass with none', () => {
    assert.deepEqual(customVerdict([]), { status: 'pass', summary: '0 check(s) passed', findings: [] });
    const verdict = customVerdict([
      { name: 'b', kind: 'failed', exitCode: 1, onFailure: 'warn', tail: '' },
      { name: 'a', kind: 'no-answer', reason: 'not found', tail: '' },
    ]);
    assert.deepEqual(
      verdict.findings.map((f) => f.rule),
      ['custom.b', 'custom.a'],
    );
    assert.equal(verdict.status, 'block');
  });
});
