// How the scan's cost grows with the installation: routes × replicas × days, at a 15 s scrape, each size
// backfilled into its own real Prometheus. Per size: samples Prometheus returned, the scan end to end beside the raw
// time of its own requests (one run each), the request count and the Node heap's peak during the scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PREFECT_SETTINGS } from '../src/catalog/prefectSettings';
import { DETECTORS } from '../src/insights/detectors';
import { runScan } from '../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { resolveMetric } from '../src/prometheus/resolve';
import type { PrometheusTransport } from '../src/prometheus/types';
import { startPrometheus } from '../tests/harness/prometheus';
import { buildTimeline, getConvention, writeOpenMetrics } from '../tools/simulator';
import { timeIt, verdict } from './stats';

const DAY = 86_400_000;
const SCRAPE_SECONDS = 15;
const CONCURRENCY = 2;
const HEAP_LIMIT_MB = 512;
/**
 * promtool's OpenMetrics backfill runs at about 0.2 M samples/s here: sizes above this budget are listed with what
 * they would take instead of being run (BENCH_GROWTH_MAX_SAMPLES raises it).
 */
const MAX_SAMPLES = Number(process.env.BENCH_GROWTH_MAX_SAMPLES ?? 5e6);

const SIZES: Array<{ routes: number; replicas: number; days: number }> = [
  { routes: 10, replicas: 1, days: 1 },
  // Not one of the sizes: a second point that fits the backfill, so growth with samples is measured at all.
  { routes: 50, replicas: 2, days: 1 },
  { routes: 50, replicas: 2, days: 7 },
  { routes: 150, replicas: 4, days: 30 },
];

interface Row {
  storedSamples: number;
  size: string;
  stored: string;
  returned: string;
  scanMs: string;
  rawMs: string;
  ratio: string;
  requests: string;
  peakHeapMb: string;
  note: string;
}

/**
 * Samples a size would store, from what the smallest size really wrote per route, replica and scrape (5xx series and
 * `up` included); before any run, a floor of one status class per route.
 */
function estimateSamples(routes: number, replicas: number, days: number, perSeriesPoint: number | null): number {
  const points = (days * DAY) / (SCRAPE_SECONDS * 1000);
  const perPoint = perSeriesPoint ?? getConvention('prefect').bucketsSeconds.length + 3;
  return routes * replicas * points * perPoint;
}

async function measure(routes: number, replicas: number, days: number, dir: string): Promise<Row> {
  const size = `${routes}×${replicas}×${days}`;
  const t0 = Date.now();
  const timeline = buildTimeline({
    seed: 9,
    days,
    scrapeIntervalSeconds: SCRAPE_SECONDS,
    routeCount: routes,
    replicas,
  });
  const file = join(dir, `growth-${size}.om`);
  const written = writeOpenMetrics(timeline, file);
  const prometheus = await startPrometheus({ openMetrics: file }).finally(() => rmSync(file, { force: true }));
  const loadSeconds = (Date.now() - t0) / 1000;
  try {
    const base = fetchTransport(prometheus.url);
    const recorded: Array<{ path: string; body: string }> = [];
    let returned = 0;
    const recording: PrometheusTransport = async (path, params, opts) => {
      recorded.push({ path, body: params.toString() });
      const body = (await base(path, params, opts)) as { data?: { result?: Array<{ values?: unknown[] }> } };
      for (const s of body.data?.result ?? []) {
        returned += s.values?.length ?? 0;
      }
      return body;
    };
    const api = createPrometheusApi(recording);
    const from = timeline.start + 6 * 3_600_000;
    const to = timeline.end;
    const metric = await resolveMetric(api, {}, { start: from / 1000, end: to / 1000 });
    recorded.length = 0;
    returned = 0;
    let peak = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 2);
    let requests = 0;
    let episodes = 0;
    const scanMs = await timeIt(async () => {
      const r = await runScan({ api, metric, from, to, settings: { ...DEFAULT_PREFECT_SETTINGS } }, DETECTORS);
      requests = r.requests;
      episodes = r.episodes.length;
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const requestsMade = recorded.slice();
    // The raw side: the same requests at the same concurrency, fetched and JSON-parsed, nothing else.
    const rawMs = await timeIt(async () => {
      let next = 0;
      const worker = async () => {
        while (next < requestsMade.length) {
          const r = requestsMade[next++];
          const res = await fetch(prometheus.url + r.path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: r.body,
          });
          JSON.parse(await res.text());
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    });
    return {
      storedSamples: written.samples,
      size,
      stored: `${(written.samples / 1e6).toFixed(1)} M`,
      returned: `${(returned / 1e6).toFixed(2)} M`,
      scanMs: scanMs.toFixed(0),
      rawMs: rawMs.toFixed(0),
      ratio: (scanMs / rawMs).toFixed(2),
      requests: String(requests),
      peakHeapMb: (peak / 2 ** 20).toFixed(0),
      note: `${episodes} episodes; data generated + backfilled in ${loadSeconds.toFixed(0)} s`,
    };
  } finally {
    await prometheus.stop();
  }
}

function printTable(rows: Row[]): void {
  const header: Omit<Row, 'storedSamples'> = {
    size: 'routes×replicas×days',
    stored: 'stored',
    returned: 'returned',
    scanMs: 'scan ms',
    rawMs: 'raw ms',
    ratio: 'scan/raw',
    requests: 'requests',
    peakHeapMb: 'peak heap MB',
    note: 'note',
  };
  const cells = [header, ...rows.map(({ storedSamples: _, ...r }) => r)].map((r) => Object.values(r) as string[]);
  const widths = cells[0].map((_, k) => Math.max(...cells.map((c) => c[k].length)));
  for (const c of cells) {
    console.log(
      c
        .map((v, k) => v.padEnd(widths[k]))
        .join('  ')
        .trimEnd()
    );
  }
}

export async function benchGrowth(): Promise<boolean> {
  console.log(`\n## Growth: routes × replicas × days at ${SCRAPE_SECONDS} s scrape (one Prometheus 2.42 per size)`);
  const dir = mkdtempSync(join(tmpdir(), 'prefect-growth-'));
  const rows: Row[] = [];
  let ok = true;
  const run: Array<{ samples: number; ms: number; requests: number }> = [];
  let perSeriesPoint: number | null = null;
  try {
    for (const { routes, replicas, days } of SIZES) {
      const estimate = estimateSamples(routes, replicas, days, perSeriesPoint);
      if (estimate > MAX_SAMPLES) {
        // Measured here: 50×2×7 wrote a 16 GB OpenMetrics file in 6 min and promtool had not finished after 5 more.
        const minutes = estimate / 0.2e6 / 60;
        rows.push({
          storedSamples: estimate,
          size: `${routes}×${replicas}×${days}`,
          stored: `~${(estimate / 1e6).toFixed(0)} M`,
          returned: '-',
          scanMs: '-',
          rawMs: '-',
          ratio: '-',
          requests: '-',
          peakHeapMb: '-',
          note: `NOT RUN: ~${minutes.toFixed(0)} min of promtool backfill (over BENCH_GROWTH_MAX_SAMPLES=${MAX_SAMPLES})`,
        });
        ok = false;
        continue;
      }
      const row = await measure(routes, replicas, days, dir);
      perSeriesPoint ??= row.storedSamples / (routes * replicas * ((days * DAY) / (SCRAPE_SECONDS * 1000)));
      rows.push(row);
      run.push({ samples: parseFloat(row.returned) * 1e6, ms: Number(row.scanMs), requests: Number(row.requests) });
      ok &&= Number(row.ratio) <= 1.3 && Number(row.peakHeapMb) <= HEAP_LIMIT_MB;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  const fixed = run.every((r) => r.requests === run[0].requests);
  console.log(`requests per scan: ${fixed ? 'fixed across the sizes run' : 'VARY with size'}: ${verdict(fixed)}`);
  if (run.length >= 2) {
    const perSample = run.map((r) => r.ms / r.samples);
    const grows = perSample[perSample.length - 1] <= 1.25 * perSample[0];
    console.log(`time per returned sample, largest vs smallest run: ${verdict(grows)}`);
    ok &&= grows;
  } else {
    console.log('time vs samples returned: only one size run, growth not measured');
  }
  console.log(
    `end to end ≤ 1.3× raw and peak heap ≤ ${HEAP_LIMIT_MB} MB at every size run; sizes not run count as missed`
  );
  return ok && fixed;
}
