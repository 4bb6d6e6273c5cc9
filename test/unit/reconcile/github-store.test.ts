// The store reconcile uses on GitHub: it writes the new record back into the check run it read it from,
// signed for the same deployment, so the next read (the Action's, the App's) finds it there and trusts it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InPlaceGitHubStore, type InPlaceStateApi } from '../../../src/reconcile/github-store.ts';
import { bindExternalId, readEnvironmentRecord } from '../../../src/state/github-store.ts';
import { emptyRecord, withTransition, type EnvironmentRecord } from '../../../src/state/record.ts';
import { signRecord } from '../../../src/state/signed-record.ts';

const key = Buffer.alloc(32, 7);
const where = { owner: 'acme', repo: 'web' };
const T0 = new Date('2026-03-01T12:00:00.000Z');

interface Run {
  id: number;
  external_id: string | null;
  output: { title: string; summary: string; text: string | null };
}

function fakeGitHub(
  records: Array<{ deploymentId: number; sha: string; record?: EnvironmentRecord; runId: number }>,
) {
  const runs = new Map<string, Run[]>();
  for (const r of records) {
    const list = runs.get(r.sha) ?? [];
    list.push({
      id: r.runId,
      external_id: r.record ? bindExternalId(`deploy-action:99-1:deploy / production`, r.deploymentId) : null,
      output: {
        title: `deploy / production: title ${r.runId}`,
        summary: `summary ${r.runId}`,
        text: r.record
          ? signRecord(r.record, key, {
              repository: 'acme/web',
              environment: 'production',
              deploymentId: String(r.deploymentId),
            })
          : null,
      },
    });
    runs.set(r.sha, list);
  }
  const updates: Array<{ check_run_id: number; output: Run['output'] }> = [];
  const suiteOf = (sha: string) => [...runs.keys()].indexOf(sha) + 1;
  const api: InPlaceStateApi = {
    repos: {
      listDeployments: async () => ({
        data: records.map((r) => ({
          id: r.deploymentId,
          sha: r.sha,
          creator: { login: 'github-actions[bot]' },
        })),
      }),
    },
    checks: {
      // One check suite per commit (GitHub Actions'), numbered in the order of the commits.
      listSuitesForRef: async (p) => {
        const suites = (runs.get(p.ref) ?? []).length ? [{ id: suiteOf(p.ref), app: { id: 15368 } }] : [];
        return { data: { total_count: suites.length, check_suites: suites } };
      },
      listForSuite: async (p) => {
        const list = [...runs].find(([sha]) => suiteOf(sha) === p.check_suite_id)?.[1] ?? [];
        return { data: { total_count: list.length, check_runs: list } };
      },
      update: async (p) => {
        updates.push(p);
        for (const list of runs.values())
          for (const run of list) if (run.id === p.check_run_id) run.output = { ...p.output };
        return {};
      },
    },
  };
  return { api, updates };
}

const record = (seq: number): EnvironmentRecord => ({
  ...emptyRecord('acme/web', 'production', T0),
  seq,
  live: { version: 'v1', slot: 'blue', since: T0.toISOString() },
});

describe('InPlaceGitHubStore', () => {
  it('writes the next record into the check run that held the current one, signed for its deployment', async () => {
    // The newest deployment (78) holds the record; 77 holds an older one.
    const gh = fakeGitHub([
      { deploymentId: 78, sha: 'b'.repeat(40), record: record(5), runId: 501 },
      { deploymentId: 77, sha: 'a'.repeat(40), record: record(2), runId: 401 },
    ]);
    const store = new InPlaceGitHubStore({ api: gh.api, ...where, keys: [key] });
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    assert.equal(read.record.seq, 5);

    const next = withTransition(
      read.record,
      {},
      { by: 'reconcile:1', event: 'slot_torn_down', code: 'x' },
      T0,
    );
    await store.write(next);
    assert.equal(gh.updates.length, 1);
    assert.equal(gh.updates[0]!.check_run_id, 501);
    assert.equal(gh.updates[0]!.output.title, 'deploy / production: title 501', "the reporter's title stays");
    assert.equal(gh.updates[0]!.output.summary, 'summary 501');

    // What any reader finds next is the new record, verified.
    const again = await readEnvironmentRecord(gh.api, where, 'production', [key]);
    assert.ok(again.ok && again.record);
    assert.equal(again.record.seq, 6);
    assert.equal(again.record.history.at(-1)!.event, 'slot_torn_down');
  });

  it('skips a deployment without a bound check run, as the shared read does', async () => {
    const gh = fakeGitHub([
      { deploymentId: 79, sha: 'c'.repeat(40), runId: 601 },
      { deploymentId: 78, sha: 'b'.repeat(40), record: record(5), runId: 501 },
    ]);
    const store = new InPlaceGitHubStore({ api: gh.api, ...where, keys: [key] });
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    await store.write(withTransition(read.record, {}, undefined, T0));
    assert.deepEqual(
      gh.updates.map((u) => u.check_run_id),
      [501],
    );
  });

  it('a refused record leaves nowhere to write: a write throws rather than guess', async () => {
    const gh = fakeGitHub([{ deploymentId: 78, sha: 'b'.repeat(40), record: record(5), runId: 501 }]);
    const store = new InPlaceGitHubStore({ api: gh.api, ...where, keys: [Buffer.alloc(32, 8)] });
    const read = await store.read('production');
    assert.equal(read.ok, false);
    await assert.rejects(store.write(record(6)), /was not read here/);
    assert.equal(gh.updates.length, 0);
  });
});
