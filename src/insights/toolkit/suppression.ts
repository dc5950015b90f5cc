// "The broad one wins": while db-pool-exhaustion or api-outage is detected, the route-family insights it explains
// are not reported again. Pure: the engine passes every detector's episodes through it.
import type { DetectableInsightId } from '../../catalog/types';
import type { Episode } from '../types';
import { MERGE_GAP_MS } from './thresholds';

/** Which narrow insights each broad one explains. */
export const EXPLAINED_BY: Readonly<Partial<Record<DetectableInsightId, readonly DetectableInsightId[]>>> = {
  // An exhausted pool makes every database-backed family slow, set_state included.
  'db-pool-exhaustion': ['task-runs-count-timeout', 'runs-page-slow', 'read-work-pool-hang', 'pending-deadlock'],
  // A server that does not answer also stops polling and leaves slow edges around the restart.
  'api-outage': [
    'task-runs-count-timeout',
    'runs-page-slow',
    'read-work-pool-hang',
    'pending-deadlock',
    'http2-agent-stop',
  ],
};

/** A narrow episode is explained when at least this share of it lies inside a broad one (padded by the merge gap). */
export const EXPLAINED_SHARE = 0.5;

export function suppressExplained(episodes: Episode[]): Episode[] {
  // One replica down explains nothing about latency: the others answered every route.
  const broad = episodes.filter((e) => EXPLAINED_BY[e.id] !== undefined && e.evidence.scope !== 'replica');
  if (broad.length === 0) {
    return episodes.slice();
  }
  return episodes.filter((e) => {
    const covering = broad.filter((b) => b !== e && EXPLAINED_BY[b.id]!.includes(e.id));
    return covering.length === 0 || coveredShare(e, covering) < EXPLAINED_SHARE;
  });
}

function coveredShare(e: Episode, covering: Episode[]): number {
  const intervals = covering
    .map((b) => [Math.max(e.start, b.start - MERGE_GAP_MS), Math.min(e.end, b.end + MERGE_GAP_MS)] as const)
    .filter(([s, t]) => s <= t)
    .sort((x, y) => x[0] - y[0]);
  if (intervals.length === 0) {
    return 0;
  }
  const length = e.end - e.start;
  if (length <= 0) {
    return 1;
  }
  let covered = 0;
  let curS = intervals[0][0];
  let curE = intervals[0][1];
  for (const [s, t] of intervals.slice(1)) {
    if (s > curE) {
      covered += curE - curS;
      curS = s;
      curE = t;
    } else {
      curE = Math.max(curE, t);
    }
  }
  covered += curE - curS;
  return covered / length;
}
