// An agent or worker hits an HTTP/2 protocol error after failing or slow calls and stops: its polling route falls
// silent for good while the rest of the API keeps serving.
import { baselineOf } from '../toolkit/baseline';
import { makeEpisode, clipRuns, runsOf, type IndexRun } from '../toolkit/episodes';
import { isPolling } from '../toolkit/families';
import { figure, formatPercent, formatQuantile, formatSeconds } from '../toolkit/format';
import { nearMask, NEAR_NO } from '../toolkit/latency';
import { bridgeUnknown, pointsFor } from '../toolkit/persistence';
import { busiestWindow, isValue, maxOver, prepareInput, sumRates } from '../toolkit/series';
import { MERGE_GAP_MS } from '../toolkit/thresholds';
import type { Detector, Episode, RouteSeries, ScanInput } from '../types';

export const SILENCE_MS = 10 * 60_000;
/** Where to look for the errors or slow calls that precede the stop. */
export const BEFORE_MS = 15 * 60_000;
/**
 * "Abruptly": within BEFORE_MS of the silence the route still polled, over ABRUPT_WINDOW_MS, at this share of its
 * baseline. Not just before the silence: a real worker backs off while its polls fail (Prefect's
 * critical_service_loop doubles its interval four times, about 9.5 minutes at the default 10 s), so its last
 * minutes poll at a tenth of the usual rate. A fleet scaled down over hours never reaches the share in that window.
 */
const ABRUPT_SHARE = 0.3;
const ABRUPT_WINDOW_MS = 5 * 60_000;

interface Stop {
  run: IndexRun;
  route: RouteSeries;
  rateBefore: number;
  errorShareBefore: number;
  p95Before: number;
  slowBefore: boolean;
}

export const http2AgentStop: Detector = {
  id: 'http2-agent-stop',
  detect(raw: ScanInput): Episode[] {
    const input = prepareInput(raw);
    if (!input) {
      return [];
    }
    const { grid, routes } = input;
    const n = grid.length;
    const polling = routes.filter((r) => isPolling(r.route));
    const others = routes.filter((r) => !isPolling(r.route));
    if (polling.length === 0 || others.length === 0) {
      return [];
    }
    const otherRate = sumRates(others, 'rate', n);
    const stops: Stop[] = [];
    const windowPoints = pointsFor(ABRUPT_WINDOW_MS, grid.step);
    for (const route of polling) {
      const base = baselineOf(route.rate, grid);
      const near = nearMask(route.p95, grid);
      // A vanished series (NaN) is as silent as a zero rate, but only while the rest of the API answers; where
      // nothing answered (a restart, a short outage) the silence is neither proven nor broken. A single poll does
      // break it: polls a minute apart during a backoff are not a silence (merging them would start it too early).
      const mask = new Uint8Array(n);
      const unknown = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const quiet = !(route.rate[i] > 0);
        mask[i] = quiet && otherRate[i] > 0 ? 1 : 0;
        unknown[i] = quiet && !(otherRate[i] > 0) ? 1 : 0;
      }
      bridgeUnknown(mask, unknown, pointsFor(MERGE_GAP_MS, grid.step));
      const silenceRuns = runsOf(mask).filter(
        (run) => (run.end - run.start + 1) * grid.step >= SILENCE_MS && run.start > 0
      );
      for (const run of silenceRuns) {
        const s = run.start;
        const from = Math.max(0, s - pointsFor(BEFORE_MS, grid.step));
        // The baseline from before the trouble (the block where the look-back starts), else the one at the silence.
        const early = base.medians[(from / base.blockSize) | 0];
        const baseRate = early > 0 ? early : base.medians[(s / base.blockSize) | 0];
        const rateBefore = busiestWindow(route.rate, from, s, windowPoints);
        if (!(baseRate > 0 && rateBefore >= ABRUPT_SHARE * baseRate)) {
          continue;
        }
        let req = 0;
        let err = 0;
        let slow = false;
        for (let i = from; i < s; i++) {
          if (isValue(route.rate[i]) && isValue(route.errorRate[i])) {
            req += route.rate[i];
            err += Math.min(route.errorRate[i], route.rate[i]);
          }
          slow = slow || near[i] === NEAR_NO;
        }
        if (err > 0 || slow) {
          stops.push({
            run,
            route,
            rateBefore,
            errorShareBefore: req > 0 ? err / req : NaN,
            p95Before: maxOver(route.p95, from, s - 1),
            slowBefore: slow,
          });
        }
      }
    }
    return combine(stops, input.rangeStartIndex, n, grid.step).map(({ run, members }) => {
      const first = members[0];
      const silentMs = (run.end - run.start + 1) * grid.step;
      const cause =
        first.errorShareBefore > 0
          ? `${formatPercent(first.errorShareBefore)} 5xx`
          : `p95 ${formatQuantile(first.p95Before, input.largestBucket)}`;
      const summary =
        `${members.length} polling route(s) silent for ${formatSeconds(silentMs / 1000)} after ${cause} in the ` +
        `15 min before (was ${figure(first.rateBefore, 2)} req/s); the rest of the API kept serving`;
      return makeEpisode(
        'http2-agent-stop',
        grid,
        run,
        members.map((m) => m.route.route),
        {
          summary,
          silentMinutes: figure(silentMs / 60_000, 1),
          rateBeforePerSecond: figure(first.rateBefore),
          errorShareBefore: figure(first.errorShareBefore, 4),
          p95BeforeMaxSeconds: figure(first.p95Before),
          slowBefore: first.slowBefore,
        }
      );
    });
  },
};

/** One episode per stretch of silence, however many polling routes stopped together (under 5 min apart: one). */
function combine(stops: Stop[], rangeStartIndex: number, n: number, stepMs: number) {
  const sorted = [...stops].sort((a, b) => a.run.start - b.run.start);
  const groups: Array<{ run: IndexRun; members: Stop[] }> = [];
  for (const stop of sorted) {
    const last = groups[groups.length - 1];
    if (last && (stop.run.start - last.run.end - 1) * stepMs < MERGE_GAP_MS) {
      last.run = { start: last.run.start, end: Math.max(last.run.end, stop.run.end) };
      last.members.push(stop);
    } else {
      groups.push({ run: { ...stop.run }, members: [stop] });
    }
  }
  return groups.flatMap((g) => clipRuns([g.run], rangeStartIndex, n).map((run) => ({ run, members: g.members })));
}
