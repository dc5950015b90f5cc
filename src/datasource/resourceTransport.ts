// The Prometheus port over the Prometheus data source's own resource route,
// `/api/datasources/uid/<uid>/resources/api/v1/…`. Grafana hands the call to that data source's backend (Grafana's
// Prometheus library, `pkg/promlib/resource/resource.go`), which sends it to Prometheus with the data source's HTTP
// client: its URL, TLS, custom headers and backend authentication (SigV4, Azure) apply, and the answer comes back
// with Prometheus's own status and body. The legacy data proxy (`/api/datasources/proxy/uid/…`) skips the backend
// and with it SigV4 and Azure authentication.
//
// Why not `/api/ds/query` for range queries: the library recomputes the step from interval/maxDataPoints and aligns
// start and end to it (`pkg/promlib/models/query.go`, AlignTimeRange), and returns data frames. The core chooses
// its step and grid itself and reads Prometheus's matrix; Grafana's own Prometheus frontend sends `api/v1/query`,
// `api/v1/query_range` and `api/v1/series` as resource calls too (`packages/grafana-prometheus/src/constants.ts`,
// GET_AND_POST_METADATA_ENDPOINTS, via `datasource.ts` metadataRequest).
import { getBackendSrv, type BackendSrv, type FetchError, type FetchResponse } from '@grafana/runtime';
import {
  PrometheusError,
  canceledError,
  errorFromPrometheusBody,
  invalidResponseError,
  isPrometheusError,
} from '../prometheus/errors';
import { isGetOnlyPath } from '../prometheus/client';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, limitSignal } from '../prometheus/timeLimit';
import type { PrometheusTransport } from '../prometheus/types';

export function resourceBaseUrl(prometheusUid: string): string {
  return `/api/datasources/uid/${encodeURIComponent(prometheusUid)}/resources`;
}

interface PromBody {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
}

function messageOf(data: unknown): string {
  if (typeof data === 'string') {
    return data.trim();
  }
  if (data !== null && typeof data === 'object') {
    const d = data as { message?: unknown; error?: unknown };
    if (typeof d.message === 'string') {
      return d.message.trim();
    }
    if (typeof d.error === 'string') {
      return d.error.trim();
    }
  }
  return '';
}

const CHECK_SOURCE = 'Open that Prometheus data source and press Save & test there.';

/** Grafana's error bodies carry a trace id when tracing is on; it finds the logged cause. */
function traceOf(data: unknown): string {
  const id = (data as { traceID?: unknown } | null)?.traceID;
  return typeof id === 'string' && id !== '' ? `, trace ID ${id}` : '';
}

/**
 * Maps what BackendSrv.fetch throws on the resource route to a PrometheusError an operator can act on. The messages
 * Grafana itself writes are matched by their text (grafana/grafana `pkg/api/datasources.go`
 * CallDatasourceResourceWithUID; `pkg/api/plugin_resource.go` handleCallResourceError, which since 12.4 answers the
 * public message of `pkg/plugins/errors.go`'s errutil errors through response.ErrOrFallback, and before it
 * "Failed to call resource"/503); anything else on that route is Prometheus's own answer, relayed with its status
 * by `pkg/promlib/resource/resource.go`.
 */
export function resourceErrorToPrometheusError(e: unknown, uid: string): PrometheusError {
  if (isPrometheusError(e)) {
    return e;
  }
  const err = (e ?? {}) as Partial<FetchError>;
  if (err.cancelled) {
    return canceledError();
  }
  const status = typeof err.status === 'number' && err.status > 0 ? err.status : 0;
  const body = err.data as PromBody | undefined;
  if (body && typeof body === 'object' && body.status === 'error') {
    return errorFromPrometheusBody(String(body.errorType ?? ''), String(body.error ?? ''), status || undefined);
  }
  const detail = messageOf(err.data) || err.statusText || err.message || (e instanceof Error ? e.message : String(e));
  const ds = `the Prometheus data source "${uid}"`;
  const opts = { httpStatus: status || undefined, detail };
  if (status === 0) {
    return new PrometheusError('unreachable', `Grafana did not answer the request for ${ds} (${detail}).`, opts);
  }
  if (status === 401) {
    return new PrometheusError(
      'http',
      `HTTP 401 on ${ds}: ${detail}. Either your Grafana session has ended (sign in again) or Prometheus refused the data source's credentials. ${CHECK_SOURCE}`,
      opts
    );
  }
  if (status === 403) {
    return new PrometheusError(
      'http',
      `HTTP 403 on ${ds}: ${detail}. You need query permission on that data source, or Prometheus refused its credentials (SigV4 role, Azure identity). ${CHECK_SOURCE}`,
      opts
    );
  }
  if (/^Unable to load datasource meta ?data$/i.test(detail) || /^Data source not found$/i.test(detail)) {
    // Grafana answers a uid it does not know with 500 "Unable to load datasource meta data" on this route.
    return new PrometheusError(
      'http',
      `${ds} no longer exists in Grafana (HTTP ${status}: ${detail}). Pick an existing Prometheus data source in this data source's settings.`,
      opts
    );
  }
  if (status === 404) {
    return new PrometheusError(
      'http',
      `HTTP 404 on ${ds}: ${detail || 'not found'}. Its plugin may be missing or not a Prometheus-type data source, or its URL does not point at the Prometheus API root. ${CHECK_SOURCE}`,
      opts
    );
  }
  if (/^An error occurred within the plugin$/i.test(detail)) {
    // Grafana 12.4+: the Prometheus library's failure (connection refused, DNS, TLS, its HTTP client's timeout) is
    // wrapped as plugin.requestFailureError and answered 500 with only this public message; the cause is logged.
    return new PrometheusError(
      'unreachable',
      `Prometheus is unreachable through ${ds} (HTTP ${status}: ${detail}${traceOf(err.data)}): Grafana's Prometheus backend got no answer from it. Prometheus is down, the data source's URL or credentials are wrong, or it took longer than Grafana's data proxy timeout; the cause is in the Grafana server log. ${CHECK_SOURCE}`,
      opts
    );
  }
  if (/^Plugin unavailable$/i.test(detail)) {
    // 503 before Grafana 12.4, a 500 (errutil.Internal "plugin.unavailable") since.
    return new PrometheusError(
      'unavailable',
      `The plugin behind ${ds} is not running (HTTP ${status}: ${detail}); it may be starting or have crashed. Try again shortly; if it persists, check the Grafana server log.`,
      opts
    );
  }
  if (/^Internal Server Error - please inspect Grafana server log/i.test(detail)) {
    // Grafana's recovery middleware: a panic while serving the call. Releases whose force-HTTP-GET middleware returned
    // a response without a body panicked this way on a POST to a data source set to GET (grafana/grafana#119686).
    return new PrometheusError(
      'http',
      `Grafana failed while serving ${ds} (HTTP ${status}: ${detail}). If that data source's HTTP method is GET, this Grafana cannot take POSTed queries for it: check that this plugin can read the data source's settings (Viewer access to it). ${CHECK_SOURCE}`,
      opts
    );
  }
  if (status === 405) {
    return new PrometheusError(
      'http',
      `HTTP 405 on ${ds}: ${detail || 'method not allowed'}. Neither POST nor GET was accepted for this call; a proxy in front of Prometheus may refuse it. ${CHECK_SOURCE}`,
      opts
    );
  }
  if (/^Failed to call resource$/i.test(detail) || status === 502 || status === 504) {
    return new PrometheusError(
      'unreachable',
      `Prometheus is unreachable through ${ds} (HTTP ${status}: ${detail}): it is down, its URL is wrong, or it took longer than Grafana's data proxy timeout. ${CHECK_SOURCE}`,
      opts
    );
  }
  if (status === 503) {
    return new PrometheusError(
      'unavailable',
      `${ds} is unavailable (HTTP 503: ${detail}); its plugin may be starting. Try again shortly.`,
      opts
    );
  }
  return new PrometheusError('http', `Request through ${ds} failed (HTTP ${status}: ${detail}). ${CHECK_SOURCE}`, opts);
}

export interface ResourceTransportOptions {
  backendSrv?: () => BackendSrv;
  /** Per-request time limit in seconds. */
  timeoutSeconds?: number;
  /**
   * The Prometheus data source's `jsonData.httpMethod`. `GET` sends every call as GET; anything else POSTs queries
   * and series as forms and falls back to GET where that is refused (see resourceTransport).
   */
  httpMethod?: string;
}

/** What BackendSrv.fetch threw, before mapping: its status decides whether a POST is retried as GET. */
class RawFetchError {
  constructor(readonly error: unknown) {}
  get status(): number | undefined {
    const s = (this.error as Partial<FetchError> | null)?.status;
    return typeof s === 'number' ? s : undefined;
  }
}

/**
 * A PrometheusTransport through `getBackendSrv().fetch`, choosing the HTTP method as Grafana's own Prometheus
 * frontend does (`packages/grafana-prometheus/src/datasource.ts`, metadataRequest, Grafana 12.4–13): the data
 * source's `httpMethod` for query, query_range and series, and when a POST is answered 405 or 400, the same call
 * again as GET. A data source set to GET gets GET only: for it, Grafana's Prometheus library answers every POST
 * with 405 (`pkg/promlib/middleware/force_http_get.go`, installed by `pkg/promlib/client/transport.go` when
 * `httpMethod` is "get"). Unlike the frontend, a 405 is remembered, so a refused POST costs one extra request per
 * data source, not one per call. Label values and Thanos's store list only take GET (isGetOnlyPath). An abort or
 * the time limit unsubscribes from the fetch, which cancels the HTTP request in Grafana's BackendSrv; the limit
 * covers the retry too.
 */
export function resourceTransport(prometheusUid: string, options: ResourceTransportOptions = {}): PrometheusTransport {
  const base = resourceBaseUrl(prometheusUid);
  const srv = options.backendSrv ?? getBackendSrv;
  const seconds = options.timeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
  let postRefused = (options.httpMethod ?? '').toUpperCase() === 'GET';

  const fetchOnce = (method: 'GET' | 'POST', path: string, query: string, signal: AbortSignal) =>
    new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (!settled) {
          settled = true;
          subscription.unsubscribe();
          reject(canceledError());
        }
      };
      const subscription = srv()
        .fetch<unknown>({
          url: method === 'GET' ? `${base}${path}${query ? `?${query}` : ''}` : base + path,
          method,
          data: method === 'GET' ? undefined : query,
          headers: method === 'GET' ? undefined : { 'Content-Type': 'application/x-www-form-urlencoded' },
          showErrorAlert: false,
          showSuccessAlert: false,
        })
        .subscribe({
          next: (res: FetchResponse<unknown>) => {
            if (settled) {
              return;
            }
            settled = true;
            signal.removeEventListener('abort', onAbort);
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
            if (!settled) {
              settled = true;
              signal.removeEventListener('abort', onAbort);
              reject(new RawFetchError(e));
            }
          },
          complete: () => {
            if (!settled) {
              settled = true;
              signal.removeEventListener('abort', onAbort);
              reject(invalidResponseError(base + path, 'the request completed without a body'));
            }
          },
        });
      if (!settled) {
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });

  return async (path, params, opts) => {
    if (opts?.signal?.aborted) {
      throw canceledError();
    }
    const limit = limitSignal(opts?.signal, seconds);
    const query = params.toString();
    const failure = (e: unknown): PrometheusError => {
      if (limit.timedOut()) {
        return new PrometheusError(
          'timeout',
          `No answer through Grafana from the Prometheus data source "${prometheusUid}" within the request time limit of ${seconds} s. Prometheus may be overloaded or hung; try a shorter time range.`,
          { detail: `time limit ${seconds} s` }
        );
      }
      return resourceErrorToPrometheusError(e instanceof RawFetchError ? e.error : e, prometheusUid);
    };
    try {
      if (isGetOnlyPath(path) || postRefused) {
        return await fetchOnce('GET', path, query, limit.signal);
      }
      try {
        return await fetchOnce('POST', path, query, limit.signal);
      } catch (e) {
        const status = e instanceof RawFetchError ? e.status : undefined;
        if (status !== 405 && status !== 400) {
          throw e;
        }
        if (status === 405) {
          postRefused = true;
        }
        return await fetchOnce('GET', path, query, limit.signal);
      }
    } catch (e) {
      throw failure(e);
    } finally {
      limit.clear();
    }
  };
}
