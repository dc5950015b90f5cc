// A real Prefect 3.9.1 on PostgreSQL under OpenTelemetry judges the plugin (issue 7, item 2): for each way
// operators get the latency into Prometheus, a bounded load through Prefect's own client and a real worker, then
// the data source's real code path and the built `prefect-insights scan` against what the clients recorded.
import { join } from 'node:path';
import { dateTime, type DataFrame } from '@grafana/data';
import { labelRef, metricSelector } from '../../src/prometheus/escape';
import { isMountPoint } from '../../src/prometheus/mountPoint';
import { normalizeRoute } from '../../src/prometheus/routes';
import { panelRange } from '../../src/datasource/panelQueries';
import type { ResolvedMetric } from '../../src/prometheus/types';
import { promQuery, startPrometheus } from '../harness/prometheus';
import { dataSource, installGrafanaStandIns, run, upstreams } from '../integration/grafanaStandIns';
import { bucketIndex, seriesByLabel } from '../integration/groundTruth';
import { byRoute, fetchTemplates, quantile, readRequests, type RouteTruth } from './harness/groundTruth';
import { startPostgres, type RunningPostgres } from './harness/postgres';
import { runDriver } from './harness/prefectServer';
import { startDriver } from './harness/timeline';
import { SETUPS, type Setup } from './harness/setups';
import { SCRAPE_SECONDS, startStack, type Stack } from './harness/stack';
import { waitForDescendants } from './harness/process';
import { ROOT, ensureVenv } from './harness/venv';
import { recordTraffic, replayOpenMetrics } from './harness/replay';
import { printTable, type SetupReport } from './report';
import { sh as runCommand } from './harness/sh';
import { stderrBesidesInfos } from '../harness/cliStderr';

/** Seconds of load per setup: enough for ~1000 requests, short enough for six setups in CI. */
const LOAD_SECONDS = Number(process.env.PREFECT_LOAD_SECONDS ?? 45);
/** After the load: deployment runs finish, then one export (5 s) and one scrape (5 s) more, with margin. */
const DRAIN_MS = 12_000;
const SETTLE_MS = 14_000;
/** The worker's last flow-run processes finish within this after the load (a few seconds each, tens on busy cores). */
const FLOW_RUNS_EXIT_MS = 120_000;
/** Requests per route the server may count without a client record (see the count check). */
const UNRECORDED_SLACK = 2;
/** Routes only the harness itself calls (readiness polls, the OpenAPI document): no client recorded them. */
const HARNESS_ROUTES = new Set(['GET /ready', 'GET /openapi.json', 'GET /health']);
/**
 * A panel interval whose step puts all of [fromMs, toMs] in the last point's rate window. The panel aligns its
 * points to multiples of the step and the test reads the last one, at the first multiple after the load, whose window
 * reaches back one step: with a fixed hour that window began at the hour boundary whenever the load crossed one, and held only the
 * load's tail (CI, 2026-12-06 15:00 UTC: setup d's work-pool poll "plugin p95 0.0243 s" from its last few calls
 * against the clients' 0.17-0.33 s). So the interval given is the first whole hour for which the panel's own step
 * (panelRange) has no multiple inside the load.
 */
function coveringIntervalMs(fromMs: number, toMs: number, scrapeSeconds: number): number {
  const window = { start: fromMs / 1000, end: toMs / 1000 };
  for (let hours = 1; hours <= 168; hours++) {
    const { step } = panelRange({ window, intervalMs: hours * 3600_000, scrapeSeconds });
    if (Math.floor(window.start / step) === Math.floor(window.end / step)) {
      return hours * 3600_000;
    }
  }
  throw new Error(
    `no step from 1 h to 7 days leaves ${new Date(fromMs).toISOString()}–${new Date(toMs).toISOString()} whole`
  );
}

const MIN_REQUESTS_FOR_P95 = 30;
const CLI = join(ROOT, 'dist-cli/prefect-insights.js');
/**
 * The setup whose quiet load is judged against a real baseline as well (issue 16): b, the pushed one (OTLP into
 * Prometheus 3, no `up`), where a silence is judged by the traffic before it. Its load runs longer and carries a
 * traffic bump (a second driver) for longer than the contract's 2 minutes of persistence: a window that matches its
 * baseline cannot trip even a broken detector, and one shorter than 2 minutes cannot raise anything at all.
 */
const BASELINE_SETUP = process.env.PREFECT_QUIET_BASELINE_SETUP ?? 'b';
const BASELINE_LOAD_SECONDS = 200;
/** The steady load before the bump, replayed as the look-back: from BASELINE_FROM_S to BUMP_AT_S into the load. */
const BASELINE_FROM_S = 10;
const BUMP_AT_S = 40;
const BUMP_SECONDS = 150;
const BASELINE_HISTORY_MS = 35 * 60_000;

const only = process.env.PREFECT_SETUPS?.split(',').map((s) => s.trim());
const setups = only ? SETUPS.filter((s) => only.includes(s.id)) : SETUPS;
const reports: SetupReport[] = [];
let pg: RunningPostgres;

const sh = (file: string, args: string[], timeoutMs = 180_000) => runCommand(file, args, timeoutMs);

const clientQuantiles = (seconds: number[]) => ({
  driverP95: quantile(seconds, 0.95),
  driverP90: quantile(seconds, 0.9),
  driverP99: quantile(seconds, 0.99),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (method: string, route: string) => `${method} ${normalizeRoute(route)}`;

beforeAll(async () => {
  ensureVenv();
  installGrafanaStandIns();
  const build = await sh('npm', ['run', '--silent', 'build:cli']);
  expect(build.code).toBe(0);
  pg = await startPostgres();
}, 900_000);

afterAll(async () => {
  await pg?.stop();
  printTable(reports);
});

describe.each(setups)('setup $id: $title', (setup: Setup) => {
  let stack: Stack;
  let truth: Map<string, RouteTruth>;
  /** Latencies of the long-lived clients only (see the p95 test). */
  let warm: Map<string, RouteTruth>;
  let loadFrom: number;
  let loadTo: number;
  let metric: ResolvedMetric;
  const uid = `prom-prefect-${setup.id}`;
  const report: SetupReport = { id: setup.id, title: setup.title, routes: [], notes: [] };
  reports.push(report);

  beforeAll(async () => {
    stack = await startStack(setup, pg);
    report.command = stack.prefect.command;
    loadFrom = Date.now();
    const long = setup.id === BASELINE_SETUP;
    // A near miss of api-overload-http-500 on top of the quiet load: a second driver (about 1.7× the traffic) for
    // 2.5 minutes, no 5xx. Both drivers start a deployment run only when each loop starts: a flow-run process
    // starting takes both cores for seconds, and with one per 40 iterations (the driver's default) the request rate
    // fell to a tenth every minute or so, which no 2-minute signature survives, broken or not.
    const quietDriver = (name: string, seconds: number, concurrency: number) =>
      startDriver(stack, { name, seconds, concurrency, pause: 0.3, deploymentEvery: 1_000_000_000 });
    let driverPid: number;
    let bumpPid: number | undefined;
    if (long) {
      const main = quietDriver('driver', BASELINE_LOAD_SECONDS, 3);
      await sleep(BUMP_AT_S * 1000);
      const bump = quietDriver('driver-bump', BUMP_SECONDS, 4);
      expect(await bump.exited()).toBe(0);
      expect(await main.exited()).toBe(0);
      driverPid = main.pid;
      bumpPid = bump.pid;
    } else {
      driverPid = await runDriver(stack.prefect.apiUrl, stack.dir, stack.pool, stack.requestLog, {
        seconds: LOAD_SECONDS,
      });
    }
    await sleep(DRAIN_MS);
    // A flow-run process ended by the worker's stop dies mid-request: the server counts the call, the client never
    // records it (seen in a fresh-clone run: GET /flow_runs/{id} 3 over the clients' count on two busy cores). So the
    // worker stops only once every flow run it started has exited by itself.
    const waitFrom = Date.now();
    const running = await waitForDescendants(stack.worker, FLOW_RUNS_EXIT_MS);
    expect(running).toEqual([]);
    report.notes.push(
      `worker's flow-run processes all exited ${((Date.now() - waitFrom) / 1000).toFixed(1)} s after the drain`
    );
    await stack.worker.stop();
    loadTo = Date.now();
    await sleep(SETTLE_MS);
    const templates = await fetchTemplates(stack.prefect.apiUrl);
    const requests = readRequests(stack.requestLog);
    const keyed = (m: Map<string, RouteTruth>) => new Map([...m].map(([, t]) => [key(t.method, t.route), t]));
    truth = keyed(byRoute(templates, requests));
    const longLived = new Set([driverPid, stack.worker.pid, ...(bumpPid ? [bumpPid] : [])]);
    warm = keyed(
      byRoute(
        templates,
        requests.filter((r) => longLived.has(r.pid))
      )
    );
    upstreams.set(uid, stack.prometheusUrl);
    metric = await dataSource(uid).resolveMetric({ start: loadFrom / 1000 - 60, end: Date.now() / 1000 });
    report.metric = `${metric.name} (${metric.kind}, ${metric.unit})`;
    report.selector = metric.selector;
  }, 900_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('Save & test resolves the metric and names it', async () => {
    const res = await dataSource(uid, { scrapeIntervalSeconds: SCRAPE_SECONDS }).testDatasource();
    report.saveAndTest = res.message;
    expect(res.status).toBe('success');
    expect(res.message).toContain(`\`${setup.expect.metric}\``);
    expect(res.message).toContain(`route label \`${setup.expect.routeLabel}\``);
    expect(metric.kind).toBe(setup.expect.kind);
    if (setup.expect.doubled) {
      expect(res.message).toMatch(/read double/);
    } else {
      expect(res.message).not.toMatch(/read double/);
    }
  });

  it('lists real route templates, never the collapsed /api mount point', async () => {
    const values = await dataSource(uid).metricFindQuery('routes()', {
      range: { from: dateTime(loadFrom - 60_000), to: dateTime(Date.now()), raw: { from: '', to: '' } },
    });
    const routes = values.map((v) => String(v.text));
    report.rawRoutes = routes.slice().sort();
    expect(routes.filter(isMountPoint)).toEqual([]);
    const normalised = new Set(routes.map((r) => normalizeRoute(r)));
    for (const t of truth.values()) {
      expect(normalised).toContain(normalizeRoute(t.route));
    }
    expect(normalised).toContain('/flow_runs/{id}/set_state');
    expect(normalised).toContain('/work_pools/{name}');
  });

  it(`counts each route as often as the clients called it, ${
    setup.expect.doubled ? 'twice (root app and mounted app both record it; Save & test says so)' : 'once'
  }`, async () => {
    const by = [labelRef(metric.labels.route), labelRef(metric.labels.method!)].join(', ');
    const expr =
      metric.kind === 'classic'
        ? `sum by (${by}) (${metricSelector(`${metric.name}_count`, [metric.selector])})`
        : `sum by (${by}) (histogram_count(${metricSelector(metric.name, [metric.selector])}))`;
    const result = await promQuery<Array<{ metric: Record<string, string>; value: [number, string] }>>(
      stack.prometheusUrl,
      expr,
      { time: Date.now() / 1000 }
    );
    const seen = new Map<string, number>();
    for (const r of result) {
      const k = key(r.metric[metric.labels.method!], r.metric[metric.labels.route] ?? '');
      seen.set(k, (seen.get(k) ?? 0) + Number(r.value[1]));
    }
    const factor = setup.expect.doubled ? 2 : 1;
    const mismatches: string[] = [];
    for (const [k, t] of truth) {
      const got = seen.get(k) ?? 0;
      report.routes.push({
        route: k,
        driver: t.count,
        prometheus: got,
        ...clientQuantiles((warm.get(k) ?? t).seconds),
      });
      // The server may count a request whose client record was never written: the worker's own call in flight when
      // it is stopped (its flow runs have all exited by then, see beforeAll) or one still in flight when the records
      // are read (seen in CI, before the wait for flow runs: 1-3 extra on up to 3 of 24 routes). A few such requests are allowed above the clients' count, never below it; a layer counted twice
      // would be off by the whole count.
      if (got < factor * t.count || got > factor * (t.count + UNRECORDED_SLACK)) {
        mismatches.push(`${k}: clients ${t.count}, Prometheus ${got}`);
      }
    }
    const unknown = new Set([...seen.keys()].filter((k) => !truth.has(k) && !HARNESS_ROUTES.has(k)));
    // Each with its series' own labels (status code, raw route) and count, so that a request no client recorded names
    // itself: once in CI a `GET /` appeared on setup a (old conventions) whose source the key alone could not tell.
    const unknownSeries =
      unknown.size === 0
        ? []
        : (
            await promQuery<Array<{ metric: Record<string, string>; value: [number, string] }>>(
              stack.prometheusUrl,
              metric.kind === 'classic'
                ? metricSelector(`${metric.name}_count`, [metric.selector])
                : `histogram_count(${metricSelector(metric.name, [metric.selector])})`,
              { time: Date.now() / 1000 }
            )
          )
            .filter((r) => unknown.has(key(r.metric[metric.labels.method!], r.metric[metric.labels.route] ?? '')))
            .map((r) => `${JSON.stringify(r.metric)} = ${r.value[1]}`);
    expect({ unknown: [...unknown], series: unknownSeries }).toEqual({ unknown: [], series: [] });
    expect(mismatches).toEqual([]);
    // Even on two busy cores (p95 of seconds) the load makes a few hundred requests.
    expect([...truth.values()].reduce((n, t) => n + t.count, 0)).toBeGreaterThan(150);
  });

  it('p95 per route within one bucket of the latencies the clients measured', async () => {
    const res = await run(
      dataSource(uid, { scrapeIntervalSeconds: SCRAPE_SECONDS }),
      [{ refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] }],
      loadFrom - 60_000,
      loadTo,
      {},
      coveringIntervalMs(loadFrom - 60_000, loadTo, SCRAPE_SECONDS)
    );
    expect(res.errors).toBeUndefined();
    const byLabel = seriesByLabel(res.data as DataFrame[], metric.labels.route);
    const byKey = new Map<string, number>();
    for (const [route, s] of byLabel) {
      const last = s.values.filter((v) => Number.isFinite(v)).pop();
      if (last !== undefined) {
        byKey.set(normalizeRoute(route), last);
      }
    }
    let checked = 0;
    const off: string[] = [];
    // Latency truth comes from the long-lived clients (driver and worker). A flow-run process's first calls carry
    // its own start-up on the client side (seen: GET /deployments/{id} 0.9 s at the client, 0.35 s in the server).
    for (const row of report.routes) {
      const t = warm.get(row.route);
      if (!t || t.count < MIN_REQUESTS_FOR_P95) {
        continue;
      }
      const got = byKey.get(normalizeRoute(t.route));
      row.pluginP95 = got;
      if (got === undefined) {
        off.push(`${row.route}: no p95 from the plugin`);
        continue;
      }
      checked++;
      // A p95 from a few dozen requests is itself uncertain: its sampling interval reaches about from the clients'
      // p90 to their p99. The plugin's p95 must fall within one bucket of that interval (classic), or within a
      // quarter of it (native, whose buckets are a few % wide; the rest is the client's own overhead). The server
      // times every client's requests, the flow-run processes' too: under CPU contention those arrive in bursts
      // as the processes start, and the server is slow for everyone then (seen: e's native p95 0.361 s beside
      // long-lived clients' p99 0.280 s). So the interval's top is the p99 of all clients, its bottom the p90 of
      // the long-lived ones (no start-up overhead of their own).
      const all = truth.get(row.route);
      const lo = quantile(t.seconds, 0.9);
      const hi = Math.max(quantile(t.seconds, 0.99), all ? quantile(all.seconds, 0.99) : 0);
      const close =
        metric.kind === 'classic'
          ? bucketIndex(metric.buckets, got) >= bucketIndex(metric.buckets, lo) - 1 &&
            bucketIndex(metric.buckets, got) <= bucketIndex(metric.buckets, hi) + 1
          : got >= 0.75 * lo - 0.005 && got <= 1.25 * hi + 0.005;
      if (!close) {
        off.push(`${row.route}: clients p90..p99 ${lo.toFixed(4)}..${hi.toFixed(4)} s, plugin p95 ${got.toFixed(4)} s`);
      }
    }
    expect(off).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('prefect-insights scan resolves the same metric and finds nothing in quiet load', async () => {
    const args = ['scan', '--prometheus', stack.prometheusUrl, '--from', String(Math.floor(loadFrom / 1000) - 60)];
    const json = await sh(process.execPath, [CLI, ...args, '--to', 'now', '--format', 'json']);
    // The stack is a few minutes old by design, so the scan says that it read the interval from partial windows
    // (src/insights/engine/youngSeries.ts): that info, and nothing else besides PromQL's infos.
    expect(stderrBesidesInfos(json.stderr, { youngSeries: true })).toBe('');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.metric.name).toBe(setup.expect.metric);
    expect(out.metric.labels.route).toBe(setup.expect.routeLabel);
    report.scanInsights = out.insights.map((i: { id: string }) => i.id);
    expect(out.insights).toEqual([]);
    const table = await sh(process.execPath, [CLI, ...args, '--to', 'now']);
    expect(table.code).toBe(0);
    if (metric.selector.includes('!=')) {
      expect(table.stdout).toContain(metric.selector);
    }
  });

  // The scan above has an empty look-back: no baseline-relative rule can fire there. This one gives it the same
  // server's own traffic as history (tests/prefect/harness/replay.ts), and must still find nothing. README, "quiet
  // load", says how it was shown to fail with a detector broken on purpose.
  // Only on one setup (the others keep their 45 s load), registered there alone: no skipped test elsewhere.
  const baselineIt = setup.id === BASELINE_SETUP ? it : undefined;
  baselineIt?.(
    "finds nothing in quiet load judged against a baseline of the same server's recorded traffic",
    async () => {
      expect(metric.kind).toBe('classic');
      // The window starts where the replayed look-back ends: the steady load before the bump, then the bump.
      const windowFrom = loadFrom + BASELINE_FROM_S * 1000;
      const recorded = await recordTraffic(stack.prometheusUrl, metric.name, loadFrom - 60_000, loadTo);
      expect(recorded.series.length).toBeGreaterThan(0);
      const segment = { from: windowFrom, to: loadFrom + BUMP_AT_S * 1000 };
      const replay = replayOpenMetrics(recorded, segment, BASELINE_HISTORY_MS);
      const prom = await startPrometheus({ engine: 'prometheus2', openMetrics: replay.text });
      try {
        // The look-back really holds the server's traffic (every baseline has values), and the bump really is one.
        const rateAt = async (t: number, window = '5m') => {
          const r = await promQuery<Array<{ value: [number, string] }>>(
            prom.url,
            `sum(rate(${metric.name}_count[${window}]))`,
            { time: t / 1000 }
          );
          return r.length > 0 ? Number(r[0].value[1]) : 0;
        };
        const before = [await rateAt(windowFrom), await rateAt(windowFrom - 30 * 60_000)];
        const bumped = await rateAt(loadFrom + (BUMP_AT_S + BUMP_SECONDS) * 1000, '2m');
        report.notes.push(
          `quiet load against a baseline: ${replay.copies} copies of the load's first ${
            BUMP_AT_S - BASELINE_FROM_S
          } s replayed over ${Math.round((windowFrom - replay.historyFrom) / 60_000)} min before it; request rate ` +
            `${before.map((r) => r.toFixed(1)).join(' / ')} req/s in the look-back, ${bumped.toFixed(1)} req/s ` +
            `over the bump's last 2 minutes (×${(bumped / before[0]).toFixed(2)})`
        );
        for (const r of before) {
          expect(r).toBeGreaterThan(0);
        }
        expect(before[1] / before[0]).toBeCloseTo(1, 0);
        // The bump's size is reported, not asserted: the load's first seconds (the look-back's source) can be as busy
        // as the bump on two shared cores (seen: 87.7 req/s before, 80.2 during), and the scan must be quiet anyway.
        const args = ['scan', '--prometheus', prom.url, '--from', String(Math.floor(windowFrom / 1000))];
        const json = await sh(process.execPath, [
          CLI,
          ...args,
          '--to',
          String(Math.ceil(loadTo / 1000)),
          '--format',
          'json',
        ]);
        expect(stderrBesidesInfos(json.stderr)).toBe('');
        expect(json.code).toBe(0);
        const out = JSON.parse(json.stdout);
        expect(out.metric.name).toBe(setup.expect.metric);
        const found = out.insights.map(
          (i: { id: string; start: string; end: string; evidence: { summary: string } }) =>
            `${i.id} ${i.start}–${i.end}: ${i.evidence.summary}`
        );
        report.notes.push(`quiet load against a baseline, scan found: ${found.join('; ') || 'nothing'}`);
        expect(found).toEqual([]);
      } finally {
        await prom.stop();
      }
    }
  );
});
