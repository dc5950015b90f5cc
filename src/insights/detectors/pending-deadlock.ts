// State transitions outlast the client's request timeout: the client retries a transition the server already
// made, and the run is stuck PENDING.
import { episodeRuns, makeEpisode } from '../toolkit/episodes';
import { isSetState } from '../toolkit/families';
import { figure, formatPercent, formatQuantile, formatSeconds, isAboveLargestBucket } from '../toolkit/format';
import { minPersistencePoints } from '../toolkit/persistence';
import { maxOver, nanMax, prepareInput } from '../toolkit/series';
import type { Detector, Episode, RouteSeries, ScanInput } from '../types';

/** A share of requests above the timeout that is plainly visible, not a rounding artefact of the buckets. */
const VISIBLE_SHARE = 0.02;
/** p99 "at" the timeout. Only trusted when the buckets reach that high. */
const P99_AT = 0.9;
/** The mean "at" the timeout: most requests wait it out (higher than pool_timeout piling at default settings). */
const MEAN_AT = 0.75;

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
    const holds = (r: RouteSeries, i: number) =>
      r.slowShare[i] >= VISIBLE_SHARE ||
      (p99Trusted && r.p99[i] >= P99_AT * timeout) ||
      r.mean[i] >= MEAN_AT * timeout;
    const n = grid.length;
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (const r of routes) {
        if (holds(r, i)) {
          mask[i] = 1;
          break;
        }
      }
    }
    const runs = episodeRuns(mask, grid, {
      minPoints: minPersistencePoints(grid.step, input.scrapeIntervalMs),
      rangeStartIndex: input.rangeStartIndex,
    });
    return runs.map((run) => {
      const involved = routes.filter((r) => {
        for (let i = run.start; i <= run.end; i++) {
          if (holds(r, i)) {
            return true;
          }
        }
        return false;
      });
      let share = NaN;
      let p99 = NaN;
      let mean = NaN;
      for (const r of involved) {
        share = nanMax(share, maxOver(r.slowShare, run.start, run.end));
        p99 = nanMax(p99, maxOver(r.p99, run.start, run.end));
        mean = nanMax(mean, maxOver(r.mean, run.start, run.end));
      }
      const parts = [
        Number.isFinite(share) ? `${formatPercent(share)} of set_state requests above` : 'set_state requests at',
        `PREFECT_API_REQUEST_TIMEOUT ${formatSeconds(timeout)}`,
      ];
      const summary = `${parts.join(' ')}; p99 ${formatQuantile(p99, largestBucket)}, mean ${formatSeconds(mean)}`;
      return makeEpisode(
        'pending-deadlock',
        grid,
        run,
        involved.map((r) => r.route),
        {
          summary,
          slowShareMax: figure(share, 4),
          p99MaxSeconds: figure(p99),
          p99AboveLargestBucket: isAboveLargestBucket(p99, largestBucket),
          meanMaxSeconds: figure(mean),
          requestTimeoutSeconds: timeout,
        }
      );
    });
  },
};
