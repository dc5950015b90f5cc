// The connection pool runs dry: many database-backed routes slow down together and pile up toward pool_timeout.
import { baselineOf, type Baseline } from '../toolkit/baseline';
import { episodeRuns, makeEpisode, timeAt } from '../toolkit/episodes';
import { isDatabaseBacked } from '../toolkit/families';
import {
  figure,
  formatPercent,
  formatRatio,
  formatSeconds,
  formatSmallShare,
  historyNote,
  isAboveLargestBucket,
} from '../toolkit/format';
import { describeInFlight, inFlightSeries } from '../toolkit/inFlight';
import { baselineHoursAt, reachesThreshold } from '../toolkit/latency';
import { bridgePoints, bridgeUnknown, windowedPersistencePoints } from '../toolkit/persistence';
import { formatRange, rangeAt, requestWeighted } from '../toolkit/episodeFigures';
import { errorShareOver, maxOver, nanMax, prepareInput } from '../toolkit/series';
import { formatTailEstimate, medianWhere, MIN_TAIL_SHARE, tailMeanSeries } from '../toolkit/tail';
import { FAR_FACTOR, MEAN_AT_TIMEOUT, P99_AT_TIMEOUT } from '../toolkit/thresholds';
import type { Detector, Episode, RouteSeries, ScanInput } from '../types';

/** Affected routes must be slow in absolute terms too (a share of pool_timeout), not only relative to a tiny baseline. */
export const ABSOLUTE_FLOOR_OF_TIMEOUT = 0.1;

const NONE = 0;
const ACTIVE = 1;
const FAR = 2;
const FAR_PILED = 3;

/**
 * Whether the requests above the largest bucket pile toward pool_timeout, when p99 is there and so cannot say it:
 * their estimated mean (toolkit/tail.ts) near pool_timeout with the tolerance the whole mean gets.
 */
function tailPiled(p99: number, tailMean: number, largestBucket: number | null, timeout: number): boolean {
  return (
    isAboveLargestBucket(p99, largestBucket) &&
    (largestBucket as number) < P99_AT_TIMEOUT * timeout &&
    tailMean >= MEAN_AT_TIMEOUT * timeout
  );
}

interface RouteStates {
  /** Per point: NONE (no value or no baseline), ACTIVE, FAR (p95 ≥ 5× baseline and slow), FAR_PILED (and at the timeout). */
  states: Uint8Array;
  /** Per point: the baseline the point was judged against (NaN where there was none). */
  bases: Float64Array;
}

/**
 * Judges each point against the route's baseline, held while the route stays far above it: once p95 jumps, the
 * baseline it jumped from stays until the route is seen near it again (points without a value keep it). A
 * rolling median of 5-minute blocks takes the incident in as soon as the incident fills the recent blocks, which
 * with little history is within minutes (seen on a real Prefect with 10 minutes of history: the block that closed
 * 1.5 minutes into the exhaustion raised the baseline from 0.03 s to 2.4 s and the routes were no longer "far").
 */
function routeStates(
  r: RouteSeries,
  b: Baseline,
  tail: Float64Array,
  timeout: number,
  largestBucket: number | null
): RouteStates {
  const n = r.p95.length;
  const states = new Uint8Array(n);
  const bases = new Float64Array(n).fill(NaN);
  const floor = timeout * ABSOLUTE_FLOOR_OF_TIMEOUT;
  const p99Limit = P99_AT_TIMEOUT * timeout;
  const meanLimit = MEAN_AT_TIMEOUT * timeout;
  const { p95, p99, mean } = r;
  let held = NaN;
  for (let block = 0, i = 0; block < b.medians.length; block++) {
    const rolling = b.medians[block];
    const end = Math.min(n, i + b.blockSize);
    for (; i < end; i++) {
      const v = p95[i];
      if (!(v >= 0)) {
        continue;
      }
      const base = held === held ? (rolling === rolling ? Math.min(held, rolling) : held) : rolling;
      if (base !== base) {
        continue;
      }
      bases[i] = base;
      const farLimit = FAR_FACTOR * base;
      if (v >= floor && (v >= farLimit || reachesThreshold(v, mean[i], farLimit, largestBucket))) {
        const piled = p99[i] >= p99Limit || mean[i] >= meanLimit || tailPiled(p99[i], tail[i], largestBucket, timeout);
        states[i] = piled ? FAR_PILED : FAR;
        held = base;
      } else {
        states[i] = ACTIVE;
        held = NaN;
      }
    }
  }
  return { states, bases };
}

export const dbPoolExhaustion: Detector = {
  id: 'db-pool-exhaustion',
  detect(raw: ScanInput): Episode[] {
    const input = prepareInput(raw);
    if (!input) {
      return [];
    }
    const { grid, largestBucket } = input;
    const timeout = input.settings.poolTimeoutSeconds;
    const db = input.routes.filter((r) => isDatabaseBacked(r.route));
    if (!(timeout > 0) || db.length === 0) {
      return [];
    }
    const n = grid.length;
    const bases = db.map((r) => baselineOf(r.p95, grid));
    const minAffected = db.length >= 2 ? 2 : 1;
    const tails = db.map((r) => tailMeanSeries(r, grid, largestBucket));
    const inFlight = inFlightSeries(db, n);
    const { poolSize, maxOverflow } = input.settings;
    const judged = db.map((r, k) => routeStates(r, bases[k], tails[k], timeout, largestBucket));
    const states = judged.map((j) => j.states);
    const mask = new Uint8Array(n);
    // Points where every route that answered was far and piled, but too few answered to tell a broad pile-up from
    // one slow route: with the pool dry, callers wait and a 5 s window may hold one route's answers only.
    const unknown = new Uint8Array(n);
    const farCount = new Uint16Array(n);
    const activeCount = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      let active = 0;
      let far = 0;
      let piled = false;
      for (let k = 0; k < states.length; k++) {
        const st = states[k][i];
        active += st === NONE ? 0 : 1;
        far += st >= FAR ? 1 : 0;
        piled = piled || st === FAR_PILED;
      }
      activeCount[i] = active;
      farCount[i] = far;
      if (piled && far >= Math.max(minAffected, Math.ceil(active / 2))) {
        mask[i] = 1;
      } else if (active === 0 || (piled && far === active)) {
        unknown[i] = 1;
      }
    }
    bridgeUnknown(mask, unknown, bridgePoints(grid.step));

    const runs = episodeRuns(mask, grid, {
      minPoints: windowedPersistencePoints(grid.step, input.scrapeIntervalMs, input.rateWindowMs),
      rangeStartIndex: input.rangeStartIndex,
    });
    return runs.map((run) => {
      let peak = run.start;
      for (let i = run.start; i <= run.end; i++) {
        if (mask[i] && farCount[i] > farCount[peak]) {
          peak = i;
        }
      }
      const involvedIdx: number[] = [];
      for (let k = 0; k < db.length; k++) {
        for (let i = run.start; i <= run.end; i++) {
          if (mask[i] && states[k][i] >= FAR) {
            involvedIdx.push(k);
            break;
          }
        }
      }
      const involved = involvedIdx.map((k) => db[k]);
      // Figures of the routes counted at the peak, each its own value there; aggregates over the requests of the
      // routes while they were far above baseline.
      const atPeak = db.filter((_, k) => states[k][peak] >= FAR);
      const p95Peak = rangeAt(atPeak, 'p95', peak, largestBucket);
      const p99Peak = rangeAt(atPeak, 'p99', peak, largestBucket);
      let ratioMin = NaN;
      for (let k = 0; k < db.length; k++) {
        const base = judged[k].bases[peak];
        if (states[k][peak] >= FAR && base > 0 && !(db[k].p95[peak] / base >= ratioMin)) {
          ratioMin = db[k].p95[peak] / base;
        }
      }
      const far = (k: number, i: number) => states[involvedIdx[k]][i] >= FAR;
      const meanOver = requestWeighted(involved, 'mean', run.start, run.end, far);
      const tailShare = largestBucket === null ? NaN : requestWeighted(involved, 'tailShare', run.start, run.end, far);
      let p95Max = NaN;
      let p99Max = NaN;
      let history = Infinity;
      let tailMean = NaN;
      for (const k of involvedIdx) {
        const r = db[k];
        p95Max = nanMax(p95Max, maxOver(r.p95, run.start, run.end));
        p99Max = nanMax(p99Max, maxOver(r.p99, run.start, run.end));
        // The route's typical estimate while it was far above baseline with p99 past the buckets (not only where
        // the estimate cleared the limit, which would bias it up).
        tailMean = nanMax(
          tailMean,
          medianWhere(
            tails[k],
            run.start,
            run.end,
            (i) => states[k][i] >= FAR && isAboveLargestBucket(r.p99[i], largestBucket)
          )
        );
        history = Math.min(history, baselineHoursAt(r, grid, run.start));
      }
      // A tail estimate speaks for the routes' requests only where their tail is a visible share of them.
      const tailCounts = tailShare >= MIN_TAIL_SHARE && Number.isFinite(tailMean);
      const errors = errorShareOver(db, run.start, run.end);
      const inFlightPeak = maxOver(inFlight, run.start, run.end);
      const summary =
        `p95 at the peak ${formatRange(p95Peak, largestBucket)} on ${farCount[peak]} of ${activeCount[peak]} ` +
        `database-backed routes (each ≥ ${formatRatio(ratioMin)} baseline), ` +
        `p99 there ${formatRange(p99Peak, largestBucket)}; mean ${formatSeconds(meanOver)} over their requests vs ` +
        `pool_timeout ${formatSeconds(timeout)}` +
        (tailShare >= 0 && largestBucket !== null
          ? `; ${formatSmallShare(tailShare)} of their requests above the largest bucket (${formatSeconds(largestBucket)})`
          : '') +
        (tailCounts ? `; those ${formatTailEstimate(tailMean, largestBucket as number)}` : '') +
        (errors.known ? `; ${formatPercent(errors.share)} 5xx` : '') +
        describeInFlight(inFlightPeak, poolSize, maxOverflow) +
        historyNote(history);
      return makeEpisode(
        'db-pool-exhaustion',
        grid,
        run,
        involved.map((r) => r.route),
        {
          summary,
          affectedRoutes: farCount[peak],
          // Where the per-route figures were read, so they can be held against what the clients saw there.
          peakAt: new Date(timeAt(grid, peak)).toISOString(),
          routesAtPeak: atPeak.map((r) => r.route),
          activeRoutes: activeCount[peak],
          p95PeakLowSeconds: figure(p95Peak.low),
          p95PeakHighSeconds: figure(p95Peak.high),
          routesAboveLargestBucketAtPeak: p95Peak.aboveLargestBucket,
          largestBucketSeconds: largestBucket,
          p95AboveLargestBucket: isAboveLargestBucket(p95Peak.high, largestBucket),
          p95OverBaseline: figure(ratioMin, 1),
          p95MaxSeconds: figure(p95Max),
          p99MaxSeconds: figure(p99Max),
          p99AboveLargestBucket: isAboveLargestBucket(p99Max, largestBucket),
          meanSeconds: figure(meanOver),
          tailShare: figure(tailShare, 5),
          tailMeanEstimateSeconds: tailCounts ? figure(tailMean) : null,
          poolTimeoutSeconds: timeout,
          inFlightPeak: figure(inFlightPeak),
          poolSize,
          maxOverflow,
          poolCapacity: poolSize + maxOverflow,
          errorShare: errors.known ? figure(errors.share, 4) : null,
          baselineHours: figure(history, 2),
        }
      );
    });
  },
};
