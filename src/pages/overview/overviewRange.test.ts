import { dateTime } from '@grafana/data';
import { DEFAULT_RAW_RANGE, rangeParams, rawRangeFromParams, resolveRange } from './overviewRange';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

it('resolves relative ranges at one fixed now', () => {
  const r = resolveRange(DEFAULT_RAW_RANGE, NOW)!;
  expect(r.to.valueOf()).toBe(NOW);
  expect(r.from.valueOf()).toBe(NOW - 86_400_000);
  expect(r.raw).toEqual(DEFAULT_RAW_RANGE);
});

it('rounds like Grafana: now/d to now/d is the whole day', () => {
  const r = resolveRange({ from: 'now/d', to: 'now/d' }, NOW)!;
  expect(r.to.valueOf() - r.from.valueOf()).toBe(86_400_000 - 1);
});

it('refuses text dateMath cannot read and empty or reversed ranges', () => {
  expect(resolveRange({ from: 'yesterday-ish', to: 'now' }, NOW)).toBeUndefined();
  expect(resolveRange({ from: 'now', to: 'now-1h' }, NOW)).toBeUndefined();
});

it('reads unix-ms URL parameters as absolute times and writes them back the same way', () => {
  const raw = rawRangeFromParams('1700000000000', '1700003600000');
  expect(resolveRange(raw, NOW)!.from.valueOf()).toBe(1_700_000_000_000);
  expect(rangeParams(raw)).toEqual({ from: '1700000000000', to: '1700003600000' });
  expect(rangeParams({ from: 'now-6h', to: dateTime(5) })).toEqual({ from: 'now-6h', to: '5' });
  expect(rawRangeFromParams(null, 'now')).toEqual(DEFAULT_RAW_RANGE);
});
