// The server stops answering: its scrape target is down, or (without `up`) every route stops advancing. Behind a
// load balancer, one replica of several may stop while the others serve: the same insight, scoped to that replica
// (evidence `scope: replica`), since the advice (why did the process stop answering) is the same.
import { clipRuns, makeEpisode, runsOf, type IndexRun } from '../toolkit/episodes';
import { figure, formatSeconds } from '../toolkit/format';
import { minPersistencePoints, pointsFor } from '../toolkit/persistence';
import { zeroRateLagPoints } from '../toolkit/rateLag';
import { replicaOutages, type ReplicaOutage } from '../toolkit/replicas';
import { apiTotals, busiestWindow, meanOver, prepareInput } from '../toolkit/series';
import { MERGE_GAP_MS } from '../toolkit/thresholds';
import type { Detector, Episode, ScanInput } from '../types';

const DOWN_UP = 1;
const DOWN_SERIES = 2;
/**
 * Requests the traffic just before a silence would have brought during it; below 20 a silence can be chance (at a
 * Poisson rate that expects 20, the chance of none at all is e^-20, about 2e-9).
 */
export const EXPECTED_REQUESTS = 20;
/**
 * Without `up`, a silence is an outage only if it cut traffic off: the minute before it (LAST_MS) still carried at
 * least ABRUPT_SHARE of the busiest 5 minutes (BUSY_WINDOW_MS) of the quarter hour before (BUSY_LOOKBACK_MS). A
 * process that dies or hangs stops mid-stride (the minute before it is as busy as any); a server whose users go home
 * tapers over many minutes, and its last minute holds a small share of the busiest. Judged against the traffic
 * just before, not the 6-hour baseline: a median over idle hours is 0 (a server idle overnight that dies with the
 * morning's traffic was missed), and a busy afternoon's median would call the evening's fade to idle an outage.
 */
export const ABRUPT_SHARE = 0.5;
const LAST_MS = 60_000;
const BUSY_WINDOW_MS = 5 * 60_000;
const BUSY_LOOKBACK_MS = 15 * 60_000;

/** The traffic a silence starting at `start` cut off: the last minute's rate, and whether the cut was abrupt. */
export function trafficCutOff(
  rate: Float64Array,
  start: number,
  stepMs: number
): { lastRate: number; busiestRate: number; abrupt: boolean } {
  const lastRate = meanOver(rate, start - pointsFor(LAST_MS, stepMs), start);
  const busiestRate = busiestWindow(
    rate,
    Math.max(0, start - pointsFor(BUSY_LOOKBACK_MS, stepMs)),
    start,
    pointsFor(BUSY_WINDOW_MS, stepMs)
  );
  return { lastRate, busiestRate, abrupt: lastRate > 0 && lastRate >= ABRUPT_SHARE * busiestRate };
}

const REPLICA_HOW: Record<ReplicaOutage['how'], string> = {
  up: '`up` was 0',
  frozen: 'its counters stopped advancing (hung)',
  gone: 'its series stopped',
};

function replicaEpisodes(input: ScanInput): Episode[] {
  const { grid } = input;
  const kept = replicaOutages(input).filter(
    (o) => o.how === 'up' || o.ownRateBefore * (((o.run.end - o.run.start + 1) * grid.step) / 1000) >= EXPECTED_REQUESTS
  );
  const episodes: Episode[] = [];
  for (const o of kept) {
    for (const run of clipRuns([o.run], input.rangeStartIndex, grid.length)) {
      const downMs = (run.end - run.start) * grid.step;
      const others = o.serving === 1 ? 'the other replica' : `the other ${o.serving}`;
      episodes.push(
        makeEpisode(
          'api-outage',
          grid,
          run,
          input.routes.map((r) => r.route),
          {
            summary:
              `replica ${o.instance} of ${o.replicas}: ${REPLICA_HOW[o.how]} for ${formatSeconds(downMs / 1000)}; ` +
              `${others} kept serving (${figure(o.othersRate, 3)} req/s)`,
            downMinutes: figure(downMs / 60_000, 1),
            downSeconds: downMs / 1000,
            source: o.how === 'up' ? 'up' : 'series',
            scope: 'replica',
            instance: o.instance,
            replicas: o.replicas,
            servingReplicas: o.serving,
            servingRate: figure(o.othersRate, 3),
          }
        )
      );
    }
  }
  return episodes;
}

export const apiOutage: Detector = {
  id: 'api-outage',
  detect(raw: ScanInput): Episode[] {
    const input = prepareInput(raw);
    if (!input) {
      return [];
    }
    const { grid, up } = input;
    const n = grid.length;
    let upKnown = false;
    for (let i = 0; i < n && !upKnown; i++) {
      upKnown = up[i] >= 0 && up[i] < Infinity;
    }
    const totals = apiTotals(input);
    // 1: `up` is 0; 2: no route advanced. The exporter may be a collector that stays up while Prefect is down,
    // hence the series test even when `up` is 1; but where `up` exists, only a measured zero rate counts: a NaN
    // rate then is a missing scrape or the rate window warming up after a restart, not silence.
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (up[i] >= 0 && up[i] < 0.5) {
        mask[i] = DOWN_UP;
      } else if (upKnown ? up[i] >= 0 && totals.rate[i] === 0 : !(totals.rate[i] > 0) && input.routes.length > 0) {
        mask[i] = DOWN_SERIES;
      }
    }
    // A frozen series shows as a zero rate only once its last increase has left the rate window: the silence began
    // that many points before the first zero. Without this, a 3-minute hang showed as 1.5 minutes of zeros.
    const lag = zeroRateLagPoints(grid.step, input.scrapeIntervalMs, input.rateWindowMs);
    for (let i = 1; i < n; i++) {
      if (mask[i] === DOWN_SERIES && mask[i - 1] === 0) {
        for (let k = i - 1; k >= Math.max(0, i - lag) && mask[k] === 0; k--) {
          mask[k] = DOWN_SERIES;
        }
      }
    }
    const minPoints = minPersistencePoints(grid.step, input.scrapeIntervalMs);
    const cutOff = new Map<number, ReturnType<typeof trafficCutOff>>();
    const isOutage = (run: IndexRun): boolean => {
      for (let i = run.start; i <= run.end; i++) {
        if (mask[i] === DOWN_UP) {
          return true;
        }
      }
      // Silence means something only where traffic made it improbable and it cut that traffic off.
      const cut = trafficCutOff(totals.rate, run.start, grid.step);
      cutOff.set(run.start, cut);
      return cut.abrupt && cut.lastRate * (((run.end - run.start + 1) * grid.step) / 1000) >= EXPECTED_REQUESTS;
    };
    // Each silence is judged on its own, then the ones that follow an outage within the episode gap join it (the
    // same outage flapping), judged or not. Merged first and judged by the merged start, a silence without traffic
    // before it (the hours before the server existed, an idle night) swallowed a death that came less than the gap
    // after the traffic began, and the whole was dropped as "no traffic cut off": setups b and e of the incident
    // timelines (2026-12-04 21:43 UTC, one minute of traffic after start-up, then SIGKILL) were not found.
    const runs: IndexRun[] = [];
    for (const run of runsOf(mask, minPoints)) {
      const last = runs[runs.length - 1];
      if (last && (run.start - last.end - 1) * grid.step < MERGE_GAP_MS) {
        last.end = Math.max(last.end, run.end);
      } else if (isOutage(run)) {
        runs.push({ start: run.start, end: run.end });
      }
    }
    const whole = clipRuns(runs, input.rangeStartIndex, n).map((run) => {
      const downMs = (run.end - run.start) * grid.step;
      let byUp = false;
      for (let i = run.start; i <= run.end && !byUp; i++) {
        byUp = mask[i] === DOWN_UP;
      }
      const cut = cutOff.get(run.start);
      const how = byUp ? '`up` of the scrape job was 0' : 'no route advanced';
      const after = cut && !byUp ? ` after ${figure(cut.lastRate, 3)} req/s in the minute before` : '';
      return makeEpisode(
        'api-outage',
        grid,
        run,
        input.routes.map((r) => r.route),
        {
          summary: `${how} for ${formatSeconds(downMs / 1000)}${after}`,
          downMinutes: figure(downMs / 60_000, 1),
          downSeconds: downMs / 1000,
          source: byUp ? 'up' : 'series',
          scope: 'service',
          ...(cut && !byUp ? { rateBeforePerSecond: figure(cut.lastRate, 3) } : {}),
        }
      );
    });
    return [...whole, ...replicaEpisodes(input)].sort((a, b) => a.start - b.start);
  },
};
