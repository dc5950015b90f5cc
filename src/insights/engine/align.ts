// Puts Prometheus range-query results onto the scan's one regular grid. Every query of a scan uses the same
// start/end/step, so a sample's grid index is a division, never a search: alignment stays linear in the samples.
import type { MatrixSeries } from '../../prometheus/types';
import type { Grid } from '../types';

/** Grid of a range query in unix ms, from Prometheus's own start/end/step in seconds (end inclusive). */
export function gridFromRange(startSec: number, endSec: number, stepSec: number): Grid {
  const length = Math.max(1, Math.floor((endSec - startSec) / stepSec + 1e-9) + 1);
  return { start: Math.round(startSec * 1000), step: Math.round(stepSec * 1000), length };
}

export function nanArray(length: number): Float64Array {
  return new Float64Array(length).fill(NaN);
}

/** Prometheus writes sample values as strings; `+Inf`/`-Inf` are not numbers to `Number()`. */
export function parseSampleValue(text: string): number {
  const v = +text;
  if (v === v) {
    return v;
  }
  if (text === '+Inf' || text === 'Inf') {
    return Infinity;
  }
  return text === '-Inf' ? -Infinity : NaN;
}

/** How two values landing on the same grid point (same key) combine. */
export type Combine = 'sum' | 'max';

/**
 * Aligns a matrix onto the grid, one array per value of `label` (series without the label go to key '').
 * Samples off the grid (outside it, or between points) are dropped, so a result from a different step never
 * silently shifts the data.
 */
export function alignByLabel(
  series: MatrixSeries[],
  grid: Grid,
  label: string | null,
  combine: Combine = 'sum',
  /** Arrays to align into (a split query's earlier pieces); a new map when absent. */
  out: Map<string, Float64Array> = new Map()
): Map<string, Float64Array> {
  const { start, step, length } = grid;
  for (const s of series) {
    const key = label === null ? '' : (s.metric[label] ?? '');
    let arr = out.get(key);
    if (arr === undefined) {
      arr = nanArray(length);
      out.set(key, arr);
    }
    const values = s.values;
    for (let k = 0; k < values.length; k++) {
      const sample = values[k];
      const offset = sample[0] * 1000 - start;
      const i = Math.round(offset / step);
      if (i < 0 || i >= length || Math.abs(offset - i * step) > step / 4) {
        continue;
      }
      const v = parseSampleValue(sample[1]);
      if (v !== v) {
        continue;
      }
      const prev = arr[i];
      if (prev !== prev) {
        arr[i] = v;
      } else if (combine === 'sum') {
        arr[i] = prev + v;
      } else if (v > prev) {
        arr[i] = v;
      }
    }
  }
  return out;
}

/** Element-wise combination of several arrays (NaN = missing, ignored unless every input is missing). */
export function combineArrays(arrays: Float64Array[], combine: Combine): Float64Array {
  if (arrays.length === 1) {
    return arrays[0];
  }
  const length = arrays[0].length;
  const out = nanArray(length);
  for (const arr of arrays) {
    for (let i = 0; i < length; i++) {
      const v = arr[i];
      if (v !== v) {
        continue;
      }
      const prev = out[i];
      if (prev !== prev) {
        out[i] = v;
      } else if (combine === 'sum') {
        out[i] = prev + v;
      } else if (v > prev) {
        out[i] = v;
      }
    }
  }
  return out;
}

/**
 * Weighted mean of several arrays, weights per point (request rates). Where no input has a usable weight it falls
 * back to the largest value, which over-states rather than hides a slow raw path.
 */
export function weightedCombine(values: Float64Array[], weights: Array<Float64Array | undefined>): Float64Array {
  if (values.length === 1) {
    return values[0];
  }
  const length = values[0].length;
  const out = nanArray(length);
  for (let i = 0; i < length; i++) {
    let num = 0;
    let den = 0;
    let max = NaN;
    for (let j = 0; j < values.length; j++) {
      const v = values[j][i];
      if (v !== v) {
        continue;
      }
      if (!(v <= max)) {
        max = v;
      }
      const w = weights[j]?.[i] ?? NaN;
      if (w > 0) {
        num += v * w;
        den += w;
      }
    }
    out[i] = den > 0 ? num / den : max;
  }
  return out;
}

/** Groups raw label values by their normalised key (several raw paths may share one route template). */
export function groupKeys(rawKeys: Iterable<string>, normalize: (raw: string) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const raw of rawKeys) {
    const key = normalize(raw);
    const list = groups.get(key);
    if (list === undefined) {
      groups.set(key, [raw]);
    } else {
      list.push(raw);
    }
  }
  return groups;
}
