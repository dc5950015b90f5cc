// The data source's query path (DataSource.query → resource-route stand-in → frames) against the same PromQL sent as a
// raw fetch + JSON.parse, on the same Prometheus: the ratio is what the plugin adds on top of Prometheus itself.
import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { firstValueFrom, Observable } from 'rxjs';
import { DataSource } from '../src/datasource/datasource';
import type { PrefectDataSourceOptions, PrefectQuery } from '../src/datasource/types';
import type { CachedPrometheusApi } from '../src/prometheus/rangeCache';
import { compare, verdict } from './stats';

const RESOURCE = /^\/api\/datasources\/uid\/[^/]+\/resources(\/.*)$/;

/**
 * What the Prometheus data source's resource route does for the plugin (Grafana's promlib relays the call): forward to
 * the Prometheus URL, JSON-decode the answer.
 */
function relayTo(base: string, log: Array<{ path: string; body: string }>): BackendSrv {
  return {
    fetch(options: BackendSrvRequest) {
      return new Observable((subscriber) => {
        const controller = new AbortController();
        const path = RESOURCE.exec(options.url)?.[1] ?? options.url;
        const body = typeof options.data === 'string' ? options.data : String(options.data ?? '');
        log.push({ path, body });
        fetch(base + path, {
          method: options.method ?? 'GET',
          headers: options.headers,
          body: body || undefined,
          signal: controller.signal,
        })
          .then(async (res) => {
            const data = JSON.parse(await res.text());
            if (!res.ok) {
              subscriber.error({ status: res.status, data });
            } else {
              subscriber.next({ data, status: res.status, ok: true });
              subscriber.complete();
            }
          })
          .catch((e) => subscriber.error(e));
        return () => controller.abort();
      });
    },
  } as unknown as BackendSrv;
}

export async function benchQueryPath(promUrl: string, from: number, to: number): Promise<boolean> {
  console.log('\n## Data source query path vs raw PromQL (p95 by route, 7 days at 60 s)');
  const log: Array<{ path: string; body: string }> = [];
  setBackendSrv(relayTo(promUrl, log));
  const ds = new DataSource({
    id: 1,
    uid: 'bench',
    type: 'prefectinsights-api-datasource',
    name: 'bench',
    meta: { id: 'prefectinsights-api-datasource' },
    jsonData: { prometheusUid: 'prom' },
    access: 'proxy',
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<PrefectDataSourceOptions>);
  const request = {
    requestId: 'bench',
    interval: '60s',
    intervalMs: 60_000,
    maxDataPoints: 11_000,
    range: { from: dateTime(from), to: dateTime(to), raw: { from: '', to: '' } },
    scopedVars: {},
    targets: [{ refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] } as PrefectQuery],
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as unknown as DataQueryRequest<PrefectQuery>;

  // First run resolves and caches the metric (once per data source, as in Grafana); the benchmark measures the
  // steady state, where a panel refresh is one query_range.
  const first = await firstValueFrom(
    ds.query(request) as Observable<{ data: unknown[]; error?: { message?: string } }>
  );
  if (first.error || first.data.length === 0) {
    console.log(`query failed: ${first.error?.message ?? 'no frames'}`);
    return false;
  }
  const rangeCall = [...log].reverse().find((l) => l.path.endsWith('/query_range'));
  if (!rangeCall) {
    console.log('no query_range request seen');
    return false;
  }
  const params = new URLSearchParams(rangeCall.body);
  let points = 0;
  const raw = async () => {
    const res = await fetch(`${promUrl}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: rangeCall.body,
    });
    const json = JSON.parse(await res.text());
    points = json.data.result.reduce((n: number, s: { values: unknown[] }) => n + s.values.length, 0);
  };
  let frames = 0;
  // The plugin's cost on a whole read: the range cache (which would answer a repeat of the same range from a 10-minute
  // tail) is emptied first; what a refresh reads is bench/refresh.ts's figure.
  const cache = ds.prometheus() as CachedPrometheusApi;
  const ours = async () => {
    cache.clear();
    const res = await firstValueFrom(ds.query(request) as Observable<{ data: unknown[] }>);
    frames = res.data.length;
  };
  const before = log.length;
  await ours();
  const perRefresh = log.slice(before).map((l) => l.path);
  const { a: rawMs, b: oursMs } = await compare(raw, ours, 7);
  const ratio = oursMs / rawMs;
  console.log(`PromQL: ${params.get('query')} (step ${params.get('step')})`);
  console.log(`result: ${frames} frames, ${points} points; requests per panel refresh: ${perRefresh.join(', ')}`);
  console.log(
    `raw fetch + JSON.parse: ${rawMs.toFixed(0)} ms; data source query path: ${oursMs.toFixed(0)} ms (medians of 7)`
  );
  console.log(`ratio: ${ratio.toFixed(2)}, target ≤ 1.15: ${verdict(ratio <= 1.15)}`);
  return ratio <= 1.15;
}
