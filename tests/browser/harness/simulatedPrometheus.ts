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

/**
 * A second copy of the traffic under its own metric name, with route label values an attacker could send to the
 * Prefect server (raw paths end up in `http_target`): markup, a link, an event handler, a matcher break-out. The
 * annotation tests read it through a metric override; every other test keeps seeing the first metric only.
 */
export const HOSTILE_METRIC = 'hostile_api_request_duration_seconds';
const HOSTILE_ROUTES: Record<string, string> = {
  '/api/flow_runs/filter': '/api/flow_runs/filter<img src=x onerror="window.__pwned=1">',
  '/api/flow_runs/paginate': '/api/flow_runs/paginate"}<a href="javascript:window.__pwned=2">click</a>',
  '/api/flow_runs/count': "/api/flow_runs/count'><script>window.__pwned=3</script>",
};

/** OpenMetrics label value escaping: backslash, double quote, newline. */
function openMetricsLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function hostileOpenMetrics(text: string): string {
  // Only the histogram: the `up` series are already in the first input.
  let out = text
    .slice(0, text.indexOf('# HELP up '))
    .replaceAll('prefect_server_api_request_duration_seconds', HOSTILE_METRIC);
  for (const [plain, hostile] of Object.entries(HOSTILE_ROUTES)) {
    out = out.replaceAll(`http_route="${plain}"`, `http_route="${openMetricsLabel(hostile)}"`);
  }
  return out + '# EOF\n';
}

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
  const text = toOpenMetrics(timeline);
  const prometheus = await startPrometheus({ openMetrics: [text, hostileOpenMetrics(text)] });
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
        hostile: { metric: HOSTILE_METRIC, routes: Object.values(HOSTILE_ROUTES) },
      },
    };
  } catch (e) {
    await prometheus.stop();
    throw e;
  }
}
