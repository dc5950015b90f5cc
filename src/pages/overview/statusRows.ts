// The overview's status list: every detectable insight with what the scan said about it, firing first, then seen,
// then clear, the most severe first within each. Pure, so the order is tested without rendering.
import { DETECTABLE_INSIGHT_IDS, getInsight } from '../../catalog/catalog';
import { SEVERITY_RANK, type InsightId, type Severity } from '../../catalog/types';
import type { DetectedInsight, InsightStatusValue } from '../advice/parameterVerdicts';

export interface StatusRow {
  id: InsightId;
  title: string;
  severity: Severity;
  status: InsightStatusValue;
  episodes: number;
  lastSeen?: number;
}

const STATUS_ORDER: Record<InsightStatusValue, number> = { firing: 0, seen: 1, 'no data': 2, clear: 3 };

export function statusRows(detected: readonly DetectedInsight[]): StatusRow[] {
  const byId = new Map(detected.map((d) => [d.id, d]));
  const ids = new Set<InsightId>([...DETECTABLE_INSIGHT_IDS, ...detected.map((d) => d.id)]);
  const rows = [...ids].map((id): StatusRow => {
    const insight = getInsight(id);
    const d = byId.get(id);
    // An insight with episodes but a "clear" status was seen earlier in the range.
    const status = d ? (d.status === 'clear' && d.episodes > 0 ? 'seen' : d.status) : 'clear';
    return {
      id,
      title: insight.title,
      severity: insight.severity,
      status,
      episodes: d?.episodes ?? 0,
      lastSeen: d?.lastSeen,
    };
  });
  return rows.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.title.localeCompare(b.title)
  );
}
