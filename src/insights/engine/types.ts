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
  /** Called after each Prometheus request with the number done and the total the scan will make. */
  onProgress?(done: number, total: number): void;
}

export interface ScanResult {
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
   * the episodes may be built on incomplete numbers. Empty when every answer was clean.
   */
  warnings: string[];
}
