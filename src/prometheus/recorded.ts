// The long-range recordings (`prefect-insights rules`, group LONG_RANGE_GROUP): the classic histogram folded across
// replicas at a coarse interval, so that a month is read from a few series per route instead of every replica's
// every bucket at every scrape. The scan reads them only where it found them (scan.ts), through these builders,
// which answer the same questions as the raw ones in promql.ts (same units, same grouping by the route label).
import { labelRef, metricSelector } from './escape';
import { inMetricUnit, leRegex, slowShareBound, toSeconds, type SlowShareQuery } from './promql';
import { formatDuration } from './step';
import type { ResolvedMetric } from './types';

/** Rule group the long-range recordings are generated in. */
export const LONG_RANGE_GROUP = 'prefect-insights-long-range';

/**
 * Names of the long-range recordings (`level:metric:operations`; `rate_long` = a rate over the group's interval
 * plus one scrape). Labels: the metric's route label, `le` on the buckets, `instance`/`exported_instance` on the
 * per-instance rate. Beside RECORDED (src/rules/generate.ts), which holds the scrape-cadence series of the alerts.
 */
export const RECORDED_LONG = {
  bucketRate: 'route_le:prefect_api_request_duration_seconds_bucket:rate_long',
  countRate: 'route:prefect_api_request_duration_seconds_count:rate_long',
  sumRate: 'route:prefect_api_request_duration_seconds_sum:rate_long',
  errorRate: 'route:prefect_api_requests_5xx:rate_long',
  instanceRate: 'instance:prefect_api_request_duration_seconds_count:rate_long',
} as const;

/** Label the per-instance recording keeps: `exported_instance` behind a Collector, `instance` otherwise (both kept). */
export const INSTANCE_LABELS = ['instance', 'exported_instance'] as const;

/**
 * The recorded points of one grid step: `avg_over_time` over one step less a second, so that at a step equal to
 * the interval each grid point reads exactly one evaluation (2.x's range selectors include both ends) and at a
 * coarser step the mean of the rates in it, which is the rate over the step.
 */
function overStep(name: string, stepSeconds: number, matchers: string[] = []): string {
  return `avg_over_time(${metricSelector(name, matchers)}[${formatDuration(Math.max(1, stepSeconds - 1))}])`;
}

function byRoute(m: ResolvedMetric, expr: string, extra: string[] = []): string {
  return `sum by (${[...extra, labelRef(m.labels.route)].join(', ')}) (${expr})`;
}

/** Builders over the recorded series for one scan step, the counterparts of promql.ts's per-route queries. */
export interface RecordedQueries {
  quantile(q: number): string;
  mean(): string;
  rate(): string;
  errorRate(): string;
  slowShare(thresholdSeconds: number): SlowShareQuery;
  /** Request rate per instance (the targets query's rate half), keyed by `by`. */
  instanceRate(by: 'instance' | 'exported_instance'): string;
}

export function recordedQueries(m: ResolvedMetric, stepSeconds: number): RecordedQueries {
  if (m.kind !== 'classic') {
    throw new TypeError('the long-range recordings exist for classic histograms only');
  }
  const count = byRoute(m, overStep(RECORDED_LONG.countRate, stepSeconds));
  return {
    quantile(q) {
      if (!(q >= 0 && q <= 1)) {
        throw new RangeError(`quantile must be between 0 and 1, got ${q}`);
      }
      return toSeconds(
        m,
        `histogram_quantile(${q}, ${byRoute(m, overStep(RECORDED_LONG.bucketRate, stepSeconds), ['le'])})`
      );
    },
    mean: () => toSeconds(m, `${byRoute(m, overStep(RECORDED_LONG.sumRate, stepSeconds))} / ${count}`),
    rate: () => count,
    errorRate: () => byRoute(m, overStep(RECORDED_LONG.errorRate, stepSeconds)),
    slowShare(thresholdSeconds) {
      const bound = slowShareBound(m.buckets, thresholdSeconds);
      if (bound === null) {
        return { expr: null, boundSeconds: null, exact: false };
      }
      const le = `le=~"${leRegex(inMetricUnit(m, bound))}"`;
      const fast = byRoute(m, overStep(RECORDED_LONG.bucketRate, stepSeconds, [le]));
      return { expr: `1 - (${fast} / ${count})`, boundSeconds: bound, exact: bound === thresholdSeconds };
    },
    instanceRate: (by) => `sum by (${by}) (${overStep(RECORDED_LONG.instanceRate, stepSeconds)})`,
  };
}

/** Label on the probe's row that counts the long-range recordings (see probeQuery's `recorded`). */
export const RECORDED_PART = 'recorded';

/** Window over which the probe counts recorded points: wide enough that 3600 / count names a 5-minute interval. */
export const RECORDED_PROBE_WINDOW_SECONDS = 3600;

/** Label on the probe's row that counts the recorded per-route series. */
export const RECORDED_SERIES_PART = 'recorded_series';

/**
 * Two rows for the probe, told apart by `partLabel`: the most recorded points of one series in each probe window
 * (the interval and the coverage, scan.ts), and the number of recorded route series (the read of a request).
 */
export function recordedProbeExpr(partLabel: string): string {
  const counts = `count_over_time(${RECORDED_LONG.countRate}[${formatDuration(RECORDED_PROBE_WINDOW_SECONDS)}])`;
  return (
    `label_replace(max(${counts}), "${partLabel}", "${RECORDED_PART}", "", "")` +
    ` or label_replace(count(${counts}), "${partLabel}", "${RECORDED_SERIES_PART}", "", "")`
  );
}

/** `300` → `5-minute`, `15` → `15-second`, `3600` → `1-hour`: a resolution in words for evidence and output. */
export function formatResolution(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) {
    return `${seconds / 3600}-hour`;
  }
  if (seconds >= 60 && seconds % 60 === 0) {
    return `${seconds / 60}-minute`;
  }
  return `${Number(seconds.toPrecision(6))}-second`;
}
