// Grafana's runtime services reduced to what the data source uses, for running its real code path in Node against a
// real Prometheus-compatible server: a BackendSrv that forwards data-proxy URLs to registered upstreams, and a
// TemplateSrv with Grafana's replace contract.
import { Observable, firstValueFrom } from 'rxjs';
import {
  dateTime,
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

const PROXY = /^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)$/;

/** uid -> Prometheus base URL; what Grafana's data proxy would look up. */
export const upstreams = new Map<string, string>();
export const inFlight: Array<{ path: string; signal: AbortSignal }> = [];
export const requestLog: string[] = [];
/** Called with each forwarded path, e.g. to learn when a request is in flight. */
export const hooks: { onRequest?: (path: string) => void } = {};

function fetchErrorFor(status: number, data: unknown, statusText = '') {
  return { status, statusText, data, config: {} };
}

/** Grafana's BackendSrv.fetch, reduced to what the data proxy does: forward, and abort on unsubscribe. */
export const backendSrv = {
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
      hooks.onRequest?.(path);
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
export const variables: Record<string, string | string[]> = {};
export const templateSrv = {
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

export function dataSource(uid: string, jsonData: Partial<PrefectDataSourceOptions> = {}): DataSource {
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

export function request(
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

export function run(
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

/** Makes the stand-ins Grafana's services (call in beforeAll). */
export function installGrafanaStandIns(): void {
  setBackendSrv(backendSrv);
  setTemplateSrv(templateSrv);
}
