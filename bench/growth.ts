// How the scan's cost grows with the installation: routes × replicas × days, at a 15 s scrape, each size written
// straight into TSDB blocks (tests/harness/tsdbBlock.ts) for its own real Prometheus 2.42. Per size, two rows:
// the raw histogram, and the same data plus the long-range recording rules (`prefect-insights rules`, group
// prefect-insights-long-range at its default 5-minute interval) backfilled from it by promtool, which evaluates the
// rules for real; the backfill's own time is reported apart. The fast path is measured first, then the raw scan on
// the raw server, and each row is printed with a per-query breakdown (Prometheus and transfer, JSON.parse, bytes) as
// soon as it is measured. Then, on the same blocks with the recordings, Thanos (tests/harness/thanos.ts): a sidecar
// uploads them, `thanos compact` compacts and downsamples, and the scan reads through a query-frontend three times:
// raw and with the data source's Thanos downsampling on (ScanOptions.thanosDownsampling: from a 5-minute grid,
// ranges past ~15 days, it reads the downsampled blocks; below that it reads raw), both as an installation without
// the recordings, then with them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_PREFECT_SETTINGS } from '../src/catalog/prefectSettings';
import { DETECTORS } from '../src/insights/detectors';
import { runScan } from '../src/insights/engine';
import { probeQuery } from '../src/insights/engine/queries';
import type { ScanOptions, ScanResult } from '../src/insights/engine/types';
import { createPrometheusApi, fetchTransport } from '../src/prometheus/client';
import { formatResolution, LONG_RANGE_GROUP, RECORDED_LONG } from '../src/prometheus/recorded';
import { resolveMetric } from '../src/prometheus/resolve';
import type { PrometheusTransport, ResolvedMetric } from '../src/prometheus/types';
import { buildRuleGroups } from '../src/rules/generate';
import { toYaml, type YamlValue } from '../src/rules/yaml';
import { startPrometheus, type RunningPrometheus } from '../tests/harness/prometheus';
import { backfillRules, compactorState, linkBlocks, waitForCompaction } from '../tests/harness/ruleBackfill';
import { bucketBlocks, startQueryFrontend, startThanosHa, type RunningThanosHa } from '../tests/harness/thanos';
import { writeTsdbBlock } from '../tests/harness/tsdbBlock';
import type { Timeline } from '../tools/simulator';
import { GROWTH_SCRAPE_SECONDS, growthTimeline, parseGrowthSize, type GrowthSize } from './growthSize';
import { verdict } from './stats';

const DAY = 86_400_000;
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
/**
 * `BENCH_GROWTH_SKIP_RAW=150x4x30` leaves out the raw scan of those sizes (their raw Prometheus still feeds the
 * backfill): at the largest size it takes longer than the rest of the run, and the "before" table already has it.
 */
const SKIP_RAW = new Set(
  (process.env.BENCH_GROWTH_SKIP_RAW ?? '')
    .split(',')
    .map((s) => s.trim().replace(/x/g, '×'))
    .filter(Boolean)
);
/**
 * Samples a query may hold at once on the Prometheus that promtool backfills from: each recording of a month of
 * 150 × 4 replicas is one range query holding every raw bucket series at every 5-minute step (about 78 M), over
 * the 50 M default. Only promtool asks that server something so large; the scan's pieces stay under SAMPLE_BUDGET.
 */
const BACKFILL_MAX_SAMPLES = 400_000_000;

/**
 * `BENCH_GROWTH_KEEP=<dir>` keeps each size's blocks with the recordings (hard links, `<dir>/<size>/data`), the
 * scan's metric and range (`<dir>/<size>/scan.json`) and, with Thanos, its compacted bucket (`<dir>/<size>/bucket`),
 * so a design change can be measured again on the same month without writing and backfilling it anew
 * (bench/rescan.ts; the bucket by hand, docs/sizing.md).
 */
const KEEP = process.env.BENCH_GROWTH_KEEP?.trim() || undefined;

/** `BENCH_GROWTH_THANOS=0` leaves out the Thanos rows (they need tools/thanos/build.sh's binary). */
const THANOS = process.env.BENCH_GROWTH_THANOS !== '0';
/**
 * What the sidecar serves itself (`--min-time`): Prometheus's last hours, as with a short local retention. The rest
 * is read from the bucket through the store gateway, so the raw and downsampled rows differ only in resolution.
 */
const SIDECAR_HOURS = 2;

const ISSUE_SIZES: GrowthSize[] = [
  { routes: 10, replicas: 1, days: 1 },
  { routes: 50, replicas: 2, days: 7 },
  { routes: 150, replicas: 4, days: 30 },
];

/** `BENCH_GROWTH_SIZES=150x4x3,10x1x1` runs other sizes (routes x replicas x days), e.g. to try a design change. */
function sizes(): GrowthSize[] {
  const env = process.env.BENCH_GROWTH_SIZES?.trim();
  if (!env) {
    return ISSUE_SIZES;
  }
  return env.split(',').map((s) => parseGrowthSize(s, 'BENCH_GROWTH_SIZES'));
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
  /** Per kind of query: requests, milliseconds summed, of which waiting for the whole body, bytes, samples. */
  perQuery: Map<string, QueryCost>;
}

interface QueryCost {
  requests: number;
  ms: number;
  fetchMs: number;
  bytes: number;
  samples: number;
  longestMs: number;
}

/** A short name for a scan query, from the series it reads (for the per-query breakdown). */
function queryKind(expr: string): string {
  if (expr.includes('count_over_time')) {
    // Over 10 days the scan asks for the recordings alone first (scan.ts, probeScan).
    return /_seconds(_count)?\b(?!:)/.test(expr.replace(/[a-z_]+:[a-z_:]+/g, '')) ? 'probe' : 'probe (recordings)';
  }
  const recorded = /:(p\d\d)_long/.exec(expr);
  if (recorded) {
    return `${recorded[1]} (recorded)`;
  }
  // Every quantile the read asks (a declared-Thanos scan asks the p95 and p99 as one read: queries.ts).
  const qs = [...expr.matchAll(/histogram_quantile\((0\.\d+)/g)].map((m) => `p${Math.round(Number(m[1]) * 100)}`);
  if (qs.length > 0) {
    return `${qs.join('+')} (${expr.includes('rate_long') ? 'recorded buckets' : 'raw buckets'})`;
  }
  if (expr.includes('prefect_insights_part')) {
    return 'targets';
  }
  if (expr.includes('le=~')) {
    return 'slow/tail share';
  }
  if (expr.includes('_sum')) {
    return 'mean';
  }
  if (expr.includes('5xx') || expr.includes('status')) {
    return 'error rate';
  }
  return 'rate';
}

/** One scan through the plugin's own client, timing every request and counting what Prometheus returned. */
/**
 * The Thanos bucket holds the recordings beside the raw histogram (uploaded from the server they were backfilled
 * into). Its raw and downsampled rows are the scan of an installation that never loaded them: a request that reads
 * nothing but recordings (the long-range probe) gets the empty answer such a bucket gives, and the scan reads raw.
 */
const RECORDING_NAMES: ReadonlySet<string> = new Set(Object.values(RECORDED_LONG));
function readsOnlyRecordings(query: string): boolean {
  // Every selector: a metric name followed by its matchers or its range.
  const names = query.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{[])/g) ?? [];
  return names.length > 0 && names.every((n) => RECORDING_NAMES.has(n));
}

async function scanOnce(
  url: string,
  metric: ResolvedMetric,
  from: number,
  to: number,
  scanOptions: Pick<ScanOptions, 'thanosDownsampling'> = {},
  opts: { hideRecordings?: boolean } = {}
) {
  // The body is read here, timed and measured, and handed on as a finished Response: what the transport adds to
  // the request's time is then JSON.parse and its checks.
  let last = { fetchMs: 0, bytes: 0 };
  const measuredFetch: typeof fetch = async (input, init) => {
    const t0 = performance.now();
    const res = await fetch(input, init);
    const text = await res.text();
    last = { fetchMs: performance.now() - t0, bytes: Buffer.byteLength(text) };
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  const base = fetchTransport(url, { timeoutSeconds: REQUEST_LIMIT_SECONDS, fetchImpl: measuredFetch });
  let returned = 0;
  let longestMs = 0;
  const perQuery = new Map<string, QueryCost>();
  const timed: PrometheusTransport = async (path, params, init) => {
    if (opts.hideRecordings && readsOnlyRecordings(params.get('query') ?? '')) {
      // As a bucket without the recordings answers: an empty matrix, asked of no server and not timed.
      return { status: 'success', data: { resultType: 'matrix', result: [] } };
    }
    const t0 = performance.now();
    const body = (await base(path, params, init)) as { data?: { result?: Array<{ values?: unknown[] }> } };
    const ms = performance.now() - t0;
    const { fetchMs, bytes } = last;
    longestMs = Math.max(longestMs, ms);
    let samples = 0;
    for (const s of body.data?.result ?? []) {
      samples += s.values?.length ?? 0;
    }
    returned += samples;
    const kind = path.endsWith('/series') ? 'probe (series index)' : queryKind(params.get('query') ?? '');
    const c = perQuery.get(kind) ?? { requests: 0, ms: 0, fetchMs: 0, bytes: 0, samples: 0, longestMs: 0 };
    perQuery.set(kind, {
      requests: c.requests + 1,
      ms: c.ms + ms,
      fetchMs: c.fetchMs + fetchMs,
      bytes: c.bytes + bytes,
      samples: c.samples + samples,
      longestMs: Math.max(c.longestMs, ms),
    });
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
    result = await runScan(
      { api, metric, from, to, settings: { ...DEFAULT_PREFECT_SETTINGS }, ...scanOptions },
      DETECTORS
    );
  } finally {
    clearInterval(sampler);
  }
  const scanMs = performance.now() - t0;
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
  return { result, scanMs, longestMs, returned, peakHeapMb: peak / 2 ** 20, perQuery };
}

type Scanned = Awaited<ReturnType<typeof scanOnce>>;

/** A table row from one measured scan. */
function measuredRow(size: string, engine: string, m: Scanned, note: string): Measured {
  return {
    size,
    engine,
    scanMs: m.scanMs,
    longestMs: m.longestMs,
    requests: m.result.requests,
    returned: m.returned,
    peakHeapMb: m.peakHeapMb,
    episodes: m.result.episodes.length,
    read: readOf(m.result),
    note,
    perQuery: m.perQuery,
  };
}

function rulesFile(metric: ResolvedMetric, dir: string): string {
  const groups = buildRuleGroups(metric, DEFAULT_PREFECT_SETTINGS, {
    scrapeIntervalSeconds: GROWTH_SCRAPE_SECONDS,
  }).filter((g) => g.name === LONG_RANGE_GROUP);
  const doc: YamlValue = {
    groups: groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules.map((r) => ({ ...r })) })),
  };
  const file = join(dir, 'long-range.rules.yml');
  writeFileSync(file, toYaml(doc));
  return file;
}

function readOf(r: ScanResult): string {
  const at = formatResolution(r.resolutionSeconds ?? r.step / 1000);
  if (r.source === 'recording-rules') {
    return r.recordedQuantiles ? `rules, ${at}, recorded quantiles` : `rules, ${at}, buckets (${r.sourceNote ?? ''})`;
  }
  return `raw, ${at}${r.sourceNote ? ` (${r.sourceNote})` : ''}`;
}

/**
 * Waits for the kernel to write back what the size's set-up wrote (the month's blocks, the backfill, compactions:
 * gigabytes on the largest size), so the scan measures a settled server rather than share two cores with the
 * writeback; says how much was in flight and how long it took.
 */
function settle(): string {
  const dirtyMb = Number(/^Dirty:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN) / 1024;
  const t0 = performance.now();
  execFileSync('sync');
  return `writeback of ${dirtyMb.toFixed(0)} MB in flight ${((performance.now() - t0) / 1000).toFixed(1)} s`;
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
      extraArgs: [
        '--storage.tsdb.max-block-duration=1d',
        `--query.timeout=${REQUEST_LIMIT_SECONDS}s`,
        `--query.max-samples=${BACKFILL_MAX_SAMPLES}`,
      ],
      readyTimeoutMs: 300_000,
    });
    const from = timeline.start + 6 * 3_600_000;
    const to = timeline.end;
    const metric = await resolveMetric(
      createPrometheusApi(fetchTransport(raw.url, { timeoutSeconds: REQUEST_LIMIT_SECONDS })),
      {},
      { start: from / 1000, end: to / 1000 }
    );
    const stored = `${(written.samples / 1e6).toFixed(1)} M stored, written in ${written.seconds.toFixed(0)} s`;
    const rows: Measured[] = [];
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
    const compactSeconds = await waitForCompaction(withRules.url);
    const settled = settle();
    const before = await compactorState(withRules.url);
    const b = await scanOnce(withRules.url, metric, from, to);
    const after = await compactorState(withRules.url);
    // Said on the row, so that a fast path measured beside a running merge shows it.
    const during = after.compactions - before.compactions + Math.max(before.populating, after.populating);
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
        `then Prometheus's compaction ${compactSeconds.toFixed(0)} s, ${settled}, ` +
        `${during} compaction${during === 1 ? '' : 's'} during the scan`,
      perQuery: b.perQuery,
    });
    report(rows[rows.length - 1]);
    await compareProbe(withRules.url, metric, from, to, b.perQuery, size);
    // The raw scan after the fast path, on the raw server (idle meanwhile), so that a run cut short by the clock
    // still has the fast path's row; the backfill has read the raw blocks before it, as a warm server would have.
    if (SKIP_RAW.has(size)) {
      console.log(`${size}: raw scan not run (BENCH_GROWTH_SKIP_RAW); ${stored}`);
    } else {
      const a = await scanOnce(raw.url, metric, from, to);
      rows.push({
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
        perQuery: a.perQuery,
      });
      report(rows[rows.length - 1]);
    }
    if (KEEP !== undefined) {
      keepBlocks(withRules.dataDir, keptDir(KEEP, size), { metric, from, to });
    }
    if (THANOS) {
      // Thanos gets the rules server's blocks (raw and recordings, merged by its compaction), hard-linked before
      // that server stops; the Prometheus servers' work is done: free their memory and cores for Thanos.
      const blocksDir = join(work, 'thanos-blocks');
      mkdirSync(blocksDir);
      linkBlocks(withRules.dataDir, blocksDir);
      await withRules.stop();
      withRules = undefined;
      await raw.stop();
      raw = undefined;
      rows.push(...(await measureThanos(blocksDir, metric, timeline, from, to, size)));
    }
    return rows;
  } finally {
    await raw?.stop();
    await withRules?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where BENCH_GROWTH_KEEP keeps a size: `<dir>/<routes>x<replicas>x<days>`. */
function keptDir(keep: string, size: string): string {
  return join(keep, size.replace(/×/g, 'x'));
}

/** Hard-links the server's blocks (not its WAL or lock) and writes what a rescan needs to ask the same question. */
function keepBlocks(dataDir: string, dest: string, scan: { metric: ResolvedMetric; from: number; to: number }): void {
  const out = join(dest, 'data');
  mkdirSync(out, { recursive: true });
  linkBlocks(dataDir, out);
  writeFileSync(join(dest, 'scan.json'), JSON.stringify(scan, null, 2));
  console.log(`kept the blocks and the scan's question in ${dest}`);
}

/**
 * Over 10 days the scan asks for the recordings first and probes the raw histogram over the last 6 hours only
 * (scan.ts, probeScan). Beside the scan's own probe requests, time the one request that probed such a span before:
 * the raw `_count` counted in 10-minute windows every hour over the whole span, with the recordings in the same
 * request, on the same server just after the scan.
 */
async function compareProbe(
  url: string,
  metric: ResolvedMetric,
  from: number,
  to: number,
  perQuery: Map<string, QueryCost>,
  size: string
): Promise<void> {
  const spanStart = from / 1000 - 6 * 3600;
  if (to / 1000 - spanStart <= 10 * 86400) {
    return;
  }
  const api = createPrometheusApi(fetchTransport(url, { timeoutSeconds: REQUEST_LIMIT_SECONDS }));
  const range = {
    start: Math.floor(spanStart / 3600) * 3600,
    end: Math.ceil(to / 1000 / 3600) * 3600,
    step: 3600,
  };
  const t0 = performance.now();
  await api.queryRange(probeQuery(metric, { countSeries: true, recorded: true }), range);
  const wholeMs = performance.now() - t0;
  const now = [...perQuery].filter(([kind]) => kind.startsWith('probe'));
  const nowMs = now.reduce((sum, [, c]) => sum + c.ms, 0);
  console.log(
    `${size}: probe ${(nowMs / 1000).toFixed(2)} s in ${now.reduce((n, [, c]) => n + c.requests, 0)} requests ` +
      `(${now.map(([kind, c]) => `${kind} ${(c.ms / 1000).toFixed(2)} s`).join(', ')}); ` +
      `the previous one-request probe of the whole span: ${(wholeMs / 1000).toFixed(2)} s`
  );
}

/**
 * The Thanos rows of one size: the blocks (raw and recordings) uploaded, compacted and downsampled, read raw and
 * downsampled as by an installation without the recordings, and read with them.
 */
async function measureThanos(
  blocksDir: string,
  metric: ResolvedMetric,
  timeline: Timeline,
  from: number,
  to: number,
  size: string
): Promise<Measured[]> {
  let thanos: RunningThanosHa | undefined;
  let frontend: { url: string; stop(): Promise<void> } | undefined;
  try {
    const t0 = performance.now();
    thanos = await startThanosHa({
      replicas: [{ replica: 'a', fillDataDir: async (dir) => void linkBlocks(blocksDir, dir) }],
      prometheus: { readyTimeoutMs: 300_000 },
      sidecarArgs: [
        `--min-time=${new Date(timeline.end - SIDECAR_HOURS * 3_600_000).toISOString()}`,
        // The rules server's blocks are compacted (raw and recordings merged), and the sidecar ships only blocks
        // Prometheus cut itself unless told otherwise, as when a Prometheus with history is put behind Thanos.
        '--shipper.upload-compacted',
      ],
      queryArgs: [`--query.timeout=${REQUEST_LIMIT_SECONDS}s`],
      uploadTimeoutMs: 1_800_000,
      compactTimeoutMs: 3_600_000,
    });
    const setupSeconds = (performance.now() - t0) / 1000;
    if (KEEP !== undefined) {
      // The compacted, downsampled bucket too, so a Thanos question can be asked again by hand (store gateway and
      // querier over `<dir>/<size>/bucket`) without uploading and compacting the month anew.
      const dest = join(keptDir(KEEP, size), 'bucket');
      linkBlocks(thanos.bucketDir, dest);
      console.log(`kept the Thanos bucket in ${dest}`);
    }
    const settled = settle();
    const blocks = bucketBlocks(thanos.bucketDir);
    const atResolution = (ms: number) => blocks.filter((b) => b.resolution === ms).length;
    const bucket =
      `bucket ${atResolution(0)} raw, ${atResolution(300_000)} 5-minute, ${atResolution(3_600_000)} 1-hour blocks ` +
      `(upload and compaction ${setupSeconds.toFixed(0)} s, ${settled})`;
    const rows: Measured[] = [];
    const row = (engine: string, m: Scanned, note: string) => measuredRow(size, engine, m, note);
    const a = await scanOnce(thanos.frontend.url, metric, from, to, {}, { hideRecordings: true });
    rows.push(row('Thanos raw', a, bucket));
    report(rows[rows.length - 1]);
    // Each row its own frontend: none has a results cache (startQueryFrontend), and one given later must not serve a row.
    frontend = await startQueryFrontend(thanos.query.url);
    const b = await scanOnce(frontend.url, metric, from, to, { thanosDownsampling: true }, { hideRecordings: true });
    const said =
      b.result.downsampledSeconds === undefined
        ? "the data source's Thanos downsampling on: engine=thanos, p95 and p99 in one read; the grid is finer than 5 minutes, so every read stays raw"
        : `the data source's Thanos downsampling on: engine=thanos, p95 and p99 in one read, max_source_resolution=${formatResolution(b.result.downsampledSeconds)}, ` +
          `${formatResolution(b.result.rateWindowSeconds ?? 0)} rate windows`;
    rows.push(row('Thanos downsampled', b, said));
    report(rows[rows.length - 1]);
    await frontend.stop();
    frontend = await startQueryFrontend(thanos.query.url);
    const c = await scanOnce(frontend.url, metric, from, to);
    rows.push(row('Thanos + recording rules', c, 'the recordings uploaded by the sidecar with the raw blocks'));
    report(rows[rows.length - 1]);
    return rows;
  } finally {
    await frontend?.stop();
    await thanos?.stop();
  }
}

/** One row and its breakdown as soon as they are measured (the table follows at the end). */
function report(r: Measured): void {
  console.log(rowLine(r));
  printBreakdown([r]);
}

function rowLine(r: Measured): string {
  const per = r.returned > 0 ? (1000 * r.scanMs) / r.returned : NaN;
  return (
    `${r.size} ${r.engine}: ${(r.scanMs / 1000).toFixed(1)} s end to end, longest ${(r.longestMs / 1000).toFixed(1)} s, ` +
    `${r.requests} requests, ${per.toFixed(1)} µs/returned sample, ${r.peakHeapMb.toFixed(0)} MB, ` +
    `${r.episodes} episodes, ${r.read}; ${r.note}`
  );
}

/** Where each scan's time went: per kind of query, Prometheus and the transfer (fetch) beside the Node side. */
function printBreakdown(rows: Measured[]): void {
  for (const r of rows) {
    console.log(`\n${r.size} ${r.engine}: per query kind (times summed over requests; two run at once)`);
    for (const [kind, c] of [...r.perQuery].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(
        `  ${kind.padEnd(28)} ${String(c.requests).padStart(4)} req  ${(c.ms / 1000).toFixed(2).padStart(7)} s ` +
          `(longest ${(c.longestMs / 1000).toFixed(2)} s; body fetched in ${(c.fetchMs / 1000).toFixed(2)} s, ` +
          `parse ${((c.ms - c.fetchMs) / 1000).toFixed(2)} s)  ${(c.bytes / 2 ** 20).toFixed(1)} MB JSON  ` +
          `${(c.samples / 1e6).toFixed(2)} M samples`
      );
    }
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
  console.log(
    `\n## Growth: routes × replicas × days at ${GROWTH_SCRAPE_SECONDS} s scrape (one Prometheus 2.42 per size)`
  );
  const rows: Measured[] = [];
  const notRun: string[] = [];
  for (const { routes, replicas, days } of sizes()) {
    const size = `${routes}×${replicas}×${days}`;
    const estimate = routes * replicas * ((days * DAY) / (GROWTH_SCRAPE_SECONDS * 1000)) * 17;
    if (estimate > MAX_SAMPLES) {
      notRun.push(`${size}: NOT RUN (about ${(estimate / 1e6).toFixed(0)} M samples, over BENCH_GROWTH_MAX_SAMPLES)`);
      continue;
    }
    const timeline = growthTimeline({ routes, replicas, days });
    rows.push(...(await measure(timeline, size)));
    if (!THANOS) {
      notRun.push(`${size}: Thanos raw, downsampled and with recording rules: not run (BENCH_GROWTH_THANOS=0)`);
    }
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
  for (const engine of [
    'Prometheus raw',
    'Prometheus + recording rules',
    'Thanos raw',
    'Thanos downsampled',
    'Thanos + recording rules',
  ]) {
    // Smallest to largest whatever the order the sizes were run in.
    const volume = (r: Measured) => r.size.split('×').reduce((a, n) => a * Number(n), 1);
    const run = rows.filter((r) => r.engine === engine && r.returned > 0).sort((a, b) => volume(a) - volume(b));
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

/**
 * `BENCH_ONLY=rescan BENCH_RESCAN_DIR=<dir>/<size>` scans a size kept by BENCH_GROWTH_KEEP again, on a Prometheus
 * 2.42 over the same blocks (hard links), BENCH_RESCAN_TIMES times (default 2: a server that has read the month
 * once, as the growth row's server had by its compaction, and once more): a design change measured on the same
 * month, with the same breakdown.
 */
export async function rescanKept(): Promise<boolean> {
  const dir = process.env.BENCH_RESCAN_DIR?.trim();
  if (!dir) {
    console.log('rescan: set BENCH_RESCAN_DIR to a directory kept by BENCH_GROWTH_KEEP');
    return false;
  }
  const times = Number(process.env.BENCH_RESCAN_TIMES ?? 2);
  const { metric, from, to } = JSON.parse(readFileSync(join(dir, 'scan.json'), 'utf8')) as {
    metric: ResolvedMetric;
    from: number;
    to: number;
  };
  const prometheus = await startPrometheus({
    fillDataDir: async (dataDir) => void linkBlocks(join(dir, 'data'), dataDir),
    extraArgs: ['--storage.tsdb.max-block-duration=1d', `--query.timeout=${REQUEST_LIMIT_SECONDS}s`],
    readyTimeoutMs: 300_000,
  });
  try {
    console.log(`\n## Rescan of ${dir} (${((to - from) / DAY).toFixed(1)} days)`);
    for (let k = 1; k <= times; k++) {
      const m = await scanOnce(prometheus.url, metric, from, to);
      const starts = m.result.episodes.map((e) => `${e.id} ${new Date(e.start).toISOString().slice(5, 16)}`);
      report(measuredRow(dir.split('/').pop() ?? dir, `scan ${k} of ${times}`, m, starts.join(', ')));
    }
    return true;
  } finally {
    await prometheus.stop();
  }
}
