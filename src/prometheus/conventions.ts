// The metric conventions the plugin recognises, in the order of the spec's table (first match wins).
import type { MetricConvention } from './types';

// Underscored first; the dotted OpenTelemetry attribute names are what Prometheus 3 keeps under the
// NoUTF8EscapingWithSuffixes and NoTranslation OTLP strategies.
const ROUTE_LABELS = ['http_route', 'route', 'handler', 'http_target', 'http.route', 'http.target'];
const METHOD_LABELS = ['http_request_method', 'http_method', 'method', 'http.request.method', 'http.method'];
const STATUS_LABELS = [
  'http_response_status_code',
  'http_status_code',
  'status_code',
  'status',
  'code',
  'http.response.status_code',
  'http.status_code',
];

/** Prometheus's unit suffix for an OpenTelemetry unit (otlptranslator's unit map, the two units HTTP uses). */
const UNIT_SUFFIX = { s: 'seconds', ms: 'milliseconds' } as const;

/**
 * The four names an OpenTelemetry instrument (`http.server.request.duration`, unit `s`) gets in Prometheus, in the
 * order of Prometheus 3's OTLP translation strategies: UnderscoreEscapingWithSuffixes (the default, also the
 * Prometheus exporters' form), NoUTF8EscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoTranslation.
 */
export function otelSpellings(instrument: string, unit: keyof typeof UNIT_SUFFIX): string[] {
  const underscored = instrument.replace(/\./g, '_');
  const suffix = UNIT_SUFFIX[unit];
  return [`${underscored}_${suffix}`, `${instrument}_${suffix}`, underscored, instrument];
}

const PREFECT_SPELLINGS = otelSpellings('prefect.server.api.request.duration', 's');

export const CONVENTIONS: MetricConvention[] = [
  {
    id: 'prefect',
    name: 'prefect_server_api_request_duration_seconds',
    spellings: PREFECT_SPELLINGS.filter((n) => !n.includes('.')),
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
    // NoUTF8EscapingWithSuffixes first: it is the strategy that keeps dots and the one operators pick.
    spellings: PREFECT_SPELLINGS.filter((n) => n.includes('.')),
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
    spellings: otelSpellings('http.server.request.duration', 's'),
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
    spellings: otelSpellings('http.server.duration', 'ms'),
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
    spellings: ['http_request_duration_seconds'],
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
