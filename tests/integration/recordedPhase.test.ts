/** @jest-environment node */
// The scan's read of the long-range recordings at every phase a rule group's evaluations can have, in the real
// engines: Prometheus 2.42 and VictoriaMetrics here, Prometheus 3 in the prom3 suite (which leaves VictoriaMetrics
// to this one, as it does its own files). Prometheus offsets each group's evaluations by a hash of its
// name and file, to the nanosecond, so the phase differs between two servers and between two runs of promtool's
// rule backfill; vmalert aligns them to the interval (phase 0). A read that fits only some phases loses the whole
// recording on the others: `avg_over_time(…[step − 1 s])` held no evaluation at a phase under a second, which
// is how longRange.test.ts failed in CI once in many runs (its rule files live in a fresh temp dir, so a new phase
// each run). Here every phase is written on purpose, through promtool's OpenMetrics backfill, one route per phase.
import { metricForConvention } from '../../src/rules/offline';
import { RECORDED_LONG, recordedQueries } from '../../src/prometheus/recorded';
import { promQuery } from '../harness/prometheus';
import { backfilledEngines, type BackfilledEngine } from './backfilledEngines';

jest.setTimeout(120_000);

const INTERVAL = 60;
// A whole hour, so that the grid (multiples of the step, as the scan's) starts on an evaluation of phase 0.
const BASE = 1_764_000_000;
const EVALUATIONS = 40;
// Milliseconds after each interval boundary: the edges of both window rules (closed in 2.x, left-open in 3.x) and
// of the old one-second-short window, and a few in between.
const PHASES_MS = [0, 1, 2, 500, 999, 1000, 1001, 30_000, 58_999, 59_000, 59_999];

const metric = metricForConvention('prefect');
const route = metric.labels.route;
/** Evaluation k of every phase records the value k, so a read names the evaluations it saw. */
function openMetrics(): string {
  const lines = [`# TYPE ${RECORDED_LONG.countRate} gauge`];
  for (let k = 0; k < EVALUATIONS; k++) {
    for (const phase of PHASES_MS) {
      const ts = ((BASE + k * INTERVAL) * 1000 + phase) / 1000;
      lines.push(`${RECORDED_LONG.countRate}{${route}="phase_${phase}"} ${k} ${ts.toFixed(3)}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

/**
 * Its window rule: Prometheus 2.x's range selectors include the window's start, 3.x's and VictoriaMetrics' leave it
 * out (measured here: VictoriaMetrics answers as 3.x does at every phase).
 */
const includesStart = (engine: BackfilledEngine) => engine.kind === 'prometheus2';

const ENGINES = backfilledEngines(openMetrics);

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

/** The answer per phase: grid time (s) → value. */
async function read(engine: BackfilledEngine, expr: string, step: number): Promise<Map<number, Map<number, number>>> {
  const start = BASE + 4 * INTERVAL;
  const end = BASE + (EVALUATIONS - 2) * INTERVAL;
  const result = await promQuery<Matrix>(engine.url, expr, { start, end, step });
  const byPhase = new Map<number, Map<number, number>>();
  for (const s of result) {
    const phase = Number(s.metric[route].replace('phase_', ''));
    byPhase.set(phase, new Map(s.values.map(([t, v]) => [t, Number(v)])));
  }
  return byPhase;
}

/** Grid times of a range read at `step`. */
function grid(step: number): number[] {
  const out: number[] = [];
  for (let t = BASE + 4 * INTERVAL; t <= BASE + (EVALUATIONS - 2) * INTERVAL; t += step) {
    out.push(t);
  }
  return out;
}

/** The evaluations (their values k) a window of `windowMs` ending at `t` holds, by the engine's own rule. */
function inWindow(t: number, windowMs: number, phase: number, includesStart: boolean): number[] {
  const endMs = t * 1000;
  const startMs = endMs - windowMs;
  const ks: number[] = [];
  for (let k = 0; k < EVALUATIONS; k++) {
    const at = (BASE + k * INTERVAL) * 1000 + phase;
    if (at <= endMs && (includesStart ? at >= startMs : at > startMs)) {
      ks.push(k);
    }
  }
  return ks;
}

describe.each(ENGINES)('the recordings read at every evaluation phase, in $name', ({ start }) => {
  let engine: BackfilledEngine;

  beforeAll(async () => {
    engine = await start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('reads the one evaluation at or before each grid point when the step is the interval', async () => {
    const answer = await read(
      engine,
      recordedQueries(metric, { stepSeconds: INTERVAL, intervalSeconds: INTERVAL }).rate(),
      INTERVAL
    );
    expect([...answer.keys()].sort((a, b) => a - b)).toEqual(PHASES_MS);
    for (const phase of PHASES_MS) {
      const got = answer.get(phase)!;
      for (const t of grid(INTERVAL)) {
        // The last evaluation at or before t: t's own at phase 0, the one a phase before the previous boundary else.
        const k = (t - BASE) / INTERVAL - (phase === 0 ? 0 : 1);
        expect([phase, t, got.get(t)]).toEqual([phase, t, k]);
      }
    }
  });

  it("averages a coarser step's evaluations, never none of them", async () => {
    const step = 2 * INTERVAL;
    const answer = await read(
      engine,
      recordedQueries(metric, { stepSeconds: step, intervalSeconds: INTERVAL }).rate(),
      step
    );
    for (const phase of PHASES_MS) {
      const got = answer.get(phase)!;
      for (const t of grid(step)) {
        const ks = inWindow(t, step * 1000 - 1, phase, includesStart(engine));
        // Both of the step's evaluations, but for one phase on an engine whose window leaves out its start (3.x,
        // VictoriaMetrics) at exactly 1 ms, where the earlier one sits on the excluded start (recorded.ts says so).
        expect(ks.length).toBe(!includesStart(engine) && phase === 1 ? 1 : 2);
        expect([phase, t, got.get(t)]).toEqual([phase, t, ks.reduce((a, b) => a + b, 0) / ks.length]);
      }
    }
  });

  it('is where the old one-second-short window read nothing (the fault this file guards)', async () => {
    const old = await read(engine, `avg_over_time(${RECORDED_LONG.countRate}[59s])`, INTERVAL);
    // Phases under a second fall in the second that window leaves out: no point at all on either engine.
    for (const phase of [1, 2, 500, 999]) {
      expect([phase, old.get(phase)?.size ?? 0]).toEqual([phase, 0]);
    }
    expect(old.get(30_000)?.size).toBe(grid(INTERVAL).length);
  });
});
