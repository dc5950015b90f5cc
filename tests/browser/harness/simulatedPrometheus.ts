// A real Prometheus filled with simulated Prefect traffic: a quiet lead-in and one database-pool-exhaustion incident,
// laid out by the shared simulator (tools/simulator) and backfilled by the shared harness (tests/harness).
import {
  COMPACT_ROUTE_IDS,
  PREFECT_BUCKETS,
  buildTimeline,
  routeLabelValue,
  toOpenMetrics,
} from '../../../tools/simulator';
import { startPrometheus } from '../../harness/prometheus';
import type { SetupState } from './state';

export interface SimulatedPrometheus {
  url: string;
  data: NonNullable<SetupState['data']>;
  stop(): Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Fixed seed: the same incident (routes, magnitudes) on every run. */
export const BROWSER_SEED = 20251125;
export const BROWSER_SCENARIO = 'db-pool-exhaustion';

export async function startSimulatedPrometheus(): Promise<SimulatedPrometheus> {
  // Ten routes that cover every route family keep the backfill to a few seconds; half a day holds the detectors'
  // baseline look-back (6 h of normal traffic) and the incident.
  const timeline = buildTimeline({
    seed: BROWSER_SEED,
    days: 0.5,
    scrapeIntervalSeconds: 15,
    routes: [...COMPACT_ROUTE_IDS],
    include: [BROWSER_SCENARIO],
  });
  const prometheus = await startPrometheus({ openMetrics: toOpenMetrics(timeline) });
  try {
    const routes = timeline.model.routes;
    const quietFrom = timeline.start + 2 * HOUR;
    const quietTo = timeline.start + 4 * HOUR;
    const p95: Record<string, Array<[number, number]>> = {};
    for (const route of routes) {
      const label = routeLabelValue(route, timeline.apiPrefix);
      p95[label] = [];
      for (let t = quietFrom; t <= quietTo; t += 5 * MIN) {
        p95[label].push([t, timeline.model.truth(route.id, t).p95]);
      }
    }
    return {
      url: prometheus.url,
      stop: prometheus.stop,
      data: {
        from: timeline.start,
        to: timeline.end,
        routes: routes.map((r) => routeLabelValue(r, timeline.apiPrefix)),
        windows: timeline.truth.map((t) => ({ insightId: t.id, start: t.start, end: t.end })),
        quiet: { from: quietFrom, to: quietTo, p95 },
        buckets: [...PREFECT_BUCKETS],
      },
    };
  } catch (e) {
    await prometheus.stop();
    throw e;
  }
}
