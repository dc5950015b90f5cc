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
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../prometheus/timeLimit';
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

/**
 * Maps what BackendSrv.fetch throws on the resource route to a PrometheusError an operator can act on. The messages
 * Grafana itself writes are matched by their text (grafana/grafana `pkg/api/datasources.go`
 * CallDatasourceResourceWithUID, `pkg/api/plugin_resource.go` handleCallResourceError); anything else on that route
 * is Prometheus's own answer, relayed with its status by `pkg/promlib/resource/resource.go`.
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
}

/**
 * A PrometheusTransport through `getBackendSrv().fetch`. Queries and series are POSTed as forms (long PromQL stays
 * out of URLs), as Grafana's own Prometheus frontend does with its default httpMethod; label values only take GET.
 * An abort or the time limit unsubscribes from the fetch, which cancels the HTTP request in Grafana's BackendSrv.
 */
export function resourceTransport(prometheusUid: string, options: ResourceTransportOptions = {}): PrometheusTransport {
  const base = resourceBaseUrl(prometheusUid);
  const srv = options.backendSrv ?? getBackendSrv;
  const seconds = options.timeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
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
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const stop = (error: PrometheusError) => {
        if (!settled) {
          finish();
          subscription.unsubscribe();
          reject(error);
        }
      };
      const onAbort = () => stop(canceledError());
      const timer = setTimeout(
        () =>
          stop(
            new PrometheusError(
              'timeout',
              `No answer through Grafana from the Prometheus data source "${prometheusUid}" within the request time limit of ${seconds} s. Prometheus may be overloaded or hung; try a shorter time range.`,
              { detail: `time limit ${seconds} s` }
            )
          ),
        seconds * 1000
      );
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
            reject(resourceErrorToPrometheusError(e, prometheusUid));
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
