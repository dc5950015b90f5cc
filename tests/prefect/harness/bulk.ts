// Bulk history written straight into Prefect's tables, the way a busy installation's tables grow over months: here
// task runs of the flow runs that exist, in one INSERT … SELECT over generate_series, so every row is valid (foreign
// key to flow_run, unique (flow_run_id, task_key, dynamic_key), a real state type) and the indexes are maintained as
// Prefect's own writes maintain them. Bounded: about 90 s per million rows on two busy cores.
import type { RunningPostgres } from './postgres';

/**
 * Task runs spread over the existing flow runs, started over the last 20 hours (inside the dashboard's day), one
 * in 20 Failed, the rest Completed. Then ANALYZE, as autovacuum would do after such growth.
 */
export async function insertTaskRuns(pg: RunningPostgres, database: string, rows: number): Promise<string> {
  const n = Math.floor(rows);
  if (!(n > 0)) {
    throw new Error(`refusing a row count of ${rows}`);
  }
  const sql = `
INSERT INTO task_run (id, created, updated, name, task_key, dynamic_key, flow_run_id, state_type, state_name,
  state_timestamp, run_count, start_time, end_time, expected_start_time, total_run_time, flow_run_run_count,
  empirical_policy, task_inputs, tags)
SELECT gen_random_uuid(), t.ts, t.ts, 'bulk-task-' || g, 'insights-bulk-task', g::text,
  runs.ids[1 + g % array_length(runs.ids, 1)],
  (CASE WHEN g % 20 = 0 THEN 'FAILED' ELSE 'COMPLETED' END)::state_type,
  CASE WHEN g % 20 = 0 THEN 'Failed' ELSE 'Completed' END,
  t.ts + interval '2 seconds', 1, t.ts, t.ts + interval '2 seconds', t.ts, interval '2 seconds', 1, '{}', '{}', '[]'
FROM (SELECT array_agg(id) AS ids FROM flow_run) runs, generate_series(1, ${n}) g,
  LATERAL (SELECT now() - (g % 72000) * interval '1 second' AS ts) t;
ANALYZE task_run;
SELECT count(*) FROM task_run;`;
  const out = await pg.psql(database, sql, 900_000);
  return `${out.trim().split('\n').pop()} task runs`;
}
