// One replica of several not answering while the others serve. Counted, not compared by name: a replica that
// restarts under a new `service.instance.id` (OpenTelemetry's SDK draws one per process) leaves an instance that
// never comes back, yet the number of serving replicas recovers at once, so it is not a replica down.
import type { ScanInput, TargetSeries } from '../types';
import { computeBaseline } from './baseline';
import { mergeRuns, runsOf, type IndexRun } from './episodes';
import { minPersistencePoints } from './persistence';
import { zeroRateLagPoints } from './rateLag';

const SERVING = 0;
const UP_ZERO = 1;
const FROZEN = 2;
const GONE = 3;

export type ReplicaDownHow = 'up' | 'frozen' | 'gone';

export interface ReplicaOutage {
  run: IndexRun;
  instance: string;
  how: ReplicaDownHow;
  /** Replicas that usually serve (the baseline of the serving count). */
  replicas: number;
  /** Fewest replicas serving during the run. */
  serving: number;
  /** Mean requests per second the serving replicas answered during the run. */
  othersRate: number;
  /** The failing replica's own request rate just before the run. */
  ownRateBefore: number;
}

/** Per point: serving, `up` 0, counters frozen (rate 0 while up or unknown), or no series at all. */
function statesOf(t: TargetSeries, n: number, lag: number): Uint8Array {
  const st = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const up = t.up[i];
    const r = t.rate[i];
    st[i] = up >= 0 && up < 0.5 ? UP_ZERO : r > 0 ? SERVING : r === 0 ? FROZEN : GONE;
  }
  // A frozen or vanished series keeps its last increases in the rate window for `lag` points: it stopped then.
  for (let i = 1; i < n; i++) {
    if ((st[i] === FROZEN || st[i] === GONE) && st[i - 1] === SERVING) {
      for (let k = i - 1; k >= Math.max(0, i - lag) && st[k] === SERVING; k--) {
        st[k] = st[i];
      }
    }
  }
  return st;
}

function medianBefore(a: Float64Array, end: number, points: number): number {
  const vals: number[] = [];
  for (let i = Math.max(0, end - points); i < end; i++) {
    if (a[i] >= 0 && a[i] < Infinity) {
      vals.push(a[i]);
    }
  }
  vals.sort((x, y) => x - y);
  return vals.length === 0 ? NaN : vals[(vals.length - 1) >> 1];
}

/**
 * Stretches where fewer replicas serve than usually do, at least one still serving (none serving is the whole
 * service's outage), each pinned on the replica that stopped when the stretch began.
 */
export function replicaOutages(input: ScanInput): ReplicaOutage[] {
  const targets = input.targets ?? [];
  if (targets.length < 2) {
    return [];
  }
  const { grid } = input;
  const n = grid.length;
  const lag = zeroRateLagPoints(grid.step, input.scrapeIntervalMs, input.rateWindowMs);
  const states = targets.map((t) => statesOf(t, n, lag));
  const count = new Float64Array(n);
  const servingRate = new Float64Array(n);
  for (let k = 0; k < targets.length; k++) {
    for (let i = 0; i < n; i++) {
      if (states[k][i] === SERVING) {
        count[i]++;
        servingRate[i] += targets[k].rate[i];
      }
    }
  }
  // The usual number of serving replicas: the baseline (6 h median of 5-minute blocks) of the count.
  const base = computeBaseline(count, grid.step);
  const missing = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const usual = base.medians[(i / base.blockSize) | 0];
    missing[i] = count[i] >= 1 && usual - count[i] >= 0.5 ? 1 : 0;
  }
  const minPoints = minPersistencePoints(grid.step, input.scrapeIntervalMs);
  const out: ReplicaOutage[] = [];
  targets.forEach((t, k) => {
    const st = states[k];
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      mask[i] = st[i] !== SERVING && missing[i] ? 1 : 0;
    }
    // Only a stretch that begins where this replica stopped is its own: an instance gone for good after a restart
    // is not to blame for another replica's outage hours later.
    const own = runsOf(mask, minPoints).filter((r) => r.start > 0 && st[r.start - 1] === SERVING);
    for (const run of mergeRuns(own, grid.step)) {
      let how: ReplicaDownHow = 'gone';
      let serving = Infinity;
      let rateSum = 0;
      for (let i = run.start; i <= run.end; i++) {
        if (st[i] === UP_ZERO) {
          how = 'up';
        } else if (st[i] === FROZEN && how === 'gone') {
          how = 'frozen';
        }
        serving = Math.min(serving, count[i]);
        rateSum += servingRate[i];
      }
      out.push({
        run,
        instance: t.instance,
        how,
        replicas: Math.round(base.medians[(run.start / base.blockSize) | 0]),
        serving: Number.isFinite(serving) ? serving : 0,
        othersRate: rateSum / (run.end - run.start + 1),
        ownRateBefore: medianBefore(t.rate, run.start, Math.max(3, lag + 3)),
      });
    }
  });
  return out.sort((a, b) => a.run.start - b.run.start);
}
