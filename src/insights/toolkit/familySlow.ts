// The shape shared by the route-family latency insights: the family's p95 reaches a settings threshold while most
// other routes stay near their baseline.
import type { DetectableInsightId } from '../../catalog/types';
import type { Episode, RouteSeries, ScanInput } from '../types';
import { episodeRuns, makeEpisode, timeAt } from './episodes';
import { figure, formatQuantile, formatSeconds, historyNote, isAboveLargestBucket } from './format';
import {
  baselineHoursAt,
  MIN_JUDGED_OTHERS,
  nearMask,
  NEAR_YES,
  NEAR_UNKNOWN,
  othersAt,
  othersMostlyNear,
  reachesThreshold,
} from './latency';
import { bridgePoints, bridgeUnknown, windowedPersistencePoints } from './persistence';
import { formatRange, rangeAt, requestWeighted } from './episodeFigures';
import { maxOver, nanMax, prepareInput } from './series';

export interface FamilySlowSpec {
  id: DetectableInsightId;
  /** Human name of the family for the summary ("task_runs/count routes"). */
  familyName: string;
  isMember(route: string): boolean;
  /** Threshold in seconds from the settings, and its name for the evidence. */
  threshold(input: ScanInput): number;
  thresholdName: string;
  /**
   * A limit the slow requests are cut at, e.g. the database statement timeout (PREFECT_SERVER_DATABASE_TIMEOUT):
   * the evidence says whether p99 sits at it, i.e. whether queries are being cancelled there.
   */
  cutOff?: { name: string; seconds(input: ScanInput): number };
}

/** The database statement timeout, where count and filter queries are cancelled (PREFECT_SERVER_DATABASE_TIMEOUT). */
export const STATEMENT_TIMEOUT: NonNullable<FamilySlowSpec['cutOff']> = {
  name: 'statement timeout',
  seconds: (input) => input.settings.statementTimeoutSeconds,
};

/**
 * A p99 or mean within [0.8, 1.25] × the cut-off counts as "at it". The cut-off answers a little after the limit
 * (the cancelled query's 500 goes out through the app: seen on a live Prefect, mean 15.0 s at a 15 s statement
 * timeout), and a native histogram's buckets are about 9 % wide at schema 3, so a pile's p99 reads a bucket or two
 * either side: within ±25 %. For the mean, 0.8 also means that at least about 80 % of the slow requests waited the
 * cut-off out (the rest took a fraction of it). A classic histogram's bucket can be much wider than that band; see
 * cutOffBand.
 */
const AT_CUTOFF_LOW = 0.8;
const AT_CUTOFF_HIGH = 1.25;

/**
 * Where a p99 of requests cut at `cutOff` can read. A request cancelled at the limit is answered just after it, so
 * it lands in the bucket (b, B] with b the largest bound at or below the limit, and histogram_quantile interpolates
 * linearly inside that bucket: every count cut at a 10 s statement timeout, on bounds 10 and 30 s (Prefect's
 * prometheus_client layout), reads p99 = 10 + 20 × 0.99 = 29.8 s, which a band of 1.25 × 10 s called "not at
 * the cut-off". So the band reaches down to b and up to B where the bucket is wider than ±25 %.
 */
export function cutOffBand(cutOff: number, bounds?: readonly number[]): { low: number; high: number } {
  const bucket = bucketHolding(cutOff, bounds);
  const low = AT_CUTOFF_LOW * cutOff;
  const high = AT_CUTOFF_HIGH * cutOff;
  return bucket === null ? { low, high } : { low: Math.min(low, bucket.lower), high: Math.max(high, bucket.upper) };
}

/** The bucket (lower, upper] a request answered just after `cutOff` lands in; null outside the finite bounds. */
function bucketHolding(cutOff: number, bounds?: readonly number[]): { lower: number; upper: number } | null {
  const lower = bounds?.filter((b) => b <= cutOff).pop();
  const upper = bounds?.find((b) => b > cutOff);
  return lower === undefined || upper === undefined ? null : { lower, upper };
}

/** Whether a value sits at the cut-off: within its band (bucket interpolation and jitter blur the exact value). */
function nearCutOff(value: number, cutOff: number, bounds?: readonly number[]): boolean {
  if (!(cutOff > 0)) {
    return false;
  }
  const { low, high } = cutOffBand(cutOff, bounds);
  return value >= low && value <= high;
}

/**
 * Whether the requests pile at the cut-off, and the words for it. p99 says so while the cut-off lies within the
 * buckets. Above the largest bucket every quantile there is only a floor (OpenTelemetry's buckets end at 10 s, a
 * statement timeout may be 15 s), and only the exact mean can show the pile: a mean at the cut-off means nearly
 * every request waited it out (seen on a live Prefect: every count answered 500 at the 15 s statement timeout).
 */
function cutOffVerdict(
  p99Max: number,
  mean: number,
  cutOff: number,
  name: string,
  largestBucket: number | null,
  bounds?: readonly number[]
): { at: boolean; note: string } {
  if (!(cutOff > 0)) {
    return { at: false, note: '' };
  }
  // Requests cut at the limit are answered just after it: a limit at or above the largest bound puts them in +Inf.
  if (largestBucket !== null && largestBucket <= cutOff) {
    if (!(mean >= 0)) {
      return { at: false, note: '' };
    }
    const buckets = `buckets end at ${formatSeconds(largestBucket)}`;
    return nearCutOff(mean, cutOff)
      ? { at: true, note: `; mean ${mean.toFixed(1)} s = ${name} ${formatSeconds(cutOff)}; ${buckets}` }
      : { at: false, note: `; mean ${formatSeconds(mean)} vs the ${name} ${formatSeconds(cutOff)}; ${buckets}` };
  }
  if (!(p99Max >= 0)) {
    return { at: false, note: '' };
  }
  if (!nearCutOff(p99Max, cutOff, bounds) || isAboveLargestBucket(p99Max, largestBucket)) {
    return {
      at: false,
      note: `; p99 ${formatQuantile(p99Max, largestBucket)} vs the ${name} ${formatSeconds(cutOff)}`,
    };
  }
  // Where only the bucket's width puts p99 at the cut-off, say so: "29.8 s at 10 s" alone reads as a contradiction.
  const wide = p99Max > AT_CUTOFF_HIGH * cutOff || p99Max < AT_CUTOFF_LOW * cutOff;
  const holding = wide ? bucketHolding(cutOff, bounds) : null;
  const bucket = holding
    ? ` (interpolated in the bucket ${formatSeconds(holding.lower)}–${formatSeconds(holding.upper)} that holds it)`
    : '';
  return {
    at: true,
    note: `; p99 ${formatSeconds(p99Max)}${bucket} piles up at the ${name} ${formatSeconds(cutOff)}: queries are cancelled there`,
  };
}

/**
 * The points of a run where the family's slow requests sit at the cut-off (their mean within its band), and their
 * request-weighted mean there; null unless such points make at least half of the run's slow points. Half, because
 * the window's tail after the cause is gone lasts a window (3 scrapes) while the signature needs 2 minutes: a run
 * cut at the limit has far more points at it than after it, and a run where most slow points lie under the cut-off
 * is not "cancelled there" (its mean over every slow point then speaks, as before).
 */
function atCutOffStretch(
  involved: RouteSeries[],
  from: number,
  to: number,
  slowAt: (route: number, i: number) => boolean,
  cutOff: number
): { mean: number; points: number } | null {
  if (!(cutOff > 0)) {
    return null;
  }
  const at = new Uint8Array(to + 1);
  let slowPoints = 0;
  let atPoints = 0;
  for (let i = from; i <= to; i++) {
    const m = requestWeighted(involved, 'mean', i, i, slowAt);
    if (!(m >= 0)) {
      continue;
    }
    slowPoints++;
    if (nearCutOff(m, cutOff)) {
      at[i] = 1;
      atPoints++;
    }
  }
  if (atPoints === 0 || 2 * atPoints < slowPoints) {
    return null;
  }
  return { mean: requestWeighted(involved, 'mean', from, to, (k, i) => at[i] === 1 && slowAt(k, i)), points: atPoints };
}

export function detectFamilySlow(raw: ScanInput, spec: FamilySlowSpec): Episode[] {
  const input = prepareInput(raw);
  if (!input) {
    return [];
  }
  const { grid, routes, largestBucket } = input;
  const threshold = spec.threshold(input);
  const isMember = routes.map((r) => spec.isMember(r.route));
  if (!(threshold > 0) || !isMember.includes(true)) {
    return [];
  }
  const n = grid.length;
  const masks = routes.map((r) => nearMask(r.p95, grid));
  const members = routes.filter((_, k) => isMember[k]);
  const mask = new Uint8Array(n);
  // Points where no member answered anything in the window (no p95), with the rest of the API near baseline.
  const unknown = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let slow = false;
    let answered = false;
    for (const r of members) {
      answered = answered || r.p95[i] >= 0;
      if (reachesThreshold(r.p95[i], r.mean[i], threshold, largestBucket)) {
        slow = true;
        break;
      }
    }
    const others = othersAt(masks, isMember, i);
    const othersNear = othersMostlyNear(others);
    if (slow && othersNear) {
      mask[i] = 1;
    } else if ((!answered && othersNear) || (slow && others.known < MIN_JUDGED_OTHERS)) {
      // A slow point with too few other routes to judge neither holds nor breaks a run (bridged, as a gap is).
      unknown[i] = 1;
    }
  }
  bridgeUnknown(mask, unknown, bridgePoints(grid.step));
  const runs = episodeRuns(mask, grid, {
    minPoints: windowedPersistencePoints(grid.step, input.scrapeIntervalMs, input.rateWindowMs),
    rangeStartIndex: input.rangeStartIndex,
  });
  return runs.map((run) => {
    const involved = members.filter((r) => {
      for (let i = run.start; i <= run.end; i++) {
        if (mask[i] && reachesThreshold(r.p95[i], r.mean[i], threshold, largestBucket)) {
          return true;
        }
      }
      return false;
    });
    let p95Max = NaN;
    let p99Max = NaN;
    let meanMax = NaN;
    let history = Infinity;
    const slowAt = (k: number, i: number) =>
      mask[i] === 1 && reachesThreshold(involved[k].p95[i], involved[k].mean[i], threshold, largestBucket);
    // The mean over the family's requests in the episode, every point of it. Over the slow points only it was the
    // mean of the windows that held the most cancelled requests, which matches no set of requests a client sees:
    // the first runs page made slow for real (setup e, 2026-12-06 13:51 UTC) had the UI's pages all cancelled at
    // 10.07 s beside another client's fast ones, and the summary said "mean 1.9 s over their slow requests" where the
    // family's requests averaged 1.27 s and its slow ones 10.07 s.
    const meanEpisode = requestWeighted(involved, 'mean', run.start, run.end);
    const cutOff = spec.cutOff ? spec.cutOff.seconds(input) : NaN;
    // Where they sit at the cut-off, the mean is taken over that stretch only: after the cause is gone a window still
    // holds its last cancelled requests (p95 stays in +Inf) beside the fast answers that came back, and counting those
    // points in made "mean 7.8 s" of counts that all answered at 10.05 s (setup b, 2026-12-04).
    const atCut = atCutOffStretch(involved, run.start, run.end, slowAt, cutOff);
    // The routes' own p95 at the point where most of them were slow: "p95 up to" over every route and point paired
    // one route's worst window with the count of routes.
    let peak = run.start;
    let peakSlow = -1;
    for (let i = run.start; i <= run.end; i++) {
      const slowHere = involved.filter((_, k) => slowAt(k, i)).length;
      if (slowHere > peakSlow) {
        peak = i;
        peakSlow = slowHere;
      }
    }
    const atPeak = involved.filter((_, k) => slowAt(k, peak));
    const p95Peak = rangeAt(atPeak, 'p95', peak, largestBucket);
    const meanShown = atCut ? atCut.mean : meanEpisode;
    for (const r of involved) {
      p95Max = nanMax(p95Max, maxOver(r.p95, run.start, run.end));
      p99Max = nanMax(p99Max, maxOver(r.p99, run.start, run.end));
      meanMax = nanMax(meanMax, maxOver(r.mean, run.start, run.end));
      history = Math.min(history, baselineHoursAt(r, grid, run.start));
    }
    let known = 0;
    let near = 0;
    for (let k = 0; k < routes.length; k++) {
      if (!isMember[k]) {
        const m = masks[k][run.start];
        known += m !== NEAR_UNKNOWN ? 1 : 0;
        near += m === NEAR_YES ? 1 : 0;
      }
    }
    const verdict = spec.cutOff
      ? cutOffVerdict(p99Max, meanShown, cutOff, spec.cutOff.name, largestBucket, input.bucketBounds)
      : { at: false, note: '' };
    const piled = verdict.at;
    const meanWhere = atCut
      ? `their requests in the ${formatSeconds((atCut.points * grid.step) / 1000)} at the ${spec.cutOff!.name}`
      : 'their requests in the episode';
    const summary =
      `p95 at the peak ${formatRange(p95Peak, largestBucket)} on ${atPeak.length} of ${involved.length} ` +
      `${spec.familyName} (≥ ${spec.thresholdName} ${formatSeconds(threshold)}); mean ${formatSeconds(meanShown)} ` +
      `over ${meanWhere}; ${near} of ${known} other routes near baseline` +
      verdict.note +
      historyNote(history);
    return makeEpisode(
      spec.id,
      grid,
      run,
      involved.map((r) => r.route),
      {
        summary,
        peakAt: new Date(timeAt(grid, peak)).toISOString(),
        routesAtPeak: atPeak.map((r) => r.route),
        p95PeakLowSeconds: figure(p95Peak.low),
        p95PeakHighSeconds: figure(p95Peak.high),
        p95MaxSeconds: figure(p95Max),
        p95AboveLargestBucket: isAboveLargestBucket(p95Max, largestBucket),
        meanMaxSeconds: figure(meanMax),
        meanSeconds: figure(meanShown),
        meanEpisodeSeconds: figure(meanEpisode),
        secondsAtCutOff: atCut ? (atCut.points * grid.step) / 1000 : 0,
        thresholdSeconds: threshold,
        thresholdName: spec.thresholdName,
        p99MaxSeconds: figure(p99Max),
        ...(spec.cutOff ? { cutOffName: spec.cutOff.name, cutOffSeconds: cutOff, p99AtCutOff: piled } : {}),
        otherRoutesNear: near,
        otherRoutesKnown: known,
        baselineHours: figure(history, 2),
      }
    );
  });
}
