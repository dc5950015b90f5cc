// The flow_run indexes Prefect's runs page sorts by, taken away and put back the way an operator does it: DROP INDEX
// (what a failed or interrupted rebuild, `DROP INDEX` + `CREATE INDEX CONCURRENTLY`, leaves the planner: an INVALID
// index is ignored exactly like a missing one), then CREATE INDEX from the definitions PostgreSQL itself printed.
import type { RunningPostgres } from './postgres';

/**
 * The start-time indexes behind the UI's sorts (START_TIME_DESC is coalesce(start_time, expected_start_time) DESC)
 * and its date range (expected_start_time); the scheduler's next_scheduled_start_time index is left alone.
 */
const START_TIME_INDEX_FILTER = `indrelid = 'flow_run'::regclass AND indexrelid::regclass::text LIKE '%start_time%'
  AND indexrelid::regclass::text NOT LIKE '%next_scheduled%'`;

/**
 * Only the runs page's own: the sort on coalesce(start_time, expected_start_time) both ways and the date range's
 * expected_start_time. The worker's poll and the state-typed reads keep theirs (`ix_flow_run__start_time`,
 * `ix_flow_run__state_type_coalesce_start_time`): with all five gone, `get_scheduled_flow_runs` went from 0.06 to
 * 1.3 s (p95) beside the runs page (2026-12-06 07:02, tests/prefect/README.md).
 */
const RUNS_PAGE_INDEX_FILTER = `indrelid = 'flow_run'::regclass AND (
  indexrelid::regclass::text LIKE 'ix_flow_run__coalesce_start_time_expected_start_time_%'
  OR indexrelid::regclass::text = 'ix_flow_run__expected_start_time_desc')`;

/** `start-time`: every start-time index but the scheduler's; `runs-page`: only the runs page's sort and range. */
export type IndexSet = 'start-time' | 'runs-page';

export interface DroppedIndexes {
  names: string[];
  /** ms since epoch when the DROP committed. */
  droppedAt: number;
  /** Creates them again (one transaction); resolves with the ms since epoch when it committed. */
  restore(): Promise<number>;
}

export async function dropRunsPageIndexes(
  pg: RunningPostgres,
  database: string,
  set: IndexSet = 'start-time'
): Promise<DroppedIndexes> {
  const filter = set === 'runs-page' ? RUNS_PAGE_INDEX_FILTER : START_TIME_INDEX_FILTER;
  const rows = (
    await pg.psql(
      database,
      `SELECT indexrelid::regclass::text || E'\\t' || pg_get_indexdef(indexrelid) FROM pg_index WHERE ${filter}`
    )
  )
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  if (rows.length === 0) {
    throw new Error(`no ${set} index on flow_run to drop`);
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
