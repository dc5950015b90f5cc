// A second PostgreSQL session that holds a table lock inside an open transaction, the way a forgotten `BEGIN` in
// psql, a long migration or a VACUUM FULL does. The lock's real edges come from pg_locks (granted), not from when
// psql was started, so the injected window a detection is judged against is the one PostgreSQL saw.
import type { RunningPostgres } from './postgres';

export interface HeldLock {
  /** ms since epoch when pg_locks first showed the lock granted. */
  grantedAt: number;
  /** Resolves with the ms since epoch when the transaction ended (psql returned). */
  released: Promise<number>;
}

const POLL_MS = 250;

/** Locks `table` IN `mode` for `seconds` in one psql session; resolves once PostgreSQL has granted it. */
export async function holdTableLock(
  pg: RunningPostgres,
  database: string,
  table: string,
  seconds: number,
  mode = 'ACCESS EXCLUSIVE'
): Promise<HeldLock> {
  if (!/^[a-z_]+$/.test(table) || !/^[A-Z ]+$/.test(mode)) {
    throw new Error(`refusing odd lock target ${table} / ${mode}`);
  }
  const sql = `BEGIN; LOCK TABLE ${table} IN ${mode} MODE; SELECT pg_sleep(${Number(seconds)}); COMMIT;`;
  const wanted = `${mode.replace(/ /g, '').toLowerCase()}lock`;
  return holdUntil(
    pg,
    database,
    sql,
    seconds,
    `SELECT count(*) FROM pg_locks WHERE granted AND relation = '${table}'::regclass AND lower(mode) = '${wanted}'`,
    `the lock on ${table} was not granted within 30 s`
  );
}

/**
 * Locks `table` IN ACCESS EXCLUSIVE MODE for `heldSeconds`, lets go for `gapSeconds`, again and again for `seconds`,
 * in one session (a DO block that commits between its locks): what a batch job taking short exclusive locks in a
 * loop does to the one route that reads the table. A request that arrives while the lock is held waits for the rest
 * of it, so the route's latency rises by up to `heldSeconds`, on a share `held / (held + gap)` of its requests.
 * Resolves once PostgreSQL has granted the lock a first time; `released` when the last one ends.
 */
export async function cycleTableLock(
  pg: RunningPostgres,
  database: string,
  table: string,
  heldSeconds: number,
  gapSeconds: number,
  seconds: number
): Promise<HeldLock> {
  if (!/^[a-z_]+$/.test(table)) {
    throw new Error(`refusing odd lock target ${table}`);
  }
  const sql =
    `DO $$ DECLARE stop timestamptz := clock_timestamp() + interval '${Number(seconds)} seconds'; BEGIN ` +
    `WHILE clock_timestamp() < stop LOOP LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE; ` +
    `PERFORM pg_sleep(${Number(heldSeconds)}); COMMIT; PERFORM pg_sleep(${Number(gapSeconds)}); COMMIT; END LOOP; END $$;`;
  return holdUntil(
    pg,
    database,
    sql,
    seconds,
    `SELECT count(*) FROM pg_locks WHERE granted AND relation = '${table}'::regclass AND mode = 'AccessExclusiveLock'`,
    `the lock on ${table} was not granted within 30 s`
  );
}

/**
 * Runs `sql` (a transaction that holds its locks for `seconds`) in its own psql session; resolves once `check`
 * counts more than 0 rows, i.e. the locks are held.
 */
async function holdUntil(
  pg: RunningPostgres,
  database: string,
  sql: string,
  seconds: number,
  check: string,
  timeoutMessage: string
): Promise<HeldLock> {
  const released = pg.psql(database, sql, (seconds + 60) * 1000).then(() => Date.now());
  let failed: unknown;
  released.catch((e) => (failed = e));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (failed) {
      throw failed;
    }
    const rows = await pg.psql(database, check);
    if (Number(rows.trim()) > 0) {
      return { grantedAt: Date.now(), released };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(timeoutMessage);
}

/** application_name of the row-lock session, so its own progress can be told from Prefect's FOR UPDATE reads. */
const ROW_LOCK_APP = 'insights-row-lock';

/**
 * Locks every row `table` holds now (`SELECT … FOR UPDATE`) for `seconds`: reads and new rows pass, but anything
 * that locks or updates one of those rows waits, as set_state does (it reads its flow run FOR UPDATE). Resolves
 * once the session has locked them all and sleeps (pg_stat_activity shows it in PgSleep).
 */
export async function holdRowLocks(
  pg: RunningPostgres,
  database: string,
  table: string,
  seconds: number
): Promise<HeldLock> {
  if (!/^[a-z_]+$/.test(table)) {
    throw new Error(`refusing odd lock target ${table}`);
  }
  const sql =
    `SET application_name = '${ROW_LOCK_APP}'; BEGIN; ` +
    `SELECT count(*) FROM (SELECT 1 FROM ${table} FOR UPDATE) locked; SELECT pg_sleep(${Number(seconds)}); COMMIT;`;
  return holdUntil(
    pg,
    database,
    sql,
    seconds,
    `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${ROW_LOCK_APP}' AND wait_event = 'PgSleep'`,
    `the row locks on ${table} were not all taken within 30 s`
  );
}
