// The metric conventions the plugin recognises, in the order of the spec's table (first match wins).
import type { MetricConvention } from './types';

const ROUTE_LABELS = ['http_route', 'route', 'handler', 'http_target'];
const METHOD_LABELS = ['http_request_method', 'http_method', 'method'];
const STATUS_LABELS = ['http_response_status_code', 'http_status_code', 'status_code', 'status', 'code'];

export const CONVENTIONS: MetricConvention[] = [
  {
    id: 'prefect',
    name: 'prefect_server_api_request_duration_seconds',
    unit: 'seconds',
    description: "the catalog's metric, exported to Prometheus",
    routeLabels: ROUTE_LABELS,
    methodLabels: METHOD_LABELS,
    statusLabels: STATUS_LABELS,
    usualLabels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
  },
  {
    id: 'prefect-utf8',
    name: 'prefect.server.api.request.duration',
    unit: 'seconds',
    description: 'OTLP straight into Prometheus 3 (UTF-8 name)',
    // Prometheus 3 may keep the OpenTelemetry attribute names with their dots.
    routeLabels: [...ROUTE_LABELS, 'http.route'],
    methodLabels: [...METHOD_LABELS, 'http.request.method'],
    statusLabels: [...STATUS_LABELS, 'http.response.status_code'],
    usualLabels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
  },
  {
    id: 'otel-stable',
    name: 'http_server_request_duration_seconds',
    unit: 'seconds',
    description: 'OpenTelemetry HTTP semantic conventions (stable)',
    routeLabels: ROUTE_LABELS,
    methodLabels: METHOD_LABELS,
    statusLabels: STATUS_LABELS,
    usualLabels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
  },
  {
    id: 'otel-legacy-ms',
    name: 'http_server_duration_milliseconds',
    unit: 'milliseconds',
    description: "OpenTelemetry's older HTTP conventions",
    routeLabels: ROUTE_LABELS,
    methodLabels: METHOD_LABELS,
    statusLabels: STATUS_LABELS,
    usualLabels: { route: 'http_route', method: 'http_method', status: 'http_status_code' },
  },
  {
    id: 'fastapi-instrumentator',
    name: 'http_request_duration_seconds',
    unit: 'seconds',
    description: 'prometheus-fastapi-instrumentator',
    routeLabels: ROUTE_LABELS,
    methodLabels: METHOD_LABELS,
    // The histogram has no status label; statuses (`2xx`, `5xx`) live on the companion counter.
    statusLabels: [],
    statusCounter: { name: 'http_requests_total', label: 'status' },
    usualLabels: { route: 'handler', method: 'method' },
  },
];

export function getConvention(id: string): MetricConvention | undefined {
  return CONVENTIONS.find((c) => c.id === id);
}

/** Display name of a convention, `OpenTelemetry` style, for one-line descriptions. */
export function conventionLabel(id: string): string {
  switch (id) {
    case 'prefect':
    case 'prefect-utf8':
      return 'Prefect';
    case 'otel-stable':
      return 'OpenTelemetry';
    case 'otel-legacy-ms':
      return 'OpenTelemetry, legacy';
    case 'fastapi-instrumentator':
      return 'prometheus-fastapi-instrumentator';
    default:
      return 'custom';
  }
}
