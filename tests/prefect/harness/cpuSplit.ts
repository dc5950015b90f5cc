// The database on a core of its own and everything else on the other, for the length of one incident step: what a
// production install has (PostgreSQL on its own host, the API server and its clients elsewhere), which a two-core box
// shared by both does not. Without it, a slow query's sequential scans take the API server's core as well, and every
// route slows with the one the incident is about (the runs page's first runs, tests/prefect/README.md).
//
// Linux CPU affinity (`taskset`): PostgreSQL's postmaster and every process below it go to the last core; a backend
// or parallel worker started later forks from the postmaster and inherits it. Every other process of the machine
// goes to the others, and what it starts later inherits that. Kernel threads (no command line) are left alone.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { below, processes } from './processTree';

export interface CoreSplit {
  /** What was pinned where, for the incident's notes. */
  note: string;
  /** Every process may run on every core again. */
  restore(): Promise<void>;
}

function taskset(cores: string, pid: number): Promise<boolean> {
  // -a: every thread of the process (Prometheus and the Python servers run several).
  return new Promise((resolve) => execFile('taskset', ['-a', '-p', '-c', cores, String(pid)], (err) => resolve(!err)));
}

/**
 * `pgDir`: the cluster's directory (RunningPostgres.dir), whose data/postmaster.pid names the postmaster. `psql` runs
 * a statement on the cluster: a database of one core gets no parallel workers (`max_parallel_workers_per_gather`
 * 0), which there only add processes taking the same core, and gets its setting back on restore.
 */
export async function splitCores(pgDir: string, psql: (sql: string) => Promise<string>): Promise<CoreSplit> {
  const n = cpus().length;
  if (n < 2) {
    throw new Error(`the database needs a core of its own: this machine has ${n}`);
  }
  const dbCore = String(n - 1);
  const others = n === 2 ? '0' : `0-${n - 2}`;
  const all = `0-${n - 1}`;
  const postmaster = Number(readFileSync(join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const parents = processes();
  const db = below(postmaster, parents);
  let dbPinned = 0;
  let othersPinned = 0;
  for (const pid of parents.keys()) {
    if (db.has(pid)) {
      dbPinned += (await taskset(dbCore, pid)) ? 1 : 0;
    } else {
      othersPinned += (await taskset(others, pid)) ? 1 : 0;
    }
  }
  if (dbPinned === 0) {
    throw new Error(`could not pin PostgreSQL (postmaster ${postmaster}) to core ${dbCore}`);
  }
  // ALTER SYSTEM refuses a transaction block: one statement per call.
  await psql('ALTER SYSTEM SET max_parallel_workers_per_gather = 0');
  await psql('SELECT pg_reload_conf()');
  return {
    note:
      `PostgreSQL (${dbPinned} processes, no parallel workers) on core ${dbCore} alone, ` +
      `${othersPinned} other processes on core ${others}`,
    async restore() {
      await psql('ALTER SYSTEM RESET max_parallel_workers_per_gather');
      await psql('SELECT pg_reload_conf()');
      for (const pid of processes().keys()) {
        await taskset(all, pid);
      }
    },
  };
}
