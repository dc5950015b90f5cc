// Guards and sums over the aligned series. Rates may be negative or NaN around counter resets and gaps; such
// points carry no information and are skipped, never treated as zero traffic.
import type { RouteSeries, ScanInput } from '../types';

/** A usable rate or latency: finite and not negative. */
export function isValue(v: number): boolean {
  return v >= 0 && v < Infinity;
}

const SERIES_KEYS = ['p50', 'p95', 'p99', 'mean', 'rate', 'errorRate', 'slowShare', 'tailShare'] as const;

function fitLength(a: Float64Array | undefined, n: number): Float64Array {
  if (a && a.length === n) {
    return a;
  }
  const out = new Float64Array(n).fill(NaN);
  if (a) {
    out.set(a.length > n ? a.subarray(0, n) : a);
  }
  return out;
}

/**
 * The input every detector works on: a usable grid and every array exactly grid.length long (padded with NaN,
 * copied only when a length disagrees). Null when there is nothing to look at.
 */
export function prepareInput(input: ScanInput): ScanInput | null {
  const grid = input?.grid;
  if (!grid || !(grid.step > 0) || !Number.isFinite(grid.step) || !Number.isFinite(grid.start)) {
    return null;
  }
  const n = Math.max(0, Math.floor(grid.length));
  if (!(n > 0)) {
    return null;
  }
  const routes = input.routes ?? [];
  const targets = input.targets ?? [];
  let same = input.up?.length === n && n === grid.length;
  for (const t of targets) {
    same = same && t.up?.length === n && t.rate?.length === n;
  }
  for (const r of routes) {
    for (const k of SERIES_KEYS) {
      same = same && r[k]?.length === n;
    }
  }
  const rangeStartIndex = Math.min(Math.max(0, Math.floor(input.rangeStartIndex) || 0), n);
  if (same && rangeStartIndex === input.rangeStartIndex) {
    return input;
  }
  return {
    ...input,
    grid: { start: grid.start, step: grid.step, length: n },
    rangeStartIndex,
    up: fitLength(input.up, n),
    targets: targets.map((t) => ({
      instance: String(t.instance),
      up: fitLength(t.up, n),
      rate: fitLength(t.rate, n),
    })),
    routes: routes.map((r) => {
      const copy = { route: String(r.route) } as RouteSeries;
      for (const k of SERIES_KEYS) {
        copy[k] = fitLength(r[k], n);
      }
      return copy;
    }),
  };
}

/** Per-point sum of one rate over some routes; NaN where none of them has a usable value. */
export function sumRates(routes: RouteSeries[], pick: 'rate' | 'errorRate', n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  for (const r of routes) {
    const a = r[pick];
    for (let i = 0; i < n; i++) {
      const v = a[i];
      if (v >= 0 && v < Infinity) {
        const s = out[i];
        out[i] = s === s ? s + v : v;
      }
    }
  }
  return out;
}

const totals = new WeakMap<RouteSeries[], { rate: Float64Array; errorRate: Float64Array }>();

/** Whole-API request and 5xx rates, computed once per scan and shared by the detectors that need them. */
export function apiTotals(input: ScanInput): { rate: Float64Array; errorRate: Float64Array } {
  const n = input.grid.length;
  const hit = totals.get(input.routes);
  if (hit && hit.rate.length === n) {
    return hit;
  }
  const value = { rate: sumRates(input.routes, 'rate', n), errorRate: sumRates(input.routes, 'errorRate', n) };
  totals.set(input.routes, value);
  return value;
}

/** 5xx share over a stretch of points, from summed rates (not an average of per-point shares). */
export function errorShareOver(routes: RouteSeries[], from: number, to: number): { share: number; known: boolean } {
  let req = 0;
  let err = 0;
  let known = false;
  for (const r of routes) {
    for (let i = from; i <= to; i++) {
      const q = r.rate[i];
      const e = r.errorRate[i];
      if (q >= 0 && q < Infinity && e >= 0 && e < Infinity) {
        req += q;
        err += Math.min(e, q);
        known = true;
      }
    }
  }
  return { share: known && req > 0 ? err / req : NaN, known };
}

/** Largest usable value of a series over [from, to]; NaN if none. */
export function maxOver(a: Float64Array, from: number, to: number): number {
  let m = NaN;
  for (let i = from; i <= to; i++) {
    const v = a[i];
    if (v >= 0 && !(v <= m)) {
      m = v;
    }
  }
  return m;
}

/** max that ignores NaN on either side. */
export function nanMax(a: number, b: number): number {
  return a !== a ? b : b !== b ? a : Math.max(a, b);
}

/** The highest mean of `series` over `width` consecutive points within [from, to): the busiest stretch. */
export function busiestWindow(series: Float64Array, from: number, to: number, width: number): number {
  let best = NaN;
  let sum = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    if (isValue(series[i])) {
      sum += series[i];
      count++;
    }
    const leaving = i - width;
    if (leaving >= from && isValue(series[leaving])) {
      sum -= series[leaving];
      count--;
    }
    if (i - from + 1 >= Math.min(width, to - from) && count > 0 && !(sum / count <= best)) {
      best = sum / count;
    }
  }
  return best;
}

/** Mean of the usable values of `series` over [from, to); NaN if none. */
export function meanOver(series: Float64Array, from: number, to: number): number {
  let sum = 0;
  let count = 0;
  for (let i = Math.max(0, from); i < to; i++) {
    if (isValue(series[i])) {
      sum += series[i];
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}
