// The data source's real code path (query, metricFindQuery, testDatasource, annotations) against a real Prometheus,
// through a BackendSrv stand-in that serves the Prometheus data source's resource route as Grafana does. Expected
// values come from the simulator's ground truth, not from the code under test.
import { firstValueFrom, type Subscription } from 'rxjs';
import { dateTime, type DataFrame } from '@grafana/data';
import type { PrefectQuery } from '../../src/datasource/types';
import { freePort, startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { buildTimeline, getConvention, toOpenMetrics, type ConventionId, type Timeline } from '../../tools/simulator';
import {
  dataSource,
  hooks,
  inFlight,
  installGrafanaStandIns,
  request,
  requestLog,
  run,
  upstreams,
  setVariable,
} from './grafanaStandIns';
import { ALL } from '../../src/test/sceneTemplateSrv';
import { TRUTH_INTERVAL_MS, checkQuantilesAndRates, middle, seriesByLabel } from './groundTruth';

const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}', '/work_pools/{name}'];

interface Env {
  prom: RunningPrometheus;
  timeline: Timeline;
  uid: string;
}

async function startConvention(
  convention: ConventionId,
  otherService = false,
  scrapeIntervalSeconds = 15
): Promise<Env> {
  const timeline = buildTimeline({
    seed: 7,
    convention,
    scrapeIntervalSeconds,
    // Six hours ending an hour ago: inside Save & test's 24-hour look-back.
    start: Math.floor((Date.now() - 7 * 3600_000) / 60_000) * 60_000,
    days: 0.25,
    include: [],
    routes: ROUTES,
    otherService,
  });
  const prom = await startPrometheus({ openMetrics: toOpenMetrics(timeline) });
  const uid = `prom-${convention}-${scrapeIntervalSeconds}s`;
  upstreams.set(uid, prom.url);
  return { prom, timeline, uid };
}

const p95Query: PrefectQuery = { refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] };
const rateQuery: PrefectQuery = { refId: 'B', queryType: 'rate', groupBy: ['route'] };

beforeAll(() => {
  installGrafanaStandIns();
});

describe('prefect convention', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startConvention('prefect');
  });
  afterAll(async () => {
    await env?.prom.stop();
  });

  it('returns p95 within one bucket and rates within noise of the ground truth', async () => {
    const ds = dataSource(env.uid);
    const { from, to } = middle(env);
    const res = await run(ds, [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
    expect(res.errors).toBeUndefined();
    const p95 = res.data.filter((f: DataFrame) => f.refId === 'A');
    const rate = res.data.filter((f: DataFrame) => f.refId === 'B');
    expect(p95).toHaveLength(ROUTES.length);
    expect(p95[0].fields[1].config.unit).toBe('s');
    expect(rate[0].fields[1].config.unit).toBe('reqps');
    checkQuantilesAndRates(env, { p95, rate }, 'http_route');
  });

  it('testDatasource names the metric, its labels and the route count', async () => {
    const res = await dataSource(env.uid).testDatasource();
    expect(res).toMatchObject({ status: 'success' });
    expect(res.message).toContain('prefect_server_api_request_duration_seconds');
    expect(res.message).toContain('http_route');
    expect(res.message).toContain('http_request_method');
    expect(res.message).toContain(`${ROUTES.length} routes`);
  });

  it('lists routes for template variables', async () => {
    const values = await dataSource(env.uid).metricFindQuery('routes()', {
      range: { from: dateTime(env.timeline.start), to: dateTime(env.timeline.end), raw: { from: '', to: '' } },
    });
    expect(values.map((v) => v.text).sort()).toEqual(ROUTES.map((r) => `/api${r}`).sort());
  });

  it('filters by a multi-value template variable', async () => {
    setVariable('route', ['/api/flow_runs/filter', '/api/flow_runs/{id}']);
    const { from, to } = middle(env);
    const res = await run(dataSource(env.uid), [{ ...p95Query, routes: ['$route'] }], from, to);
    expect(res.errors).toBeUndefined();
    expect(res.data.map((f: DataFrame) => f.fields[1].labels?.http_route).sort()).toEqual([
      '/api/flow_runs/filter',
      '/api/flow_runs/{id}',
    ]);
  });

  it('"All" with the dashboards\' allValue ".*" selects every route (Scenes hands the all value out unformatted)', async () => {
    setVariable('route', { value: [ALL], options: ['/api/flow_runs/filter'], includeAll: true, allValue: '.*' });
    const { from, to } = middle(env);
    const res = await run(dataSource(env.uid), [{ ...rateQuery, routes: ['$route'] }], from, to);
    expect(res.errors).toBeUndefined();
    expect(res.data.map((f: DataFrame) => f.fields[1].labels?.http_route).sort()).toEqual(
      ROUTES.map((r) => `/api${r}`).sort()
    );
  });

  it('a hostile route value selects nothing and injects no series', async () => {
    const hostile = '"} or vector(1) #';
    setVariable('hostile', [hostile, `${hostile}\n`]);
    const { from, to } = middle(env);
    const ds = dataSource(env.uid);
    for (const routes of [[hostile], ['$hostile']]) {
      const res = await run(ds, [{ ...rateQuery, routes, groupBy: [] }], from, to);
      expect(res.errors).toBeUndefined();
      const values = res.data.flatMap((f: DataFrame) => f.fields[1].values as number[]);
      // vector(1) would show up as a series of ones
      expect(values.filter((v) => v === 1)).toEqual([]);
      expect(res.data).toHaveLength(0);
    }
  });

  it('unsubscribing aborts the HTTP request in flight', async () => {
    const ds = dataSource(env.uid);
    const { from, to } = middle(env);
    // A first query resolves the metric and measures the scrape interval (both cached, shared by all panels), so
    // the only request of the next query is its range query.
    await run(ds, [p95Query], from, to);
    inFlight.length = 0;
    let subscription: Subscription | undefined;
    const started = new Promise<void>((resolve) => {
      hooks.onRequest = (path) => {
        if (path.includes('query_range')) {
          resolve();
        }
      };
    });
    subscription = ds.query(request([p95Query], from, to)).subscribe(() => {
      throw new Error('a cancelled query must not emit');
    });
    await started;
    subscription.unsubscribe();
    hooks.onRequest = undefined;
    const ranges = inFlight.filter((r) => r.path.includes('query_range'));
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((r) => r.signal.aborted)).toBe(true);
  });

  it('names what it looked for when the metric is absent', async () => {
    const { from, to } = middle(env);
    const res = await run(
      dataSource(env.uid, { overrides: { metric: 'no_such_latency_seconds' } }),
      [p95Query],
      from,
      to
    );
    expect(res.data).toEqual([]);
    expect(res.errors?.[0].message).toContain('no_such_latency_seconds');
    expect(res.errors?.[0].refId).toBe('A');
    const test = await dataSource(env.uid, { overrides: { metric: 'no_such_latency_seconds' } }).testDatasource();
    expect(test.status).toBe('error');
    expect(test.message).toContain('no_such_latency_seconds');
  });

  it('rejects an invalid override selector before sending PromQL', async () => {
    const { from, to } = middle(env);
    requestLog.length = 0;
    const res = await run(
      dataSource(env.uid, { overrides: { selector: 'service_name=prefect' } }),
      [p95Query],
      from,
      to
    );
    expect(res.data).toEqual([]);
    expect(res.errors?.[0].message).toMatch(/selector/i);
    expect(requestLog.filter((r) => r.includes('query_range'))).toEqual([]);
  });

  it('surfaces Prometheus bad_data for a selector Prometheus cannot evaluate', async () => {
    const { from, to } = middle(env);
    const res = await run(dataSource(env.uid, { overrides: { selector: 'job=~"("' } }), [p95Query], from, to);
    expect(res.data).toEqual([]);
    expect(res.errors?.[0].message).toMatch(/bad_data|error parsing regexp|missing closing/i);
  });

  it('returns the episodes table for the insights query type without error', async () => {
    const res = await run(
      dataSource(env.uid),
      [{ refId: 'I', queryType: 'insights' }],
      env.timeline.start + 6 * 3600_000 - 3600_000,
      env.timeline.end
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toHaveLength(1);
    expect(res.data[0].fields.map((f: { name: string }) => f.name)).toEqual([
      'id',
      'severity',
      'title',
      'start',
      'end',
      'routes',
      'evidence',
      'figures',
    ]);
    const routes = res.data[0].fields.find((f: { name: string }) => f.name === 'routes')!;
    expect(Array.from(routes.values as unknown[]).every(Array.isArray)).toBe(true);
    const status = await run(
      dataSource(env.uid),
      [{ refId: 'S', queryType: 'insightStatus' }],
      env.timeline.end - 3600_000,
      env.timeline.end
    );
    expect(status.errors).toBeUndefined();
    expect(status.data[0].length).toBe(9);
  });
});

describe('otel-stable beside another service', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startConvention('otel-stable', true);
  });
  afterAll(async () => {
    await env?.prom.stop();
  });

  it("picks Prefect's series by the selector and matches its ground truth", async () => {
    const ds = dataSource(env.uid, { overrides: { selector: 'service_name="prefect-server"' } });
    const { from, to } = middle(env);
    const res = await run(ds, [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
    expect(res.errors).toBeUndefined();
    checkQuantilesAndRates(
      env,
      {
        p95: res.data.filter((f: DataFrame) => f.refId === 'A'),
        rate: res.data.filter((f: DataFrame) => f.refId === 'B'),
      },
      'http_route'
    );
    const test = await ds.testDatasource();
    expect(test.message).toContain('http_server_request_duration_seconds');
    expect(test.message).toContain('service_name="prefect-server"');
  });
});

describe('otel-legacy-ms (milliseconds)', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startConvention('otel-legacy-ms');
  });
  afterAll(async () => {
    await env?.prom.stop();
  });

  it('converts latencies to seconds and matches the ground truth', async () => {
    const ds = dataSource(env.uid);
    const { from, to } = middle(env);
    const res = await run(ds, [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
    expect(res.errors).toBeUndefined();
    const conv = getConvention('otel-legacy-ms');
    checkQuantilesAndRates(
      env,
      {
        p95: res.data.filter((f: DataFrame) => f.refId === 'A'),
        rate: res.data.filter((f: DataFrame) => f.refId === 'B'),
      },
      conv.routeLabel
    );
  });
});

describe('a 60 s scrape interval', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startConvention('prefect', false, 60);
  });
  afterAll(async () => {
    await env?.prom.stop();
  });

  // A rate window sized for a 15 s scrape holds a single 60 s sample most of the time: the panel would be mostly gaps.
  it('measures the scrape interval, so panels have a value at every point', async () => {
    const ds = dataSource(env.uid);
    const { from, to } = middle(env);
    // Grafana asks for 15 s points on a three-hour panel; the step must not go below the scrape interval.
    const res = await run(ds, [rateQuery], from, to, {}, 15_000);
    expect(res.errors).toBeUndefined();
    const rates = seriesByLabel(res.data, getConvention('prefect').routeLabel);
    expect(rates.size).toBe(ROUTES.length);
    for (const [, r] of rates) {
      const present = r.values.filter((v) => Number.isFinite(v)).length;
      expect(r.times.length).toBeGreaterThanOrEqual(180);
      expect(present / r.times.length).toBeGreaterThan(0.98);
    }
    expect(
      await ds.scrapeInterval(await ds.resolveMetric({ start: from / 1000, end: to / 1000 }), {
        start: from / 1000,
        end: to / 1000,
      })
    ).toBe(60);
  });

  it('uses a configured scrape interval without measuring it', async () => {
    const ds = dataSource(env.uid, { scrapeIntervalSeconds: 120 });
    const metric = await ds.resolveMetric({ start: env.timeline.start / 1000, end: env.timeline.end / 1000 });
    const before = requestLog.length;
    expect(await ds.scrapeInterval(metric, { start: 0, end: env.timeline.end / 1000 })).toBe(120);
    expect(requestLog.length).toBe(before);
  });
});

describe('annotations for a pool-exhaustion scenario', () => {
  let prom: RunningPrometheus;
  let timeline: Timeline;
  beforeAll(async () => {
    timeline = buildTimeline({ seed: 11, convention: 'prefect', days: 0.5, include: ['db-pool-exhaustion'] });
    prom = await startPrometheus({ openMetrics: toOpenMetrics(timeline) });
    upstreams.set('prom-scenario', prom.url);
  });
  afterAll(async () => {
    await prom?.stop();
  });

  it('returns a critical region over the injected episode, with advice text, as Grafana events', async () => {
    const ds = dataSource('prom-scenario');
    const support = ds.annotations!;
    const anno = support.prepareAnnotation!({
      name: 'Insights',
      enable: true,
      iconColor: 'red',
      target: { refId: 'X' },
    });
    const target = support.prepareQuery!(anno)!;
    const res = await run(ds, [target], timeline.start + 6 * 3600_000, timeline.end);
    expect(res.errors).toBeUndefined();
    const events = (await firstValueFrom(support.processEvents!(anno, res.data)!))!;
    const truth = timeline.truth.find((t) => t.id === 'db-pool-exhaustion')!;
    const region = events.find((e) => e.title?.includes('pool') && e.time! <= truth.end && e.timeEnd! >= truth.start);
    expect(region).toBeDefined();
    expect(region!.isRegion).toBe(true);
    expect(region!.tags).toContain('critical');
    expect(region!.color).toBe('red');
    expect(region!.text).toContain('pool_size');
    expect(region!.text).toContain('/a/prefectinsights-api-app/advice?insight=db-pool-exhaustion');
  });

  it('an episode filter on "All" (allValue ".*") keeps every episode', async () => {
    const ds = dataSource('prom-scenario');
    setVariable('route', { value: [ALL], options: ['/api/flow_runs/filter'], includeAll: true, allValue: '.*' });
    const table: PrefectQuery = { refId: 'T', queryType: 'insights', format: 'table' };
    const from = timeline.start + 6 * 3600_000;
    const unfiltered = await run(ds, [table], from, timeline.end);
    const onAll = await run(ds, [{ ...table, routes: ['$route'] }], from, timeline.end);
    expect(onAll.errors).toBeUndefined();
    expect(unfiltered.data[0].length).toBeGreaterThan(0);
    expect(onAll.data[0].length).toBe(unfiltered.data[0].length);
  });

  it('one refresh of the annotation, insights table and status table costs one scan, and a cancelled panel stops only itself', async () => {
    const ds = dataSource('prom-scenario');
    const target = ds.annotations!.prepareQuery!(
      ds.annotations!.prepareAnnotation!({ name: 'Insights', enable: true, iconColor: 'red', target: { refId: 'X' } })
    )!;
    const from = timeline.start + 6 * 3600_000;
    const to = timeline.end;
    // Metric resolution is cached per data source; the scan's own requests are what is left to count.
    await run(ds, [p95Query], from, to);
    const alone = dataSource('prom-scenario');
    await run(alone, [p95Query], from, to);
    let before = requestLog.length;
    await run(alone, [{ refId: 'S', queryType: 'insightStatus' }], from - 60_000, to);
    const oneScan = requestLog.length - before;
    expect(oneScan).toBeGreaterThan(3);

    before = requestLog.length;
    const table: PrefectQuery = { refId: 'T', queryType: 'insights', format: 'table' };
    const status: PrefectQuery = { refId: 'S', queryType: 'insightStatus' };
    // The table panel is closed once the shared scan is talking to Prometheus (it may well be the one that started
    // it); the annotation and the status panel still get their answer from that same run.
    const cancelled = ds.query(request([table], from, to)).subscribe(() => {
      throw new Error('a cancelled query must not emit');
    });
    hooks.onRequest = () => {
      cancelled.unsubscribe();
      hooks.onRequest = undefined;
    };
    const answers = Promise.all([run(ds, [target], from, to), run(ds, [status], from, to)]);
    const [annotations, statuses] = await answers;
    expect(cancelled.closed).toBe(true);
    expect(annotations.errors).toBeUndefined();
    expect(statuses.errors).toBeUndefined();
    expect(annotations.data[0].length).toBeGreaterThan(0);
    expect(requestLog.length - before).toBe(oneScan);
    // A panel arriving a moment later is served from the shared result.
    before = requestLog.length;
    const late = await run(ds, [table], from, to);
    expect(late.data[0].length).toBeGreaterThan(0);
    expect(requestLog.length - before).toBe(0);
  });
});

describe('Prometheus down', () => {
  it('reports it as unreachable, for queries and for Save & test', async () => {
    const port = await freePort();
    upstreams.set('prom-down', `http://127.0.0.1:${port}`);
    const ds = dataSource('prom-down');
    const now = Date.now();
    const res = await run(ds, [p95Query], now - 3600_000, now);
    expect(res.data).toEqual([]);
    expect(res.errors?.[0].message).toMatch(/unreachable/i);
    const test = await ds.testDatasource();
    expect(test.status).toBe('error');
    expect(test.message).toMatch(/unreachable/i);
  });

  it('asks for a Prometheus data source when none is selected', async () => {
    const ds = dataSource('');
    const test = await ds.testDatasource();
    expect(test.status).toBe('error');
    expect(test.message).toMatch(/No Prometheus data source selected/);
    const now = Date.now();
    const res = await run(ds, [p95Query], now - 3600_000, now);
    expect(res.errors?.[0].message).toMatch(/No Prometheus data source selected/);
  });
});
