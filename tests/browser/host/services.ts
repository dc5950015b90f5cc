// The runtime services Grafana provides to every plugin, reduced to what a data source and an app page use.
import { type DataSourceApi, type DataSourceInstanceSettings, type ScopedVars, type TimeRange } from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type FetchResponse,
  type TemplateSrv,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';
import { Observable, lastValueFrom } from 'rxjs';

export interface RecordedRequest {
  method: string;
  url: string;
  status: number;
}

/** Every request a plugin sent through getBackendSrv(), for assertions (e.g. "went through the resource route"). */
export const requestLog: RecordedRequest[] = [];

function buildUrl(options: BackendSrvRequest): string {
  const url = new URL(options.url.replace(/^\/?/, '/'), window.location.origin);
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

/** Dashboard variables the host pretends to have; values may be multi-valued, as in Grafana. */
export const variables: Record<string, string | string[]> = {};

const VARIABLE_PATTERN = /\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]/g;

function formatValue(value: string | string[], format: string | Function | undefined): string {
  if (typeof format === 'function') {
    return format(value);
  }
  if (Array.isArray(value)) {
    return format === 'pipe' || format === 'regex' ? `(${value.join('|')})` : `{${value.join(',')}}`;
  }
  return value;
}

const templateSrv: TemplateSrv = {
  getVariables: () => [],
  replace(target?: string, scopedVars?: ScopedVars, format?: string | Function) {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE_PATTERN, (match, a, b, fmt, c) => {
      const name = a ?? b ?? c;
      const scoped = scopedVars?.[name]?.value as string | string[] | undefined;
      const value = scoped ?? variables[name];
      return value === undefined ? match : formatValue(value, fmt ?? format);
    });
  },
  containsTemplate: (target?: string) => !!target && new RegExp(VARIABLE_PATTERN.source).test(target),
  updateTimeRange: (_range: TimeRange) => undefined,
};

export interface DataSourceRegistry {
  settings: DataSourceInstanceSettings[];
  instances: Map<string, DataSourceApi>;
}

export const registry: DataSourceRegistry = { settings: [], instances: new Map() };

function findSettings(ref?: { uid?: string } | string | null): DataSourceInstanceSettings | undefined {
  const key = typeof ref === 'string' ? ref : ref?.uid;
  return registry.settings.find((s) => s.uid === key || s.name === key);
}

const dataSourceSrv: DataSourceSrv = {
  async get(ref) {
    const settings = findSettings(ref);
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
  getInstanceSettings: (ref) => findSettings(ref),
  reload: () => undefined,
  registerRuntimeDataSource: () => undefined,
};

export function installServices(): void {
  setBackendSrv(backendSrv);
  setTemplateSrv(templateSrv);
  setDataSourceSrv(dataSourceSrv);
}
