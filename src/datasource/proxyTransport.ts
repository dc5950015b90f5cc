// The Prometheus port over Grafana's data proxy: requests go to the chosen Prometheus data source by uid, so its URL
// and credentials stay in that data source and never pass through this plugin's settings.
import { getBackendSrv, type BackendSrv, type FetchError, type FetchResponse } from '@grafana/runtime';
import {
  PrometheusError,
  canceledError,
  errorFromPrometheusBody,
  invalidResponseError,
  isPrometheusError,
} from '../prometheus/errors';
import type { PrometheusTransport } from '../prometheus/types';

export function proxyBaseUrl(prometheusUid: string): string {
  return `/api/datasources/proxy/uid/${encodeURIComponent(prometheusUid)}`;
}

interface PromBody {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
}

function messageOf(data: unknown): string {
  if (typeof data === 'string') {
    return data;
  }
  if (data !== null && typeof data === 'object') {
    const d = data as { message?: unknown; error?: unknown };
    if (typeof d.message === 'string') {
      return d.message;
    }
    if (typeof d.error === 'string') {
      return d.error;
    }
  }
  return '';
}

/** Maps what BackendSrv.fetch throws (a FetchError, or anything else) to a PrometheusError an operator can act on. */
export function fetchErrorToPrometheusError(e: unknown, base: string): PrometheusError {
  if (isPrometheusError(e)) {
    return e;
  }
  const err = (e ?? {}) as Partial<FetchError>;
  if (err.cancelled) {
    return canceledError();
  }
  const status = typeof err.status === 'number' ? err.status : 0;
  const body = err.data as PromBody | undefined;
  if (body && typeof body === 'object' && body.status === 'error') {
    return errorFromPrometheusBody(String(body.errorType ?? ''), String(body.error ?? ''), status || undefined);
  }
  const detail = messageOf(err.data) || err.statusText || err.message || (e instanceof Error ? e.message : String(e));
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new PrometheusError(
      'unreachable',
      `Prometheus is unreachable through Grafana's data proxy (${base}${status ? `, HTTP ${status}` : ''}: ${detail}). ` +
        'Check that the Prometheus data source works (Save & test on it) and that Prometheus is running.',
      { httpStatus: status || undefined, detail }
    );
  }
  if (status === 404) {
    return new PrometheusError(
      'http',
      `The Prometheus data source behind ${base} was not found (HTTP 404: ${detail}). Pick an existing Prometheus data source in this data source's settings.`,
      { httpStatus: status, detail }
    );
  }
  if (status === 401 || status === 403) {
    return new PrometheusError(
      'http',
      `Grafana refused the request to the Prometheus data source (HTTP ${status}: ${detail}). Check your permissions on that data source.`,
      { httpStatus: status, detail }
    );
  }
  return new PrometheusError('http', `Prometheus request through ${base} failed (HTTP ${status}): ${detail}`, {
    httpStatus: status,
    detail,
  });
}

/**
 * A PrometheusTransport through `getBackendSrv().fetch`. Queries are POSTed as forms (long PromQL stays out of
 * URLs); the label-values endpoint only takes GET. An abort unsubscribes from the fetch, which cancels the HTTP
 * request in Grafana's BackendSrv.
 */
export function proxyTransport(prometheusUid: string, backendSrv?: () => BackendSrv): PrometheusTransport {
  const base = proxyBaseUrl(prometheusUid);
  const srv = backendSrv ?? getBackendSrv;
  return (path, params, opts) =>
    new Promise<unknown>((resolve, reject) => {
      const signal = opts?.signal;
      if (signal?.aborted) {
        reject(canceledError());
        return;
      }
      const useGet = path.startsWith('/api/v1/label/');
      const query = params.toString();
      let settled = false;
      const onAbort = () => {
        if (!settled) {
          settled = true;
          subscription.unsubscribe();
          reject(canceledError());
        }
      };
      const finish = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
      };
      const subscription = srv()
        .fetch<unknown>({
          url: useGet ? `${base}${path}${query ? `?${query}` : ''}` : base + path,
          method: useGet ? 'GET' : 'POST',
          data: useGet ? undefined : query,
          headers: useGet ? undefined : { 'Content-Type': 'application/x-www-form-urlencoded' },
          showErrorAlert: false,
          showSuccessAlert: false,
        })
        .subscribe({
          next: (res: FetchResponse<unknown>) => {
            if (settled) {
              return;
            }
            finish();
            const data = res.data;
            if (typeof data === 'string') {
              try {
                resolve(JSON.parse(data));
              } catch {
                reject(invalidResponseError(base + path, 'the body is not JSON', res.status));
              }
              return;
            }
            resolve(data);
          },
          error: (e: unknown) => {
            if (settled) {
              return;
            }
            finish();
            reject(fetchErrorToPrometheusError(e, base));
          },
          complete: () => {
            if (!settled) {
              finish();
              reject(invalidResponseError(base + path, 'the request completed without a body'));
            }
          },
        });
      if (!settled) {
        signal?.addEventListener('abort', onAbort, { once: true });
      }
    });
}
