// Time arguments of the CLI: RFC 3339, unix seconds, or relative to now (`now`, `-24h`, `now-30m`), as cron jobs
// write them. Returns unix milliseconds.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UNIX_SECONDS = /^\d+(\.\d+)?$/;
const RELATIVE = /^(?:now)?\s*([+-])\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export class TimeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeParseError';
  }
}

/** Date.parse rolls 2024-02-31 over to 2024-03-02; a cron line with that date is a mistake to report instead. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseTime(text: string, nowMs: number, what = 'time'): number {
  const t = text.trim();
  if (t === 'now') {
    return nowMs;
  }
  if (UNIX_SECONDS.test(t)) {
    return Math.round(Number(t) * 1000);
  }
  const rel = RELATIVE.exec(t);
  if (rel) {
    const delta = Number(rel[2]) * UNIT_MS[rel[3]];
    return rel[1] === '-' ? nowMs - delta : nowMs + delta;
  }
  const m = RFC3339.exec(t);
  if (m) {
    const ms = Date.parse(t.replace(' ', 'T'));
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
    if (
      Number.isFinite(ms) &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 60
    ) {
      return ms;
    }
  }
  throw new TimeParseError(
    `${what} "${text}" is not a time: use RFC 3339 (2024-05-01T09:00:00Z), unix seconds (1714554000), or relative to now (now, -24h, now-30m)`
  );
}

/** RFC 3339 in UTC, without a fraction when the time is a whole second. */
export function formatRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
