import {
  chunkRangeSplitAt,
  chunkRange,
  estimatedSeconds,
  FRONTEND_SPLIT_SECONDS,
  pointsOf,
  pointsPerRequest,
  REQUEST_BUDGET_SECONDS,
  SAMPLE_BUDGET,
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

  it('keeps a range that fits as it is', () => {
    const range = { start: 0, end: 600, step: 15 };
    expect(splitRange(range, 41)).toEqual([range]);
  });

  it('cuts pieces that may hold whole days on UTC midnights, so a query-frontend reads each day once', () => {
    const day = FRONTEND_SPLIT_SECONDS;
    // The growth bench's month: from 06:00 UTC, 5-minute steps; 684 points (57 h) per piece before alignment.
    const range = { start: 20_000 * day + 6 * 3600, end: 20_030 * day - 300, step: 300 };
    const pieces = splitRange(range, 684);
    expect(gridPoints(pieces)).toEqual(gridPoints([range]));
    expect(pieces.every((p) => pointsOf(p) <= 684)).toBe(true);
    // Two whole days each (57 h holds two, not three); the first runs to its second midnight.
    expect(pieces[0]).toEqual({ start: range.start, end: 20_002 * day - 300, step: 300 });
    for (const p of pieces.slice(1)) {
      expect(p.start % day).toBe(0);
    }
    for (const p of pieces.slice(0, -1)) {
      expect((p.end + p.step) % day).toBe(0);
    }
    // A frontend cutting at midnights makes one part per day a piece touches: 30 in all, where the unaligned pieces
    // of the same size straddle midnights and make 40.
    const parts = (ps: typeof pieces) =>
      ps.reduce((n, p) => n + Math.floor(p.end / day) - Math.floor(p.start / day) + 1, 0);
    expect(parts(pieces)).toBe(30);
    expect(parts(splitRange(range, 684, Infinity))).toBe(40);
  });

  it('keeps the point on the midnight a range ends at in the piece before it, as a frontend does', () => {
    const day = FRONTEND_SPLIT_SECONDS;
    const range = { start: 10 * day, end: 16 * day, step: 300 };
    const pieces = splitRange(range, 2 * 288 + 10);
    expect(pieces.map((p) => [p.start / day, (p.end + p.step) / day])).toEqual([
      [10, 12],
      [12, 14],
      [14, 16 + 300 / day],
    ]);
  });

  it('cuts on the grid point before a midnight when the step does not divide a day', () => {
    const day = FRONTEND_SPLIT_SECONDS;
    const range = { start: 100 * day + 1234, end: 100 * day + 1234 + 2000 * 420, step: 420 };
    const pieces = splitRange(range, 500);
    expect(gridPoints(pieces)).toEqual(gridPoints([range]));
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces.slice(0, -1)) {
      expect(Math.floor((p.end + p.step) / day)).toBe(Math.floor(p.end / day) + 1);
    }
    for (const p of pieces.slice(1)) {
      expect(Math.floor((p.start - p.step) / day)).toBe(Math.floor(p.start / day) - 1);
    }
  });

  it('leaves pieces shorter than a day where they fall: cutting them at midnight would only add requests', () => {
    const range = { start: 3600, end: 3600 + 999 * 60, step: 60 };
    const pieces = splitRange(range, 400);
    expect(pieces.map(pointsOf)).toEqual([400, 400, 200]);
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
