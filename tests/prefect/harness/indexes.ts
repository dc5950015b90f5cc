// The flow_run indexes Prefect's runs page sorts by, taken away and put back the way an operator does it: DROP INDEX
// (what a failed or interrupted rebuild, `DROP INDEX` + `CREATE INDEX CONCURRENTLY`, leaves the planner: an INVALID
// index is ignored exactly like a missing one), then CREATE INDEX from the definitions PostgreSQL itself printed.
import type { RunningPostgres } from './postgres';

/**
 * The start-time indexes behind the UI's sorts (START_TIME_DESC is coalesce(start_time, expected_start_time) DESC)
 * and its date range (expected_start_time); the scheduler's next_scheduled_start_time index is left alone.
 */
const SORT_INDEX_FILTER = `indrelid = 'flow_run'::regclass AND indexrelid::regclass::text LIKE '%start_time%'
  AND indexrelid::regclass::text NOT LIKE '%next_scheduled%'`;

export interface DroppedIndexes {
  names: string[];
  /** ms since epoch when the DROP committed. */
  droppedAt: number;
  /** Creates them again (one transaction); resolves with the ms since epoch when it committed. */
  restore(): Promise<number>;
}

export async function dropRunsPageIndexes(pg: RunningPostgres, database: string): Promise<DroppedIndexes> {
  const rows = (
    await pg.psql(
      database,
      `SELECT indexrelid::regclass::text || E'\\t' || pg_get_indexdef(indexrelid) FROM pg_index WHERE ${SORT_INDEX_FILTER}`
    )
  )
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  if (rows.length === 0) {
    throw new Error('no start-time index on flow_run to drop');
  }
  const names = rows.map(([name]) => name);
  if (!names.every((n) => /^[a-z_]+$/.test(n))) {
    throw new Error(`refusing odd index names ${names.join(', ')}`);
  }
  await pg.psql(database, `BEGIN; ${names.map((n) => `DROP INDEX ${n};`).join(' ')} COMMIT;`);
  const droppedAt = Date.now();
  return {
    names,
    droppedAt,
    restore: async () => {
      await pg.psql(database, `BEGIN; ${rows.map(([, def]) => `${def};`).join(' ')} COMMIT;`, 300_000);
      return Date.now();
    },
  };
}
