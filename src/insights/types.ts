// The insight engine's data model: aligned series in, episodes out.
import type { DetectableInsightId, Severity } from '../catalog/types';
import type { PrefectSettings } from '../catalog/prefectSettings';

/** Regular time grid shared by every series of a scan. Times in unix MILLISECONDS. */
export interface Grid {
  start: number;
  step: number;
  length: number;
}

/** Per-route series on the grid; NaN where Prometheus returned nothing. Latencies in SECONDS, rates per second. */
export interface RouteSeries {
  /** Normalised route template, e.g. `/flow_runs/{id}/set_state` (no `/api` prefix). */
  route: string;
  p50: Float64Array;
  p95: Float64Array;
  p99: Float64Array;
  /** _sum/_count: exact, also above the largest bucket. */
  mean: Float64Array;
  /** requests per second */
  rate: Float64Array;
  /** 5xx requests per second (NaN where status is unknown) */
  errorRate: Float64Array;
  /** share (0..1) of requests slower than settings.apiRequestTimeoutSeconds (NaN where buckets cannot tell) */
  slowShare: Float64Array;
  /**
   * share (0..1) of requests above the largest finite bucket bound (ScanInput.largestBucket), i.e. in `+Inf`; NaN
   * for native histograms or where unknown. With the exact mean it bounds what quantiles cannot see (toolkit/tail.ts).
   */
  tailShare: Float64Array;
}

/** One server replica (one `instance` value) of the selected series. */
export interface TargetSeries {
  instance: string;
  /** `up` of this instance: 1/0, NaN where absent (OTLP push has none). */
  up: Float64Array;
  /** Requests per second this instance served, all routes together. */
  rate: Float64Array;
}

export interface ScanInput {
  grid: Grid;
  /** Index of the first grid point inside the requested range; points before it are baseline look-back. */
  rangeStartIndex: number;
  routes: RouteSeries[];
  /** `up` of the scrape job(s) of the selected series: 1/0, NaN where absent. */
  up: Float64Array;
  /**
   * Per replica (`instance`), where the series have more than one; absent or empty for a single server. An
   * instance that changes at a restart (OpenTelemetry's new `service.instance.id`) shows as a new entry.
   */
  targets?: TargetSeries[];
  /** Largest finite bucket bound in seconds (a quantile at or above it lies in +Inf); null for native histograms. */
  largestBucket: number | null;
  /**
   * The finite bucket bounds in seconds, ascending; absent for native histograms (their buckets are a few % wide).
   * Evidence that places a value relative to a bound reads them (familySlow.ts: p99 at a cut-off).
   */
  bucketBounds?: readonly number[];
  /** Scrape interval in ms as inferred from the data (used for persistence rules). */
  scrapeIntervalMs: number;
  /**
   * The window of every raw `rate()` the engine was asked, ms, where it is wider than the step and scrape give
   * (`rateWindow` in src/prometheus/step.ts): Thanos's downsampled blocks need two of their samples per window.
   * Absent: that rule's window. Persistence and rate-lag counts read it (toolkit/persistence.ts, toolkit/rateLag.ts).
   */
  rateWindowMs?: number;
  settings: PrefectSettings;
}

/** Numbers behind an episode; `summary` is the one-line human form ("p95 41.2 s on 9 of 11 routes; …"). */
export interface Evidence {
  summary: string;
  [figure: string]: string | number | boolean | null | string[];
}

export interface Episode {
  id: DetectableInsightId;
  severity: Severity;
  title: string;
  /** unix ms, first point where the signature holds */
  start: number;
  /** unix ms, last point where the signature holds */
  end: number;
  routes: string[];
  evidence: Evidence;
}

export interface Detector {
  id: DetectableInsightId;
  detect(input: ScanInput): Episode[];
}
