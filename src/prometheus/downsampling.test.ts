import { downsampledRead, MAX_SOURCE_RESOLUTION_PARAM } from './downsampling';
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
