// What `prefect-insights scan` prints on stdout: the JSON document of the contract, or a table for people.
import type { ResolvedMetric } from '../prometheus/types';
import type { Episode, Evidence } from '../insights/types';
import { formatRfc3339 } from './time';

export interface ScanJson {
  metric: {
    name: string;
    unit: ResolvedMetric['unit'];
    labels: { route: string; method: string | null; status: string | null };
  };
  range: { from: string; to: string };
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

export function toScanJson(metric: ResolvedMetric, from: number, to: number, episodes: Episode[]): ScanJson {
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
// Below this the columns no longer fit side by side; the table overflows instead of wrapping every word.
const MIN_FLEXIBLE = 30;
const MIN_EVIDENCE = 20;

export interface TableOptions {
  /** Columns available; Infinity (the default) prints every cell whole on one line, with an END column. */
  width?: number;
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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.flatMap((r) => r[i].map((l) => l.length))));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [fmt(header)];
  for (const row of rows) {
    const height = Math.max(...row.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      out.push(fmt(row.map((c) => c[k] ?? '')));
    }
  }
  return out;
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
  lines.push(
    ...wrapText(
      `Prefect API insights ${formatRfc3339(from)} .. ${formatRfc3339(to)} in ${flat(metric.name)}${flat(where)} (${metric.unit})`,
      width
    ),
    ...(metric.notes ?? []).flatMap((n) => wrapText(`Note: ${flat(n)}.`, width))
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
    // END is START + DURATION; its 22 columns go to the routes and the evidence, which wrap in what is left.
    const header = ['SEVERITY', 'INSIGHT', 'START', 'DURATION', 'ROUTES', 'EVIDENCE'];
    const fixed = episodes.map((e) => [e.severity, e.id, formatRfc3339(e.start), duration(e.end - e.start)]);
    const fixedWidth = header
      .slice(0, 4)
      .reduce((sum, h, i) => sum + Math.max(h.length, ...fixed.map((r) => r[i].length)) + 2, 0);
    const flexible = Math.max(MIN_FLEXIBLE, width - fixedWidth - 2);
    const longestRoute = Math.max('ROUTES'.length, ...episodes.flatMap((e) => routesOf(e).map((r) => r.length)));
    const routeWidth = Math.min(longestRoute, Math.max(flexible - MIN_EVIDENCE, Math.floor(flexible * 0.4)));
    const evidenceWidth = flexible - routeWidth;
    const rows = episodes.map((e, i) => [
      ...fixed[i].map((c) => [c]),
      routesOf(e).length ? routesOf(e).flatMap((r) => wrapText(r, routeWidth)) : ['-'],
      wrapText(flat(e.evidence.summary), evidenceWidth),
    ]);
    lines.push(...layout(header, rows));
  }
  lines.push(`${episodes.length} insight episode${episodes.length === 1 ? '' : 's'}.`);
  return lines.join('\n') + '\n';
}
