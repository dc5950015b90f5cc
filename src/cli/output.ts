// What `prefect-insights scan` prints on stdout: the JSON document of the contract, or a table for people.
import type { ResolvedMetric } from '../prometheus/types';
import type { Episode, Evidence } from '../insights/types';
import type { ScanSource } from '../insights/engine/types';
import { describeSource } from '../insights/engine/source';
import { formatRfc3339 } from './time';

export interface ScanJson {
  metric: {
    name: string;
    unit: ResolvedMetric['unit'];
    labels: { route: string; method: string | null; status: string | null };
  };
  range: { from: string; to: string };
  /** What the scan read (absent from scans that do not say, e.g. test fakes). */
  source?: {
    kind: 'raw' | 'recording-rules';
    resolutionSeconds: number;
    rateWindowSeconds?: number;
    /** Thanos's coarsest downsampled resolution the read allowed, seconds. */
    downsampledSeconds?: number;
    description: string;
  };
  insights: Array<{
    id: string;
    severity: string;
    title: string;
    start: string;
    end: string;
    routes: string[];
    evidence: Evidence;
  }>;
}

/** The ScanSource of a result, when it carries one. */
export function sourceOf(r: Partial<ScanSource>): ScanSource | undefined {
  return r.source && r.resolutionSeconds !== undefined ? (r as ScanSource) : undefined;
}

export function toScanJson(
  metric: ResolvedMetric,
  from: number,
  to: number,
  episodes: Episode[],
  source?: ScanSource
): ScanJson {
  return {
    metric: {
      name: metric.name,
      unit: metric.unit,
      labels: {
        route: metric.labels.route,
        method: metric.labels.method ?? null,
        status: metric.labels.status ?? null,
      },
    },
    range: { from: formatRfc3339(from), to: formatRfc3339(to) },
    ...(source
      ? {
          source: {
            kind: source.source,
            resolutionSeconds: source.resolutionSeconds,
            ...(source.rateWindowSeconds !== undefined ? { rateWindowSeconds: source.rateWindowSeconds } : {}),
            ...(source.downsampledSeconds !== undefined ? { downsampledSeconds: source.downsampledSeconds } : {}),
            description: describeSource(source),
          },
        }
      : {}),
    insights: episodes.map((e) => ({
      id: e.id,
      severity: e.severity,
      title: e.title,
      start: formatRfc3339(e.start),
      end: formatRfc3339(e.end),
      routes: e.routes,
      evidence: e.evidence,
    })),
  };
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) {
    return `${minutes}m`;
  }
  const h = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${h}h` : `${h}h${minutes % 60}m`;
}

/** Width of the table when stdout is not a terminal: fits a CI log, a mail and a 120-column review diff. */
export const TABLE_WIDTH = 120;
// Below this the route column no longer fits beside the others; the table overflows instead of wrapping every word.
const MIN_ROUTES = 24;

export interface TableOptions {
  /** Columns available; Infinity (the default) prints every cell whole on one line, with an END column. */
  width?: number;
  /** What the scan read: one line under the title. */
  source?: ScanSource;
}

/** Splits text into lines of at most `width`, at spaces where it can, inside words where it must. */
export function wrapText(text: string, width: number): string[] {
  if (!Number.isFinite(width) || text.length <= width) {
    return [text];
  }
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    let w = word;
    while (w.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) {
      line = w;
    } else if (line.length + 1 + w.length <= width) {
      line += ' ' + w;
    } else {
      lines.push(line);
      line = w;
    }
  }
  if (line) {
    lines.push(line);
  }
  return lines;
}

/** Rows of cells, each cell already split into lines; every row is as tall as its tallest cell. */
function layout(header: string[], rows: string[][][]): string[] {
  const { head, body } = layoutRows(header, rows);
  return [head, ...body.flat()];
}

/** The header line and each row's lines, in columns as wide as their widest line. */
function layoutRows(header: string[], rows: string[][][]): { head: string; body: string[][] } {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.flatMap((r) => r[i].map((l) => l.length))));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const body = rows.map((row) => {
    const height = Math.max(...row.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => fmt(row.map((c) => c[k] ?? '')));
  });
  return { head: fmt(header), body };
}

/** A table; control characters in label values are flattened so a route cannot break the layout. */
export function toTable(
  metric: ResolvedMetric,
  from: number,
  to: number,
  episodes: Episode[],
  opts: TableOptions = {}
): string {
  const width = opts.width ?? Infinity;
  const flat = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const lines: string[] = [];
  const where = metric.selector ? `{${metric.selector}}` : '';
  // The metric line is never wrapped: its selector is the user's own text, to be found and copied whole.
  const title = `Prefect API insights ${formatRfc3339(from)} .. ${formatRfc3339(to)}`;
  const metricLine = `in ${flat(metric.name)}${flat(where)} (${metric.unit})`;
  lines.push(
    ...(`${title} ${metricLine}`.length <= width ? [`${title} ${metricLine}`] : [title, metricLine]),
    ...(metric.notes ?? []).flatMap((n) => wrapText(`Note: ${flat(n)}.`, width)),
    ...(opts.source ? wrapText(`Data: ${describeSource(opts.source)}.`, width) : [])
  );
  if (episodes.length === 0) {
    lines.push('No insights in range.');
    return lines.join('\n') + '\n';
  }
  const routesOf = (e: Episode) => e.routes.map(flat);
  if (!Number.isFinite(width)) {
    const header = ['SEVERITY', 'INSIGHT', 'START', 'END', 'DURATION', 'ROUTES', 'EVIDENCE'];
    const rows = episodes.map((e) =>
      [
        e.severity,
        e.id,
        formatRfc3339(e.start),
        formatRfc3339(e.end),
        duration(e.end - e.start),
        routesOf(e).join(',') || '-',
        flat(e.evidence.summary),
      ].map((c) => [c])
    );
    lines.push(...layout(header, rows));
  } else {
    // END is START + DURATION. The routes wrap in the last column; the evidence, a sentence or two, gets a
    // paragraph of its own under each row, indented to the insight, where it has nearly the whole width.
    const header = ['SEVERITY', 'INSIGHT', 'START', 'DURATION', 'ROUTES'];
    const fixed = episodes.map((e) => [e.severity, e.id, formatRfc3339(e.start), duration(e.end - e.start)]);
    const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...fixed.map((r) => r[i].length)));
    const routeWidth = Math.max(MIN_ROUTES, width - widths.reduce((sum, w) => sum + w + 2, 0));
    const indent = ' '.repeat(widths[0] + 2);
    const evidenceWidth = Math.max(MIN_ROUTES, width - indent.length);
    const rows = episodes.map((e, i) => [
      ...fixed[i].map((c) => [c]),
      wrapText(routesOf(e).join(', ') || '-', routeWidth),
    ]);
    const { head, body } = layoutRows(header, rows);
    lines.push(head);
    episodes.forEach((e, i) => {
      lines.push(...body[i], ...wrapText(flat(e.evidence.summary), evidenceWidth).map((l) => indent + l));
    });
  }
  lines.push(`${episodes.length} insight episode${episodes.length === 1 ? '' : 's'}.`);
  return lines.join('\n') + '\n';
}
