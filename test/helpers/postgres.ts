// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, listen on 127.0.0.1 on a free port
// (unix sockets stay in the temp dir), trust auth. PostgreSQL refuses to run as root, so as root both
// initdb and postgres are spawned with the `postgres` user's uid/gid (no runuser/su wrapper, so signals reach
// the postmaster itself) and the temp dir is handed to that user.
import { execa, type ResultPromise } from 'execa';
import { readdirSync, existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startOnFreshPort } from './ports.ts';

/**
 * Debian's server binaries: /usr/lib/postgresql/<major>/bin, the newest major installed (15 on Debian 12, 17 on
 * Debian 13), so the tests do not break when the image's release moves. POSTGRES_BIN overrides it.
 */
export function postgresBin(root = '/usr/lib/postgresql'): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  if (!majors.length)
    throw new Error(`no PostgreSQL server under ${root}/<major>/bin (apt-get install postgresql)`);
  return join(root, String(majors[0]), 'bin');
}

export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout } = await execa('id', ['-u', 'postgres']);
  const { stdout: gid } = await execa('id', ['-g', 'postgres']);
  return { uid: Number(stdout), gid: Number(gid) };
}

export async function startPostgres(): Promise<TestPostgres> {
  const BIN = postgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'pg-test-'));
  const data = join(dir, 'data');
  const owner = await postgresUser();
  if (owner) await chown(dir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid, env: { HOME: dir, PATH: process.env.PATH } } : {};

  await execa(
    join(BIN, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { ...as, all: true },
  );

  // Its port is on its command line: one taken all the same ("Address already in use") means a fresh start.
  const { port, adminUrl, server } = await startOnFreshPort(async (port) => {
    const server: ResultPromise = execa(
      join(BIN, 'postgres'),
      [
        '-D',
        data,
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { ...as, all: true, reject: false },
    );
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return { port, adminUrl, server };
      } catch (error) {
        await client.end().catch(() => {});
        if (server.exitCode !== null || Date.now() > deadline) {
          await stopServer(server);
          const result = await server;
          throw new Error(
            `PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${result.all ?? ''}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  const stop = async () => {
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  };
  return { adminUrl, port, stop };
}

/** SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients and exits cleanly. */
async function stopServer(server: ResultPromise): Promise<void> {
  server.kill('SIGINT');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await server;
  clearTimeout(timer);
}
