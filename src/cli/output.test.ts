/** @jest-environment node */
import type { Episode } from '../insights/types';
import type { ResolvedMetric } from '../prometheus/types';
import { toScanJson, toTable } from './output';

const METRIC: ResolvedMetric = {
  conventionId: 'prefect',
  name: 'prefect_server_api_request_duration_seconds',
  kind: 'classic',
  unit: 'seconds',
  labels: { route: 'http_route' },
  selector: '',
  buckets: [1, 10],
};
const T0 = Date.UTC(2024, 4, 1, 9);

function episode(routes: string[], summary: string): Episode {
  return {
    id: 'runs-page-slow',
    severity: 'warning',
    title: 'Runs page slow',
    start: T0,
    end: T0 + 90 * 60_000,
    routes,
    evidence: { summary },
  };
}

describe('toTable', () => {
  it('keeps one row per episode even when a label value carries control characters', () => {
    const text = toTable(METRIC, T0, T0 + 3_600_000, [
      episode(['/flow_runs/filter\n/evil\r'], 'p95 12 s\nsecond line'),
    ]);
    const lines = text.trimEnd().split('\n');
    // title, header, one row, footer
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^warning\s+runs-page-slow\s+2024-05-01T09:00:00Z\s+2024-05-01T10:30:00Z\s+1h30m\s+/);
    expect(lines[2]).toContain('p95 12 s second line');
  });

  it('wraps long route lists and evidence within the width, losing nothing', () => {
    const routes = Array.from({ length: 20 }, (_, i) => `/route/number/${i}`);
    const evidence = 'p95 12 s on the runs page, '.repeat(10).trim();
    const lines = toTable(METRIC, T0, T0 + 1, [episode(routes, evidence)], { width: 120 })
      .trimEnd()
      .split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    const headerAt = lines.findIndex((l) => l.startsWith('SEVERITY'));
    const routesAt = lines[headerAt].indexOf('ROUTES');
    const rowLines = lines.slice(headerAt + 1, -1);
    const continuation = (l: string) => l.slice(0, routesAt).trim() === '' && l.slice(routesAt).startsWith('/');
    const routeLines = [rowLines[0], ...rowLines.slice(1).filter(continuation)];
    expect(rowLines[0]).toMatch(/^warning\s+runs-page-slow\s+2024-05-01T09:00:00Z\s+1h30m\s+\/route\/number\/0, /);
    const routeText = routeLines.map((l) => l.slice(routesAt)).join(' ');
    expect(routeText).toContain(routes.join(', '));
    // The evidence as a paragraph under the row, indented to the insight column.
    const evidenceLines = rowLines.slice(1).filter((l) => !continuation(l));
    expect(evidenceLines.every((l) => /^ {10}\S/.test(l))).toBe(true);
    expect(evidenceLines.map((l) => l.trim()).join(' ')).toBe(evidence);
  });

  it('prints every cell whole on one line without a width (--wide)', () => {
    const routes = Array.from({ length: 20 }, (_, i) => `/route/number/${i}`);
    const row = toTable(METRIC, T0, T0 + 1, [episode(routes, 'x')]).split('\n')[2];
    expect(row).toContain(routes.join(','));
    expect(row.endsWith('x')).toBe(true);
  });
});

describe('toScanJson', () => {
  it('writes absent labels as null so the document always has the same keys', () => {
    const json = toScanJson(METRIC, T0, T0 + 1000, []);
    expect(json.metric.labels).toEqual({ route: 'http_route', method: null, status: null });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.range).toEqual({ from: '2024-05-01T09:00:00Z', to: '2024-05-01T09:00:01Z' });
  });
});

describe('what the scan read', () => {
  const rules = { source: 'recording-rules' as const, resolutionSeconds: 300, recordedIntervalSeconds: 300 };
  const raw = {
    source: 'raw' as const,
    resolutionSeconds: 15,
    sourceNote: 'the long-range recording rules are not loaded',
  };

  it('is one line under the title of the table', () => {
    const lines = toTable(METRIC, T0, T0 + 1, [episode(['/a'], 'x')], { width: 120, source: rules }).split('\n');
    expect(lines).toContain('Data: read from recording rules at 5-minute resolution.');
    expect(toTable(METRIC, T0, T0 + 1, [], { source: raw })).toContain(
      'Data: read from the raw histogram at 15-second resolution (the long-range recording rules are not loaded).'
    );
  });

  it('is a field of the JSON document, absent when the scan does not say', () => {
    expect(toScanJson(METRIC, T0, T0 + 1, [], rules).source).toEqual({
      kind: 'recording-rules',
      resolutionSeconds: 300,
      description: 'read from recording rules at 5-minute resolution',
    });
    expect(toScanJson(METRIC, T0, T0 + 1, [], { ...raw, rateWindowSeconds: 45 }).source).toEqual({
      kind: 'raw',
      resolutionSeconds: 15,
      rateWindowSeconds: 45,
      description:
        'read from the raw histogram at 15-second resolution (the long-range recording rules are not loaded)',
    });
    const thanos = { ...raw, resolutionSeconds: 300, rateWindowSeconds: 600, downsampledSeconds: 300 };
    expect(toScanJson(METRIC, T0, T0 + 1, [], thanos).source).toMatchObject({
      rateWindowSeconds: 600,
      downsampledSeconds: 300,
      description: expect.stringContaining("from Thanos's 5-minute downsampled blocks where they exist"),
    });
    expect('source' in toScanJson(METRIC, T0, T0 + 1, [])).toBe(false);
  });
});
