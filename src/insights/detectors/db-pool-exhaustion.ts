// The connection pool runs dry: many database-backed routes slow down together and pile up toward pool_timeout.
import { baselineOf, type Baseline } from '../toolkit/baseline';
import { episodeRuns, makeEpisode } from '../toolkit/episodes';
import { isDatabaseBacked } from '../toolkit/families';
import {
  figure,
  formatPercent,
  formatQuantile,
  formatRatio,
  formatSeconds,
  historyNote,
  isAboveLargestBucket,
} from '../toolkit/format';
import { describeInFlight, inFlightSeries } from '../toolkit/inFlight';
import { baselineHoursAt, reachesThreshold } from '../toolkit/latency';
import { minPersistencePoints } from '../toolkit/persistence';
import { errorShareOver, maxOver, nanMax, prepareInput } from '../toolkit/series';
import { formatTailEstimate, medianWhere, tailMeanSeries } from '../toolkit/tail';
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

/** Per point: NONE (no value or no baseline), ACTIVE, FAR (p95 ≥ 5× baseline and slow), FAR_PILED (and at the timeout). */
function routeStates(
  r: RouteSeries,
  b: Baseline,
  tail: Float64Array,
  timeout: number,
  largestBucket: number | null
): Uint8Array {
  const n = r.p95.length;
  const out = new Uint8Array(n);
  const floor = timeout * ABSOLUTE_FLOOR_OF_TIMEOUT;
  const p99Limit = P99_AT_TIMEOUT * timeout;
  const meanLimit = MEAN_AT_TIMEOUT * timeout;
  const { p95, p99, mean } = r;
  for (let block = 0, i = 0; block < b.medians.length; block++) {
    const base = b.medians[block];
    const end = Math.min(n, i + b.blockSize);
    if (base !== base) {
      i = end;
      continue;
    }
    const farLimit = FAR_FACTOR * base;
    for (; i < end; i++) {
      const v = p95[i];
      if (!(v >= 0)) {
        continue;
      }
      if (v >= floor && (v >= farLimit || reachesThreshold(v, mean[i], farLimit, largestBucket))) {
        const piled = p99[i] >= p99Limit || mean[i] >= meanLimit || tailPiled(p99[i], tail[i], largestBucket, timeout);
        out[i] = piled ? FAR_PILED : FAR;
      } else {
        out[i] = ACTIVE;
      }
    }
  }
  return out;
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
    const states = db.map((r, k) => routeStates(r, bases[k], tails[k], timeout, largestBucket));
    const mask = new Uint8Array(n);
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
      }
    }

    const runs = episodeRuns(mask, grid, {
      minPoints: minPersistencePoints(grid.step, input.scrapeIntervalMs),
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
      let p95Max = NaN;
      let p99Max = NaN;
      let meanMax = NaN;
      let ratioMax = NaN;
      let history = Infinity;
      let tailMean = NaN;
      for (const k of involvedIdx) {
        const r = db[k];
        p95Max = nanMax(p95Max, maxOver(r.p95, run.start, run.end));
        p99Max = nanMax(p99Max, maxOver(r.p99, run.start, run.end));
        meanMax = nanMax(meanMax, maxOver(r.mean, run.start, run.end));
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
        const b = bases[k];
        const base = b.medians[(peak / b.blockSize) | 0];
        ratioMax = nanMax(ratioMax, base > 0 ? r.p95[peak] / base : NaN);
        history = Math.min(history, baselineHoursAt(r, grid, run.start));
      }
      const errors = errorShareOver(db, run.start, run.end);
      const inFlightPeak = maxOver(inFlight, run.start, run.end);
      const summary =
        `p95 ${formatQuantile(p95Max, largestBucket)} on ${farCount[peak]} of ${activeCount[peak]} ` +
        `database-backed routes (${formatRatio(ratioMax)} baseline); ` +
        `p99 ${formatQuantile(p99Max, largestBucket)}, mean ${formatSeconds(meanMax)} vs pool_timeout ` +
        `${formatSeconds(timeout)}` +
        (Number.isFinite(tailMean)
          ? `; requests above the largest bucket ${formatTailEstimate(tailMean, largestBucket as number)}`
          : '') +
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
          activeRoutes: activeCount[peak],
          p95MaxSeconds: figure(p95Max),
          p95AboveLargestBucket: isAboveLargestBucket(p95Max, largestBucket),
          p95OverBaseline: figure(ratioMax, 1),
          p99MaxSeconds: figure(p99Max),
          p99AboveLargestBucket: isAboveLargestBucket(p99Max, largestBucket),
          meanMaxSeconds: figure(meanMax),
          tailMeanEstimateSeconds: figure(tailMean),
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
