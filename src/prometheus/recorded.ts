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
  // The per-route quantiles the scan would otherwise compute from the buckets at every step (`pNN_long` = the
  // quantile of the `rate_long` buckets), in seconds whatever the metric's unit.
  p50: 'route:prefect_api_request_duration_seconds:p50_long',
  p95: 'route:prefect_api_request_duration_seconds:p95_long',
  p99: 'route:prefect_api_request_duration_seconds:p99_long',
} as const;

/**
 * The recorded quantiles, one per quantile the scan asks (routeQueries): the quantile, its recording, and the label
 * value of its probe row (recordedProbeExpr). A rule file generated before these existed has none of them; the scan
 * then reads the bucket recordings (scan.ts, chooseSource).
 */
export const RECORDED_QUANTILES = [
  { q: 0.5, record: RECORDED_LONG.p50, part: 'recorded_p50' },
  { q: 0.95, record: RECORDED_LONG.p95, part: 'recorded_p95' },
  { q: 0.99, record: RECORDED_LONG.p99, part: 'recorded_p99' },
] as const;

/** Label the per-instance recording keeps: `exported_instance` behind a Collector, `instance` otherwise (both kept). */
export const INSTANCE_LABELS = ['instance', 'exported_instance'] as const;

/**
 * The recorded points of one grid step. The evaluations' phase is the rule group's own (Prometheus offsets each
 * group by a hash of its name and file, to the nanosecond; vmalert aligns to the interval), so no window in whole
 * seconds fits every phase: `[step − 1 s]` held no evaluation at all when one fell in the second it leaves out.
 * - At a step equal to the interval, the last evaluation of `[step]`: exactly the one at or before the grid point,
 *   whether the engine's window includes its start (2.x, which then holds two at phase 0) or not (3.x).
 * - At a coarser step, the mean over `[step − 1 ms]`, which is the rate over the step: on 2.x exactly the step's
 *   evaluations; on 3.x and VictoriaMetrics one fewer only at a phase of exactly 1 ms (the window's excluded
 *   start), never none.
 */
function overStep(name: string, read: RecordedRead, matchers: string[] = []): string {
  const selector = metricSelector(name, matchers);
  if (read.stepSeconds === read.intervalSeconds) {
    return `last_over_time(${selector}[${formatDuration(read.stepSeconds)}])`;
  }
  return `avg_over_time(${selector}[${Math.round(read.stepSeconds * 1000) - 1}ms])`;
}

function byRoute(m: ResolvedMetric, expr: string, extra: string[] = []): string {
  return `sum by (${[...extra, labelRef(m.labels.route)].join(', ')}) (${expr})`;
}

/** How the scan reads the recordings: its grid step and the recordings' interval (scan.ts finds it), seconds. */
export interface RecordedRead {
  stepSeconds: number;
  intervalSeconds: number;
}

/** Builders over the recorded series for one scan step, the counterparts of promql.ts's per-route queries. */
export interface RecordedQueries {
  quantile(q: number): string;
  mean(): string;
  /** The mean's halves in the metric's unit (meanLatencyParts in promql.ts). */
  meanParts(): { sum: string; total: string };
  rate(): string;
  errorRate(): string;
  /** The 5xx rate without its zeros' fill, and the total it is filled from (errorParts in promql.ts). */
  errorParts(): { errors: string; total: string };
  slowShare(thresholdSeconds: number): SlowShareQuery;
  /** Request rate per instance (the targets query's rate half), keyed by `by`. */
  instanceRate(by: 'instance' | 'exported_instance'): string;
}

/**
 * `quantiles`: read the recorded per-route quantiles (RECORDED_QUANTILES) instead of computing them from the bucket
 * recordings. Only at a step equal to their interval: a quantile cannot be averaged over several evaluations, and
 * overStep then reads exactly one.
 */
export function recordedQueries(
  m: ResolvedMetric,
  read: RecordedRead,
  opts: { quantiles?: boolean } = {}
): RecordedQueries {
  if (m.kind !== 'classic') {
    throw new TypeError('the long-range recordings exist for classic histograms only');
  }
  if (!(read.intervalSeconds > 0 && read.stepSeconds >= read.intervalSeconds)) {
    throw new RangeError(
      `the recordings are read at a step no finer than their interval, got step ${read.stepSeconds} s, interval ${read.intervalSeconds} s`
    );
  }
  // Reads the scan divides or sums itself take the per-route recordings as they are: its alignment sums series by
  // route as `sum by (route)` would (copies of a route included), and Prometheus 2.42's aggregation over a month's
  // steps cost more than the read (the quantiles' figures below). A division in PromQL still needs the sums, whose
  // label sets match.
  const count = overStep(RECORDED_LONG.countRate, read);
  const countByRoute = byRoute(m, count);
  return {
    quantile(q) {
      if (!(q >= 0 && q <= 1)) {
        throw new RangeError(`quantile must be between 0 and 1, got ${q}`);
      }
      if (opts.quantiles) {
        const recorded = RECORDED_QUANTILES.find((r) => r.q === q);
        if (!recorded) {
          throw new RangeError(`quantile ${q} is not recorded (${RECORDED_QUANTILES.map((r) => r.q).join(', ')} are)`);
        }
        // No `max by (route)` here: the recording already holds one series per route, and Prometheus 2.42's
        // aggregation over a month's steps cost more than the read (2.4 s against 0.96 s for 150 routes × 8,700
        // steps, docs/sizing.md). Copies of a route (two servers recording the same rules, read without
        // deduplication) are folded with max by the scan's alignment instead (QUANTILE_ROLES, scan.ts).
        return overStep(recorded.record, read);
      }
      return toSeconds(m, `histogram_quantile(${q}, ${byRoute(m, overStep(RECORDED_LONG.bucketRate, read), ['le'])})`);
    },
    mean: () => toSeconds(m, `${byRoute(m, overStep(RECORDED_LONG.sumRate, read))} / ${countByRoute}`),
    meanParts: () => ({ sum: overStep(RECORDED_LONG.sumRate, read), total: count }),
    rate: () => count,
    errorRate: () => byRoute(m, overStep(RECORDED_LONG.errorRate, read)),
    // The recording already holds 0 where the route served no 5xx (errorRateQuery), at the same evaluations as the
    // count recording of the same group: the count says where a left-out point is 0.
    errorParts: () => ({ errors: overStep(RECORDED_LONG.errorRate, read), total: count }),
    slowShare(thresholdSeconds) {
      const bound = slowShareBound(m.buckets, thresholdSeconds);
      if (bound === null) {
        return { expr: null, boundSeconds: null, exact: false };
      }
      const le = `le=~"${leRegex(inMetricUnit(m, bound))}"`;
      const fastRead = overStep(RECORDED_LONG.bucketRate, read, [le]);
      // `total`: the rate read, whose sum by route is this division's denominator.
      return {
        expr: `1 - (${byRoute(m, fastRead)} / ${countByRoute})`,
        boundSeconds: bound,
        exact: bound === thresholdSeconds,
        total: count,
        // Each route's count recording less its bucket at the bound, series by series, without `sum by`: 1.0 s
        // against 2.4 s for the share on Prometheus 2.42 (150 routes × 8,640 steps, docs/sizing.md). Both come from
        // one rule group, so they carry the same labels but `le`. `group_right` because the regex can select two
        // spellings of the bound ("10", "10.0") for a step where the recordings changed spelling (Prometheus 3
        // writes `le` as a float): the route's slow rate is then counted twice at that step, as the share's `sum`
        // counted its bucket twice, instead of the whole read failing on a duplicate match.
        slowRate: `${count} - ignoring (le) group_right ${fastRead}`,
      };
    },
    instanceRate: (by) => `sum by (${by}) (${overStep(RECORDED_LONG.instanceRate, read)})`,
  };
}

/** Label on the probe's row that counts the long-range recordings (see probeQuery's `recorded`). */
export const RECORDED_PART = 'recorded';

/** Window over which the probe counts recorded points: wide enough that 3600 / count names a 5-minute interval. */
export const RECORDED_PROBE_WINDOW_SECONDS = 3600;

/** Label on the probe's row that counts the recorded per-route series. */
export const RECORDED_SERIES_PART = 'recorded_series';

/**
 * Rows for the probe, told apart by `partLabel`: the most recorded points of one series in each probe window
 * (the interval and the coverage, scan.ts), the number of recorded route series (the read of a request), and the
 * same points count for each recorded quantile (RECORDED_QUANTILES' `part`), so that the scan finds, rather than
 * assumes, that a rule file new enough to hold them is loaded and covers the range.
 */
export function recordedProbeExpr(partLabel: string): string {
  const countsOf = (name: string) => `count_over_time(${name}[${formatDuration(RECORDED_PROBE_WINDOW_SECONDS)}])`;
  const counts = countsOf(RECORDED_LONG.countRate);
  return [
    `label_replace(max(${counts}), "${partLabel}", "${RECORDED_PART}", "", "")`,
    `label_replace(count(${counts}), "${partLabel}", "${RECORDED_SERIES_PART}", "", "")`,
    ...RECORDED_QUANTILES.map((r) => `label_replace(max(${countsOf(r.record)}), "${partLabel}", "${r.part}", "", "")`),
  ].join(' or ');
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
