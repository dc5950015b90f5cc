// From a per-point mask to episodes: persistence, gap merging, clipping to the requested range.
import type { DetectableInsightId } from '../../catalog/types';
import { getInsight } from '../../catalog/catalog';
import type { Episode, Evidence, Grid } from '../types';
import { MERGE_GAP_MS } from './thresholds';

/** Inclusive grid indices. */
export interface IndexRun {
  start: number;
  end: number;
}

/** Maximal runs of non-zero mask entries that have at least `minPoints` points. */
export function runsOf(mask: Uint8Array, minPoints = 1): IndexRun[] {
  const runs: IndexRun[] = [];
  const n = mask.length;
  let i = 0;
  while (i < n) {
    if (mask[i] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && mask[i] !== 0) {
      i++;
    }
    if (i - start >= minPoints) {
      runs.push({ start, end: i - 1 });
    }
  }
  return runs;
}

/** Joins runs separated by fewer than `gapMs` of not-holding points (the contract's "gaps under 5 min"). */
export function mergeRuns(runs: IndexRun[], stepMs: number, gapMs = MERGE_GAP_MS): IndexRun[] {
  const merged: IndexRun[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && (run.start - last.end - 1) * stepMs < gapMs) {
      last.end = Math.max(last.end, run.end);
    } else {
      merged.push({ start: run.start, end: run.end });
    }
  }
  return merged;
}

/** Points before `rangeStartIndex` are look-back only: an episode may start there but is reported from the range. */
export function clipRuns(runs: IndexRun[], rangeStartIndex: number, length: number): IndexRun[] {
  const from = Math.max(0, rangeStartIndex);
  const out: IndexRun[] = [];
  for (const run of runs) {
    const start = Math.max(run.start, from);
    const end = Math.min(run.end, length - 1);
    if (start <= end) {
      out.push({ start, end });
    }
  }
  return out;
}

export interface EpisodeRunOptions {
  minPoints: number;
  rangeStartIndex: number;
  gapMs?: number;
}

/** Persistence over the whole grid (look-back included), then merging, then clipping. */
export function episodeRuns(mask: Uint8Array, grid: Grid, opts: EpisodeRunOptions): IndexRun[] {
  const runs = runsOf(mask, opts.minPoints);
  return clipRuns(mergeRuns(runs, grid.step, opts.gapMs), opts.rangeStartIndex, Math.min(grid.length, mask.length));
}

export function timeAt(grid: Grid, index: number): number {
  return grid.start + index * grid.step;
}

export function makeEpisode(
  id: DetectableInsightId,
  grid: Grid,
  run: IndexRun,
  routes: string[],
  evidence: Evidence
): Episode {
  const insight = getInsight(id);
  return {
    id,
    severity: insight.severity,
    title: insight.title,
    start: timeAt(grid, run.start),
    end: timeAt(grid, run.end),
    routes: [...routes].sort(),
    evidence,
  };
}
