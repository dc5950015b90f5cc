/** @jest-environment node */
// Every detectable insight's scenario and every decoy, backfilled into a real Prometheus in each metric convention
// that promtool can write, scanned through the CLI's own code path (arguments, resolution, scan, JSON), and scored
// against the simulator's ground truth. Figures are printed so that CI output shows them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isInsightId } from '../../src/catalog/catalog';
import { buildTimeline, type ConventionId, type ScenarioId, type Timeline } from '../../tools/simulator';
import { matchDetections, precisionRecall, type MatchResult } from './scenarioMatch';
import { backfillAndScan } from './scenarioScan';
import { stderrBesidesInfos } from '../harness/cliStderr';

interface Case {
  name: string;
  convention: ConventionId;
  seed: number;
  days: number;
  scrapeIntervalSeconds: number;
  include?: ScenarioId[];
  /** OTLP push: a new instance id per process and no `up`. */
  instancePerProcess?: boolean;
  gapMinutes?: number;
  /** Every api-outage found within a minute of both injected edges (the detected edges are printed). */
  outageEdges?: boolean;
  /** Nothing missed and no false alarm in this timeline (not only the suite's 0.95 overall). */
  exact?: boolean;
  /** Every task-runs-count-timeout's evidence says the counts pile at the statement timeout. */
  cutOffAt?: boolean;
}

// Near misses (issue 16): each decoy sits just short of a signature, and raises nothing.
const NEAR_MISSES: ScenarioId[] = [
  'decoy:near-overload',
  'decoy:one-route-4x',
  'decoy:route-plus-900ms',
  'decoy:slow-burst-90s',
];

// A 30 s scrape keeps four one-day backfills and scans within a few minutes on two cores; the persistence rules
// (3 points over 2 min) and every decoy (one scrape, a restart under a minute) still hold at that resolution.
// The other service beside Prefect and --selector are covered by cli.test.ts.
const CASES: Case[] = [
  { name: 'prefect', convention: 'prefect', seed: 101, days: 1, scrapeIntervalSeconds: 30 },
  // OpenTelemetry's default buckets stop at 10 s.
  { name: 'otel-stable', convention: 'otel-stable', seed: 202, days: 1, scrapeIntervalSeconds: 30 },
  { name: 'otel-legacy-ms', convention: 'otel-legacy-ms', seed: 303, days: 1, scrapeIntervalSeconds: 30 },
  {
    name: 'fastapi-instrumentator',
    convention: 'fastapi-instrumentator',
    seed: 404,
    days: 1,
    scrapeIntervalSeconds: 30,
  },
  // Seeds found by `npm run sweep`: 11 has the shortest hang (3.25 min of frozen counters, `up` still 1), whose zero
  // rates trail the freeze by the rate window; 22 and 7 add the worker's polling stop and pool_timeout hangs.
  { name: 'prefect (short hang)', convention: 'prefect', seed: 11, days: 1, scrapeIntervalSeconds: 30 },
  { name: 'otel-stable (short hang)', convention: 'otel-stable', seed: 11, days: 1, scrapeIntervalSeconds: 30 },
  { name: 'otel-legacy-ms (worker)', convention: 'otel-legacy-ms', seed: 22, days: 1, scrapeIntervalSeconds: 30 },
  {
    name: 'fastapi-instrumentator (worker)',
    convention: 'fastapi-instrumentator',
    seed: 7,
    days: 1,
    scrapeIntervalSeconds: 30,
  },
  // Stale statistics needs days of history; a minute's scrape keeps it cheap.
  {
    name: 'prefect (4 days)',
    convention: 'prefect',
    seed: 505,
    days: 4,
    scrapeIntervalSeconds: 60,
    include: ['stale-statistics', 'decoy:traffic-bump', 'decoy:one-scrape-spike'],
  },
  // A pushed server (no `up`, a new instance id per process) idles for over half the baseline's 6 hours, serves
  // minutes of traffic and dies: the 6-hour median rate is 0 there (issue 16's miss). After the near misses, so
  // those are judged against a full day's baseline; a pushed restart under a minute among them.
  {
    name: 'otel-stable pushed (near misses, idle then death)',
    convention: 'otel-stable',
    seed: 606,
    days: 1,
    scrapeIntervalSeconds: 30,
    instancePerProcess: true,
    gapMinutes: 20,
    include: [...NEAR_MISSES, 'decoy:short-restart', 'outage-after-idle'],
    outageEdges: true,
  },
  // The same on other timings and a scraped server (`up` exists), in another order.
  {
    name: 'prefect (near misses, other timings)',
    convention: 'prefect',
    seed: 707,
    days: 1,
    scrapeIntervalSeconds: 30,
    gapMinutes: 30,
    include: [
      'decoy:slow-burst-90s',
      'decoy:route-plus-900ms',
      'db-pool-exhaustion',
      'decoy:near-overload',
      'decoy:one-route-4x',
      'outage-after-idle',
    ],
    outageEdges: true,
  },
  // Each near miss beside its twin just over the same threshold (issue 16): the decoys raise nothing, the twins are
  // found, so the decoys test the threshold rather than sit far from it. Pushed (no `up`), so the restart pair judges
  // the silence rule; a seed none of the thresholds was tuned on.
  {
    name: 'otel-stable pushed (near misses and their twins)',
    convention: 'otel-stable',
    seed: 808,
    days: 1,
    scrapeIntervalSeconds: 30,
    instancePerProcess: true,
    gapMinutes: 25,
    include: [
      'decoy:near-overload',
      'over:overload',
      'decoy:slow-burst-90s',
      'over:slow-burst-150s',
      'decoy:short-restart',
      'over:restart-150s',
      'decoy:one-route-4x',
      'decoy:route-plus-900ms',
    ],
    outageEdges: true,
    exact: true,
  },
  // Counts cut at the default 10 s statement timeout, held out from the cut-off band's fix (built from arithmetic
  // in evidence.test.ts): Prefect's bounds 10 and 30 s put p99 near 29.8 s, OpenTelemetry's end at 10 s (the mean).
  {
    name: 'prefect (counts cut at the statement timeout)',
    convention: 'prefect',
    seed: 111,
    days: 1,
    scrapeIntervalSeconds: 30,
    include: ['count-cut-at-timeout', 'decoy:one-route-4x', 'count-cut-at-timeout'],
    exact: true,
    cutOffAt: true,
  },
  {
    name: 'otel-stable (counts cut at the statement timeout)',
    convention: 'otel-stable',
    seed: 112,
    days: 1,
    scrapeIntervalSeconds: 30,
    include: ['count-cut-at-timeout'],
    exact: true,
    cutOffAt: true,
  },
  // Held out from the fix for the 90 s burst (found on 606 and 707): a 60 s scrape, where the rate window is 3 min.
  {
    name: 'prefect (90 s bursts at a 60 s scrape)',
    convention: 'prefect',
    seed: 909,
    days: 1,
    scrapeIntervalSeconds: 60,
    gapMinutes: 25,
    include: [
      'decoy:slow-burst-90s',
      'db-pool-exhaustion',
      'decoy:slow-burst-90s',
      'decoy:one-route-4x',
      'decoy:slow-burst-90s',
    ],
  },
];

const work = mkdtempSync(join(tmpdir(), 'scenarios-'));
const results: Array<{ c: Case; timeline: Timeline; match: MatchResult; seconds: number }> = [];

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (results.length === 0) {
    return;
  }
  const rows = results.map(({ c, timeline, match, seconds }) => ({
    case: c.name,
    seed: c.seed,
    scenarios: timeline.included.length,
    expected: match.expected,
    found: match.expected - match.missed.length,
    detections: match.detections,
    false: match.falsePositives.length,
    missed: match.missed.map((t) => t.id).join(' ') || '-',
    extra: match.falsePositives.map((d) => d.id).join(' ') || '-',
    scanSeconds: seconds,
  }));
  const { precision, recall } = precisionRecall(results.map((r) => r.match));
  const header = Object.keys(rows[0]);
  const cells = [header, ...rows.map((r) => Object.values(r).map(String))];
  const widths = header.map((_, k) => Math.max(...cells.map((row) => row[k].length)));
  const table = cells
    .map((row) =>
      row
        .map((c, k) => c.padEnd(widths[k]))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
  console.log(
    `Scenario detection over ${results.length} timelines: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}\n${table}`
  );
});

async function runScenario(c: Case): Promise<void> {
  const timeline = buildTimeline({
    seed: c.seed,
    convention: c.convention,
    days: c.days,
    scrapeIntervalSeconds: c.scrapeIntervalSeconds,
    include: c.include,
    instancePerProcess: c.instancePerProcess,
    gapMinutes: c.gapMinutes,
  });
  const { code, stderr, json, detections, seconds } = await backfillAndScan(timeline, work);
  expect(stderrBesidesInfos(stderr)).toBe('');
  expect(code).toBe(0);
  // A quantile in OpenTelemetry's +Inf bucket is "above the largest bucket (≥ 10 s)", never "10 s".
  if (c.convention === 'otel-stable' || c.convention === 'otel-legacy-ms') {
    for (const i of json!.insights) {
      expect(i.evidence.summary).not.toMatch(/\bp(95|99) 10 s\b/);
    }
  }
  const match = matchDetections(detections, timeline.truth, isInsightId);
  results.push({ c, timeline, match, seconds });
  if (c.cutOffAt) {
    const counts = json!.insights.filter((i) => i.id === 'task-runs-count-timeout');
    expect(counts.length).toBeGreaterThan(0);
    for (const i of counts) {
      console.log(`${c.name}: ${i.evidence.summary}`);
      expect(i.evidence.p99AtCutOff).toBe(true);
    }
  }
  if (c.exact) {
    const iso = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    expect(match.falsePositives.map((d) => `${d.id} ${iso(d.start)}–${iso(d.end)}`)).toEqual([]);
    expect(match.missed.map((t) => `${t.id} ${iso(t.start)}–${iso(t.end)}`)).toEqual([]);
  }
  if (c.outageEdges) {
    for (const t of timeline.truth.filter((x) => x.id === 'api-outage')) {
      const found = detections.filter(
        (d) => d.id === 'api-outage' && d.start <= t.end + 60_000 && d.end >= t.start - 60_000
      );
      const iso = (ms: number) => new Date(ms).toISOString().slice(11, 19);
      console.log(
        `${c.name}: api-outage injected ${iso(t.start)}–${iso(t.end)} (${JSON.stringify(t.params)}); detected ` +
          (found
            .map((d) => `${iso(d.start)}–${iso(d.end)} (${(d.start - t.start) / 1000} s / ${(d.end - t.end) / 1000} s)`)
            .join(', ') || 'nothing')
      );
      expect(found).toHaveLength(1);
      expect(Math.abs(found[0].start - t.start)).toBeLessThanOrEqual(60_000);
      expect(Math.abs(found[0].end - t.end)).toBeLessThanOrEqual(60_000);
    }
  }
}

describe('scenarios in a real Prometheus, scanned through the CLI path', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: every scenario backfilled and scanned',
    async (_name, c) => {
      await runScenario(c);
      const r = results[results.length - 1];
      // Every insight scenario of the timeline is present in the truth (the simulator laid them all out).
      expect(r.match.expected).toBeGreaterThan(0);
    },
    170_000
  );

  it('reaches precision and recall of at least 0.95 over all scenarios', () => {
    expect(results).toHaveLength(CASES.length);
    const { precision, recall } = precisionRecall(results.map((r) => r.match));
    const detail = results
      .flatMap(({ c, match }) => [
        ...match.missed.map((t) => `${c.name} seed ${c.seed}: missed ${t.id} ${new Date(t.start).toISOString()}`),
        ...match.falsePositives.map(
          (d) =>
            `${c.name} seed ${c.seed}: extra ${d.id} ${new Date(d.start).toISOString()}..${new Date(d.end).toISOString()}`
        ),
      ])
      .join('\n');
    const figures = `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`;
    if (precision < 0.95 || recall < 0.95) {
      throw new Error(`${figures} (need 0.95 each):\n${detail}`);
    }
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
