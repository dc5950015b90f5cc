// `npm run sweep`: robustness across seeds, beyond the five fixed ones of tests/integration/scenarios.test.ts.
// For every seed × convention it backfills a one-day timeline with all scenarios and decoys into a real Prometheus,
// scans it through the CLI's own code path, and scores against the simulator's ground truth with the same matcher
// as the committed test. Not part of `npm run test:all`: it takes minutes, and it is for finding weak spots.
//
//   npx tsx tools/scenario-sweep.ts [--seeds 1-12] [--conventions prefect,otel-stable] [--parallel 2]
//                                   [--scrape 30] [--days 1]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isInsightId } from '../src/catalog/catalog';
import { matchDetections, precisionRecall, type MatchResult } from '../tests/integration/scenarioMatch';
import { backfillAndScan } from '../tests/integration/scenarioScan';
import { buildTimeline, type ConventionId } from './simulator';

const DEFAULT_CONVENTIONS: ConventionId[] = ['prefect', 'otel-stable', 'otel-legacy-ms', 'fastapi-instrumentator'];

interface Case {
  seed: number;
  convention: ConventionId;
}

interface Outcome extends Case {
  match: MatchResult;
  /** Insight ids of the timeline's truth, one per scenario. */
  truthIds: string[];
  /** Scenarios reported as more than one episode (right, but split where the contract wants one region). */
  splits: string[];
  seconds: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function parseSeeds(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) {
      throw new Error(`--seeds: expected e.g. 1-12 or 3,7,11, got ${spec}`);
    }
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, k) => a + k);
  });
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

async function runCase(c: Case, work: string, days: number, scrape: number): Promise<Outcome> {
  const timeline = buildTimeline({ seed: c.seed, convention: c.convention, days, scrapeIntervalSeconds: scrape });
  const started = Date.now();
  const { code, stderr, detections } = await backfillAndScan(timeline, work);
  if (code !== 0) {
    throw new Error(`exit ${code}: ${stderr.trim()}`);
  }
  const match = matchDetections(detections, timeline.truth, isInsightId);
  const truthIds = timeline.truth.map((t) => t.id).filter(isInsightId);
  const splits = timeline.truth
    .filter((t) => isInsightId(t.id))
    .map((t) => ({ t, n: matchDetections(detections, [t], isInsightId).truePositives }))
    .filter(({ n }) => n > 1)
    .map(({ t, n }) => `${t.id} ${iso(t.start)}..${iso(t.end)} as ${n} episodes`);
  return { ...c, match, truthIds, splits, seconds: (Date.now() - started) / 1000 };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows
    .map((r) =>
      r
        .map((cell, k) => cell.padEnd(widths[k]))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

function figures(label: string, results: MatchResult[]): string[] {
  const { precision, recall } = precisionRecall(results);
  const expected = results.reduce((n, r) => n + r.expected, 0);
  const detections = results.reduce((n, r) => n + r.detections, 0);
  const missed = results.reduce((n, r) => n + r.missed.length, 0);
  const extra = results.reduce((n, r) => n + r.falsePositives.length, 0);
  return [
    label,
    precision.toFixed(3),
    recall.toFixed(3),
    String(expected),
    String(detections),
    String(missed),
    String(extra),
  ];
}

/** Restricts a match to one insight id, for per-insight figures. */
function onlyInsight(m: MatchResult, id: string, truthCount: number): MatchResult {
  const fp = m.falsePositives.filter((d) => d.id === id);
  const missed = m.missed.filter((t) => t.id === id);
  return {
    truePositives: 0,
    falsePositives: fp,
    missed,
    detections: 0,
    expected: truthCount,
  };
}

async function main(): Promise<number> {
  const seeds = parseSeeds(arg('seeds') ?? '1-12');
  const conventions = (arg('conventions')?.split(',') ?? DEFAULT_CONVENTIONS) as ConventionId[];
  const parallel = Math.max(1, Number(arg('parallel') ?? 2));
  const scrape = Number(arg('scrape') ?? 30);
  const days = Number(arg('days') ?? 1);
  const cases: Case[] = seeds.flatMap((seed) => conventions.map((convention) => ({ seed, convention })));
  const work = mkdtempSync(join(tmpdir(), 'scenario-sweep-'));
  const outcomes: Outcome[] = [];
  const failures: string[] = [];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      try {
        const o = await runCase(c, work, days, scrape);
        outcomes.push(o);
        const note = [
          ...o.match.missed.map((t) => `missed ${t.id}`),
          ...o.splits.map((x) => `SPLIT seed ${o.seed} ${o.convention} ${x}`),
          ...o.match.falsePositives.map((d) => `extra ${d.id}`),
        ].join(', ');
        process.stderr.write(`seed ${c.seed} ${c.convention}: ${o.seconds.toFixed(0)} s ${note || 'ok'}\n`);
      } catch (e) {
        failures.push(`seed ${c.seed} ${c.convention}: ${e instanceof Error ? e.message : String(e)}`);
        process.stderr.write(`seed ${c.seed} ${c.convention}: FAILED\n`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  outcomes.sort((a, b) => a.seed - b.seed || a.convention.localeCompare(b.convention));
  const header = ['', 'precision', 'recall', 'expected', 'detections', 'missed', 'false'];
  const byConvention = conventions.map((conv) =>
    figures(
      conv,
      outcomes.filter((o) => o.convention === conv).map((o) => o.match)
    )
  );
  const all = figures(
    'all',
    outcomes.map((o) => o.match)
  );

  // Per insight: recall from its own truth entries, precision from detections of its id.
  const insightIds = [...new Set(outcomes.flatMap((o) => o.truthIds))].sort();
  const perInsight = insightIds.map((id) => {
    let expected = 0;
    let missed = 0;
    let extra = 0;
    let detections = 0;
    for (const o of outcomes) {
      const n = o.truthIds.filter((t) => t === id).length;
      const m = onlyInsight(o.match, id, n);
      expected += n;
      missed += m.missed.length;
      extra += m.falsePositives.length;
      // Each found truth entry is matched by at least one detection; true detections are those not counted false.
      detections += n - m.missed.length + m.falsePositives.length;
    }
    const recall = expected === 0 ? 1 : (expected - missed) / expected;
    const precision = detections === 0 ? 1 : (detections - extra) / detections;
    return [
      id,
      precision.toFixed(3),
      recall.toFixed(3),
      String(expected),
      String(detections),
      String(missed),
      String(extra),
    ];
  });

  const lines = outcomes.flatMap((o) => [
    ...o.match.missed.map(
      (t) => `MISS  seed ${o.seed} ${o.convention} ${t.id} ${iso(t.start)}..${iso(t.end)} ${JSON.stringify(t.params)}`
    ),
    ...o.splits.map((x) => `SPLIT seed ${o.seed} ${o.convention} ${x}`),
    ...o.match.falsePositives.map((d) => `FALSE seed ${o.seed} ${o.convention} ${d.id} ${iso(d.start)}..${iso(d.end)}`),
  ]);
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log(
    [
      `Sweep: ${outcomes.length} timelines (seeds ${seeds[0]}..${seeds[seeds.length - 1]}, ${days} day, ${scrape} s scrape) in ${minutes} min`,
      '',
      table([header, ...byConvention, all]),
      '',
      '(per insight; detections here counts one per found scenario plus false alarms)',
      table([header, ...perInsight]),
      '',
      lines.length ? lines.join('\n') : 'no misses, no false alarms',
      ...(failures.length ? ['', 'FAILED CASES', ...failures] : []),
    ].join('\n')
  );
  return failures.length > 0 ? 2 : lines.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  }
);
