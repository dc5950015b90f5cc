// Prometheus results and insight episodes as Grafana data frames. Kept free of the DataSource class so the hot path
// (megabytes of range-query JSON) is one tight loop per series, testable on its own.
import { DataFrameType, FieldType, type DataFrame, type Field } from '@grafana/data';
import type { InsightStatusValue } from '../insights/annotations';
import { parseSampleValue } from '../prometheus/client';
import type { MatrixSeries } from '../prometheus/types';
import type { Severity } from '../catalog/types';
import { EPISODE_FIELD as F, episodeFigures } from '../insights/episodeFrame';
import type { Episode } from '../insights/types';

export type FrameUnit = 's' | 'percentunit' | 'reqps' | 'short';

export interface SeriesFrameOptions {
  refId: string;
  unit: FrameUnit;
  /** Text before the label values in the legend, e.g. `p95`. */
  legendPrefix?: string;
  /** Labels added to every series (e.g. the quantile), so series stay distinguishable. */
  extraLabels?: Record<string, string>;
  /** Multiplier for every value (1000 → 1 converts milliseconds to seconds when PromQL did not). */
  scale?: number;
}

function legendOf(prefix: string | undefined, labels: Record<string, string>): string | undefined {
  const values = Object.keys(labels)
    .filter((k) => k !== 'quantile')
    .sort()
    .map((k) => labels[k]);
  const text = [prefix ?? '', ...values].filter((s) => s !== '').join(' ');
  return text === '' ? undefined : text;
}

/** One frame per series: a time field in ms and a number field carrying the series' labels. */
export function matrixToFrames(series: MatrixSeries[], opts: SeriesFrameOptions): DataFrame[] {
  const scale = opts.scale ?? 1;
  const frames: DataFrame[] = new Array(series.length);
  for (let s = 0; s < series.length; s++) {
    const { metric, values } = series[s];
    const n = values.length;
    const times = new Array<number>(n);
    const nums = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const pair = values[i];
      times[i] = pair[0] * 1000;
      nums[i] = parseSampleValue(pair[1]) * scale;
    }
    const labels: Record<string, string> = { ...opts.extraLabels };
    for (const k in metric) {
      if (k !== '__name__') {
        labels[k] = metric[k];
      }
    }
    const valueField: Field = {
      name: 'Value',
      type: FieldType.number,
      values: nums,
      labels,
      config: { unit: opts.unit, displayNameFromDS: legendOf(opts.legendPrefix, labels) },
    };
    frames[s] = {
      refId: opts.refId,
      name: valueField.config.displayNameFromDS,
      length: n,
      fields: [{ name: 'Time', type: FieldType.time, values: times, config: {} }, valueField],
    };
  }
  return frames;
}

function leValue(le: string): number {
  const v = parseSampleValue(le);
  return Number.isNaN(v) ? Infinity : v;
}

/**
 * One bucket per bound. Prometheus 3 writes scraped and backfilled bounds as floats (`le="1.0"`) where 2.x, and
 * Prometheus 3's own OTLP receiver, write `le="1"`: across an upgrade, or with both paths into one TSDB, `sum by
 * (le)` returns two series for one bound, and their rates add up.
 */
function mergeEqualBounds(buckets: Array<{ le: number; values: Array<[number, string]> }>) {
  const byBound = new Map<number, Map<number, number>>();
  for (const b of buckets) {
    const at = byBound.get(b.le) ?? new Map<number, number>();
    byBound.set(b.le, at);
    for (const [t, text] of b.values) {
      const v = parseSampleValue(text);
      const prev = at.get(t);
      at.set(t, prev === undefined || Number.isNaN(prev) ? v : Number.isNaN(v) ? prev : prev + v);
    }
  }
  return [...byBound].map(([le, at]) => ({
    le,
    values: [...at].sort((a, b) => a[0] - b[0]).map(([t, v]): [number, string] => [t, String(v)]),
  }));
}

/**
 * Cumulative bucket rates (one series per `le`) as a heatmap-rows frame: one field per bucket, named by its upper
 * bound, holding that bucket's own share (cumulative counts differenced; negative noise clamped to 0).
 */
export function heatmapFrame(series: MatrixSeries[], refId: string, leScale = 1): DataFrame {
  const buckets = mergeEqualBounds(
    series
      .filter((s) => s.metric.le !== undefined)
      .map((s) => ({ le: leValue(s.metric.le) * leScale, values: s.values }))
  ).sort((a, b) => a.le - b.le);
  const timeSet = new Set<number>();
  for (const b of buckets) {
    for (const [t] of b.values) {
      timeSet.add(t);
    }
  }
  const times = [...timeSet].sort((a, b) => a - b);
  const index = new Map<number, number>();
  times.forEach((t, i) => index.set(t, i));
  const cumulative = buckets.map((b) => {
    const arr = new Array<number>(times.length).fill(NaN);
    for (const [t, v] of b.values) {
      arr[index.get(t)!] = parseSampleValue(v);
    }
    return arr;
  });
  const fields: Field[] = [{ name: 'Time', type: FieldType.time, values: times.map((t) => t * 1000), config: {} }];
  for (let i = 0; i < buckets.length; i++) {
    const own = cumulative[i].map((v, j) => {
      const below = i === 0 ? 0 : cumulative[i - 1][j];
      const d = v - (Number.isNaN(below) ? 0 : below);
      return Number.isNaN(d) ? NaN : Math.max(0, d);
    });
    const le = buckets[i].le;
    fields.push({
      name: le === Infinity ? '+Inf' : String(le),
      type: FieldType.number,
      values: own,
      config: { unit: 'reqps' },
    });
  }
  return { refId, length: times.length, fields, meta: { type: DataFrameType.HeatmapRows } };
}

/** Episodes as a table, one row per episode, times in ms (contract: insights/episodeFrame.ts). */
export function episodesTableFrame(episodes: Episode[], refId: string): DataFrame {
  return {
    refId,
    name: 'Insights',
    length: episodes.length,
    fields: [
      { name: F.id, type: FieldType.string, values: episodes.map((e) => e.id), config: {} },
      { name: F.severity, type: FieldType.string, values: episodes.map((e) => e.severity), config: {} },
      { name: F.title, type: FieldType.string, values: episodes.map((e) => e.title), config: {} },
      { name: F.start, type: FieldType.time, values: episodes.map((e) => e.start), config: {} },
      { name: F.end, type: FieldType.time, values: episodes.map((e) => e.end), config: {} },
      { name: F.routes, type: FieldType.other, values: episodes.map((e) => [...e.routes]), config: {} },
      { name: F.evidence, type: FieldType.string, values: episodes.map((e) => e.evidence.summary), config: {} },
      // The figures are for the advice page, the summary for people: hidden from Grafana's table, which drops fields
      // with custom.hideFrom.viz (TableNG, getVisibleFields in packages/grafana-ui/src/components/Table/TableNG/utils.ts)
      // or, in the older table, custom.hidden (TableRT/RowsList.tsx).
      {
        name: F.figures,
        type: FieldType.other,
        values: episodes.map(episodeFigures),
        config: { custom: { hideFrom: { viz: true, legend: true, tooltip: true }, hidden: true } },
      },
    ],
  };
}

export interface InsightStatusRow {
  id: string;
  title: string;
  severity: Severity;
  status: InsightStatusValue;
  lastSeen?: number;
}

export function insightStatusFrame(rows: InsightStatusRow[], refId: string): DataFrame {
  return {
    refId,
    name: 'Insight status',
    length: rows.length,
    fields: [
      { name: 'id', type: FieldType.string, values: rows.map((r) => r.id), config: {} },
      { name: 'title', type: FieldType.string, values: rows.map((r) => r.title), config: {} },
      { name: 'severity', type: FieldType.string, values: rows.map((r) => r.severity), config: {} },
      { name: 'status', type: FieldType.string, values: rows.map((r) => r.status), config: {} },
      { name: 'lastSeen', type: FieldType.time, values: rows.map((r) => r.lastSeen ?? null), config: {} },
    ],
  };
}

export interface AnnotationRow {
  time: number;
  timeEnd: number;
  title: string;
  text: string;
  tags: string[];
  severity: Severity;
}

/** Grafana's named colours resolve per theme, so no raw colour values are needed here. */
export const SEVERITY_COLOR: Record<Severity, string> = { critical: 'red', warning: 'orange', info: 'blue' };

/** The fields Grafana's standard frame-to-annotation mapping reads (time, timeEnd, title, text, tags, color). */
export function annotationsFrame(rows: AnnotationRow[], refId: string): DataFrame {
  return {
    refId,
    name: 'Insight annotations',
    length: rows.length,
    fields: [
      { name: 'time', type: FieldType.time, values: rows.map((r) => r.time), config: {} },
      { name: 'timeEnd', type: FieldType.time, values: rows.map((r) => r.timeEnd), config: {} },
      { name: 'title', type: FieldType.string, values: rows.map((r) => r.title), config: {} },
      { name: 'text', type: FieldType.string, values: rows.map((r) => r.text), config: {} },
      { name: 'tags', type: FieldType.other, values: rows.map((r) => r.tags), config: {} },
      { name: 'color', type: FieldType.string, values: rows.map((r) => SEVERITY_COLOR[r.severity]), config: {} },
    ],
  };
}
