// A dashboard refreshing a moving window through the data source (resource route stand-in) against a real
// Prometheus: after the first load each refresh asks Prometheus only for the new tail plus the overlap, and every
// panel query type and the insight scan answer exactly what a data source with nothing cached answers.
import type { DataFrame } from '@grafana/data';
import type { PrefectQuery, QueryType } from '../../src/datasource/types';
import { INCREMENTAL_OVERLAP_SECONDS, infoKind } from '../../src/prometheus/rangeCache';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { buildTimeline, toOpenMetrics } from '../../tools/simulator';
import { dataSource, installGrafanaStandIns, paramLog, requestLog, run, upstreams } from './grafanaStandIns';

const UID = 'prom-incremental';
const MIN = 60_000;
const HOUR = 3_600_000;
const TYPES: QueryType[] = [
  'quantile',
  'rate',
  'errorRatio',
  'mean',
  'heatmap',
  'slowShare',
  'topSlowRoutes',
  'timeShare',
  'statusMix',
  'insights',
];

let prom: RunningPrometheus;
let start: number;

beforeAll(async () => {
  installGrafanaStandIns();
  const timeline = buildTimeline({
    seed: 31,
    convention: 'prefect',
    start: Math.floor((Date.now() - 13 * HOUR) / MIN) * MIN,
    days: 0.5,
    include: ['db-pool-exhaustion'],
    routes: [
      '/flow_runs/filter',
      '/flow_runs/{id}/set_state',
      '/work_pools/{name}',
      '/flow_runs/{id}',
      '/task_runs/count',
    ],
  });
  start = timeline.start;
  prom = await startPrometheus({ openMetrics: toOpenMetrics(timeline) });
  upstreams.set(UID, prom.url);
}, 120_000);

afterAll(async () => {
  await prom?.stop();
});

/**
 * What a panel draws from a frame: names, labels and values (and the notices), nothing of the objects' identity.
 * Numbers to 12 significant digits: Prometheus sums series in no fixed order, so two identical queries may differ
 * in the last bit (1 against 1.0000000000000002), cached or not.
 */
function drawn(frames: DataFrame[]) {
  const round = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(12)) : v);
  return frames.map((f) => ({
    name: f.name,
    refId: f.refId,
    // Prometheus 3's info names the samples and time span of the evaluation that raised it: a tail read's and a
    // whole read's differ in those details, so infos are compared by what they say (rangeCache.ts infoKind).
    notices: f.meta?.notices?.map((n) => ({ ...n, text: infoKind(n.text) })),
    fields: f.fields.map((x) => ({ name: x.name, labels: x.labels, values: Array.from(x.values, round) })),
  }));
}

const targets = (): PrefectQuery[] =>
  TYPES.map((queryType, i) => ({ refId: String.fromCharCode(65 + i), queryType }) as PrefectQuery);

/** The window a "last 6 hours" dashboard shows `minutes` after its first load. */
const windowAt = (minutes: number) => ({
  from: start + 4 * HOUR + minutes * MIN,
  to: start + 10 * HOUR + minutes * MIN,
});

describe('a refresh of a moving window', () => {
  it('reads only the new tail from Prometheus and draws what an uncached data source draws', async () => {
    const cached = dataSource(UID);
    const first = windowAt(0);
    const cold = await run(cached, targets(), first.from, first.to);
    expect(cold.errors ?? []).toEqual([]);
    let coldSpan = 0;
    for (const p of paramLog) {
      coldSpan = Math.max(coldSpan, Number(p.get('end')) - Number(p.get('start')) || 0);
    }
    for (const minute of [1, 2, 3]) {
      const w = windowAt(minute);
      const seen = requestLog.length;
      const warm = await run(cached, targets(), w.from, w.to);
      const ranges = paramLog
        .slice(seen)
        .filter((_, i) => requestLog[seen + i].endsWith('/query_range'))
        .map((p) => ({ span: Number(p.get('end')) - Number(p.get('start')), step: Number(p.get('step')) }));
      expect(ranges.length).toBeGreaterThan(0);
      for (const r of ranges) {
        // the minute moved, the overlap, and at most one step for aligning the tail onto the window's grid
        expect(r.span).toBeLessThanOrEqual(INCREMENTAL_OVERLAP_SECONDS + 60 + r.step);
      }
      const fresh = await run(dataSource(UID), targets(), w.from, w.to);
      expect(fresh.errors ?? []).toEqual([]);
      expect(drawn(warm.data as DataFrame[])).toEqual(drawn(fresh.data as DataFrame[]));
    }
    // the first load read the whole window (and the scan's look-back before it)
    expect(coldSpan).toBeGreaterThanOrEqual(6 * 3600);
  });

  it('reads the whole window again when it moves back in time', async () => {
    const ds = dataSource(UID);
    const w = windowAt(10);
    await run(ds, targets(), w.from, w.to);
    const back = windowAt(-30);
    const seen = requestLog.length;
    const res = await run(ds, targets(), back.from, back.to);
    const spans = paramLog
      .slice(seen)
      .filter((_, i) => requestLog[seen + i].endsWith('/query_range'))
      .map((p) => Number(p.get('end')) - Number(p.get('start')));
    expect(Math.max(...spans)).toBeGreaterThanOrEqual(6 * 3600);
    const fresh = await run(dataSource(UID), targets(), back.from, back.to);
    expect(drawn(res.data as DataFrame[])).toEqual(drawn(fresh.data as DataFrame[]));
  });
});
