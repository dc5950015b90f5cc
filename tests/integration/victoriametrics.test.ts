// The plugin against a real VictoriaMetrics (Debian's single-node build, MetricsQL), not Prometheus: metric
// resolution, the data source's query path and the insight scan, each checked against the simulator's ground truth.
// A missing binary fails here with the install command; nothing is skipped.
import { dateTime, type DataFrame } from '@grafana/data';

import { DEFAULT_PREFECT_SETTINGS } from '../../src/catalog/prefectSettings';
import { isInsightId } from '../../src/catalog/catalog';
import type { PrefectQuery } from '../../src/datasource/types';
import { scan } from '../../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { resolveMetric } from '../../src/prometheus/resolve';
import { buildTimeline, getConvention, openMetricsChunks, type Timeline } from '../../tools/simulator';
import { startVictoriaMetrics, type RunningVictoriaMetrics } from '../harness/victoriametrics';
import { dataSource, installGrafanaStandIns, run, upstreams } from './grafanaStandIns';
import { TRUTH_INTERVAL_MS, checkQuantilesAndRates, middle } from './groundTruth';
import { matchDetections } from './scenarioMatch';

const ROUTES = ['/flow_runs/filter', '/task_runs/{id}/set_state', '/flow_runs/{id}', '/work_pools/{name}'];
const HOUR = 3_600_000;

beforeAll(() => {
  installGrafanaStandIns();
});

describe('VictoriaMetrics with six hours of normal traffic', () => {
  let vm: RunningVictoriaMetrics;
  let timeline: Timeline;
  beforeAll(async () => {
    timeline = buildTimeline({
      seed: 7,
      convention: 'prefect',
      // Ending an hour ago: inside Save & test's 24-hour look-back.
      start: Math.floor((Date.now() - 7 * HOUR) / 60_000) * 60_000,
      days: 0.25,
      include: [],
      routes: ROUTES,
    });
    vm = await startVictoriaMetrics({ openMetrics: openMetricsChunks(timeline) });
    upstreams.set('vm', vm.url);
  });
  afterAll(async () => {
    await vm?.stop();
  });

  it('holds every imported sample', async () => {
    const windowSeconds = Math.ceil((timeline.end - timeline.start) / 1000) + 60;
    const body = await (
      await fetch(
        `${vm.url}/api/v1/query?${new URLSearchParams({
          query: `sum(count_over_time({__name__=~".+"}[${windowSeconds}s]))`,
          time: String(timeline.end / 1000),
        })}`
      )
    ).json();
    expect(vm.importedSamples).toBeGreaterThan(0);
    expect(Number(body.data.result[0].value[1])).toBe(vm.importedSamples);
  });

  it('resolves the prefect convention, its labels and its buckets', async () => {
    const api = createPrometheusApi(fetchTransport(vm.url));
    const metric = await resolveMetric(api, {}, { start: timeline.start / 1000, end: timeline.end / 1000 });
    const conv = getConvention('prefect');
    expect(metric).toMatchObject({
      conventionId: 'prefect',
      name: 'prefect_server_api_request_duration_seconds',
      kind: 'classic',
      unit: 'seconds',
      labels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
    });
    expect(metric.buckets).toEqual(conv.bucketsSeconds);
  });

  it('Save & test and the routes() variable read the label values', async () => {
    const ds = dataSource('vm');
    const test = await ds.testDatasource();
    expect(test.status).toBe('success');
    expect(test.message).toContain('prefect_server_api_request_duration_seconds');
    expect(test.message).toContain(`${ROUTES.length} routes`);
    const values = await ds.metricFindQuery('routes()', {
      range: { from: dateTime(timeline.start), to: dateTime(timeline.end), raw: { from: '', to: '' } },
    });
    expect(values.map((v) => v.text).sort()).toEqual(ROUTES.map((r) => `/api${r}`).sort());
  });

  it('returns p95 by route within one bucket, and rates within noise, of the ground truth', async () => {
    const p95Query: PrefectQuery = { refId: 'A', queryType: 'quantile', quantiles: [0.95], groupBy: ['route'] };
    const rateQuery: PrefectQuery = { refId: 'B', queryType: 'rate', groupBy: ['route'] };
    const { from, to } = middle({ timeline });
    const res = await run(dataSource('vm'), [p95Query, rateQuery], from, to, {}, TRUTH_INTERVAL_MS);
    expect(res.errors).toBeUndefined();
    const p95 = res.data.filter((f: DataFrame) => f.refId === 'A');
    const rate = res.data.filter((f: DataFrame) => f.refId === 'B');
    expect(p95).toHaveLength(ROUTES.length);
    checkQuantilesAndRates({ timeline }, { p95, rate }, 'http_route');
  });
});

describe('VictoriaMetrics with a pool exhaustion and an outage', () => {
  let vm: RunningVictoriaMetrics;
  let timeline: Timeline;
  beforeAll(async () => {
    timeline = buildTimeline({
      // Seed 4 draws both kinds of outage: a 3.5-minute stop (`up` 0, no samples) and a 9-minute hang (`up` 1,
      // counters frozen), which only the rate path sees; there MetricsQL's rate (no extrapolation, the sample before
      // the window counted) and its gap filling differ most from Prometheus.
      seed: 4,
      convention: 'prefect',
      days: 0.5,
      scrapeIntervalSeconds: 30,
      include: ['db-pool-exhaustion', 'api-outage', 'api-outage'],
    });
    vm = await startVictoriaMetrics({ openMetrics: openMetricsChunks(timeline) });
  });
  afterAll(async () => {
    await vm?.stop();
  });

  it('the scan finds all three, overlapping the injected times, and nothing else', async () => {
    const api = createPrometheusApi(fetchTransport(vm.url));
    // From two hours in: four hours of baseline precede the first scenario.
    const from = timeline.start + 2 * HOUR;
    const metric = await resolveMetric(api, {}, { start: from / 1000, end: timeline.end / 1000 });
    const result = await scan({ api, metric, from, to: timeline.end, settings: DEFAULT_PREFECT_SETTINGS });
    const detections = result.episodes.map((e) => ({ id: e.id, start: e.start, end: e.end }));
    const match = matchDetections(detections, timeline.truth, isInsightId);
    expect(timeline.truth.map((t) => `${t.id} ${t.params.variant ?? ''}`.trim())).toEqual([
      'db-pool-exhaustion',
      'api-outage down',
      'api-outage hang',
    ]);
    expect(match.missed).toEqual([]);
    expect(match.falsePositives).toEqual([]);
    // One episode per injected scenario: neither outage split in two nor merged into the other.
    expect(detections.map((d) => d.id)).toEqual(['db-pool-exhaustion', 'api-outage', 'api-outage']);
  });
});
