// Grafana's runtime services reduced to what the data source uses, for running its real code path in Node against a
// real Prometheus-compatible server: a BackendSrv that serves the Prometheus data source's resource route the way
// Grafana's source answers it, and Grafana 12's TemplateSrv (Scenes' interpolation).
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
  setDataSourceSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
} from '@grafana/runtime';
import { DataSource } from '../../src/datasource/datasource';
import { createSceneTemplateSrv } from '../../src/test/sceneTemplateSrv';
import { PROMETHEUS_DATASOURCE_TYPES } from '../../src/datasource/prometheusTypes';
import type { PrefectDataSourceOptions, PrefectQuery } from '../../src/datasource/types';

// The Prometheus data source's resource route (grafana/grafana `pkg/api/api.go`:
// `apiRoute.Any("/datasources/uid/:uid/resources/*", …, hs.CallDatasourceResourceWithUID)`).
const RESOURCE = /^\/api\/datasources\/uid\/([^/]+)\/resources\/([^?]*)(\?.*)?$/;

/**
 * Plugin ids whose backend is Grafana's Prometheus library and answers CallResource
 * (src/datasource/prometheusTypes.ts says where each is registered).
 */
const PROMLIB_TYPES = new Set(PROMETHEUS_DATASOURCE_TYPES as readonly string[]);

/**
 * Grafana's `[dataproxy] timeout` (default 30 s), which the data source's HTTP client gets from the plugin SDK; a
 * test may shorten it to see Grafana give up before the plugin does.
 */
export const grafanaConfig = { dataproxyTimeoutMs: 30_000 };

/** uid -> URL of a data source, as Grafana's data source store holds it. */
export const upstreams = new Map<string, string>();
/** uid -> plugin id, for data sources that are not the core `prometheus` type. */
export const dataSourceTypes = new Map<string, string>();
/** uids the signed-in user has no query permission on. */
export const deniedUids = new Set<string>();
/** uid -> the Prometheus data source's `jsonData.httpMethod` (absent: not set, which promlib treats as POST). */
export const httpMethods = new Map<string, string>();
/** uids missing from the boot data's data source list, so the plugin cannot read their settings. */
export const unlistedUids = new Set<string>();
/** uids whose plugin is not running (crashed or still starting). */
export const unavailableUids = new Set<string>();
export const inFlight: Array<{ path: string; signal: AbortSignal }> = [];
/** `METHOD /api/v1/…` of every call that reached Prometheus; the full URLs the plugin asked for are in `urlLog`. */
export const requestLog: string[] = [];
export const urlLog: string[] = [];
/** The form parameters of every call that reached Prometheus (query string or POST body), beside requestLog. */
export const paramLog: URLSearchParams[] = [];
/** Called with each forwarded path, e.g. to learn when a request is in flight. */
export const hooks: { onRequest?: (path: string) => void } = {};

/**
 * What Grafana's BackendSrv throws for a non-2xx answer: the body parsed as JSON when it is JSON, then made an object
 * with a message (`public/app/core/services/backend_srv.ts` processRequestError).
 */
function fetchErrorFor(status: number, body: unknown, statusText = '') {
  let data = (body ?? { message: 'Unexpected error' }) as Record<string, unknown> | string;
  if (typeof data === 'string') {
    data = { message: data, error: statusText, response: data };
  }
  if (!data.message && typeof data.error === 'string') {
    data = { ...data, message: data.error };
  }
  return { status, statusText, data, config: {} };
}

/** Grafana's JsonApiErr body (`pkg/services/contexthandler/model/model.go`): a message, and a traceID with an error. */
function grafanaError(status: number, message: string) {
  return fetchErrorFor(status, { message, traceID: '' });
}

/**
 * The body `response.ErrOrFallback` writes for an errutil error (`pkg/api/response`, `pkg/apimachinery/errutil`
 * Public: statusCode, messageId, message), as `pkg/api/plugin_resource.go` handleCallResourceError answers a failed
 * resource call in Grafana 12.4–13. The errors are `pkg/plugins/errors.go`'s, both errutil.Internal, so both 500:
 * ErrPluginRequestFailureErrorBase ("An error occurred within the plugin", which the plugin client wraps around any
 * error of CallResource) and ErrPluginUnavailable ("Plugin unavailable"; a 503 in releases before).
 */
function pluginError(messageId: 'plugin.requestFailureError' | 'plugin.unavailable') {
  const message = messageId === 'plugin.unavailable' ? 'Plugin unavailable' : 'An error occurred within the plugin';
  return fetchErrorFor(500, { message, messageId, statusCode: 500, traceID: '' });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Grafana's BackendSrv.fetch in front of Grafana's resource route: unsubscribing aborts, errors carry the status and
 * the parsed body. The route checks the data source as `pkg/api/datasources.go` CallDatasourceResourceWithUID does,
 * then relays to Prometheus as `pkg/promlib/client/client.go` QueryResource and `pkg/promlib/resource/resource.go`
 * Execute do: same method, body and query string, URL joined onto the data source's, and Prometheus's status and
 * body handed back unchanged. For a data source whose `httpMethod` is GET, every POST is answered 405 with an empty
 * body before it leaves Grafana (`pkg/promlib/middleware/force_http_get.go`, installed by
 * `pkg/promlib/client/transport.go`; QueryResource forwards the caller's own method). A transport error or Grafana's
 * data proxy timeout becomes the 500 "An error occurred within the plugin" (see pluginError).
 */
export const backendSrv = {
  fetch<T>(options: BackendSrvRequest): Observable<{ data: T; status: number; ok: boolean }> {
    return new Observable((subscriber) => {
      const controller = new AbortController();
      urlLog.push(options.url);
      const match = RESOURCE.exec(options.url);
      if (!match) {
        // Anything else (the legacy data proxy included) is not what the plugin may use.
        subscriber.error(grafanaError(404, 'Not found'));
        return undefined;
      }
      const uid = decodeURIComponent(match[1]);
      const base = upstreams.get(uid);
      if (deniedUids.has(uid)) {
        subscriber.error(grafanaError(403, 'Access denied to datasource'));
        return undefined;
      }
      if (!base) {
        // ErrDataSourceNotFound is not mapped on this route: Grafana answers 500.
        subscriber.error(grafanaError(500, 'Unable to load datasource meta data'));
        return undefined;
      }
      if (!PROMLIB_TYPES.has(dataSourceTypes.get(uid) ?? 'prometheus')) {
        subscriber.error(grafanaError(500, 'Unable to find datasource plugin'));
        return undefined;
      }
      if (unavailableUids.has(uid)) {
        subscriber.error(pluginError('plugin.unavailable'));
        return undefined;
      }
      const path = `/${match[2]}`;
      const method = (options.method ?? 'GET').toUpperCase();
      requestLog.push(`${method} ${path}`);
      paramLog.push(
        new URLSearchParams(method === 'POST' ? String(options.data ?? '') : (match[3] ?? '').replace(/^\?/, ''))
      );
      if (method === 'POST' && httpMethods.get(uid)?.toLowerCase() === 'get') {
        // ForceHttpGet's artificial answer: status 405, no headers, no body; Grafana adds a JSON content type and
        // BackendSrv, finding no JSON, falls back to the status text as the message.
        subscriber.error(fetchErrorFor(405, '', 'Method Not Allowed'));
        return undefined;
      }
      inFlight.push({ path, signal: controller.signal });
      hooks.onRequest?.(path);
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        controller.abort();
      }, grafanaConfig.dataproxyTimeoutMs);
      fetch(base.replace(/\/+$/, '') + path + (match[3] ?? ''), {
        method,
        headers: method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : undefined,
        body: method === 'POST' ? options.data : undefined,
        signal: controller.signal,
      })
        .then(async (res) => {
          const data = parsed(await res.text());
          clearTimeout(timer);
          if (!res.ok) {
            subscriber.error(fetchErrorFor(res.status, data, res.statusText));
            return;
          }
          subscriber.next({ data: data as T, status: res.status, ok: true });
          subscriber.complete();
        })
        .catch(() => {
          clearTimeout(timer);
          if (controller.signal.aborted && !gaveUp) {
            return;
          }
          subscriber.error(pluginError('plugin.requestFailureError'));
        });
      return () => {
        clearTimeout(timer);
        controller.abort();
      };
    });
  },
} as unknown as BackendSrv;

/**
 * The dashboard's variables and Grafana 12's TemplateSrv: `replace` is Scenes' sceneGraph.interpolate over a scene
 * holding the variables (src/test/sceneTemplateSrv.ts), so "All", custom all values and formats are Grafana's code.
 */
export const templateSrv = createSceneTemplateSrv();
/** Sets one dashboard variable: its value(s), or a full spec (options, includeAll, allValue). */
export const setVariable = templateSrv.setVariable;

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

/**
 * The part of Grafana's DataSourceSrv the data source reads: the settings of the Prometheus data sources the user
 * can see, as Grafana's boot data lists them (`pkg/api/frontendsettings.go` puts each one's jsonData there).
 */
export const dataSourceSrv = {
  getInstanceSettings(ref: string | { uid?: string } | null | undefined) {
    const uid = typeof ref === 'string' ? ref : ref?.uid;
    if (!uid || !upstreams.has(uid) || deniedUids.has(uid) || unlistedUids.has(uid)) {
      return undefined;
    }
    const method = httpMethods.get(uid);
    return { uid, type: dataSourceTypes.get(uid) ?? 'prometheus', jsonData: method ? { httpMethod: method } : {} };
  },
  getList: () => [],
  get: () => Promise.reject(new Error('not a data source this stand-in serves')),
  reload: () => Promise.resolve(),
  registerRuntimeDataSource: () => {},
} as unknown as DataSourceSrv;

/** Makes the stand-ins Grafana's services (call in beforeAll). */
export function installGrafanaStandIns(): void {
  setBackendSrv(backendSrv);
  setDataSourceSrv(dataSourceSrv);
  setTemplateSrv(templateSrv);
}
