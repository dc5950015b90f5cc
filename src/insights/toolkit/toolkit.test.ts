/** @jest-environment node */
import type { Episode } from '../types';
import { baselineAt, computeBaseline, historyMsAt } from './baseline';
import { clipRuns, episodeRuns, mergeRuns, runsOf } from './episodes';
import {
  canonicalRoute,
  isDatabaseBacked,
  isPolling,
  isReadHeavy,
  isReadWorkPool,
  isRunsPage,
  isSetState,
  isTaskCount,
} from './families';
import { figure, formatPercent, formatQuantile, formatSeconds, historyNote } from './format';
import { reachesThreshold } from './latency';
import { bridgePoints, bridgeUnknown, minPersistencePoints, windowedPersistencePoints } from './persistence';
import { prepareInput } from './series';
import { suppressExplained } from './suppression';
import { dailyMedians, findFallBack, fitGrowth, fitLine } from './trend';

const STEP = 15_000;

function mask(bits: string): Uint8Array {
  return Uint8Array.from(bits.split('').map((c) => (c === '1' ? 1 : 0)));
}

describe('baseline', () => {
  it('is the median of the previous 5-minute blocks, ignoring an outlier block', () => {
    const perBlock = 20; // 5 min at 15 s
    const blocks = [1, 1, 1, 50, 1, 1, 3];
    const series = new Float64Array(blocks.length * perBlock);
    blocks.forEach((v, b) => series.fill(v, b * perBlock, (b + 1) * perBlock));
    const base = computeBaseline(series, STEP);
    expect(base.blockSize).toBe(perBlock);
    expect(baselineAt(base, 0)).toBeNaN();
    expect(baselineAt(base, 6 * perBlock)).toBe(1);
    expect(historyMsAt(base, 6 * perBlock)).toBe(6 * 5 * 60_000);
  });

  it('forgets blocks older than 6 hours', () => {
    const perBlock = 20;
    const nBlocks = 72 + 40;
    const series = new Float64Array(nBlocks * perBlock).fill(1);
    series.fill(9, 0, 40 * perBlock); // the first 40 blocks were high
    const base = computeBaseline(series, STEP);
    expect(baselineAt(base, 50 * perBlock)).toBe(9); // 40 high of 50
    expect(baselineAt(base, (nBlocks - 1) * perBlock)).toBe(1); // all high blocks out of the window
    expect(base.history[nBlocks - 1]).toBe(72);
  });

  it('skips NaN, negative and infinite values', () => {
    const series = new Float64Array(60).fill(2);
    series[3] = NaN;
    series[4] = -5;
    series[5] = Infinity;
    series.fill(NaN, 20, 40);
    const base = computeBaseline(series, STEP);
    expect(base.blockValues[0]).toBe(2);
    expect(base.blockValues[1]).toBeNaN();
    expect(baselineAt(base, 45)).toBe(2);
    expect(base.history[2]).toBe(1);
  });
});

describe('persistence and episodes', () => {
  it('needs 3 points and 2 minutes at the grid step', () => {
    expect(minPersistencePoints(15_000)).toBe(9);
    expect(minPersistencePoints(60_000)).toBe(3);
    expect(minPersistencePoints(300_000)).toBe(3);
    expect(minPersistencePoints(5_000, 15_000)).toBe(25);
    // A windowed run adds the window's tail (window − two scrapes): a month's 5-minute step over a 15 s scrape has a
    // 315 s window (one point more). The 10-minute window of Thanos's 5-minute blocks: the run spans 2 minutes plus
    // its 570 s tail (3 steps, 4 points), never fewer points than the rule's window asks; a wider one asks more.
    expect(windowedPersistencePoints(300_000, 15_000)).toBe(4);
    expect(windowedPersistencePoints(300_000, 15_000, 315_000)).toBe(4);
    expect(windowedPersistencePoints(300_000, 15_000, 600_000)).toBe(4);
    expect(windowedPersistencePoints(300_000, 15_000, 1_200_000)).toBe(6);
    // A 2-hour window on a 1-hour grid: 2 minutes + 7,170 s → 3 steps, 4 points (the rule's 3,615 s window: 4).
    expect(windowedPersistencePoints(3_600_000, 15_000, 7_200_000)).toBe(4);
  });

  it('drops short runs, merges gaps under 5 minutes, clips to the range', () => {
    const m = mask('0111000000011100001111');
    expect(runsOf(m, 3)).toEqual([
      { start: 1, end: 3 },
      { start: 11, end: 13 },
      { start: 18, end: 21 },
    ]);
    // 7 missing points of 60 s = 7 min: not merged; 4 missing points = 4 min: merged
    expect(mergeRuns(runsOf(m, 3), 60_000)).toEqual([
      { start: 1, end: 3 },
      { start: 11, end: 21 },
    ]);
    expect(clipRuns([{ start: 1, end: 3 }], 2, 22)).toEqual([{ start: 2, end: 3 }]);
    expect(clipRuns([{ start: 1, end: 3 }], 4, 22)).toEqual([]);
  });

  it('bridges short stretches without data between holding points, never at the edges', () => {
    const unknown = mask('1100110011101111');
    expect(Array.from(bridgeUnknown(mask('0011001100010000'), unknown, 2)).join('')).toBe('0011111100010000');
    // 3 unknown points are more than 2: the run stays split. A stretch with one known, non-holding point too.
    expect(Array.from(bridgeUnknown(mask('1000100'), mask('0111011'), 2)).join('')).toBe('1000100');
    expect(Array.from(bridgeUnknown(mask('10010'), mask('01000'), 2)).join('')).toBe('10010');
    expect(bridgePoints(5_000)).toBe(12);
    expect(bridgePoints(60_000)).toBe(1);
    expect(bridgePoints(300_000)).toBe(1);
  });

  it('counts persistence over the look-back, then clips', () => {
    const m = mask('00111111111000');
    const grid = { start: 0, step: 60_000, length: m.length };
    expect(episodeRuns(m, grid, { minPoints: 3, rangeStartIndex: 8 })).toEqual([{ start: 8, end: 10 }]);
    expect(episodeRuns(mask('0000000011000'), grid, { minPoints: 3, rangeStartIndex: 0 })).toEqual([]);
  });
});

describe('route families', () => {
  it('matches with or without /api, methods and any variable name', () => {
    expect(canonicalRoute('POST /api/flow_runs/{flow_run_id}/set_state/')).toBe('flow_runs/{id}/set_state');
    expect(isSetState('/api/flow_runs/{id}/set_state')).toBe(true);
    expect(isSetState('/task_runs/{id}/set_state')).toBe(true);
    expect(isSetState('/flow_runs/bulk_set_state')).toBe(true);
    expect(isSetState('/flow_runs/{id}')).toBe(false);
    expect(isPolling('/work_queues/{id}/get_runs')).toBe(true);
    expect(isPolling('/api/work_pools/{name}/get_scheduled_flow_runs')).toBe(true);
    expect(isPolling('/work_pools/{name}/workers/heartbeat')).toBe(false);
    expect(isTaskCount('/api/ui/task_runs/dashboard/counts')).toBe(true);
    expect(isTaskCount('/flow_runs/count')).toBe(false);
    expect(isRunsPage('/flow_runs/paginate')).toBe(true);
    expect(isRunsPage('/task_runs/filter')).toBe(false);
    expect(isReadHeavy('/task_runs/filter')).toBe(true);
    expect(isReadHeavy('/ui/task_runs/dashboard/counts')).toBe(true);
    expect(isReadHeavy('/flow_runs/{id}')).toBe(false);
    expect(isDatabaseBacked('/api/health')).toBe(false);
    expect(isDatabaseBacked('/hello')).toBe(false);
    expect(isDatabaseBacked('/flow_runs/{id}')).toBe(true);
    expect(isReadWorkPool('/work_pools/{name}')).toBe(true);
    expect(isReadWorkPool('GET /api/work_pools/{work_pool_name}')).toBe(true);
    expect(isReadWorkPool('/api/work_pools/default-pool')).toBe(true);
    expect(isReadWorkPool('PATCH /work_pools/{name}')).toBe(false);
    expect(isReadWorkPool('/work_pools/filter')).toBe(false);
    expect(isReadWorkPool('/work_pools/{name}/get_scheduled_flow_runs')).toBe(false);
  });
});

describe('format', () => {
  it('writes evidence numbers and never reports the largest bucket as the value', () => {
    expect(formatSeconds(41.23)).toBe('41.2 s');
    expect(formatSeconds(0.45)).toBe('450 ms');
    expect(formatSeconds(NaN)).toBe('n/a');
    expect(formatPercent(0.123)).toBe('12 %');
    expect(formatPercent(0.004)).toBe('0.4 %');
    expect(formatPercent(NaN)).toBe('n/a');
    expect(formatQuantile(10, 10)).toBe('above the largest bucket (≥ 10 s)');
    expect(formatQuantile(9.5, 10)).toBe('9.5 s');
    expect(formatQuantile(12, null)).toBe('12 s');
    expect(formatQuantile(NaN, 10)).toBe('n/a');
    expect(figure(NaN)).toBeNull();
    expect(figure(1.23456, 2)).toBe(1.23);
    expect(historyNote(6)).toBe('');
    expect(historyNote(2.5)).toContain('2.5 h');
  });

  it('reads a quantile in +Inf as a floor that needs the mean behind it', () => {
    expect(reachesThreshold(12, 1, 10, 20)).toBe(true);
    expect(reachesThreshold(10, 1, 30, 10)).toBe(false);
    expect(reachesThreshold(10, 20, 30, 10)).toBe(true);
    expect(reachesThreshold(NaN, 100, 30, 10)).toBe(false);
  });
});

describe('trend', () => {
  it('fits a line and its goodness', () => {
    const fit = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.r2).toBeCloseTo(1);
    expect(fitLine([0, 1, NaN], [1, 2, 3]).n).toBe(2);
    expect(fitLine([1], [1]).slope).toBeNaN();
  });

  it('reads compound growth per day on a log scale', () => {
    const ys = [1, 1.2, 1.44, 1.728];
    expect(fitGrowth([0, 1, 2, 3], ys).growth).toBeCloseTo(0.2);
    const spike = fitGrowth([0, 1, 2, 3, 4], [1, 1, 1, 1, 5]);
    expect(spike.r2).toBeLessThan(0.8);
  });

  // The figures behind stale-statistics' MIN_R2 = 0.8 (its comment): what a steady climb and a level shift score.
  it('MIN_R2 0.8 lies between a steady 15 %/day climb and a one-time level shift', () => {
    const days = (n: number) => Array.from({ length: n }, (_, d) => d);
    // A climb of 15 %/day with ±5 % day-to-day scatter, the worst signs (up, down, up, …): 0.854 over 3 days, 0.899
    // over 4 (the minimum over every pattern of −5 %, 0, +5 %; the comment once said 0.94 for 3 days).
    const worst = [1.05, 0.95, 1.05, 0.95];
    const climb = (n: number) =>
      fitGrowth(
        days(n),
        days(n).map((d) => 1.15 ** d * worst[d])
      ).r2;
    expect(climb(3)).toBeCloseTo(0.854, 3);
    expect(climb(4)).toBeCloseTo(0.899, 3);
    // A level shift half-way (the level doubles on day n/2 and stays): exactly 0.8 over 4 days, at most 0.77 over 6
    // or more, falling toward 0.75.
    const shift = (n: number) =>
      fitGrowth(
        days(n),
        days(n).map((d) => (d < n / 2 ? 1 : 2))
      ).r2;
    expect(shift(4)).toBeCloseTo(0.8, 5);
    expect(shift(6)).toBeCloseTo(0.771, 3);
    for (const n of [8, 10, 20]) {
      expect(shift(n)).toBeLessThan(0.77);
      expect(shift(n)).toBeGreaterThan(0.75);
    }
  });

  it('takes daily medians with enough coverage only', () => {
    const blockMs = 300_000;
    const perDay = 288;
    const blocks = new Float64Array(perDay * 2 + 10).fill(1);
    blocks.fill(2, perDay, perDay * 2);
    blocks[5] = 100; // one spike does not move the day
    const d = dailyMedians(blocks, 0, blockMs);
    expect(Array.from(d.values.slice(0, 2))).toEqual([1, 2]);
    expect(d.values[2]).toBeNaN(); // 10 blocks are not a day
    expect(Array.from(d.firstBlock)).toEqual([0, perDay, perDay * 2]);
  });

  it('finds an abrupt fall back to the old level', () => {
    const blocks = new Float64Array(100);
    for (let k = 0; k < 60; k++) {
      blocks[k] = 1 + k * 0.05;
    }
    blocks.fill(1.05, 60);
    expect(findFallBack(blocks, 1, 1, 12)).toBe(60);
    const gradual = new Float64Array(100);
    for (let k = 0; k < 100; k++) {
      gradual[k] = 3 - k * 0.02;
    }
    expect(findFallBack(gradual, 1, 1, 12)).toBe(-1);
  });
});

describe('prepareInput', () => {
  it('pads short arrays with NaN and rejects unusable grids', () => {
    const short = new Float64Array([1]);
    const route = {
      route: '/x',
      p50: short,
      p95: short,
      p99: short,
      mean: short,
      rate: short,
      errorRate: short,
      slowShare: short,
      tailShare: short,
    };
    const input = {
      grid: { start: 0, step: 15_000, length: 3 },
      rangeStartIndex: 7,
      routes: [route],
      up: new Float64Array(0),
      largestBucket: null,
      scrapeIntervalMs: 15_000,
      settings: {} as never,
    };
    const prepared = prepareInput(input)!;
    expect(prepared.routes[0].p95.length).toBe(3);
    expect(prepared.routes[0].p95[2]).toBeNaN();
    expect(prepared.up.length).toBe(3);
    expect(prepared.rangeStartIndex).toBe(3);
    expect(prepareInput({ ...input, grid: { start: 0, step: 0, length: 3 } })).toBeNull();
    expect(prepareInput({ ...input, grid: { start: 0, step: 15_000, length: 0 } })).toBeNull();
  });
});

describe('suppressExplained', () => {
  const ep = (id: Episode['id'], start: number, end: number): Episode => ({
    id,
    severity: 'warning',
    title: id,
    start,
    end,
    routes: [],
    evidence: { summary: '' },
  });
  const MIN = 60_000;

  it('drops narrow insights inside a broad one, keeps others', () => {
    const pool = ep('db-pool-exhaustion', 10 * MIN, 40 * MIN);
    const page = ep('runs-page-slow', 11 * MIN, 39 * MIN);
    const overload = ep('api-overload-http-500', 10 * MIN, 40 * MIN);
    const agent = ep('http2-agent-stop', 12 * MIN, 30 * MIN);
    const later = ep('runs-page-slow', 100 * MIN, 130 * MIN);
    expect(suppressExplained([pool, page, overload, agent, later])).toEqual([pool, overload, agent, later]);
  });

  it('keeps a long narrow episode that a short broad one only touches', () => {
    const outage = ep('api-outage', 100 * MIN, 103 * MIN);
    const chronic = ep('task-runs-count-timeout', 0, 600 * MIN);
    const agent = ep('http2-agent-stop', 101 * MIN, 104 * MIN);
    expect(suppressExplained([outage, chronic, agent])).toEqual([outage, chronic]);
  });

  it('returns its input when nothing is broad', () => {
    const list = [ep('runs-page-slow', 0, MIN), ep('pending-deadlock', 0, MIN)];
    expect(suppressExplained(list)).toEqual(list);
    expect(suppressExplained([])).toEqual([]);
  });
});
