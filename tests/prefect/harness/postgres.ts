// A throw-away PostgreSQL cluster (Debian's postgresql 15) on a free 127.0.0.1 port, shared by every setup of a
// run; each setup gets its own database. We run as root in CI and PostgreSQL refuses root, so the cluster belongs
// to the `postgres` user (runuser) when we are root.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../harness/localServer';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface RunningPostgres {
  port: number;
  dir: string;
  /**
   * A fresh database; returns Prefect's asyncpg connection URL for it. With `owner`, the database belongs to a new
   * login role of that name (not a superuser) and the URL connects as it: PostgreSQL exempts superusers from a
   * role's CONNECTION LIMIT, so an incident that limits connections needs the server to be an ordinary role.
   */
  createDatabase(name: string, opts?: { owner?: string }): Promise<string>;
  /** Runs SQL through psql against a database (for incident injectors and checks); 60 s unless told. */
  psql(database: string, sql: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

function asPostgres(file: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-2000)}`));
      } else {
        resolve(String(stdout));
      }
    });
  });
}

export async function startPostgres(): Promise<RunningPostgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 not found in ${PG_BIN}: apt-get install -y postgresql (CI's .ci/run does this)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'prefect-insights-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    chownSync(dir, Number((await asUid('postgres')).trim()), -1);
  }
  const port = await freePort();
  const stop = async () => {
    await asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await asPostgres(join(PG_BIN, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(dir, 'postgres.log'),
      '-w',
      '-o',
      `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  process.on('exit', () => {
    // Synchronous last resort when the test process dies without stop(): the cluster must not outlive it.
    try {
      require('node:child_process').execFileSync(
        process.getuid?.() === 0 ? 'runuser' : join(PG_BIN, 'pg_ctl'),
        process.getuid?.() === 0
          ? ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']
          : ['-D', data, '-m', 'immediate', 'stop'],
        { stdio: 'ignore' }
      );
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const psql = (database: string, sql: string, timeoutMs?: number) =>
    asPostgres(
      join(PG_BIN, 'psql'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-Atc', sql],
      timeoutMs
    );
  return {
    port,
    dir,
    psql,
    createDatabase: async (name: string, opts: { owner?: string } = {}) => {
      const db = name.replace(/[^a-z0-9_]/g, '');
      const owner = opts.owner?.replace(/[^a-z0-9_]/g, '');
      if (owner) {
        await psql('postgres', `CREATE ROLE "${owner}" LOGIN`);
      }
      await psql('postgres', `CREATE DATABASE "${db}"${owner ? ` OWNER "${owner}"` : ''}`);
      return `postgresql+asyncpg://${owner ?? 'postgres'}@127.0.0.1:${port}/${db}`;
    },
    stop,
  };
}

function asUid(user: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('id', ['-u', user], (err, stdout) => (err ? reject(err) : resolve(String(stdout))))
  );
}
