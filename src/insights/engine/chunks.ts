// Bounded requests: a scan query whose read would take Prometheus longer than Grafana's data proxy allows (30 s by
// default, `[dataproxy] timeout`) is asked as consecutive pieces of the scan's one grid. Each piece is an ordinary
// range query whose start and end are grid points, so every grid point is evaluated by exactly one piece, and its
// answer is aligned into the same arrays as an unsplit answer would be.
import type { TimeRange } from '../../prometheus/types';

/**
 * Seconds of Prometheus's work one request may be estimated at: a third of Grafana's 30 s default, because two
 * requests run at once and the server has other work. The estimate (estimatedSeconds) is conservative: measured
 * on this 2-core machine (Prometheus 2.42 alone, tsdb-writer blocks of 50 routes × 2 replicas at a 15 s scrape,
 * the p95 query over 1,300 bucket series) it predicted 19.5, 10.9, 3.4 and 1.8 s where the query took 9.2 s
 * (24 h at 15 s), 4.7 s (48 h at 60 s), 2.9 s (48 h at 300 s) and 1.4 s (48 h at 1800 s).
 */
export const REQUEST_BUDGET_SECONDS = 10;

/**
 * The cost model behind that estimate, fitted to the same measurements: decoding a stored sample, and evaluating
 * one series at one step (the `rate`/`avg_over_time` call, `sum by`, `histogram_quantile`), which dominates at
 * fine steps. Per series, in seconds.
 */
export const SECONDS_PER_SAMPLE = 0.1e-6;
export const SECONDS_PER_POINT = 2.5e-6;

/**
 * Prometheus refuses a query that holds more than `--query.max-samples` samples at once (50 M by default), and a
 * range query over `rate(..._bucket[w])` holds every raw bucket series at every step before `sum by` folds them.
 * A piece keeps that product under this budget, leaving room for the aggregation's own samples.
 */
export const SAMPLE_BUDGET = 20_000_000;

export interface ChunkInput {
  /** The scan's range on its grid (start and end are grid points). */
  range: TimeRange;
  /** Series one query of the scan reads at once: the probed series × (buckets + 1). */
  rawSeries: number | null;
  /** Scrape interval of the raw series, seconds. */
  scrapeSeconds: number;
  /** Rate window, seconds: each piece reads this much before its first point too. */
  windowSeconds: number;
  /** Estimated seconds a request may take (default REQUEST_BUDGET_SECONDS). */
  budgetSeconds?: number;
  /** Samples a request may hold at once (default SAMPLE_BUDGET). */
  sampleBudget?: number;
  /** Seconds per series and grid point (default SECONDS_PER_POINT; a downsampled stretch has its own, measured). */
  secondsPerPoint?: number;
}

/**
 * Estimated seconds of one query over `points` grid points: per series, the samples of the points' span plus one
 * window, and one evaluation per point.
 */
export function estimatedSeconds(
  rawSeries: number,
  points: number,
  stepSeconds: number,
  scrapeSeconds: number,
  windowSeconds: number,
  secondsPerPoint = SECONDS_PER_POINT
): number {
  const span = Math.max(0, points - 1) * stepSeconds + windowSeconds;
  return rawSeries * ((span / Math.max(scrapeSeconds, 1e-3)) * SECONDS_PER_SAMPLE + points * secondsPerPoint);
}

/** Grid points of a range (end inclusive). */
export function pointsOf(range: TimeRange): number {
  return Math.floor((range.end - range.start) / range.step + 1e-9) + 1;
}

/** Most grid points one request may cover under both budgets (at least 1: a single point cannot be split). */
export function pointsPerRequest(input: ChunkInput): number {
  const { range, rawSeries, scrapeSeconds, windowSeconds } = input;
  const total = pointsOf(range);
  if (rawSeries === null || !(rawSeries > 0)) {
    return total;
  }
  const budget = input.budgetSeconds ?? REQUEST_BUDGET_SECONDS;
  const sampleBudget = input.sampleBudget ?? SAMPLE_BUDGET;
  // estimatedSeconds solved for the points: fixed part (the window and the first point's span) + per point.
  const scrape = Math.max(scrapeSeconds, 1e-3);
  const fixed = rawSeries * (((windowSeconds - range.step) / scrape) * SECONDS_PER_SAMPLE);
  const perPoint =
    rawSeries * ((range.step / scrape) * SECONDS_PER_SAMPLE + (input.secondsPerPoint ?? SECONDS_PER_POINT));
  const byRead = Math.floor((budget - fixed) / perPoint);
  const byHeld = Math.floor(sampleBudget / rawSeries);
  return Math.max(1, Math.min(total, byRead, byHeld));
}

/**
 * Where a query-frontend cuts a range query: Thanos's `--query-range.split-interval` and Mimir's
 * `-query-frontend.split-queries-by-interval` are 24 h by default, and Cortex's (off by default) is documented to be a
 * multiple of 24 h; all count from the Unix epoch, so they cut on UTC midnights. Each part is its own read of the
 * stores, so a piece that straddles a midnight costs one read more than the days it holds.
 */
export const FRONTEND_SPLIT_SECONDS = 86_400;

/**
 * Consecutive pieces of `range`, each at most `maxPoints` grid points, each starting on the grid point after the
 * previous piece's end: together they evaluate every point of `range` exactly once, in order. When a piece may hold
 * a whole `alignSeconds` interval, pieces end on the grid point before an interval boundary, so a query-frontend
 * splitting at those boundaries reads each interval once (Prometheus itself does not split, and is indifferent).
 */
export function splitRange(range: TimeRange, maxPoints: number, alignSeconds = FRONTEND_SPLIT_SECONDS): TimeRange[] {
  const total = pointsOf(range);
  const per = Math.max(1, Math.floor(maxPoints));
  if (total <= per) {
    return [range];
  }
  const intervals = Math.floor((per * range.step) / alignSeconds + 1e-9);
  const out: TimeRange[] = [];
  for (let first = 0; first < total;) {
    let last = first + per - 1;
    if (intervals >= 1) {
      const at = range.start + first * range.step;
      const cut = (Math.floor(at / alignSeconds + 1e-9) + intervals) * alignSeconds;
      last = Math.min(last, Math.ceil((cut - range.start) / range.step - 1e-9) - 1);
      // A range that ends on a midnight would leave its last point alone; a frontend folds that point into the
      // part before it, so the piece takes it too rather than spending a request on one point.
      if (last + 2 === total && last - first + 2 <= per) {
        last += 1;
      }
    }
    last = Math.min(total - 1, Math.max(first, last));
    out.push({ start: range.start + first * range.step, end: range.start + last * range.step, step: range.step });
    first = last + 1;
  }
  return out;
}

/** The pieces a scan query is asked in (one piece, `range` itself, when it fits both budgets). */
export function chunkRange(input: ChunkInput): TimeRange[] {
  return splitRange(input.range, pointsPerRequest(input));
}

/**
 * The pieces of a range whose grid points up to `until` (unix s) are read at another density, each part split by its
 * own model: the points up to `until` by `input` with `before`'s fields, the rest by `input` alone. A piece after
 * `until` whose window reaches back before it is budgeted as the later part, the denser one.
 */
export function chunkRangeSplitAt(input: ChunkInput, until: number, before: Partial<ChunkInput>): TimeRange[] {
  const { range } = input;
  const last = Math.floor((until - range.start) / range.step + 1e-9);
  if (last < 0) {
    return chunkRange(input);
  }
  const total = pointsOf(range);
  const early: TimeRange = { ...range, end: range.start + Math.min(last, total - 1) * range.step };
  const out = chunkRange({ ...input, ...before, range: early });
  if (last < total - 1) {
    out.push(...chunkRange({ ...input, range: { ...range, start: early.end + range.step } }));
  }
  return out;
}
