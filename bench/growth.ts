// How the scan's cost grows with the installation: routes × replicas × days, at a 15 s scrape, each size written
// straight into TSDB blocks (tests/harness/tsdbBlock.ts) for its own real Prometheus 2.42. Per size, two rows:
// the raw histogram, and the same data plus the long-range recording rules (`prefect-insights rules`, group
// prefect-insights-long-range at its default 5-minute interval) backfilled from it by promtool, which evaluates the
// rules for real; the backfill's own time is reported apart. Thanos rows are not run (see docs/sizing.md).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_PREFECT_SETTINGS } from '../src/catalog/prefectSettings';
import { DETECTORS } from '../src/insights/detectors';
import { runScan } from '../src/insights/engine';
import type { ScanResult } from '../src/insights/engine/types';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { formatResolution, LONG_RANGE_GROUP } from '../src/prometheus/recorded';
import { resolveMetric } from '../src/prometheus/resolve';
import type { PrometheusTransport, ResolvedMetric } from '../src/prometheus/types';
import { buildRuleGroups } from '../src/rules/generate';
import { toYaml, type YamlValue } from '../src/rules/yaml';
import { startPrometheus, type RunningPrometheus } from '../tests/harness/prometheus';
import { backfillRules, linkBlocks, waitForCompaction } from '../tests/harness/ruleBackfill';
import { writeTsdbBlock } from '../tests/harness/tsdbBlock';
import { buildTimeline, type Timeline } from '../tools/simulator';
import { verdict } from './stats';

const DAY = 86_400_000;
const SCRAPE_SECONDS = 15;
/** Grafana's data proxy default (`[dataproxy] timeout`): no single request of a scan may take this long. */
const GRAFANA_LIMIT_MS = 30_000;
/** The issue's target for 150 × 4 × 30 days on the fast path. */
const FAST_PATH_TARGET_MS = 10_000;
/** Per request, for the scan and Prometheus alike, so that a miss is measured rather than cut off. */
const REQUEST_LIMIT_SECONDS = 600;
/**
 * The block writer stores about 3.5 M samples/s here, so the largest size takes about 10 minutes to write: sizes
 * above this budget (BENCH_GROWTH_MAX_SAMPLES, default all of them) are listed as not run and count as missed.
 */
const MAX_SAMPLES = Number(process.env.BENCH_GROWTH_MAX_SAMPLES ?? Infinity);

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

interface Measured {
  size: string;
  engine: string;
  scanMs: number;
  longestMs: number;
  requests: number;
  returned: number;
  peakHeapMb: number;
  episodes: number;
  read: string;
  note: string;
}

/** One scan through the plugin's own client, timing every request and counting what Prometheus returned. */
async function scanOnce(url: string, metric: ResolvedMetric, from: number, to: number) {
  const base = fetchTransport(url, { timeoutSeconds: REQUEST_LIMIT_SECONDS });
  let returned = 0;
  let longestMs = 0;
  const timed: PrometheusTransport = async (path, params, opts) => {
    const t0 = performance.now();
    const body = (await base(path, params, opts)) as { data?: { result?: Array<{ values?: unknown[] }> } };
    longestMs = Math.max(longestMs, performance.now() - t0);
    for (const s of body.data?.result ?? []) {
      returned += s.values?.length ?? 0;
    }
    return body;
  };
  const api = createPrometheusApi(timed);
  // v8's heap statistics, not process.memoryUsage(), which also reads the RSS from /proc on every call.
  let peak = getHeapStatistics().used_heap_size;
  const sampler = setInterval(() => {
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
  }, 2);
  const t0 = performance.now();
  let result: ScanResult;
  try {
    result = await runScan({ api, metric, from, to, settings: { ...DEFAULT_PREFECT_SETTINGS } }, DETECTORS);
  } finally {
    clearInterval(sampler);
  }
  const scanMs = performance.now() - t0;
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
  return { result, scanMs, longestMs, returned, peakHeapMb: peak / 2 ** 20 };
}

function rulesFile(metric: ResolvedMetric, dir: string): string {
  const groups = buildRuleGroups(metric, DEFAULT_PREFECT_SETTINGS, { scrapeIntervalSeconds: SCRAPE_SECONDS }).filter(
    (g) => g.name === LONG_RANGE_GROUP
  );
  const doc: YamlValue = {
    groups: groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules.map((r) => ({ ...r })) })),
  };
  const file = join(dir, 'long-range.rules.yml');
  writeFileSync(file, toYaml(doc));
  return file;
}

function readOf(r: ScanResult): string {
  const at = formatResolution(r.resolutionSeconds ?? r.step / 1000);
  return r.source === 'recording-rules' ? `rules, ${at}` : `raw, ${at}${r.sourceNote ? ` (${r.sourceNote})` : ''}`;
}

async function measure(timeline: Timeline, size: string): Promise<Measured[]> {
  const work = mkdtempSync(join(tmpdir(), 'bench-growth-'));
  let raw: RunningPrometheus | undefined;
  let withRules: RunningPrometheus | undefined;
  try {
    let written = { samples: 0, series: 0, seconds: 0 };
    raw = await startPrometheus({
      fillDataDir: async (dataDir) => {
        written = await writeTsdbBlock(timeline, dataDir);
      },
      // The writer's blocks are a day each; without this Prometheus would compact them while the scan runs.
      extraArgs: ['--storage.tsdb.max-block-duration=1d', `--query.timeout=${REQUEST_LIMIT_SECONDS}s`],
      readyTimeoutMs: 300_000,
    });
    const from = timeline.start + 6 * 3_600_000;
    const to = timeline.end;
    const metric = await resolveMetric(
      createPrometheusApi(fetchTransport(raw.url, { timeoutSeconds: REQUEST_LIMIT_SECONDS })),
      {},
      { start: from / 1000, end: to / 1000 }
    );
    const a = await scanOnce(raw.url, metric, from, to);
    const stored = `${(written.samples / 1e6).toFixed(1)} M stored, written in ${written.seconds.toFixed(0)} s`;
    const rows: Measured[] = [
      {
        size,
        engine: 'Prometheus raw',
        scanMs: a.scanMs,
        longestMs: a.longestMs,
        requests: a.result.requests,
        returned: a.returned,
        peakHeapMb: a.peakHeapMb,
        episodes: a.result.episodes.length,
        read: readOf(a.result),
        note: stored,
      },
    ];
    const backfill = await backfillRules(
      raw.url,
      rulesFile(metric, work),
      timeline.start / 1000,
      timeline.end / 1000,
      join(work, 'recorded')
    );
    const rawDir = raw.dataDir;
    withRules = await startPrometheus({
      fillDataDir: async (dataDir) => {
        linkBlocks(rawDir, dataDir);
        linkBlocks(backfill.outDir, dataDir);
      },
      extraArgs: ['--storage.tsdb.max-block-duration=1d', `--query.timeout=${REQUEST_LIMIT_SECONDS}s`],
      readyTimeoutMs: 300_000,
    });
    await raw.stop();
    raw = undefined;
    const compactSeconds = await waitForCompaction(withRules.url);
    const b = await scanOnce(withRules.url, metric, from, to);
    rows.push({
      size,
      engine: 'Prometheus + recording rules',
      scanMs: b.scanMs,
      longestMs: b.longestMs,
      requests: b.result.requests,
      returned: b.returned,
      peakHeapMb: b.peakHeapMb,
      episodes: b.result.episodes.length,
      read: readOf(b.result),
      note:
        `promtool backfill of the 5-minute group ${backfill.seconds.toFixed(0)} s, ` +
        `then Prometheus's compaction ${compactSeconds.toFixed(0)} s`,
    });
    return rows;
  } finally {
    await raw?.stop();
    await withRules?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(rows: Measured[], notRun: string[]): void {
  const header = [
    'routes×replicas×days',
    'engine',
    'end to end',
    'longest request',
    'requests',
    'µs / returned sample',
    'peak heap',
    'episodes',
    'read',
    'note',
  ];
  const cells = [
    header,
    ...rows.map((r) => [
      r.size,
      r.engine,
      `${(r.scanMs / 1000).toFixed(1)} s`,
      `${(r.longestMs / 1000).toFixed(1)} s`,
      String(r.requests),
      (r.returned > 0 ? (1000 * r.scanMs) / r.returned : NaN).toFixed(1),
      `${r.peakHeapMb.toFixed(0)} MB`,
      String(r.episodes),
      r.read,
      r.note,
    ]),
    ...notRun,
  ].map((c) => (typeof c === 'string' ? [c] : c));
  const widths = header.map((_, k) => Math.max(...cells.filter((c) => c.length > 1).map((c) => c[k].length)));
  for (const c of cells) {
    console.log(
      c.length === 1
        ? c[0]
        : c
            .map((v, k) => v.padEnd(widths[k]))
            .join('  ')
            .trimEnd()
    );
  }
}

export async function benchGrowth(): Promise<boolean> {
  console.log(`\n## Growth: routes × replicas × days at ${SCRAPE_SECONDS} s scrape (one Prometheus 2.42 per size)`);
  const rows: Measured[] = [];
  const notRun: string[] = [];
  for (const { routes, replicas, days } of sizes()) {
    const size = `${routes}×${replicas}×${days}`;
    const estimate = routes * replicas * ((days * DAY) / (SCRAPE_SECONDS * 1000)) * 17;
    if (estimate > MAX_SAMPLES) {
      notRun.push(`${size}: NOT RUN (about ${(estimate / 1e6).toFixed(0)} M samples, over BENCH_GROWTH_MAX_SAMPLES)`);
      continue;
    }
    const timeline = buildTimeline({
      seed: 9,
      days,
      scrapeIntervalSeconds: SCRAPE_SECONDS,
      routeCount: routes,
      replicas,
    });
    rows.push(...(await measure(timeline, size)));
    notRun.push(`${size}: Thanos raw, Thanos downsampled: not run`);
  }
  printTable(rows, notRun);
  let ok = notRun.every((n) => !n.includes('NOT RUN'));
  const longest = Math.max(...rows.map((r) => r.longestMs));
  const under = longest < GRAFANA_LIMIT_MS;
  console.log(
    `every request < ${GRAFANA_LIMIT_MS / 1000} s: longest ${(longest / 1000).toFixed(1)} s: ${verdict(under)}`
  );
  ok &&= under;
  const largest = rows.filter((r) => r.size === '150×4×30' && r.engine.includes('recording'));
  if (largest.length > 0) {
    const met = largest[0].scanMs <= FAST_PATH_TARGET_MS;
    console.log(
      `150×4×30 on the fast path ≤ ${FAST_PATH_TARGET_MS / 1000} s: ${(largest[0].scanMs / 1000).toFixed(1)} s ` +
        `(${largest[0].read}): ${verdict(met)}`
    );
    ok &&= met;
  } else {
    console.log('150×4×30 on the fast path: not run: counts as missed');
    ok = false;
  }
  for (const engine of ['Prometheus raw', 'Prometheus + recording rules']) {
    const run = rows.filter((r) => r.engine === engine && r.returned > 0);
    if (run.length >= 2) {
      const per = (r: Measured) => r.scanMs / r.returned;
      const growth = per(run[run.length - 1]) / per(run[0]);
      const within = growth <= 2;
      console.log(
        `${engine}: time per returned sample ${run[run.length - 1].size} vs ${run[0].size}: ×${growth.toFixed(2)} ` +
          `(target ≤ ×2): ${verdict(within)}`
      );
      ok &&= within;
    }
  }
  return ok;
}
