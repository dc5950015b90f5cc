// Prometheus requests per dashboard refresh: every target of the bundled dashboard (its panels and its insight
// annotation) and the advice page's request go through the data source as Grafana issues them on one refresh (one
// query() per panel, one for the annotation, all at once over the same time range), and the requests that reach
// the real Prometheus are counted by an HTTP proxy in front of it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dateTime, type AnnotationQuery, type DataQueryRequest } from '@grafana/data';
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { firstValueFrom, type Observable } from 'rxjs';
import dashboard from '../src/dashboards/prefect-api-overview.json';
import { scan } from '../src/insights/engine';
import { buildPanelQueries } from '../src/datasource/panelQueries';
import { isScanQueryType, type PrefectQuery } from '../src/datasource/types';
import { buildScanRequest } from '../src/pages/advice/useInsightScan';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { INCREMENTAL_OVERLAP_SECONDS } from '../src/prometheus/rangeCache';
import { dataSource, installGrafanaStandIns, upstreams } from '../tests/integration/grafanaStandIns';
import { ALL, createSceneTemplateSrv } from '../src/test/sceneTemplateSrv';
import { verdict } from './stats';

interface CountingProxy {
  url: string;
  count(): number;
  paths(): string[];
  /** Seconds of range (end − start) of each query_range request, in order. */
  spans(): number[];
  close(): Promise<void>;
}

/** Forwards every request to Prometheus and counts it: the figure is what Prometheus itself receives. */
async function countingProxy(target: string): Promise<CountingProxy> {
  const seen: string[] = [];
  const spans: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(req.url ?? '');
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      if ((req.url ?? '').includes('/query_range')) {
        const params = new URLSearchParams(body ? body.toString() : ((req.url ?? '').split('?')[1] ?? ''));
        spans.push(Number(params.get('end')) - Number(params.get('start')));
      }
      fetch(target + (req.url ?? ''), {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      })
        .then(async (up) => {
          const text = await up.text();
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch((e: unknown) => {
          res.writeHead(502);
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => seen.length,
    paths: () => seen.slice(),
    spans: () => spans.slice(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The dashboard's route/method/status variables on "All" with allValue `.*`, interpolated by Scenes (Grafana 12's
 * dashboards): the custom all value reaches the data source unformatted, as in Grafana.
 */
function allVariablesTemplateSrv(): TemplateSrv {
  const all = { value: [ALL], options: [], includeAll: true, allValue: '.*' };
  return createSceneTemplateSrv({ route: all, method: all, status: all });
}

interface Panel {
  type: string;
  title: string;
  targets?: PrefectQuery[];
}

function refreshRequest(targets: PrefectQuery[], fromMs: number, toMs: number): DataQueryRequest<PrefectQuery> {
  return {
    requestId: `bench-${Math.random()}`,
    interval: '1m',
    intervalMs: 60_000,
    maxDataPoints: 1000,
    range: { from: dateTime(fromMs), to: dateTime(toMs), raw: { from: 'now-24h', to: 'now' } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as unknown as DataQueryRequest<PrefectQuery>;
}

type Query = (r: DataQueryRequest<PrefectQuery>) => Promise<{ errors?: Array<{ message?: string }> }>;

function failures(results: Array<{ errors?: Array<{ message?: string }> }>): string[] {
  return results.flatMap((r) => (r.errors ?? []).map((e) => e.message ?? 'error'));
}

export async function benchRefresh(promUrl: string, to: number): Promise<boolean> {
  console.log('\n## Prometheus requests per refresh (bundled dashboard, advice page; counted at Prometheus)');
  const proxy = await countingProxy(promUrl);
  try {
    installGrafanaStandIns();
    setTemplateSrv(allVariablesTemplateSrv());
    upstreams.set('bench-refresh', proxy.url);
    const ds = dataSource('bench-refresh');
    const query: Query = (r) => firstValueFrom(ds.query(r) as Observable<{ errors?: Array<{ message?: string }> }>);

    const panels = (dashboard.panels as unknown as Panel[]).filter((p) => (p.targets ?? []).length > 0);
    const annotations = (dashboard.annotations.list as unknown as Array<AnnotationQuery<PrefectQuery>>).filter(
      (a) => a.datasource?.type === 'prefectinsights-api-datasource'
    );
    const support = ds.annotations!;
    const annotationTargets = annotations.map((a) => {
      const prepared = support.prepareAnnotation ? support.prepareAnnotation(a) : a;
      return support.prepareQuery!(prepared)!;
    });
    const refresh = (fromMs: number, toMs: number) =>
      Promise.all([
        ...panels.map((p) => query(refreshRequest(p.targets!, fromMs, toMs))),
        ...annotationTargets.map((t) => query(refreshRequest([t], fromMs, toMs))),
      ]);

    // The target, from the code rather than the network: each panel's own PromQL plus one scan.
    const day = 86_400_000;
    const window = { start: Math.floor((to - day) / 1000), end: Math.ceil(to / 1000) };
    const metric = await ds.resolveMetric(window);
    const scrapeSeconds = await ds.scrapeInterval(metric, window);
    let panelQueries = 0;
    for (const p of panels) {
      for (const t of p.targets!) {
        if (!isScanQueryType(t.queryType ?? 'quantile')) {
          panelQueries += buildPanelQueries(t, metric, {
            window,
            intervalMs: 60_000,
            maxDataPoints: 1000,
            scrapeSeconds,
            clientTimeoutSeconds: ds.settings.apiRequestTimeoutSeconds,
          }).length;
        }
      }
    }
    const scanApi = createPrometheusApi(fetchTransport(promUrl));
    const scanRequests = (await scan({ api: scanApi, metric, from: to - day, to, settings: ds.settings })).requests;
    const dashboardTarget = panelQueries + scanRequests;

    // Steady state: the metric is resolved and the scrape interval known (both cached per data source, as in
    // Grafana); the first refresh after loading also pays for those and is shown for completeness.
    let before = proxy.count();
    const cold = failures(await refresh(to - day, to));
    if (cold.length > 0) {
      console.log(`refresh failed: ${cold.join('; ')}`);
      return false;
    }
    // One minute later, as an auto-refreshing dashboard would: a new range; the data source's range cache
    // (src/prometheus/rangeCache.ts) answers what it read a minute ago and asks Prometheus for the tail only.
    before = proxy.count();
    const spansBefore = proxy.spans().length;
    const next = to + 60_000;
    const warm = failures(await refresh(next - day, next));
    const dashboardCount = proxy.count() - before;
    const coldSpan = Math.max(...proxy.spans().slice(0, spansBefore));
    const warmSpans = proxy.spans().slice(spansBefore);
    const warmSpan = Math.max(...warmSpans);
    // The tail: the minute the window moved, the 10-minute overlap, and up to one coarse step of grid alignment.
    const tailTarget = INCREMENTAL_OVERLAP_SECONDS + 60 + 600;
    const paths = proxy.paths().slice(before);
    const rangeQueries = paths.filter((p) => p.includes('/query_range')).length;
    console.log(
      `bundled dashboard: ${panels.length} panels and ${annotationTargets.length} annotation query; ` +
        `${panelQueries} panel range queries + one scan of ${scanRequests} requests`
    );
    console.log(
      `Prometheus requests per dashboard refresh: ${dashboardCount} (target ${dashboardTarget} = ${panelQueries} + ${scanRequests}): ` +
        `${verdict(dashboardCount <= dashboardTarget && warm.length === 0)}` +
        (warm.length > 0 ? ` (errors: ${warm.join('; ')})` : '') +
        ` [${rangeQueries} range queries, ${dashboardCount - rangeQueries} others]`
    );

    console.log(
      `range read per range query on the refresh a minute later: at most ${warmSpan} s over ${warmSpans.length} queries ` +
        `(the first load: up to ${coldSpan} s; target ≤ ${tailTarget} s, the new tail): ${verdict(warmSpan <= tailTarget)}`
    );

    // The advice page: one request with its status and episodes targets (useInsightScan.buildScanRequest).
    const advice = (fromMs: number, toMs: number) =>
      query(buildScanRequest({ from: dateTime(fromMs), to: dateTime(toMs), raw: { from: 'now-24h', to: 'now' } }));
    const later = next + 60_000;
    before = proxy.count();
    const adviceErrors = failures([await advice(later - day, later)]);
    const adviceCount = proxy.count() - before;
    console.log(
      `Prometheus requests per advice page refresh: ${adviceCount} (target ${scanRequests} = one scan): ` +
        `${verdict(adviceCount <= scanRequests && adviceErrors.length === 0)}` +
        (adviceErrors.length > 0 ? ` (errors: ${adviceErrors.join('; ')})` : '')
    );
    return (
      dashboardCount <= dashboardTarget && adviceCount <= scanRequests && warm.length === 0 && warmSpan <= tailTarget
    );
  } finally {
    await proxy.close();
  }
}
