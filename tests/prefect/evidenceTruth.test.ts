// The judge of evidence against the clients (evidenceTruth.ts), on request logs made up for each case: pure, no
// Prefect. The incident timelines rely on it to fail where a figure is not the clients' truth.
import type { RecordedRequest } from './harness/groundTruth';
import type { WindowSeries } from './harness/windowSeries';
import { checkEvidence, clientSilence, EDGE_MS, routeKey, type ScanFinding } from './evidenceTruth';

const T0 = 1_800_000_000;
const req = (end: number, path: string, status: number, seconds: number): RecordedRequest => ({
  end: T0 + end,
  method: 'POST',
  path,
  status,
  seconds,
  pid: 1,
});
const ctx = (requests: RecordedRequest[]) => ({
  requests,
  routeOf: (r: RecordedRequest) => r.path.replace(/^\/api/, ''),
  windowSeconds: 15,
});
const lock = { insight: 'task-runs-count-timeout', label: '', start: T0 * 1000, end: (T0 + 150) * 1000, notes: [] };
// 96 counts in a 150 s lock, every one cancelled at the statement timeout.
const counts = Array.from({ length: 96 }, (_, k) => req(10 + k * 1.4, '/api/task_runs/count', 500, 10.05));
const count = (meanSeconds: number): ScanFinding => ({
  id: 'task-runs-count-timeout',
  start: lock.start,
  end: lock.end,
  routes: ['/task_runs/count'],
  evidence: { meanSeconds, cutOffSeconds: 10, p99AtCutOff: true },
});

describe('evidence against the clients', () => {
  it("holds the count timeout's mean to the clients' latency of the counts", () => {
    const ok = checkEvidence(count(10.04), lock, ctx(counts));
    expect(ok.map((c) => c.ok)).toEqual([true, true]);
    // The mean diluted by the windows after the lock's release (setup b, 2026-12-04: 7.8 s).
    const diluted = checkEvidence(count(7.8), lock, ctx(counts));
    expect(diluted[0].ok).toBe(false);
  });

  it("holds the overload's 5xx share to the clients' share of 5xx answers in the detected stretch", () => {
    const surge = { insight: 'api-overload-http-500', label: '', start: T0 * 1000, end: (T0 + 150) * 1000, notes: [] };
    // 1,500 answers in the stretch, one in 12 a 503 (8.3 %).
    const answers = Array.from({ length: 1500 }, (_, k) =>
      req(k * 0.1, '/api/flow_runs/filter', k % 12 === 0 ? 503 : 200, 0.1)
    );
    const overload = (errorShare: number): ScanFinding => ({
      id: 'api-overload-http-500',
      start: surge.start,
      end: surge.end,
      routes: [],
      evidence: { errorShare },
    });
    expect(checkEvidence(overload(0.08), surge, ctx(answers)).map((c) => c.ok)).toEqual([true]);
    // One route's share, or the worst point's, is not the stretch's.
    expect(checkEvidence(overload(0.3), surge, ctx(answers))[0].ok).toBe(false);
    expect(checkEvidence(overload(0.02), surge, ctx(answers))[0].ok).toBe(false);
  });

  it("holds the runs page's mean to the clients' mean of its routes, and its cut-off to the pages cancelled there", () => {
    const drop = { insight: 'runs-page-slow', label: '', start: T0 * 1000, end: (T0 + 150) * 1000, notes: [] };
    // The UI's pages cancelled at 10.07 s, one in nine; another client's pages answered in 0.13 s (setup e,
    // 2026-12-06 13:51 UTC: 36 of 358).
    const pages = Array.from({ length: 360 }, (_, k) =>
      req(k * 0.4, k % 2 ? '/api/flow_runs/paginate' : '/api/flow_runs/filter', k % 9 ? 200 : 500, k % 9 ? 0.13 : 10.07)
    );
    const finding = (meanSeconds: number, p99AtCutOff: boolean): ScanFinding => ({
      id: 'runs-page-slow',
      start: drop.start,
      end: drop.end,
      routes: ['/flow_runs/filter', '/flow_runs/paginate'],
      evidence: { meanSeconds, cutOffSeconds: 10, p99AtCutOff },
    });
    // The clients' mean: (40 × 10.07 + 320 × 0.13) / 360 = 1.234 s.
    expect(checkEvidence(finding(1.249, true), drop, ctx(pages)).map((c) => c.ok)).toEqual([true, true]);
    // The mean over the slow points only (1.9 s), and a verdict that nothing was cancelled.
    expect(checkEvidence(finding(1.887, true), drop, ctx(pages)).map((c) => c.ok)).toEqual([false, true]);
    expect(checkEvidence(finding(1.249, false), drop, ctx(pages)).map((c) => c.ok)).toEqual([true, false]);
  });

  it('names a route the same whichever side declares it', () => {
    // The server's OpenAPI says `/flow_runs/`, its histogram `/api/flow_runs/`, the scan `/flow_runs`: one route
    // (the pool check once left /flow_runs out of the clients' side for want of this).
    expect(new Set(['/flow_runs/', '/api/flow_runs/', '/flow_runs'].map(routeKey)).size).toBe(1);
    expect(routeKey('/work_pools/{work_pool_name}')).toBe(routeKey('/api/work_pools/{name}'));
    expect(routeKey('/')).toBe('/');
  });

  it('measures the clients’ silence from the last answer before to the first answer after', () => {
    const quiet = [req(0, '/api/x', 200, 0.1), req(5, '/api/x', 0, 1.5), req(100, '/api/x', 200, 0.1)];
    expect(clientSilence(quiet, (T0 + 2) * 1000, (T0 + 90) * 1000)).toBe(100_000);
  });

  describe('pool exhaustion: per-route p95 at the peak, over the requests the peak point counted', () => {
    const PEAK = 600;
    // Scraped every 5 s, 0.3 s before each grid point: the 15 s window at the peak holds three samples.
    const times = [PEAK - 14.7, PEAK - 9.7, PEAK - 4.7].map((t) => (T0 + t) * 1000);
    const series = (route: string, status: string, at = times, increase = 10): WindowSeries => ({
      route,
      method: 'POST',
      status,
      times: at,
      increase,
    });
    const exhausted = { insight: 'db-pool-exhaustion', label: '', start: T0 * 1000, end: (T0 + 900) * 1000, notes: [] };
    const pool = (low: number, high: number): ScanFinding => ({
      id: 'db-pool-exhaustion',
      start: (T0 + 500) * 1000,
      end: (T0 + 800) * 1000,
      routes: ['/flow_runs/filter', '/deployments/filter'],
      evidence: {
        peakAt: new Date((T0 + PEAK) * 1000).toISOString(),
        routesAtPeak: ['/flow_runs/filter', '/deployments/filter'],
        p95PeakLowSeconds: low,
        p95PeakHighSeconds: high,
        largestBucketSeconds: 10,
        meanSeconds: 4,
      },
    });
    // A thin route: one slow answer in the span, and many fast ones just before the first sample (before the pile-up).
    const thin = [
      ...Array.from({ length: 20 }, (_, k) => req(PEAK - 19.5 + k * 0.2, '/api/deployments/filter', 200, 0.02)),
      req(PEAK - 8, '/api/deployments/filter', 200, 0.6),
    ];
    const broad = Array.from({ length: 30 }, (_, k) => req(PEAK - 14 + k * 0.3, '/api/flow_runs/filter', 500, 5.02));
    const both = [series('/api/flow_runs/filter', '500'), series('/api/deployments/filter', '200')];
    const perRoute = (low: number, high: number, requests: RecordedRequest[], window: WindowSeries[]) =>
      checkEvidence(pool(low, high), exhausted, { ...ctx(requests), peakWindow: window })[0];

    it('counts no request from before the first sample: a thin route is judged on what the point held', () => {
      // The thin route's p95 is its one slow answer (0.6 s, read as 0.55 s inside its bucket), not the fast ones
      // from the 5 s before the window's first sample that a wider window would have held (CI, 2026-12-05).
      expect(perRoute(0.55, 7.3, [...thin, ...broad], both).ok).toBe(true);
      // A figure the requests do not bear out still fails, at either end.
      expect(perRoute(0.05, 7.3, [...thin, ...broad], both).ok).toBe(false);
      expect(perRoute(2, 7.3, [...thin, ...broad], both).ok).toBe(false);
      expect(perRoute(0.55, 1.5, [...thin, ...broad], both).ok).toBe(false);
    });

    it('leaves out a series born in the window, whose increase no rate sees, and names routes no client called', () => {
      // The thin route's 500s start inside the window: one sample, nothing counted. Were they counted, its p95
      // would be 5 s and the scan's 0.55 s untrue.
      const born = [
        ...thin,
        ...Array.from({ length: 5 }, (_, k) => req(PEAK - 6 + k * 0.5, '/api/deployments/filter', 500, 5.01)),
      ];
      const window = [...both, series('/api/deployments/filter', '500', [times[2]], 0)];
      expect(perRoute(0.55, 7.3, [...born, ...broad], window).ok).toBe(true);
      // With two samples the same 500s are counted, and the thin route's p95 is theirs.
      const counted = [...both, series('/api/deployments/filter', '500')];
      expect(perRoute(0.55, 7.3, [...born, ...broad], counted).ok).toBe(false);
      expect(perRoute(5, 7.3, [...born, ...broad], counted).ok).toBe(true);
      const unheard = perRoute(5, 7.3, broad, [
        series('/api/flow_runs/filter', '500'),
        series('/api/deployments/filter', '200'),
      ]);
      expect(unheard.clients).toContain('no recorded request: /deployments/filter');
    });

    it('takes a request within the edge margin of a sample both ways', () => {
      // The thin route's slow answer lands just after the last sample: counted or not, the clients' figure is
      // either the slow answer (in) or the fast one before it (out), and the scan may read either.
      const last = PEAK - 4.7 + (EDGE_MS / 1000) * 0.5;
      const near = [
        req(PEAK - 8, '/api/deployments/filter', 200, 0.02),
        req(last, '/api/deployments/filter', 200, 0.6),
      ];
      expect(perRoute(0.55, 7.3, [...near, ...broad], both).ok).toBe(true);
      expect(perRoute(0.02, 7.3, [...near, ...broad], both).ok).toBe(true);
      // Well past the margin, the slow answer is not the point's.
      const after = [near[0], req(PEAK - 4.7 + (EDGE_MS / 1000) * 2, '/api/deployments/filter', 200, 0.6)];
      expect(perRoute(0.55, 7.3, [...after, ...broad], both).ok).toBe(false);
    });
  });
});
