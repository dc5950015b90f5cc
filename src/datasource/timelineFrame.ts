// Insight state over time as one wide frame (a time field, one field per insight) for Grafana's state-timeline
// panel: at each grid point, the severity of the episode covering it, or "clear".
import { FieldType, MappingType, type DataFrame, type ValueMapping } from '@grafana/data';
import { DETECTABLE_INSIGHT_IDS, getInsight } from '../catalog/catalog';
import { SEVERITY_RANK, type Severity } from '../catalog/types';
import type { Episode } from '../insights/types';
import { SEVERITY_COLOR } from './frames';

/** 0 is clear; a severity is its rank + 1, so "more severe" is "higher" and thresholds order the same way. */
export const CLEAR_LEVEL = 0;
export function severityLevel(severity: Severity): number {
  return SEVERITY_RANK[severity] + 1;
}

const LEVEL_MAPPINGS: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      [CLEAR_LEVEL]: { text: 'clear', color: 'green', index: 0 },
      ...Object.fromEntries(
        (Object.keys(SEVERITY_RANK) as Severity[]).map((s) => [
          severityLevel(s),
          { text: s, color: SEVERITY_COLOR[s], index: severityLevel(s) },
        ])
      ),
    },
  },
];

/** At most this many points per insight: a month at one-minute steps is thinned instead of sent whole. */
export const MAX_TIMELINE_POINTS = 2000;

export function insightTimelineFrame(
  episodes: readonly Episode[],
  window: { fromMs: number; toMs: number; stepMs: number },
  refId: string
): DataFrame {
  const span = Math.max(0, window.toMs - window.fromMs);
  const step = Math.max(window.stepMs, Math.ceil(span / MAX_TIMELINE_POINTS), 1);
  const n = Math.floor(span / step) + 1;
  const times = Array.from({ length: n }, (_, i) => window.fromMs + i * step);
  const fields = DETECTABLE_INSIGHT_IDS.map((id) => {
    const levels = new Array<number>(n).fill(CLEAR_LEVEL);
    for (const e of episodes) {
      if (e.id !== id) {
        continue;
      }
      // An episode shorter than the step still marks the point it falls in.
      const first = Math.max(0, Math.floor((e.start - window.fromMs) / step));
      const last = Math.min(n - 1, Math.floor((e.end - window.fromMs) / step));
      for (let i = first; i <= last; i++) {
        levels[i] = Math.max(levels[i], severityLevel(e.severity));
      }
    }
    return {
      name: id,
      type: FieldType.number,
      values: levels,
      config: {
        displayNameFromDS: getInsight(id).title,
        mappings: LEVEL_MAPPINGS,
        min: CLEAR_LEVEL,
        max: severityLevel('critical'),
      },
    };
  });
  return {
    refId,
    name: 'Insight timeline',
    length: n,
    fields: [{ name: 'Time', type: FieldType.time, values: times, config: {} }, ...fields],
  };
}
