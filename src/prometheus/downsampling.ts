// Reading Thanos's downsampled blocks. `thanos compact` writes each raw block again at 5-minute resolution once it
// spans 40 hours, and at 1-hour once a 5-minute block spans 10 days (Thanos v0.42.4, `pkg/compact/downsample`,
// ResLevel1/ResLevel2 and their ranges). The querier reads them only when asked (`max_source_resolution`, default
// raw) and, for `rate` and the other functions that need two samples, never at a resolution coarser than half the
// range selector (`pkg/query/querier.go`, maxResolutionFromSelectHints): a 5-minute block needs a window of at
// least 10 minutes. Where no downsampled block covers a stretch, the store gateway serves the raw one, so asking
// is safe on a bucket that was never downsampled; it only widens the windows.
import { formatDuration } from './step';

/** Thanos's downsampled resolutions, seconds, coarsest first. */
export const THANOS_RESOLUTIONS_SECONDS = [3600, 300] as const;

/** Save & test's word on the setting, once it knows the engine is Thanos (its store list answered). */
export function downsamplingAdvice(on: boolean): string {
  return on
    ? 'Thanos downsampling is on: insight scans of more than about 15 days read the downsampled blocks, and say so'
    : "Insight scans of more than about 15 days can read Thanos's downsampled blocks, several times faster: turn on " +
        'Thanos downsampling in these settings if `thanos compact` downsamples';
}

/** The form parameter the querier and the query-frontend read. */
export const MAX_SOURCE_RESOLUTION_PARAM = 'max_source_resolution';

export interface DownsampledRead {
  /** The coarsest resolution Thanos may read, seconds. */
  resolutionSeconds: number;
  /** The smallest rate window that lets it: two of its samples. */
  minWindowSeconds: number;
  /** What to send with every range query of the read. */
  params: Record<string, string>;
}

/**
 * The downsampled read for a grid step: the coarsest Thanos resolution no coarser than the step, so that the grid
 * the detectors see is never finer than the data under it. Undefined when even 5 minutes is coarser than the step
 * (ranges under about 15 days keep the raw data and the windows the raw data allows).
 */
export function downsampledRead(stepSeconds: number): DownsampledRead | undefined {
  const resolution = THANOS_RESOLUTIONS_SECONDS.find((r) => r <= stepSeconds);
  if (resolution === undefined) {
    return undefined;
  }
  return {
    resolutionSeconds: resolution,
    minWindowSeconds: 2 * resolution,
    params: { [MAX_SOURCE_RESOLUTION_PARAM]: formatDuration(resolution) },
  };
}

/**
 * Seconds per series and grid point of a `rate` read from Thanos's 5-minute blocks, its samples and its evaluation
 * together: the budget of a downsampled stretch (chunks.ts), in place of the raw model fitted on Prometheus 2.42.
 * Measured here on the growth month (150 routes × 4 replicas × 30 days, Thanos v0.42.4 store gateway over a
 * filesystem bucket, a querier without frontend, 2026-12-06): the p95 over 7,200 bucket series at a 5-minute step
 * with 10-minute windows took 18.6 s of request time for 8,712 points in 13 pieces, 0.30 µs per series and point.
 * A bucket in object storage reads each chunk over the network, so the constant keeps a margin of more than 3×.
 */
export const DOWNSAMPLED_SECONDS_PER_POINT = 1e-6;

/**
 * Where a probe sent with `max_source_resolution` found the downsampled blocks. There `count_over_time` reads their
 * count aggregate, one sample per resolution, so a window holds at most `window / resolution + 1` samples; a raw
 * stretch holds one per scrape. The answer is the time up to which every window with samples held no more than
 * that (the last such probe point before the first denser one); undefined when the first window with samples is
 * already raw-dense. Points after the first raw-dense one count as raw whatever they hold: a stretch the probe did
 * not see between its windows is budgeted as raw, never as downsampled.
 *
 * @param perWindow probe point (unix s, the window's end) → most samples one series held in the window
 */
export function downsampledUntil(
  perWindow: ReadonlyMap<number, number>,
  windowSeconds: number,
  resolutionSeconds: number
): number | undefined {
  const most = windowSeconds / resolutionSeconds + 1;
  let until: number | undefined;
  for (const t of [...perWindow.keys()].sort((a, b) => a - b)) {
    if (perWindow.get(t)! > most) {
      return until;
    }
    until = t;
  }
  return until;
}
