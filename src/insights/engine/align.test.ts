/** @jest-environment node */
import type { MatrixSeries } from '../../prometheus/types';
import { alignByLabel, combineArrays, gridFromRange, groupKeys, parseSampleValue, weightedCombine } from './align';

describe('gridFromRange', () => {
  it('counts both ends and converts to ms', () => {
    expect(gridFromRange(1000, 1060, 15)).toEqual({ start: 1_000_000, step: 15_000, length: 5 });
  });
  it('has at least one point', () => {
    expect(gridFromRange(1000, 1000, 15).length).toBe(1);
  });
});

describe('parseSampleValue', () => {
  it('reads Prometheus special values', () => {
    expect(parseSampleValue('+Inf')).toBe(Infinity);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('1.5e-3')).toBeCloseTo(0.0015);
    expect(parseSampleValue('garbage')).toBeNaN();
  });
});

describe('alignByLabel', () => {
  const grid = gridFromRange(100, 160, 15);

  it('puts samples at their index and leaves gaps as NaN', () => {
    const out = alignByLabel(
      [
        {
          metric: { route: '/a' },
          values: [
            [100, '1'],
            [130, '3'],
            [160, '+Inf'],
          ],
        },
      ],
      grid,
      'route'
    );
    const a = out.get('/a')!;
    expect(Array.from(a.slice(0, 4))).toEqual([1, NaN, 3, NaN]);
    expect(a[4]).toBe(Infinity);
  });

  it('drops samples outside the grid or between points', () => {
    const out = alignByLabel(
      [
        {
          metric: { route: '/a' },
          values: [
            [85, '9'],
            [107.5, '9'],
            [175, '9'],
            [115, '2'],
          ],
        },
      ],
      grid,
      'route'
    );
    expect(Array.from(out.get('/a')!)).toEqual([NaN, 2, NaN, NaN, NaN]);
  });

  it('combines series with the same key by sum or max', () => {
    const series: MatrixSeries[] = [
      { metric: { route: '/a', code: '200' }, values: [[100, '1'] as [number, string]] },
      { metric: { route: '/a', code: '500' }, values: [[100, '4'] as [number, string]] },
      { metric: {}, values: [[115, '7'] as [number, string]] },
    ];
    expect(alignByLabel(series, grid, 'route', 'sum').get('/a')![0]).toBe(5);
    expect(alignByLabel(series, grid, 'route', 'max').get('/a')![0]).toBe(4);
    expect(alignByLabel(series, grid, 'route').get('')![1]).toBe(7);
    expect(alignByLabel(series, grid, null).get('')![0]).toBe(5);
  });
});

describe('combining raw routes', () => {
  const a = Float64Array.from([1, NaN, 3, NaN]);
  const b = Float64Array.from([2, 5, NaN, NaN]);

  it('sums or takes the max, ignoring missing points', () => {
    expect(Array.from(combineArrays([a, b], 'sum'))).toEqual([3, 5, 3, NaN]);
    expect(Array.from(combineArrays([a, b], 'max'))).toEqual([2, 5, 3, NaN]);
    expect(combineArrays([a], 'sum')).toBe(a);
  });

  it('weights by rate and falls back to the max without weights', () => {
    const wa = Float64Array.from([3, 0, 1, 0]);
    const wb = Float64Array.from([1, 0, 0, 0]);
    const out = weightedCombine([a, b], [wa, wb]);
    expect(out[0]).toBeCloseTo((1 * 3 + 2 * 1) / 4);
    expect(out[1]).toBe(5);
    expect(out[2]).toBe(3);
    expect(out[3]).toBeNaN();
    expect(weightedCombine([a, b], [undefined, undefined])[0]).toBe(2);
  });

  it('groups raw keys by their normalised form', () => {
    const groups = groupKeys(['/api/x/1', '/x/2', '/y'], (raw) => raw.replace(/^\/api/, '').replace(/\d+/, '{id}'));
    expect(groups.get('/x/{id}')).toEqual(['/api/x/1', '/x/2']);
    expect(groups.get('/y')).toEqual(['/y']);
  });
});
