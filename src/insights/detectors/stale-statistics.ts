// Planner statistics go stale on growing tables: the read-heavy routes get a little slower every day, until an
// ANALYZE brings them back down at once.
import { baselineOf } from '../toolkit/baseline';
import { clipRuns, makeEpisode, type IndexRun } from '../toolkit/episodes';
import { isReadHeavy } from '../toolkit/families';
import { figure, formatPercent, formatSeconds } from '../toolkit/format';
import { dailyMedians, findFallBack, fitGrowth, type GrowthFit } from '../toolkit/trend';
import type { Detector, Episode, RouteSeries, ScanInput } from '../types';
import { prepareInput } from '../toolkit/series';

export const MIN_GROWTH_PER_DAY = 0.15;
/**
 * The daily medians must follow the fitted exponential closely (R² of the log-linear fit). A steady climb of 15 %/day
 * with the scatter of a route's daily median (about ±5 %) scores at least 0.85 over three days, 0.90 over four and
 * 0.94 over five, whatever the signs of the scatter; a level shift half-way through six days or more scores at most
 * 0.77, and over four days exactly 0.8, where MIN_RISING_STEPS (one rising step of three) rejects it. One bad day
 * between good ones fits no growth at all. (toolkit.test.ts computes these figures.)
 */
const MIN_R2 = 0.8;
/** At least this share of day-over-day steps must go up: a steady climb, not one spike. */
const MIN_RISING_STEPS = 2 / 3;
export const MIN_SPAN_DAYS = 2;
/** A day-over-day step counts as rising only above noise: a third of the minimum daily growth. */
const MEANINGFUL_STEP = MIN_GROWTH_PER_DAY / 3;
const DAY_MS = 86_400_000;
/** A partial day is biased by the daily load cycle (a night-only day looks fast): only nearly full days count. */
const MIN_DAY_COVERAGE = 0.9;

interface Climb {
  route: RouteSeries;
  aggregate: 'p95' | 'mean';
  run: IndexRun;
  fit: GrowthFit;
  days: number;
  first: number;
  last: number;
  fellBack: boolean;
}

export const staleStatistics: Detector = {
  id: 'stale-statistics',
  detect(raw: ScanInput): Episode[] {
    const input = prepareInput(raw);
    if (!input) {
      return [];
    }
    const { grid } = input;
    const climbs: Climb[] = [];
    for (const route of input.routes.filter((r) => isReadHeavy(r.route))) {
      const found = findClimbs(route, 'p95', input);
      // A p95 stuck in the +Inf bucket cannot show a trend; the exact mean can.
      climbs.push(...(found.length > 0 ? found : findClimbs(route, 'mean', input)));
    }
    return combine(climbs).flatMap(({ run, members }) =>
      clipRuns([run], input.rangeStartIndex, grid.length).map((clipped) => {
        const best = members.reduce((a, b) => (b.fit.growth > a.fit.growth ? b : a));
        const summary =
          `daily ${best.aggregate} of ${members.length} read-heavy route(s) climbed ` +
          `${formatPercent(best.fit.growth)} a day over ${best.days} days (R² ${figure(best.fit.r2, 2)}), ` +
          `${formatSeconds(best.first)} → ${formatSeconds(best.last)}` +
          (best.fellBack ? '; fell back abruptly (statistics refreshed)' : '');
        return makeEpisode(
          'stale-statistics',
          grid,
          clipped,
          members.map((m) => m.route.route),
          {
            summary,
            aggregate: best.aggregate,
            growthPerDay: figure(best.fit.growth, 4),
            r2: figure(best.fit.r2, 3),
            days: best.days,
            firstDaySeconds: figure(best.first),
            lastDaySeconds: figure(best.last),
            fellBack: best.fellBack,
          }
        );
      })
    );
  },
};

function findClimbs(route: RouteSeries, aggregate: 'p95' | 'mean', input: ScanInput): Climb[] {
  const { grid } = input;
  const base = baselineOf(route[aggregate], grid);
  const daily = dailyMedians(base.blockValues, grid.start, base.blockMs, MIN_DAY_COVERAGE, DAY_MS);
  const idx: number[] = [];
  for (let d = 0; d < daily.values.length; d++) {
    if (daily.values[d] > 0) {
      idx.push(d);
    }
  }
  const climbs: Climb[] = [];
  const blocksPerHour = Math.max(1, Math.round(3_600_000 / base.blockMs));
  let a = 0;
  while (a < idx.length) {
    let best = -1;
    let bestFit: GrowthFit | null = null;
    for (let b = a + 2; b < idx.length; b++) {
      const xs = idx.slice(a, b + 1).map((d) => daily.days[d]);
      const ys = idx.slice(a, b + 1).map((d) => daily.values[d]);
      const fit = qualifies(xs, ys);
      if (fit) {
        best = b;
        bestFit = fit;
      }
    }
    if (best < 0 || !bestFit) {
      a++;
      continue;
    }
    // Leading flat days fit too when the climb is steep; the episode starts at the last of them (the old level).
    while (best - a >= 3 && !(daily.values[idx[a + 1]] >= daily.values[idx[a]] * (1 + MEANINGFUL_STEP))) {
      const xs = idx.slice(a + 1, best + 1).map((d) => daily.days[d]);
      const fit = qualifies(
        xs,
        idx.slice(a + 1, best + 1).map((d) => daily.values[d])
      );
      if (!fit) {
        break;
      }
      a++;
      bestFit = fit;
    }
    const firstDay = idx[a];
    const lastDay = idx[best];
    const startBlock = daily.firstBlock[firstDay];
    const old = daily.values[firstDay];
    const fall = findFallBack(base.blockValues, daily.firstBlock[Math.min(firstDay + 1, lastDay)], old, blocksPerHour);
    const lastBlock = fall > 0 ? fall - 1 : (daily.firstBlock[lastDay + 1] ?? base.blockValues.length) - 1;
    const run = {
      start: startBlock * base.blockSize,
      end: Math.min(grid.length - 1, (lastBlock + 1) * base.blockSize - 1),
    };
    // One bad day straddling midnight looks like a two-day climb in daily medians; the raised level itself must
    // last the contract's two days.
    let firstRaised = firstDay;
    for (let j = a; j <= best && !(daily.values[idx[j]] >= old * (1 + MIN_GROWTH_PER_DAY)); j++) {
      firstRaised = idx[Math.min(j + 1, best)];
    }
    const endMs = grid.start + run.end * grid.step;
    if (endMs - daily.days[firstRaised] * DAY_MS < MIN_SPAN_DAYS * DAY_MS) {
      a++;
      continue;
    }
    climbs.push({
      route,
      aggregate,
      run,
      fit: bestFit,
      days: daily.days[lastDay] - daily.days[firstDay],
      first: old,
      last: daily.values[lastDay],
      fellBack: fall > 0,
    });
    // Continue after the episode: after a fall-back a new climb may start.
    const endDay = fall > 0 ? dayOfBlock(daily.firstBlock, fall) : lastDay;
    let next = a + 1;
    while (next < idx.length && idx[next] <= endDay) {
      next++;
    }
    a = next;
  }
  return climbs;
}

function qualifies(xs: number[], ys: number[]): GrowthFit | null {
  if (xs.length < 3 || xs[xs.length - 1] - xs[0] < MIN_SPAN_DAYS) {
    return null;
  }
  const fit = fitGrowth(xs, ys);
  let rising = 0;
  for (let j = 1; j < ys.length; j++) {
    rising += ys[j] >= ys[j - 1] * (1 + MEANINGFUL_STEP) ? 1 : 0;
  }
  const steady = rising >= MIN_RISING_STEPS * (ys.length - 1);
  return fit.growth >= MIN_GROWTH_PER_DAY && fit.r2 >= MIN_R2 && steady ? fit : null;
}

function dayOfBlock(firstBlock: Int32Array, block: number): number {
  let d = 0;
  while (d + 1 < firstBlock.length && firstBlock[d + 1] <= block) {
    d++;
  }
  return d;
}

function combine(climbs: Climb[]): Array<{ run: IndexRun; members: Climb[] }> {
  const sorted = [...climbs].sort((x, y) => x.run.start - y.run.start);
  const groups: Array<{ run: IndexRun; members: Climb[] }> = [];
  for (const c of sorted) {
    const last = groups[groups.length - 1];
    if (last && c.run.start <= last.run.end) {
      last.run = { start: last.run.start, end: Math.max(last.run.end, c.run.end) };
      last.members.push(c);
    } else {
      groups.push({ run: { ...c.run }, members: [c] });
    }
  }
  return groups;
}
