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

/** Columns of flow_run, in order, as this Prefect's migrations made them. */
export async function flowRunColumns(pg: RunningPostgres, database: string): Promise<string[]> {
  const out = await pg.psql(
    database,
    `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'flow_run'`
  );
  return out.trim().split(',');
}

/**
 * INSERT … SELECT of `rows` finished flow runs (one in 25 Failed) copied from the template row `templateWhere`
 * selects: every column Prefect wrote is kept, only identity, name, times and the final state change, so the
 * foreign keys (flow, state details) stay valid. `ts` is each run's start, an SQL expression of the series index `g`.
 */
export function copiedFlowRunsInsert(
  columns: string[],
  opts: { ts: string; name: string; templateWhere: string; rows: number }
): string {
  const { ts } = opts;
  const own: Record<string, string> = {
    id: 'gen_random_uuid()',
    name: opts.name,
    created: ts,
    updated: ts,
    expected_start_time: ts,
    next_scheduled_start_time: 'NULL',
    start_time: ts,
    end_time: `${ts} + interval '30 seconds'`,
    state_timestamp: `${ts} + interval '30 seconds'`,
    total_run_time: `interval '30 seconds'`,
    state_id: 'NULL',
    idempotency_key: 'NULL',
    state_type: `(CASE WHEN g % 25 = 0 THEN 'FAILED' ELSE 'COMPLETED' END)::state_type`,
    state_name: `CASE WHEN g % 25 = 0 THEN 'Failed' ELSE 'Completed' END`,
  };
  const select = columns.map((c) => own[c] ?? `tpl.${c}`).join(',');
  return `INSERT INTO flow_run (${columns.join(',')}) SELECT ${select}
FROM (SELECT * FROM flow_run WHERE ${opts.templateWhere} ORDER BY created LIMIT 1) tpl, generate_series(1, ${opts.rows}) g`;
}

/**
 * Finished flow runs copied from one the API made (a run of the driver's own flow, no deployment; see
 * copiedFlowRunsInsert), started over the last `days` days (the runs page's default range is the last 7). Then
 * ANALYZE, as autovacuum would do after such growth. About 47 s per million rows here (150,000 rows in 7 s with every
 * flow_run index, the trigram index on the name included).
 */
export async function insertFlowRuns(pg: RunningPostgres, database: string, rows: number, days = 7): Promise<string> {
  const n = Math.floor(rows);
  if (!(n > 0 && days > 0)) {
    throw new Error(`refusing a row count of ${rows} over ${days} days`);
  }
  const insert = copiedFlowRunsInsert(await flowRunColumns(pg, database), {
    ts: `(now() - (g % ${Math.floor(days * 86400)}) * interval '1 second')`,
    name: `'bulk-run-' || g`,
    templateWhere: 'deployment_id IS NULL',
    rows: n,
  });
  const out = await pg.psql(database, `${insert};\nANALYZE flow_run;\nSELECT count(*) FROM flow_run;`, 900_000);
  const count = out.trim().split('\n').pop();
  if (!(Number(count) >= n)) {
    throw new Error(`bulk flow runs: expected at least ${n} rows, psql said ${out.trim()}`);
  }
  return `${count} flow runs`;
}
