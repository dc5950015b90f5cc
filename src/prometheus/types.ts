// The Prometheus port: what the core needs from any Prometheus-compatible HTTP API.
// Times are unix SECONDS here (Prometheus's own unit); Grafana frames use milliseconds.
import type { ThanosStore } from './thanosStores';

export type Unit = 'seconds' | 'milliseconds';
export type HistogramKind = 'classic' | 'native';

/** One row of the metric-convention table (src/prometheus/conventions.ts). */
export interface MetricConvention {
  id: string;
  /** Base name without _bucket/_sum/_count, as the spec's table writes it. */
  name: string;
  /**
   * Every base name the same instrument arrives under, in order of preference, `name` among them: Prometheus 3's
   * OTLP translation strategies and the exporters write it with or without the unit suffix, dotted or underscored.
   */
  spellings: string[];
  unit: Unit;
  description: string;
  /** Candidate labels in order of preference. */
  routeLabels: string[];
  methodLabels: string[];
  statusLabels: string[];
  /** prometheus-fastapi-instrumentator keeps status only on a companion counter. */
  statusCounter?: { name: string; label: string };
  /** The labels this instrumentation writes by default: what offline tools (rule generation) assume without data. */
  usualLabels: { route: string; method: string; status?: string };
}

/** What metric resolution found (or the user forced). Everything downstream builds PromQL from this. */
export interface ResolvedMetric {
  conventionId: string;
  /** Base metric name; may contain dots (Prometheus 3 UTF-8 names). */
  name: string;
  kind: HistogramKind;
  unit: Unit;
  labels: { route: string; method?: string; status?: string };
  /** Extra matchers without braces, already valid PromQL, e.g. `service_name="prefect-server"`. '' for none. */
  selector: string;
  /** Classic bucket upper bounds in SECONDS, ascending, without +Inf. [] for native histograms. */
  buckets: number[];
  /** What resolution learned about the data that the user should know (shown by Save & test and the scan). */
  notes?: string[];
  statusCounter?: { name: string; label: string };
}

/**
 * The scrape targets behind the metric's series, for matching their `up`. `exported` when the series carry
 * `exported_job`: they passed through something Prometheus scraped without `honor_labels` (a Collector), whose own
 * `job`/`instance` say nothing about Prefect; Prefect's `up`, where the Collector scraped it, has the same
 * `exported_job`/`exported_instance`.
 */
export interface ScrapeTargets {
  jobs: string[];
  instances: string[];
  exported?: boolean;
}

/** User choices that override resolution; any field may be left empty. */
export interface MetricOverrides {
  metric?: string;
  unit?: Unit;
  kind?: HistogramKind;
  routeLabel?: string;
  methodLabel?: string;
  statusLabel?: string;
  selector?: string;
}

export interface TimeRange {
  /** unix seconds */
  start: number;
  /** unix seconds */
  end: number;
  /** seconds */
  step: number;
}

/** A series of a range query, as Prometheus returns it (values are strings, may be "NaN", "+Inf"). */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * Called with each notice of an answer, empty results included: Prometheus's `warnings` and a partial-data notice
   * where a clustered engine (VictoriaMetrics' vmselect with a storage node missing) says `isPartial` (kind
   * 'warning'), and Prometheus's `infos` (kind 'info'). Results still come back.
   */
  onWarning?(message: string, kind?: 'warning' | 'info'): void;
  /** More form parameters for the engine (range queries only): Thanos's `max_source_resolution` (downsampling.ts). */
  params?: Record<string, string>;
}

export interface PrometheusApi {
  queryRange(expr: string, range: TimeRange, opts?: RequestOptions): Promise<MatrixSeries[]>;
  query(expr: string, time: number, opts?: RequestOptions): Promise<VectorSample[]>;
  series(matchers: string[], start: number, end: number, opts?: RequestOptions): Promise<Array<Record<string, string>>>;
  labelValues(label: string, matchers: string[], start: number, end: number, opts?: RequestOptions): Promise<string[]>;
  /**
   * Thanos's store endpoints (src/prometheus/thanosStores.ts), undefined when the answer is not Thanos's. Throws as
   * any call does when the path is missing (Prometheus answers 404). Optional: only Save & test asks.
   */
  thanosStores?(opts?: RequestOptions): Promise<ThanosStore[] | undefined>;
}

/**
 * Sends one GET/POST to a Prometheus HTTP API path (e.g. `/api/v1/query_range`) with form parameters and returns
 * the parsed JSON body. In Grafana this goes through the Prometheus data source's resource route; in Node through fetch.
 * It must throw PrometheusError (src/prometheus/errors.ts) for every failure.
 */
export type PrometheusTransport = (path: string, params: URLSearchParams, opts?: RequestOptions) => Promise<unknown>;
