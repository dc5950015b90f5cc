// The data source through the Prometheus data source's resource route, as Grafana serves it (the stand-in in
// grafanaStandIns.ts cites the Grafana code for each answer): working against a real Prometheus for every
// Prometheus-type data source, and each way that route fails, as the panel and Save & test show it.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { DataFrame } from '@grafana/data';
import { PROMETHEUS_DATASOURCE_TYPES } from '../../src/datasource/prometheusTypes';
import { resourceTransport } from '../../src/datasource/resourceTransport';
import { createPrometheusApi } from '../../src/prometheus/client';
import { isPrometheusError } from '../../src/prometheus/errors';
import type { PrefectQuery } from '../../src/datasource/types';
import { freePort, startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { buildTimeline, toOpenMetrics, type Timeline } from '../../tools/simulator';
import {
  dataSource,
  dataSourceTypes,
  deniedUids,
  grafanaConfig,
  httpMethods,
  installGrafanaStandIns,
  requestLog,
  run,
  unavailableUids,
  unlistedUids,
  upstreams,
  urlLog,
} from './grafanaStandIns';
import { TRUTH_INTERVAL_MS, checkQuantilesAndRates, middle } from './groundTruth';

const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}'];
const p95Query: PrefectQuery = { refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] };
const rateQuery: PrefectQuery = { refId: 'B', queryType: 'rate', groupBy: ['route'] };

let prom: RunningPrometheus;
let timeline: Timeline;

function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))
  );
}

beforeAll(async () => {
  installGrafanaStandIns();
  timeline = buildTimeline({
    seed: 5,
    convention: 'prefect',
    start: Math.floor((Date.now() - 7 * 3600_000) / 60_000) * 60_000,
    days: 0.25,
    include: [],
    routes: ROUTES,
  });
  prom = await startPrometheus({ openMetrics: toOpenMetrics(timeline) });
}, 120_000);

afterAll(async () => {
  await prom?.stop();
});

describe.each(PROMETHEUS_DATASOURCE_TYPES)('a %s data source', (type) => {
  const uid = `prom-${type}`;
  beforeAll(() => {
    upstreams.set(uid, prom.url);
    dataSourceTypes.set(uid, type);
  });

  it('answers panels and Save & test through /api/datasources/uid/<uid>/resources/api/v1/ only', async () => {
    urlLog.length = 0;
    const ds = dataSource(uid);
    const test = await ds.testDatasource();
    expect(test).toMatchObject({ status: 'success' });
    expect(test.message).toContain(`${ROUTES.length} routes`);
    const { from, to } = middle({ timeline });
    const res = await run(ds, [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
    expect(res.errors).toBeUndefined();
    checkQuantilesAndRates(
      { timeline },
      {
        p95: res.data.filter((f: DataFrame) => f.refId === 'A'),
        rate: res.data.filter((f: DataFrame) => f.refId === 'B'),
      },
      'http_route'
    );
    expect(urlLog.length).toBeGreaterThan(3);
    // Save & test also asks for Thanos's store list, which Prometheus answers 404 (and Save & test still succeeds).
    for (const url of urlLog) {
      expect(url).toMatch(
        new RegExp(
          `^/api/datasources/uid/${uid}/resources/api/v1/(query_range|query|series|label/[^/]+/values|stores$)`
        )
      );
    }
    expect(urlLog.filter((u) => u.endsWith('/api/v1/stores'))).toHaveLength(1);
  });
});

describe('a range after the last sample (real Prometheus)', () => {
  it('reads as no data on the status table, with the no-data notice, never as clear', async () => {
    upstreams.set('prom-nodata', prom.url);
    const ds = dataSource('prom-nodata');
    // The simulated traffic ends about an hour ago: the last 30 minutes hold no sample, their look-back does.
    const to = Date.now();
    const res = await run(ds, [{ refId: 'S', queryType: 'insightStatus' }], to - 30 * 60_000, to);
    expect(res.errors).toBeUndefined();
    const [frame] = res.data as DataFrame[];
    const statuses = frame.fields.find((f) => f.name === 'status')!.values as string[];
    expect(statuses.length).toBeGreaterThan(5);
    expect(new Set(statuses)).toEqual(new Set(['no data']));
    expect(frame.meta?.notices).toContainEqual({
      severity: 'warning',
      text: 'no data for prefect_server_api_request_duration_seconds in range',
    });
  });
});

describe('a Prometheus data source whose HTTP method is GET (promlib answers every POST with 405)', () => {
  /** Save & test and a p95/rate panel against the real Prometheus; returns the methods that reached the route. */
  async function panelsAndTest(uid: string): Promise<string[]> {
    const before = requestLog.length;
    const ds = dataSource(uid);
    const test = await ds.testDatasource();
    expect(test).toMatchObject({ status: 'success' });
    expect(test.message).toContain(`${ROUTES.length} routes`);
    const { from, to } = middle({ timeline });
    const res = await run(ds, [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
    expect(res.errors).toBeUndefined();
    checkQuantilesAndRates(
      { timeline },
      {
        p95: res.data.filter((f: DataFrame) => f.refId === 'A'),
        rate: res.data.filter((f: DataFrame) => f.refId === 'B'),
      },
      'http_route'
    );
    return requestLog.slice(before).map((line) => line.split(' ')[0]);
  }

  it('reads httpMethod from the data source settings and sends GET only', async () => {
    upstreams.set('prom-get', prom.url);
    httpMethods.set('prom-get', 'GET');
    const methods = await panelsAndTest('prom-get');
    expect(methods.length).toBeGreaterThan(3);
    expect(methods.filter((m) => m !== 'GET')).toEqual([]);
  });

  it('without its settings (not in the boot data): one POST refused with 405, then GET for the rest', async () => {
    upstreams.set('prom-get-unlisted', prom.url);
    httpMethods.set('prom-get-unlisted', 'get');
    unlistedUids.add('prom-get-unlisted');
    const methods = await panelsAndTest('prom-get-unlisted');
    expect(methods.filter((m) => m === 'POST')).toEqual(['POST']);
    expect(methods.length).toBeGreaterThan(3);
  });
});

/** Runs a panel query and Save & test on a data source whose Prometheus uid is `uid`, returning both messages. */
async function failures(uid: string, jsonData = {}) {
  const ds = dataSource(uid, jsonData);
  const now = Date.now();
  const res = await run(ds, [p95Query], now - 3600_000, now);
  expect(res.data).toEqual([]);
  expect(res.errors).toHaveLength(1);
  const test = await ds.testDatasource();
  expect(test.status).toBe('error');
  return { panel: res.errors![0].message!, test: test.message };
}

describe('failures on the resource route', () => {
  const servers: Array<Server | HttpServer> = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('401: Prometheus behind an auth proxy refuses the credentials; the answer is relayed', async () => {
    const proxy = createHttpServer((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="prometheus"' });
      res.end('Unauthorized\n');
    });
    servers.push(proxy);
    upstreams.set('prom-401', `http://127.0.0.1:${await listen(proxy)}`);
    const { panel, test } = await failures('prom-401');
    for (const m of [panel, test]) {
      expect(m).toMatch(/HTTP 401 on the Prometheus data source "prom-401": Unauthorized\. .*credentials/);
    }
  });

  it('403: the user may not query that data source', async () => {
    upstreams.set('prom-403', prom.url);
    deniedUids.add('prom-403');
    const before = requestLog.length;
    const { panel, test } = await failures('prom-403');
    expect(requestLog.length).toBe(before);
    for (const m of [panel, test]) {
      expect(m).toMatch(
        /HTTP 403 on the Prometheus data source "prom-403": Access denied to datasource\. You need query permission/
      );
    }
  });

  it('data source gone: Grafana answers 500 "Unable to load datasource meta data"; we say it no longer exists', async () => {
    const { panel, test } = await failures('prom-deleted');
    for (const m of [panel, test]) {
      expect(m).toMatch(
        /"prom-deleted" no longer exists in Grafana \(HTTP 500: Unable to load datasource meta data\)\. Pick an existing/
      );
    }
  });

  it('404: the data source URL is not the Prometheus API root; the real Prometheus 404 is relayed', async () => {
    upstreams.set('prom-404', `${prom.url}/prometheus`);
    const { panel, test } = await failures('prom-404');
    for (const m of [panel, test]) {
      expect(m).toMatch(/HTTP 404 on the Prometheus data source "prom-404": 404 page not found\. .*API root/);
    }
  });

  it('Prometheus down: Grafana 12.4+ answers 500 "An error occurred within the plugin"; we say unreachable, and where the cause is', async () => {
    upstreams.set('prom-down', `http://127.0.0.1:${await freePort()}`);
    const { panel, test } = await failures('prom-down');
    for (const m of [panel, test]) {
      expect(m).toMatch(
        /Prometheus is unreachable through the Prometheus data source "prom-down" \(HTTP 500: An error occurred within the plugin\): .*Prometheus is down.*Grafana server log/
      );
    }
  });

  it('plugin not running: Grafana 12.4+ answers 500 "Plugin unavailable"; we say so, not "unreachable"', async () => {
    upstreams.set('prom-unavailable', prom.url);
    unavailableUids.add('prom-unavailable');
    const before = requestLog.length;
    const { panel, test } = await failures('prom-unavailable');
    expect(requestLog.length).toBe(before);
    for (const m of [panel, test]) {
      expect(m).toMatch(
        /The plugin behind the Prometheus data source "prom-unavailable" is not running \(HTTP 500: Plugin unavailable\)/
      );
    }
  });

  it('5xx from Prometheus with its error body: relayed status and errorType', async () => {
    const overloaded = createHttpServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }));
    });
    servers.push(overloaded);
    upstreams.set('prom-503', `http://127.0.0.1:${await listen(overloaded)}`);
    const { panel, test } = await failures('prom-503');
    for (const m of [panel, test]) {
      expect(m).toMatch(/Prometheus is unavailable .*TSDB not ready/);
    }
  });

  it("Save & test repeats Prometheus's warnings and infos beside its verdict (series and labels answered empty)", async () => {
    const partial = createHttpServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const empty = req.url?.includes('/query') ? { resultType: 'vector', result: [] } : [];
      res.end(
        JSON.stringify({
          status: 'success',
          data: req.url?.includes('/query') ? { ...empty, result: [{ metric: {}, value: [1, '1'] }] } : empty,
          warnings: ['store gateway unreachable: partial response'],
          infos: ['input to histogram_quantile needed to be fixed for monotonicity'],
        })
      );
    });
    servers.push(partial);
    upstreams.set('prom-partial', `http://127.0.0.1:${await listen(partial)}`);
    const test = await dataSource('prom-partial').testDatasource();
    expect(test.status).toBe('error');
    expect(test.message).toMatch(
      /Prometheus warned: store gateway unreachable: partial response\. Prometheus noted: input to histogram_quantile needed to be fixed for monotonicity\.$/
    );
  });

  it("Prometheus's own error bodies (bad_data, too many points) come through as Prometheus wrote them", async () => {
    upstreams.set('prom-errors', prom.url);
    const api = createPrometheusApi(resourceTransport('prom-errors'));
    const bad = await api.query('sum(', timeline.end / 1000).catch((e: unknown) => e);
    expect(isPrometheusError(bad) && bad.kind).toBe('bad_data');
    expect(isPrometheusError(bad) && bad.httpStatus).toBe(400);
    expect((bad as Error).message).toMatch(/Prometheus rejected the query \(bad_data\): .*parse error/);
    const tooMany = await api
      .queryRange('up', { start: timeline.start / 1000, end: timeline.end / 1000, step: 1 })
      .catch((e: unknown) => e);
    expect(isPrometheusError(tooMany) && tooMany.kind).toBe('too_many_points');
    expect((tooMany as Error).message).toMatch(/more than 11,000 points per series/);
  });

  it('timeout: a Prometheus that accepts and never answers ends at the time limit, reported as a timeout', async () => {
    const silent = createServer((socket) => {
      sockets.push(socket);
    });
    servers.push(silent);
    upstreams.set('prom-silent', `http://127.0.0.1:${await listen(silent)}`);
    const started = Date.now();
    const { panel, test } = await failures('prom-silent', { requestTimeoutSeconds: 1 });
    // Both the panel and Save & test gave up at 1 s each, long before the 60 s default or Grafana's 30 s.
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const m of [panel, test]) {
      expect(m).toMatch(
        /No answer through Grafana from the Prometheus data source "prom-silent" within the request time limit of 1 s/
      );
    }
  });

  it('Grafana\'s data proxy timeout answering first: 500 "An error occurred within the plugin"', async () => {
    const silent = createServer((socket) => {
      sockets.push(socket);
    });
    servers.push(silent);
    upstreams.set('prom-slow-grafana', `http://127.0.0.1:${await listen(silent)}`);
    grafanaConfig.dataproxyTimeoutMs = 300;
    try {
      const { panel, test } = await failures('prom-slow-grafana', { requestTimeoutSeconds: 10 });
      for (const m of [panel, test]) {
        expect(m).toMatch(
          /through the Prometheus data source "prom-slow-grafana" \(HTTP 500: An error occurred within the plugin\).*data proxy timeout/
        );
      }
    } finally {
      grafanaConfig.dataproxyTimeoutMs = 30_000;
    }
  });
});
