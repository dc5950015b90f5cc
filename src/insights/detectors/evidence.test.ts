/** @jest-environment node */
// Evidence that is true: every figure in a summary belongs to the routes it counts. Each case is an overstatement
// seen on a live Prefect 3.9.1 (issue 16), rebuilt with the builder.
import { capQuantiles, ScanInputBuilder } from '../testing/scanInputBuilder';
import { isDatabaseBacked } from '../toolkit/families';
import type { Episode, ScanInput } from '../types';
import { DETECTORS } from './index';

function runAll(input: ScanInput): Episode[] {
  return DETECTORS.flatMap((d) => d.detect(input));
}

function only(episodes: Episode[], id: Episode['id']): Episode {
  expect(episodes.map((e) => e.id)).toEqual([id]);
  return episodes[0];
}

const THIN = '/work_pools/{name}/get_scheduled_flow_runs';

describe('evidence figures belong to the routes they count', () => {
  it('db-pool-exhaustion: per-route p95 at the peak, not one thin route in +Inf at one point', () => {
    // Pool exhausted by load alone (pool_timeout 5 s): every database-backed route at 7.3-9.5 s, 97 % answered
    // after ~4.8 s; the worker's polling route (one call per 10 s) had a single window with its only call in +Inf.
    const db = (r: string) => isDatabaseBacked(r) && r !== THIN;
    const b = new ScanInputBuilder({ settings: { poolTimeoutSeconds: 5 } });
    const names = b.routeNames(db);
    names.forEach((route, k) => {
      const p95 = 7.3 + (2.2 * k) / (names.length - 1);
      b.set(route, 60, 80, { p50: 4.8, p95, p99: 9.9, mean: 4.8, tailShare: 0 });
    });
    b.set(THIN, 60, 80, { p50: 4.8, p95: 8, p99: 9.9, mean: 4.8, rate: 0.1, tailShare: 0 });
    b.set(THIN, 70, 70, { p50: 12.2, p95: 12.2, p99: 12.2, mean: 12.2, tailShare: 1 });
    b.errors(isDatabaseBacked, 60, 80, 0.026);
    const e = only(runAll(capQuantiles(b.build())), 'db-pool-exhaustion');
    const summary = String(e.evidence.summary);
    expect(summary).not.toMatch(/^p95 above the largest bucket/);
    expect(summary).not.toContain('mean 12.2 s');
    expect(summary).toMatch(/^p95 at the peak 7\.3–9\.5 s on 13 of 13 database-backed routes/);
    // The share of their requests above the largest bucket: one window of the thin route among thousands.
    expect(summary).toMatch(/; (< )?0\.\d+ % of their requests above the largest bucket \(10 s\)/);
    expect(e.evidence.p95PeakLowSeconds).toBeCloseTo(7.3, 1);
    expect(e.evidence.p95PeakHighSeconds).toBeCloseTo(9.5, 1);
    expect(e.evidence.meanSeconds as number).toBeLessThan(5);
  });

  it('task-runs-count-timeout: a cut-off above the largest bucket is shown by the mean', () => {
    // Every count answered 500 at the 15 s statement timeout; OpenTelemetry's buckets end at 10 s.
    const routes = ['/task_runs/count', '/ui/task_runs/dashboard/counts'];
    const b = new ScanInputBuilder({ settings: { statementTimeoutSeconds: 15 } })
      .set(routes, 30, 50, { p50: 15, p95: 15, p99: 15, mean: 15, tailShare: 1 })
      .errors(routes, 30, 50, 1);
    const e = only(runAll(capQuantiles(b.build())), 'task-runs-count-timeout');
    const summary = String(e.evidence.summary);
    expect(summary).not.toContain('vs the statement timeout');
    expect(summary).toContain('mean 15.0 s = statement timeout 15 s; buckets end at 10 s');
    expect(e.evidence.p99AtCutOff).toBe(true);
  });

  it('task-runs-count-timeout: a mean well under the cut-off does not claim it', () => {
    const routes = ['/task_runs/count'];
    const b = new ScanInputBuilder({ settings: { statementTimeoutSeconds: 30 } }).set(routes, 30, 50, {
      p95: 12,
      p99: 14,
      mean: 11,
      tailShare: 0.2,
    });
    const e = only(runAll(capQuantiles(b.build())), 'task-runs-count-timeout');
    expect(e.evidence.p99AtCutOff).toBe(false);
    expect(String(e.evidence.summary)).toContain('vs the statement timeout 30 s');
  });

  // Prefect's prometheus_client layout around the default 10 s statement timeout: bounds 10 and 30 s.
  const PREFECT_BOUNDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  const OTEL_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

  it('task-runs-count-timeout: every count cut at 10 s reads p99 29.8 s on bounds 10 and 30 s, and is at the cut-off', () => {
    // Answered at 10.05 s, they land in (10, 30]; histogram_quantile interpolates: 10 + 20 × 0.99.
    const routes = ['/task_runs/count'];
    const evidence = (bucketBounds?: number[]) =>
      only(
        runAll(
          new ScanInputBuilder({ largestBucket: 60, bucketBounds, settings: { statementTimeoutSeconds: 10 } })
            .set(routes, 30, 50, { p50: 20, p95: 29, p99: 29.8, mean: 10.05 })
            .errors(routes, 30, 50, 1)
            .build()
        ),
        'task-runs-count-timeout'
      ).evidence;
    const e = evidence(PREFECT_BOUNDS);
    expect(e.p99AtCutOff).toBe(true);
    expect(String(e.summary)).toContain(
      'p99 29.8 s (interpolated in the bucket 10 s–30 s that holds it) piles up at the statement timeout 10 s'
    );
    // Without the bounds (a native histogram's fine buckets) 29.8 s is three times the cut-off, not at it.
    expect(evidence(undefined).p99AtCutOff).toBe(false);
  });

  it('task-runs-count-timeout: a p99 well past the cut-off bucket is not at it', () => {
    const routes = ['/task_runs/count'];
    const e = only(
      runAll(
        new ScanInputBuilder({
          largestBucket: 60,
          bucketBounds: PREFECT_BOUNDS,
          settings: { statementTimeoutSeconds: 10 },
        })
          .set(routes, 30, 50, { p50: 20, p95: 40, p99: 55, mean: 35 })
          .build()
      ),
      'task-runs-count-timeout'
    ).evidence;
    expect(e.p99AtCutOff).toBe(false);
  });

  it('task-runs-count-timeout: a cut-off equal to the largest bound (OpenTelemetry, 10 s) is shown by the mean', () => {
    // Answered just after 10 s, every count lies in +Inf: p99 says only "≥ 10 s", the mean says 10.1 s.
    const routes = ['/task_runs/count', '/ui/task_runs/dashboard/counts'];
    const b = new ScanInputBuilder({ bucketBounds: OTEL_BOUNDS, settings: { statementTimeoutSeconds: 10 } })
      .set(routes, 30, 50, { p50: 10.1, p95: 10.1, p99: 10.1, mean: 10.1, tailShare: 1 })
      .errors(routes, 30, 50, 1);
    const e = only(runAll(capQuantiles(b.build())), 'task-runs-count-timeout');
    expect(e.evidence.p99AtCutOff).toBe(true);
    expect(String(e.evidence.summary)).toContain('mean 10.1 s = statement timeout 10 s; buckets end at 10 s');
  });
  it('task-runs-count-timeout: the mean is taken where the counts sit at the cut-off, not over the windows after release', () => {
    // Setup b, 2026-12-04: 95 of 96 counts answered 500 at 10.05 s (median), but after the lock's release the 30 s
    // windows still held cancelled counts (p95 in +Inf) beside the fast ones that came back at two to four times
    // the rate (means 5.2, 2.7, 1.3 s), and the summary said "mean 7.8 s over their slow requests".
    const route = '/task_runs/count';
    const b = new ScanInputBuilder({
      stepMs: 10_000,
      bucketBounds: OTEL_BOUNDS,
      settings: { statementTimeoutSeconds: 10 },
    })
      .set(route, 30, 32.5, { p50: 10.05, p95: 10.05, p99: 10.05, mean: 10.05, rate: 0.6, tailShare: 1 })
      .errors(route, 30, 32.5, 1);
    [5.2, 2.7, 1.3].forEach((mean, k) => {
      const at = 32.5 + (k + 1) / 6;
      b.set(route, at, at, { p50: mean, p95: 10.05, p99: 10.05, mean, rate: k === 0 ? 1.2 : 2.4, tailShare: 0.2 });
    });
    const e = only(runAll(capQuantiles(b.build())), 'task-runs-count-timeout');
    expect(e.evidence.meanSeconds as number).toBeCloseTo(10.05, 2);
    expect(e.evidence.meanEpisodeSeconds as number).toBeLessThan(8);
    expect(e.evidence.secondsAtCutOff).toBe(160);
    expect(e.evidence.p99AtCutOff).toBe(true);
    expect(String(e.evidence.summary)).toContain(
      'mean 10.1 s over their requests in the 160 s at the statement timeout'
    );
  });
  it('api-overload-http-500: p95 of the routes raised at the peak, not one thin route at another point', () => {
    const all = () => true;
    const b = new ScanInputBuilder().busier(all, 50, 80, 3).errors(all, 50, 80, 0.1).slower(all, 50, 80, 2);
    b.busier(all, 60, 60, 1.5);
    b.set(THIN, 75, 75, { p50: 9.4, p95: 9.5, p99: 9.9, mean: 9.4, rate: 0.01 });
    const e = only(runAll(b.build()), 'api-overload-http-500');
    const summary = String(e.evidence.summary);
    expect(summary).not.toContain('9.5 s');
    expect(summary).toMatch(/; p95 there [^;]+ on (\d+) of \1 routes \(each ≥ ×1\.5 baseline\), p99 there /);
    expect(e.evidence.p95PeakHighSeconds as number).toBeLessThan(9);
    expect(e.evidence.peakAt).toBe(new Date(b.timeAt(b.indexAt(60))).toISOString());
  });

  it("pending-deadlock: the share of the episode's set_state requests above the timeout, not one window's", () => {
    // One window where 3 of 4 set_state requests waited the timeout out, 5 % elsewhere.
    const routes = ['/flow_runs/{id}/set_state'];
    const b = new ScanInputBuilder()
      .set(routes, 40, 70, { p95: 60, p99: 70, mean: 50, slowShare: 0.05 })
      .set(routes, 55, 55, { slowShare: 0.75 });
    const e = only(runAll(capQuantiles(b.build())), 'pending-deadlock');
    expect(String(e.evidence.summary)).not.toMatch(/^75 %/);
    expect(e.evidence.slowShare as number).toBeCloseTo(0.05 + 0.7 / 121, 3);
    expect(e.evidence.slowShareMax).toBe(0.75);
  });
  it('runs-page-slow: per-route p95 at the peak, not one route at its worst point beside the count', () => {
    const b = new ScanInputBuilder({ largestBucket: null })
      .set('/flow_runs/filter', 100, 140, { p95: 12, p99: 15, mean: 7 })
      .set('/flow_runs/paginate', 100, 140, { p95: 11, p99: 14, mean: 7 })
      .set('/flow_runs/paginate', 130, 130, { p95: 25, p99: 28, mean: 9 });
    const e = only(runAll(b.build()), 'runs-page-slow');
    const summary = String(e.evidence.summary);
    expect(summary).not.toContain('25 s');
    expect(summary).toMatch(/^p95 at the peak 11–12 s on 2 of 2 runs-page routes/);
    expect(e.evidence.routesAtPeak).toEqual(['/flow_runs/filter', '/flow_runs/paginate']);
  });
  it("runs-page-slow: the mean is over the family's requests in the episode, not only where each route was slow", () => {
    // Setup e, 2026-12-06 13:51 UTC: the UI's runs pages all cancelled at 10.07 s beside another client's fast
    // ones; the mean over the slow points only ("1.9 s over their slow requests") matched no set of requests, where
    // the family's requests averaged 1.27 s. Here paginate is fast at every other point.
    const b = new ScanInputBuilder({ largestBucket: null })
      .set('/flow_runs/filter', 100, 110, { p95: 12, p99: 15, mean: 6, rate: 1 })
      .set('/flow_runs/paginate', 100, 110, { p95: 12, p99: 15, mean: 6, rate: 1 });
    for (let m = 100.25; m < 110; m += 0.5) {
      b.set('/flow_runs/paginate', m, m, { p50: 0.15, p95: 0.15, p99: 0.15, mean: 0.15, rate: 1 });
    }
    const e = only(runAll(b.build()), 'runs-page-slow');
    // 41 points of filter and 21 of paginate at 6 s, 20 of paginate at 0.15 s, one request a second each.
    expect(e.evidence.meanEpisodeSeconds as number).toBeCloseTo((62 * 6 + 20 * 0.15) / 82, 2);
    expect(e.evidence.meanSeconds).toBe(e.evidence.meanEpisodeSeconds);
    expect(String(e.evidence.summary)).toContain('over their requests in the episode');
  });
});
