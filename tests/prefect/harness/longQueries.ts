// A database with cores to spare, on a box without them. On a production database a few long statements (the runs
// page's sorts of two million flow runs without their indexes) each run on a core of their own and the short ones
// (a state change, a flow run's creation, the worker's poll) find another core free. Here PostgreSQL has one core
// (cpuSplit.ts), so every short statement waits its turn behind the long ones and the whole API slows with the page
// (tests/prefect/README.md, runs of 2026-12-06 06:53-07:40 UTC: 3 of 6 other routes near baseline).
//
// So, for the length of one incident step, the API server's statements that have run longer than LONG_STATEMENT_MS
// get the lowest CPU priority (nice 19, Linux's scheduler weight 15 against 1,024) until they end, and the backend its
// priority back as soon as it is idle or on another statement. Nothing picks the runs page by name: the rule is the
// statement's age alone, so whatever is long is what yields.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import type { RunningPostgres } from './postgres';

/**
 * A statement older than this yields. Every statement of the quiet traffic ends well before: the slowest, the
 * unfiltered `flow_runs/count` over 2 M flow runs, has a p95 of 0.085-0.158 s (the runs above, 4 minutes before each
 * step). A runs page without its indexes takes 1.1-1.5 s alone on 2 M flow runs (docs/detection.md), so once several
 * share the core each passes a second early in its life.
 */
export const LONG_STATEMENT_MS = 1000;
/** How often pg_stat_activity is read: a statement that ends keeps the low priority this long at most. */
const POLL_SECONDS = 0.05;
const LOW = 19;

export interface LongStatementsYield {
  /** What was done, for the incident's notes. */
  note(): string;
  /** Every backend this lowered runs at its normal priority again; the watcher stops. */
  stop(): Promise<void>;
}

/**
 * Starts lowering the priority of `database`'s long statements (those of any session but psql's, so the harness's
 * own statements, an index rebuild among them, keep theirs). Root only: giving a process its priority back needs it.
 */
export function yieldLongStatements(pg: RunningPostgres, database: string): LongStatementsYield {
  if (process.getuid?.() !== 0) {
    throw new Error('lowering PostgreSQL backends to nice 19 and back needs root (run the step as root, as CI does)');
  }
  if (!/^[a-z0-9_]+$/.test(database)) {
    throw new Error(`refusing odd database name ${database}`);
  }
  // One row per watch round at least (the watcher's own), so a round with no long statement still ends the old ones.
  const sql =
    `SELECT extract(epoch FROM now()), pid, extract(epoch FROM query_start), ` +
    `coalesce(extract(epoch FROM clock_timestamp() - query_start) * 1000, 0)::bigint ` +
    `FROM pg_stat_activity WHERE pid = pg_backend_pid() OR (datname = '${database}' AND state = 'active' ` +
    `AND backend_type = 'client backend' AND application_name <> 'psql')`;
  const watcher = spawn(
    '/usr/bin/psql',
    ['-X', '-q', '-A', '-t', '-F', ' ', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-d', database],
    { stdio: ['pipe', 'pipe', 'pipe'] }
  );
  watcher.stdin.end(`${sql}\n\\watch ${POLL_SECONDS}\n`);
  let stderr = '';
  watcher.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));

  const low = new Map<number, number>(); // pid -> query_start of the statement that made it yield
  let lowered = 0;
  let mostAtOnce = 0;
  let rounds = 0;
  let failures = 0;
  let round: string | undefined;
  let seen = new Map<number, { start: number; ageMs: number }>();
  const renice = (pid: number, nice: number) => {
    try {
      setPriority(pid, nice);
    } catch {
      // The backend ended between the read and now: only a miss when it was to yield.
      failures += nice === LOW ? 1 : 0;
    }
  };
  const endRound = () => {
    rounds++;
    for (const [pid, start] of low) {
      if (seen.get(pid)?.start !== start) {
        renice(pid, 0);
        low.delete(pid);
      }
    }
    for (const [pid, { start, ageMs }] of seen) {
      if (ageMs >= LONG_STATEMENT_MS && !low.has(pid)) {
        renice(pid, LOW);
        low.set(pid, start);
        lowered++;
      }
    }
    mostAtOnce = Math.max(mostAtOnce, low.size);
    seen = new Map();
  };
  let pending = '';
  watcher.stdout.on('data', (d) => {
    pending += String(d);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [now, pid, start, age] = line.trim().split(' ');
      if (age === undefined) {
        continue; // the blank line between rounds
      }
      if (round !== undefined && now !== round) {
        endRound();
      }
      round = now;
      const p = Number(pid);
      if (start !== '' && Number(age) >= 0) {
        seen.set(p, { start: Number(start), ageMs: Number(age) });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => watcher.once('exit', resolve));
  return {
    note: () =>
      `statements of the API server older than ${LONG_STATEMENT_MS / 1000} s at nice ${LOW} until they ended ` +
      `(${lowered} statements, at most ${mostAtOnce} at once, pg_stat_activity read ${rounds} times, ${failures} ended before they could yield)`,
    async stop() {
      watcher.kill('SIGTERM');
      const code = await exited;
      for (const pid of low.keys()) {
        renice(pid, 0);
      }
      low.clear();
      if (rounds === 0) {
        throw new Error(`the long-statement watcher never read pg_stat_activity (exit ${code}): ${stderr}`);
      }
    },
  };
}
