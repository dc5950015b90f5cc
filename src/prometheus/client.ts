// The Prometheus HTTP API over a transport. The parse path stays lean on purpose: one JSON.parse, and the arrays of
// the response are handed out as they are (a 7-day query is megabytes of JSON; copying it per sample would double
// the cost of the scan).
import { isValidLabelName } from './escape';
import {
  PrometheusError,
  canceledError,
  errorFromPrometheusBody,
  httpError,
  invalidResponseError,
  timeLimitError,
  unreachableError,
} from './errors';
import { THANOS_STORES_PATH, parseThanosStores } from './thanosStores';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, limitSignal } from './timeLimit';
import type {
  MatrixSeries,
  PrometheusApi,
  PrometheusTransport,
  RequestOptions,
  TimeRange,
  VectorSample,
} from './types';

interface ApiBody {
  status?: unknown;
  data?: unknown;
  errorType?: unknown;
  error?: unknown;
}

function successData(path: string, body: unknown): unknown {
  const b = body as ApiBody | null;
  if (b === null || typeof b !== 'object') {
    throw invalidResponseError(path, 'the body is not a JSON object');
  }
  if (b.status === 'error') {
    throw errorFromPrometheusBody(String(b.errorType ?? ''), String(b.error ?? ''));
  }
  if (b.status !== 'success' || !('data' in b)) {
    throw invalidResponseError(path, 'no "status":"success" with "data"');
  }
  return b.data;
}

/** The message for an answer that a clustered engine marks as built from part of its storage nodes. */
export const PARTIAL_DATA_WARNING =
  'partial data: the metrics engine answered without some of its storage nodes (isPartial), so counts and rates may be low';

/** Hands the answer's warnings and infos to the caller, whatever the result holds; never drops them. */
function reportWarnings(body: unknown, opts: RequestOptions | undefined): void {
  const b = body as { warnings?: unknown; infos?: unknown; isPartial?: unknown } | null;
  if (b === null || typeof b !== 'object' || !opts?.onWarning) {
    return;
  }
  if (b.isPartial === true) {
    opts.onWarning(PARTIAL_DATA_WARNING, 'warning');
  }
  if (Array.isArray(b.warnings)) {
    for (const w of b.warnings) {
      opts.onWarning(String(w), 'warning');
    }
  }
  if (Array.isArray(b.infos)) {
    for (const i of b.infos) {
      opts.onWarning(String(i), 'info');
    }
  }
}

function resultOf(path: string, body: unknown, expected: string): unknown[] {
  const data = successData(path, body) as { resultType?: unknown; result?: unknown } | null;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.result)) {
    throw invalidResponseError(path, 'no result array');
  }
  if (data.resultType !== expected) {
    if (expected === 'vector' && data.resultType === 'scalar') {
      return [{ metric: {}, value: data.result }];
    }
    throw invalidResponseError(path, `expected resultType ${expected}, got ${String(data.resultType)}`);
  }
  return data.result;
}

function arrayOf<T>(path: string, body: unknown): T[] {
  const data = successData(path, body);
  if (data === null) {
    // Prometheus answers `"data": null` for an empty label-values result in some versions.
    return [];
  }
  if (!Array.isArray(data)) {
    throw invalidResponseError(path, 'data is not an array');
  }
  return data as T[];
}

/**
 * Label names that are not classic go through Prometheus 3's `U__` escaping in the label-values path
 * (`http.route` -> `U__http_2e_route`); classic names are used as they are.
 */
export function labelPathSegment(label: string): string {
  if (isValidLabelName(label)) {
    return label;
  }
  if (label === '') {
    throw new TypeError('label name must not be empty');
  }
  let out = 'U__';
  for (const ch of label) {
    if (/[a-zA-Z0-9]/.test(ch)) {
      out += ch;
    } else if (ch === '_') {
      out += '__';
    } else {
      out += '_' + ch.codePointAt(0)!.toString(16) + '_';
    }
  }
  return encodeURIComponent(out);
}

export function createPrometheusApi(transport: PrometheusTransport): PrometheusApi {
  return {
    async queryRange(expr: string, range: TimeRange, opts?: RequestOptions): Promise<MatrixSeries[]> {
      const params = new URLSearchParams({
        query: expr,
        start: String(range.start),
        end: String(range.end),
        step: String(range.step),
      });
      // After the query's own four, which they may not replace.
      for (const [k, v] of Object.entries(opts?.params ?? {})) {
        if (!params.has(k)) {
          params.set(k, v);
        }
      }
      const path = '/api/v1/query_range';
      const body = await transport(path, params, opts);
      const result = resultOf(path, body, 'matrix') as MatrixSeries[];
      reportWarnings(body, opts);
      return result;
    },

    async query(expr: string, time: number, opts?: RequestOptions): Promise<VectorSample[]> {
      const params = new URLSearchParams({ query: expr, time: String(time) });
      const path = '/api/v1/query';
      const body = await transport(path, params, opts);
      const result = resultOf(path, body, 'vector') as VectorSample[];
      reportWarnings(body, opts);
      return result;
    },

    async series(matchers: string[], start: number, end: number, opts?: RequestOptions) {
      if (matchers.length === 0) {
        throw new TypeError('series needs at least one match[] selector');
      }
      const params = new URLSearchParams({ start: String(start), end: String(end) });
      for (const m of matchers) {
        params.append('match[]', m);
      }
      const path = '/api/v1/series';
      const body = await transport(path, params, opts);
      const result = arrayOf<Record<string, string>>(path, body);
      reportWarnings(body, opts);
      return result;
    },

    async labelValues(label: string, matchers: string[], start: number, end: number, opts?: RequestOptions) {
      const params = new URLSearchParams({ start: String(start), end: String(end) });
      for (const m of matchers) {
        params.append('match[]', m);
      }
      const path = `/api/v1/label/${labelPathSegment(label)}/values`;
      const body = await transport(path, params, opts);
      const result = arrayOf<string>(path, body);
      reportWarnings(body, opts);
      return result;
    },

    async thanosStores(opts?: RequestOptions) {
      return parseThanosStores(await transport(THANOS_STORES_PATH, new URLSearchParams(), opts));
    },
  };
}

/**
 * Values of one range-query series as typed arrays: times in unix seconds, values as numbers with Prometheus's
 * "NaN", "+Inf" and "-Inf" (which Number() does not read) mapped to their IEEE values.
 */
export function parseMatrix(values: Array<[number, string]>): { times: Float64Array; values: Float64Array } {
  const n = values.length;
  const times = new Float64Array(n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pair = values[i];
    times[i] = pair[0];
    out[i] = parseSampleValue(pair[1]);
  }
  return { times, values: out };
}

export function parseSampleValue(s: string): number {
  const v = +s;
  if (v === v) {
    return v;
  }
  return s === '+Inf' || s === 'Inf' ? Infinity : s === '-Inf' ? -Infinity : NaN;
}

export interface FetchTransportInit {
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
  /** Per-request time limit in seconds (reading the body included); DEFAULT_REQUEST_TIMEOUT_SECONDS when absent. */
  timeoutSeconds?: number;
  /**
   * Let the server compress its answers (fetch's own `Accept-Encoding`). Off by default: Prometheus gzips JSON at
   * about 18 MB/s, so a month's 44 MB answer took 2.8 s compressed against 0.33 s plain on the same server
   * (docs/sizing.md); compression pays only over a link slower than about 14 MB/s (115 Mbit/s). Browsers ignore the
   * header (theirs is not the page's to set).
   */
  compressed?: boolean;
}

function describeCause(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } } | null;
  const cause = err?.cause;
  const parts = [err?.message, cause?.code, cause?.message].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? [...new Set(parts)].join(': ') : String(e);
}

/**
 * Paths Prometheus-compatible servers answer on GET only: label values (the label name is in the path) and Thanos's
 * store list (THANOS_STORES_PATH). Every other path takes a POST form.
 */
export function isGetOnlyPath(path: string): boolean {
  return path.startsWith('/api/v1/label/') || path === THANOS_STORES_PATH;
}

/**
 * A transport over fetch (Node 18+ or a browser). GET for the paths that take nothing else (isGetOnlyPath), a POST
 * form for the others, which keeps long PromQL out of URLs and access logs.
 */
export function fetchTransport(baseUrl: string, init: FetchTransportInit = {}): PrometheusTransport {
  const base = baseUrl.replace(/\/+$/, '');
  const doFetch = init.fetchImpl ?? fetch;
  const seconds = init.timeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
  const encoding: Record<string, string> = init.compressed ? {} : { 'Accept-Encoding': 'identity' };
  return async (path, params, opts) => {
    const url = base + path;
    const useGet = isGetOnlyPath(path);
    const limit = limitSignal(opts?.signal, seconds);
    const failure = (e: unknown): PrometheusError => {
      if (limit.timedOut()) {
        return timeLimitError(base, seconds);
      }
      const name = (e as { name?: string } | null)?.name;
      if (name === 'AbortError' || opts?.signal?.aborted) {
        return canceledError();
      }
      return unreachableError(base, describeCause(e));
    };
    let res: Response;
    let text: string;
    try {
      res = await doFetch(useGet ? `${url}?${params.toString()}` : url, {
        method: useGet ? 'GET' : 'POST',
        headers: useGet
          ? { Accept: 'application/json', ...encoding, ...init.headers }
          : {
              Accept: 'application/json',
              'Content-Type': 'application/x-www-form-urlencoded',
              ...encoding,
              ...init.headers,
            },
        body: useGet ? undefined : params.toString(),
        signal: limit.signal,
      });
      text = await res.text();
    } catch (e) {
      throw failure(e);
    } finally {
      limit.clear();
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (!res.ok) {
        throw httpError(base, res.status, text);
      }
      const type = res.headers.get('content-type') ?? 'no content type';
      throw invalidResponseError(base, `HTTP ${res.status}, ${type}, not JSON`, res.status);
    }
    const b = body as ApiBody | null;
    if (b !== null && typeof b === 'object' && b.status === 'error') {
      throw errorFromPrometheusBody(String(b.errorType ?? ''), String(b.error ?? ''), res.status);
    }
    if (!res.ok) {
      throw httpError(base, res.status, text);
    }
    return body;
  };
}
