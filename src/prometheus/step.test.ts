/** @jest-environment node */
import fc from 'fast-check';

import { chooseStep, formatDuration, rateWindow } from './step';

const NICE = new Set([1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200]);

describe('chooseStep', () => {
  it('keeps every query under the point limit and above the floors', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 * 86400 }),
        fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
        fc.integer({ min: 2, max: 20000 }),
        (range, minStepSeconds, scrapeIntervalSeconds, maxPoints) => {
          const step = chooseStep(range, { minStepSeconds, scrapeIntervalSeconds, maxPoints });
          expect(Math.floor(range / step) + 1).toBeLessThanOrEqual(maxPoints);
          expect(step).toBeGreaterThanOrEqual(minStepSeconds ?? 1);
          expect(step).toBeGreaterThanOrEqual(scrapeIntervalSeconds ?? 1);
          const isNice = NICE.has(step) || step % 86400 === 0;
          expect(isNice || step === scrapeIntervalSeconds).toBe(true);
        }
      ),
      { numRuns: 3000 }
    );
  });

  it('needs at least 60 s for 7 days under the 11,000-point cap', () => {
    expect(chooseStep(7 * 86400, { scrapeIntervalSeconds: 15 })).toBe(60);
    expect(chooseStep(3600, { scrapeIntervalSeconds: 15 })).toBe(15);
    expect(chooseStep(3600, { scrapeIntervalSeconds: 20 })).toBe(20);
    expect(chooseStep(3600)).toBe(1);
    expect(chooseStep(3600, { minStepSeconds: 20, scrapeIntervalSeconds: 15 })).toBe(30);
  });
});

describe('rateWindow', () => {
  it('covers at least two scrapes plus slack and at least one step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 1, max: 300 }), (step, scrape) => {
        const w = rateWindow(step, scrape);
        expect(w).toBeGreaterThanOrEqual(2 * scrape + 1);
        expect(w).toBeGreaterThanOrEqual(step);
        // never far wider than needed: one slow scrape must not smear over many minutes at fine steps
        expect(w).toBeLessThanOrEqual(Math.max(3 * scrape, step + scrape) + 1);
      })
    );
  });

  it('is 45 s for a 15 s scrape at scrape resolution', () => {
    expect(rateWindow(15, 15)).toBe(45);
  });
});

describe('formatDuration', () => {
  it('writes PromQL durations', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(120)).toBe('2m');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90061)).toBe('1d1h1m1s');
    expect(formatDuration(0.2)).toBe('1s');
  });
});
