// The scan's contract with its callers (data source, app pages, CLI).
import type { PrefectSettings } from '../../catalog/prefectSettings';
import type { PrometheusApi, ResolvedMetric } from '../../prometheus/types';
import type { Episode } from '../types';

export interface ScanOptions {
  api: PrometheusApi;
  metric: ResolvedMetric;
  /** unix ms */
  from: number;
  /** unix ms */
  to: number;
  settings: PrefectSettings;
  signal?: AbortSignal;
  /**
   * Estimated seconds one request may cost Prometheus before the scan splits it (chunks.ts); default
   * REQUEST_BUDGET_SECONDS. Tests and the benchmark set it to force or to compare splitting.
   */
  requestBudgetSeconds?: number;
  /**
   * The engine is Thanos and `thanos compact` downsamples its blocks: a range whose grid step reaches 5 minutes (about
   * 15 days and more) reads the downsampled data where it exists, with rate windows of two of its samples
   * (src/prometheus/downsampling.ts), and every read asks the querier for its own engine (`engine=thanos`,
   * src/prometheus/thanosEngine.ts). Off: every read is raw, in Thanos's default engine.
   */
  thanosDownsampling?: boolean;
  /** Called after each Prometheus request with the number done and the total the scan will make. */
  onProgress?(done: number, total: number): void;
}

/** What the scan read: the raw histogram, or the long-range recording rules (src/prometheus/recorded.ts). */
export interface ScanSource {
  source: 'raw' | 'recording-rules';
  /** Grid step the detectors saw, seconds. */
  resolutionSeconds: number;
  /** Interval of the recording rules read, seconds (recording-rules only). */
  recordedIntervalSeconds?: number;
  /**
   * Raw reads: the window of every rate() the scan asked for, seconds. Each point's figures count the requests
   * between the first and the last sample in its window, so a reader holding them against other data needs it.
   */
  rateWindowSeconds?: number;
  /**
   * Raw reads through Thanos with downsampling on: the coarsest resolution the engine was allowed to read
   * (`max_source_resolution`), seconds. Stretches compacted at that resolution were read at it, the rest raw.
   */
  downsampledSeconds?: number;
  /**
   * Recording-rules only: true when the per-route quantiles were read as recorded, false when they were computed
   * from the recorded buckets (sourceNote then says why).
   */
  recordedQuantiles?: boolean;
  /**
   * Why the raw histogram was read (raw: the rules are missing, cover part of the range, or are coarser), or why the
   * recorded buckets were read instead of the recorded quantiles (recording-rules).
   */
  sourceNote?: string;
}

export interface ScanResult extends Partial<ScanSource> {
  metric: ResolvedMetric;
  /** unix ms, as asked */
  from: number;
  /** unix ms, as asked */
  to: number;
  /** grid step, ms */
  step: number;
  /** sorted by start, then severity (most severe first) */
  episodes: Episode[];
  /** Prometheus requests the scan made */
  requests: number;
  /**
   * Distinct warnings the engine sent with its answers (partial data from a cluster, Prometheus's own warnings):
   * the episodes may be built on incomplete numbers. Empty when every answer was clean. At most 10, then an
   * "N more warning annotations omitted" line (src/prometheus/warnings.ts).
   */
  warnings: string[];
  /** Prometheus's `infos` of the same answers, capped the same way (the engine always sets it; optional for fakes). */
  infos?: string[];
  /**
   * Set when the metric has no sample in [from, to]: no episode then means "cannot tell", not "clear". The text is
   * noDataMessage (src/insights/engine/noData.ts).
   */
  noData?: string;
}
