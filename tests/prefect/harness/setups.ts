// The ways operators get Prefect's API latency into Prometheus (issue 7, item 2), as the suite runs them. Each
// setup is the server's environment plus the Prometheus that receives the data, and what the plugin should resolve.
import type { OtlpTranslationStrategy } from '../../harness/prometheus';

export type Backend =
  | { kind: 'scrape'; engine: 'prometheus-2.42' }
  | { kind: 'otlp'; engine: 'prometheus-3.16'; translation: OtlpTranslationStrategy };

export interface Setup {
  id: string;
  title: string;
  backend: Backend;
  /** OTEL_* variables of the server besides BASE_OTEL_ENV (ports are filled in by the stack). */
  env: Record<string, string>;
  launcher?: 'opentelemetry-instrument' | 'view-launcher';
  expect: {
    metric: string;
    routeLabel: string;
    kind: 'classic' | 'native';
    /** Requests recorded twice in the same series (the older conventions' root app + mounted app). */
    doubled: boolean;
  };
}

const OTLP_ENV = { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' };

export const SETUPS: Setup[] = [
  {
    id: 'a',
    title: 'old conventions, Prometheus exporter, scraped by Prometheus 2.42',
    backend: { kind: 'scrape', engine: 'prometheus-2.42' },
    env: { OTEL_METRICS_EXPORTER: 'prometheus' },
    expect: { metric: 'http_server_duration_milliseconds', routeLabel: 'http_target', kind: 'classic', doubled: true },
  },
  {
    id: 'a2',
    title: 'stable conventions, Prometheus exporter, scraped by Prometheus 2.42',
    backend: { kind: 'scrape', engine: 'prometheus-2.42' },
    env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_SEMCONV_STABILITY_OPT_IN: 'http' },
    expect: {
      metric: 'http_server_request_duration_seconds',
      routeLabel: 'http_route',
      kind: 'classic',
      doubled: false,
    },
  },
  {
    id: 'b',
    title: 'stable conventions, OTLP/HTTP into Prometheus 3, default translation',
    backend: { kind: 'otlp', engine: 'prometheus-3.16', translation: 'UnderscoreEscapingWithSuffixes' },
    env: { ...OTLP_ENV, OTEL_SEMCONV_STABILITY_OPT_IN: 'http' },
    expect: {
      metric: 'http_server_request_duration_seconds',
      routeLabel: 'http_route',
      kind: 'classic',
      doubled: false,
    },
  },
  {
    id: 'c',
    title: 'stable conventions, OTLP/HTTP into Prometheus 3, NoUTF8EscapingWithSuffixes',
    backend: { kind: 'otlp', engine: 'prometheus-3.16', translation: 'NoUTF8EscapingWithSuffixes' },
    env: { ...OTLP_ENV, OTEL_SEMCONV_STABILITY_OPT_IN: 'http' },
    expect: {
      metric: 'http.server.request.duration_seconds',
      routeLabel: 'http.route',
      kind: 'classic',
      doubled: false,
    },
  },
  {
    id: 'd',
    title: 'instrument renamed to prefect.server.api.request.duration by an SDK View, OTLP into Prometheus 3',
    backend: { kind: 'otlp', engine: 'prometheus-3.16', translation: 'UnderscoreEscapingWithSuffixes' },
    // The launcher builds the MeterProvider itself; the distro must not build a second one.
    env: { ...OTLP_ENV, OTEL_METRICS_EXPORTER: 'none', OTEL_SEMCONV_STABILITY_OPT_IN: 'http' },
    launcher: 'view-launcher',
    expect: {
      metric: 'prefect_server_api_request_duration_seconds',
      routeLabel: 'http_route',
      kind: 'classic',
      doubled: false,
    },
  },
  {
    id: 'e',
    title: 'exponential histograms, OTLP into Prometheus 3 (native histograms)',
    backend: { kind: 'otlp', engine: 'prometheus-3.16', translation: 'UnderscoreEscapingWithSuffixes' },
    env: {
      ...OTLP_ENV,
      OTEL_SEMCONV_STABILITY_OPT_IN: 'http',
      OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram',
    },
    expect: {
      metric: 'http_server_request_duration_seconds',
      routeLabel: 'http_route',
      kind: 'native',
      doubled: false,
    },
  },
];
