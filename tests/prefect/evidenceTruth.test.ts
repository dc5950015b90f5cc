// The judge of evidence against the clients (evidenceTruth.ts), on request logs made up for each case: pure, no
// Prefect. The incident timelines rely on it to fail where a figure is not the clients' truth.
import type { RecordedRequest } from './harness/groundTruth';
import { checkEvidence, clientSilence, type ScanFinding } from './evidenceTruth';

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
  intervalSeconds: 5,
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

  it('measures the clients’ silence from the last answer before to the first answer after', () => {
    const quiet = [req(0, '/api/x', 200, 0.1), req(5, '/api/x', 0, 1.5), req(100, '/api/x', 200, 0.1)];
    expect(clientSilence(quiet, (T0 + 2) * 1000, (T0 + 90) * 1000)).toBe(100_000);
  });
});
