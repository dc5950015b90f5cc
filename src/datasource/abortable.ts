// Lets a caller that did not start a shared request stop waiting for it, and lets one that does start requests
// hand its AbortSignal down to every call of the Prometheus port (and from there to the resource transport).
import { canceledError } from '../prometheus/errors';
import type { PrometheusApi, RequestOptions } from '../prometheus/types';

/** Rejects as canceled when `signal` aborts; the promise itself runs on (others may share it). */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) {
    return promise;
  }
  if (signal.aborted) {
    return Promise.reject(canceledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(canceledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      }
    );
  });
}

/** The same port, with `signal` on every request that does not bring its own. */
export function apiWithSignal(api: PrometheusApi, signal?: AbortSignal): PrometheusApi {
  return signal ? apiWith(api, { signal }) : api;
}

/** The same port, with these options (a signal, a warning sink) on every request that does not bring its own. */
export function apiWith(api: PrometheusApi, defaults: RequestOptions): PrometheusApi {
  const o = (opts?: RequestOptions): RequestOptions => ({
    ...opts,
    signal: opts?.signal ?? defaults.signal,
    onWarning: opts?.onWarning ?? defaults.onWarning,
  });
  return {
    queryRange: (expr, range, opts) => api.queryRange(expr, range, o(opts)),
    query: (expr, time, opts) => api.query(expr, time, o(opts)),
    series: (matchers, start, end, opts) => api.series(matchers, start, end, o(opts)),
    labelValues: (label, matchers, start, end, opts) => api.labelValues(label, matchers, start, end, o(opts)),
    ...(api.thanosStores ? { thanosStores: (opts?: RequestOptions) => api.thanosStores!(o(opts)) } : {}),
  };
}
