/** @jest-environment node */
import { rateWindow } from '../../prometheus/step';
import { engineWindowMs, zeroRateLagPoints } from './rateLag';

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

  it("counts the engine's own window where the scan widened it for Thanos's downsampled blocks", () => {
    // A month: 5-minute step over a 15 s scrape. The rule's 315 s window lags one point; the 10-minute window
    // downsampled blocks need lags (600 − 15) / 300 → 1 point, and a 2-hour window at a 1-hour step one as well.
    expect(zeroRateLagPoints(300_000, 15_000)).toBe(1);
    expect(zeroRateLagPoints(300_000, 15_000, 600_000)).toBe(1);
    expect(zeroRateLagPoints(300_000, 15_000, 1_200_000)).toBe(3);
    // Never narrower than the rule's: a smaller figure is not a window the engine could have used.
    expect(zeroRateLagPoints(30_000, 30_000, 30_000)).toBe(2);
    expect(engineWindowMs(300_000, 15_000, 600_000)).toBe(600_000);
    expect(engineWindowMs(300_000, 15_000)).toBe(315_000);
  });
});
