// Figures for an episode's evidence that belong to the routes they count: each route's own value at one point (the
// peak), and request-weighted aggregates over the episode. A maximum taken over routes and points at once pairs one
// thin route's worst window with the count of all routes (seen on a live Prefect: "p95 above the largest bucket on
// 18 of 19 routes" when 17 peaked at 7.3-9.5 s and one polling route, one call per 10 s, had a call in +Inf).
import type { RouteSeries } from '../types';
import { formatQuantile, formatSeconds, isAboveLargestBucket } from './format';
import { isValue } from './series';

export interface PointRange {
  low: number;
  high: number;
  /** Routes with a value at the point. */
  counted: number;
  /** Of those, routes whose value lies in +Inf (a floor, not a value). */
  aboveLargestBucket: number;
}

/** The spread of one field over some routes at point i. */
export function rangeAt(
  routes: RouteSeries[],
  field: 'p95' | 'p99' | 'mean',
  i: number,
  largestBucket: number | null
): PointRange {
  let low = NaN;
  let high = NaN;
  let counted = 0;
  let above = 0;
  for (const r of routes) {
    const v = r[field][i];
    if (!isValue(v)) {
      continue;
    }
    counted++;
    above += isAboveLargestBucket(v, largestBucket) ? 1 : 0;
    low = low <= v ? low : v;
    high = high >= v ? high : v;
  }
  return { low, high, counted, aboveLargestBucket: above };
}

/** "7.3–9.5 s", "above the largest bucket (≥ 10 s)", or "7.3 s to above the largest bucket (≥ 10 s)". */
export function formatRange(range: PointRange, largestBucket: number | null): string {
  const { low, high } = range;
  if (!(low >= 0)) {
    return formatQuantile(NaN, largestBucket);
  }
  if (isAboveLargestBucket(low, largestBucket) || formatSeconds(low) === formatSeconds(high)) {
    return formatQuantile(high, largestBucket);
  }
  if (isAboveLargestBucket(high, largestBucket)) {
    return `${formatSeconds(low)} to ${formatQuantile(high, largestBucket)}`;
  }
  const lo = formatSeconds(low);
  const hi = formatSeconds(high);
  const unit = (s: string) => s.replace(/^[\d.]+ /, '');
  return unit(lo) === unit(hi) ? `${lo.replace(/ \S+$/, '')}–${hi}` : `${lo}–${hi}`;
}

/**
 * Request-weighted mean of a per-point field over [from, to] and the given routes: Σ rate·value / Σ rate, i.e. the
 * value over the episode's requests. NaN where no point has both.
 */
export function requestWeighted(
  routes: RouteSeries[],
  field: 'mean' | 'tailShare' | 'slowShare',
  from: number,
  to: number,
  where: (route: number, i: number) => boolean = () => true
): number {
  let num = 0;
  let den = 0;
  routes.forEach((r, k) => {
    for (let i = from; i <= to; i++) {
      const q = r.rate[i];
      const v = r[field][i];
      if (isValue(q) && isValue(v) && where(k, i)) {
        num += q * v;
        den += q;
      }
    }
  });
  return den > 0 ? num / den : NaN;
}
