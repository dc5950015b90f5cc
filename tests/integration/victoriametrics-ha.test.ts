/** @jest-environment node */
// Two HA Prometheus replicas writing the same series into one VictoriaMetrics, each with its own `replica` label and
// its own scrape offset. With the `replica` label dropped at ingestion (-relabelConfig) and -dedup.minScrapeInterval
// at the scrape interval, the plugin, unchanged, sees one copy: rates agree with a single Prometheus holding one copy,
// and the scan finds the same episodes. Without that setting the same data double counts, which the control shows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_PREFECT_SETTINGS } from '../../src/catalog/prefectSettings';
import { isInsightId } from '../../src/catalog/catalog';
import { scan } from '../../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { requestRateQuery } from '../../src/prometheus/promql';
import { resolveMetric } from '../../src/prometheus/resolve';
import { buildTimeline, openMetricsChunks, writeOpenMetrics, type Timeline } from '../../tools/simulator';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { startVictoriaMetrics, type RunningVictoriaMetrics } from '../harness/victoriametrics';
import { matchDetections } from './scenarioMatch';

const HOUR = 3_600_000;
const SCRAPE = 30;

/** One HA replica's copy: every sample line gains `replica="<name>"`, its timestamps shifted by the scrape offset. */
function* replicaCopy(chunks: Iterable<string>, replica: string, offsetSeconds: number): Generator<string> {
  for (const chunk of chunks) {
    const lines = chunk.split('\n').map((line) => {
      if (line === '' || line.startsWith('#')) {
        return line;
      }
      // The last brace: route templates carry braces of their own (`{id}`).
      const brace = line.lastIndexOf('}');
      const cut = line.lastIndexOf(' ');
      return `${line.slice(0, brace)},replica="${replica}"${line.slice(brace, cut)} ${Number(line.slice(cut + 1)) + offsetSeconds}`;
    });
    yield lines.join('\n');
  }
}

function* both(timeline: Timeline): Generator<string> {
  yield* replicaCopy(openMetricsChunks(timeline), 'a', 0);
  yield* replicaCopy(openMetricsChunks(timeline), 'b', 7);
}

describe('VictoriaMetrics fed by two HA Prometheus replicas', () => {
  const work = mkdtempSync(join(tmpdir(), 'vm-ha-'));
  let timeline: Timeline;
  let prom: RunningPrometheus;
  let deduped: RunningVictoriaMetrics;
  let doubled: RunningVictoriaMetrics;
  beforeAll(async () => {
    timeline = buildTimeline({
      seed: 4,
      convention: 'prefect',
      days: 0.5,
      scrapeIntervalSeconds: SCRAPE,
      include: ['db-pool-exhaustion', 'api-outage', 'api-outage'],
    });
    const file = join(work, 'one.om');
    writeOpenMetrics(timeline, file);
    prom = await startPrometheus({ openMetrics: file });
    const relabel = join(work, 'relabel.yml');
    // The documented handling: the HA pair's distinguishing label goes at ingestion, then one sample per interval.
    writeFileSync(relabel, '- action: labeldrop\n  regex: replica\n');
    deduped = await startVictoriaMetrics({
      openMetrics: both(timeline),
      extraArgs: [`-relabelConfig=${relabel}`, `-dedup.minScrapeInterval=${SCRAPE}s`],
    });
    doubled = await startVictoriaMetrics({ openMetrics: both(timeline) });
  }, 170_000);
  afterAll(async () => {
    await Promise.all([prom?.stop(), deduped?.stop(), doubled?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  async function totalRate(url: string): Promise<number> {
    const api = createPrometheusApi(fetchTransport(url));
    const from = timeline.start + 2 * HOUR;
    const metric = await resolveMetric(api, {}, { start: from / 1000, end: timeline.end / 1000 });
    // The request rate every 5 minutes over the range, summed: a request count that duplicates would double.
    const series = await api.queryRange(requestRateQuery(metric, { window: '5m' }), {
      start: Math.ceil(from / 300_000) * 300,
      end: Math.floor(timeline.end / 300_000) * 300,
      step: 300,
    });
    return series.flatMap((s) => s.values).reduce((sum, [, v]) => sum + Number(v), 0);
  }

  it('counts each request once with the replica label dropped and deduplication on, twice without', async () => {
    const [one, dedup, dup] = await Promise.all([totalRate(prom.url), totalRate(deduped.url), totalRate(doubled.url)]);
    console.log(
      `request rate summed every 5 min: Prometheus ${one.toFixed(0)}, VM deduplicated ${dedup.toFixed(0)}, VM raw ${dup.toFixed(0)}`
    );
    // MetricsQL's rate differs from PromQL's by its extrapolation: within 5 %.
    expect(Math.abs(dedup / one - 1)).toBeLessThan(0.05);
    expect(dup / one).toBeGreaterThan(1.8);
  });

  it('finds the same episodes as Prometheus on one copy', async () => {
    const episodesOf = async (url: string) => {
      const api = createPrometheusApi(fetchTransport(url));
      const from = timeline.start + 2 * HOUR;
      const metric = await resolveMetric(api, {}, { start: from / 1000, end: timeline.end / 1000 });
      const r = await scan({ api, metric, from, to: timeline.end, settings: DEFAULT_PREFECT_SETTINGS });
      expect(r.warnings).toEqual([]);
      return r.episodes;
    };
    const [reference, ha] = await Promise.all([episodesOf(prom.url), episodesOf(deduped.url)]);
    const match = matchDetections(
      ha.map((e) => ({ id: e.id, start: e.start, end: e.end })),
      timeline.truth,
      isInsightId
    );
    expect(match.missed).toEqual([]);
    expect(match.falsePositives).toEqual([]);
    expect(ha.map((e) => e.id)).toEqual(reference.map((e) => e.id));
    // Starts agree within two scrapes (MetricsQL's rate window counts the sample before it).
    ha.forEach((e, i) => expect(Math.abs(e.start - reference[i].start)).toBeLessThanOrEqual(2 * SCRAPE * 1000));
  });
});
