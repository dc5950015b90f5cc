// Detections against the simulator's ground truth: a detection is right when an injected scenario of the same id
// overlaps it in time; decoys and other services' incidents have no insight id, so anything on them is a false alarm.
import type { TruthEntry } from '../../tools/simulator';

export interface Detection {
  id: string;
  /** unix ms */
  start: number;
  end: number;
}

export interface MatchResult {
  truePositives: number;
  falsePositives: Detection[];
  missed: TruthEntry[];
  detections: number;
  expected: number;
}

/** Slack for "overlapping": one scrape of rounding at either edge of an episode. */
const SLACK_MS = 60_000;

function overlaps(d: Detection, t: TruthEntry): boolean {
  return d.start <= t.end + SLACK_MS && d.end >= (t.leadIn ?? t.start) - SLACK_MS;
}

export function matchDetections(detections: Detection[], truth: TruthEntry[], isInsight: (id: string) => boolean) {
  const expected = truth.filter((t) => isInsight(t.id));
  const falsePositives = detections.filter((d) => !expected.some((t) => t.id === d.id && overlaps(d, t)));
  const missed = expected.filter((t) => !detections.some((d) => d.id === t.id && overlaps(d, t)));
  return {
    truePositives: detections.length - falsePositives.length,
    falsePositives,
    missed,
    detections: detections.length,
    expected: expected.length,
  } satisfies MatchResult;
}

export function precisionRecall(results: MatchResult[]): { precision: number; recall: number } {
  const detections = results.reduce((n, r) => n + r.detections, 0);
  const tp = results.reduce((n, r) => n + r.truePositives, 0);
  const expected = results.reduce((n, r) => n + r.expected, 0);
  const found = results.reduce((n, r) => n + (r.expected - r.missed.length), 0);
  return { precision: detections === 0 ? 1 : tp / detections, recall: expected === 0 ? 1 : found / expected };
}
