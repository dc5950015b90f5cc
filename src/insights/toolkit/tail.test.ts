/** @jest-environment node */
import fc from 'fast-check';

import { ScanInputBuilder } from '../testing/scanInputBuilder';
import {
  BODY_FACTOR,
  bodyMeanUpper,
  medianBound,
  estimateTailMean,
  formatTailEstimate,
  medianWhere,
  MIN_TAIL_SHARE,
  tailMeanSeries,
} from './tail';

/** What a classic histogram with a largest bound of `bound` and _sum/_count would say about a sample. */
function observe(sample: number[], bound: number) {
  const sum = sample.reduce((s, v) => s + v, 0);
  const above = sample.filter((v) => v > bound);
  return {
    mean: sum / sample.length,
    tailShare: above.length / sample.length,
    tailMean: above.reduce((s, v) => s + v, 0) / above.length,
  };
}

/** Deterministic log-normal draws (xorshift + Box–Muller). */
function logNormal(n: number, median: number, sigma: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    return median * Math.exp(sigma * z);
  });
}

describe('estimateTailMean', () => {
  it('recovers the mean of the requests above 10 s from the exact mean when the body is known', () => {
    // 15 % of set_state requests wait ~84 s, the rest take ~50 ms: the pending-deadlock case with OTel buckets.
    const sample = [...logNormal(8500, 0.05, 0.5, 3), ...logNormal(1500, 84, 0.12, 5)];
    const seen = observe(sample, 10);
    expect(seen.mean).toBeLessThan(0.75 * 60);
    const body = sample.filter((v) => v <= 10).reduce((s, v) => s + v, 0) / (sample.length * (1 - seen.tailShare));
    expect(estimateTailMean(seen.mean, seen.tailShare, body, 10)).toBeCloseTo(seen.tailMean, 6);
  });

  it('stays close with the upper estimate of the body (twice its baseline mean)', () => {
    const sample = [...logNormal(8500, 0.05, 0.5, 11), ...logNormal(1500, 84, 0.12, 13)];
    const seen = observe(sample, 10);
    const baselineMean = logNormal(5000, 0.05, 0.5, 17).reduce((s, v) => s + v, 0) / 5000;
    const estimate = estimateTailMean(seen.mean, seen.tailShare, bodyMeanUpper(baselineMean, 0.05, 10), 10);
    expect(estimate).toBeLessThanOrEqual(seen.tailMean);
    expect(estimate).toBeGreaterThan(0.97 * seen.tailMean);
  });

  it('says "only a little above" when many requests are just past the largest bucket', () => {
    const sample = [...logNormal(6000, 0.05, 0.5, 19), ...logNormal(4000, 12, 0.05, 23)];
    const seen = observe(sample, 10);
    const estimate = estimateTailMean(seen.mean, seen.tailShare, bodyMeanUpper(0.06, 0.05, 10), 10);
    expect(estimate).toBeGreaterThan(11);
    expect(estimate).toBeLessThan(13);
  });

  it('never exceeds the true tail mean while the body estimate is at least the true body mean', () => {
    fc.assert(
      fc.property(
        fc.double({ min: MIN_TAIL_SHARE, max: 1, noNaN: true }),
        fc.double({ min: 10, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (share, tailMean, body, over) => {
          const mean = share * tailMean + (1 - share) * body;
          const bodyGuess = body + over * (10 - body);
          const estimate = estimateTailMean(mean, share, bodyGuess, 10);
          expect(estimate).toBeGreaterThanOrEqual(10);
          expect(estimate).toBeLessThanOrEqual(tailMean * (1 + 1e-9) + 1e-9);
          // The bound itself as the body makes it a certain lower bound, whatever the true body was.
          expect(estimateTailMean(mean, share, 10, 10)).toBeLessThanOrEqual(estimate + 1e-9);
        }
      )
    );
  });

  it('gives no estimate for a tail too small to divide by, bad shares, no mean or no buckets', () => {
    expect(estimateTailMean(1, MIN_TAIL_SHARE / 2, 0.1, 10)).toBeNaN();
    expect(estimateTailMean(1, 1.5, 0.1, 10)).toBeNaN();
    expect(estimateTailMean(1, -0.2, 0.1, 10)).toBeNaN();
    expect(estimateTailMean(NaN, 0.2, 0.1, 10)).toBeNaN();
    expect(estimateTailMean(Infinity, 0.2, 0.1, 10)).toBeNaN();
    expect(estimateTailMean(5, 0.2, 0.1, 0)).toBeNaN();
  });

  it('is never below the bound: every request in +Inf took longer than it', () => {
    expect(estimateTailMean(0.5, 0.2, 0.1, 10)).toBe(10);
  });

  it('treats a missing body estimate as the bound (the certain lower bound)', () => {
    expect(estimateTailMean(13, 0.5, NaN, 10)).toBeCloseTo((13 - 0.5 * 10) / 0.5);
  });
});

describe('bodyMeanUpper', () => {
  it('takes twice the larger of baseline mean and current median, capped at the bound', () => {
    expect(BODY_FACTOR).toBe(2);
    expect(bodyMeanUpper(0.05, 0.03, 10)).toBeCloseTo(0.1);
    expect(bodyMeanUpper(0.05, 2, 10)).toBeCloseTo(4);
    expect(bodyMeanUpper(7, 0.5, 10)).toBe(10);
  });

  it('falls back to what is known, and to the bound when the median is in +Inf or nothing is known', () => {
    expect(bodyMeanUpper(NaN, 0.2, 10)).toBeCloseTo(0.4);
    expect(bodyMeanUpper(0.2, NaN, 10)).toBeCloseTo(0.4);
    expect(bodyMeanUpper(0.05, 10, 10)).toBe(10);
    expect(bodyMeanUpper(NaN, NaN, 10)).toBe(10);
  });
});

describe('medianBound', () => {
  it('never lies below the true mean of the requests under the bound, whatever their shape', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 2, maxLength: 200 }),
        fc.array(fc.double({ min: 10.001, max: 500, noNaN: true }), { maxLength: 90 }),
        (body, tail) => {
          const all = [...body, ...tail].sort((a, b) => a - b);
          const s = tail.length / all.length;
          fc.pre(s < 0.5);
          // The lower median: at least half of all requests are at or below it.
          const median = all[Math.ceil(all.length / 2) - 1];
          const bodyMean = body.reduce((a, b) => a + b, 0) / body.length;
          expect(bodyMean).toBeLessThanOrEqual(medianBound(median, s, 10) + 1e-9);
        }
      )
    );
  });

  it('sees a pool-timeout tail behind a slow body that twice the median would hide', () => {
    // Half the requests slower than 7.6 s, 27.5 % above 10 s: 2 × median says B = 10 s and the tail looks like 13.5 s.
    const mean = 0.275 * 30 + 0.725 * 3.7;
    expect(bodyMeanUpper(0.1, 7.6, 10)).toBe(10);
    const body = bodyMeanUpper(0.1, 7.6, 10, 0.275);
    expect(body).toBeLessThan(8.5);
    expect(estimateTailMean(mean, 0.275, body, 10)).toBeGreaterThan(15);
  });

  it('adds nothing when the tail share is unknown or half or more', () => {
    expect(medianBound(1, NaN, 10)).toBe(10);
    expect(medianBound(1, 0.5, 10)).toBe(10);
  });
});

describe('tailMeanSeries', () => {
  const route = '/flow_runs/{id}/set_state';

  it('estimates per point from the mean, the tail share and the baseline mean', () => {
    const b = new ScanInputBuilder({ routes: [route], noise: 0, dailyCycle: 0 });
    const i = b.indexAt(30);
    const input = b.set(route, 30, 40, { tailShare: 0.15, mean: 0.15 * 84 + 0.85 * 0.02 }).build();
    const r = input.routes[0];
    const tail = tailMeanSeries(r, input.grid, 10);
    // baseline mean 0.02 s, median 0.013 s: the body is taken as 0.04 s
    expect(tail[i]).toBeCloseTo((r.mean[i] - 0.85 * 0.04) / 0.15, 6);
    expect(tail[i]).toBeGreaterThan(80);
    expect(tail[i]).toBeLessThan(84);
    expect(tail[b.indexAt(20)]).toBeNaN();
    expect(tailMeanSeries(r, input.grid, 10)).toBe(tail);
  });

  it('is unknown for native histograms', () => {
    const input = new ScanInputBuilder({ routes: [route] }).set(route, 30, 40, { tailShare: 0.2, mean: 20 }).build();
    expect(tailMeanSeries(input.routes[0], input.grid, null).every((v) => Number.isNaN(v))).toBe(true);
  });

  it('does not mix up routes that share a tail-share array', () => {
    const input = new ScanInputBuilder({ routes: [route, '/health'] }).build();
    const [a, h] = input.routes;
    h.tailShare = a.tailShare.fill(0.5);
    h.mean = a.mean.map((v) => v + 10);
    expect(tailMeanSeries(h, input.grid, 10)[5]).not.toBe(tailMeanSeries(a, input.grid, 10)[5]);
  });
});

describe('evidence', () => {
  it('says the figure is an estimate and where the buckets stop', () => {
    expect(formatTailEstimate(84.2, 10)).toBe('≈ 84.2 s estimated from the mean; buckets stop at 10 s');
  });

  it('medianWhere takes the typical value of the selected points', () => {
    const a = Float64Array.from([1, 100, 3, NaN, 2, 50]);
    expect(medianWhere(a, 0, 5, (i) => i !== 1)).toBe(2.5);
    expect(medianWhere(a, 0, 4, (i) => i !== 1)).toBe(2);
    expect(medianWhere(a, 3, 3, () => true)).toBeNaN();
  });
});
