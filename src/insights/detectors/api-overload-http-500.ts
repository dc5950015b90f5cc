// More traffic than the server can take: the request rate doubles, a visible share fails with 5xx and latency
// rises, but requests are not piled at pool_timeout (that would be the pool, not the load).
import { baselineOf } from '../toolkit/baseline';
import { formatRange, rangeAt } from '../toolkit/episodeFigures';
import { episodeRuns, makeEpisode, timeAt } from '../toolkit/episodes';
import { figure, formatPercent, formatRatio, historyNote } from '../toolkit/format';
import { windowedPersistencePoints } from '../toolkit/persistence';
import { apiTotals, prepareInput } from '../toolkit/series';
import { MEAN_AT_TIMEOUT, P99_AT_TIMEOUT } from '../toolkit/thresholds';
import type { Detector, Episode, ScanInput } from '../types';

/** The contract's "total request rate ≥ 2× baseline" (insight-signatures.md). */
export const RATE_FACTOR = 2;
/** The contract's "5xx share ≥ 5 %". */
export const ERROR_SHARE = 0.05;
/**
 * "Latency raised": p95 at least this many times its baseline on at least half of the routes that can be judged.
 * The contract gives no figure; the traffic and the 5xx decide, and this only keeps out a surge of requests that fail
 * at once (a misbehaving client) while the server keeps its pace. 1.5×: above a route's day-to-day wobble (the
 * daily cycle moves p95 by about ±10 %), and half of NEAR_FACTOR, so "raised" sits well inside "near".
 */
export const RAISED_FACTOR = 1.5;

export const apiOverloadHttp500: Detector = {
  id: 'api-overload-http-500',
  detect(raw: ScanInput): Episode[] {
    const input = prepareInput(raw);
    if (!input || input.routes.length === 0) {
      return [];
    }
    const { grid, routes, largestBucket } = input;
    const timeout = input.settings.poolTimeoutSeconds;
    const n = grid.length;
    const totals = apiTotals(input);
    const rateBase = baselineOf(totals.rate, grid);
    const bases = routes.map((r) => baselineOf(r.p95, grid));
    const mask = new Uint8Array(n);
    const raisedAt = (k: number, i: number) => {
      const b = bases[k].medians[(i / bases[k].blockSize) | 0];
      return routes[k].p95[i] >= 0 && b > 0 && routes[k].p95[i] >= RAISED_FACTOR * b;
    };
    for (let i = 0; i < n; i++) {
      const rate = totals.rate[i];
      const base = rateBase.medians[(i / rateBase.blockSize) | 0];
      const err = totals.errorRate[i];
      if (!(base > 0 && rate >= RATE_FACTOR * base && err >= ERROR_SHARE * rate)) {
        continue;
      }
      let known = 0;
      let piled = false;
      for (let k = 0; k < routes.length; k++) {
        const r = routes[k];
        const b = bases[k].medians[(i / bases[k].blockSize) | 0];
        if (r.p99[i] >= P99_AT_TIMEOUT * timeout || r.mean[i] >= MEAN_AT_TIMEOUT * timeout) {
          piled = true;
          break;
        }
        if (r.p95[i] >= 0 && b > 0) {
          known++;
        }
      }
      if (!piled && known > 0) {
        mask[i] = 1;
      }
    }
    // The traffic and the 5xx decide where the episode lies; "latency raised" is judged over it, route by route.
    // Judged point by point it failed its own persistence: on a live Prefect whose overflow connections were refused
    // (setup b, 2026-12-06 10:44 UTC) 4 to 7 of 10 routes were raised at each 5 s point, since a route answering 503 at
    // once lowers its own p95, and single points at 4 of 10 cut a 3.5-minute overload into runs under 2 minutes.
    const runs = episodeRuns(mask, grid, {
      minPoints: windowedPersistencePoints(grid.step, input.scrapeIntervalMs, input.rateWindowMs),
      rangeStartIndex: input.rangeStartIndex,
    }).filter((run) => latencyRaised(run.start, run.end, routes, bases, raisedAt));
    return runs.map((run) => {
      let req = 0;
      let err = 0;
      let peakRate = NaN;
      let peakBase = NaN;
      let peak = run.start;
      for (let i = run.start; i <= run.end; i++) {
        if (!mask[i]) {
          continue;
        }
        req += totals.rate[i];
        err += Math.min(totals.errorRate[i], totals.rate[i]);
        if (!(totals.rate[i] <= peakRate)) {
          peakRate = totals.rate[i];
          peakBase = rateBase.medians[(i / rateBase.blockSize) | 0];
          peak = i;
        }
      }
      const share = req > 0 ? err / req : NaN;
      // Latency figures of the routes that were raised at the traffic's peak, each its own value there: the maximum
      // over every route and point paired one thin route's worst window with the whole API's traffic.
      const raised = routes.filter((_, k) => raisedAt(k, peak));
      const judged = routes.filter((r, k) => r.p95[peak] >= 0 && bases[k].medians[(peak / bases[k].blockSize) | 0] > 0);
      const p95Peak = rangeAt(raised, 'p95', peak, largestBucket);
      const p99Peak = rangeAt(raised, 'p99', peak, largestBucket);
      const involved = routes.filter((_, k) => {
        for (let i = run.start; i <= run.end; i++) {
          if (mask[i] && raisedAt(k, i)) {
            return true;
          }
        }
        return false;
      });
      const historyHours = (rateBase.history[(run.start / rateBase.blockSize) | 0] * rateBase.blockMs) / 3_600_000;
      const summary =
        `${figure(peakRate, 1)} req/s (${formatRatio(peakRate / peakBase)} baseline ${figure(peakBase, 1)} req/s); ` +
        `${formatPercent(share)} 5xx; p95 there ${formatRange(p95Peak, largestBucket)} on ${raised.length} of ` +
        `${judged.length} routes (each ≥ ${formatRatio(RAISED_FACTOR)} baseline), p99 there ` +
        `${formatRange(p99Peak, largestBucket)} (below pool_timeout ${timeout} s)` +
        historyNote(historyHours);
      return makeEpisode(
        'api-overload-http-500',
        grid,
        run,
        involved.map((r) => r.route),
        {
          summary,
          requestRatePerSecond: figure(peakRate),
          baselineRatePerSecond: figure(peakBase),
          rateOverBaseline: figure(peakRate / peakBase, 2),
          errorShare: figure(share, 4),
          peakAt: new Date(timeAt(grid, peak)).toISOString(),
          raisedRoutes: raised.length,
          judgedRoutes: judged.length,
          p95PeakLowSeconds: figure(p95Peak.low),
          p95PeakHighSeconds: figure(p95Peak.high),
          p99PeakLowSeconds: figure(p99Peak.low),
          p99PeakHighSeconds: figure(p99Peak.high),
          poolTimeoutSeconds: timeout,
          baselineHours: figure(historyHours, 2),
        }
      );
    });
  },
};

/**
 * Latency raised over a run: at least half of the routes that can be judged in it (p95 and a baseline at one of its
 * points at least) are raised (RAISED_FACTOR) at at least half of the points where they can be. Half, as the
 * per-point rule asked of the routes; over the run, so a route answering fast 503s at some points does not break it.
 */
function latencyRaised(
  start: number,
  end: number,
  routes: ReadonlyArray<{ p95: Float64Array }>,
  bases: ReadonlyArray<{ medians: Float64Array | number[]; blockSize: number }>,
  raisedAt: (k: number, i: number) => boolean
): boolean {
  let judged = 0;
  let raised = 0;
  for (let k = 0; k < routes.length; k++) {
    let known = 0;
    let up = 0;
    for (let i = start; i <= end; i++) {
      if (routes[k].p95[i] >= 0 && bases[k].medians[(i / bases[k].blockSize) | 0] > 0) {
        known++;
        up += raisedAt(k, i) ? 1 : 0;
      }
    }
    if (known > 0) {
      judged++;
      raised += up * 2 >= known ? 1 : 0;
    }
  }
  return judged > 0 && raised * 2 >= judged;
}
