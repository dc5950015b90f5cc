/** @jest-environment node */
import { rateWindow } from '../../prometheus/step';
import { zeroRateLagPoints } from './rateLag';

describe('zeroRateLagPoints', () => {
  it('is the rate window less one scrape, in grid points', () => {
    // 30 s scrape and step: a 90 s window, so the first zero comes 60 s (2 points) after the freeze.
    expect(rateWindow(30, 30)).toBe(90);
    expect(zeroRateLagPoints(30_000, 30_000)).toBe(2);
    // 60 s step over a 15 s scrape: a 75 s window, 60 s of lag, one point.
    expect(zeroRateLagPoints(60_000, 15_000)).toBe(1);
  });

  it('is zero for an unusable step', () => {
    expect(zeroRateLagPoints(0, 15_000)).toBe(0);
    expect(zeroRateLagPoints(NaN, 15_000)).toBe(0);
  });
});
