/** @jest-environment node */
// The growth benchmark's backfill (simulator stream → tools/tsdb-writer → TSDB block) must store exactly what the
// OpenMetrics backfill through promtool stores: same series, same sample counts, same values. Checked against two
// real Prometheus servers (2.42, and 3.16 in the prom3 suite), one per path, on a timeline with downtimes (counter
// resets), 5xx series that appear mid-way and, under OpenTelemetry, a new instance id per process.
import { promQuery, startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { writeTsdbBlock } from '../harness/tsdbBlock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildTimeline, writeOpenMetrics, type Timeline, type TimelineOptions } from '../../tools/simulator';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

// Prometheus 3's text and OpenMetrics parsers (promtool's backfill among them) write `le="1"` as `le="1.0"`; the
// block writer stores the simulator's own spelling, as Prometheus 2 does. Both name the same bucket, and the plugin
// reads both (the heatmap merges them), so series are compared with `le` as a number.
const key = (m: Record<string, string>) =>
  JSON.stringify(
    Object.keys(m)
      .sort()
      .map((k) => [k, k === 'le' ? String(Number(m[k])) : m[k]])
  );

async function names(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/label/__name__/values`);
  return ((await res.json()) as { data: string[] }).data.sort();
}

/** Per series of `name`: the query's value at the timeline's end (functions over a window wider than it). */
async function perSeries(url: string, expr: string, at: number): Promise<Map<string, number>> {
  const rows = await promQuery<Sample[]>(url, expr, { time: at });
  return new Map(rows.map((r) => [key(r.metric), Number(r.value[1])]));
}

describe.each<[string, TimelineOptions]>([
  [
    'prefect, 3 replicas, every default scenario, over three day blocks',
    { seed: 4, days: 2, scrapeIntervalSeconds: 60, routeCount: 20, replicas: 3 },
  ],
  [
    'otel-stable, an instance id per process',
    { seed: 5, days: 1, scrapeIntervalSeconds: 60, convention: 'otel-stable', instancePerProcess: true },
  ],
])('tsdb-writer block vs promtool backfill: %s', (_, opts) => {
  let timeline: Timeline;
  let viaText: RunningPrometheus;
  let viaBlock: RunningPrometheus;
  let streamed = 0;

  beforeAll(async () => {
    timeline = buildTimeline(opts);
    // Through a file: two days of 60 fleet series is more text than one string may hold.
    const dir = mkdtempSync(join(tmpdir(), 'tsdb-block-test-'));
    try {
      const file = join(dir, 'timeline.om');
      writeOpenMetrics(timeline, file);
      viaText = await startPrometheus({ openMetrics: file });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    viaBlock = await startPrometheus({
      fillDataDir: async (dir) => {
        streamed = (await writeTsdbBlock(timeline, dir)).samples;
      },
    });
  }, 120_000);
  afterAll(async () => {
    await viaText?.stop();
    await viaBlock?.stop();
  });

  it('holds the same metric names', async () => {
    const a = await names(viaText.url);
    // Histogram buckets, sum and count at least (and `up` where something scrapes the server).
    expect(a.length).toBeGreaterThanOrEqual(3);
    expect(await names(viaBlock.url)).toEqual(a);
  });

  it('holds the same series with the same sample counts and values', async () => {
    const at = timeline.end / 1000;
    let samples = 0;
    for (const name of await names(viaText.url)) {
      const countText = await perSeries(viaText.url, `count_over_time(${name}[3d])`, at);
      const countBlock = await perSeries(viaBlock.url, `count_over_time(${name}[3d])`, at);
      expect(countText.size).toBeGreaterThan(0);
      expect([...countBlock.entries()].sort()).toEqual([...countText.entries()].sort());
      samples += [...countText.values()].reduce((a, b) => a + b, 0);

      // The text rounds floats to 12 significant digits (sums of latencies); the block keeps float64.
      const sumText = await perSeries(viaText.url, `sum_over_time(${name}[3d])`, at);
      const sumBlock = await perSeries(viaBlock.url, `sum_over_time(${name}[3d])`, at);
      for (const [k, v] of sumText) {
        expect(sumBlock.has(k)).toBe(true);
        expect(Math.abs(sumBlock.get(k)! - v)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
      }
    }
    // Every streamed sample is stored, and Prometheus counts as many as promtool stored from the text.
    expect(samples).toBe(streamed);
  }, 120_000);
});
