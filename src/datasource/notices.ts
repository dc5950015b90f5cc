// What Prometheus said beside its answers, on the frames Grafana renders.
import type { DataFrame, QueryResultMetaNotice } from '@grafana/data';

export interface FrameNotices {
  warnings: readonly string[];
  infos?: readonly string[];
  /** The scan's "no data for <metric> in range" (ScanResult.noData). */
  noData?: string;
}

/**
 * Warnings, infos and a no-data verdict as frame notices, which Grafana shows on the panel (QueryResultMetaNotice in
 * packages/grafana-data/src/types/data.ts), so incomplete numbers are never silent. An empty result gets one empty
 * frame of its refId to carry them: a partial answer is most dangerous exactly when it is empty.
 */
export function withNotices(frames: DataFrame[], notices: FrameNotices, refId: string): DataFrame[] {
  const list: QueryResultMetaNotice[] = [
    ...(notices.noData ? [{ severity: 'warning' as const, text: notices.noData }] : []),
    ...notices.warnings.map((text) => ({ severity: 'warning' as const, text })),
    ...(notices.infos ?? []).map((text) => ({ severity: 'info' as const, text })),
  ];
  if (list.length === 0) {
    return frames;
  }
  const carriers: DataFrame[] = frames.length > 0 ? frames : [{ refId, name: refId, fields: [], length: 0 }];
  return carriers.map((f) => ({ ...f, meta: { ...f.meta, notices: [...(f.meta?.notices ?? []), ...list] } }));
}
