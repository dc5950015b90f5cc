// Incremental range queries: a dashboard refreshing "the last 24 hours" every minute asks the same range queries
// with the window moved by a minute. Grafana's own Prometheus data source re-reads only the new tail in that case
// (packages/grafana-prometheus/src/querycache/QueryCache.ts, "incremental querying", a 10-minute overlap by
// default), but a nested data source receives Prometheus's raw answers through the resource route, so the plugin
// keeps its own: per expression and step, the last answer, and on a moved window only the points from the cached
// end minus an overlap are asked for. The overlap re-reads the points that late samples (a slow scrape, an OTLP
// push every 10 s, a rule evaluated late) may still change.
import type { MatrixSeries, PrometheusApi, RequestOptions, TimeRange } from './types';

/** Seconds re-read before the cached end: Grafana's default `incrementalQueryOverlapWindow` (10m). */
export const INCREMENTAL_OVERLAP_SECONDS = 600;

/** Entries kept (least recently used dropped first): a dashboard's panels, annotation scan and variables. */
export const RANGE_CACHE_ENTRIES = 64;

/**
 * Points kept over all entries: about 100 MB of a browser tab's heap at ~50 bytes a point (a [number, string]
 * pair), enough for the bundled dashboard over a day of 150 routes at a 1-minute step, not for a month of a fleet.
 */
export const RANGE_CACHE_POINTS = 2_000_000;

interface Notice {
  message: string;
  kind?: 'warning' | 'info';
}

interface Entry {
  range: TimeRange;
  points: number;
  series: MatrixSeries[];
  /** Infos of the answers the entry was built from, said again when it is served (warnings are never cached). */
  infos: Notice[];
}

export interface RangeCacheStats {
  /** range queries answered without any reuse */
  full: number;
  /** range queries answered by the cache plus a tail request */
  incremental: number;
  /** seconds of range requested from Prometheus, summed (what the cache saves is the difference) */
  secondsRequested: number;
}

export interface CachedPrometheusApi extends PrometheusApi {
  stats(): RangeCacheStats;
  clear(): void;
}

/**
 * What an info says, without the details of the evaluation that raised it: Prometheus 3 appends the buckets, the
 * sample count and the time span to its histogram_quantile info ("…(see https://…), from buckets 0.5 to 2.5, with
 * a max diff of 0.017, over 1048576 samples from … to …"), which differ between a tail read and a whole read.
 */
export function infoKind(message: string): string {
  const m = /^(.*?\(see [^)]*\))/.exec(message);
  return m ? m[1] : message;
}

/** The engine parameters are part of the answer (a downsampled read is not the raw one), so of the key too. */
function key(expr: string, step: number, params: Record<string, string> | undefined): string {
  return `${step}\u0000${expr}\u0000${params ? seriesKey(params) : ''}`;
}

function seriesKey(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The part of `range` that must be read when `cached` holds an earlier answer of the same expression and step, or
 * null when the cache cannot serve it: a window that starts earlier, off the cached grid, ends earlier, or no longer
 * overlaps the cached answer's trusted part.
 */
export function tailToRead(cached: TimeRange, range: TimeRange, overlapSeconds: number): TimeRange | null {
  if (cached.step !== range.step || range.start < cached.start || range.end < cached.end) {
    return null;
  }
  const step = range.step;
  if ((range.start - cached.start) % step !== 0 || (range.end - range.start) % step !== 0) {
    return null;
  }
  // First grid point at or after the cached end less the overlap, never before the window.
  const from = Math.max(
    range.start,
    range.start + Math.ceil((cached.end - overlapSeconds - range.start) / step) * step
  );
  if (from > cached.end) {
    return null; // the window moved past the cached answer: nothing to reuse
  }
  return { start: from, end: range.end, step };
}

/** The cached series cut to [range.start, tail.start) and the tail's points after them, series matched by labels. */
export function mergeTail(
  cached: MatrixSeries[],
  tail: MatrixSeries[],
  range: TimeRange,
  tailStart: number
): MatrixSeries[] {
  const out = new Map<string, MatrixSeries>();
  for (const s of cached) {
    const values = s.values.filter(([t]) => t >= range.start && t < tailStart);
    if (values.length > 0) {
      out.set(seriesKey(s.metric), { metric: s.metric, values });
    }
  }
  for (const s of tail) {
    const k = seriesKey(s.metric);
    const values = s.values.filter(([t]) => t >= tailStart && t <= range.end);
    const head = out.get(k);
    if (head) {
      head.values = head.values.concat(values);
    } else if (values.length > 0) {
      out.set(k, { metric: s.metric, values });
    }
  }
  return [...out.values()];
}

/**
 * The same port, with range queries answered incrementally. Answers that carried a warning (partial data, a lost
 * store) are never kept, so a later refresh reads the whole window again, as Thanos's query-frontend does.
 */
export function withRangeCache(
  api: PrometheusApi,
  opts: { overlapSeconds?: number; entries?: number; points?: number } = {}
): CachedPrometheusApi {
  const overlap = opts.overlapSeconds ?? INCREMENTAL_OVERLAP_SECONDS;
  const limit = opts.entries ?? RANGE_CACHE_ENTRIES;
  const maxPoints = opts.points ?? RANGE_CACHE_POINTS;
  const entries = new Map<string, Entry>();
  let points = 0;
  const stats: RangeCacheStats = { full: 0, incremental: 0, secondsRequested: 0 };

  async function read(expr: string, range: TimeRange, ro: RequestOptions | undefined) {
    const notices: Notice[] = [];
    const series = await api.queryRange(expr, range, {
      ...ro,
      onWarning: (message, kind) => {
        notices.push({ message, kind });
        ro?.onWarning?.(message, kind);
      },
    });
    stats.secondsRequested += range.end - range.start;
    return { series, notices };
  }

  function drop(k: string) {
    const e = entries.get(k);
    if (e) {
      points -= e.points;
      entries.delete(k);
    }
  }

  function keep(k: string, entry: Omit<Entry, 'points'>, notices: Notice[]) {
    drop(k);
    const size = entry.series.reduce((n, s) => n + s.values.length, 0);
    if (notices.some((n) => n.kind !== 'info') || size > maxPoints) {
      return;
    }
    entries.set(k, { ...entry, points: size });
    points += size;
    while (entries.size > limit || points > maxPoints) {
      drop(entries.keys().next().value!);
    }
  }

  return {
    ...api,
    async queryRange(expr, range, ro) {
      const k = key(expr, range.step, ro?.params);
      const cached = entries.get(k);
      const tail = cached ? tailToRead(cached.range, range, overlap) : null;
      if (!cached || !tail) {
        const { series, notices } = await read(expr, range, ro);
        stats.full++;
        keep(k, { range, series, infos: notices.filter((n) => n.kind === 'info') }, notices);
        return series;
      }
      const { series: fresh, notices } = await read(expr, tail, ro);
      // One line per kind of info: the tail's own, else the cached part's (said again, it still describes data shown).
      const told = new Set(notices.map((n) => infoKind(n.message)));
      for (const n of cached.infos) {
        if (!told.has(infoKind(n.message))) {
          ro?.onWarning?.(n.message, n.kind);
        }
      }
      stats.incremental++;
      const series = mergeTail(cached.series, fresh, range, tail.start);
      const infos = [
        ...cached.infos.filter((c) => !told.has(infoKind(c.message))),
        ...notices.filter((n) => n.kind === 'info'),
      ];
      keep(k, { range, series, infos }, notices);
      return series;
    },
    stats: () => ({ ...stats }),
    clear: () => {
      entries.clear();
      points = 0;
    },
  };
}
