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
  // Per block, so the limit is computed once per 5 minutes rather than per point.
  const factor = NEAR_FACTOR;
  const slack = NEAR_SLACK_S;
  for (let block = 0, i = 0; block < b.medians.length; block++) {
    const base = b.medians[block];
    const end = Math.min(p95.length, i + b.blockSize);
    if (base !== base) {
      i = end;
      continue;
    }
    const limit = Math.max(factor * base, base + slack);
    for (; i < end; i++) {
      const v = p95[i];
      out[i] = v >= 0 ? (v <= limit ? NEAR_YES : NEAR_NO) : NEAR_UNKNOWN;
    }
  }
  nearCache.set(p95, out);
  return out;
}

/**
 * "Most other routes stay near baseline" (othersAt at one point): more than half of the other routes that can be judged. With
 * nothing to judge, nothing contradicts the narrow reading.
 */
export function othersMostlyNear({ known, near }: OthersAt): boolean {
  return known === 0 || near > known * MOST_SHARE;
}

/**
 * Fewer other routes than this that can be judged at a point, and "most of them near" is a coin flip: with two, one
 * slow neighbour decides it. Seen on a live Prefect (tests/prefect/README.md, count timeout 2026-12-04): while the
 * dashboards' counts waited on a task_run lock, some 5 s windows held answers of two other routes only, one of them
 * blocked by the same lock, and the 2-minute episode broke into pieces.
 */
export const MIN_JUDGED_OTHERS = 3;

/** Other routes with a near/far verdict at point i, and how many of them are near. */
export interface OthersAt {
  known: number;
  near: number;
}

export function othersAt(masks: Uint8Array[], isMember: boolean[], i: number): OthersAt {
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
  return { known, near };
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
