// "Holds for at least 3 consecutive points spanning at least 2 minutes" at scrape resolution.
import { PERSISTENCE_SPAN_MS } from './thresholds';

/**
 * Points a run needs on a grid of `stepMs`. If the grid is finer than the scrape interval, the span must also
 * cover 3 scrapes, so repeated grid points of one slow scrape never pass.
 */
export function minPersistencePoints(stepMs: number, scrapeIntervalMs = 0): number {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) {
    return 3;
  }
  const scrape = scrapeIntervalMs > 0 && Number.isFinite(scrapeIntervalMs) ? scrapeIntervalMs : 0;
  const span = Math.max(PERSISTENCE_SPAN_MS, 2 * Math.max(stepMs, scrape));
  return Math.max(3, Math.ceil(span / stepMs - 1e-9) + 1);
}

/** Grid points covering `durationMs` (at least 1). */
export function pointsFor(durationMs: number, stepMs: number): number {
  if (!(stepMs > 0) || !Number.isFinite(durationMs)) {
    return 1;
  }
  return Math.max(1, Math.round(durationMs / stepMs));
}
