// The overview's time range, kept raw (`now-24h` … `now`) as Grafana keeps a dashboard's, and resolved with
// @grafana/data's dateMath at one fixed "now", so the range does not move on every render.
import { dateMath, dateTime, type RawTimeRange, type TimeRange } from '@grafana/data';

export const DEFAULT_RAW_RANGE: RawTimeRange = { from: 'now-24h', to: 'now' };

/** The range for raw `from`/`to` as typed in the URL or the picker; undefined when dateMath cannot read them. */
export function resolveRange(raw: RawTimeRange, nowMs: number): TimeRange | undefined {
  const now = dateTime(nowMs);
  const from = dateMath.toDateTime(raw.from, { roundUp: false, now });
  const to = dateMath.toDateTime(raw.to, { roundUp: true, now });
  if (!from?.isValid() || !to?.isValid() || from.valueOf() >= to.valueOf()) {
    return undefined;
  }
  return { from, to, raw };
}

/** A raw range from URL parameters: relative (`now-6h`) or unix ms, as Grafana writes them in `?from=&to=`. */
export function rawRangeFromParams(from: string | null, to: string | null): RawTimeRange {
  if (!from || !to) {
    return DEFAULT_RAW_RANGE;
  }
  const asTime = (v: string) => (/^\d+$/.test(v) ? dateTime(Number(v)) : v);
  return { from: asTime(from), to: asTime(to) };
}

/** The raw range as URL parameters: relative text stays text, absolute times become unix ms. */
export function rangeParams(raw: RawTimeRange): { from: string; to: string } {
  const text = (v: RawTimeRange['from']) => (typeof v === 'string' ? v : String(v.valueOf()));
  return { from: text(raw.from), to: text(raw.to) };
}
