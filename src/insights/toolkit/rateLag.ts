// How late a windowed rate notices that counters stopped: the engine's `rate(…[w])` stays above zero until the
// last increase has left its window, so a run of zero rates starts (w − one scrape) after the counters froze.
import { rateWindow } from '../../prometheus/step';

/**
 * Grid points by which a zero-rate run trails the moment every sample stopped changing: with the engine's window
 * w, a zero at t proves the samples in (t − w, t] are equal, i.e. frozen since t − w + one scrape.
 */
export function zeroRateLagPoints(stepMs: number, scrapeIntervalMs: number): number {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) {
    return 0;
  }
  const scrape = scrapeIntervalMs > 0 && Number.isFinite(scrapeIntervalMs) ? scrapeIntervalMs : stepMs;
  const windowMs = rateWindow(stepMs / 1000, scrape / 1000) * 1000;
  return Math.max(0, Math.floor((windowMs - scrape) / stepMs + 1e-9));
}
