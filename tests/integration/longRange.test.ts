/** @jest-environment node */
// A month in seconds, at test size: the same simulator timeline scanned from the raw histogram, split into many
// bounded requests, and from the long-range recording rules backfilled by promtool (real rule evaluation), in real
// Prometheus 2.42. 10 routes × 2 replicas × 2 days at a 60 s scrape, so that the scan's step (60 s) equals the
// rules' interval (60 s, set for this test; the default is 5 minutes, for month-long ranges). The group is
// backfilled in two parts, as an upgrade leaves it: the recordings of the previous version (buckets, count, sum,
// 5xx, per instance) from 2 h into the data, the per-route quantiles added by this version from 5 h.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PREFECT_SETTINGS } from '../../src/catalog/prefectSettings';
import { DETECTORS } from '../../src/insights/detectors';
import { runScan } from '../../src/insights/engine';
import type { ScanResult } from '../../src/insights/engine/types';
import type { Episode } from '../../src/insights/types';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { LONG_RANGE_GROUP, RECORDED_QUANTILES } from '../../src/prometheus/recorded';
import { resolveMetric } from '../../src/prometheus/resolve';
import type { PrometheusApi, ResolvedMetric } from '../../src/prometheus/types';
import { buildRuleGroups } from '../../src/rules/generate';
import { toYaml, type YamlValue } from '../../src/rules/yaml';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { backfillRules, linkBlocks } from '../harness/ruleBackfill';
import { writeTsdbBlock } from '../harness/tsdbBlock';
import { buildTimeline } from '../../tools/simulator';

jest.setTimeout(300_000);

const SCRAPE = 60;
const HOUR = 3_600_000;
const timeline = buildTimeline({ seed: 9, days: 2, scrapeIntervalSeconds: SCRAPE, routeCount: 10, replicas: 2 });
const work = mkdtempSync(join(tmpdir(), 'long-range-'));
// The recordings start 2 h into the data: a scan of the whole timeline is only partly covered.
const recordedFrom = timeline.start + 2 * HOUR;
// The recorded quantiles start later: a scan whose span starts between the two reads the recorded buckets.
const quantilesFrom = recordedFrom + 3 * HOUR;
const QUANTILE_NAMES: ReadonlySet<string> = new Set(RECORDED_QUANTILES.map((r) => r.record));

let raw: RunningPrometheus;
let withRules: RunningPrometheus;
let metric: ResolvedMetric;

/** The scan's requests, each named by its PromQL (or its path where it has none). */
function apiOf(p: RunningPrometheus): { api: PrometheusApi; requests: string[] } {
  const base = fetchTransport(p.url, { timeoutSeconds: 120 });
  const requests: string[] = [];
  return {
    requests,
    api: createPrometheusApi(async (path, params, opts) => {
      requests.push(params.get('query') ?? path);
      return base(path, params, opts);
    }),
  };
}

function scanOn(api: PrometheusApi, from: number, to: number, requestBudgetSeconds?: number): Promise<ScanResult> {
  return runScan({ api, metric, from, to, settings: { ...DEFAULT_PREFECT_SETTINGS }, requestBudgetSeconds }, DETECTORS);
}

/** Episodes without the line that says what was read, which is meant to differ. */
function bare(episodes: Episode[]) {
  return episodes.map(({ evidence: { readFrom: _r, ...evidence }, ...e }) => ({ ...e, evidence }));
}

beforeAll(async () => {
  raw = await startPrometheus({
    fillDataDir: async (dir) => {
      await writeTsdbBlock(timeline, dir);
    },
    extraArgs: ['--storage.tsdb.max-block-duration=1d'],
  });
  metric = await resolveMetric(apiOf(raw).api, {}, { start: timeline.start / 1000, end: timeline.end / 1000 });
  const groups = buildRuleGroups(metric, DEFAULT_PREFECT_SETTINGS, {
    scrapeIntervalSeconds: SCRAPE,
    longRangeIntervalSeconds: SCRAPE,
  }).filter((g) => g.name === LONG_RANGE_GROUP);
  expect(groups).toHaveLength(1);
  /** The group's rules that `keep` selects, as a rule file. */
  const ruleFile = (name: string, keep: (record: string) => boolean) => {
    const file = join(work, name);
    const doc: YamlValue = {
      groups: groups.map((g) => ({
        name: g.name,
        interval: g.interval,
        rules: g.rules.filter((r) => 'record' in r && keep(r.record)).map((r) => ({ ...r })),
      })),
    };
    writeFileSync(file, toYaml(doc));
    return file;
  };
  const previous = ruleFile('previous.rules.yml', (r) => !QUANTILE_NAMES.has(r));
  const added = ruleFile('quantiles.rules.yml', (r) => QUANTILE_NAMES.has(r));
  const end = timeline.end / 1000;
  const recorded = await backfillRules(raw.url, previous, recordedFrom / 1000, end, join(work, 'recorded'));
  const quantiles = await backfillRules(raw.url, added, quantilesFrom / 1000, end, join(work, 'quantiles'));
  withRules = await startPrometheus({
    fillDataDir: async (dir) => {
      expect(linkBlocks(raw.dataDir, dir)).toBeGreaterThan(0);
      expect(linkBlocks(recorded.outDir, dir)).toBeGreaterThan(0);
      expect(linkBlocks(quantiles.outDir, dir)).toBeGreaterThan(0);
    },
    extraArgs: ['--storage.tsdb.max-block-duration=1d'],
  });
});

afterAll(async () => {
  await raw?.stop();
  await withRules?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('bounded requests', () => {
  it('a scan split into many small requests finds exactly the episodes of the unsplit scan', async () => {
    const from = timeline.start + 6 * HOUR;
    const whole = apiOf(raw);
    const split = apiOf(raw);
    const a = await scanOn(whole.api, from, timeline.end);
    // A budget of 50 ms splits each query of this size into many pieces.
    const b = await scanOn(split.api, from, timeline.end, 0.05);
    // One request per query unsplit; split, each query in pieces by what it selects (the probe is never split):
    // the p95 and p99 over every bucket in the most, the reads of one or two series per route (rate, mean, 5xx,
    // shares, targets) in fewer, alike; the median only over the pieces where a tail share reaches 1 % (scan.ts).
    expect(whole.requests.length).toBe(a.requests);
    expect(split.requests.length).toBe(b.requests);
    const perQuery = new Map<string, number>();
    for (const q of split.requests.slice(1)) {
      perQuery.set(q, (perQuery.get(q) ?? 0) + 1);
    }
    const isMedian = (q: string) => q.startsWith('histogram_quantile(0.5,');
    const isQuantile = (q: string) => q.startsWith('histogram_quantile(') && !isMedian(q);
    const quantile = [...perQuery].filter(([q]) => isQuantile(q)).map(([, n]) => n);
    const light = [...perQuery].filter(([q]) => !isQuantile(q) && !isMedian(q)).map(([, n]) => n);
    expect(quantile).toHaveLength(2);
    expect(new Set(quantile).size).toBe(1);
    expect(quantile[0]).toBeGreaterThan(5);
    expect(light.length).toBeGreaterThanOrEqual(4);
    expect(new Set(light).size).toBe(1);
    expect(light[0]).toBeGreaterThan(1);
    expect(light[0]).toBeLessThan(quantile[0]);
    const median = [...perQuery].filter(([q]) => isMedian(q)).map(([, n]) => n);
    expect(median.length).toBeLessThanOrEqual(1);
    // Its pieces read the buckets and the tail's count: a few more than the quantiles' at most.
    expect(median[0] ?? 0).toBeLessThanOrEqual(2 * quantile[0]);
    console.log(`unsplit ${a.requests} requests, split ${b.requests}; ${a.episodes.length} episodes`);
    expect(a.episodes.length).toBeGreaterThan(0);
    expect(b.episodes).toEqual(a.episodes);
    expect(a.source).toBe('raw');
    expect(a.sourceNote).toBe('the long-range recording rules are not loaded');
  });
});

describe('the recording-rule fast path', () => {
  it('reads raw, and says why, when the rules cover only part of the range', async () => {
    const from = timeline.start + 6 * HOUR;
    const r = await scanOn(apiOf(withRules).api, from, timeline.end);
    const same = await scanOn(apiOf(raw).api, from, timeline.end);
    expect(r.source).toBe('raw');
    expect(r.sourceNote).toBe('the long-range recording rules cover only part of the range');
    expect(r.episodes[0].evidence.readFrom).toBe(
      'read from the raw histogram at 1-minute resolution (the long-range recording rules cover only part of the range)'
    );
    expect(bare(r.episodes)).toEqual(bare(same.episodes));
  });

  /** The fast scan finds the raw scan's insights, each starting and ending within one rule interval of it. */
  async function sameAsRaw(from: number): Promise<ScanResult> {
    const r = await scanOn(apiOf(withRules).api, from, timeline.end);
    const rawScan = await scanOn(apiOf(raw).api, from, timeline.end);
    expect(r.source).toBe('recording-rules');
    expect(r.resolutionSeconds).toBe(SCRAPE);
    expect(r.recordedIntervalSeconds).toBe(SCRAPE);
    expect(rawScan.source).toBe('raw');
    expect(r.step).toBe(rawScan.step);
    expect(rawScan.episodes.length).toBeGreaterThan(0);
    console.log(
      `recorded (${r.recordedQuantiles ? 'quantiles' : 'buckets'}): ${r.requests} requests, ${r.episodes.length} ` +
        `episodes; raw: ${rawScan.requests} requests, ${rawScan.episodes.length} episodes ` +
        `(${rawScan.episodes.map((e) => e.id).join(' ')})`
    );
    // Tolerance: a rule evaluates at its own instant, up to one interval before the grid point that reads it.
    const key = (e: Episode) => `${e.id} ${e.routes.join(',')}`;
    expect(r.episodes.map(key)).toEqual(rawScan.episodes.map(key));
    r.episodes.forEach((e, i) => {
      expect(Math.abs(e.start - rawScan.episodes[i].start)).toBeLessThanOrEqual(SCRAPE * 1000);
      expect(Math.abs(e.end - rawScan.episodes[i].end)).toBeLessThanOrEqual(SCRAPE * 1000);
    });
    return r;
  }

  it("reads the recorded buckets where only the previous version's recordings cover the range, and says so", async () => {
    const r = await sameAsRaw(recordedFrom + 7 * HOUR);
    expect(r.recordedQuantiles).toBe(false);
    expect(r.sourceNote).toBe('the per-route quantile recordings cover only part of the range');
    const said =
      'read from recording rules at 1-minute resolution, quantiles computed from the recorded buckets ' +
      '(the per-route quantile recordings cover only part of the range)';
    expect(r.episodes.every((e) => e.evidence.readFrom === said)).toBe(true);
  });

  it('reads the recorded quantiles where they cover the range and finds the same insights as the raw scan', async () => {
    const r = await sameAsRaw(quantilesFrom + 7 * HOUR);
    expect(r.recordedQuantiles).toBe(true);
    expect(
      r.episodes.every(
        (e) => e.evidence.readFrom === 'read from recording rules at 1-minute resolution, quantiles as recorded'
      )
    ).toBe(true);
  });
});
