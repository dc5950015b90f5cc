/** @jest-environment node */
// A month in seconds, at test size: the same simulator timeline scanned from the raw histogram, split into many
// bounded requests, and from the long-range recording rules backfilled by promtool (real rule evaluation), in real
// Prometheus 2.42. 10 routes × 2 replicas × 2 days at a 60 s scrape, so that the scan's step (60 s) equals the
// rules' interval (60 s, set for this test; the default is 5 minutes, for month-long ranges).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PREFECT_SETTINGS } from '../../src/catalog/prefectSettings';
import { DETECTORS } from '../../src/insights/detectors';
import { runScan } from '../../src/insights/engine';
import type { ScanResult } from '../../src/insights/engine/types';
import type { Episode } from '../../src/insights/types';
import { createPrometheusApi, fetchTransport } from '../../src/prometheus/client';
import { LONG_RANGE_GROUP } from '../../src/prometheus/recorded';
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

let raw: RunningPrometheus;
let withRules: RunningPrometheus;
let metric: ResolvedMetric;

function apiOf(p: RunningPrometheus): { api: PrometheusApi; requests: number[] } {
  const base = fetchTransport(p.url, { timeoutSeconds: 120 });
  const requests: number[] = [];
  return {
    requests,
    api: createPrometheusApi(async (path, params, opts) => {
      requests.push(1);
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
  const ruleFile = join(work, 'long-range.rules.yml');
  const doc: YamlValue = {
    groups: groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules.map((r) => ({ ...r })) })),
  };
  writeFileSync(ruleFile, toYaml(doc));
  const recorded = await backfillRules(
    raw.url,
    ruleFile,
    recordedFrom / 1000,
    timeline.end / 1000,
    join(work, 'recorded')
  );
  withRules = await startPrometheus({
    fillDataDir: async (dir) => {
      expect(linkBlocks(raw.dataDir, dir)).toBeGreaterThan(0);
      expect(linkBlocks(recorded.outDir, dir)).toBeGreaterThan(0);
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
    // One request per query unsplit; a whole number of pieces per query split (the probe is never split).
    expect(whole.requests.length).toBe(a.requests);
    expect((b.requests - 1) % (a.requests - 1)).toBe(0);
    expect(b.requests).toBeGreaterThan(5 * a.requests);
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

  it('reads the recordings where they cover the range and finds the same insights as the raw scan', async () => {
    const from = recordedFrom + 7 * HOUR;
    const fast = apiOf(withRules);
    const r = await scanOn(fast.api, from, timeline.end);
    const rawScan = await scanOn(apiOf(raw).api, from, timeline.end);
    expect(r.source).toBe('recording-rules');
    expect(r.resolutionSeconds).toBe(SCRAPE);
    expect(r.recordedIntervalSeconds).toBe(SCRAPE);
    expect(rawScan.source).toBe('raw');
    expect(r.step).toBe(rawScan.step);
    expect(rawScan.episodes.length).toBeGreaterThan(0);
    console.log(
      `recorded: ${r.requests} requests, ${r.episodes.length} episodes; raw: ${rawScan.requests} requests, ` +
        `${rawScan.episodes.length} episodes (${rawScan.episodes.map((e) => e.id).join(' ')})`
    );
    expect(r.episodes.every((e) => e.evidence.readFrom === 'read from recording rules at 1-minute resolution')).toBe(
      true
    );
    // Tolerance: the same insights, each starting and ending within one rule interval of the raw scan's (a rule
    // evaluates at its own instant, up to one interval before the grid point that reads it).
    const key = (e: Episode) => `${e.id} ${e.routes.join(',')}`;
    expect(r.episodes.map(key)).toEqual(rawScan.episodes.map(key));
    r.episodes.forEach((e, i) => {
      expect(Math.abs(e.start - rawScan.episodes[i].start)).toBeLessThanOrEqual(SCRAPE * 1000);
      expect(Math.abs(e.end - rawScan.episodes[i].end)).toBeLessThanOrEqual(SCRAPE * 1000);
    });
  });
});
