// Query resolution. Prometheus refuses more than 11,000 points per series, and detectors decide at scrape
// resolution, so the step is as fine as the range allows and never finer than the data.

const NICE_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const DAY = 86400;

/** Scrape interval assumed when neither the settings nor the data tell: the one in Prometheus' example configuration. */
export const DEFAULT_SCRAPE_SECONDS = 15;

export interface StepOptions {
  minStepSeconds?: number;
  /** Prometheus's limit is 11,000 points per series. */
  maxPoints?: number;
  scrapeIntervalSeconds?: number;
}

/**
 * The smallest "nice" step such that range/step + 1 ≤ maxPoints and step ≥ minStep and ≥ the scrape interval.
 * When the scrape interval alone is the binding floor it is returned as it is (a 20 s scrape gives 20 s, not
 * 30 s), because scrape resolution is what the persistence rules are stated in.
 */
export function chooseStep(rangeSeconds: number, opts: StepOptions = {}): number {
  const maxPoints = Math.max(2, opts.maxPoints ?? 11000);
  const need = Math.max(0, rangeSeconds) / (maxPoints - 1);
  const minStep = opts.minStepSeconds ?? 0;
  const scrape = opts.scrapeIntervalSeconds ?? 0;
  const floor = Math.max(minStep, scrape, need);
  if (scrape > 0 && scrape === floor) {
    return scrape;
  }
  const nice = NICE_STEPS.find((s) => s >= floor);
  return nice ?? Math.ceil(floor / DAY) * DAY;
}

/**
 * The rate window for a step: at least three scrapes, so that one missed or late scrape still leaves the two
 * samples `rate` needs, and at least step + one scrape, so that no increase falls between two windows. It stays
 * near the scrape interval because a wide window smears one slow scrape over many points. Prometheus 3's range
 * selectors are left-open (a sample exactly at the window's start is out), so a window of three scrapes holds
 * three samples there, where 2.x also counts the fourth at the start edge; three is the count relied on.
 */
export function rateWindow(stepSeconds: number, scrapeIntervalSeconds: number): number {
  const scrape = scrapeIntervalSeconds > 0 ? scrapeIntervalSeconds : 15;
  return Math.ceil(Math.max(3 * scrape, stepSeconds + scrape));
}

/** A PromQL duration for whole seconds: 45 -> `45s`, 120 -> `2m`, 5400 -> `1h30m`. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(1, Math.ceil(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', DAY],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
