// The data source's query model and settings. Only the Prometheus data source's uid is stored: authentication stays
// with that data source, reached through its resource route.
import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { DetectableInsightId, Severity } from '../catalog/types';
import { DEFAULT_PREFECT_SETTINGS, isValidSetting, type PrefectSettings } from '../catalog/prefectSettings';
import type { MetricOverrides } from '../prometheus/types';

export type QueryType =
  | 'quantile'
  | 'rate'
  | 'errorRatio'
  | 'mean'
  | 'heatmap'
  | 'slowShare'
  | 'topSlowRoutes'
  | 'timeShare'
  | 'statusMix'
  | 'insights'
  | 'insightStatus'
  | 'insightTimeline';

/** Dimensions a series can be split by; an empty list means one aggregated series. */
export type GroupByDimension = 'route' | 'method' | 'status';

export interface PrefectQuery extends DataQuery {
  queryType?: QueryType;
  /** Quantiles for 'quantile', each in (0, 1). */
  quantiles?: number[];
  groupBy?: GroupByDimension[];
  /** Label values to keep; entries may be template variables (`$route`). Empty = no filter. */
  routes?: string[];
  methods?: string[];
  statuses?: string[];
  /** 'slowShare': requests slower than this many seconds. */
  thresholdSeconds?: number;
  /**
   * 'slowShare': take the threshold from the data source's settings instead: `clientTimeout` is
   * PREFECT_API_REQUEST_TIMEOUT, so the panel and the PENDING-deadlock detector count against the same value.
   */
  thresholdFrom?: 'clientTimeout';
  /** 'topSlowRoutes': how many routes. */
  topN?: number;
  /** 'insights' / annotations: which insights (empty = all detectable). */
  insights?: DetectableInsightId[];
  /** 'insights' / annotations: the lowest severity to keep. */
  minSeverity?: Severity;
  /** 'insights': a table of episodes, or the frame an annotation query needs. */
  format?: 'table' | 'annotations';
  /** annotations: how many regions at most. */
  maxAnnotations?: number;
}

export interface PrefectDataSourceOptions extends DataSourceJsonData {
  /** uid of an existing Prometheus-type data source; queries go through `/api/datasources/uid/<uid>/resources`. */
  prometheusUid?: string;
  /** Thresholds the detectors read; missing fields take Prefect 3's defaults. */
  prefect?: Partial<PrefectSettings>;
  /** Forced metric choices; empty fields are resolved from the data. */
  overrides?: MetricOverrides;
  /**
   * Prometheus's scrape interval for the Prefect server, seconds. Empty = measured from the data. Rate windows must
   * cover two scrapes: a 15 s assumption on a 60 s scrape leaves gaps in every panel.
   */
  scrapeIntervalSeconds?: number;
  /** Time limit of each request to Prometheus, seconds (provisioning only); DEFAULT_REQUEST_TIMEOUT_SECONDS when empty. */
  requestTimeoutSeconds?: number;
  /**
   * The Prometheus data source is a Thanos querier whose compactor downsamples: scans of more than about 15 days
   * read its downsampled blocks (ScanOptions.thanosDownsampling). Off when absent.
   */
  thanosDownsampling?: boolean;
}

export const DEFAULT_QUANTILES = [0.5, 0.9, 0.95, 0.99];
export const DEFAULT_SLOW_THRESHOLD_SECONDS = 10;
export const DEFAULT_TOP_N = 5;
export { DEFAULT_MAX_ANNOTATIONS } from '../insights/annotations';

export const DEFAULT_QUERY: Partial<PrefectQuery> = {
  queryType: 'quantile',
  quantiles: [0.95],
  groupBy: ['route'],
};

export const QUERY_TYPE_LABELS: Record<QueryType, string> = {
  quantile: 'Latency quantiles',
  rate: 'Request rate',
  errorRatio: '5xx ratio',
  mean: 'Mean latency',
  heatmap: 'Latency heatmap (buckets)',
  slowShare: 'Share slower than threshold',
  topSlowRoutes: 'Top slowest routes',
  timeShare: 'Share of total time',
  statusMix: 'Status mix (share per class)',
  insights: 'Insights (episodes)',
  insightStatus: 'Insight status',
  insightTimeline: 'Insight status over time',
};

/** Query types answered by the insight scan rather than by one PromQL query. */
export const SCAN_QUERY_TYPES = ['insights', 'insightStatus', 'insightTimeline'] as const;
export type ScanQueryType = (typeof SCAN_QUERY_TYPES)[number];
export function isScanQueryType(t: QueryType): t is ScanQueryType {
  return (SCAN_QUERY_TYPES as readonly string[]).includes(t);
}

export function prefectSettingsOf(options: PrefectDataSourceOptions): PrefectSettings {
  const out: PrefectSettings = { ...DEFAULT_PREFECT_SETTINGS };
  const given = options.prefect ?? {};
  for (const key of Object.keys(out) as Array<keyof PrefectSettings>) {
    const v = given[key];
    if (isValidSetting(key, v)) {
      out[key] = v;
    }
  }
  return out;
}

/** Overrides without empty strings, so an emptied form field means "resolve it" again. */
export function cleanOverrides(overrides: MetricOverrides | undefined): MetricOverrides {
  const out: MetricOverrides = {};
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (typeof v === 'string' && v.trim() !== '') {
      (out as Record<string, string>)[k] = v.trim();
    }
  }
  return out;
}
