// The scrape (or push) interval of series too young for the probe's 10-minute windows. The probe reads the interval
// from its densest window, and a window in which a series began or ended holds fewer samples than the interval
// gives: when every series of the range is younger than two windows (a pushed server restarted under a new
// instance id, a new installation), the interval reads long (seen on a real pushed server: 40 s for a 5 s push) and
// the scan's rate windows and step grow with it, putting an outage's edges a minute late. Such a range is probed
// once more with 2-minute windows, whose whole ones give the interval.
import type { MatrixSeries, TimeRange } from '../../prometheus/types';
import { parseSampleValue } from '../../prometheus/client';

/**
 * Window of the second probe: holds at least 2 samples at every interval up to 60 s (the longest commonly pushed or
 * scraped besides 2 and 5 minutes), and a series 10 minutes old has 3 whole ones.
 */
export const YOUNG_PROBE_WINDOW_SECONDS = 120;

/** How the scan's info about series too young for either probe begins (tests that start servers expect it). */
export const YOUNG_SERIES_INFO_START = 'every series of the metric in the range is younger than';

/** Prometheus's limit on points per series of a range query: a longer range keeps the first probe's reading. */
const MAX_PROBE_POINTS = 11_000;

/**
 * A series' counts per probe window, without its first and last windows (where it may have begun or ended in the
 * middle): the windows that are surely whole. Empty for a series seen in two windows or fewer.
 */
export function wholeWindowCounts(series: MatrixSeries): number[] {
  const counts = series.values.map(([, text]) => parseSampleValue(text)).filter((v) => v > 0);
  return counts.slice(1, -1);
}

/** The second probe's range over [startSec, endSec], on its window's grid; null when it would pass the point limit. */
export function youngProbeRange(startSec: number, endSec: number): TimeRange | null {
  const step = YOUNG_PROBE_WINDOW_SECONDS;
  const start = Math.floor(startSec / step) * step;
  const end = Math.ceil(endSec / step) * step;
  return (end - start) / step + 1 > MAX_PROBE_POINTS ? null : { start, end, step };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Samples per window of the densest series from the second probe: the median of each series' whole windows (one
 * window's count is off by one wherever a sample falls on its edge: a 15 s scrape counts 8 or 9 per 2 minutes, and
 * the maximum would read 13 s), the highest of those medians; null when no series has a whole window.
 */
export function youngSamplesPerWindow(series: MatrixSeries[]): number | null {
  let best: number | null = null;
  for (const s of series) {
    const whole = wholeWindowCounts(s);
    if (whole.length > 0) {
      best = Math.max(best ?? 0, median(whole));
    }
  }
  return best;
}
