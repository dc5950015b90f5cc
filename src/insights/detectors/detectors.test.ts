/** @jest-environment node */
import { capQuantiles, ScanInputBuilder } from '../testing/scanInputBuilder';
import { isDatabaseBacked } from '../toolkit/families';
import { suppressExplained } from '../toolkit/suppression';
import type { Episode, ScanInput } from '../types';
import { DETECTORS } from './index';

const STEP = 15_000;
const MIN = 60_000;

function runAll(input: ScanInput): Episode[] {
  return DETECTORS.flatMap((d) => d.detect(input));
}

function only(episodes: Episode[], id: Episode['id']): Episode {
  expect(episodes.map((e) => e.id)).toEqual([id]);
  return episodes[0];
}

/** Start and end within one grid step of the injected signature. */
function expectSpan(b: ScanInputBuilder, e: Episode, fromMin: number, toMin: number, slack = STEP) {
  expect(Math.abs(e.start - b.timeAt(b.indexAt(fromMin)))).toBeLessThanOrEqual(slack);
  expect(Math.abs(e.end - b.timeAt(b.indexAt(toMin)))).toBeLessThanOrEqual(slack);
}

describe('each detector fires on its own signature only', () => {
  it('db-pool-exhaustion: many database-backed routes pile up toward pool_timeout', () => {
    const b = new ScanInputBuilder()
      .set(isDatabaseBacked, 60, 90, { p95: 25, p99: 30, mean: 18 })
      .errors(isDatabaseBacked, 60, 90, 0.12);
    const episodes = runAll(capQuantiles(b.build()));
    const e = only(episodes, 'db-pool-exhaustion');
    expectSpan(b, e, 60, 90);
    expect(e.severity).toBe('critical');
    expect(e.routes).toEqual(b.routeNames(isDatabaseBacked).sort());
    expect(e.evidence.p95AboveLargestBucket).toBe(true);
    expect(e.evidence.summary).toContain('above the largest bucket (≥ 10 s)');
    expect(e.evidence.summary).toContain('12 % 5xx');
    expect(e.evidence.affectedRoutes).toBe(13);
    expect(e.evidence.poolTimeoutSeconds).toBe(30);
    // Little's law over the database-backed routes against the configured pool capacity.
    expect(e.evidence.poolCapacity).toBe(15);
    expect(e.evidence.inFlightPeak).toBeGreaterThan(0);
    expect(e.evidence.summary).toMatch(
      /requests in flight \(rate × mean latency\).*pool_size 5 \+ max_overflow 10 = 15/
    );
  });

  it('db-pool-exhaustion sets the in-flight estimate against the pool the operator configured', () => {
    const busy = (settings: { poolSize: number; maxOverflow: number }) => {
      const b = new ScanInputBuilder({ settings })
        .set(isDatabaseBacked, 60, 90, { p95: 25, p99: 30, mean: 18, rate: 2 })
        .errors(isDatabaseBacked, 60, 90, 0.12);
      return only(runAll(capQuantiles(b.build())), 'db-pool-exhaustion').evidence;
    };
    // 13 database-backed routes × 2 req/s × 18 s = 468 in flight.
    const small = busy({ poolSize: 5, maxOverflow: 10 });
    expect(small.inFlightPeak).toBeCloseTo(468, 0);
    expect(small.summary).toContain('more than the pool holds');
    const large = busy({ poolSize: 400, maxOverflow: 100 });
    expect(large.poolCapacity).toBe(500);
    expect(large.summary).toContain('within the pool: pool_size 400 + max_overflow 100 = 500');
  });

  it('db-pool-exhaustion follows pool_timeout from the settings', () => {
    const b = new ScanInputBuilder({ settings: { poolTimeoutSeconds: 120 } })
      .set(isDatabaseBacked, 60, 90, { p95: 25, p99: 30, mean: 18 })
      .errors(isDatabaseBacked, 60, 90, 0.12);
    expect(runAll(capQuantiles(b.build())).map((e) => e.id)).not.toContain('db-pool-exhaustion');
  });

  it('task-runs-count-timeout: the count routes outlast UI patience, the rest is fine', () => {
    const routes = ['/task_runs/count', '/ui/task_runs/dashboard/counts'];
    const b = new ScanInputBuilder().set(routes, 30, 75, { p95: 14, p99: 20, mean: 8 });
    const e = only(runAll(capQuantiles(b.build())), 'task-runs-count-timeout');
    expectSpan(b, e, 30, 75);
    expect(e.routes).toEqual(routes);
    expect(e.evidence.thresholdSeconds).toBe(10);
    expect(e.evidence.otherRoutesNear).toBe(e.evidence.otherRoutesKnown);
    expect(e.evidence.cutOffSeconds).toBe(10);
  });

  it('task-runs-count-timeout: points where only two other routes answer, one of them slow, do not break it', () => {
    // As on a live Prefect (tests/prefect/README.md, 2026-12-04): while the counts waited on a task_run lock, some
    // windows held answers of two other routes only, flow-run creation blocked by the same lock and a poll.
    const routes = ['/task_runs/count', '/ui/task_runs/dashboard/counts'];
    const answering = ['/flow_runs/{id}', '/work_pools/{name}/get_scheduled_flow_runs'];
    // 2.5 minutes slow, broken twice: pieces of 1 min, 45 s and 15 s, each under the 2-minute persistence.
    const b = new ScanInputBuilder().set(routes, 30, 32.5, { p95: 14, p99: 20, mean: 10 });
    const others = (r: string) => !routes.includes(r) && !answering.includes(r);
    for (const at of [31, 32]) {
      b.gap(others, at, at + 0.1).set('/flow_runs/{id}', at, at + 0.1, { p95: 10, p99: 10, mean: 10 });
    }
    const e = only(runAll(capQuantiles(b.build())), 'task-runs-count-timeout');
    expectSpan(b, e, 30, 32.5);
  });

  it('count and filter routes: the evidence says whether p99 piles up at the configured statement timeout', () => {
    const routes = ['/flow_runs/filter', '/flow_runs/paginate'];
    const run = (statementTimeoutSeconds: number) =>
      only(
        runAll(
          new ScanInputBuilder({ largestBucket: null, settings: { statementTimeoutSeconds } })
            .set(routes, 100, 140, { p95: 12, p99: 15, mean: 7 })
            .build()
        ),
        'runs-page-slow'
      ).evidence;
    const at = run(15);
    expect(at.p99AtCutOff).toBe(true);
    expect(at.summary).toContain('p99 15 s piles up at the statement timeout 15 s');
    const below = run(60);
    expect(below.p99AtCutOff).toBe(false);
    expect(below.cutOffSeconds).toBe(60);
    expect(below.summary).toContain('vs the statement timeout 60 s');
  });

  it('runs-page-slow: flow_runs/filter and paginate at ≥ UI patience', () => {
    const routes = ['/flow_runs/filter', '/flow_runs/paginate'];
    const b = new ScanInputBuilder({ largestBucket: null }).set(routes, 100, 140, { p95: 12, p99: 15, mean: 7 });
    const e = only(runAll(b.build()), 'runs-page-slow');
    expectSpan(b, e, 100, 140);
    expect(e.routes).toEqual(routes);
    expect(e.evidence.p95MaxSeconds).toBe(12);
  });

  it('runs-page-slow respects a more patient UI setting', () => {
    const b = new ScanInputBuilder({ largestBucket: null, settings: { uiPatienceSeconds: 20 } }).set(
      ['/flow_runs/filter'],
      100,
      140,
      { p95: 12, p99: 15, mean: 7 }
    );
    expect(runAll(b.build())).toEqual([]);
  });

  it('api-overload-http-500: twice the traffic, 5xx, raised latency', () => {
    const all = () => true;
    const b = new ScanInputBuilder().busier(all, 50, 80, 3).errors(all, 50, 80, 0.1).slower(all, 50, 80, 2);
    const e = only(runAll(b.build()), 'api-overload-http-500');
    expectSpan(b, e, 50, 80);
    expect(e.evidence.errorShare).toBeCloseTo(0.1, 2);
    expect(e.evidence.rateOverBaseline as number).toBeGreaterThan(2);
  });

  it('api-overload-http-500: latency raised over the surge, though at some points fewer than half the routes are', () => {
    // As on a live Prefect whose overflow connections were refused: the routes answering 503 at once lose their raised
    // p95 now and then. Here every fourth point has only 40 % of the routes raised, where the rest have 60 %; judged
    // point by point, no run of the surge lasted 2 minutes.
    const all = () => true;
    const b = new ScanInputBuilder().busier(all, 50, 80, 3).errors(all, 50, 80, 0.1);
    const names = b.routeNames(all);
    const from = b.indexAt(50);
    b.each(all, 50, 80, (r, i) => {
      const share = (i - from) % 4 === 3 ? 0.4 : 0.6;
      if (names.indexOf(r.route) < Math.round(share * names.length)) {
        r.p95[i] *= 2;
        r.p99[i] *= 2;
        r.mean[i] *= 2;
      }
    });
    const e = only(runAll(b.build()), 'api-overload-http-500');
    expectSpan(b, e, 50, 80);
  });

  it('api-overload-http-500: a surge that fails at once while latency keeps its pace is not an overload', () => {
    const all = () => true;
    const b = new ScanInputBuilder().busier(all, 50, 80, 3).errors(all, 50, 80, 0.1);
    expect(runAll(b.build()).filter((e) => e.id === 'api-overload-http-500')).toEqual([]);
  });

  it('http2-agent-stop: polling falls silent after errors while the API keeps serving', () => {
    const route = '/work_queues/{id}/get_runs';
    const b = new ScanInputBuilder().errors(route, 50, 57.75, 0.2).set(route, 58, 180, { rate: 0 });
    b.set(route, 58, 180, { p50: NaN, p95: NaN, p99: NaN, mean: NaN, errorRate: 0 });
    const e = only(runAll(b.build()), 'http2-agent-stop');
    expectSpan(b, e, 58, 180);
    expect(e.routes).toEqual([route]);
    expect(e.evidence.silentMinutes as number).toBeGreaterThanOrEqual(120);
  });

  it('http2-agent-stop: a worker shut down cleanly (no errors, no slow calls) is not an insight', () => {
    const b = new ScanInputBuilder().set('/work_queues/{id}/get_runs', 58, 180, { rate: 0 });
    expect(runAll(b.build())).toEqual([]);
  });

  it('http2-agent-stop: a worker that backs off before it exits stops where its last poll was, not at the first gap', () => {
    // Prefect's critical_service_loop: failed polls, then the interval doubles four times (20, 40, 80, 160 s)
    // before the worker exits, so from minute 50 polls arrive further and further apart, all failing.
    const route = '/work_pools/{name}/get_scheduled_flow_runs';
    const b = new ScanInputBuilder();
    const polls = [50, 50.5, 51, 51.75, 52.5, 53.25, 54.5, 55.75, 57, 58.25, 59.5];
    b.each(route, 50, 180, (r, i) => {
      const polled = polls.some((m) => b.indexAt(m) === i);
      r.rate[i] = polled ? 0.07 : 0;
      r.errorRate[i] = polled ? 0.07 : 0;
    });
    const e = only(runAll(b.build()), 'http2-agent-stop');
    expectSpan(b, e, 59.5 + STEP / MIN, 180);
    expect(e.evidence.errorShareBefore as number).toBeGreaterThan(0);
    expect(e.evidence.summary).toMatch(/% 5xx in the 15 min before/);
  });

  it('http2-agent-stop: a restart of the whole API inside the silence does not split it', () => {
    const route = '/work_queues/{id}/get_runs';
    const b = new ScanInputBuilder().errors(route, 50, 57.75, 0.2).set(route, 58, 180, { rate: 0, errorRate: 0 });
    b.gap(() => true, 100, 101);
    const e = only(runAll(b.build()), 'http2-agent-stop');
    expectSpan(b, e, 58, 180);
  });

  it('http2-agent-stop: polling that fades out over hours is not a stop, even with errors on the way', () => {
    const route = '/work_queues/{id}/get_runs';
    const b = new ScanInputBuilder();
    b.each(route, -180, 0, (r, i) => {
      const left = (b.indexAt(0) - i) / (b.indexAt(0) - b.indexAt(-180));
      r.rate[i] *= left;
      r.errorRate[i] = r.rate[i] * 0.2;
    });
    b.set(route, 0.25, 180, { rate: 0, errorRate: 0 });
    expect(runAll(b.build()).map((e) => e.id)).not.toContain('http2-agent-stop');
  });

  it('pending-deadlock: set_state beyond the client timeout', () => {
    const routes = ['/flow_runs/{id}/set_state'];
    const b = new ScanInputBuilder().set(routes, 40, 70, { p95: 60, p99: 70, mean: 50, slowShare: 0.3 });
    const e = only(runAll(capQuantiles(b.build())), 'pending-deadlock');
    expectSpan(b, e, 40, 70);
    expect(e.routes).toEqual(routes);
    expect(e.evidence.slowShareMax).toBe(0.3);
    expect(e.evidence.requestTimeoutSeconds).toBe(60);
  });

  it('api-outage: up is 0 for ten minutes', () => {
    const b = new ScanInputBuilder().upValue(100, 110, 0).gap(() => true, 100, 110.5);
    const e = only(runAll(b.build()), 'api-outage');
    expectSpan(b, e, 100, 110);
    expect(e.evidence.source).toBe('up');
  });

  it('api-outage: without `up`, every route stops advancing', () => {
    const b = new ScanInputBuilder().upValue(-360, 180, NaN).set(() => true, 100, 110, { rate: 0 });
    const e = only(runAll(b.build()), 'api-outage');
    // The first zero of a 45 s rate window (15 s scrape) proves the counters stood still for the 30 s before it.
    expectSpan(b, e, 99.5, 110);
    expect(e.evidence.source).toBe('series');
  });

  it('api-outage: a hang of 2.5 min counts from when the counters froze, not from the first zero rate', () => {
    // 30 s scrape: the engine's rate window is 90 s, so counters frozen from minute 100 to 102.5 show as zero rates
    // only from 101 to 102.5 (4 points, 1.5 min), which alone would miss the persistence rule.
    const hang = new ScanInputBuilder({ stepMs: 30_000 }).set(() => true, 101, 102.5, { rate: 0 });
    const e = only(runAll(hang.build()), 'api-outage');
    expectSpan(hang, e, 100, 102.5, 30_000);
    // A 1.5-minute freeze (zero rates at 101 and 101.5 only) stays under 2 minutes: no outage.
    const brief = new ScanInputBuilder({ stepMs: 30_000 }).set(() => true, 101, 101.5, { rate: 0 });
    expect(runAll(brief.build())).toEqual([]);
  });

  it('read-work-pool-hang: GET work_pools/{name} stuck at pool_timeout', () => {
    const b = new ScanInputBuilder().set('/work_pools/{name}', 20, 50, { p95: 30, p99: 30, mean: 29 });
    const e = only(runAll(capQuantiles(b.build())), 'read-work-pool-hang');
    expectSpan(b, e, 20, 50);
    expect(e.routes).toEqual(['/work_pools/{name}']);
    expect(e.evidence.thresholdName).toBe('pool_timeout');
  });

  it('db-pool-exhaustion with minutes of history: the incident does not become its own baseline', () => {
    // Grid start 12:00 = a block edge: the block 12:05-12:10 is 4/5 exhaustion, so from 12:10 on the rolling median
    // of two blocks is about 4 s (×5 = 20 s: above the capped buckets and the mean). The baseline from before the
    // jump holds while the routes stay far above it.
    const b = new ScanInputBuilder({ lookbackMinutes: 0, rangeMinutes: 40 })
      .set(isDatabaseBacked, 6, 20, { p95: 25, p99: 30, mean: 18 })
      .errors(isDatabaseBacked, 6, 20, 0.5);
    // (The family insights' "others near baseline" reads the risen baseline, so they fire too; the pool
    // exhaustion explains them, as the scan's suppression says.)
    const e = only(suppressExplained(runAll(capQuantiles(b.build()))), 'db-pool-exhaustion');
    expectSpan(b, e, 6, 20);
    expect(e.evidence.p95OverBaseline as number).toBeGreaterThan(50);
  });

  it('db-pool-exhaustion: windows where only one route answered neither hold nor break it', () => {
    // Callers wait for the pool, so a short window may hold one route's answers only: far and piled, but one route.
    const b = new ScanInputBuilder()
      .set(isDatabaseBacked, 60, 63, { p95: 25, p99: 30, mean: 18 })
      .errors(isDatabaseBacked, 60, 63, 0.5)
      .gap((r) => isDatabaseBacked(r) && r !== '/flow_runs/filter', 61, 61.5);
    const e = only(runAll(capQuantiles(b.build())), 'db-pool-exhaustion');
    expectSpan(b, e, 60, 63);
    // A minute of one route only is the most it bridges: 1.5 minutes split the 3 minutes into pieces under 2.
    const longer = new ScanInputBuilder()
      .set(isDatabaseBacked, 60, 63.5, { p95: 25, p99: 30, mean: 18 })
      .errors(isDatabaseBacked, 60, 63.5, 0.5)
      .gap((r) => isDatabaseBacked(r) && r !== '/flow_runs/filter', 61, 62.5);
    expect(runAll(capQuantiles(longer.build())).map((x) => x.id)).not.toContain('db-pool-exhaustion');
  });

  it('read-work-pool-hang: windows without any answer of the hanging route do not split it', () => {
    // Every reader gives up at the same timeout, so some 15 s windows hold no answer at all (a real Prefect's lock).
    const hang = { p95: 30, p99: 30, mean: 29 };
    const b = new ScanInputBuilder().set('/work_pools/{name}', 20, 50, hang);
    for (const at of [21, 24.5, 30, 30.25, 30.5, 41]) {
      b.gap('/work_pools/{name}', at, at);
    }
    const e = only(runAll(capQuantiles(b.build())), 'read-work-pool-hang');
    expectSpan(b, e, 20, 50);
    // Pieces under 2 minutes with more than a minute without data between them are no hang.
    const split = new ScanInputBuilder()
      .set('/work_pools/{name}', 20, 21.5, hang)
      .gap('/work_pools/{name}', 21.75, 23)
      .set('/work_pools/{name}', 23.25, 24.75, hang);
    expect(runAll(capQuantiles(split.build()))).toEqual([]);
    // Nor when the rest of the API is slow at the empty points: that is no route-family hang.
    const broad = new ScanInputBuilder()
      .set('/work_pools/{name}', 20, 21.5, hang)
      .gap('/work_pools/{name}', 21.75, 22)
      .set('/work_pools/{name}', 22.25, 23.75, hang)
      .slower((r) => r !== '/work_pools/{name}', 21.75, 22, 20);
    expect(runAll(capQuantiles(broad.build())).filter((x) => x.id === 'read-work-pool-hang')).toEqual([]);
  });

  it('stale-statistics: the read-heavy routes climb 25 % a day, then fall back at ANALYZE', () => {
    const DAY = 86_400_000;
    const b = new ScanInputBuilder({ stepMs: 60_000, rangeMinutes: 10 * 24 * 60, lookbackMinutes: 360 });
    const climbStart = Date.UTC(2026, 10, 4, 0, 0);
    const fall = Date.UTC(2026, 10, 9, 5, 0);
    const readHeavy = ['/flow_runs/filter', '/flow_runs/paginate', '/flow_runs/count'];
    const toMin = (t: number) => (t - b.startMs) / MIN;
    b.each(readHeavy, toMin(climbStart), toMin(fall) - 1, (s, i) => {
      const f = Math.pow(1.25, (b.timeAt(i) - climbStart) / DAY);
      s.p50[i] *= f;
      s.p95[i] *= f;
      s.p99[i] *= f;
      s.mean[i] *= f;
    });
    const episodes = runAll(b.build());
    const e = only(episodes, 'stale-statistics');
    expect(e.routes).toEqual([...readHeavy].sort());
    expect(Math.abs(e.start - climbStart)).toBeLessThanOrEqual(DAY);
    expect(e.end).toBeLessThan(fall);
    expect(fall - e.end).toBeLessThanOrEqual(3_600_000);
    expect(e.evidence.fellBack).toBe(true);
    expect(e.evidence.growthPerDay as number).toBeGreaterThan(0.15);
  });

  it('stale-statistics: a flat week with a daily cycle and one bad day is not a trend', () => {
    const b = new ScanInputBuilder({ stepMs: 60_000, rangeMinutes: 7 * 24 * 60, dailyCycle: 0.6 });
    b.slower(['/flow_runs/filter'], 3 * 24 * 60, 4 * 24 * 60, 4);
    expect(runAll(b.build()).filter((e) => e.id === 'stale-statistics')).toEqual([]);
  });
});

describe('decoys never fire', () => {
  const all = () => true;
  const cases: Array<[string, () => ScanInput]> = [
    ['normal traffic', () => new ScanInputBuilder().build()],
    [
      'one slow scrape (on two points of the short rate window)',
      () =>
        capQuantiles(
          new ScanInputBuilder().set(all, 60, 60.25, { p95: 40, p99: 40, mean: 35 }).errors(all, 60, 60.25, 0.5).build()
        ),
    ],
    ['a restart under a minute', () => new ScanInputBuilder().upValue(60, 60.75, 0).gap(all, 60, 61.25).build()],
    ['the daily load cycle', () => new ScanInputBuilder({ rangeMinutes: 2 * 24 * 60, dailyCycle: 0.8 }).build()],
    ['a 30 % traffic bump', () => new ScanInputBuilder().busier(all, 60, 120, 1.3).build()],
    [
      'counter resets',
      () =>
        new ScanInputBuilder()
          .set(all, 60, 60.25, { rate: -40, errorRate: -3 })
          .set(all, 90, 90.25, { rate: NaN, errorRate: NaN })
          .build(),
    ],
    ['a Prometheus gap of 20 minutes', () => new ScanInputBuilder().upValue(60, 80, NaN).gap(all, 60, 80).build()],
  ];
  it.each(cases)('%s', (_name, make) => {
    expect(runAll(make())).toEqual([]);
  });
});

describe("OpenTelemetry's buckets stop at 10 s: the tail above them, from the exact mean", () => {
  const setState = ['/flow_runs/{id}/set_state'];

  it('pending-deadlock: 15 % of set_state requests at ~84 s, no slow share, p99 in +Inf, mean 13 s', () => {
    // The body keeps its baseline (~20 ms); the mean is what 15 % at 84 s makes of it.
    const b = new ScanInputBuilder()
      .set(setState, 40, 70, { p95: 70, p99: 90, tailShare: 0.15, slowShare: NaN })
      .each(setState, 40, 70, (s, i) => {
        s.mean[i] = 0.15 * 84 + 0.85 * s.mean[i];
      });
    const e = only(runAll(capQuantiles(b.build())), 'pending-deadlock');
    expectSpan(b, e, 40, 70);
    expect(e.routes).toEqual(setState);
    expect(e.evidence.slowShareMax).toBeNull();
    expect(e.evidence.tailShare).toBe(0.15);
    expect(e.evidence.tailMeanEstimateSeconds as number).toBeGreaterThan(0.9 * 60);
    expect(e.evidence.tailMeanEstimateSeconds as number).toBeLessThanOrEqual(84);
    expect(e.evidence.summary).toMatch(/≈ 8\d(\.\d)? s estimated from the mean; buckets stop at 10 s/);
    expect(e.evidence.summary).toContain('p99 above the largest bucket (≥ 10 s)');
  });

  it('pending-deadlock stays silent when many set_state requests are above 10 s but only a little (12 s)', () => {
    const b = new ScanInputBuilder()
      .set(setState, 40, 70, { p50: 11, p95: 12.5, p99: 13, tailShare: 0.6, slowShare: NaN })
      .each(setState, 40, 70, (s, i) => {
        s.mean[i] = 0.6 * 12 + 0.4 * s.mean[i];
      });
    expect(runAll(capQuantiles(b.build())).filter((e) => e.id === 'pending-deadlock')).toEqual([]);
  });

  /** set_state requests at 30 s completing only at every `every`-th point, `between` the share elsewhere. */
  const sparseTail = (every: number, between: number) => {
    const b = new ScanInputBuilder({ settings: { apiRequestTimeoutSeconds: 20 } });
    return b.each(setState, 40, 70, (s, i) => {
      const visible = i % every === 0;
      s.tailShare[i] = visible ? 0.06 : between;
      s.slowShare[i] = NaN;
      s.mean[i] = (visible ? 0.06 : between) * 30 + s.mean[i];
      if (visible) {
        s.p95[i] = 30;
        s.p99[i] = 30;
      }
    });
  };

  it('pending-deadlock: slow set_state seen only when they end, once a minute, is one episode', () => {
    const b = sparseTail(4, 0);
    const e = only(runAll(capQuantiles(b.build())), 'pending-deadlock');
    expectSpan(b, e, 40, 70, 4 * STEP);
    expect(e.evidence.requestTimeoutSeconds).toBe(20);
  });

  it('pending-deadlock: points whose small tail is visible and below the share do break the run', () => {
    const b = sparseTail(4, 0.005);
    expect(runAll(capQuantiles(b.build())).filter((e) => e.id === 'pending-deadlock')).toEqual([]);
  });

  it('pending-deadlock: a measured slow share of 0 outweighs the estimate', () => {
    const b = new ScanInputBuilder({ largestBucket: 30 }).set(setState, 40, 70, {
      p95: 30,
      p99: 30,
      mean: 0.15 * 84,
      tailShare: 0.15,
      slowShare: 0,
    });
    expect(runAll(capQuantiles(b.build())).filter((e) => e.id === 'pending-deadlock')).toEqual([]);
  });

  it('db-pool-exhaustion: p95 and p99 in +Inf, mean 13.5 s < pool_timeout/2, 55 % above 10 s', () => {
    const b = new ScanInputBuilder()
      .set(isDatabaseBacked, 60, 90, { p50: 11, p95: 25, p99: 30, mean: 13.5, tailShare: 0.55 })
      .errors(isDatabaseBacked, 60, 90, 0.2);
    const e = only(runAll(capQuantiles(b.build())), 'db-pool-exhaustion');
    expectSpan(b, e, 60, 90);
    expect(e.routes).toEqual(b.routeNames(isDatabaseBacked).sort());
    // The median is in +Inf too, so the body counts as 10 s: (13.5 − 0.45 · 10) / 0.55
    expect(e.evidence.tailMeanEstimateSeconds).toBeCloseTo(16.364, 2);
    expect(e.evidence.summary).toContain('≈ 16.4 s estimated from the mean; buckets stop at 10 s');
    expect(e.evidence.summary).toContain('20 % 5xx');
    expect(e.evidence.summary).not.toMatch(/\bp(95|99) 10 s\b/);
  });

  it('db-pool-exhaustion stays silent when the broad slowdown is only a little above 10 s', () => {
    const b = new ScanInputBuilder()
      .set(isDatabaseBacked, 60, 90, { p50: 11, p95: 14, p99: 15, mean: 12, tailShare: 0.9 })
      .errors(isDatabaseBacked, 60, 90, 0.2);
    expect(runAll(capQuantiles(b.build())).filter((e) => e.id === 'db-pool-exhaustion')).toEqual([]);
  });

  it('db-pool-exhaustion does not take the tail for the pile-up when p99 is below the largest bucket', () => {
    const b = new ScanInputBuilder({ largestBucket: 60 })
      .set(isDatabaseBacked, 60, 90, { p50: 4, p95: 9, p99: 12, mean: 6, tailShare: 0.05 })
      .errors(isDatabaseBacked, 60, 90, 0.2);
    expect(runAll(capQuantiles(b.build())).filter((e) => e.id === 'db-pool-exhaustion')).toEqual([]);
  });
});

describe('the catalogue-only insights', () => {
  it('have no detector and are never emitted', () => {
    const ids = DETECTORS.map((d) => d.id as string);
    expect(ids).not.toContain('k8s-worker-pod-overhead');
    expect(ids).not.toContain('connection-reset');
    expect(new Set(ids).size).toBe(9);
  });
});

describe('broad wins', () => {
  it('a pool exhaustion that also slows the runs page reports only the pool', () => {
    const b = new ScanInputBuilder()
      .set(isDatabaseBacked, 60, 90, { p95: 25, p99: 30, mean: 18 })
      .set(['/flow_runs/filter', '/flow_runs/paginate'], 55, 95, { p95: 25, p99: 30, mean: 20 });
    const episodes = suppressExplained(runAll(capQuantiles(b.build())));
    expect(episodes.map((e) => e.id)).toEqual(['db-pool-exhaustion']);
  });
});

describe('look-back and ranges', () => {
  it('an episode that began in the look-back is reported from the range start', () => {
    const b = new ScanInputBuilder().set('/work_pools/{name}', -30, 20, { p95: 30, p99: 30, mean: 29 });
    const e = only(runAll(capQuantiles(b.build())), 'read-work-pool-hang');
    expect(e.start).toBe(b.startMs);
    expectSpan(b, e, 0, 20);
  });

  it('an episode entirely in the look-back is not reported', () => {
    const b = new ScanInputBuilder().set('/work_pools/{name}', -120, -60, { p95: 30, p99: 30, mean: 29 });
    expect(runAll(capQuantiles(b.build()))).toEqual([]);
  });

  it('without look-back the evidence says how little history the baseline had', () => {
    const b = new ScanInputBuilder({ lookbackMinutes: 0 }).set(isDatabaseBacked, 60, 90, {
      p95: 25,
      p99: 30,
      mean: 18,
    });
    const e = only(runAll(capQuantiles(b.build())), 'db-pool-exhaustion');
    expect(e.evidence.baselineHours).toBe(1);
    expect(e.evidence.summary).toContain('baseline from 1 h of history');
  });

  it('a single route and a single sample do not throw', () => {
    const one = new ScanInputBuilder({ routes: ['/flow_runs/filter'], rangeMinutes: 0.25, lookbackMinutes: 0 });
    expect(one.build().grid.length).toBe(1);
    expect(runAll(one.build())).toEqual([]);
    const empty = new ScanInputBuilder({ routes: [], rangeMinutes: 0, lookbackMinutes: 0 }).build();
    expect(runAll(empty)).toEqual([]);
  });
});
