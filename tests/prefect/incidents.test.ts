// Real incidents on a real Prefect 3.9.1 (issue 7, item 3): one timeline on one stack (setup a: old OpenTelemetry
// conventions, Prometheus exporter, scraped every 5 s by Prometheus 2.42, so `up` exists). Quiet driver traffic
// throughout; a SIGSTOP/SIGKILL outage, a tiny connection pool drained by a lock on flow_run and 25 UI-like
// readers, a short restart, a traffic bump, and 2 M bulk task runs whose UI count waits on a task_run lock until
// the statement timeout. Then the built `prefect-insights scan` over the whole timeline must
// find each incident once, within a minute of its edges, and nothing else. PREFECT_INCIDENTS_FULL=1
// (`npm run test:prefect:full`) appends a work_pool lock held until the worker gives up (read-work-pool-hang, then
// http2-agent-stop) and, inside that silence, a restart and a pending-deadlock: by hand only (about 40 minutes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promQuery } from '../harness/prometheus';
import { readRequests, type RecordedRequest } from './harness/groundTruth';
import { insertTaskRuns } from './harness/bulk';
import { holdRowLocks, holdTableLock } from './harness/locks';
import { startPostgres, type RunningPostgres } from './harness/postgres';
import type { ManagedProcess } from './harness/process';
import { SETUPS } from './harness/setups';
import { startStack, type Stack } from './harness/stack';
import { clock, finished, sleep, startDriver, startHammer, Workers, type Injected } from './harness/timeline';
import { ROOT, ensureVenv } from './harness/venv';
import { formatIncidentTable, judge, type FoundInsight, type Verdict } from './incidentReport';
import { sh as runCommand } from './harness/sh';

const FULL = process.env.PREFECT_INCIDENTS_FULL === '1';
/**
 * The task-run count timeout (2 M bulk task runs, a task_run lock, UI counts). Its first run (2026-12-04 18:32–18:49
 * UTC, 6 readers, 2.5 min) made it real and the scan missed it; the held-out run after the change (19:02–19:20 UTC,
 * 4 readers, 3 min) found it +20 s / +5 s (tests/prefect/README.md). It adds the bulk insert and about 5.5 minutes;
 * PREFECT_INCIDENTS_COUNT=0 leaves it out, and the CI log then says so.
 */
const COUNT = process.env.PREFECT_INCIDENTS_COUNT !== '0';
const CLI = join(ROOT, 'dist-cli/prefect-insights.js');
const MIN = 60_000;
/** Seconds of each timed step; PREFECT_INCIDENT_<NAME>=seconds shortens one by hand (the defaults are the real ones). */
const secs = (name: string, fallback: number) => 1000 * Number(process.env[`PREFECT_INCIDENT_${name}`] ?? fallback);

/** The connection pool the server normally runs with: Prefect's default sizes, pool_timeout 5 s throughout. */
const ROOMY_POOL = {
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: '5',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: '10',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT: '5',
};
const TINY_POOL = {
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: '2',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: '0',
  PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT: '5',
};
/**
 * Only the full timeline's pending-deadlock: set_state must outlast the client's timeout before the statement
 * timeout (Prefect's default 10 s) cancels it.
 */
const LONGER_STATEMENTS = { PREFECT_SERVER_DATABASE_TIMEOUT: '30' };
/** PREFECT_API_REQUEST_TIMEOUT of the pending-deadlock's set_state clients, and the scan's --request-timeout. */
const CLIENT_TIMEOUT_S = 20;
/** Clients moving their own flow runs' states during the pending-deadlock. */
const SET_STATE_CLIENTS = 6;

/** Task runs written in bulk while the server is down (the outage): a table the size busy installations reach. */
const BULK_TASK_RUNS = Number(process.env.PREFECT_INCIDENT_TASK_RUNS ?? 2_000_000);
/** Dashboards open on the task-run count during the count timeout (PREFECT_INCIDENT_COUNT_READERS by hand). */
const COUNT_READERS = Number(process.env.PREFECT_INCIDENT_COUNT_READERS ?? 6);

/** --deployment-every for the timeline's drivers: one deployment run when each loop starts, then none. */
const ONE_DEPLOYMENT_RUN = 1_000_000_000;
/** Concurrent work-pool readers during the work_pool lock. */
const HANG_READERS = 8;

const setup = SETUPS.find((s) => s.id === 'a')!;
const injected: Injected[] = [];
const notes: string[] = [];
let verdicts: Verdict[] = [];
let unexplained: FoundInsight[] = [];
let header: string[] = [];
let pg: RunningPostgres;
let stack: Stack | undefined;
let workers: Workers | undefined;
const background: ManagedProcess[] = [];

const sh = (file: string, args: string[], timeoutMs = 300_000) => runCommand(file, args, timeoutMs);

/** What the clients were answered in [start, end]: counts per status, and the latency of the failures. */
function answers(requests: RecordedRequest[], start: number, end: number, path?: RegExp): string {
  const inside = requests.filter((r) => r.end * 1000 >= start && r.end * 1000 <= end && (!path || path.test(r.path)));
  const byStatus = new Map<number, number[]>();
  for (const r of inside) {
    byStatus.set(r.status, [...(byStatus.get(r.status) ?? []), r.seconds]);
  }
  const parts = [...byStatus]
    .sort(([a], [b]) => a - b)
    .map(([status, s]) => {
      const sorted = s.slice().sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      return `${status === 0 ? 'no answer' : status} ×${s.length}${status >= 500 || status === 0 ? ` (median ${median.toFixed(2)} s)` : ''}`;
    });
  return `${inside.length} requests${path ? ` to ${path.source}` : ''}: ${parts.join(', ')}`;
}

function countInLog(file: string, needle: string): number {
  try {
    return readFileSync(file, 'utf8').split(needle).length - 1;
  } catch {
    return -1;
  }
}

/**
 * What Prometheus holds for GET work_pools/{name} over the hang at the scan's resolution (5 s step, 15 s window): a
 * point without any answer of the route has no p95, and breaks the run the persistence rule needs.
 */
async function workPoolSeries(url: string, metric: string, hang: Injected): Promise<string> {
  const sel = `${metric.replace(/_bucket$/, '')}_count{http_target=~"(/api)?/work_pools/[^/]+",http_method="GET"}`;
  const bucket = `${metric}_bucket{http_target=~"(/api)?/work_pools/[^/]+",http_method="GET"}`;
  const range = { start: hang.start / 1000, end: hang.end / 1000, step: 5 };
  type Matrix = Array<{ values: Array<[number, string]> }>;
  const counts = await promQuery<Matrix>(url, `sum(increase(${sel}[15s]))`, range);
  const p95 = await promQuery<Matrix>(url, `histogram_quantile(0.95, sum by (le) (rate(${bucket}[15s])))`, range);
  const c = (counts[0]?.values ?? []).map(([, v]) => Number(v));
  const q = (p95[0]?.values ?? []).map(([, v]) => Number(v)).filter((v) => Number.isFinite(v));
  return (
    `Prometheus, GET work_pools/{name} at 5 s: ${c.length} points, ${c.filter((v) => !(v > 0)).length} without an answer ` +
    `in 15 s; p95 (ms) ${q.length ? `${Math.min(...q).toFixed(0)}..${Math.max(...q).toFixed(0)}` : '-'} over ${q.length} points`
  );
}

/** The timeline. Each step waits for its offset from t0 so the schedule holds whatever a step took. */
async function runTimeline(s: Stack, t0: number): Promise<void> {
  const at = async (offsetMs: number) => sleep(Math.max(0, t0 + offsetMs - Date.now()));
  const keepWorker = async (after: string) => {
    if (await workers!.ensure()) {
      notes.push(`worker had exited after ${after} (Prefect's worker gives up after repeated failed polls): restarted`);
    }
  };

  // 1. api-outage first: "the broad one wins" keeps a route-family insight quiet within 5 minutes (the episode
  // gap) of an outage or a pool exhaustion, so the work_pool hang must come more than 5 minutes after both. The
  // process freezes (SIGSTOP: the exporter stops answering scrapes too), is killed, and stays down until 2.5
  // minutes have passed; then it comes back with the tiny pool for the exhaustion.
  await at(secs('OUTAGE_AT', 60));
  const outage: Injected = { insight: 'api-outage', label: 'SIGSTOP, SIGKILL', start: Date.now(), end: 0, notes: [] };
  s.prefect.server.signal('SIGSTOP');
  // The bulk task runs go in while the server does not answer anyway, so their two or three minutes of writing
  // disturb no latency the scan judges; awaited before the count timeout reads them.
  const bulkStarted = Date.now();
  const bulk = COUNT
    ? insertTaskRuns(pg, s.database, BULK_TASK_RUNS).then(
        (rows) => `INSERT … SELECT generate_series: ${rows} after ${((Date.now() - bulkStarted) / 1000).toFixed(0)} s`
      )
    : undefined;
  await sleep(secs('FROZEN', 60));
  s.prefect.server.signal('SIGKILL');
  await s.prefect.server.exited();
  const killedAt = Date.now();
  await sleep(Math.max(0, outage.start + secs('DOWN', 150) - Date.now()));
  const restartedAt = Date.now();
  await s.prefect.restart(TINY_POOL);
  outage.end = Date.now();
  outage.notes.push(
    `SIGSTOP ${clock(outage.start)}, SIGKILL ${clock(killedAt)}, started again ${clock(restartedAt)} (pool 2/0/5 s), /ready ${clock(outage.end)}`
  );
  injected.push(outage);
  await sleep(5000);
  await keepWorker('the outage');

  // 2. db-pool-exhaustion: a second session locks flow_run, so the runs-page reads hold the two connections while
  // they wait and everything else queues for the pool until pool_timeout (5 s) and fails. The 25 readers ask for
  // what an open UI asks for (runs page, counts, deployments, the work pool), so many routes fail at once: with
  // runs-page reads alone, only flow_runs/filter answered for the first 30-40 s (the quiet driver's loops wait on
  // the lock too), which is a runs-page slowdown, not yet a broad one. Four minutes: the
  // signature must hold 2 minutes without a break, and the 5 s windows take 20-35 s to show the pile-up, so a
  // 2.5-minute exhaustion left 2.3 minutes at best (one fresh-clone run missed it).
  await at(secs('EXHAUSTION_AT', 270));
  const exhaustionSeconds = secs('EXHAUSTION', 240) / 1000;
  const lock1 = await holdTableLock(pg, s.database, 'flow_run', exhaustionSeconds);
  const hammer1 = startHammer(s, 'dashboard', 25, exhaustionSeconds, 5);
  background.push(hammer1);
  const exhaustion: Injected = {
    insight: 'db-pool-exhaustion',
    label: 'pool 2/0/5 s + flow_run lock',
    start: lock1.grantedAt,
    end: 0,
    notes: [],
  };
  const released1 = await lock1.released;
  const hammer1End = await finished(hammer1, 30_000);
  exhaustion.end = Math.max(released1, Date.now());
  exhaustion.notes.push(
    `LOCK TABLE flow_run IN ACCESS EXCLUSIVE MODE ${clock(lock1.grantedAt)}–${clock(released1)}; hammer.py --call dashboard --concurrency 25 --spread 5: ${hammer1End}`
  );
  injected.push(exhaustion);
  await keepWorker('the pool exhaustion');

  // 3. A restart under a minute, back into the roomy pool: must not be an api-outage. The server is down for 30 s
  // before it starts again (a bare restart takes under 10 s: no scrape would even miss it).
  await at(secs('RESTART_AT', 540));
  const restart: Injected = { insight: null, label: 'restart < 1 min', start: Date.now(), end: 0, notes: [] };
  await s.prefect.server.stop();
  await sleep(secs('RESTART_DOWN', 30));
  await s.prefect.restart(ROOMY_POOL);
  restart.end = Date.now();
  restart.notes.push(`SIGTERM, 30 s down, a new server with pool 5/10/5 s: answering /ready after ${took(restart)}`);
  injected.push(restart);

  // 4. A traffic bump: a second driver at twice the quiet loops and a fifth of the pause. Must not fire.
  await at(secs('BUMP_AT', 615));
  const bumpSeconds = secs('BUMP', 60) / 1000;
  const bump: Injected = { insight: null, label: 'traffic bump', start: Date.now(), end: 0, notes: [] };
  const bumpDriver = startDriver(s, {
    name: 'driver-bump',
    seconds: bumpSeconds,
    concurrency: 4,
    pause: 0.2,
    deploymentEvery: ONE_DEPLOYMENT_RUN,
  });
  background.push(bumpDriver);
  bump.notes.push(
    `load_driver.py --concurrency 4 --pause 0.2 beside the quiet one: ${await finished(bumpDriver, 60_000)}`
  );
  bump.end = Date.now();
  injected.push(bump);

  // 5. task-runs-count-timeout, more than 5 minutes after the exhaustion (the broad one would explain it). The
  // table holds the bulk task runs; the UI's count of them answers in 0.2-0.7 s here (2 M rows, measured), so size
  // alone does not reach the statement timeout on this box. What does on a table this size is what operators run
  // on it: VACUUM FULL task_run (40 s per 2 M rows here) holds ACCESS EXCLUSIVE for its whole length, and every
  // count waits until Prefect's statement timeout (10 s) cancels it: 500. The lock stands for a VACUUM FULL of a
  // table three or four times larger (2.5 min). Six dashboards ask for the task-run card's count meanwhile.
  if (bulk) {
    await countTimeout(s, at, await bulk);
  } else {
    notes.push(
      'not run (PREFECT_INCIDENTS_COUNT=0 left out the 2 M bulk task runs and the task_run lock): task-runs-count-timeout'
    );
  }

  if (FULL) {
    await fullTail(s, at);
  } else {
    // Said in the CI log, so an incident left out by an environment variable is never mistaken for one that passed.
    notes.push(
      'not run (the full timeline, about 35 min by hand: npm run test:prefect:full): read-work-pool-hang, ' +
        'http2-agent-stop, pending-deadlock, and the restart into a 30 s statement timeout'
    );
  }
  notes.push(
    'not made real on a live Prefect by this suite: runs-page-slow, stale-statistics (simulator scenarios only: ' +
      'tests/integration/scenarios.test.ts); api-overload-http-500 (on this box genuine overload answers 5xx only at ' +
      'pool_timeout, a db-pool-exhaustion by the contract: tests/prefect/README.md)'
  );
  // A tail of quiet traffic, so the last incident's end is followed by normal points.
  await sleep(secs('TAIL', 45));
}

/** Step 5 of the timeline (unless PREFECT_INCIDENTS_COUNT=0): the bulk task runs are in; see the comment above the call. */
async function countTimeout(s: Stack, at: (offsetMs: number) => Promise<unknown>, bulkDone: string): Promise<void> {
  await at(secs('COUNT_AT', 810));
  const countSeconds = secs('COUNT', 150) / 1000;
  const lock2 = await holdTableLock(pg, s.database, 'task_run', countSeconds);
  const counters = startHammer(s, 'task-count', COUNT_READERS, countSeconds, 5);
  background.push(counters);
  const count: Injected = {
    insight: 'task-runs-count-timeout',
    label: `task_run lock, ${COUNT_READERS} UI counts`,
    start: lock2.grantedAt,
    end: 0,
    notes: [bulkDone],
  };
  const released2 = await lock2.released;
  const countersEnd = await finished(counters, 30_000);
  count.end = released2;
  count.notes.push(
    `LOCK TABLE task_run IN ACCESS EXCLUSIVE MODE ${clock(lock2.grantedAt)}–${clock(released2)}; hammer.py --call task-count --concurrency ${COUNT_READERS} --spread 5: ${countersEnd}`
  );
  injected.push(count);
}

/**
 * The full timeline's incidents, which need a long silence: by hand only.
 *
 * read-work-pool-hang, then http2-agent-stop: a second session locks work_pool while 8 readers, started over 10 s,
 * ask for the pool; each read waits for the lock until the statement timeout (10 s) and fails, 8 of 15 connections
 * wait and the rest of the API keeps its pace. The lock also fails the real worker's polls; Prefect's worker backs
 * off (critical_service_loop: 3 failures, then the interval doubles, 4 times) and exits after about 9.5 minutes.
 * The lock ends with the worker, and the API then serves 11 minutes without a poll before a new worker starts.
 * One lock for both keeps the hang's end and the silence's start apart from any other work_pool trouble (a second
 * lock within 5 minutes of the first made them one episode).
 *
 * Inside the silence: a restart into a 30 s statement timeout (a decoy), then pending-deadlock: 6 clients with
 * PREFECT_API_REQUEST_TIMEOUT=20 move flow runs of their own between Running and Pending while a second session
 * holds those rows FOR UPDATE for 3 minutes, so each set_state waits past the client's timeout until the statement
 * timeout (30 s) fails it. Reads and new runs pass (a table lock in EXCLUSIVE mode stalled every driver loop, which
 * is an outage by the contract, not a deadlock).
 */
async function fullTail(s: Stack, at: (offsetMs: number) => Promise<unknown>): Promise<void> {
  await at(secs('HANG_AT', COUNT ? 1050 : 870));
  const maxLock = secs('AGENT_LOCK', 720);
  const lock = await holdTableLock(pg, s.database, 'work_pool', maxLock / 1000);
  const readers = startHammer(s, 'work-pool', HANG_READERS, maxLock / 1000, 10);
  background.push(readers);
  while (!workers!.exited() && Date.now() < lock.grantedAt + maxLock) {
    await sleep(1000);
  }
  const agent: Injected = {
    insight: 'http2-agent-stop',
    label: 'worker gives up',
    start: Date.now(),
    end: 0,
    notes: [],
  };
  agent.notes.push(
    workers!.exited()
      ? `worker exited ${clock(agent.start)}, ${took({ ...agent, start: lock.grantedAt, end: agent.start })} into the lock`
      : 'the worker did not exit'
  );
  await readers.stop();
  await pg.psql(
    s.database,
    `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE relation = 'work_pool'::regclass AND mode = 'AccessExclusiveLock' AND granted`
  );
  const released = await lock.released.catch(() => Date.now());
  injected.push({
    insight: 'read-work-pool-hang',
    label: 'work_pool lock until the worker exits',
    start: lock.grantedAt,
    end: released,
    notes: [
      `LOCK TABLE work_pool IN ACCESS EXCLUSIVE MODE ${clock(lock.grantedAt)}–${clock(released)}; hammer.py --call work-pool --concurrency ${HANG_READERS} --spread 10 until the worker exited`,
    ],
  });

  await sleep(60_000);
  const r: Injected = {
    insight: null,
    label: 'restart (statement timeout 30 s)',
    start: Date.now(),
    end: 0,
    notes: [],
  };
  await s.prefect.restart(LONGER_STATEMENTS);
  r.end = Date.now();
  r.notes.push(`answering /ready after ${took(r)}`);
  injected.push(r);

  await sleep(60_000);
  const deadlockSeconds = secs('DEADLOCK', 180) / 1000;
  const setters = startHammer(s, 'set-state', SET_STATE_CLIENTS, deadlockSeconds + 40, 30, {
    PREFECT_API_REQUEST_TIMEOUT: String(CLIENT_TIMEOUT_S),
  });
  background.push(setters);
  // The set-state clients create their runs at start; the row locks must find them there.
  await sleep(10_000);
  const rows = await holdRowLocks(pg, s.database, 'flow_run', deadlockSeconds);
  const deadlock: Injected = {
    insight: 'pending-deadlock',
    label: 'flow_run rows FOR UPDATE',
    start: rows.grantedAt,
    end: await rows.released,
    notes: [],
  };
  deadlock.notes.push(
    `SELECT … FROM flow_run FOR UPDATE ${clock(deadlock.start)}–${clock(deadlock.end)}; hammer.py --call set-state --concurrency ${SET_STATE_CLIENTS} --spread 30 (PREFECT_API_REQUEST_TIMEOUT=${CLIENT_TIMEOUT_S}): ${await finished(setters, 60_000)}`
  );
  injected.push(deadlock);

  await sleep(Math.max(0, agent.start + secs('AGENT_SILENCE', 660) - Date.now()));
  await workers!.ensure();
  agent.end = Date.now();
  agent.notes.push(`a new worker started ${clock(agent.end)}`);
  injected.push(agent);
}

/** How long a stretch took, for the report. */
const took = (i: Injected) => `${((i.end - i.start) / 1000).toFixed(1)} s`;

let quietDriver: ManagedProcess | undefined;

beforeAll(async () => {
  ensureVenv();
  const build = await sh('npm', ['run', '--silent', 'build:cli']);
  expect(build.code).toBe(0);
  pg = await startPostgres();
  stack = await startStack(setup, pg, ROOMY_POOL);
  workers = new Workers(stack);
  // The quiet traffic leaves the work-pool routes to the real worker, so the work_pool lock below stalls the worker
  // and the pool readers, not every driver loop (a loop waiting 10 s on a pool read sends nothing else). It also
  // makes a single deployment run per loop: Prefect loads a flow run's work queue and pool with it (runs pages,
  // GET flow_runs/{id}, set_state), so while work_pool is locked every read of a page holding deployment runs hangs
  // too (seen: flow_runs/filter 22 of 22 answered 500 after 10 s), and the API is no longer "near baseline".
  quietDriver = startDriver(stack, {
    name: 'driver-quiet',
    seconds: 3600,
    concurrency: 2,
    pause: 1.0,
    noPoolCalls: true,
    deploymentEvery: ONE_DEPLOYMENT_RUN,
  });
  background.push(quietDriver);
  const t0 = Date.now();
  await runTimeline(stack, t0);
  const to = Date.now();
  // One more export (5 s) and scrape (5 s), with margin, before the scan reads the end.
  await sleep(15_000);
  const args = [
    'scan',
    '--prometheus',
    stack.prometheusUrl,
    '--from',
    String(Math.floor(t0 / 1000)),
    '--to',
    String(Math.ceil(to / 1000) + 10),
    '--pool-timeout',
    '5',
    '--pool-size',
    '2',
    '--max-overflow',
    '0',
  ];
  if (FULL) {
    args.push('--statement-timeout', '30', '--request-timeout', String(CLIENT_TIMEOUT_S));
  }
  const json = await sh(process.execPath, [CLI, ...args, '--format', 'json']);
  if (json.code !== 0) {
    throw new Error(`scan failed (${json.code}): ${json.stderr}`);
  }
  const out = JSON.parse(json.stdout) as {
    metric: { name: string };
    insights: Array<{ id: string; start: string; end: string; evidence: { summary: string } }>;
  };
  const found: FoundInsight[] = out.insights.map((i) => ({
    id: i.id,
    start: Date.parse(i.start),
    end: Date.parse(i.end),
    summary: i.evidence.summary,
  }));
  ({ verdicts, unexplained } = judge(injected, found));
  const requests = readRequests(stack.requestLog);
  for (const inj of injected) {
    inj.notes.push(`clients were answered: ${answers(requests, inj.start, inj.end)}`);
  }
  const hang = injected.find((i) => i.insight === 'read-work-pool-hang');
  if (hang) {
    hang.notes.push(`work-pool reads: ${answers(requests, hang.start, hang.end, /^\/api\/work_pools\/[^/]+$/)}`);
  }
  const counted = injected.find((i) => i.insight === 'task-runs-count-timeout');
  if (counted) {
    counted.notes.push(
      `task-run counts: ${answers(requests, counted.start, counted.end, /^\/api\/task_runs\/count$/)}`
    );
  }
  if (hang) {
    hang.notes.push(await workPoolSeries(stack.prometheusUrl, out.metric.name, hang));
  }
  const serverLog = join(stack.dir, 'server.log');
  header = [
    `\n=== incident timeline on setup ${setup.id}: ${setup.title}`,
    `metric: ${out.metric.name}; timeline ${clock(t0)}–${clock(to)} (${((to - t0) / MIN).toFixed(1)} min)`,
    `scan:   prefect-insights ${args.slice(0, 1).concat(args.slice(3)).join(' ')}`,
  ];
  notes.push(
    `server log: "QueuePool limit of size 2 overflow 0 reached" ×${countInLog(serverLog, 'QueuePool limit of size 2 overflow 0 reached')}, ` +
      `"QueuePool limit" (any size) ×${countInLog(serverLog, 'QueuePool limit')}, TimeoutError ×${countInLog(serverLog, 'TimeoutError')}`
  );
  if (process.env.PREFECT_KEEP_LOGS) {
    notes.push(`logs kept in ${stack.dir}`);
  }
}, 90 * MIN);

afterAll(async () => {
  for (const p of background) {
    await p.stop();
  }
  await workers?.stop();
  await stack?.stop();
  await pg?.stop();
  process.stdout.write(formatIncidentTable(header, verdicts, unexplained, notes) + '\n');
});

const expected = [
  'db-pool-exhaustion',
  'api-outage',
  ...(COUNT ? ['task-runs-count-timeout'] : []),
  ...(FULL ? ['read-work-pool-hang', 'pending-deadlock', 'http2-agent-stop'] : []),
];

describe('incident timeline on a real Prefect (setup a)', () => {
  it.each(expected)('the scan finds %s once, within a minute of its edges', (id) => {
    const v = verdicts.find((x) => x.injected.insight === id);
    expect(v).toBeDefined();
    expect(v!.why).toMatch(/^found/);
    expect(v!.ok).toBe(true);
  });

  it('short restarts and the traffic bump raise nothing', () => {
    const quiet = verdicts.filter((v) => v.injected.insight === null);
    expect(quiet.length).toBeGreaterThanOrEqual(2);
    expect(quiet.filter((v) => !v.ok).map((v) => `${v.injected.label}: ${v.why}`)).toEqual([]);
  });

  it('no insight fires that was not injected', () => {
    expect(unexplained.map((f) => `${f.id} ${clock(f.start)}–${clock(f.end)}: ${f.summary}`)).toEqual([]);
  });
});
