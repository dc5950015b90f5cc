// How each metric convention names and labels the same traffic. Ids match src/prometheus/conventions.ts.
// `prefect-utf8` (dotted name) exists for the live exporter's table only: promtool 2.42 rejects dotted names in
// OpenMetrics, and Prometheus 2.42 cannot scrape them from the text format either, so it is never rendered here.
import type { ServiceIdentity } from './model';
import type { RouteDef } from './routes';

export type ConventionId = 'prefect' | 'prefect-utf8' | 'otel-stable' | 'otel-legacy-ms' | 'fastapi-instrumentator';

export const CONVENTION_IDS: readonly ConventionId[] = [
  'prefect',
  'prefect-utf8',
  'otel-stable',
  'otel-legacy-ms',
  'fastapi-instrumentator',
];

export interface SimConvention {
  id: ConventionId;
  /** Histogram base name (without _bucket/_sum/_count). */
  name: string;
  unit: 'seconds' | 'milliseconds';
  routeLabel: string;
  methodLabel: string;
  /** Status label on the histogram; absent for fastapi-instrumentator. */
  statusLabel?: string;
  /** Bucket upper bounds in SECONDS, ascending, without +Inf. */
  bucketsSeconds: number[];
  /** Companion counter carrying the status class (fastapi-instrumentator). */
  statusCounter?: { family: string; name: string; label: string };
  /** Adds `service_name` to every series (OpenTelemetry resource attribute). */
  serviceNameLabel: boolean;
  /** Whether promtool can backfill it. */
  backfillable: boolean;
}

/** prometheus_client-like defaults extended past pool_timeout (30 s) and PREFECT_API_REQUEST_TIMEOUT (60 s). */
export const PREFECT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** OpenTelemetry's default explicit bucket bounds (ms): they stop at 10 s. */
export const OTEL_DEFAULT_BUCKETS_MS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** A latency-buckets setting an operator would choose for prometheus-fastapi-instrumentator. */
export const FASTAPI_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const OTEL_SECONDS = OTEL_DEFAULT_BUCKETS_MS.map((b) => b / 1000);

export const SIM_CONVENTIONS: Readonly<Record<ConventionId, SimConvention>> = Object.freeze({
  prefect: {
    id: 'prefect',
    name: 'prefect_server_api_request_duration_seconds',
    unit: 'seconds',
    routeLabel: 'http_route',
    methodLabel: 'http_request_method',
    statusLabel: 'http_response_status_code',
    bucketsSeconds: PREFECT_BUCKETS,
    serviceNameLabel: false,
    backfillable: true,
  },
  'prefect-utf8': {
    id: 'prefect-utf8',
    name: 'prefect.server.api.request.duration',
    unit: 'seconds',
    routeLabel: 'http_route',
    methodLabel: 'http_request_method',
    statusLabel: 'http_response_status_code',
    bucketsSeconds: PREFECT_BUCKETS,
    serviceNameLabel: false,
    backfillable: false,
  },
  'otel-stable': {
    id: 'otel-stable',
    name: 'http_server_request_duration_seconds',
    unit: 'seconds',
    routeLabel: 'http_route',
    methodLabel: 'http_request_method',
    statusLabel: 'http_response_status_code',
    bucketsSeconds: OTEL_SECONDS,
    serviceNameLabel: true,
    backfillable: true,
  },
  'otel-legacy-ms': {
    id: 'otel-legacy-ms',
    name: 'http_server_duration_milliseconds',
    unit: 'milliseconds',
    routeLabel: 'http_route',
    methodLabel: 'http_method',
    statusLabel: 'http_status_code',
    bucketsSeconds: OTEL_SECONDS,
    serviceNameLabel: true,
    backfillable: true,
  },
  'fastapi-instrumentator': {
    id: 'fastapi-instrumentator',
    name: 'http_request_duration_seconds',
    unit: 'seconds',
    routeLabel: 'handler',
    methodLabel: 'method',
    bucketsSeconds: FASTAPI_BUCKETS,
    statusCounter: { family: 'http_requests', name: 'http_requests_total', label: 'status' },
    serviceNameLabel: false,
    backfillable: true,
  },
});

export function getConvention(id: string): SimConvention {
  const c = (SIM_CONVENTIONS as Record<string, SimConvention | undefined>)[id];
  if (!c) {
    throw new Error(`unknown convention ${id}; one of ${CONVENTION_IDS.join(', ')}`);
  }
  return c;
}

/** Converts a value in seconds to the convention's unit. */
export function toUnit(conv: SimConvention, seconds: number): number {
  return conv.unit === 'milliseconds' ? seconds * 1000 : seconds;
}

/** Text of a bucket bound as clients print it (`le="0.005"`, `le="10000"`). */
export function formatBound(conv: SimConvention, seconds: number): string {
  const v = toUnit(conv, seconds);
  return String(Number(v.toPrecision(12)));
}

/** The route label's value: the template, with the `/api` prefix when the server is mounted there. */
export function routeLabelValue(route: RouteDef, apiPrefix: boolean): string {
  return apiPrefix ? `/api${route.id}` : route.id;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export interface LabelOptions {
  apiPrefix: boolean;
  /** Add job/instance (backfill: they are what a scrape would have added). Off for the live exporter. */
  target: boolean;
}

/** `k="v",…` (no braces, no le) for one histogram series of a route and status code (undefined: no status). */
export function histogramLabels(
  conv: SimConvention,
  service: ServiceIdentity,
  route: RouteDef,
  status: string | undefined,
  opts: LabelOptions
): string {
  const parts: string[] = [];
  if (opts.target) {
    parts.push(`instance="${esc(service.instance)}"`, `job="${esc(service.job)}"`);
  }
  if (conv.serviceNameLabel) {
    parts.push(`service_name="${esc(service.serviceName)}"`);
  }
  parts.push(`${conv.routeLabel}="${esc(routeLabelValue(route, opts.apiPrefix))}"`);
  parts.push(`${conv.methodLabel}="${route.method}"`);
  if (status !== undefined && conv.statusLabel) {
    parts.push(`${conv.statusLabel}="${esc(status)}"`);
  }
  return parts.join(',');
}

/** Labels of the fastapi-instrumentator companion counter for one status class (`2xx`, `5xx`). */
export function statusCounterLabels(
  conv: SimConvention,
  service: ServiceIdentity,
  route: RouteDef,
  statusClass: string,
  opts: LabelOptions
): string {
  const base = histogramLabels(conv, service, route, undefined, opts);
  return `${base},${conv.statusCounter?.label ?? 'status'}="${statusClass}"`;
}

export function upLabels(service: ServiceIdentity): string {
  return `instance="${esc(service.instance)}",job="${esc(service.job)}"`;
}

/** The 5xx status code the simulator uses. */
export const ERROR_STATUS = '500';
