import { dateTime, type TimeRange } from '@grafana/data';

export const RANGE_PRESETS = [
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86400_000 },
] as const;

export type RangePreset = (typeof RANGE_PRESETS)[number]['value'];

export const DEFAULT_PRESET: RangePreset = '24h';

export function isRangePreset(v: string | null): v is RangePreset {
  return RANGE_PRESETS.some((p) => p.value === v);
}

/** The range "last <preset>" ending at `nowMs`. */
export function presetRange(preset: RangePreset, nowMs: number): TimeRange {
  const span = RANGE_PRESETS.find((p) => p.value === preset)?.ms ?? 86400_000;
  const to = dateTime(nowMs);
  const from = dateTime(nowMs - span);
  return { from, to, raw: { from: `now-${preset}`, to: 'now' } };
}

/** An absolute range from unix-ms `from`/`to` URL parameters (the dashboard's time), or undefined if invalid. */
export function absoluteRange(fromParam: string | null, toParam: string | null): TimeRange | undefined {
  const fromMs = Number(fromParam);
  const toMs = Number(toParam);
  if (!fromParam || !toParam || !Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs) {
    return undefined;
  }
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return { from, to, raw: { from, to } };
}
