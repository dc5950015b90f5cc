// How the scan's cost grows with the installation: routes × replicas × days, at a 15 s scrape, each size written
// straight into a TSDB block (bench/tsdbBlock.ts) for its own real Prometheus. Per size: samples Prometheus returned, the scan end to end beside the raw
// time of its own requests (one run each), the request count and the Node heap's peak during the scan.
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_PREFECT_SETTINGS } from '../src/catalog/prefectSettings';
import { DETECTORS } from '../src/insights/detectors';
import { runScan } from '../src/insights/engine';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { resolveMetric } from '../src/prometheus/resolve';
import type { PrometheusTransport } from '../src/prometheus/types';
import { startPrometheus } from '../tests/harness/prometheus';
import { buildTimeline, getConvention } from '../tools/simulator';
import { timeIt, verdict } from './stats';
import { writeTsdbBlock } from '../tests/harness/tsdbBlock';

const DAY = 86_400_000;
const SCRAPE_SECONDS = 15;
const CONCURRENCY = 2;
const HEAP_LIMIT_MB = 512;
/** Per request, for the scan and Prometheus alike (the plugin's default is 60 s). */
const REQUEST_LIMIT_SECONDS = 600;
/**
 * The block writer stores about 3.5 M samples/s here, so the largest size takes about 10 minutes to write: sizes
 * above this budget (BENCH_GROWTH_MAX_SAMPLES, default all of them) are listed as not run and count as missed.
 */
const MAX_SAMPLES = Number(process.env.BENCH_GROWTH_MAX_SAMPLES ?? Infinity);
/** Prometheus's limit on points per series in one range query, which the scan's step must respect. */
const MAX_POINTS = 11_000;

const ISSUE_SIZES: Array<{ routes: number; replicas: number; days: number }> = [
  { routes: 10, replicas: 1, days: 1 },
  { routes: 50, replicas: 2, days: 7 },
  { routes: 150, replicas: 4, days: 30 },
];

/** `BENCH_GROWTH_SIZES=150x4x3,10x1x1` runs other sizes (routes x replicas x days), e.g. to try a design change. */
function sizes(): Array<{ routes: number; replicas: number; days: number }> {
  const env = process.env.BENCH_GROWTH_SIZES?.trim();
  if (!env) {
    return ISSUE_SIZES;
  }
  return env.split(',').map((s) => {
    const [routes, replicas, days] = s.split(/[x×]/).map(Number);
    if (![routes, replicas, days].every((n) => n > 0)) {
      throw new Error(`BENCH_GROWTH_SIZES: "${s}" is not routes x replicas x days`);
    }
    return { routes, replicas, days };
  });
}

interface Row {
  storedSamples: number;
  returnedSamples: number;
  maxPoints: number;
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

async function measure(routes: number, replicas: number, days: number): Promise<Row> {
  const size = `${routes}×${replicas}×${days}`;
  const t0 = Date.now();
  const timeline = buildTimeline({
    seed: 9,
    days,
    scrapeIntervalSeconds: SCRAPE_SECONDS,
    routeCount: routes,
    replicas,
  });
  let written = { samples: 0, series: 0, seconds: 0 };
  const prometheus = await startPrometheus({
    fillDataDir: async (dataDir) => {
      written = await writeTsdbBlock(timeline, dataDir);
    },
    // The writer's blocks are a day each (tsdbStream.ts); without this Prometheus would start compacting them into
    // longer ones in the background while the scan runs.
    // Prometheus's 2 min query timeout and the plugin's 60 s request limit (both settings) are raised so that the
    // largest size is measured rather than cut off: there, one quantile query over 30 days takes longer than 60 s.
    extraArgs: ['--storage.tsdb.max-block-duration=1d', `--query.timeout=${REQUEST_LIMIT_SECONDS}s`],
    readyTimeoutMs: 300_000,
  });
  const loadSeconds = (Date.now() - t0) / 1000;
  try {
    const base = fetchTransport(prometheus.url, { timeoutSeconds: REQUEST_LIMIT_SECONDS });
    const recorded: Array<{ path: string; body: string }> = [];
    let returned = 0;
    let maxPoints = 0;
    const recording: PrometheusTransport = async (path, params, opts) => {
      recorded.push({ path, body: params.toString() });
      const body = (await base(path, params, opts)) as { data?: { result?: Array<{ values?: unknown[] }> } };
      for (const s of body.data?.result ?? []) {
        const n = s.values?.length ?? 0;
        returned += n;
        maxPoints = Math.max(maxPoints, n);
      }
      return body;
    };
    const api = createPrometheusApi(recording);
    const from = timeline.start + 6 * 3_600_000;
    const to = timeline.end;
    const metric = await resolveMetric(api, {}, { start: from / 1000, end: to / 1000 });
    recorded.length = 0;
    returned = 0;
    // v8's heap statistics, not process.memoryUsage(), which also reads the RSS from /proc on every call.
    let peak = getHeapStatistics().used_heap_size;
    const sampler = setInterval(() => {
      peak = Math.max(peak, getHeapStatistics().used_heap_size);
    }, 2);
    let requests = 0;
    let episodes = 0;
    let step = 0;
    // The sampler must stop when the scan fails too, or its timer keeps the process alive.
    const scanMs = await timeIt(async () => {
      const r = await runScan({ api, metric, from, to, settings: { ...DEFAULT_PREFECT_SETTINGS } }, DETECTORS);
      requests = r.requests;
      episodes = r.episodes.length;
      step = r.step / 1000;
    }).finally(() => clearInterval(sampler));
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
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
      returnedSamples: returned,
      maxPoints,
      size,
      stored: `${(written.samples / 1e6).toFixed(1)} M`,
      returned: `${(returned / 1e6).toFixed(2)} M (≤${maxPoints}/series)`,
      scanMs: scanMs.toFixed(0),
      rawMs: rawMs.toFixed(0),
      ratio: (scanMs / rawMs).toFixed(2),
      requests: String(requests),
      peakHeapMb: (peak / 2 ** 20).toFixed(0),
      note:
        `step ${step} s; ${episodes} episodes; ${written.series} series generated + written in ${written.seconds.toFixed(0)} s ` +
        `(${(written.samples / written.seconds / 1e6).toFixed(1)} M samples/s), ready after ${loadSeconds.toFixed(0)} s`,
    };
  } finally {
    await prometheus.stop();
  }
}

function printTable(rows: Row[]): void {
  const header: Omit<Row, 'storedSamples' | 'returnedSamples' | 'maxPoints'> = {
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
  const cells = [header, ...rows.map(({ storedSamples: _s, returnedSamples: _r, maxPoints: _m, ...r }) => r)].map(
    (r) => Object.values(r) as string[]
  );
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
  const rows: Row[] = [];
  let ok = true;
  const run: Array<{
    size: string;
    stored: number;
    returned: number;
    scanMs: number;
    rawMs: number;
    requests: number;
  }> = [];
  let perSeriesPoint: number | null = null;
  for (const { routes, replicas, days } of sizes()) {
    const size = `${routes}×${replicas}×${days}`;
    const estimate = estimateSamples(routes, replicas, days, perSeriesPoint);
    if (estimate > MAX_SAMPLES) {
      rows.push({
        storedSamples: estimate,
        returnedSamples: 0,
        maxPoints: 0,
        size,
        stored: `~${(estimate / 1e6).toFixed(0)} M`,
        returned: '-',
        scanMs: '-',
        rawMs: '-',
        ratio: '-',
        requests: '-',
        peakHeapMb: '-',
        note: `NOT RUN: over BENCH_GROWTH_MAX_SAMPLES=${MAX_SAMPLES}`,
      });
      ok = false;
      continue;
    }
    const row = await measure(routes, replicas, days);
    perSeriesPoint ??= row.storedSamples / (routes * replicas * ((days * DAY) / (SCRAPE_SECONDS * 1000)));
    rows.push(row);
    run.push({
      size,
      stored: row.storedSamples,
      returned: row.returnedSamples,
      scanMs: Number(row.scanMs),
      rawMs: Number(row.rawMs),
      requests: Number(row.requests),
    });
    ok &&= Number(row.ratio) <= 1.3 && Number(row.peakHeapMb) <= HEAP_LIMIT_MB && row.maxPoints <= MAX_POINTS;
  }
  printTable(rows);
  const fixed = run.every((r) => r.requests === run[0].requests);
  console.log(`requests per scan: ${fixed ? 'fixed across the sizes run' : 'VARY with size'}: ${verdict(fixed)}`);
  if (run.length >= 2) {
    // Per returned sample: the scan end to end (the target), Prometheus's part (the raw replay) and the plugin's own
    // part (scan − raw), each largest vs smallest, with the stored samples each returned sample stands for.
    const us = (ms: number, n: number) => (1000 * ms) / n;
    for (const r of run) {
      console.log(
        `${r.size}: per returned sample ${us(r.scanMs, r.returned).toFixed(1)} µs end to end, ` +
          `${us(r.rawMs, r.returned).toFixed(1)} µs raw, ${us(r.scanMs - r.rawMs, r.returned).toFixed(1)} µs plugin; ` +
          `${(r.stored / r.returned).toFixed(0)} stored samples read per returned sample`
      );
    }
    const first = run[0];
    const last = run[run.length - 1];
    const growth = us(last.scanMs, last.returned) / us(first.scanMs, first.returned);
    const grows = growth <= 1.25;
    console.log(
      `time per returned sample, ${last.size} vs ${first.size}: ×${growth.toFixed(2)} (target ≤ ×1.25): ${verdict(grows)}`
    );
    ok &&= grows;
  } else {
    console.log('time vs samples returned: only one size run, growth not measured');
  }
  console.log(
    `end to end ≤ 1.3× raw, peak heap ≤ ${HEAP_LIMIT_MB} MB and ≤ ${MAX_POINTS} points a series at every size run; ` +
      'sizes not run count as missed'
  );
  return ok && fixed;
}
