// Warnings of the engine's answers on the frames Grafana renders.
import type { DataFrame } from '@grafana/data';

/**
 * Warnings of the engine's answers (a cluster's partial data) as frame notices, which Grafana shows on the panel
 * (QueryResultMetaNotice in packages/grafana-data/src/types/data.ts), so incomplete numbers are never silent.
 */
export function withWarnings(frames: DataFrame[], warnings: string[]): DataFrame[] {
  if (warnings.length === 0) {
    return frames;
  }
  const notices = warnings.map((text) => ({ severity: 'warning' as const, text }));
  return frames.map((f) => ({ ...f, meta: { ...f.meta, notices: [...(f.meta?.notices ?? []), ...notices] } }));
}
