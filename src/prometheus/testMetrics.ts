// Resolved metrics for unit tests of PromQL building and resolution: one definition of each real convention's
// shape (names and labels as src/prometheus/conventions.ts has them), so a test that needs "the stable OTel
// histogram" does not restate it. Imported by tests only; nothing in the plugin or the CLI reaches it.
import type { ResolvedMetric } from './types';

/** OpenTelemetry's stable HTTP conventions, classic buckets, selected by service name. */
export const STABLE_CLASSIC: ResolvedMetric = {
  conventionId: 'otel-stable',
  name: 'http_server_request_duration_seconds',
  kind: 'classic',
  unit: 'seconds',
  labels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
  selector: 'service_name="prefect-server"',
  buckets: [0.005, 0.1, 1, 10],
};

/** The same as a native histogram (Prometheus 3 from exponential OTLP histograms): no bucket bounds. */
export const STABLE_NATIVE: ResolvedMetric = { ...STABLE_CLASSIC, kind: 'native', buckets: [] };

/** prometheus-fastapi-instrumentator: `handler` label, statuses in a separate counter. */
export const INSTRUMENTATOR: ResolvedMetric = {
  ...STABLE_CLASSIC,
  conventionId: 'fastapi-instrumentator',
  name: 'http_request_duration_seconds',
  labels: { route: 'handler', method: 'method' },
  selector: 'job="prefect"',
  statusCounter: { name: 'http_requests_total', label: 'status' },
};
