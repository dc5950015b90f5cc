// The runtime services Grafana provides to every plugin, reduced to what a data source and an app page use.
import {
  DataTopic,
  LoadingState,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type PanelData,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type FetchResponse,
  type TemplateSrv,
  setBackendSrv,
  setDataSourceSrv,
  setRunRequest,
  setTemplateSrv,
  toDataQueryError,
} from '@grafana/runtime';
import { sceneGraph, type SceneObject } from '@grafana/scenes';
import { Observable, catchError, from, lastValueFrom, map, of } from 'rxjs';

export interface RecordedRequest {
  method: string;
  url: string;
  status: number;
}

/** Every request a plugin sent through getBackendSrv(), for assertions (e.g. "went through the resource route"). */
export const requestLog: RecordedRequest[] = [];

function buildUrl(options: BackendSrvRequest): string {
  // Grafana's BackendSrv drops the leading slash of a local URL, so that it resolves against the page's
  // `<base href="{appSubUrl}/">` (public/app/core/services/backend_srv.ts): under a sub-path too.
  const url = new URL(options.url.replace(/^\//, ''), document.baseURI);
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value === undefined || value === null) {
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      url.searchParams.append(key, String(one));
    }
  }
  return url.toString();
}

function encodeBody(options: BackendSrvRequest, headers: Headers): BodyInit | undefined {
  const data = options.data;
  if (data === undefined || data === null) {
    return undefined;
  }
  if (typeof data === 'string' || data instanceof URLSearchParams || data instanceof FormData || data instanceof Blob) {
    return data;
  }
  if (!headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  return JSON.stringify(data);
}

async function readBody(response: Response, responseType: BackendSrvRequest['responseType']): Promise<unknown> {
  if (responseType === 'text') {
    return response.text();
  }
  if (responseType === 'blob') {
    return response.blob();
  }
  if (responseType === 'arraybuffer') {
    return response.arrayBuffer();
  }
  const text = await response.text();
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Grafana's BackendSrv contract: an Observable of FetchResponse that errors with `{status, statusText, data, config}`
 * on a non-2xx answer, and whose unsubscription aborts the request (that is how panels cancel queries).
 */
function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    options.abortSignal?.addEventListener('abort', onOuterAbort);
    const headers = new Headers(options.headers ?? {});
    const method = (options.method ?? 'GET').toUpperCase();
    const url = buildUrl(options);
    const entry: RecordedRequest = { method, url, status: 0 };
    requestLog.push(entry);
    fetch(url, { method, headers, body: encodeBody(options, headers), signal: controller.signal })
      .then(async (response) => {
        entry.status = response.status;
        const data = (await readBody(response, options.responseType)) as T;
        const result: FetchResponse<T> = {
          data,
          status: response.status,
          statusText: response.statusText,
          ok: response.ok,
          headers: response.headers,
          url: response.url,
          type: response.type,
          redirected: response.redirected,
          config: options,
        };
        if (response.ok) {
          subscriber.next(result);
          subscriber.complete();
        } else {
          // Grafana's processRequestError (public/app/core/services/backend_srv.ts): the error's data is always an
          // object with a message; a text body becomes {message, error: statusText, response}.
          let body = (data ?? { message: 'Unexpected error' }) as Record<string, unknown> | string;
          if (typeof body === 'string') {
            body = { message: body, error: response.statusText, response: body };
          }
          if (!body.message && typeof body.error === 'string') {
            body = { ...body, message: body.error };
          }
          subscriber.error({ status: response.status, statusText: response.statusText, data: body, config: options });
        }
      })
      .catch((err: unknown) => {
        if (!subscriber.closed) {
          subscriber.error({ status: -1, statusText: String(err), data: { message: String(err) }, config: options });
        }
      });
    return () => {
      options.abortSignal?.removeEventListener('abort', onOuterAbort);
      controller.abort();
    };
  });
}

const backendSrv = {
  fetch: fetchObservable,
  request: async (options: BackendSrvRequest) => (await lastValueFrom(fetchObservable(options))).data,
  datasourceRequest: (options: BackendSrvRequest) => lastValueFrom(fetchObservable(options)),
  get: async (url: string, params?: BackendSrvRequest['params']) =>
    (await lastValueFrom(fetchObservable({ url, params }))).data,
  delete: async (url: string, data?: unknown) =>
    (await lastValueFrom(fetchObservable({ url, method: 'DELETE', data }))).data,
  post: async (url: string, data?: unknown) =>
    (await lastValueFrom(fetchObservable({ url, method: 'POST', data }))).data,
  patch: async (url: string, data?: unknown) =>
    (await lastValueFrom(fetchObservable({ url, method: 'PATCH', data }))).data,
  put: async (url: string, data?: unknown) => (await lastValueFrom(fetchObservable({ url, method: 'PUT', data }))).data,
  resolveCancelerIfExists: () => undefined,
} as unknown as BackendSrv;

declare global {
  interface Window {
    /** The active dashboard scene, as Grafana's DashboardScene publishes it while active. */
    __grafanaSceneContext?: SceneObject;
  }
}

/**
 * Grafana 12's TemplateSrv (public/app/features/templating/template_srv.ts, `replace`): a request from a scene carries
 * its scene object in `scopedVars.__sceneObject`, and interpolation is `sceneGraph.interpolate` from there; otherwise
 * the active dashboard scene (`window.__grafanaSceneContext`) is the scope. Everything else (variables, "All",
 * custom all values, formats, macros such as `$__interval`) is Scenes' own code. Without a dashboard, references stay
 * as they are, as Grafana leaves a variable it does not know.
 */
const templateSrv: TemplateSrv = {
  getVariables: () => [],
  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function) {
    // `__sceneObject` holds a SafeSerializableSceneObject whose valueOf() is the scene object (Grafana unwraps it so).
    const context = (scopedVars?.__sceneObject?.value?.valueOf() as SceneObject | undefined) ?? activeScene();
    if (context) {
      return sceneGraph.interpolate(context, target, scopedVars, format as never);
    }
    return target ?? '';
  },
  containsTemplate: (target?: string) => !!target && templateSrv.replace(target) !== target,
  updateTimeRange: (_range: TimeRange) => undefined,
};

function activeScene(): SceneObject | undefined {
  const scene = window.__grafanaSceneContext;
  return scene?.isActive ? scene : undefined;
}

/**
 * Grafana's runRequest (public/app/features/query/state/runRequest.ts), which Grafana's core hands to
 * @grafana/runtime and Scenes' query runners and annotation layers call: the data source's query (or the given
 * query function) as PanelData, frames of the annotations data topic apart, errors as PanelData errors, the network
 * request cancelled on unsubscribe (BackendSrv's abort). Grafana's core is not on npm, so this much is rebuilt here.
 */
function runRequest(
  datasource: DataSourceApi,
  request: DataQueryRequest,
  queryFunction?: (request: DataQueryRequest) => Observable<DataQueryResponse> | Promise<DataQueryResponse>
): Observable<PanelData> {
  const base: PanelData = { state: LoadingState.Loading, series: [], request, timeRange: request.range };
  if (request.targets.length === 0) {
    return of({ ...base, state: LoadingState.Done });
  }
  const call = queryFunction ? queryFunction(request) : datasource.query(request);
  return from(call as Observable<DataQueryResponse>).pipe(
    map((packet: DataQueryResponse): PanelData => {
      const series = (packet.data ?? []).filter((f) => f?.meta?.dataTopic !== DataTopic.Annotations);
      const annotations = (packet.data ?? []).filter((f) => f?.meta?.dataTopic === DataTopic.Annotations);
      const errors: DataQueryError[] = [...(packet.errors ?? []), ...(packet.error ? [packet.error] : [])];
      return {
        ...base,
        state: errors.length > 0 ? LoadingState.Error : (packet.state ?? LoadingState.Done),
        series,
        annotations,
        error: errors[0],
        errors: errors.length > 0 ? errors : undefined,
      };
    }),
    catchError((err: unknown) => {
      const error = toDataQueryError(err as never);
      return of({ ...base, state: LoadingState.Error, error, errors: [error] });
    })
  );
}

export interface DataSourceRegistry {
  settings: DataSourceInstanceSettings[];
  instances: Map<string, DataSourceApi>;
}

export const registry: DataSourceRegistry = { settings: [], instances: new Map() };

/**
 * A reference by variable (`${datasource}`) is interpolated first, as Grafana's DatasourceSrv does
 * (public/app/features/plugins/datasource_srv.ts, getInstanceSettings).
 */
function findSettings(
  ref?: { uid?: string } | string | null,
  scopedVars?: ScopedVars
): DataSourceInstanceSettings | undefined {
  let key = typeof ref === 'string' ? ref : ref?.uid;
  if (key && key.includes('$')) {
    key = templateSrv.replace(key, scopedVars);
  }
  return registry.settings.find((s) => s.uid === key || s.name === key);
}

const dataSourceSrv: DataSourceSrv = {
  async get(ref, scopedVars) {
    const settings = findSettings(ref, scopedVars);
    const instance = settings && registry.instances.get(settings.uid);
    if (!instance) {
      throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
    }
    return instance;
  },
  getList(filters = {}) {
    return registry.settings.filter((s) => {
      if (filters.type && !([] as string[]).concat(filters.type).includes(s.type)) {
        return false;
      }
      if (filters.pluginId && s.meta.id !== filters.pluginId) {
        return false;
      }
      if (filters.metrics && !s.meta.metrics) {
        return false;
      }
      if (filters.annotations && !s.meta.annotations) {
        return false;
      }
      return filters.filter ? filters.filter(s) : true;
    });
  },
  getInstanceSettings: (ref, scopedVars) => findSettings(ref, scopedVars),
  reload: () => undefined,
  registerRuntimeDataSource: () => undefined,
};

export function installServices(): void {
  setBackendSrv(backendSrv);
  setTemplateSrv(templateSrv);
  setDataSourceSrv(dataSourceSrv);
  setRunRequest(runRequest as never);
}
