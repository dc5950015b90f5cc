// The shape shared by the route-family latency insights: the family's p95 reaches a settings threshold while most
// other routes stay near their baseline.
import type { DetectableInsightId } from '../../catalog/types';
import type { Episode, ScanInput } from '../types';
import { episodeRuns, makeEpisode } from './episodes';
import { figure, formatQuantile, formatSeconds, historyNote, isAboveLargestBucket } from './format';
import { baselineHoursAt, nearMask, NEAR_YES, NEAR_UNKNOWN, othersMostlyNear, reachesThreshold } from './latency';
import { minPersistencePoints } from './persistence';
import { maxOver, nanMax, prepareInput } from './series';

export interface FamilySlowSpec {
  id: DetectableInsightId;
  /** Human name of the family for the summary ("task_runs/count routes"). */
  familyName: string;
  isMember(route: string): boolean;
  /** Threshold in seconds from the settings, and its name for the evidence. */
  threshold(input: ScanInput): number;
  thresholdName: string;
}

export function detectFamilySlow(raw: ScanInput, spec: FamilySlowSpec): Episode[] {
  const input = prepareInput(raw);
  if (!input) {
    return [];
  }
  const { grid, routes, largestBucket } = input;
  const threshold = spec.threshold(input);
  const isMember = routes.map((r) => spec.isMember(r.route));
  if (!(threshold > 0) || !isMember.includes(true)) {
    return [];
  }
  const n = grid.length;
  const masks = routes.map((r) => nearMask(r.p95, grid));
  const members = routes.filter((_, k) => isMember[k]);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let slow = false;
    for (const r of members) {
      if (reachesThreshold(r.p95[i], r.mean[i], threshold, largestBucket)) {
        slow = true;
        break;
      }
    }
    if (slow && othersMostlyNear(masks, isMember, i)) {
      mask[i] = 1;
    }
  }
  const runs = episodeRuns(mask, grid, {
    minPoints: minPersistencePoints(grid.step, input.scrapeIntervalMs),
    rangeStartIndex: input.rangeStartIndex,
  });
  return runs.map((run) => {
    const involved = members.filter((r) => {
      for (let i = run.start; i <= run.end; i++) {
        if (mask[i] && reachesThreshold(r.p95[i], r.mean[i], threshold, largestBucket)) {
          return true;
        }
      }
      return false;
    });
    let p95Max = NaN;
    let meanMax = NaN;
    let history = Infinity;
    for (const r of involved) {
      p95Max = nanMax(p95Max, maxOver(r.p95, run.start, run.end));
      meanMax = nanMax(meanMax, maxOver(r.mean, run.start, run.end));
      history = Math.min(history, baselineHoursAt(r, grid, run.start));
    }
    let known = 0;
    let near = 0;
    for (let k = 0; k < routes.length; k++) {
      if (!isMember[k]) {
        const m = masks[k][run.start];
        known += m !== NEAR_UNKNOWN ? 1 : 0;
        near += m === NEAR_YES ? 1 : 0;
      }
    }
    const summary =
      `p95 ${formatQuantile(p95Max, largestBucket)} on ${involved.length} ${spec.familyName} ` +
      `(≥ ${spec.thresholdName} ${formatSeconds(threshold)}); mean ${formatSeconds(meanMax)}; ` +
      `${near} of ${known} other routes near baseline` +
      historyNote(history);
    return makeEpisode(
      spec.id,
      grid,
      run,
      involved.map((r) => r.route),
      {
        summary,
        p95MaxSeconds: figure(p95Max),
        p95AboveLargestBucket: isAboveLargestBucket(p95Max, largestBucket),
        meanMaxSeconds: figure(meanMax),
        thresholdSeconds: threshold,
        thresholdName: spec.thresholdName,
        otherRoutesNear: near,
        otherRoutesKnown: known,
        baselineHours: figure(history, 2),
      }
    );
  });
}
