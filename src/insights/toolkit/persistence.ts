// "Holds for at least 3 consecutive points spanning at least 2 minutes" at scrape resolution.
import { engineWindowMs } from './rateLag';
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

/**
 * Points a run of windowed quantiles or shares needs. A point's window (the engine's rate window w, three scrapes)
 * still holds the last slow scrape's increase for up to w − 2 scrapes after the signature ended where the window is
 * closed at its start (Prometheus 2.x counts the sample on the edge; 3.x does not), so such a run outlasts the
 * signature by that much: a 90 s pile-up at a 30 s scrape showed on Prometheus 2.42 as 5 points over 2 minutes and
 * was reported (issue 16's near-miss decoy). Counting that tail on top keeps "holds for 2 minutes" about the
 * requests, not the window. `rateWindowMs`: the engine's window where it was widened (ScanInput.rateWindowMs).
 */
export function windowedPersistencePoints(stepMs: number, scrapeIntervalMs = 0, rateWindowMs?: number): number {
  const base = minPersistencePoints(stepMs, scrapeIntervalMs);
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) {
    return base;
  }
  const scrape = scrapeIntervalMs > 0 && Number.isFinite(scrapeIntervalMs) ? scrapeIntervalMs : stepMs;
  const ruleWindowMs = engineWindowMs(stepMs, scrape);
  const points = base + Math.max(0, Math.ceil((ruleWindowMs - 2 * scrape) / stepMs - 1e-9));
  const windowMs = engineWindowMs(stepMs, scrape, rateWindowMs);
  if (windowMs <= ruleWindowMs) {
    return points;
  }
  // A wider window (Thanos's downsampled blocks): the run must span the 2 minutes plus that window's tail. On the
  // coarse grids where it happens the base count already spans more than 2 minutes, so adding whole points on top
  // of it, as above, would ask for more than the rule: 5 points (20 minutes) at a 5-minute step, which lost a
  // 20-minute work-pool hang in the growth month read downsampled (4 points there). Never fewer than the rule's.
  const span = Math.ceil((PERSISTENCE_SPAN_MS + windowMs - 2 * scrape) / stepMs - 1e-9);
  return Math.max(points, 1 + span);
}

/** Grid points covering `durationMs` (at least 1). */
export function pointsFor(durationMs: number, stepMs: number): number {
  if (!(stepMs > 0) || !Number.isFinite(durationMs)) {
    return 1;
  }
  return Math.max(1, Math.round(durationMs / stepMs));
}

/**
 * Longest stretch of undecidable points (no or too few answers) that a run may bridge. A route hanging at a timeout
 * answers in bursts (every caller gives up at the same limit), so a window close to the scrape interval can hold no
 * answered request at all while the hang goes on: such a point neither holds nor breaks the run (seen on a real
 * Prefect: 4 of 31 points of a work_pool lock had no answer in 15 s, and no piece reached 2 minutes).
 */
export const UNKNOWN_BRIDGE_MS = 60_000;

/** Points of `stepMs` that UNKNOWN_BRIDGE_MS covers; at least one, so coarse grids bridge a single empty point. */
export function bridgePoints(stepMs: number): number {
  return stepMs > 0 && Number.isFinite(stepMs) ? Math.max(1, Math.floor(UNKNOWN_BRIDGE_MS / stepMs)) : 1;
}

/**
 * Sets `mask` to 1 on every stretch of `unknown` points of at most `maxPoints` that lies between two holding points
 * (mask non-zero), so persistence sees one run. Stretches at either end of a run are left out: a run starts and ends
 * where the signature was seen to hold. Returns `mask`.
 */
export function bridgeUnknown(mask: Uint8Array, unknown: Uint8Array, maxPoints: number): Uint8Array {
  const n = Math.min(mask.length, unknown.length);
  let lastHolding = -1;
  // Whether every point since the last holding one is unknown (the stretch could still be bridged).
  let bridgeable = false;
  for (let i = 0; i < n; i++) {
    if (mask[i] === 0) {
      bridgeable = bridgeable && unknown[i] !== 0;
      continue;
    }
    const gap = i - lastHolding - 1;
    if (bridgeable && gap > 0 && gap <= maxPoints) {
      mask.fill(1, lastHolding + 1, i);
    }
    lastHolding = i;
    bridgeable = true;
  }
  return mask;
}
