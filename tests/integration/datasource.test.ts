// The data source's real code path (query, metricFindQuery, testDatasource, annotations) against a real Prometheus,
// through a BackendSrv stand-in that forwards Grafana's data-proxy URL to it. Expected values come from the
// simulator's ground truth, not from the code under test.
import { Observable, firstValueFrom, type Subscription } from 'rxjs';
import {
  dateTime,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type ScopedVars,
} from '@grafana/data';
import {
  setBackendSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type TemplateSrv,
} from '@grafana/runtime';
import { DataSource } from '../../src/datasource/datasource';
import type { PrefectDataSourceOptions, PrefectQuery } from '../../src/datasource/types';
import { freePort, startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import {
  buildTimeline,
  getConvention,
  routeLabelValue,
  toOpenMetrics,
  type ConventionId,
  type Timeline,
} from '../../tools/simulator';

const PROXY = /^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)$/;
const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}', '/work_pools/{name}'];

/** uid -> Prometheus base URL; what Grafana's data proxy would look up. */
const upstreams = new Map<string, string>();
const inFlight: Array<{ path: string; signal: AbortSignal }> = [];
const requestLog: string[] = [];
let onRequest: ((path: string) => void) | undefined;

function fetchErrorFor(status: number, data: unknown, statusText = '') {
  return { status, statusText, data, config: {} };
}

/** Grafana's BackendSrv.fetch, reduced to what the data proxy does: forward, and abort on unsubscribe. */
const backendSrv = {
  fetch<T>(options: BackendSrvRequest): Observable<{ data: T; status: number; ok: boolean }> {
    return new Observable((subscriber) => {
      const controller = new AbortController();
      const match = PROXY.exec(options.url);
      const base = match ? upstreams.get(decodeURIComponent(match[1])) : undefined;
      if (!match || !base) {
        subscriber.error(fetchErrorFor(404, { message: 'Data source not found' }, 'Not Found'));
        return undefined;
      }
      const path = match[2];
      requestLog.push(`${options.method ?? 'GET'} ${path}`);
      inFlight.push({ path, signal: controller.signal });
      onRequest?.(path);
      fetch(base + path, {
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.data,
        signal: controller.signal,
      })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // keep the text, as Grafana does for non-JSON bodies
          }
          if (!res.ok) {
            subscriber.error(fetchErrorFor(res.status, data, res.statusText));
            return;
          }
          subscriber.next({ data: data as T, status: res.status, ok: true });
          subscriber.complete();
        })
        .catch((e: unknown) => {
          if (controller.signal.aborted) {
            return;
          }
          // What Grafana's proxy answers when the upstream refuses the connection.
          subscriber.error(fetchErrorFor(502, { message: `Bad Gateway: ${(e as Error).message}` }, 'Bad Gateway'));
        });
      return () => controller.abort();
    });
  },
} as unknown as BackendSrv;

/** Grafana's replace contract: `$name`/`${name}` become format(value, variable). */
const variables: Record<string, string | string[]> = {};
const templateSrv = {
  replace(target = '', _scoped?: ScopedVars, format?: string | Function) {
    return target.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
      const v = variables[(a ?? b)!];
      if (v === undefined) {
        return m;
      }
      return typeof format === 'function' ? format(v, {}) : Array.isArray(v) ? v.join(',') : v;
    });
  },
  getVariables: () => [],
  containsTemplate: (t?: string) => /\$/.test(t ?? ''),
  updateTimeRange: () => {},
} as unknown as TemplateSrv;

function dataSource(uid: string, jsonData: Partial<PrefectDataSourceOptions> = {}): DataSource {
  const settings = {
    id: 1,
    uid: `prefect-${uid}`,
    type: 'prefectinsights-api-datasource',
    name: 'Prefect API',
    meta: { id: 'prefectinsights-api-datasource' },
    jsonData: { prometheusUid: uid, ...jsonData },
    access: 'proxy',
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<PrefectDataSourceOptions>;
  return new DataSource(settings);
}

function request(
  targets: PrefectQuery[],
  fromMs: number,
  toMs: number,
  scopedVars: ScopedVars = {},
  intervalMs = 60_000
) {
  return {
    requestId: 'test',
    interval: `${intervalMs / 1000}s`,
    intervalMs,
    maxDataPoints: 1000,
    range: { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: '', to: '' } },
    scopedVars,
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as unknown as DataQueryRequest<PrefectQuery>;
}

function run(
  ds: DataSource,
  targets: PrefectQuery[],
  fromMs: number,
  toMs: number,
  scopedVars: ScopedVars = {},
  intervalMs?: number
) {
  return firstValueFrom(
    ds.query(request(targets, fromMs, toMs, scopedVars, intervalMs)) as Observable<DataQueryResponse>
  );
}

// Ground-truth checks read 5-minute points: a quiet route (0.2 req/s) then has ~60 requests per point, enough for
// its p95 to be a property of the distribution rather than of a dozen draws.
const TRUTH_INTERVAL_MS = 300_000;

function seriesByLabel(frames: DataFrame[], label: string): Map<string, { times: number[]; values: number[] }> {
  const out = new Map<string, { times: number[]; values: number[] }>();
  for (const f of frames) {
    const value = f.fields[1];
    out.set(value.labels?.[label] ?? '', { times: f.fields[0].values as number[], values: value.values as number[] });
  }
  return out;
}

/** Index of the bucket a value falls in (0 = at or below the first bound; bounds.length = +Inf). */
function bucketIndex(bounds: number[], v: number): number {
  const i = bounds.findIndex((b) => v <= b + 1e-12);
  return i < 0 ? bounds.length : i;
}

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

/** Middle three hours of the timeline (away from the edges, where rate windows lack history). */
function middle(env: Env): { from: number; to: number } {
  const mid = Math.floor((env.timeline.start + env.timeline.end) / 2 / 60_000) * 60_000;
  return { from: mid - 90 * 60_000, to: mid + 90 * 60_000 };
}

function checkQuantilesAndRates(env: Env, frames: { p95: DataFrame[]; rate: DataFrame[] }, routeLabel: string) {
  const conv = getConvention(env.timeline.convention);
  const bounds = conv.bucketsSeconds;
  const p95 = seriesByLabel(frames.p95, routeLabel);
  const rates = seriesByLabel(frames.rate, routeLabel);
  for (const route of env.timeline.model.routes) {
    const label = routeLabelValue(route, env.timeline.apiPrefix);
    const q = p95.get(label);
    expect(q).toBeDefined();
    let checked = 0;
    q!.times.forEach((t, i) => {
      const v = q!.values[i];
      if (!Number.isFinite(v)) {
        return;
      }
      const truth = env.timeline.model.truth(route.id, t).p95;
      expect(Math.abs(bucketIndex(bounds, v) - bucketIndex(bounds, truth))).toBeLessThanOrEqual(1);
      checked++;
    });
    expect(checked).toBeGreaterThan(20);

    const r = rates.get(label)!;
    expect(r).toBeDefined();
    let got = 0;
    let want = 0;
    r.times.forEach((t, i) => {
      if (Number.isFinite(r.values[i])) {
        got += r.values[i];
        want += env.timeline.model.truth(route.id, t).rate;
      }
    });
    // Poisson noise averaged over three hours: well inside 15 %.
    expect(got / want).toBeGreaterThan(0.85);
    expect(got / want).toBeLessThan(1.15);
  }
}

const p95Query: PrefectQuery = { refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] };
const rateQuery: PrefectQuery = { refId: 'B', queryType: 'rate', groupBy: ['route'] };

beforeAll(() => {
  setBackendSrv(backendSrv);
  setTemplateSrv(templateSrv);
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
    variables.route = ['/api/flow_runs/filter', '/api/flow_runs/{id}'];
    const { from, to } = middle(env);
    const res = await run(dataSource(env.uid), [{ ...p95Query, routes: ['$route'] }], from, to);
    expect(res.errors).toBeUndefined();
    expect(res.data.map((f: DataFrame) => f.fields[1].labels?.http_route).sort()).toEqual([
      '/api/flow_runs/filter',
      '/api/flow_runs/{id}',
    ]);
  });

  it('a hostile route value selects nothing and injects no series', async () => {
    const hostile = '"} or vector(1) #';
    variables.hostile = [hostile, `${hostile}\n`];
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
      onRequest = (path) => {
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
    onRequest = undefined;
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
    ]);
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
