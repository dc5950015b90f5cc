import {
  chunkRangeSplitAt,
  chunkRange,
  estimatedSeconds,
  pointsOf,
  pointsPerRequest,
  REQUEST_BUDGET_SECONDS,
  SAMPLE_BUDGET,
  SPLIT_ALIGN_SECONDS,
  splitRange,
} from './chunks';

const gridPoints = (ranges: Array<{ start: number; end: number; step: number }>) =>
  ranges.flatMap((r) => Array.from({ length: pointsOf(r) }, (_, k) => r.start + k * r.step));

describe('splitRange', () => {
  it('covers every grid point once, in order, whatever the piece size', () => {
    const range = { start: 3000, end: 3000 + 99 * 60, step: 60 };
    const all = gridPoints([range]);
    for (const per of [1, 2, 7, 33, 99, 100, 1000]) {
      const pieces = splitRange(range, per);
      expect(gridPoints(pieces)).toEqual(all);
      expect(pieces.every((p) => pointsOf(p) <= per)).toBe(true);
      expect(pieces[pieces.length - 1].end).toBe(range.end);
    }
  });

  // The sub-queries Thanos's query-frontend makes of one piece: one per UTC day it touches (split_by_interval.go).
  const frontendSplits = (p: { start: number; end: number }) =>
    Math.floor(p.end / SPLIT_ALIGN_SECONDS) - Math.floor(p.start / SPLIT_ALIGN_SECONDS) + 1;
  const DAY = SPLIT_ALIGN_SECONDS;
  // A month on a 5-minute grid that starts mid-day, as a scan's does (its start is the range's, not a midnight).
  const month = { start: 20 * DAY + 7 * 3600 + 300, end: 50 * DAY + 7 * 3600, step: 300 };

  it('aligned, ends pieces of days before midnight, as many sub-queries for a frontend as days touched', () => {
    const per = Math.floor((2.3 * DAY) / 300);
    const plain = splitRange(month, per);
    const aligned = splitRange(month, per, DAY);
    expect(gridPoints(aligned)).toEqual(gridPoints([month]));
    expect(aligned.every((p) => pointsOf(p) <= per)).toBe(true);
    // Every piece but the last ends on the last grid point of a day; every piece but the first starts at midnight.
    expect(aligned.slice(0, -1).every((p) => (p.end + 300) % DAY === 0)).toBe(true);
    expect(aligned.slice(1).every((p) => p.start % DAY === 0)).toBe(true);
    const days = frontendSplits(month);
    expect(aligned.reduce((n, p) => n + frontendSplits(p), 0)).toBe(days);
    // Unaligned, each piece boundary inside a day costs the frontend one more sub-query.
    expect(plain.reduce((n, p) => n + frontendSplits(p), 0)).toBeGreaterThan(days + plain.length / 2);
  });

  it('aligned, splits days evenly with pieces shorter than a day, none crossing midnight', () => {
    const per = Math.floor((15.3 * 3600) / 300);
    const aligned = splitRange(month, per, DAY);
    expect(gridPoints(aligned)).toEqual(gridPoints([month]));
    expect(aligned.every((p) => frontendSplits(p) === 1)).toBe(true);
    // Half days: two pieces a day, one more for the month's first partial day.
    expect(aligned.slice(1, -1).every((p) => p.start % (DAY / 2) === 0 && (p.end + 300) % (DAY / 2) === 0)).toBe(true);
    expect(aligned.length).toBe(2 * 30 + 1);
  });

  it('keeps a range that fits as it is', () => {
    const range = { start: 0, end: 600, step: 15 };
    expect(splitRange(range, 41)).toEqual([range]);
  });
});

describe('pointsPerRequest', () => {
  const month = { start: 0, end: 30 * 86400, step: 300 };

  it('does not split without a series count (the probe could not count)', () => {
    expect(chunkRange({ range: month, rawSeries: null, scrapeSeconds: 15, windowSeconds: 315 })).toEqual([month]);
  });

  it('keeps the read and the samples held under their budgets, and uses them', () => {
    const rawSeries = 150 * 4 * 14;
    const per = pointsPerRequest({ range: month, rawSeries, scrapeSeconds: 15, windowSeconds: 315 });
    expect(per).toBeGreaterThan(1);
    expect(estimatedSeconds(rawSeries, per, 300, 15, 315)).toBeLessThanOrEqual(REQUEST_BUDGET_SECONDS + 1e-9);
    expect(estimatedSeconds(rawSeries, per + 1, 300, 15, 315)).toBeGreaterThan(REQUEST_BUDGET_SECONDS);
    expect(per * rawSeries).toBeLessThanOrEqual(SAMPLE_BUDGET);
  });

  it('bounds the samples held at once when the step is coarse', () => {
    const per = pointsPerRequest({
      range: { start: 0, end: 365 * 86400, step: 86400 },
      rawSeries: 10_000_000,
      scrapeSeconds: 86400,
      windowSeconds: 86400,
      budgetSeconds: Infinity,
    });
    expect(per).toBe(2);
  });

  it('asks one point at a time rather than not at all when one point is over budget', () => {
    expect(pointsPerRequest({ range: month, rawSeries: 1e9, scrapeSeconds: 15, windowSeconds: 315 })).toBe(1);
  });

  it('splits a stretch read at another density by its own model, the rest by the raw one, on one grid', () => {
    const rawSeries = 150 * 4 * 16;
    const input = { range: month, rawSeries, scrapeSeconds: 15, windowSeconds: 600 };
    const until = 27 * 86400 + 100;
    const coarse = { scrapeSeconds: 300, secondsPerPoint: 1e-6 };
    const pieces = chunkRangeSplitAt(input, until, coarse);
    const early = pieces.filter((p) => p.end <= until);
    const late = pieces.filter((p) => p.end > until);
    // The early part ends on the last grid point up to `until`; the late part starts on the next one.
    expect(early[early.length - 1].end).toBe(27 * 86400);
    expect(late[0].start).toBe(27 * 86400 + 300);
    for (let k = 1; k < pieces.length; k++) {
      expect(pieces[k].start).toBe(pieces[k - 1].end + 300);
    }
    expect(pieces[0].start).toBe(0);
    expect(pieces[pieces.length - 1].end).toBe(month.end);
    for (const p of early) {
      const n = (p.end - p.start) / 300 + 1;
      expect(estimatedSeconds(rawSeries, n, 300, 300, 600, 1e-6)).toBeLessThanOrEqual(REQUEST_BUDGET_SECONDS + 1e-9);
    }
    for (const p of late) {
      const n = (p.end - p.start) / 300 + 1;
      expect(estimatedSeconds(rawSeries, n, 300, 15, 600)).toBeLessThanOrEqual(REQUEST_BUDGET_SECONDS + 1e-9);
    }
    // The cheaper stretch is asked in longer pieces.
    const span = (p: { start: number; end: number }) => p.end - p.start;
    expect(span(early[0])).toBeGreaterThan(2 * span(late[0]));
  });

  it('splits as raw when the other stretch ends before the range, and wholly by it when it covers the range', () => {
    const input = { range: month, rawSeries: 9600, scrapeSeconds: 15, windowSeconds: 600 };
    const coarse = { scrapeSeconds: 300, secondsPerPoint: 1e-6 };
    expect(chunkRangeSplitAt(input, -1, coarse)).toEqual(chunkRange(input));
    expect(chunkRangeSplitAt(input, month.end + 3600, coarse)).toEqual(chunkRange({ ...input, ...coarse }));
  });
});
