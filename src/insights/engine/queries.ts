// The scan's fixed query set: the same handful of range queries serve every detector, so the number of Prometheus
// requests does not grow with the number of insights. All PromQL comes from src/prometheus (escaped there).
import { formatDuration } from '../../prometheus/step';
import { labelRef, metricSelector } from '../../prometheus/escape';
import { MIN_TAIL_SHARE } from '../toolkit/tail';
import {
  canQueryStatus,
  errorParts,
  errorRateQuery,
  meanLatencyParts,
  meanLatencyQuery,
  quantileQuery,
  requestRateQuery,
  slowShareQuery,
  tailShareFrom,
  taggedUnion,
  upQuery,
  type SlowShareQuery,
  validateSelector,
} from '../../prometheus/promql';
import type { ResolvedMetric, ScrapeTargets } from '../../prometheus/types';
import { recordedProbeExpr, recordedQueries, type RecordedRead } from '../../prometheus/recorded';

/** What a query's result fills in ScanInput. */
export type QueryRole = 'p50' | 'p95' | 'p99' | 'mean' | 'rate' | 'errorRate' | 'slowShare' | 'tailShare' | 'targets';

/**
 * Where the points a sparse read leaves out are 0: where the route's rate is a value (`known`), or where it is above
 * 0 (`positive`: a share of no requests is 0/0, which Prometheus answers NaN and the scan drops). Only set where the
 * read's denominator is the rate query itself, so the points are known exactly (fillSparseZeros in scan.ts).
 */
export type ZeroFill = 'known' | 'positive';

export interface ScanQuery {
  role: QueryRole;
  expr: string;
  /** Further roles the same result fills (the slow share at the largest bound is also the tail share). */
  alsoFills?: QueryRole[];
  /**
   * The read returns only its non-zero points (`… != 0`): most points of a 5xx rate or of a slow or tail share are
   * 0, and each returned sample costs the scan more than Prometheus's evaluation of it (docs/sizing.md).
   */
  zeroFill?: ZeroFill;
  /**
   * The median is read only where the tail estimate uses it (toolkit/tail.ts: a tail share of at least
   * MIN_TAIL_SHARE), after the other reads, because that condition holds per raw route label: where several raw
   * labels share one route template the scan folds their medians with max, and then needs all of them (`dense`).
   */
  afterOthers?: {
    dense: string;
    /**
     * Asked only over pieces where some raw label's answer for `role` reaches `atLeast` (a weighted mean of labels
     * never exceeds their largest, so nowhere else can a merged route's share reach it either): a month with no
     * tail above the largest bucket costs no median request at all.
     */
    onlyWhere: { role: QueryRole; atLeast: number };
  };
  /**
   * The read is a numerator over the rate query's answer (its own denominator): the mean's `_sum` rate in the
   * metric's unit, or the slow requests' rate of a share. The scan divides it by that answer, after putting back a
   * sparse read's zeros, then by `unitDivisor` (1000 for a mean in milliseconds), as the dense query would.
   * Prometheus's division of two `sum by` of a month cost more than the read itself (docs/sizing.md).
   */
  overRate?: { unitDivisor: number };
  /**
   * The read answers for more roles than its own: a series tagged `TARGET_PART_LABEL="<key>"` fills that key's
   * role, an untagged one `role` (the p95 and p99 asked as one query of a declared-Thanos scan, routeReads).
   */
  tagged?: Readonly<Record<string, QueryRole>>;
  /**
   * Series the read selects for each series the probe counted (a `_count` series or a native histogram; on the
   * recorded path, a route's recording): its pieces are budgeted by it (chunks.ts), so a read of one or two series
   * per route is not split as finely as a read of every bucket.
   */
  seriesPerCounted: number;
}

/**
 * Upper bound of the series a read other than a quantile selects per counted series: the rate reads the count
 * itself, the mean its `_sum` (and the count), the 5xx rate a subset of the counts and the counts, a slow or tail
 * share one bucket and the count, the targets the counts and one `up` per target.
 */
export const LIGHT_READ_SERIES = 2;

export interface RouteQueryOptions {
  /** rate window, seconds */
  windowSeconds: number;
  /** client timeout (PREFECT_API_REQUEST_TIMEOUT), seconds: the slow-share threshold */
  slowThresholdSeconds: number;
  /**
   * Read the long-range recordings (src/prometheus/recorded.ts) at this grid step and their interval instead of
   * the raw histogram. Only where the probe found them covering the range (scan.ts).
   */
  recorded?: RecordedRead;
  /** With recorded: read the recorded per-route quantiles (only at a step equal to their interval). */
  recordedQuantiles?: boolean;
  /**
   * Ask the p95 and the p99 of the bucket series as one query. Thanos's engine (asked for on a declared-Thanos
   * scan, thanosEngine.ts) selects a query's identical selectors once, so the store gateway sends the buckets once
   * rather than twice; Prometheus's engine selects each on its own, which gains nothing, so only there.
   */
  quantilesTogether?: boolean;
}

/** The questions the route queries ask, over the raw histogram or over its long-range recordings. */
interface Builders {
  quantile(q: number): string;
  mean(): string;
  meanParts(): { sum: string; total: string };
  rate(): string;
  errorRate(): string;
  errorParts(): { errors: string; total: string };
  slowShare(thresholdSeconds: number): SlowShareQuery;
}

function buildersFor(m: ResolvedMetric, opts: RouteQueryOptions): Builders {
  if (opts.recorded !== undefined) {
    return recordedQueries(m, opts.recorded, { quantiles: opts.recordedQuantiles });
  }
  const q = { window: formatDuration(opts.windowSeconds), groupBy: ['route' as const] };
  return {
    quantile: (x) => quantileQuery(m, x, q),
    mean: () => meanLatencyQuery(m, q),
    meanParts: () => meanLatencyParts(m, q),
    rate: () => requestRateQuery(m, q),
    errorRate: () => errorRateQuery(m, q),
    errorParts: () => errorParts(m, q),
    slowShare: (t) => slowShareQuery(m, t, q),
  };
}

/**
 * Per-route queries, grouped by the raw route label (normalisation happens after alignment, because several raw
 * paths may share one template and quantiles cannot be summed in PromQL).
 */
export function routeQueries(m: ResolvedMetric, opts: RouteQueryOptions): ScanQuery[] {
  const heavy = quantileReadSeries(m, opts);
  return routeReads(m, opts).map((q) => ({
    ...q,
    seriesPerCounted: !QUANTILE_ROLES.has(q.role)
      ? LIGHT_READ_SERIES
      : // The median's `and on` also reads the tail share's count.
        q.afterOthers !== undefined
        ? heavy + 1
        : // Quantiles asked together are budgeted as separate reads: Prometheus's engine, to which Thanos's falls
          // back, would select and hold the buckets once per quantile.
          heavy * (1 + Object.keys(q.tagged ?? {}).length),
  }));
}

/** Roles whose read is a histogram_quantile over every bucket series. */
export const QUANTILE_ROLES: ReadonlySet<QueryRole> = new Set(['p50', 'p95', 'p99']);

/**
 * Series a quantile read selects per counted series: every bucket and `+Inf` of a classic histogram, the histogram
 * itself for a native one; on the recorded path every recorded bucket, or the recorded quantile and its count.
 */
export function quantileReadSeries(
  m: ResolvedMetric,
  opts: Pick<RouteQueryOptions, 'recorded' | 'recordedQuantiles'>
): number {
  if (opts.recorded !== undefined && opts.recordedQuantiles === true) {
    return 2;
  }
  return m.kind === 'native' ? 1 : m.buckets.length + 1;
}

type RouteRead = Omit<ScanQuery, 'seriesPerCounted'>;

function routeReads(m: ResolvedMetric, opts: RouteQueryOptions): RouteRead[] {
  const b = buildersFor(m, opts);
  const rate = b.rate();
  const meanParts = b.meanParts();
  // Recorded quantiles are each their own series: asked together they would share nothing.
  const together = opts.quantilesTogether === true && !(opts.recorded !== undefined && opts.recordedQuantiles === true);
  const out: RouteRead[] = [
    ...(together
      ? [
          {
            role: 'p95' as const,
            expr: taggedUnion(TARGET_PART_LABEL, b.quantile(0.95), [{ part: 'p99', expr: b.quantile(0.99) }]),
            tagged: { p99: 'p99' as const },
          },
        ]
      : [
          { role: 'p95' as const, expr: b.quantile(0.95) },
          { role: 'p99' as const, expr: b.quantile(0.99) },
        ]),
    meanParts.total === rate
      ? { role: 'mean', expr: meanParts.sum, overRate: { unitDivisor: m.unit === 'milliseconds' ? 1000 : 1 } }
      : { role: 'mean', expr: b.mean() },
    { role: 'rate', expr: rate },
  ];
  // A sparse read drops the points that are exactly 0 (`!= 0` keeps negatives and NaN, as the dense read had them).
  const sparse = (total: string | undefined, zeroFill: ZeroFill): ZeroFill | undefined =>
    total === rate ? zeroFill : undefined;
  if (canQueryStatus(m)) {
    const parts = b.errorParts();
    // `errors or (0 * total)` without the zeros is `errors` without its zeros; 0 wherever the total is a value.
    const zeroFill = sparse(parts.total, 'known');
    out.push(
      zeroFill === undefined
        ? { role: 'errorRate', expr: b.errorRate() }
        : { role: 'errorRate', expr: `(${parts.errors}) != 0`, zeroFill }
    );
  }
  const slow = b.slowShare(opts.slowThresholdSeconds);
  // A bound far below the timeout (OpenTelemetry's buckets stop at 10 s, the timeout is 60 s) would count every
  // merely slow request as timed out: better to say "cannot tell" (NaN) and let p99/mean speak.
  const slowUsable =
    slow.expr !== null && slow.boundSeconds !== null && slow.boundSeconds >= 0.8 * opts.slowThresholdSeconds;
  // The share in +Inf: at most one more request, and none when the slow share is already counted at that bound.
  const tail = tailShareFrom(m, b.slowShare);
  const share = (role: QueryRole, s: SlowShareQuery, alsoFills?: QueryRole[]): RouteRead => {
    const zeroFill = sparse(s.total, 'positive');
    // Over the rate read: its zeros where the route served requests, then 0/0 = NaN where it served none, as the
    // share's `positive` fill leaves them.
    const q: RouteRead =
      zeroFill === undefined
        ? { role, expr: s.expr! }
        : s.slowRate !== undefined
          ? { role, expr: `(${s.slowRate}) != 0`, zeroFill: 'known', overRate: { unitDivisor: 1 } }
          : { role, expr: `(${s.expr!}) != 0`, zeroFill };
    return alsoFills ? { ...q, alsoFills } : q;
  };
  const tailBound = tail === null ? null : b.slowShare(tail.boundSeconds);
  if (slowUsable && tailBound !== null && slow.boundSeconds === tailBound.boundSeconds) {
    out.push(share('slowShare', slow, ['tailShare']));
  } else {
    if (slowUsable) {
      out.push(share('slowShare', slow));
    }
    if (tailBound !== null) {
      out.push(share('tailShare', tailBound));
    }
  }
  // Without a tail share (native histograms, no buckets) nothing reads the median: it is not asked.
  if (tail !== null) {
    const dense = b.quantile(0.5);
    const route = labelRef(m.labels.route);
    out.push({
      role: 'p50',
      expr: `${dense} and on (${route}) ((${tail.expr}) >= ${MIN_TAIL_SHARE})`,
      afterOthers: { dense, onlyWhere: { role: 'tailShare', atLeast: MIN_TAIL_SHARE } },
    });
  }
  return out;
}

/** Label that tells the two halves of the targets query apart (see targetsScanQuery). */
export const TARGET_PART_LABEL = 'prefect_insights_part';

/**
 * Per replica, in ONE request whatever the number of replicas: the request rate by `instance` and, where the
 * series have a scrape job, `up` by instance. The halves are told apart by TARGET_PART_LABEL, so a fleet of
 * replicas costs series, not requests. The service-wide `up` is the max over instances, as before.
 */
export function targetsScanQuery(
  m: ResolvedMetric,
  targets: ScrapeTargets,
  opts: Pick<RouteQueryOptions, 'windowSeconds' | 'recorded'>
): ScanQuery {
  // Behind a Collector scraped without honor_labels, a replica is its `exported_instance` (the Collector's own
  // `instance` is one for all of them); either way the halves come back keyed by `instance`.
  const by = targets.exported ? 'exported_instance' : 'instance';
  const asInstance = (expr: string) =>
    by === 'instance' ? expr : `label_replace(${expr}, "instance", "$1", "${by}", "(.*)")`;
  const rate = asInstance(
    opts.recorded !== undefined
      ? recordedQueries(m, opts.recorded).instanceRate(by)
      : requestRateQuery(m, { window: formatDuration(opts.windowSeconds), groupBy: [by] })
  );
  const part = (expr: string, name: string) => `label_replace(${expr}, "${TARGET_PART_LABEL}", "${name}", "", "")`;
  const expr =
    targets.jobs.length === 0
      ? part(rate, 'rate')
      : `${part(rate, 'rate')} or ${part(asInstance(`max by (${by}) (${upQuery(m, targets)})`), 'up')}`;
  return { role: 'targets', expr, seriesPerCounted: LIGHT_READ_SERIES };
}

/** Window of the probe that finds the scrape interval and the scrape targets. */
export const PROBE_WINDOW_SECONDS = 600;

/** Value of TARGET_PART_LABEL on the probe's series count (see probeQuery). */
export const SERIES_PART = 'series';

/** The series the probe counts: one per scrape target and label set (`_count` of a classic histogram). */
export function probeSelector(m: ResolvedMetric): string {
  return metricSelector(m.kind === 'native' ? m.name : `${m.name}_count`, [validateSelector(m.selector)]);
}

/**
 * Samples per probe window of the selected series, per scrape target: the densest window gives the scrape interval,
 * the labels give the job/instance whose `up` belongs to this metric. One cheap request (each sample read once).
 * With `countSeries`, the same request also says how many of those series there are (marked SERIES_PART): the
 * scan needs it to keep each request under Prometheus's limit on samples held at once (see chunks.ts).
 */
export function probeQuery(
  m: ResolvedMetric,
  opts: { countSeries?: boolean; recorded?: boolean; windowSeconds?: number } = {}
): string {
  const series = probeSelector(m);
  const counts = `count_over_time(${series}[${formatDuration(opts.windowSeconds ?? PROBE_WINDOW_SECONDS)}])`;
  const perTarget = `max by (job, instance, exported_job, exported_instance) (${counts})`;
  if (!opts.countSeries) {
    return perTarget;
  }
  const withCount = `${perTarget} or label_replace(count(${counts}), "${TARGET_PART_LABEL}", "${SERIES_PART}", "", "")`;
  // The long-range recordings, where loaded: their points per probe point say their interval and their coverage.
  return opts.recorded && m.kind === 'classic' ? `${withCount} or ${recordedProbeExpr(TARGET_PART_LABEL)}` : withCount;
}
