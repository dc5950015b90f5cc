// Multi-day trends: least squares on daily aggregates, and the abrupt fall-back that ends them.

export interface LineFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination; 1 for a perfect fit, NaN when y does not vary. */
  r2: number;
  n: number;
}

/** Least-squares line through the points whose x and y are both finite. */
export function fitLine(xs: ArrayLike<number>, ys: ArrayLike<number>): LineFit {
  let n = 0;
  let sx = 0;
  let sy = 0;
  const len = Math.min(xs.length, ys.length);
  for (let i = 0; i < len; i++) {
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      n++;
      sx += xs[i];
      sy += ys[i];
    }
  }
  if (n < 2) {
    return { slope: NaN, intercept: NaN, r2: NaN, n };
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < len; i++) {
    if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) {
      const dx = xs[i] - mx;
      const dy = ys[i] - my;
      sxx += dx * dx;
      sxy += dx * dy;
      syy += dy * dy;
    }
  }
  if (sxx === 0) {
    return { slope: NaN, intercept: NaN, r2: NaN, n };
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? NaN : (sxy * sxy) / (sxx * syy), n };
}

export interface GrowthFit extends LineFit {
  /** Compound growth per x unit (0.15 = +15 % a day). */
  growth: number;
}

/** Fit on a log scale, so the slope reads as a percentage per unit of x. Non-positive y are skipped. */
export function fitGrowth(xs: ArrayLike<number>, ys: ArrayLike<number>): GrowthFit {
  const logs = new Float64Array(ys.length);
  for (let i = 0; i < ys.length; i++) {
    logs[i] = ys[i] > 0 ? Math.log(ys[i]) : NaN;
  }
  const fit = fitLine(xs, logs);
  return { ...fit, growth: Math.exp(fit.slope) - 1 };
}

export interface DailyValues {
  /** Day number (floor(t / day)) of each value. */
  days: Float64Array;
  /** Median of the day's block values, NaN when the day is not covered enough. */
  values: Float64Array;
  /** First block index of each day. */
  firstBlock: Int32Array;
}

/**
 * Daily medians of block values. A median, so one spike does not move a day; a day counts only with enough
 * coverage, so a partial first day caught at night does not fake a climb.
 */
export function dailyMedians(
  blockValues: Float64Array,
  firstBlockStartMs: number,
  blockMs: number,
  minCoverage = 0.75,
  dayMs = 86_400_000
): DailyValues {
  const days: number[] = [];
  const values: number[] = [];
  const firstBlock: number[] = [];
  const perDay = Math.max(1, Math.round(dayMs / blockMs));
  let b = 0;
  const buf: number[] = [];
  while (b < blockValues.length) {
    const day = Math.floor((firstBlockStartMs + b * blockMs) / dayMs);
    const start = b;
    buf.length = 0;
    while (b < blockValues.length && Math.floor((firstBlockStartMs + b * blockMs) / dayMs) === day) {
      const v = blockValues[b];
      if (v === v) {
        buf.push(v);
      }
      b++;
    }
    days.push(day);
    firstBlock.push(start);
    values.push(buf.length >= perDay * minCoverage ? median(buf) : NaN);
  }
  return { days: Float64Array.from(days), values: Float64Array.from(values), firstBlock: Int32Array.from(firstBlock) };
}

export function median(values: number[]): number {
  if (values.length === 0) {
    return NaN;
  }
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * "Near the old level" after a fall-back: within 25 % of the old daily median. 5-minute blocks wobble around a daily
 * median with the load cycle and noise (about ±10 % on a steady route), so a tighter band would miss real
 * fall-backs; and two days of the slowest climb the contract counts (15 %/day) reach 1.15² = 1.32× the old level,
 * so a level still up there is never taken for "back near it".
 */
export const FALL_BACK_NEAR = 1.25;
/**
 * The hour before the fall-back must have been clearly above that band: 1.3 × 1.25 = 1.63× the old level, a drop of
 * at least a fifth within an hour, which block-to-block noise of ±10 % does not make (and which a climb at the
 * contract's 15 %/day reaches after three and a half days; a shorter climb simply runs to the end of its days).
 */
export const FALL_BACK_DROP = 1.3;

/**
 * First block at or after `from` where the level falls back to near `oldLevel` within an hour of being high, and
 * stays there for the next hour: the mark of refreshed statistics. -1 if none.
 */
export function findFallBack(
  blockValues: Float64Array,
  from: number,
  oldLevel: number,
  blocksPerHour: number,
  nearFactor = FALL_BACK_NEAR
): number {
  const near = oldLevel * nearFactor;
  const h = Math.max(1, blocksPerHour);
  for (let k = Math.max(1, from); k < blockValues.length; k++) {
    const v = blockValues[k];
    if (!(v <= near)) {
      continue;
    }
    let highBefore = 0;
    for (let j = Math.max(0, k - h); j < k; j++) {
      if (blockValues[j] > highBefore) {
        highBefore = blockValues[j];
      }
    }
    if (!(highBefore >= near * FALL_BACK_DROP)) {
      continue;
    }
    const after: number[] = [];
    for (let j = k; j < Math.min(blockValues.length, k + h); j++) {
      if (blockValues[j] === blockValues[j]) {
        after.push(blockValues[j]);
      }
    }
    if (median(after) <= near) {
      return k;
    }
  }
  return -1;
}
