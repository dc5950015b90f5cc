// The contract's baseline: the median of the route's 5-minute values over the 6 h before each point. Computed per
// 5-minute block (a rolling median over the previous blocks), so the cost is one pass over the points plus a small
// sorted window per block.
import type { Grid } from '../types';
import { BASELINE_BLOCK_MS, BASELINE_WINDOW_MS } from './thresholds';

export interface Baseline {
  /** Grid points per block. */
  blockSize: number;
  /** Duration of one block in ms. */
  blockMs: number;
  /** Blocks in the look-back window (6 h). */
  windowBlocks: number;
  /** Per block: the mean of the block's usable values, NaN if it has none. */
  blockValues: Float64Array;
  /** Per block: the median of the previous blocks' values (the block itself excluded), NaN without history. */
  medians: Float64Array;
  /** Per block: how many previous blocks had a value (history actually available). */
  history: Int32Array;
}

export function computeBaseline(series: Float64Array, stepMs: number): Baseline {
  const n = series.length;
  const blockSize = Math.max(1, Math.round(BASELINE_BLOCK_MS / stepMs));
  const blockMs = blockSize * stepMs;
  const windowBlocks = Math.max(1, Math.round(BASELINE_WINDOW_MS / blockMs));
  const nBlocks = Math.ceil(n / blockSize);
  const blockValues = new Float64Array(nBlocks);
  for (let b = 0, i = 0; b < nBlocks; b++) {
    const end = Math.min(n, i + blockSize);
    let sum = 0;
    let count = 0;
    for (; i < end; i++) {
      const v = series[i];
      if (v >= 0 && v < Infinity) {
        sum += v;
        count++;
      }
    }
    blockValues[b] = count > 0 ? sum / count : NaN;
  }
  const medians = new Float64Array(nBlocks);
  const history = new Int32Array(nBlocks);
  const window: number[] = [];
  for (let b = 0; b < nBlocks; b++) {
    const w = window.length;
    medians[b] = w === 0 ? NaN : w % 2 === 1 ? window[(w - 1) >> 1] : (window[w / 2 - 1] + window[w / 2]) / 2;
    history[b] = w;
    const incoming = blockValues[b];
    if (incoming === incoming) {
      window.splice(lowerBound(window, incoming), 0, incoming);
    }
    // The next block's window is [b + 1 - W, b]: block b - W leaves.
    const leaving = b - windowBlocks >= 0 ? blockValues[b - windowBlocks] : NaN;
    if (leaving === leaving) {
      window.splice(lowerBound(window, leaving), 1);
    }
  }
  return { blockSize, blockMs, windowBlocks, blockValues, medians, history };
}

function lowerBound(sorted: number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

const cache = new WeakMap<Float64Array, Baseline>();

/** The baseline of a series, computed once per scan however many detectors ask. */
export function baselineOf(series: Float64Array, grid: Grid): Baseline {
  const hit = cache.get(series);
  if (hit && hit.blockMs === Math.max(1, Math.round(BASELINE_BLOCK_MS / grid.step)) * grid.step) {
    return hit;
  }
  const b = computeBaseline(series, grid.step);
  cache.set(series, b);
  return b;
}

export function baselineAt(b: Baseline, index: number): number {
  return b.medians[(index / b.blockSize) | 0];
}

/** How much history (ms) the baseline at `index` rests on: the evidence reports it when under 6 h. */
export function historyMsAt(b: Baseline, index: number): number {
  return b.history[(index / b.blockSize) | 0] * b.blockMs;
}
