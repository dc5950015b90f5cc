// A growth size (routes × replicas × days) and the data it stands for: one definition for the growth table
// (growth.ts) and the browser memory run (browser/), so that a size means the same samples in both.
import { buildTimeline, type Timeline } from '../tools/simulator';

export interface GrowthSize {
  routes: number;
  replicas: number;
  days: number;
}

/** Scrape interval of every growth size. */
export const GROWTH_SCRAPE_SECONDS = 15;

/** `50x2x7` (or `50×2×7`) → the size; a clear error for anything else, naming `source` (the variable read). */
export function parseGrowthSize(text: string, source: string): GrowthSize {
  const [routes, replicas, days] = text.trim().split(/[x×]/).map(Number);
  if (![routes, replicas, days].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${source}: "${text}" is not routes x replicas x days (e.g. 10x1x1)`);
  }
  return { routes, replicas, days };
}

/** The simulator timeline of a size: seed 9 at the growth scrape interval. */
export function growthTimeline({ routes, replicas, days }: GrowthSize): Timeline {
  return buildTimeline({
    seed: 9,
    days,
    scrapeIntervalSeconds: GROWTH_SCRAPE_SECONDS,
    routeCount: routes,
    replicas,
  });
}
