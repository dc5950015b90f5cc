import type { MatrixSeries } from '../../prometheus/types';
import { wholeWindowCounts, youngProbeRange, youngSamplesPerWindow, YOUNG_PROBE_WINDOW_SECONDS } from './youngSeries';

const series = (counts: number[]): MatrixSeries => ({
  metric: { instance: 'x' },
  values: counts.map((c, i) => [1_000_000 + i * 120, String(c)]),
});

describe('wholeWindowCounts', () => {
  it('leaves out the first and last windows, where the series may have begun or ended', () => {
    expect(wholeWindowCounts(series([3, 24, 24, 25, 7]))).toEqual([24, 24, 25]);
    expect(wholeWindowCounts(series([3, 7]))).toEqual([]);
  });
});

describe('youngSamplesPerWindow', () => {
  it('takes the median of the whole windows, so a sample on a window edge does not shorten the interval', () => {
    // A 15 s scrape counts 8 per 2 minutes, 9 where a sample falls on the edge: the maximum would read 13.3 s.
    expect(youngSamplesPerWindow([series([2, 8, 9, 8, 8, 5])])).toBe(8);
  });

  it('reads the densest series, and nothing when no series has a whole window', () => {
    expect(youngSamplesPerWindow([series([1, 8, 8, 3]), series([4, 24, 24, 2])])).toBe(24);
    expect(youngSamplesPerWindow([series([5, 9]), series([12])])).toBeNull();
  });
});

describe('youngProbeRange', () => {
  it('aligns to its window and stays within Prometheus’s 11,000 points', () => {
    expect(youngProbeRange(1000, 2000)).toEqual({ start: 960, end: 2040, step: YOUNG_PROBE_WINDOW_SECONDS });
    expect(youngProbeRange(0, 10_999 * 120)).not.toBeNull();
    expect(youngProbeRange(0, 11_000 * 120)).toBeNull();
  });
});
