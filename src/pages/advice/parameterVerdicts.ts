// Holds the catalog's parameters against the insights detected in a time range: which detections implicate which
// setting. Pure data in, data out (the advice page renders it; tests run it in Node).
import type { ConfigurationParameter, Insight, InsightId } from '../../catalog/types';

export type { InsightStatusValue } from '../../insights/annotations';
import type { InsightStatusValue } from '../../insights/annotations';

/** What the data source reported for one insight in the range. */
export interface DetectedInsight {
  id: InsightId;
  status: InsightStatusValue;
  /** Number of episodes in the range. */
  episodes: number;
  /** unix ms of the last episode's end, if any */
  lastSeen?: number;
}

export interface Implication {
  id: InsightId;
  status: InsightStatusValue;
  episodes: number;
}

export interface ParameterVerdict {
  parameter: ConfigurationParameter;
  /** Every insight whose catalog entry names this parameter (whether or not it was detected). */
  candidates: InsightId[];
  /** The candidates that were detected in the range, firing ones first, then by episode count. */
  implicatedBy: Implication[];
}

export function insightsNaming(parameterName: string, insights: readonly Insight[]): InsightId[] {
  return insights.filter((i) => i.parameters.includes(parameterName)).map((i) => i.id);
}

function wasDetected(d: DetectedInsight | undefined): d is DetectedInsight {
  return d !== undefined && (d.status === 'firing' || d.status === 'seen' || d.episodes > 0);
}

export function judgeParameters(
  parameters: readonly ConfigurationParameter[],
  insights: readonly Insight[],
  detected: readonly DetectedInsight[]
): ParameterVerdict[] {
  const byId = new Map(detected.map((d) => [d.id, d]));
  return parameters.map((parameter) => {
    const candidates = insightsNaming(parameter.name, insights);
    const implicatedBy = candidates
      .map((id) => byId.get(id))
      .filter(wasDetected)
      .map((d) => ({ id: d.id, status: d.status, episodes: Math.max(d.episodes, 1) }))
      .sort((a, b) => Number(b.status === 'firing') - Number(a.status === 'firing') || b.episodes - a.episodes);
    return { parameter, candidates, implicatedBy };
  });
}

function describe(i: Implication): string {
  const seen = `seen ${i.episodes}×`;
  return i.status === 'firing' ? `${i.id} ${seen}, firing now` : `${i.id} ${seen}`;
}

/** One line for the page: "implicated by db-pool-exhaustion seen 2×" or "no evidence in range". */
export function verdictText(verdict: ParameterVerdict): string {
  if (verdict.implicatedBy.length === 0) {
    return 'no evidence in range';
  }
  return `implicated by ${verdict.implicatedBy.map(describe).join('; ')}`;
}
