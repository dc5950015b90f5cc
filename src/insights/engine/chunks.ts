// Bounded requests: a scan query whose read would take Prometheus longer than Grafana's data proxy allows (30 s by
// default, `[dataproxy] timeout`) is asked as consecutive pieces of the scan's one grid. Each piece is an ordinary
// range query whose start and end are grid points, so every grid point is evaluated by exactly one piece, and its
// answer is aligned into the same arrays as an unsplit answer would be.
import type { TimeRange } from '../../prometheus/types';

/**
 * Raw samples one request may make Prometheus read. Measured on this 2-core machine (Prometheus 2.42, simulator
 * data written by tools/tsdb-writer, 50 routes × 2 replicas × 2 days at a 15 s scrape, `BENCH` notes in
 * docs/sizing.md): the scan's bucket queries read 12–16 M raw samples/s with nothing else running, and about half
 * that with the scan's second query in flight beside them. 60 M is then about 8–10 s per request while both
 * run, a third of Grafana's 30 s default, which leaves room for a busier server or a slower disk.
 */
export const READ_BUDGET = 60_000_000;

/**
 * Prometheus refuses a query that holds more than `--query.max-samples` samples at once (50 M by default), and a
 * range query over `rate(..._bucket[w])` holds every raw bucket series at every step before `sum by` folds them.
 * A piece keeps that product under this budget, leaving room for the aggregation's own samples.
 */
export const SAMPLE_BUDGET = 20_000_000;

export interface ChunkInput {
  /** The scan's range on its grid (start and end are grid points). */
  range: TimeRange;
  /** Raw series one query of the scan reads at once: the probed series × (buckets + 1). */
  rawSeries: number | null;
  /** Scrape interval of the raw series, seconds. */
  scrapeSeconds: number;
  /** Rate window, seconds: each piece reads this much before its first point too. */
  windowSeconds: number;
  /** Samples per request the reader may read (default READ_BUDGET). */
  readBudget?: number;
  /** Samples a request may hold at once (default SAMPLE_BUDGET). */
  sampleBudget?: number;
}

/** Raw samples one query over `points` grid points reads: series × the scrapes in the points' span plus a window. */
export function estimatedRead(
  rawSeries: number,
  points: number,
  stepSeconds: number,
  scrapeSeconds: number,
  windowSeconds: number
): number {
  const span = Math.max(0, points - 1) * stepSeconds + windowSeconds;
  return rawSeries * (span / Math.max(scrapeSeconds, 1e-3));
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
  const readBudget = input.readBudget ?? READ_BUDGET;
  const sampleBudget = input.sampleBudget ?? SAMPLE_BUDGET;
  // Span a request may read: budget / series scrapes; minus the window read before its first point.
  const spanSeconds = (readBudget / rawSeries) * Math.max(scrapeSeconds, 1e-3) - windowSeconds;
  const byRead = Math.floor(spanSeconds / range.step) + 1;
  const byHeld = Math.floor(sampleBudget / rawSeries);
  return Math.max(1, Math.min(total, byRead, byHeld));
}

/**
 * Consecutive pieces of `range`, each at most `maxPoints` grid points, each starting on the grid point after the
 * previous piece's end: together they evaluate every point of `range` exactly once, in order.
 */
export function splitRange(range: TimeRange, maxPoints: number): TimeRange[] {
  const total = pointsOf(range);
  const per = Math.max(1, Math.floor(maxPoints));
  if (total <= per) {
    return [range];
  }
  const out: TimeRange[] = [];
  for (let first = 0; first < total; first += per) {
    const last = Math.min(total, first + per) - 1;
    out.push({ start: range.start + first * range.step, end: range.start + last * range.step, step: range.step });
  }
  return out;
}

/** The pieces a scan query is asked in (one piece, `range` itself, when it fits both budgets). */
export function chunkRange(input: ChunkInput): TimeRange[] {
  return splitRange(input.range, pointsPerRequest(input));
}
