/** @jest-environment node */
import fc from 'fast-check';
import { DEFAULT_PREFECT_SETTINGS } from '../../catalog/prefectSettings';
import { suppressExplained } from '../toolkit/suppression';
import type { RouteSeries, ScanInput } from '../types';
import { DETECTORS } from './index';

const ROUTES = [
  '/flow_runs/filter',
  '/task_runs/count',
  '/flow_runs/{id}/set_state',
  '/work_pools/{name}',
  '/work_queues/{id}/get_runs',
  '/health',
  'api/flow_runs/paginate',
];

const value = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -1, 1e308),
  fc.double({ min: -10, max: 100, noNaN: true }),
  fc.double({ min: 0, max: 60, noNaN: true })
);

const series = (maxLength: number) => fc.array(value, { maxLength }).map((xs) => Float64Array.from(xs));

const route = (n: number): fc.Arbitrary<RouteSeries> =>
  fc.record({
    route: fc.constantFrom(...ROUTES),
    // Lengths are allowed to disagree with the grid: detectors must cope.
    p50: series(n + 2),
    p95: series(n + 2),
    p99: series(n + 2),
    mean: series(n + 2),
    rate: series(n + 2),
    errorRate: series(n + 2),
    slowShare: series(n + 2),
    tailShare: series(n + 2),
  });

const scanInput: fc.Arbitrary<ScanInput> = fc.integer({ min: 0, max: 120 }).chain((n) =>
  fc.record({
    grid: fc.record({
      start: fc.oneof(fc.constant(0), fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 })),
      step: fc.constantFrom(1_000, 15_000, 60_000, 300_000, 0, -15_000, NaN),
      length: fc.constant(n),
    }),
    rangeStartIndex: fc.integer({ min: -5, max: n + 5 }),
    routes: fc.array(route(n), { maxLength: 3 }),
    up: series(n + 1),
    largestBucket: fc.constantFrom(null, 10, 0, 60),
    scrapeIntervalMs: fc.constantFrom(15_000, 0, NaN),
    settings: fc.constant({ ...DEFAULT_PREFECT_SETTINGS }),
  })
);

describe('every detector on arbitrary input', () => {
  it('never throws, never emits a catalogue-only insight, keeps episodes inside the range', () => {
    fc.assert(
      fc.property(scanInput, (input) => {
        const { start, step, length } = input.grid;
        const rangeStart = start + Math.max(0, input.rangeStartIndex) * step;
        const last = start + (length - 1) * step;
        const episodes = DETECTORS.flatMap((d) => d.detect(input));
        for (const e of episodes) {
          expect(['k8s-worker-pod-overhead', 'connection-reset']).not.toContain(e.id);
          expect(e.start).toBeLessThanOrEqual(e.end);
          expect(e.start).toBeGreaterThanOrEqual(rangeStart);
          expect(e.end).toBeLessThanOrEqual(last);
          expect(typeof e.evidence.summary).toBe('string');
          expect(() => JSON.stringify(e)).not.toThrow();
        }
        expect(suppressExplained(episodes).length).toBeLessThanOrEqual(episodes.length);
      }),
      { numRuns: 300 }
    );
  });

  it('keeps episodes well-formed on dense random walks over every route family', () => {
    const walk = fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 60, maxLength: 60 });
    fc.assert(
      fc.property(walk, walk, fc.integer({ min: 0, max: 59 }), (lat, rate, rangeStartIndex) => {
        const a = Float64Array.from(lat);
        const r = Float64Array.from(rate);
        const input: ScanInput = {
          grid: { start: 0, step: 60_000, length: 60 },
          rangeStartIndex,
          routes: ROUTES.map((name) => ({
            route: name,
            p50: a,
            p95: a,
            p99: a,
            mean: a,
            rate: r,
            errorRate: r,
            slowShare: a,
            tailShare: r,
          })),
          up: Float64Array.from(lat, (v) => (v > 25 ? 0 : 1)),
          largestBucket: 10,
          scrapeIntervalMs: 60_000,
          settings: { ...DEFAULT_PREFECT_SETTINGS },
        };
        for (const e of DETECTORS.flatMap((d) => d.detect(input))) {
          expect(e.start).toBeLessThanOrEqual(e.end);
          expect(e.start).toBeGreaterThanOrEqual(rangeStartIndex * 60_000);
          expect(e.end).toBeLessThanOrEqual(59 * 60_000);
        }
      }),
      { numRuns: 200 }
    );
  });
});
