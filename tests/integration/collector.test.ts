/** @jest-environment node */
// Prefect's metrics behind an OpenTelemetry Collector that Prometheus scrapes without `honor_labels`: every series
// gets the Collector's own job/instance, and Prefect's move to exported_job/exported_instance (Prometheus's scrape
// relabelling), `up` included (the Collector's Prometheus receiver reports the targets it scraped). The Collector
// itself stays up while Prefect is down, so an outage can only be seen in Prefect's exported `up`.
import type { DataFrame } from '@grafana/data';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { buildTimeline, toOpenMetrics, type Timeline } from '../../tools/simulator';
import { dataSource, installGrafanaStandIns, run, upstreams } from './grafanaStandIns';

const COLLECTOR = 'instance="collector:8889",job="otel-collector"';

/** What Prometheus stores after scraping the Collector: Prefect's target labels renamed, the Collector's added. */
function behindCollector(openMetrics: string, timeline: Timeline): string {
  const renamed = openMetrics
    .replace(/instance="([^"]*)",job="([^"]*)"/g, `exported_instance="$1",exported_job="$2",${COLLECTOR}`)
    // The Collector's Prometheus exporter keeps resource attributes in target_info, not on every series.
    .replace(/service_name="[^"]*",/g, '');
  const own: string[] = [];
  for (let t = timeline.start; t <= timeline.end; t += timeline.scrapeIntervalSeconds * 1000) {
    own.push(`up{${COLLECTOR}} 1 ${t / 1000}\n`);
  }
  // `up` is the last family in the simulator's output: the Collector's own series joins it before # EOF.
  return renamed.replace(/# EOF\n$/, `${own.join('')}# EOF\n`);
}

let prom: RunningPrometheus;
let timeline: Timeline;
const uid = 'prom-collector';

beforeAll(async () => {
  installGrafanaStandIns();
  timeline = buildTimeline({
    seed: 3,
    convention: 'otel-stable',
    scrapeIntervalSeconds: 30,
    start: Math.floor((Date.now() - 9 * 3600_000) / 60_000) * 60_000,
    days: 8 / 24,
    include: ['api-outage'],
    otherService: true,
  });
  prom = await startPrometheus({ openMetrics: behindCollector(toOpenMetrics(timeline), timeline) });
  upstreams.set(uid, prom.url);
}, 170_000);
afterAll(() => prom?.stop());

describe('behind a Collector scraped without honor_labels', () => {
  it("picks Prefect's service by exported_job", async () => {
    const test = await dataSource(uid).testDatasource();
    expect(test).toMatchObject({ status: 'success' });
    expect(test.message).toContain('http_server_request_duration_seconds');
    expect(test.message).toContain('selector `exported_job="prefect-server"`');
  });

  it("finds the outage in Prefect's exported up while the Collector's own up stays 1", async () => {
    const truth = timeline.truth.find((t) => t.id === 'api-outage')!;
    // The seed gives a server that is down (no samples), not hung: only `up` can tell.
    expect(truth.params.kind ?? truth.params.variant).toBe('down');
    const res = await run(
      dataSource(uid),
      [{ refId: 'I', queryType: 'insights' }],
      truth.start - 3600_000,
      timeline.end
    );
    expect(res.errors).toBeUndefined();
    const [frame] = res.data as DataFrame[];
    const col = (name: string) => frame.fields.find((f) => f.name === name)!.values;
    const i = (col('id') as string[]).indexOf('api-outage');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(Math.abs((col('start')[i] as number) - truth.start)).toBeLessThanOrEqual(60_000);
    expect(JSON.stringify(col('evidence')[i])).toContain('`up` of the scrape job was 0');
  });
});
