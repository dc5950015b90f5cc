/** @jest-environment node */
// Pure checks of the simulator (no Prometheus): determinism, what a client would expose, and that every scenario
// injects the signature the spec describes while decoys stay below it.
import {
  buildTimeline,
  COMPACT_ROUTE_IDS,
  DECOY_IDS,
  HistogramAccumulator,
  inFamily,
  mixtureCdf,
  mixtureQuantile,
  PREFECT_BUCKETS,
  SCENARIO_IDS,
  toOpenMetrics,
  TrafficModel,
  selectRoutes,
  type Timeline,
  type TruthEntry,
} from '../../tools/simulator';

const START = Date.UTC(2026, 0, 5);
const MIN = 60000;
const DAY = 86400000;

function entry(tl: Timeline, id: string): TruthEntry {
  const e = tl.truth.find((t) => t.id === id);
  if (!e) {
    throw new Error(`no truth entry ${id}`);
  }
  return e;
}

describe('model', () => {
  it('inverts its own distribution: CDF at the p95 is 0.95', () => {
    const comps = [
      { weight: 0.7, median: 0.05, sigma: 0.6, error: 0 },
      { weight: 0.3, median: 30.05, sigma: 0, error: 1 },
    ];
    expect(mixtureCdf(comps, mixtureQuantile(comps, 0.5))).toBeCloseTo(0.5, 3);
    expect(mixtureQuantile(comps, 0.95)).toBeCloseTo(30.05, 2);
    expect(mixtureCdf(comps, 1, 'error')).toBe(0);
    expect(mixtureCdf(comps, 31, 'error')).toBe(1);
  });

  it('exposes integer, monotone cumulative buckets ending in the count', () => {
    const model = new TrafficModel({ seed: 1, routes: selectRoutes(['/flow_runs/filter']), start: START });
    const acc = new HistogramAccumulator(model, 0, 'ok', PREFECT_BUCKETS, START);
    let prev = acc.snapshot();
    for (let k = 1; k <= 200; k++) {
      acc.advance(START + k * 15000, 15000);
      const s = acc.snapshot();
      expect(s.buckets[s.buckets.length - 1]).toBe(s.count);
      for (let j = 0; j < s.buckets.length; j++) {
        expect(Number.isInteger(s.buckets[j])).toBe(true);
        expect(s.buckets[j]).toBeGreaterThanOrEqual(prev.buckets[j]);
        if (j > 0) {
          expect(s.buckets[j]).toBeGreaterThanOrEqual(s.buckets[j - 1]);
        }
      }
      expect(s.sum).toBeGreaterThanOrEqual(prev.sum);
      prev = s;
    }
    expect(prev.count).toBeGreaterThan(0);
  });

  it('resets counters after a downtime and counts nothing during it', () => {
    const downtimes = [{ id: 'x', start: START + 10 * MIN, end: START + 10 * MIN + 30000, kind: 'down' as const }];
    const model = new TrafficModel({ seed: 2, routes: selectRoutes(['/flow_runs/{id}']), start: START, downtimes });
    const acc = new HistogramAccumulator(model, 0, 'all', PREFECT_BUCKETS, START);
    acc.advance(START + 10 * MIN, 15000);
    const before = acc.snapshot().count;
    acc.advance(START + 11 * MIN, 15000);
    const after = acc.snapshot().count;
    expect(before).toBeGreaterThan(100);
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThan(0);
    expect(model.isUp(START + 10 * MIN + 15000)).toBe(false);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const render = (seed: number) =>
      toOpenMetrics(
        buildTimeline({
          seed,
          start: START,
          days: 0.05,
          routes: ['/health', '/flow_runs/filter'],
          include: [],
          leadHours: 0,
        })
      );
    const a = render(1);
    expect(render(1)).toBe(a);
    expect(render(2)).not.toBe(a);
  });
});

describe('OpenMetrics output', () => {
  const tl = buildTimeline({
    seed: 3,
    convention: 'fastapi-instrumentator',
    start: START,
    days: 0.1,
    routes: ['/health', '/flow_runs/filter'],
    include: [],
    leadHours: 0,
  });
  const text = toOpenMetrics(tl);
  const lines = text.trimEnd().split('\n');

  it('ends with # EOF and declares each family once, before its samples', () => {
    expect(lines[lines.length - 1]).toBe('# EOF');
    const types = lines.filter((l) => l.startsWith('# TYPE'));
    expect(types).toEqual([
      '# TYPE http_request_duration_seconds histogram',
      '# TYPE http_requests counter',
      '# TYPE up gauge',
    ]);
    const firstCounter = lines.findIndex((l) => l.startsWith('http_requests_total'));
    const lastHistogram = lines.map((l) => l.startsWith('http_request_duration_seconds')).lastIndexOf(true);
    expect(lastHistogram).toBeLessThan(firstCounter);
  });

  it('writes timestamps in seconds and status only on the companion counter', () => {
    const sample = lines.find((l) => l.startsWith('http_request_duration_seconds_count'))!;
    const ts = Number(sample.split(' ').pop());
    expect(ts).toBeGreaterThanOrEqual(START / 1000);
    expect(ts).toBeLessThanOrEqual(tl.end / 1000);
    expect(sample).not.toMatch(/status/);
    expect(lines.find((l) => l.startsWith('http_requests_total'))).toMatch(/status="2xx"/);
  });
});

describe('scenarios', () => {
  const day = buildTimeline({ seed: 9, start: START, days: 1 });
  const week = buildTimeline({
    seed: 9,
    start: START,
    days: 7,
    scrapeIntervalSeconds: 60,
    routes: COMPACT_ROUTE_IDS.slice(),
    include: ['stale-statistics', 'db-pool-exhaustion'],
  });
  const baseline = (tl: Timeline, route: string) => tl.model.truth(route, tl.start + 2 * 3600000);

  it('places every detectable insight and decoy somewhere, after six quiet hours', () => {
    const ids = new Set([...day.truth, ...week.truth].map((t) => t.id));
    for (const id of SCENARIO_IDS) {
      expect(ids).toContain(id);
    }
    for (const t of day.truth) {
      expect(t.start - day.start).toBeGreaterThanOrEqual(6 * 3600000);
      expect(t.end).toBeLessThan(day.end);
    }
    expect(DECOY_IDS.every((d) => day.included.includes(d))).toBe(true);
  });

  it('db-pool-exhaustion: half the database routes at p95 >= 5x baseline, piled at pool_timeout, with 5xx', () => {
    const e = entry(day, 'db-pool-exhaustion');
    const db = day.model.routes.filter((r) => inFamily(r.id, 'database'));
    expect(e.routes.length * 2).toBeGreaterThanOrEqual(db.length);
    const t = e.start + 5 * MIN;
    for (const r of e.routes) {
      const truth = day.model.truth(r, t);
      expect(truth.p95).toBeGreaterThanOrEqual(5 * baseline(day, r).p95);
      expect(truth.p99).toBeGreaterThanOrEqual(30);
      expect(truth.errorShare).toBeGreaterThan(0.1);
    }
  });

  it('route-family slowdowns leave the other routes at baseline', () => {
    for (const [id, threshold] of [
      ['task-runs-count-timeout', 10],
      ['runs-page-slow', 10],
      ['read-work-pool-hang', 30],
    ] as const) {
      const e = entry(day, id);
      const t = e.start + 10 * MIN;
      for (const r of e.routes) {
        expect(day.model.truth(r, t).p95).toBeGreaterThanOrEqual(threshold);
      }
      const others = day.model.routes.filter((r) => !e.routes.includes(r.id));
      for (const r of others) {
        expect(day.model.truth(r.id, t).p95).toBeLessThan(2 * baseline(day, r.id).p95);
      }
    }
  });

  it('api-overload-http-500: rate >= 2x and 5xx share >= 5 % overall, latency far below pool_timeout', () => {
    const e = entry(day, 'api-overload-http-500');
    const t = e.start + 5 * MIN;
    let rate = 0;
    let base = 0;
    let errors = 0;
    for (const r of day.model.routes) {
      const truth = day.model.truth(r.id, t);
      rate += truth.rate;
      errors += truth.rate * truth.errorShare;
      base += day.model.truth(r.id, t - 2 * 3600000).rate;
      expect(truth.p99).toBeLessThan(15);
    }
    expect(rate).toBeGreaterThanOrEqual(2 * base);
    expect(errors / rate).toBeGreaterThanOrEqual(0.05);
  });

  it('http2-agent-stop: polling routes fail, then serve nothing for >= 10 min while others serve', () => {
    const e = entry(day, 'http2-agent-stop');
    expect(e.end - e.start).toBeGreaterThanOrEqual(10 * MIN);
    for (const r of e.routes) {
      expect(inFamily(r, 'polling')).toBe(true);
      expect(day.model.truth(r, (e.start + e.end) / 2).rate).toBe(0);
      const before = day.model.truth(r, (e.leadIn! + e.start) / 2);
      expect(before.errorShare > 0.1 || before.p95 > 1).toBe(true);
    }
    expect(day.model.truth('/flow_runs/{id}', (e.start + e.end) / 2).rate).toBeGreaterThan(0);
  });

  it('pending-deadlock: a visible share of set_state above the client timeout', () => {
    const e = entry(day, 'pending-deadlock');
    for (const r of e.routes) {
      expect(r.endsWith('/set_state')).toBe(true);
      expect(day.model.truth(r, e.start + MIN).p99).toBeGreaterThan(60);
    }
  });

  it('api-outage lasts >= 2 min and the short restart < 1 min', () => {
    const outage = entry(day, 'api-outage');
    const restart = entry(day, 'decoy:short-restart');
    expect(outage.end - outage.start).toBeGreaterThanOrEqual(2 * MIN);
    expect(restart.end - restart.start).toBeLessThan(MIN);
    expect(day.model.isUp(restart.start)).toBe(false);
  });

  it('decoys stay below the signatures: one scrape, +30 % traffic', () => {
    const spike = entry(day, 'decoy:one-scrape-spike');
    expect(spike.end - spike.start).toBe(day.scrapeIntervalSeconds * 1000);
    const bump = entry(day, 'decoy:traffic-bump');
    const factor = Number(bump.params.factor);
    expect(factor).toBeGreaterThan(1.2);
    expect(factor).toBeLessThan(1.4);
  });

  it('stale-statistics: read-heavy p95 climbs >= 15 %/day for >= 2 days, then falls back at ANALYZE', () => {
    const e = entry(week, 'stale-statistics');
    expect(e.end - e.start).toBeGreaterThanOrEqual(2 * DAY);
    for (const r of e.routes) {
      expect(inFamily(r, 'read-heavy')).toBe(true);
      const a = week.model.truth(r, e.start + 12 * 3600000).p95;
      const b = week.model.truth(r, e.start + DAY + 12 * 3600000).p95;
      expect(b / a).toBeGreaterThanOrEqual(1.15);
      const last = week.model.truth(r, e.end - MIN).p95;
      const after = week.model.truth(r, e.end + MIN).p95;
      expect(after).toBeLessThan(last / 1.3);
    }
  });

  it('refuses a timeline too short for the scenarios asked for', () => {
    expect(() => buildTimeline({ seed: 1, start: START, days: 1, include: ['stale-statistics'] })).toThrow(/too short/);
  });
});
