// What the buckets cannot see: the requests above the largest finite bound (OpenTelemetry's default stops at 10 s).
// A quantile there is only a floor ("≥ 10 s"), but the mean (_sum/_count) is exact and the share in +Inf is counted,
// so with s the tail share, T the tail's mean and B the mean of the requests at or under the largest bound L:
//   mean = s·T + (1 − s)·B   →   T = (mean − (1 − s)·B) / s.
// B is not measured. B = L would make T a certain lower bound, but a useless one for small tails (15 % at 84 s over
// a 50 ms body reads as 28 s). So B is estimated from above instead: BODY_FACTOR × the larger of the route's
// baseline mean and its current median, capped at L. The median follows a slowdown of the whole body, the factor
// covers a skewed body, and every error in B toward "too high" only lowers T: the estimate errs toward silence.
import type { Grid, RouteSeries } from '../types';
import { baselineAt, baselineOf } from './baseline';
import { formatSeconds, isAboveLargestBucket } from './format';

/** The body's mean is taken as this multiple of max(baseline mean, current median) (a skewed body's mean/median). */
export const BODY_FACTOR = 2;
/** Below this tail share the estimate divides noise by a small number: no estimate. */
export const MIN_TAIL_SHARE = 0.01;

/**
 * Upper estimate (seconds) of the mean of the requests at or under the largest bound. Falls back to the bound itself
 * (then the tail estimate is a certain lower bound) when neither the baseline nor the median says anything, or when
 * the median itself is in +Inf.
 */
export function bodyMeanUpper(baselineMean: number, median: number, largestBucket: number, tailShare = NaN): number {
  const m = median >= 0 && !isAboveLargestBucket(median, largestBucket) ? median : NaN;
  const b = baselineMean >= 0 && baselineMean < Infinity ? baselineMean : NaN;
  const typical = m !== m ? b : b !== b ? m : Math.max(m, b);
  if (typical !== typical || isAboveLargestBucket(median, largestBucket)) {
    return largestBucket;
  }
  return Math.min(largestBucket, BODY_FACTOR * typical, medianBound(m, tailShare, largestBucket));
}

/**
 * A bound the body's mean cannot exceed, whatever its shape: half of all requests are at most the median m, the
 * rest of the body (a share 0.5 − s) at most L, so B ≤ (0.5·m + (0.5 − s)·L) / (1 − s). It matters when the whole
 * body is slow (a median of several seconds), where BODY_FACTOR × median alone would say "B = L" and hide the tail.
 */
export function medianBound(median: number, tailShare: number, largestBucket: number): number {
  if (!(median >= 0) || !(tailShare >= 0 && tailShare < 0.5)) {
    return largestBucket;
  }
  return Math.min(largestBucket, (0.5 * median + (0.5 - tailShare) * largestBucket) / (1 - tailShare));
}

/**
 * Estimated mean (seconds) of the requests above the largest bucket, from the exact mean, the tail share and an
 * upper estimate of the body's mean. At least the bound itself (every tail request is above it); NaN when the tail
 * is too small to estimate or an input is missing.
 */
export function estimateTailMean(mean: number, tailShare: number, bodyMean: number, largestBucket: number): number {
  const usable = largestBucket > 0 && tailShare >= MIN_TAIL_SHARE && tailShare <= 1 && mean >= 0 && mean < Infinity;
  if (!usable) {
    return NaN;
  }
  const body = bodyMean >= 0 ? Math.min(bodyMean, largestBucket) : largestBucket;
  return Math.max(largestBucket, (mean - (1 - tailShare) * body) / tailShare);
}

interface CacheEntry {
  mean: Float64Array;
  p50: Float64Array;
  step: number;
  largestBucket: number;
  values: Float64Array;
}

const cache = new WeakMap<Float64Array, CacheEntry>();

/**
 * Per point, the estimated mean of the route's requests above the largest bucket (NaN where unknown or for native
 * histograms). Computed once per route and scan, however many detectors ask.
 */
export function tailMeanSeries(route: RouteSeries, grid: Grid, largestBucket: number | null): Float64Array {
  const n = route.mean.length;
  if (largestBucket === null || !(largestBucket > 0) || !route.tailShare || route.tailShare.length !== n) {
    return new Float64Array(n).fill(NaN);
  }
  const hit = cache.get(route.tailShare);
  // Arrays may be shared between routes (tests do): the entry is only good for the very same inputs.
  if (
    hit &&
    hit.mean === route.mean &&
    hit.p50 === route.p50 &&
    hit.step === grid.step &&
    hit.largestBucket === largestBucket &&
    hit.values.length === n
  ) {
    return hit.values;
  }
  const baseline = baselineOf(route.mean, grid);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const body = bodyMeanUpper(baselineAt(baseline, i), route.p50[i], largestBucket, route.tailShare[i]);
    values[i] = estimateTailMean(route.mean[i], route.tailShare[i], body, largestBucket);
  }
  cache.set(route.tailShare, { mean: route.mean, p50: route.p50, step: grid.step, largestBucket, values });
  return values;
}

/** Evidence wording: the figure is an estimate, and why there is no measured one. */
export function formatTailEstimate(tailMean: number, largestBucket: number): string {
  return `≈ ${formatSeconds(tailMean)} estimated from the mean; buckets stop at ${formatSeconds(largestBucket)}`;
}

/** Median of the usable values of `series` over [from, to] at the points where `where` holds; NaN if none. */
export function medianWhere(series: Float64Array, from: number, to: number, where: (i: number) => boolean): number {
  const picked: number[] = [];
  for (let i = from; i <= to; i++) {
    const v = series[i];
    if (v >= 0 && v < Infinity && where(i)) {
      picked.push(v);
    }
  }
  if (picked.length === 0) {
    return NaN;
  }
  picked.sort((a, b) => a - b);
  const mid = picked.length >> 1;
  return picked.length % 2 === 1 ? picked[mid] : (picked[mid - 1] + picked[mid]) / 2;
}
