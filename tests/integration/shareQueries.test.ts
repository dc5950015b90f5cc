// Share of total time and status mix through the data source against a real Prometheus, held against what the same
// data source's mean, rate and 5xx-ratio queries say for the same points: the shares must be what their names say,
// whichever way the convention stores its status (a label on the histogram, or the instrumentator's counter).
import type { DataFrame } from '@grafana/data';
import type { PrefectQuery } from '../../src/datasource/types';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { buildTimeline, getConvention, toOpenMetrics, type ConventionId, type Timeline } from '../../tools/simulator';
import { dataSource, installGrafanaStandIns, run, upstreams } from './grafanaStandIns';
import { TRUTH_INTERVAL_MS } from './groundTruth';

const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}', '/work_pools/{name}'];
const HOUR = 3_600_000;

interface Env {
  prom: RunningPrometheus;
  timeline: Timeline;
  uid: string;
}

/** value per "<label> @ <time>" key, for frames keyed by their labels */
function points(frames: DataFrame[], key: (labels: Record<string, string>) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of frames) {
    const labels = f.fields[1].labels ?? {};
    (f.fields[0].values as number[]).forEach((t, i) => {
      out.set(`${key(labels)} @ ${t}`, (f.fields[1].values as number[])[i]);
    });
  }
  return out;
}

beforeAll(() => installGrafanaStandIns());

describe.each<ConventionId>(['prefect', 'fastapi-instrumentator'])('%s', (convention) => {
  let env: Env;
  const routeLabel = () => getConvention(convention).routeLabel;

  beforeAll(async () => {
    const timeline = buildTimeline({
      seed: 3,
      convention,
      scrapeIntervalSeconds: 15,
      days: 0.5,
      routes: ROUTES,
      include: ['db-pool-exhaustion'],
    });
    const prom = await startPrometheus({ openMetrics: toOpenMetrics(timeline) });
    const uid = `prom-shares-${convention}`;
    upstreams.set(uid, prom.url);
    env = { prom, timeline, uid };
  });
  afterAll(async () => {
    await env?.prom.stop();
  });

  /** From two hours before the incident to its end: quiet traffic and the 5xx of the exhaustion. */
  function window() {
    const incident = env.timeline.truth.find((t) => t.id === 'db-pool-exhaustion')!;
    const snap = (t: number) => Math.floor(t / TRUTH_INTERVAL_MS) * TRUTH_INTERVAL_MS;
    return { from: snap(incident.start - 2 * HOUR), to: snap(incident.end) };
  }

  it('each route’s share of total time is its mean × rate over the sum across routes, and the shares add to 1', async () => {
    const { from, to } = window();
    const res = await run(
      dataSource(env.uid),
      [
        { refId: 'T', queryType: 'timeShare', groupBy: ['route'] },
        { refId: 'M', queryType: 'mean', groupBy: ['route'] },
        { refId: 'R', queryType: 'rate', groupBy: ['route'] },
      ] as PrefectQuery[],
      from,
      to,
      {},
      TRUTH_INTERVAL_MS
    );
    expect(res.errors).toBeUndefined();
    const by = (refId: string) =>
      points(
        res.data.filter((f: DataFrame) => f.refId === refId),
        (l) => l[routeLabel()]
      );
    const [share, mean, rate] = [by('T'), by('M'), by('R')];
    const times = new Set([...share.keys()].map((k) => k.split(' @ ')[1]));
    const routes = new Set([...share.keys()].map((k) => k.split(' @ ')[0]));
    expect(routes.size).toBe(ROUTES.length);
    let checked = 0;
    for (const t of times) {
      const time = (r: string) => (mean.get(`${r} @ ${t}`) ?? NaN) * (rate.get(`${r} @ ${t}`) ?? NaN);
      const total = [...routes].reduce((s, r) => s + (Number.isFinite(time(r)) ? time(r) : 0), 0);
      const shares = [...routes].map((r) => share.get(`${r} @ ${t}`) ?? 0);
      if (total <= 0) {
        continue;
      }
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      for (const r of routes) {
        if (Number.isFinite(time(r))) {
          expect(share.get(`${r} @ ${t}`)).toBeCloseTo(time(r) / total, 6);
        }
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('the status mix of each route adds to 1 and its 5xx share is the 5xx ratio', async () => {
    const { from, to } = window();
    const res = await run(
      dataSource(env.uid),
      [
        { refId: 'S', queryType: 'statusMix', groupBy: ['route'] },
        { refId: 'E', queryType: 'errorRatio', groupBy: ['route'] },
      ] as PrefectQuery[],
      from,
      to,
      {},
      TRUTH_INTERVAL_MS
    );
    expect(res.errors).toBeUndefined();
    const mixFrames = res.data.filter((f: DataFrame) => f.refId === 'S');
    const classes = new Set(mixFrames.map((f: DataFrame) => f.fields[1].labels?.status_class));
    expect([...classes].every((c) => /^[1-5]xx$/.test(String(c)))).toBe(true);
    expect(classes.has('2xx')).toBe(true);
    expect(classes.has('5xx')).toBe(true);
    const mix = points(mixFrames, (l) => `${l[routeLabel()]} ${l.status_class}`);
    const errors = points(
      res.data.filter((f: DataFrame) => f.refId === 'E'),
      (l) => l[routeLabel()]
    );
    const sums = new Map<string, number>();
    for (const [k, v] of mix) {
      const [routeClass, t] = k.split(' @ ');
      const route = routeClass.slice(0, routeClass.lastIndexOf(' '));
      sums.set(`${route} @ ${t}`, (sums.get(`${route} @ ${t}`) ?? 0) + v);
    }
    expect(sums.size).toBeGreaterThan(20);
    for (const total of sums.values()) {
      expect(total).toBeCloseTo(1, 6);
    }
    let withErrors = 0;
    for (const [k, ratio] of errors) {
      const [route, t] = k.split(' @ ');
      if (!Number.isFinite(ratio)) {
        continue;
      }
      expect(mix.get(`${route} 5xx @ ${t}`) ?? 0).toBeCloseTo(ratio, 6);
      withErrors += ratio > 0.05 ? 1 : 0;
    }
    // The exhaustion's 5xx are seen, so the comparison above was not only of zeros.
    expect(withErrors).toBeGreaterThan(0);
  });
});
