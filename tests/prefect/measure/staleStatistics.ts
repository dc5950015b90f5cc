// By hand (not part of any suite): what stale PostgreSQL statistics do to the runs page of a real Prefect as its
// flow_run table grows. Run: `flock /tmp/heavy.lock npx tsx tests/prefect/measure/staleStatistics.ts [days] [rows/day]`.
//
// One setup-a stack (real Prefect under OpenTelemetry, Prometheus 2.42). Autovacuum is switched off on flow_run, the
// table is ANALYZEd once while small, then it grows a "day" at a time: each day's flow runs are written in one
// INSERT … SELECT copied from a real run the API created (valid foreign keys, every column Prefect wrote), with
// timestamps inside that day, so the newest rows always lie beyond the statistics' histogram, as they do on a
// server whose autovacuum is behind. After each day the UI's runs-page and dashboard calls are timed from the
// client; at the end ANALYZE runs and they are timed again. auto_explain logs the plan of every statement over
// 200 ms, so the planner's choices are read from PostgreSQL's own log, not guessed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copiedFlowRunsInsert, flowRunColumns } from '../harness/bulk';
import { startPostgres } from '../harness/postgres';
import { SETUPS } from '../harness/setups';
import { startStack } from '../harness/stack';

const DAYS = Number(process.argv[2] ?? 6);
const ROWS_PER_DAY = Number(process.argv[3] ?? 200_000);
/** Timed calls per UI request per size: enough for a median and a p95 on a quiet server. */
const SAMPLES = 15;

interface Call {
  name: string;
  path: string;
  body: () => unknown;
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/** What Prefect 3's UI asks for on the runs page and the dashboard (filters as the UI builds them). */
const CALLS: Call[] = [
  {
    name: 'runs page (paginate, last 7 days)',
    path: '/flow_runs/paginate',
    body: () => ({
      page: 1,
      limit: 10,
      sort: 'START_TIME_DESC',
      flow_runs: { expected_start_time: { after_: daysAgo(7) } },
    }),
  },
  {
    name: 'runs page count (last 7 days)',
    path: '/flow_runs/count',
    body: () => ({ flow_runs: { expected_start_time: { after_: daysAgo(7) } } }),
  },
  {
    name: 'flow_runs/filter (failed, last day)',
    path: '/flow_runs/filter',
    body: () => ({
      limit: 50,
      sort: 'EXPECTED_START_TIME_DESC',
      flow_runs: { expected_start_time: { after_: daysAgo(1) }, state: { type: { any_: ['FAILED', 'CRASHED'] } } },
    }),
  },
  { name: 'flow_runs/filter (unfiltered)', path: '/flow_runs/filter', body: () => ({ limit: 50 }) },
  {
    name: 'flow_runs/history (dashboard, 1 day)',
    path: '/flow_runs/history',
    body: () => ({ history_start: daysAgo(1), history_end: daysAgo(0), history_interval_seconds: 3600 }),
  },
];

/** Concurrent runs-page readers timed with the sort indexes invalid (PREFECT_MEASURE_READERS=4,8,16). */
const READERS = (process.env.PREFECT_MEASURE_READERS ?? '4,8').split(',').map(Number);

/** Routes the rest of the UI and the workers use, none sorting flow_run by time. */
const OTHER_CALLS: Array<{ name: string; method: 'GET' | 'POST'; path: string; body?: unknown }> = [
  { name: 'flows/filter', method: 'POST', path: '/flows/filter', body: { limit: 10 } },
  { name: 'deployments/filter', method: 'POST', path: '/deployments/filter', body: { limit: 10 } },
  { name: 'work_pools/filter', method: 'POST', path: '/work_pools/filter', body: {} },
  { name: 'flow_runs/count', method: 'POST', path: '/flow_runs/count', body: {} },
  { name: 'health', method: 'GET', path: '/health' },
];

/**
 * One request; its status, or 'transport' when the connection failed: after a 500 at the statement timeout uvicorn
 * drops the keep-alive connection, and the next call on it fails before it reaches the server.
 */
async function request(url: string, method: 'GET' | 'POST', body?: unknown): Promise<string> {
  try {
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(120_000),
    });
    await res.arrayBuffer();
    return String(res.status);
  } catch {
    return 'transport';
  }
}

async function time(apiUrl: string, call: Call): Promise<{ ms: number[]; statuses: Record<string, number> }> {
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const status = await request(`${apiUrl}${call.path}`, 'POST', call.body());
    ms.push(performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  return { ms, statuses };
}

function q(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** Plan nodes named in auto_explain's entries since `offset` of the log: what the planner chose for slow ones. */
function plansSince(log: string, offset: number): string {
  const text = log.slice(offset);
  const counts = new Map<string, number>();
  for (const m of text.matchAll(
    /(Seq Scan|Index Scan Backward|Index Only Scan|Index Scan|Bitmap Heap Scan|Nested Loop|Hash Join|Merge Join|Sort) (?:using \S+ )?on (\w+)/g
  )) {
    const key = `${m[1]} on ${m[2]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const slow = (text.match(/duration: [\d.]+ ms {2}plan:/g) ?? []).length;
  return `${slow} statements over 200 ms${counts.size ? ': ' + [...counts].map(([k, v]) => `${k} ×${v}`).join(', ') : ''}`;
}

async function main(): Promise<void> {
  if (!(DAYS > 0 && ROWS_PER_DAY > 0)) {
    throw new Error('usage: staleStatistics.ts [days > 0] [rows per day > 0]');
  }
  const out = join(process.cwd(), '.tmp', `stale-statistics-${new Date().toISOString().replace(/[:.]/g, '')}`);
  mkdirSync(out, { recursive: true });
  const pg = await startPostgres();
  const setup = SETUPS.find((s) => s.id === 'a')!;
  const stack = await startStack(setup, pg);
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    console.log(s);
    writeFileSync(join(out, 'table.md'), lines.join('\n') + '\n');
  };
  try {
    const db = stack.database;
    await pg.psql(db, `ALTER TABLE flow_run SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
    await pg.psql(
      db,
      `ALTER DATABASE ${db} SET session_preload_libraries = 'auto_explain';` +
        ` ALTER DATABASE ${db} SET auto_explain.log_min_duration = '200ms'`
    );
    await stack.prefect.restart(); // new connections load auto_explain
    const api = stack.prefect.apiUrl;
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${api}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) {
        throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
      }
      return (await r.json()) as { id: string };
    };
    const flow = await post('/flows/', { name: 'insights-stale-statistics' });
    const template = await post('/flow_runs/', { flow_id: flow.id, name: 'template' });
    const columns = await flowRunColumns(pg, db);
    // Every column but identity, name, times and state copied from the template run the API made.
    const insert = (day: number) =>
      copiedFlowRunsInsert(columns, {
        ts: `(now() - ((${DAYS} - ${day}) * 86400 + (g % 86400)) * interval '1 second')`,
        name: `'stale-' || ${day} || '-' || g`,
        templateWhere: `id = '${template.id}'`,
        rows: ROWS_PER_DAY,
      });
    await pg.psql(db, insert(0));
    await pg.psql(db, 'ANALYZE flow_run');
    say(
      `# stale statistics, ${DAYS} days × ${ROWS_PER_DAY} flow runs, autovacuum off on flow_run (${new Date().toISOString()})`
    );
    say('');
    say(`| flow runs | statistics | ${CALLS.map((c) => c.name).join(' | ')} | planner (auto_explain) |`);
    say(`|---|---|${CALLS.map(() => '---').join('|')}|---|`);
    const pgLog = join(pg.dir, 'postgres.log');
    const measure = async (label: string) => {
      const offset = readFileSync(pgLog, 'utf8').length;
      const cells: string[] = [];
      for (const call of CALLS) {
        const { ms, statuses } = await time(api, call);
        const bad = Object.entries(statuses).filter(([s]) => s !== '200');
        cells.push(
          `p50 ${q(ms, 0.5).toFixed(0)} ms, p95 ${q(ms, 0.95).toFixed(0)} ms${bad.length ? ` (${bad.map(([s, n]) => `${n}×${s}`).join(', ')})` : ''}`
        );
      }
      const stats = (
        await pg.psql(
          db,
          `SELECT c.reltuples::bigint || ' estimated, ' || s.n_mod_since_analyze || ' changed since ANALYZE' FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'flow_run'`
        )
      ).trim();
      const count = (await pg.psql(db, 'SELECT count(*) FROM flow_run')).trim();
      say(
        `| ${count} | ${label}: ${stats} | ${cells.join(' | ')} | ${plansSince(readFileSync(pgLog, 'utf8'), offset)} |`
      );
    };
    await measure('fresh (day 0 analysed)');
    for (let day = 1; day < DAYS; day++) {
      const t0 = Date.now();
      await pg.psql(db, insert(day), 900_000);
      console.log(`day ${day}: ${ROWS_PER_DAY} rows in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await measure('stale');
    }
    await pg.psql(db, 'ANALYZE flow_run');
    await measure('after ANALYZE');
    // ANALYZE refreshes the estimates but not the visibility map, which only VACUUM sets: with autovacuum off an
    // index-only scan still visits the heap for every row (the count's plan after ANALYZE). What autovacuum would
    // have done, in one step.
    await pg.psql(db, 'VACUUM flow_run', 900_000);
    await measure('after VACUUM');
    // What else makes the runs page slow on a table this size: the sort indexes it relies on gone, as an
    // interrupted `CREATE INDEX CONCURRENTLY` leaves them (INVALID, so the planner ignores them) or a hand-made
    // DROP. Timed alone and with UI-like concurrency (several open runs pages), which is how the page is used.
    const sortIndexes = (
      await pg.psql(
        db,
        `SELECT string_agg(indexrelid::regclass::text, ',') FROM pg_index WHERE indrelid = 'flow_run'::regclass AND (indexrelid::regclass::text LIKE '%start_time%')`
      )
    ).trim();
    await pg.psql(
      db,
      `UPDATE pg_index SET indisvalid = false WHERE indexrelid::regclass::text = ANY(string_to_array('${sortIndexes}', ','))`
    );
    await stack.prefect.restart(); // no cached plans from before
    await measure(`sort indexes invalid (${sortIndexes})`);
    // Beside the readers, one client asks for what the rest of the API serves (routes that do not sort flow_run):
    // runs-page-slow wants those near their baseline while the runs page is slow.
    const others = OTHER_CALLS.map((c) => ({ ...c, ms: [] as number[], failed: 0 }));
    const probeOthers = async (until: () => boolean) => {
      while (!until()) {
        for (const c of others) {
          const t0 = performance.now();
          const status = await request(`${api}${c.path}`, c.method, c.body);
          c.ms.push(performance.now() - t0);
          if (status !== '200') {
            c.failed++;
          }
        }
      }
    };
    const describeOthers = () =>
      others
        .map(
          (c) =>
            `${c.name} p50 ${q(c.ms, 0.5).toFixed(0)} ms, p95 ${q(c.ms, 0.95).toFixed(0)} ms${c.failed ? ` (${c.failed} of ${c.ms.length} failed)` : ''}`
        )
        .join('; ');
    let probes = 0;
    await probeOthers(() => probes++ >= SAMPLES);
    say(`| | other routes, no readers | ${describeOthers()} | | | | | |`);
    for (const concurrency of READERS) {
      const ms: number[] = [];
      const statuses: Record<string, number> = {};
      for (const c of others) {
        c.ms = [];
        c.failed = 0;
      }
      let done = false;
      const side = probeOthers(() => done);
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const r = await time(api, CALLS[0]);
          ms.push(...r.ms);
          for (const [k, v] of Object.entries(r.statuses)) {
            statuses[k] = (statuses[k] ?? 0) + v;
          }
        })
      );
      done = true;
      await side;
      say(
        `| | ${concurrency} concurrent runs pages, sort indexes invalid | p50 ${q(ms, 0.5).toFixed(0)} ms, p95 ${q(ms, 0.95).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms, ${JSON.stringify(statuses)} | other routes meanwhile: ${describeOthers()} | | | | |`
      );
    }
    writeFileSync(join(out, 'postgres.log'), readFileSync(pgLog, 'utf8'));
    say('');
    say(`postgres log with the plans: ${join(out, 'postgres.log')}`);
  } finally {
    await stack.stop();
    await pg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
