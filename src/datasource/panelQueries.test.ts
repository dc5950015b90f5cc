import type { ResolvedMetric } from '../prometheus/types';
import { buildPanelQueries, panelRange } from './panelQueries';

const metric: ResolvedMetric = {
  conventionId: 'prefect',
  name: 'prefect_server_api_request_duration_seconds',
  kind: 'classic',
  unit: 'seconds',
  labels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
  selector: '',
  buckets: [0.1, 1, 10, 30, 60],
};

const threeHours = { start: 1_700_000_000, end: 1_700_000_000 + 3 * 3600 };

describe('panel ranges and rate windows', () => {
  it('never steps below the scrape interval, even when Grafana asks for finer points', () => {
    expect(panelRange({ window: threeHours, intervalMs: 15_000, scrapeSeconds: 60 }).step).toBeGreaterThanOrEqual(60);
    expect(panelRange({ window: threeHours, intervalMs: 15_000, scrapeSeconds: 15 }).step).toBe(15);
  });

  it('sizes the rate window to hold at least two scrapes of the measured interval', () => {
    const [q] = buildPanelQueries({ refId: 'A', queryType: 'rate', groupBy: ['route'] }, metric, {
      window: threeHours,
      intervalMs: 15_000,
      scrapeSeconds: 60,
    });
    const window = /\[(\d+)m(?:(\d+)s)?\]|\[(\d+)s\]/.exec(q.expr);
    expect(window).not.toBeNull();
    const seconds = window![3] !== undefined ? Number(window![3]) : Number(window![1]) * 60 + Number(window![2] ?? 0);
    expect(seconds).toBeGreaterThanOrEqual(120);
  });

  it('keeps every series under Prometheus’s 11,000 points', () => {
    const month = { start: threeHours.start, end: threeHours.start + 30 * 86_400 };
    const r = panelRange({ window: month, intervalMs: 1_000, scrapeSeconds: 15 });
    expect((r.end - r.start) / r.step + 1).toBeLessThanOrEqual(11_000);
  });
});

describe('share of total time and status mix', () => {
  const ctx = { window: threeHours, intervalMs: 60_000, scrapeSeconds: 15 };

  it('timeShare is a share per route, in percentunit', () => {
    const [q] = buildPanelQueries({ refId: 'T', queryType: 'timeShare', groupBy: ['route'] }, metric, ctx);
    expect(q.expr).toContain('/ scalar(sum(rate(prefect_server_api_request_duration_seconds_sum');
    const [frame] = q.toFrames([{ metric: { http_route: '/a' }, values: [[threeHours.start, '0.25']] }]);
    expect(frame.fields[1].config.unit).toBe('percentunit');
    expect(frame.fields[1].values[0]).toBe(0.25);
  });

  it('statusMix names each series by its class and route', () => {
    const [q] = buildPanelQueries({ refId: 'S', queryType: 'statusMix', groupBy: ['route'] }, metric, ctx);
    expect(q.expr).toContain('group_left');
    const [frame] = q.toFrames([
      { metric: { http_route: '/a', status_class: '5xx' }, values: [[threeHours.start, '0.1']] },
    ]);
    expect(frame.name).toBe('/a 5xx');
    expect(frame.fields[1].config.unit).toBe('percentunit');
  });
});

describe('slow share against the client timeout', () => {
  it('takes the threshold from the data source setting, so panel and detector agree', () => {
    const q = { refId: 'A', queryType: 'slowShare' as const, thresholdFrom: 'clientTimeout' as const };
    const [at60] = buildPanelQueries(q, metric, { window: threeHours, clientTimeoutSeconds: 60 });
    const [at30] = buildPanelQueries(q, metric, { window: threeHours, clientTimeoutSeconds: 30 });
    expect(at60.expr).toContain('le=~"(60|');
    expect(at30.expr).toContain('le=~"(30|');
  });

  it('falls back to Prefect’s default of 60 s', () => {
    const [q] = buildPanelQueries(
      { refId: 'A', queryType: 'slowShare', thresholdFrom: 'clientTimeout', thresholdSeconds: 5 },
      metric,
      { window: threeHours }
    );
    expect(q.expr).toContain('le=~"(60|');
  });
});
