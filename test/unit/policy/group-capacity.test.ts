// "More approvals required than the listed users could give" is judged on the approvers as resolvePolicy
// builds them: a list plus its groups' members, with groups inherited from the top level, and with groups and
// no list anywhere, the groups' members alone. A rule that can be met is never refused, and one that can
// never be met is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatConfigError } from '../../../src/config/errors.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { policyIssues, resolvePolicy } from '../../../src/policy/resolve.ts';
import type { RawConfig } from '../../../src/config/schema.ts';

const head = `target:\n  commands:\n    deploy: ./d.sh\n`;

function parse(text: string) {
  return parseConfig(text, 'deploy.yml');
}

function errorsOf(text: string): string[] {
  const result = parse(text);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('approval capacity with groups', () => {
  it('an environment with its own approvers and the top level’s groups is judged on both', () => {
    // carol, dave and erin may approve production: 3 approvals can be given.
    const text = `${head}approvals:
  groups: [{ name: Ops, approvers: [dave, erin] }]
environments:
  production:
    approvals:
      approvers: [carol]
      required: 3
`;
    const result = parse(text);
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    assert.deepEqual(resolvePolicy(result.config, 'production').approvers, ['carol', 'dave', 'erin']);
    assert.deepEqual(policyIssues(result.config), []);
    // One more than they can give is refused.
    const errors = errorsOf(text.replace('required: 3', 'required: 4'));
    assert.ok(
      errors.some((e) => /need 4 approvals .* but only 3 approvers are listed/.test(e)),
      errors.join('\n'),
    );
  });

  it('a hotfix with its own groups is approved by the normal groups’ members too, as resolved', () => {
    const text = `${head}environments:
  production:
    approvals:
      approvers: [carol]
      groups: [{ name: Ops, approvers: [dave] }]
      hotfix:
        required: 3
        groups: [{ name: Security, approvers: [erin] }]
`;
    const result = parse(text);
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    assert.deepEqual(resolvePolicy(result.config, 'production').hotfix.approvers, ['carol', 'dave', 'erin']);
  });

  it('with groups and no approvers list, a count above what the groups’ users can give is refused', () => {
    const errors = errorsOf(`${head}environments:
  production:
    approvals:
      required: 3
      groups: [{ name: Ops, approvers: [dave, erin] }]
`);
    assert.ok(
      errors.some((e) => /need 3 approvals .* but only 2 approvers are listed .*groups/.test(e)),
      errors.join('\n'),
    );
    // The same from the top level.
    const top = errorsOf(`${head}approvals:
  required: 3
  groups: [{ name: Ops, approvers: [dave, erin] }]
environments:
  production: {}
`);
    assert.ok(
      top.some((e) => /need 3 approvals .* but only 2 approvers are listed/.test(e)),
      top.join('\n'),
    );
    // A team can give any number.
    const team = parse(`${head}environments:
  production:
    approvals:
      required: 3
      groups: [{ name: Ops, approvers: [dave, acme/ops] }]
`);
    assert.ok(team.ok, team.ok ? '' : team.errors.map(formatConfigError).join('\n'));
  });
});

describe('the capacity check judges the rules resolvePolicy builds (one merge)', () => {
  it('each inherited rule is accepted up to what its resolved approvers can give, and refused one above', () => {
    // The rule as resolvePolicy builds it and the count the check lets through meet exactly: the approvers a
    // hotfix or rollback inherits (the normal list, the normal groups' members, its own groups' members).
    const cases: Array<{
      what: string;
      yaml: (n: number) => string;
      rule: 'hotfix' | 'rollback';
      approvers: string[];
    }> = [
      {
        what: 'a hotfix with nothing of its own but a count takes the normal list and groups',
        yaml: (n) =>
          `approvals:\n  approvers: [carol]\n  groups: [{ name: Ops, approvers: [dave] }]\nenvironments:\n  production:\n    approvals:\n      hotfix: { required: ${n} }\n`,
        rule: 'hotfix',
        approvers: ['carol', 'dave'],
      },
      {
        what: 'a hotfix with its own list takes neither the normal list nor the normal groups',
        yaml: (n) =>
          `approvals:\n  approvers: [carol]\n  groups: [{ name: Ops, approvers: [dave] }]\n  hotfix: { approvers: [sam, tom] }\nenvironments:\n  production:\n    approvals:\n      hotfix: { required: ${n} }\n`,
        rule: 'hotfix',
        approvers: ['sam', 'tom'],
      },
      {
        what: 'a rollback takes the normal list with its groups’ members, and adds its own groups',
        yaml: (n) =>
          `approvals:\n  approvers: [carol]\n  groups: [{ name: Ops, approvers: [dave] }]\nenvironments:\n  production:\n    approvals:\n      rollback:\n        required: ${n}\n        groups: [{ name: Sec, approvers: [erin] }]\n`,
        rule: 'rollback',
        approvers: ['carol', 'dave', 'erin'],
      },
    ];
    for (const c of cases) {
      const n = c.approvers.length;
      const result = parse(`${head}${c.yaml(n)}`);
      assert.ok(result.ok, `${c.what}: ${result.ok ? '' : result.errors.map(formatConfigError).join('\n')}`);
      const rule = resolvePolicy(result.config, 'production')[c.rule];
      assert.deepEqual(rule.approvers, c.approvers, c.what);
      assert.equal(rule.required, n, c.what);
      const errors = errorsOf(`${head}${c.yaml(n + 1)}`);
      assert.ok(
        errors.some((e) =>
          new RegExp(`need ${n + 1} approvals .* but only ${n} approvers are listed`).test(e),
        ),
        `${c.what}:\n${errors.join('\n')}`,
      );
    }
  });

  it('an environment that empties the groups it inherits is judged without their members', () => {
    // The top level's hotfix rule can be met (carol and the group's erin); production writes `groups: []` for
    // its hotfixes, so only carol may approve them, and 2 approvals can never be given.
    const errors = errorsOf(`${head}approvals:
  hotfix:
    approvers: [carol]
    required: 2
    groups: [{ name: Ops, approvers: [erin] }]
environments:
  production:
    approvals:
      hotfix: { groups: [] }
`);
    assert.ok(
      errors.some((e) =>
        /environments\.production\.approvals\.hotfix\.groups: in environment "production", hotfixes need 2 approvals .* but only 1 approver is listed/.test(
          e,
        ),
      ),
      errors.join('\n'),
    );
  });

  it('no config the check lets through resolves to a rule its listed users could never meet', () => {
    // A sweep over small configs: inherited and own lists, counts and groups at both levels and for hotfixes
    // and rollbacks. Whatever the check accepts, every rule resolvePolicy builds from it can be met.
    // mulberry32: the same configs on every run.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) >>> 0;
    };
    const pick = <T>(options: readonly T[]): T => options[next(options.length)]!;
    const lists = [undefined, ['carol'], ['carol', 'dave'], ['acme/sre']] as const;
    const counts = [undefined, 0, 1, 2, 3] as const;
    const groupSets = [undefined, [], [{ name: 'Ops', approvers: ['erin'] }]] as const;
    const rule = () => {
      const r: Record<string, unknown> = {};
      const approvers = pick(lists);
      const required = pick(counts);
      const groups = pick(groupSets);
      if (approvers !== undefined) r.approvers = [...approvers];
      if (required !== undefined) r.required = required;
      if (groups !== undefined) r.groups = groups.map((g) => ({ ...g, approvers: [...g.approvers] }));
      return r;
    };
    const section = () => {
      const s = rule();
      if (next(2)) s.hotfix = rule();
      if (next(2)) s.rollback = rule();
      return s;
    };
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const config = {
        ...(next(2) ? { approvals: section() } : {}),
        environments: {
          production: { approvals: section() },
          staging: next(2) ? {} : { approvals: section() },
        },
      } as unknown as RawConfig;
      if (policyIssues(config).length > 0) continue;
      accepted += 1;
      for (const name of ['production', 'staging']) {
        const policy = resolvePolicy(config, name);
        for (const [what, r] of [
          ['deployments', policy],
          ['hotfixes', policy.hotfix],
          ['rollbacks', policy.rollback],
        ] as const) {
          if (r.approvers.length === 0 || r.approvers.some((p) => p.includes('/'))) continue;
          assert.ok(
            r.required <= r.approvers.length,
            `${name} ${what}: ${r.required} required of ${r.approvers.join(', ')} in ${JSON.stringify(config)}`,
          );
        }
      }
    }
    assert.ok(accepted > 500, `only ${accepted} configs were accepted: the sweep tested little`);
  });
});
