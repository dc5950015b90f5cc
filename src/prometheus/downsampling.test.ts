import { downsampledRead, downsampledUntil, MAX_SOURCE_RESOLUTION_PARAM } from './downsampling';
import { chooseStep } from './step';

describe('downsampledRead', () => {
  it('keeps raw data while the grid is finer than 5 minutes', () => {
    for (const step of [15, 60, 120, 299]) {
      expect(downsampledRead(step)).toBeUndefined();
    }
  });

  it('allows the coarsest resolution no coarser than the step, with windows of two of its samples', () => {
    expect(downsampledRead(300)).toEqual({
      resolutionSeconds: 300,
      minWindowSeconds: 600,
      params: { [MAX_SOURCE_RESOLUTION_PARAM]: '5m' },
    });
    expect(downsampledRead(1800)?.params).toEqual({ max_source_resolution: '5m' });
    expect(downsampledRead(3600)).toEqual({
      resolutionSeconds: 3600,
      minWindowSeconds: 7200,
      params: { max_source_resolution: '1h' },
    });
  });

  it('starts where the scan grid reaches 5 minutes: past about 15 days at a 15 s scrape', () => {
    const day = 86_400;
    expect(downsampledRead(chooseStep(7 * day, { scrapeIntervalSeconds: 15 }))).toBeUndefined();
    expect(downsampledRead(chooseStep(15 * day, { scrapeIntervalSeconds: 15 }))).toBeUndefined();
    expect(downsampledRead(chooseStep(30 * day, { scrapeIntervalSeconds: 15 }))?.resolutionSeconds).toBe(300);
    expect(downsampledRead(chooseStep(365 * day, { scrapeIntervalSeconds: 15 }))?.resolutionSeconds).toBe(3600);
  });
});

describe('downsampledUntil', () => {
  const hourly = (counts: number[]) => new Map(counts.map((c, k) => [3600 * (k + 1), c]));

  it('is the last probe point before the first raw-dense window', () => {
    // 10-minute windows: the 5-minute count aggregate holds 2 (3 at an edge), a 15 s scrape 40.
    expect(downsampledUntil(hourly([2, 3, 2, 40, 40]), 600, 300)).toBe(3 * 3600);
  });

  it('counts everything after the first raw-dense window as raw, whatever it holds', () => {
    expect(downsampledUntil(hourly([2, 40, 2, 2]), 600, 300)).toBe(3600);
  });

  it('is undefined when the first window is raw-dense, and the last point when none is', () => {
    expect(downsampledUntil(hourly([40, 2, 2]), 600, 300)).toBeUndefined();
    expect(downsampledUntil(hourly([2, 2, 2]), 600, 300)).toBe(3 * 3600);
    expect(downsampledUntil(new Map(), 600, 300)).toBeUndefined();
  });

  it('skips windows without samples and tells a 2-minute scrape from the 5-minute aggregate', () => {
    const gaps = new Map([
      [3600, 2],
      [5 * 3600, 2],
      [6 * 3600, 5],
    ]);
    expect(downsampledUntil(gaps, 600, 300)).toBe(5 * 3600);
  });
});
