// Time arguments of the CLI: RFC 3339, a date (UTC midnight), unix seconds or milliseconds, or relative to now
// (`now`, `-24h`, `now-30m`), as cron jobs and people write them. Returns unix milliseconds.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;
const UNIX_NUMBER = /^\d+(\.\d+)?$/;
// 1e11 seconds is the year 5138 and 1e11 milliseconds 1973: a larger number is milliseconds (Grafana's URLs,
// JavaScript's Date.now()), a smaller one seconds (date +%s, Prometheus). Past 1e14 ms (year 5138 again) it is
// micro- or nanoseconds, which are refused rather than read as a date thousands of years away.
const MILLISECONDS_FROM = 1e11;
const TOO_LARGE = 1e14;

/** How the forms are described in help and errors (one definition). */
export const TIME_FORMS =
  'RFC 3339 (2024-05-01T09:00:00Z), a date (2024-05-01, UTC midnight), unix seconds (1714554000) or milliseconds (1714554000000), or relative to now (now, -24h, now-30m)';
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
  if (UNIX_NUMBER.test(t)) {
    const n = Number(t);
    if (n >= TOO_LARGE) {
      throw new TimeParseError(
        `${what} "${text}" is too large for unix seconds or milliseconds (micro- or nanoseconds?): use ${TIME_FORMS}`
      );
    }
    return n >= MILLISECONDS_FROM ? Math.round(n) : Math.round(n * 1000);
  }
  const rel = RELATIVE.exec(t);
  if (rel) {
    const delta = Number(rel[2]) * UNIT_MS[rel[3]];
    return rel[1] === '-' ? nowMs - delta : nowMs + delta;
  }
  const m = RFC3339.exec(t);
  if (m) {
    // A date alone is UTC midnight (Date.parse agrees; said in the help, since a local midnight would be a guess).
    const ms = m[4] === undefined ? Date.parse(`${t}T00:00:00Z`) : Date.parse(t.replace(' ', 'T'));
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? 0, m[5] ?? 0, m[6] ?? 0].map(Number);
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
  throw new TimeParseError(`${what} "${text}" is not a time: use ${TIME_FORMS}`);
}

/** RFC 3339 in UTC, without a fraction when the time is a whole second. */
export function formatRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
