// Latency comparisons that respect histogram limits and baselines.
import type { Grid, RouteSeries } from '../types';
import { baselineAt, baselineOf } from './baseline';
import { isAboveLargestBucket } from './format';
import { MEAN_AT_TIMEOUT, MOST_SHARE, NEAR_FACTOR, NEAR_SLACK_S } from './thresholds';

/**
 * Whether a quantile reaches `threshold` seconds. When the quantile sits in the +Inf bucket and the largest bucket
 * is below the threshold, the quantile is only a floor; then the exact mean must back it up.
 */
export function reachesThreshold(quantile: number, mean: number, threshold: number, largestBucket: number | null) {
  if (quantile >= threshold) {
    return true;
  }
  if (isAboveLargestBucket(quantile, largestBucket) && (largestBucket as number) < threshold) {
    return mean >= threshold * MEAN_AT_TIMEOUT;
  }
  return false;
}

/** Whether p95 is near its baseline (within NEAR_FACTOR × or NEAR_SLACK_S). */
export function isNear(value: number, baseline: number): boolean {
  return value <= Math.max(NEAR_FACTOR * baseline, baseline + NEAR_SLACK_S);
}

export const NEAR_UNKNOWN = 0;
export const NEAR_YES = 1;
export const NEAR_NO = 2;

const nearCache = new WeakMap<Float64Array, Uint8Array>();

/** Per point: NEAR_YES, NEAR_NO, or NEAR_UNKNOWN (no value or no baseline yet). Shared across detectors. */
export function nearMask(p95: Float64Array, grid: Grid): Uint8Array {
  const hit = nearCache.get(p95);
  if (hit && hit.length === p95.length) {
    return hit;
  }
  const b = baselineOf(p95, grid);
  const out = new Uint8Array(p95.length);
  for (let i = 0; i < p95.length; i++) {
    const v = p95[i];
    const base = b.medians[(i / b.blockSize) | 0];
    if (v >= 0 && base === base) {
      out[i] = isNear(v, base) ? NEAR_YES : NEAR_NO;
    }
  }
  nearCache.set(p95, out);
  return out;
}

/**
 * "Most other routes stay near baseline" at point i: more than half of the other routes that can be judged. With
 * nothing to judge, nothing contradicts the narrow reading.
 */
export function othersMostlyNear(masks: Uint8Array[], isMember: boolean[], i: number): boolean {
  let known = 0;
  let near = 0;
  for (let r = 0; r < masks.length; r++) {
    if (isMember[r]) {
      continue;
    }
    const m = masks[r][i];
    if (m !== NEAR_UNKNOWN) {
      known++;
      if (m === NEAR_YES) {
        near++;
      }
    }
  }
  return known === 0 || near > known * MOST_SHARE;
}

/** Hours of baseline history behind a route at `index` (for the evidence), NaN if the route has no baseline. */
export function baselineHoursAt(route: RouteSeries, grid: Grid, index: number): number {
  const b = baselineOf(route.p95, grid);
  const blocks = b.history[(index / b.blockSize) | 0];
  return blocks > 0 ? (blocks * b.blockMs) / 3_600_000 : NaN;
}

export function p95BaselineAt(route: RouteSeries, grid: Grid, index: number): number {
  return baselineAt(baselineOf(route.p95, grid), index);
}
