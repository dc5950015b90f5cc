/** @jest-environment node */
// "Near baseline" is relative, with a small absolute floor (thresholds.ts says why).
import { ScanInputBuilder } from '../testing/scanInputBuilder';
import { isNear } from './latency';
import { taskRunsCountTimeout } from '../detectors/task-runs-count-timeout';

describe('near baseline', () => {
  it('lets a 5 ms route move by a bucket or two, not rise 180× to 0.9 s', () => {
    expect(isNear(0.02, 0.005)).toBe(true);
    expect(isNear(0.1, 0.005)).toBe(true);
    expect(isNear(0.905, 0.005)).toBe(false);
    // Relative above the floor: a 2 s route at 5 s is near, at 7 s it is not.
    expect(isNear(5, 2)).toBe(true);
    expect(isNear(7, 2)).toBe(false);
  });

  it('a count timeout while every other route is 0.9 s above its tens of milliseconds is not the narrow insight', () => {
    const count = ['/task_runs/count', '/ui/task_runs/dashboard/counts'];
    const b = new ScanInputBuilder().set(count, 30, 60, { p95: 14, p99: 20, mean: 8 }).each(
      (r) => !count.includes(r),
      30,
      60,
      (s, i) => {
        s.p95[i] += 0.9;
      }
    );
    expect(taskRunsCountTimeout.detect(b.build())).toEqual([]);
  });

  it('the boundary: a 5 ms route is near up to 105 ms; every other route 0.09 s up, the count timeout is found', () => {
    expect(isNear(0.105, 0.005)).toBe(true);
    expect(isNear(0.106, 0.005)).toBe(false);
    const count = ['/task_runs/count', '/ui/task_runs/dashboard/counts'];
    const withOthersUp = (added: number) =>
      new ScanInputBuilder()
        .set(count, 30, 60, { p95: 14, p99: 20, mean: 8 })
        .each(
          (r) => !count.includes(r),
          30,
          60,
          (s, i) => {
            s.p95[i] += added;
          }
        )
        .build();
    expect(taskRunsCountTimeout.detect(withOthersUp(0.09)).map((e) => e.id)).toEqual(['task-runs-count-timeout']);
  });
});
