// How late a windowed rate notices that counters stopped: the engine's `rate(…[w])` stays above zero until the
// last increase has left its window, so a run of zero rates starts (w − one scrape) after the counters froze.
import { rateWindow } from '../../prometheus/step';

/**
 * Grid points by which a zero-rate run trails the moment every sample stopped changing: with the engine's window
 * w, a zero at t proves the samples in (t − w, t] are equal, i.e. frozen since t − w + one scrape.
 */
export function zeroRateLagPoints(stepMs: number, scrapeIntervalMs: number, rateWindowMs?: number): number {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) {
    return 0;
  }
  const scrape = scrapeIntervalMs > 0 && Number.isFinite(scrapeIntervalMs) ? scrapeIntervalMs : stepMs;
  const windowMs = engineWindowMs(stepMs, scrape, rateWindowMs);
  return Math.max(0, Math.floor((windowMs - scrape) / stepMs + 1e-9));
}

/**
 * The window the engine's `rate()` used, ms: the one the scan says it asked (ScanInput.rateWindowMs, wider where
 * Thanos's downsampled blocks were read), else the one `rateWindow` gives for the step and scrape.
 */
export function engineWindowMs(stepMs: number, scrapeMs: number, rateWindowMs?: number): number {
  const rule = rateWindow(stepMs / 1000, scrapeMs / 1000) * 1000;
  return rateWindowMs !== undefined && Number.isFinite(rateWindowMs) && rateWindowMs > rule ? rateWindowMs : rule;
}
