/** @jest-environment node */
import { formatRfc3339, parseTime, TimeParseError } from './time';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('parseTime', () => {
  it('reads RFC 3339 with Z, offsets and fractions', () => {
    expect(parseTime('2024-05-01T09:00:00Z', NOW)).toBe(Date.UTC(2024, 4, 1, 9));
    expect(parseTime('2024-05-01T09:00:00+02:00', NOW)).toBe(Date.UTC(2024, 4, 1, 7));
    expect(parseTime('2024-05-01T09:00:00.250Z', NOW)).toBe(Date.UTC(2024, 4, 1, 9, 0, 0, 250));
  });

  it('reads unix seconds', () => {
    expect(parseTime('1714554000', NOW)).toBe(1714554000_000);
    expect(parseTime('1714554000.5', NOW)).toBe(1714554000_500);
  });

  it('reads unix milliseconds, as Grafana URLs and Date.now() give them', () => {
    expect(parseTime('1714554000000', NOW)).toBe(1714554000_000);
    expect(parseTime('1714554000123', NOW)).toBe(1714554000_123);
  });

  it('refuses micro- and nanoseconds with the reason instead of a date millennia away', () => {
    expect(() => parseTime('1714554000000000', NOW, '--from')).toThrow(/--from "1714554000000000" is too large/);
    expect(() => parseTime('1714554000000000000', NOW, '--to')).toThrow(/micro- or nanoseconds/);
  });

  it('reads a date alone as midnight UTC', () => {
    expect(parseTime('2026-12-02', NOW)).toBe(Date.UTC(2026, 11, 2));
    expect(() => parseTime('2026-02-30', NOW, '--from')).toThrow(/--from "2026-02-30" is not a time/);
  });

  it('reads times relative to now', () => {
    expect(parseTime('now', NOW)).toBe(NOW);
    expect(parseTime('-24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseTime('now-30m', NOW)).toBe(NOW - 1_800_000);
    expect(parseTime('-7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseTime('+90s', NOW)).toBe(NOW + 90_000);
  });

  it('rejects anything else with a message naming the argument', () => {
    for (const bad of [
      '',
      'yesterday',
      '2024-5-1',
      '2024-13-01T00:00:00Z',
      '2024-13-01',
      '-24x',
      '2024-05-01T09:00:00',
    ]) {
      expect(() => parseTime(bad, NOW, '--from')).toThrow(TimeParseError);
    }
    expect(() => parseTime('soon', NOW, '--from')).toThrow(/--from "soon"/);
  });

  it('rejects days a month does not have instead of rolling them into the next month', () => {
    for (const bad of [
      '2024-02-31T00:00:00Z',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
    ]) {
      expect(() => parseTime(bad, NOW, '--from')).toThrow(/--from "20/);
    }
    expect(parseTime('2024-02-29T00:00:00Z', NOW)).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2024-12-31T23:59:59Z', NOW)).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
  });
});

describe('formatRfc3339', () => {
  it('round-trips through parseTime and drops a zero fraction', () => {
    expect(formatRfc3339(Date.UTC(2024, 4, 1, 9))).toBe('2024-05-01T09:00:00Z');
    const t = Date.UTC(2024, 4, 1, 9, 0, 0, 250);
    expect(parseTime(formatRfc3339(t), NOW)).toBe(t);
  });
});
