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

function clip(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + '…' : text;
}

/** A fixed-width table; control characters in label values are flattened so a route cannot break the layout. */
export function toTable(metric: ResolvedMetric, from: number, to: number, episodes: Episode[]): string {
  const flat = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const lines: string[] = [];
  const where = metric.selector ? `{${metric.selector}}` : '';
  lines.push(
    `Prefect API insights ${formatRfc3339(from)} .. ${formatRfc3339(to)} in ${metric.name}${where} (${metric.unit})`,
    ...(metric.notes ?? []).map((n) => `Note: ${flat(n)}.`)
  );
  if (episodes.length === 0) {
    lines.push('No insights in range.');
    return lines.join('\n') + '\n';
  }
  const header = ['SEVERITY', 'INSIGHT', 'START', 'END', 'DURATION', 'ROUTES', 'EVIDENCE'];
  const rows = episodes.map((e) => [
    e.severity,
    e.id,
    formatRfc3339(e.start),
    formatRfc3339(e.end),
    duration(e.end - e.start),
    clip(flat(e.routes.join(',')) || '-', 40),
    flat(e.evidence.summary),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(fmt(header), ...rows.map(fmt));
  lines.push(`${episodes.length} insight episode${episodes.length === 1 ? '' : 's'}.`);
  return lines.join('\n') + '\n';
}
