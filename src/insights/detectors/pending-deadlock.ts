// State transitions outlast the client's request timeout: the client retries a transition the server already
// made, and the run is stuck PENDING.
import { episodeRuns, makeEpisode } from '../toolkit/episodes';
import { isSetState } from '../toolkit/families';
import { figure, formatPercent, formatQuantile, formatSeconds, isAboveLargestBucket } from '../toolkit/format';
import { bridgeUnknown, windowedPersistencePoints, pointsFor, UNKNOWN_BRIDGE_MS } from '../toolkit/persistence';
import { requestWeighted } from '../toolkit/episodeFigures';
import { maxOver, nanMax, prepareInput } from '../toolkit/series';
import { formatTailEstimate, medianWhere, tailMeanSeries } from '../toolkit/tail';
import type { Detector, Episode, ScanInput } from '../types';

/** A share of requests above the timeout that is plainly visible, not a rounding artefact of the buckets. */
export const VISIBLE_SHARE = 0.02;
/** p99 "at" the timeout. Only trusted when the buckets reach that high. */
export const P99_AT = 0.9;
/** The mean "at" the timeout: most requests wait it out (higher than pool_timeout piling at default settings). */
export const MEAN_AT = 0.75;
/** The estimated mean of the requests above the largest bucket "at" the timeout: the p99 rule's tolerance. */
const TAIL_MEAN_AT = P99_AT;

export const pendingDeadlock: Detector = {
  id: 'pending-deadlock',
  detect(raw: ScanInput): Episode[] {
    const input = prepareInput(raw);
    if (!input) {
      return [];
    }
    const { grid, largestBucket } = input;
    const timeout = input.settings.apiRequestTimeoutSeconds;
    const routes = input.routes.filter((r) => isSetState(r.route));
    if (!(timeout > 0) || routes.length === 0) {
      return [];
    }
    const p99Trusted = largestBucket === null || largestBucket >= P99_AT * timeout;
    // Buckets that stop below the timeout (OpenTelemetry's end at 10 s) cannot count requests above it; then a
    // visible share above the largest bucket whose estimated mean is at the timeout stands in for the slow share.
    const bucketsShort = largestBucket !== null && largestBucket < timeout;
    const tails = routes.map((r) => (bucketsShort ? tailMeanSeries(r, grid, largestBucket) : null));
    const tailHolds = (k: number, i: number) => {
      const t = tails[k];
      return (
        t !== null &&
        !(routes[k].slowShare[i] >= 0) &&
        routes[k].tailShare[i] >= VISIBLE_SHARE &&
        t[i] >= TAIL_MEAN_AT * timeout
      );
    };
    const holds = (k: number, i: number) => {
      const r = routes[k];
      return (
        r.slowShare[i] >= VISIBLE_SHARE ||
        (p99Trusted && r.p99[i] >= P99_AT * timeout) ||
        r.mean[i] >= MEAN_AT * timeout ||
        tailHolds(k, i)
      );
    };
    const n = grid.length;
    const mask = new Uint8Array(n);
    // A point where no set_state request above the largest bucket (or the timeout) completed cannot tell: requests
    // this slow show only when they end, each client's about one timeout apart, so a window shorter than that can
    // miss them all while they still wait (a real row lock: 6 points of 37 at 5 s). A small visible tail does
    // break the run.
    const unknown = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let quiet = true;
      for (let k = 0; k < routes.length; k++) {
        if (holds(k, i)) {
          mask[i] = 1;
          break;
        }
        quiet = quiet && !(routes[k].slowShare[i] > 0) && !(routes[k].tailShare[i] > 0);
      }
      unknown[i] = mask[i] === 0 && quiet ? 1 : 0;
    }
    bridgeUnknown(mask, unknown, pointsFor(Math.max(UNKNOWN_BRIDGE_MS, timeout * 1000), grid.step));
    const runs = episodeRuns(mask, grid, {
      minPoints: windowedPersistencePoints(grid.step, input.scrapeIntervalMs, input.rateWindowMs),
      rangeStartIndex: input.rangeStartIndex,
    });
    return runs.map((run) => {
      const involvedIdx: number[] = [];
      for (let k = 0; k < routes.length; k++) {
        for (let i = run.start; i <= run.end; i++) {
          if (holds(k, i)) {
            involvedIdx.push(k);
            break;
          }
        }
      }
      const involved = involvedIdx.map((k) => routes[k]);
      // Shares and the mean over the episode's set_state requests (request-weighted over every point of it), not
      // the largest value of one window: a single window where 3 of 4 requests waited out the timeout is not "75 %
      // of set_state requests".
      const share = requestWeighted(involved, 'slowShare', run.start, run.end);
      const mean = requestWeighted(involved, 'mean', run.start, run.end);
      let p99 = NaN;
      let tailShare = NaN;
      let tailMean = NaN;
      let meanMax = NaN;
      let shareMax = NaN;
      for (const k of involvedIdx) {
        const r = routes[k];
        p99 = nanMax(p99, maxOver(r.p99, run.start, run.end));
        meanMax = nanMax(meanMax, maxOver(r.mean, run.start, run.end));
        shareMax = nanMax(shareMax, maxOver(r.slowShare, run.start, run.end));
        const t = tails[k];
        if (t !== null) {
          // The typical estimate over the episode wherever the tail was visible, not its noisiest point.
          const typical = medianWhere(t, run.start, run.end, (i) => routes[k].tailShare[i] >= VISIBLE_SHARE);
          if (typical >= 0 && !(typical <= tailMean)) {
            tailMean = typical;
            tailShare = requestWeighted([r], 'tailShare', run.start, run.end);
          }
        }
      }
      const limit = `PREFECT_API_REQUEST_TIMEOUT ${formatSeconds(timeout)}`;
      const head = Number.isFinite(share)
        ? `${formatPercent(share)} of set_state requests above ${limit}`
        : Number.isFinite(tailMean)
          ? `set_state requests at ${limit}: ${formatPercent(tailShare)} above the largest bucket, their mean ` +
            formatTailEstimate(tailMean, largestBucket as number)
          : `set_state requests at ${limit}`;
      const summary =
        `${head}; p99 ${isAboveLargestBucket(p99, largestBucket) ? '' : 'up to '}${formatQuantile(p99, largestBucket)}, mean ${formatSeconds(mean)} over the ` +
        `episode's set_state requests`;
      return makeEpisode(
        'pending-deadlock',
        grid,
        run,
        involved.map((r) => r.route),
        {
          summary,
          slowShare: figure(share, 4),
          slowShareMax: figure(shareMax, 4),
          p99MaxSeconds: figure(p99),
          p99AboveLargestBucket: isAboveLargestBucket(p99, largestBucket),
          meanSeconds: figure(mean),
          meanMaxSeconds: figure(meanMax),
          tailShare: figure(tailShare, 4),
          tailMeanEstimateSeconds: figure(tailMean),
          requestTimeoutSeconds: timeout,
        }
      );
    });
  },
};
