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
});
